/* sandbox.c - the bounded, whitelisted Lua state policies run in.
 *
 * Follows the checklist of DOMAIN.md section 9.1; the C<->Lua error
 * handling follows lua.c (message handler with traceback, status mapping).
 * The memory cap is sandbox_alloc.c's, the instruction budget and time
 * limit sandbox_limits.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "policyimage.h"
#include "sandbox.h"
#include "sandbox_int.h"
#include "textsafe.h"
#include "util.h"

/* Registry keys (addresses are unique). */
static const char ENV_CELL_KEY = 'c';	/* function(env): a closure over a
					 * new upvalue cell holding env */

/* Lua shortens long chunk names in messages to "...<tail>" (LUA_IDSIZE):
 * put the full name back, so every message names its file.  Returns a
 * malloc'd string. */
static char *full_position(const struct ag_sandbox *s, const char *msg)
{
	size_t i, n, tail;
	const char *p;

	if (strncmp(msg, "...", 3) != 0)
		return xstrdup(msg);
	/* the tail ends at ":LINE:" */
	for (p = msg + 3; (p = strchr(p, ':')); p++) {
		const char *q = p + 1;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p + 1 && *q == ':')
			break;
	}
	if (!p)
		return xstrdup(msg);
	tail = (size_t)(p - (msg + 3));
	for (i = 0; i < s->n_chunks; i++) {
		n = strlen(s->chunks[i]);
		if (n >= tail && memcmp(s->chunks[i] + n - tail, msg + 3, tail) == 0)
			return xasprintf("%s%s", s->chunks[i], p);
	}
	return xstrdup(msg);
}

/* --- read-only proxies ---
 *
 * A proxy is an empty table whose own metatable has __index = the
 * table it stands for, so reading a field is the VM's own table lookup
 * (views are read thousands of times per evaluation), and the shared
 * C functions for writes, # and pairs.  Policies never reach a proxy's
 * metatable (__metatable hides it) nor ro_newindex, so a metatable
 * whose __newindex is ro_newindex marks a proxy of ours. */

static int ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to modify a read-only table (key '%s')",
			  luaL_tolstring(L, 2, NULL));
}

/* Push the table the proxy at idx stands for, or nil. */
static void push_target(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) {
		lua_pushnil(L);
		return;
	}
	lua_getfield(L, -1, "__newindex");
	if (lua_tocfunction(L, -1) != ro_newindex) {
		lua_pop(L, 2);
		lua_pushnil(L);
		return;
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "__index");
	lua_remove(L, -2);
}

/* Push the table the proxy at idx stands for, or raise an argument
 * error: these functions reach policies (pairs() hands out ro_next) and
 * may be called with anything. */
static void check_target(lua_State *L, int idx)
{
	push_target(L, idx);
	if (lua_type(L, -1) != LUA_TTABLE)
		luaL_typeerror(L, idx, "read-only table");
}

