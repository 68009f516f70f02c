/* test_sandbox.c - the Lua sandbox: limits, withheld libraries, read-only
 * tables, error handling (DOMAIN.md section 9.1 checklist). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>

#include "luahelpers.h"
#include "luaview.h"
#include "sandbox.h"
#include "suites.h"
#include "util.h"

static struct ag_sandbox *sbx;
static struct ag_error err;

static void setup_limits(uint64_t instr, size_t mem, unsigned ms)
{
	struct ag_sandbox_limits lim = { instr, mem, ms };

	memset(&err, 0, sizeof(err));
	sbx = ag_sandbox_new(&lim, &err);
	ck_assert_msg(sbx != NULL, "sandbox: %s", err.msg);
}

static void setup(void)
{
	setup_limits(1000000, 16u * 1024 * 1024, 5000);
}

static void teardown(void)
{
	ag_sandbox_free(sbx);
	sbx = NULL;
}

/* Load and run a chunk; returns the status of whichever step failed. */
static enum ag_sandbox_status run(const char *code)
{
	enum ag_sandbox_status st;

	st = ag_sandbox_load(sbx, "test.lua", code, strlen(code), &err);
	if (st != AG_SBX_OK)
		return st;
	return ag_sandbox_call(sbx, 0, &err, NULL);
}

#define ck_assert_runs(code) do { \
	enum ag_sandbox_status st_ = run(code); \
	ck_assert_msg(st_ == AG_SBX_OK, "%s -> %s: %s", code, \
		      ag_sandbox_status_name(st_), err.msg); \
} while (0)

#define ck_assert_status(code, want) do { \
	enum ag_sandbox_status st_ = run(code); \
	ck_assert_msg(st_ == (want), "%s -> %s (%s), want %s", code, \
		      ag_sandbox_status_name(st_), err.msg, \
		      ag_sandbox_status_name(want)); \
} while (0)

START_TEST(withheld_globals_are_nil)
{
	static const char *const names[] = {
		"io", "os", "require", "package", "debug", "load", "loadfile",
		"dofile", "collectgarbage", "rawset", "rawget", "coroutine",
		"loadstring", "module", "_G", "warn",
	};
	char code[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(code, sizeof(code), "assert(%s == nil, '%s')",
			 names[i], names[i]);
		ck_assert_runs(code);
	}
	ck_assert_runs("assert(string.dump == nil)");
	ck_assert_runs("assert(math.random == nil and math.randomseed == nil)");
	ck_assert_runs("assert(('x').dump == nil)");
	ck_assert_runs("assert(type(string.format) == 'function' and "
		       "type(table.sort) == 'function' and math.pi and utf8.char)");
}
END_TEST