static int ro_len(lua_State *L)
{
	check_target(L, 1);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

static int ro_next(lua_State *L)
{
	check_target(L, 1);
	lua_pushvalue(L, 2);
	if (lua_next(L, -2))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int ro_pairs(lua_State *L)
{
	check_target(L, 1);
	lua_pushcfunction(L, ro_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

/* The fields every proxy's metatable shares; the names and values sit in
 * the registry at the sandbox's ro_keys and ro_refs (lua_rawgeti is the
 * cheapest way back to them).  __len comes last: a target with no array
 * part has length 0 with or without it, so its proxy goes without. */
static const char *const ro_shared_names[RO_SHARED_N] = {
	"__newindex", "__pairs", "__metatable", "__len",
};

static void create_readonly_support(lua_State *L, struct ag_sandbox *s)
{
	size_t i;

	for (i = 0; i < RO_SHARED_N; i++) {
		lua_pushstring(L, ro_shared_names[i]);
		s->ro_keys[i] = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_pushliteral(L, "__index");
	s->ro_index_key = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushcfunction(L, ro_newindex);
	s->ro_refs[0] = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushcfunction(L, ro_pairs);
	s->ro_refs[1] = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushliteral(L, "read-only");
	s->ro_refs[2] = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushcfunction(L, ro_len);
	s->ro_refs[3] = luaL_ref(L, LUA_REGISTRYINDEX);
}

void ag_sandbox_push_readonly(lua_State *L)
{
	const struct ag_sandbox *s = sandbox_of(L);
	size_t i, n = lua_rawlen(L, -1) ? RO_SHARED_N : RO_SHARED_N - 1;

	lua_createtable(L, 0, 0);			/* proxy */
	lua_createtable(L, 0, (int)n + 1);		/* its metatable */
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->ro_index_key);
	lua_pushvalue(L, -4);				/* target */
	lua_rawset(L, -3);
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, s->ro_keys[i]);
		lua_rawgeti(L, LUA_REGISTRYINDEX, s->ro_refs[i]);
		lua_rawset(L, -3);
	}
	lua_setmetatable(L, -2);
	lua_remove(L, -2);			/* leave only the proxy */
}

void ag_sandbox_push_unwrapped(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TTABLE) {
		push_target(L, idx);
		if (!lua_isnil(L, -1))
			return;
		lua_pop(L, 1);
	}
	lua_pushvalue(L, idx);
}

/* --- whitelisted globals --- */

/* pcall/xpcall that cannot swallow the sandbox's limits: a memory error,
 * a spent budget or the time limit propagate as if uncaught. */
static int finish_pcall(lua_State *L, int status, int first)
{
	struct ag_sandbox *s = sandbox_of(L);

	if (status == LUA_ERRMEM)
		s->mem_tripped = true;
	if (status == LUA_ERRMEM || s->budget_tripped || s->timed_out)
		return lua_error(L);
	if (status != LUA_OK) {
		lua_pushboolean(L, 0);
		lua_insert(L, -2);
		return 2;
	}
	lua_pushboolean(L, 1);
	lua_insert(L, first);
	return lua_gettop(L) - first + 1;
}

static int safe_pcall(lua_State *L)
{
	luaL_checkany(L, 1);
	return finish_pcall(L, lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0),
			    1);
}

static int safe_xpcall(lua_State *L)
{
	int n = lua_gettop(L);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 1);	/* f */
	lua_copy(L, 2, 1);	/* handler goes first */
	lua_replace(L, 2);
	return finish_pcall(L, lua_pcall(L, n - 2, LUA_MULTRET, 1), 2);
}

static int safe_setmetatable(lua_State *L)
{
	int t = lua_type(L, 2);

	/* As the base library's, but here so that errors carry the policy's
	 * position, and refusing __gc: a finalizer would run at unbounded
	 * times (even in lua_close, after the limits) and its errors turn
	 * into warnings. */
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (t == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "__gc metamethods are not allowed "
					  "in policies");
		lua_pop(L, 1);
	}
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

static void warn_handler(void *ud, const char *msg, int tocont)
{
	/* Only reachable from Lua internals (policies cannot install __gc
	 * and base warn is replaced); keep the message visible. */
	static int continuing;

	(void)ud;
	if (!continuing && msg[0] == '@')
		return;		/* control messages "@on"/"@off" */
	if (!continuing)
		fputs("apgate: lua warning: ", stderr);
	ag_fput_safe(stderr, msg);
	if (!tocont)
		fputc('\n', stderr);
	continuing = tocont;
}

static void copy_field(lua_State *L, int from, int to, const char *name)
{
	lua_getfield(L, from, name);
	lua_setfield(L, to, name);
}

/* Put a read-only proxy of library `lib` (whose table is at the top of the
 * stack after requiref) into the globals table at gidx, minus the names
 * in drop. */
static void add_library(lua_State *L, int gidx, const char *name,
			lua_CFunction open, const char *const *drop)
{
	luaL_requiref(L, name, open, 0);
	for (; drop && *drop; drop++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *drop);
	}
	ag_sandbox_push_readonly(L);
	lua_setfield(L, gidx, name);
}