START_TEST(binary_chunks_refused)
{
	/* A chunk starting with the binary signature is refused before the
	 * VM sees it, whatever follows. */
	static const char bin[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";

	ck_assert_int_eq(ag_sandbox_load(sbx, "bin.lua", bin, sizeof(bin) - 1,
					 &err), AG_SBX_SYNTAX);
	ck_assert_ptr_nonnull(strstr(err.msg, "binary"));
}
END_TEST

START_TEST(syntax_error_names_file_and_line)
{
	ck_assert_status("local x = \n\n x x", AG_SBX_SYNTAX);
	ck_assert_ptr_nonnull(strstr(err.msg, "test.lua:3:"));
}
END_TEST

START_TEST(runtime_error_names_file_and_line)
{
	char *tb = NULL;

	static const char code[] = "\nlocal t = nil\nreturn t.x";

	ck_assert_int_eq(ag_sandbox_load(sbx, "p.lua", code, strlen(code),
					 &err), AG_SBX_OK);
	ck_assert_int_eq(ag_sandbox_call(sbx, 0, &err, &tb), AG_SBX_RUNTIME);
	ck_assert_msg(strncmp(err.msg, "p.lua:3:", 8) == 0, "%s", err.msg);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_ptr_nonnull(tb);
	ck_assert_ptr_nonnull(strstr(tb, "stack traceback"));
	free(tb);
}
END_TEST

START_TEST(long_chunk_names_kept_whole)
{
	/* Lua shortens names past LUA_IDSIZE to "...tail"; messages must
	 * still name the whole file. */
	static const char name[] = "/a/very/long/directory/name/that/goes/on"
				   "/and/on/policies.d/50-site-policy.lua";
	char *tb = NULL;

	ck_assert_int_eq(ag_sandbox_load(sbx, name, "\nerror('boom')", 14, &err),
			 AG_SBX_OK);
	ck_assert_int_eq(ag_sandbox_call(sbx, 0, &err, &tb), AG_SBX_RUNTIME);
	ck_assert_msg(strncmp(err.msg, name, strlen(name)) == 0 &&
		      strcmp(err.msg + strlen(name), ":2: boom") == 0, "%s", err.msg);
	free(tb);
	ck_assert_int_eq(ag_sandbox_load(sbx, name, "x x", 3, &err), AG_SBX_SYNTAX);
	ck_assert_msg(strncmp(err.msg, name, strlen(name)) == 0, "%s", err.msg);
}
END_TEST

START_TEST(non_string_error_objects)
{
	ck_assert_status("error({})", AG_SBX_RUNTIME);
	ck_assert_str_eq(err.msg, "(error object is a table value)");
	ck_assert_status("error(setmetatable({}, {__tostring = function() "
			 "return 'custom' end}))", AG_SBX_RUNTIME);
	ck_assert_str_eq(err.msg, "custom");
}
END_TEST

START_TEST(infinite_loop_hits_budget)
{
	ck_assert_status("while true do end", AG_SBX_BUDGET);
	ck_assert_msg(strstr(err.msg, "instruction budget"), "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "test.lua:1:"));
}
END_TEST

START_TEST(pcall_cannot_swallow_budget)
{
	ck_assert_status("while true do pcall(function() while true do end end) end",
			 AG_SBX_BUDGET);
	/* Even when the policy returns normally after catching it. */
	ck_assert_status("pcall(function() while true do end end) return",
			 AG_SBX_BUDGET);
}
END_TEST

START_TEST(budget_resets_per_call)
{
	int i;

	/* Each call gets the whole budget: 10 calls of 60% each pass. */
	for (i = 0; i < 10; i++)
		ck_assert_runs("local n = 0 for i = 1, 150000 do n = n + i end");
}
END_TEST

START_TEST(memory_bomb_hits_cap)
{
	ck_assert_status("local t = {} for i = 1, 1e9 do t[i] = {i} end",
			 AG_SBX_MEMORY);
	ck_assert_status("local s = string.rep('x', 1 << 30)", AG_SBX_MEMORY);
	ck_assert_status("local s = 'x' while true do s = s .. s end",
			 AG_SBX_MEMORY);
}
END_TEST

START_TEST(pcall_cannot_swallow_memory)
{
	ck_assert_status("pcall(string.rep, 'x', 1 << 30)", AG_SBX_MEMORY);
}
END_TEST

START_TEST(freed_memory_is_returned)
{
	/* Ten times the cap in garbage passes only if frees are subtracted
	 * (the Suricata CVE-2026-45763 mistake).  No wall-clock limit: on a
	 * loaded machine 160 MiB of memset can take seconds. */
	teardown();
	setup_limits(1000000, 16u * 1024 * 1024, 0);
	ck_assert_runs("for i = 1, 40 do local s = string.rep('y', 4 << 20) end");
}
END_TEST

START_TEST(state_usable_after_memory_error)
{
	ck_assert_status("local s = string.rep('x', 1 << 30)", AG_SBX_MEMORY);
	ck_assert_runs("local t = {} for i = 1, 1000 do t[i] = i end");
}
END_TEST

START_TEST(spairs_at_the_cap_does_not_leak)
{
	/* spairs' key array once lived on the C heap and leaked when an
	 * allocation after it hit the cap (LeakSanitizer in the ASan run).
	 * Tables of growing size: some spairs call is bound to hit it. */
	teardown();
	setup_limits(0, 2u * 1024 * 1024, 5000);
	ag_luaview_register_helpers(sbx);
	ck_assert_status("local t, n = {}, 0 while true do "
			 "for i = n + 1, n + 500 do t['k' .. i] = i end "
			 "n = n + 500 spairs(t) end", AG_SBX_MEMORY);
	ck_assert_msg(strstr(err.msg, "memory limit"), "%s", err.msg);
}
END_TEST

/* sandbox_alloc keeps Lua's small freed blocks for reuse: blocks that
 * move between size classes, and between small and large, keep their
 * contents, and reused blocks hold what was last written to them. */
START_TEST(allocator_reuses_blocks_intact)
{
	int round;

	for (round = 0; round < 3; round++)
		ck_assert_runs(
			"local t = {}\n"
			"for i = 1, 3000 do t[i] = string.rep(string.char(65 + i % 26), i % 700) end\n"
			"for i = 1, 3000 do\n"
			"  local s = t[i]\n"
			"  assert(#s == i % 700 and (s == '' or s:byte(-1) == 65 + i % 26), i)\n"
			"end\n"
			"local h = {}\n"
			"for i = 1, 400 do h['k' .. i] = i end\n"
			"for i = 1, 400 do h['k' .. i] = nil end\n"
			"for i = 1, 400 do h[i] = i * 2 end\n"
			"local sum = 0\n"
			"for i = 1, 400 do sum = sum + h[i] end\n"
			"assert(sum == 400 * 401, sum)\n"
			"local parts = {}\n"
			"for i = 1, 200 do parts[#parts + 1] = ('%d'):format(i) end\n"
			"assert(table.concat(parts, ',', 1, 3) == '1,2,3')\n");
}
END_TEST

START_TEST(timeout_backstop)
{
	teardown();
	setup_limits(0, 16u * 1024 * 1024, 100);	/* no budget, 100 ms */
	ck_assert_status("while true do end", AG_SBX_TIMEOUT);
	ck_assert_msg(strstr(err.msg, "time limit"), "%s", err.msg);
	/* The next call starts with a fresh timer. */
	ck_assert_runs("local x = 1");
}
END_TEST

/* The timer is left running between calls (arm_timer): a call that
 * starts while it is set for an earlier call's deadline still stops at
 * its own, after many quick calls and after a timeout. */
START_TEST(timeout_after_many_calls)
{
	int i;

	teardown();
	setup_limits(0, 16u * 1024 * 1024, 150);
	for (i = 0; i < 200; i++)
		ck_assert_runs("local x = 1");
	ck_assert_status("while true do end", AG_SBX_TIMEOUT);
	for (i = 0; i < 20; i++)
		ck_assert_runs("local x = 1");
	ck_assert_status("while true do end", AG_SBX_TIMEOUT);
}
END_TEST

/* A forked child (place --jobs) has no interval timer of its parent's:
 * its calls must still be bounded.  RLIMIT_CPU ends the child if not. */
START_TEST(timeout_in_forked_child)
{
	pid_t pid;
	int status;

	teardown();
	setup_limits(0, 16u * 1024 * 1024, 150);
	ck_assert_runs("local x = 1");	/* the parent's timer now runs */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 5, 5 };

		setrlimit(RLIMIT_CPU, &rl);
		_exit(run("while true do end") == AG_SBX_TIMEOUT ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: status 0x%x", (unsigned)status);
}
END_TEST

START_TEST(deep_recursion_contained)
{
	teardown();
	/* a generous wall clock: a loaded machine must not turn the stack
	 * overflow into a time limit */
	setup_limits(0, 64u * 1024 * 1024, 120000);
	ck_assert_status("local function f(n) return 1 + f(n + 1) end f(1)",
			 AG_SBX_RUNTIME);
	ck_assert_ptr_nonnull(strstr(err.msg, "stack overflow"));

	/* Deeply nested source is parsed by C recursion: the parser's own
	 * nesting limit refuses it as a syntax error, it does not crash. */
	{
		size_t depth = 10000, i;
		char *code = xmalloc(2 * depth + 16);
		char *p = code;

		p += sprintf(p, "return ");
		for (i = 0; i < depth; i++)
			*p++ = '(';
		*p++ = '1';
		for (i = 0; i < depth; i++)
			*p++ = ')';
		*p = '\0';
		ck_assert_status(code, AG_SBX_SYNTAX);
		ck_assert_msg(strncmp(err.msg, "test.lua", 8) == 0 &&
			      (strstr(err.msg, "C stack overflow") ||
			       strstr(err.msg, "C levels")),
			      "nesting refused: %s", err.msg);
		free(code);
	}
	/* A nesting well inside the limit still parses and runs. */
	ck_assert_runs("assert(((((((((((1)))))))))) == 1)");
}
END_TEST

START_TEST(library_tables_read_only)
{
	ck_assert_status("string.upper = nil", AG_SBX_RUNTIME);
	ck_assert_ptr_nonnull(strstr(err.msg, "read-only"));
	ck_assert_status("table.insert = print", AG_SBX_RUNTIME);
	ck_assert_status("math.pi = 3", AG_SBX_RUNTIME);
	ck_assert_runs("assert(getmetatable(string) == 'read-only')");
	ck_assert_status("setmetatable(string, {})", AG_SBX_RUNTIME);
	/* After the failed writes everything still works. */
	ck_assert_runs("assert(('abc'):upper() == 'ABC' and math.pi > 3)");
}
END_TEST

START_TEST(string_metatable_locked)
{
	ck_assert_runs("assert(getmetatable('') == 'locked')");
	ck_assert_status("getmetatable('').__index.upper = nil", AG_SBX_RUNTIME);
	ck_assert_runs("assert(('x'):upper() == 'X')");
}
END_TEST

START_TEST(gc_metamethods_refused)
{
	ck_assert_status("setmetatable({}, {__gc = function() while true do end end})",
			 AG_SBX_RUNTIME);
	ck_assert_ptr_nonnull(strstr(err.msg, "__gc"));
	ck_assert_runs("local t = setmetatable({}, {__index = {a = 1}}) assert(t.a == 1)");
}
END_TEST

START_TEST(chunks_have_own_globals)
{
	ck_assert_runs("shared_name = 42");
	ck_assert_runs("assert(shared_name == nil)");
	/* Global writes never reach the shared table. */
	ck_assert_runs("string = nil; pairs = nil");
	ck_assert_runs("assert(type(string) == 'table' and type(pairs) == 'function')");
	ck_assert_runs("assert(getmetatable(_ENV) == 'locked')");
}
END_TEST

START_TEST(readonly_proxy_behaves_like_table)
{
	lua_State *L = ag_sandbox_state(sbx);

	lua_newtable(L);
	lua_pushinteger(L, 10);
	lua_rawseti(L, -2, 1);
	lua_pushinteger(L, 20);
	lua_rawseti(L, -2, 2);
	lua_pushliteral(L, "v");
	lua_setfield(L, -2, "k");
	ag_sandbox_push_readonly(L);
	ag_sandbox_set_global(sbx, "ro");
	ck_assert_runs("assert(#ro == 2 and ro[1] == 10 and ro.k == 'v')");
	ck_assert_runs("local s = 0 for _, v in ipairs(ro) do s = s + v end assert(s == 30)");
	ck_assert_runs("local n = 0 for k in pairs(ro) do n = n + 1 end assert(n == 3)");
	ck_assert_status("ro.k = 'w'", AG_SBX_RUNTIME);
	ck_assert_status("ro[3] = 1", AG_SBX_RUNTIME);
	ck_assert_status("table.insert(ro, 1)", AG_SBX_RUNTIME);
	ck_assert_runs("assert(ro.k == 'v' and #ro == 2)");
}
END_TEST

START_TEST(stack_balanced_after_calls)
{
	lua_State *L = ag_sandbox_state(sbx);
	int top = lua_gettop(L);

	ck_assert_runs("local x = 1");
	ck_assert_status("error('x')", AG_SBX_RUNTIME);
	ck_assert_status("while true do end", AG_SBX_BUDGET);
	ck_assert_int_eq(lua_gettop(L), top);
}
END_TEST

Suite *suite_sandbox(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, withheld_globals_are_nil);
	tcase_add_test(tc, binary_chunks_refused);
	tcase_add_test(tc, syntax_error_names_file_and_line);
	tcase_add_test(tc, runtime_error_names_file_and_line);
	tcase_add_test(tc, long_chunk_names_kept_whole);
	tcase_add_test(tc, non_string_error_objects);
	tcase_add_test(tc, infinite_loop_hits_budget);
	tcase_add_test(tc, pcall_cannot_swallow_budget);
	tcase_add_test(tc, budget_resets_per_call);
	tcase_add_test(tc, memory_bomb_hits_cap);
	tcase_add_test(tc, pcall_cannot_swallow_memory);
	tcase_add_test(tc, freed_memory_is_returned);
	tcase_add_test(tc, state_usable_after_memory_error);
	tcase_add_test(tc, spairs_at_the_cap_does_not_leak);
	tcase_add_test(tc, allocator_reuses_blocks_intact);
	tcase_add_test(tc, timeout_backstop);
	tcase_add_test(tc, timeout_after_many_calls);
	tcase_add_test(tc, timeout_in_forked_child);
	tcase_add_test(tc, deep_recursion_contained);
	tcase_add_test(tc, library_tables_read_only);
	tcase_add_test(tc, string_metatable_locked);
	tcase_add_test(tc, gc_metamethods_refused);
	tcase_add_test(tc, chunks_have_own_globals);
	tcase_add_test(tc, readonly_proxy_behaves_like_table);
	tcase_add_test(tc, stack_balanced_after_calls);
	suite_add_tcase(s, tc);
	return s;
}