static int setup_state(lua_State *L)
{
	static const char *const base_whitelist[] = {
		"assert", "error", "ipairs", "next", "pairs",
		"select", "tonumber", "tostring", "type",
		"getmetatable", "rawequal", "rawlen", "_VERSION", NULL,
	};
	static const char *const string_drop[] = { "dump", NULL };
	static const char *const math_drop[] = { "random", "randomseed", NULL };
	struct ag_sandbox *s = lua_touserdata(L, 1);
	const char *const *p;
	int base, g;

	create_readonly_support(L, s);

	/* The real base library lives only in the registry's globals, which
	 * policies never see. */
	luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
	base = lua_gettop(L);
	lua_newtable(L);
	g = lua_gettop(L);
	for (p = base_whitelist; *p; p++)
		copy_field(L, base, g, *p);
	lua_pushcfunction(L, safe_pcall);
	lua_setfield(L, g, "pcall");
	lua_pushcfunction(L, safe_xpcall);
	lua_setfield(L, g, "xpcall");
	lua_pushcfunction(L, safe_setmetatable);
	lua_setfield(L, g, "setmetatable");

	add_library(L, g, LUA_STRLIBNAME, luaopen_string, string_drop);
	add_library(L, g, LUA_TABLIBNAME, luaopen_table, NULL);
	add_library(L, g, LUA_MATHLIBNAME, luaopen_math, math_drop);
	add_library(L, g, LUA_UTF8LIBNAME, luaopen_utf8, NULL);

	/* Shared by every string: lock it so no policy can reach the real
	 * string table through getmetatable("") and poison the others. */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushliteral(L, "locked");
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);

	lua_pushvalue(L, g);
	s->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	/* Each chunk's environment reads through to the globals. */
	lua_newtable(L);
	lua_pushvalue(L, g);
	lua_setfield(L, -2, "__index");
	lua_pushliteral(L, "locked");
	lua_setfield(L, -2, "__metatable");
	s->env_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	/* Trusted text of apgate's own, never reachable from policies. */
	if (luaL_loadstring(L, "local env = ... return function() return env "
			    "end") != LUA_OK)
		return lua_error(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &ENV_CELL_KEY);
	return 0;
}

struct ag_sandbox *ag_sandbox_new(const struct ag_sandbox_limits *limits,
				  struct ag_error *err)
{
	struct ag_sandbox *s = xcalloc(1, sizeof(*s));
	int st;

	s->limits = *limits;
	s->L = lua_newstate(ag_sbx_alloc, s);
	if (!s->L) {
		ag_error_set(err, "cannot create the Lua state (memory limit?)");
		ag_sbx_blocks_free(s);
		free(s);
		return NULL;
	}
	*(struct ag_sandbox **)lua_getextraspace(s->L) = s;
	lua_setwarnf(s->L, warn_handler, s);
	lua_pushcfunction(s->L, setup_state);
	lua_pushlightuserdata(s->L, s);
	st = lua_pcall(s->L, 1, 0, 0);
	if (st != LUA_OK) {
		ag_error_set(err, "cannot set up the Lua sandbox: %s",
			     lua_tostring(s->L, -1));
		lua_close(s->L);
		ag_sbx_blocks_free(s);
		free(s);
		return NULL;
	}
	ag_sbx_catch_alarm();
	return s;
}

void ag_sandbox_free(struct ag_sandbox *s)
{
	if (!s)
		return;
	ag_sbx_forget(s);
	/* No finalizers can run here: policies cannot install __gc. */
	lua_close(s->L);
	ag_sbx_blocks_free(s);
	for (size_t i = 0; i < s->n_chunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s);
}

lua_State *ag_sandbox_state(struct ag_sandbox *s)
{
	return s->L;
}

void ag_sandbox_set_global(struct ag_sandbox *s, const char *name)
{
	lua_State *L = s->L;

	lua_rawgeti(L, LUA_REGISTRYINDEX, s->globals_ref);
	lua_insert(L, -2);
	lua_setfield(L, -2, name);
	lua_pop(L, 1);
}

/* Give the function at the top of the stack a fresh environment (its
 * _ENV upvalue): a policy's globals stay its own, and a new instance of
 * the same code starts from nothing. */
static void set_fresh_env(struct ag_sandbox *s)
{
	lua_State *L = s->L;

	lua_newtable(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->env_mt_ref);
	lua_setmetatable(L, -2);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
}

enum ag_sandbox_status ag_sandbox_load(struct ag_sandbox *s,
				       const char *chunkname,
				       const char *buf, size_t len,
				       struct ag_error *err)
{
	lua_State *L = s->L;
	char *name = xasprintf("@%s", chunkname);
	const struct ag_policy_image *img;
	int st;

	s->mem_tripped = false;
	s->chunks = xgrow(s->chunks, &s->cap_chunks, s->n_chunks + 1,
			  sizeof(*s->chunks));
	s->chunks[s->n_chunks++] = xstrdup(chunkname);
	img = ag_policy_image_find(buf, len);
	if (img) {
		/* This very text, compiled by the build (policyimage.h); "b"
		 * only for those bytes, which the build made. */
		size_t code_len;
		unsigned char *code = ag_policy_image_code(img, name,
							   &code_len);

		st = luaL_loadbufferx(L, (const char *)code, code_len, name,
				      "b");
		free(code);
		if (st != LUA_OK && st != LUA_ERRMEM && !s->mem_tripped) {
			lua_pop(L, 1);	/* cannot happen; compile instead */
			img = NULL;
		}
	}
	/* "t": Lua does not verify binary chunks; crafted bytecode can crash
	 * the VM, so text from a file is only ever compiled. */
	if (!img)
		st = luaL_loadbufferx(L, buf, len, name, "t");
	free(name);
	if (st != LUA_OK) {
		char *msg = full_position(s, lua_tostring(L, -1));
		size_t n = strlen(chunkname);

		/* Some refusals (binary chunks) carry no position. */
		if (strncmp(msg, chunkname, n) == 0 && msg[n] == ':')
			ag_error_set(err, "%s", msg);
		else
			ag_error_set(err, "%s: %s", chunkname, msg);
		free(msg);
		lua_pop(L, 1);
		if (st == LUA_ERRMEM || s->mem_tripped)
			return AG_SBX_MEMORY;
		return AG_SBX_SYNTAX;
	}
	set_fresh_env(s);
	return AG_SBX_OK;
}

/* A kept function is a template: each instance is the same closure given
 * a new _ENV cell.  lua_setupvalue would write into the cell the earlier
 * instance's closures share; lua_upvaluejoin points the template at a
 * cell nothing else has seen, made by calling ENV_CELL_KEY's factory. */
static int keep_function(lua_State *L)
{
	/* 1: the function */
	lua_pushvalue(L, 1);
	lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
	return 1;
}

static int new_instance(lua_State *L)
{
	/* 1: environment metatable; 2: the kept function */
	lua_rawgetp(L, LUA_REGISTRYINDEX, &ENV_CELL_KEY);
	lua_newtable(L);
	lua_pushvalue(L, 1);
	lua_setmetatable(L, -2);
	lua_call(L, 1, 1);		/* a closure over a new cell with it */
	lua_upvaluejoin(L, 2, 1, -1, 1);
	lua_settop(L, 2);
	return 1;
}

/* Run one of the two helpers above protected: both allocate, and a
 * memory error outside a protected call would abort the process. */
static enum ag_sandbox_status run_protected(struct ag_sandbox *s,
					    lua_CFunction f, int nargs,
					    const char *chunkname,
					    struct ag_error *err)
{
	lua_State *L = s->L;
	int st;

	s->mem_tripped = false;
	lua_pushcfunction(L, f);
	lua_insert(L, -nargs - 1);
	st = lua_pcall(L, nargs, 1, 0);
	if (st == LUA_OK)
		return AG_SBX_OK;
	ag_error_set(err, "%s: cannot instantiate the compiled policy: %s",
		     chunkname, lua_tostring(L, -1) ? lua_tostring(L, -1) :
		     "(no message)");
	lua_pop(L, 1);
	return st == LUA_ERRMEM || s->mem_tripped ? AG_SBX_MEMORY :
	       AG_SBX_RUNTIME;
}

int ag_sandbox_keep(struct ag_sandbox *s, const char *chunkname,
		    struct ag_error *err)
{
	lua_State *L = s->L;
	int ref;

	lua_pushvalue(L, -1);
	if (run_protected(s, keep_function, 1, chunkname, err) != AG_SBX_OK)
		return -1;
	ref = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return ref;
}

enum ag_sandbox_status ag_sandbox_instance(struct ag_sandbox *s, int kept,
					   const char *chunkname,
					   struct ag_error *err)
{
	lua_State *L = s->L;

	lua_rawgeti(L, LUA_REGISTRYINDEX, s->env_mt_ref);
	lua_rawgeti(L, LUA_REGISTRYINDEX, kept);
	return run_protected(s, new_instance, 2, chunkname, err);
}

static int message_handler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") &&
		    lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)",
					      luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

enum ag_sandbox_status ag_sandbox_call(struct ag_sandbox *s, int nargs,
				       struct ag_error *err, char **traceback)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs;	/* the function's index */
	enum ag_sandbox_status status;
	size_t firstline;
	int st;

	if (traceback)
		*traceback = NULL;
	lua_pushcfunction(L, message_handler);
	lua_insert(L, base);
	s->budget_tripped = false;
	s->mem_tripped = false;
	s->timed_out = 0;
	s->instr_used = 0;
	/* Small budgets are counted exactly, large ones in steps. */
	s->hook_step = s->limits.instructions < HOOK_STEP ?
		(int)s->limits.instructions : HOOK_STEP;
	lua_sethook(L, ag_sbx_count_hook, LUA_MASKCOUNT, s->hook_step);
	ag_sbx_arm(s, base + 1);
	st = lua_pcall(L, nargs, 0, base);
	ag_sbx_disarm(s);
	lua_sethook(L, NULL, 0, 0);

	/* The flags win over the status: a policy may have caught the
	 * error with pcall and returned normally. */
	if (s->timed_out)
		status = AG_SBX_TIMEOUT;
	else if (s->budget_tripped)
		status = AG_SBX_BUDGET;
	else if (s->mem_tripped || st == LUA_ERRMEM)
		status = AG_SBX_MEMORY;
	else if (st == LUA_ERRERR)
		status = AG_SBX_ERRERR;
	else if (st != LUA_OK)
		status = AG_SBX_RUNTIME;
	else
		status = AG_SBX_OK;

	if (status == AG_SBX_MEMORY) {
		/* Lua's "not enough memory" has no position and names no cap. */
		ag_error_set(err, "memory limit of %zu bytes exceeded",
			     s->limits.memory);
		if (st != LUA_OK)
			lua_pop(L, 1);
	} else if (st != LUA_OK) {
		/* Lua's own message carries the position ("file:line: ..."). */
		char *full = full_position(s, lua_tostring(L, -1) ?
					   lua_tostring(L, -1) : "(no message)");

		firstline = strcspn(full, "\n");
		ag_error_set(err, "%.*s", (int)firstline, full);
		if (traceback)
			*traceback = full;
		else
			free(full);
		lua_pop(L, 1);
	} else if (status != AG_SBX_OK) {
		ag_error_set(err, "%s reached; the policy caught the error and "
			     "carried on", status == AG_SBX_BUDGET ?
			     "instruction budget" : "time limit");
	}
	lua_remove(L, base);	/* the message handler */
	return status;
}

uint64_t ag_sandbox_instructions_used(const struct ag_sandbox *s)
{
	return s->instr_used;
}

size_t ag_sandbox_memory_peak(const struct ag_sandbox *s)
{
	return s->mem_peak;
}

const char *ag_sandbox_status_name(enum ag_sandbox_status st)
{
	switch (st) {
	case AG_SBX_OK: return "ok";
	case AG_SBX_SYNTAX: return "syntax error";
	case AG_SBX_RUNTIME: return "runtime error";
	case AG_SBX_MEMORY: return "memory limit";
	case AG_SBX_BUDGET: return "instruction budget";
	case AG_SBX_TIMEOUT: return "time limit";
	case AG_SBX_ERRERR: return "error in error handling";
	}
	return "unknown";
}
