/* sandbox.c - the bounded, whitelisted Lua state policies run in.
 *
 * Follows the checklist of DOMAIN.md section 9.1; the C<->Lua error
 * handling follows lua.c (message handler with traceback, status mapping).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "policyimage.h"
#include "sandbox.h"
#include "textsafe.h"
#include "util.h"

/* The hook fires every HOOK_STEP instructions to count the budget; after
 * the budget is spent it fires on every instruction so that a policy
 * catching the error with pcall cannot make progress. */
#define HOOK_STEP 1000
#define GRACE_MS 1000
#define RO_SHARED_N 4
/* Free lists of Lua's small blocks (sandbox_alloc) */
#define BLOCK_GRAIN 16
#define BLOCK_MAX 512
#define BLOCK_CLASSES (BLOCK_MAX / BLOCK_GRAIN)
#define BLOCK_CACHE_MAX (4u * 1024 * 1024)

struct free_block {
	struct free_block *next;
};

struct ag_sandbox {
	lua_State *L;
	struct ag_sandbox_limits limits;
	size_t mem_used, mem_peak;
	bool mem_tripped;
	bool budget_tripped;
	volatile sig_atomic_t timed_out;
	/* time limit of the running protected call (arm_timer) */
	struct timespec deadline, grace_end;
	const struct fatal_text {
		char *source;	/* the function's chunk, "" when unknown */
		int line;	/* where it was defined, -1 when unknown */
		char *msg;
		size_t len;
	} *fatal;
	struct fatal_text *fatal_texts;
	size_t n_fatal, cap_fatal;
	uint64_t instr_used;
	int hook_step;		/* instructions between hook calls */
	int globals_ref;	/* the shared, whitelisted global table */
	char **chunks;		/* names of the chunks loaded, for messages */
	size_t n_chunks, cap_chunks;
	int env_mt_ref;		/* metatable of each chunk's environment */
	int ro_refs[RO_SHARED_N];	/* what read-only proxies share */
	int ro_keys[RO_SHARED_N], ro_index_key;
	struct free_block *free_blocks[BLOCK_CLASSES];
	size_t cached_bytes;
};

/* Registry keys (addresses are unique). */
static const char ENV_CELL_KEY = 'c';	/* function(env): a closure over a
					 * new upvalue cell holding env */

/* Only one protected call runs at a time in apgate's process. */
static struct ag_sandbox *volatile active_sandbox;
static volatile sig_atomic_t fatal_exit_status = 2;

void ag_sandbox_set_fatal_exit(int status)
{
	fatal_exit_status = status;
}

static struct ag_sandbox *sandbox_of(lua_State *L)
{
	return *(struct ag_sandbox **)lua_getextraspace(L);
}

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

/* --- memory cap --- */

/* Lua allocates and frees thousands of small blocks per evaluation;
 * glibc's per-thread cache keeps only 7 of each size and the rest go
 * through its bins, which cost a fifth of a place run.  So the state's
 * freed small blocks are kept on free lists per 16-byte size class and
 * handed out again.  Every block of a small size is allocated rounded up
 * to its class, so any block of a class fits any request of it.  Not
 * under AddressSanitizer: its use-after-free checks need every free. */
#if defined(__SANITIZE_ADDRESS__)
#define BLOCK_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCK_CACHE 0
#endif
#endif
#ifndef BLOCK_CACHE
#define BLOCK_CACHE 1
#endif

static size_t block_class(size_t n)
{
	return (n ? n - 1 : 0) / BLOCK_GRAIN;	/* Lua has no 0-byte blocks */
}

static void *block_get(struct ag_sandbox *s, size_t n)
{
	size_t c = block_class(n);
	struct free_block *b = s->free_blocks[c];

	if (b) {
		s->free_blocks[c] = b->next;
		s->cached_bytes -= (c + 1) * BLOCK_GRAIN;
		return b;
	}
	return malloc((c + 1) * BLOCK_GRAIN);
}

static void block_put(struct ag_sandbox *s, void *p, size_t n)
{
	size_t c = block_class(n);
	struct free_block *b = p;

	if (!BLOCK_CACHE || s->cached_bytes >= BLOCK_CACHE_MAX) {
		free(p);
		return;
	}
	b->next = s->free_blocks[c];
	s->free_blocks[c] = b;
	s->cached_bytes += (c + 1) * BLOCK_GRAIN;
}

static void blocks_free(struct ag_sandbox *s)
{
	size_t c;

	for (c = 0; c < BLOCK_CLASSES; c++)
		while (s->free_blocks[c]) {
			struct free_block *b = s->free_blocks[c];

			s->free_blocks[c] = b->next;
			free(b);
		}
	s->cached_bytes = 0;
}

/* realloc for Lua's blocks: small ones through the free lists. */
static void *block_resize(struct ag_sandbox *s, void *ptr, size_t old,
			  size_t nsize)
{
	bool small_old = ptr && old <= BLOCK_MAX, small_new = nsize <= BLOCK_MAX;
	void *p;

	if (!ptr)
		return small_new ? block_get(s, nsize) : malloc(nsize);
	if (small_old && small_new && block_class(old) == block_class(nsize))
		return ptr;
	if (!small_old && !small_new)
		return realloc(ptr, nsize);
	/* A block changes between a class and another, or the large sizes */
	p = small_new ? block_get(s, nsize) : malloc(nsize);
	if (!p)
		return NULL;
	memcpy(p, ptr, old < nsize ? old : nsize);
	if (small_old)
		block_put(s, ptr, old);
	else
		free(ptr);
	return p;
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct ag_sandbox *s = ud;
	/* With ptr == NULL, osize is a type tag, not a size. */
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		if (ptr && old <= BLOCK_MAX)
			block_put(s, ptr, old);
		else
			free(ptr);
		s->mem_used -= old;
		return NULL;
	}
	/* A refusal is not yet a failure: Lua runs an emergency collection
	 * and asks again.  Only a memory error that reaches a protected call
	 * counts (see safe_pcall and ag_sandbox_call). */
	if (nsize > old && s->limits.memory &&
	    nsize - old > s->limits.memory - s->mem_used)
		return NULL;
	p = block_resize(s, ptr, old, nsize);
	if (!p)
		return nsize <= old ? ptr : NULL;	/* shrinks cannot fail */
	s->mem_used = s->mem_used - old + nsize;
	if (s->mem_used > s->mem_peak)
		s->mem_peak = s->mem_used;
	return p;
}

/* --- instruction budget and time limit --- */

/* Raise a limit error positioned at the running Lua function: inside a
 * hook that is level 0, where luaL_error would look one level too far. */
static void limit_error(lua_State *L, struct ag_sandbox *s)
{
	luaL_where(L, 0);
	if (s->timed_out)
		lua_pushfstring(L, "time limit of %d ms exceeded",
				(int)s->limits.timeout_ms);
	else
		lua_pushfstring(L, "instruction budget of %I exceeded",
				(lua_Integer)s->limits.instructions);
	lua_concat(L, 2);
	lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct ag_sandbox *s = sandbox_of(L);

	(void)ar;
	if (s->timed_out || s->budget_tripped) {
		lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
		limit_error(L, s);
	}
	s->instr_used += (uint64_t)s->hook_step;
	if (s->limits.instructions && s->instr_used >= s->limits.instructions) {
		/* From now on every instruction fails, so a policy that
		 * catches the error cannot make progress. */
		s->budget_tripped = true;
		lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
		limit_error(L, s);
	}
}

/* The time limit costs no system call per protected call: one interval
 * timer is left running between calls, and a call only writes its
 * deadline.  When the timer fires before the running call's deadline (it
 * was set for an earlier call), the handler sets it again for the rest;
 * between calls it lets it lapse.  A place run makes thousands of calls,
 * and two setitimer calls each were a tenth of its time. */
static volatile sig_atomic_t timer_armed;
/* The latest deadline the running timer may be set for, as far as the
 * main flow knows (only it writes this). */
static struct timespec timer_due;

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static struct timespec ts_after_ms(const struct timespec *t, unsigned ms)
{
	struct timespec r = *t;

	r.tv_sec += (time_t)(ms / 1000);
	r.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (r.tv_nsec >= 1000000000L) {
		r.tv_sec++;
		r.tv_nsec -= 1000000000L;
	}
	return r;
}

/* Async-signal-safe: clock_gettime and setitimer are plain system calls. */
static void set_timer_for(const struct timespec *when)
{
	struct itimerval it = { 0 };
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(when->tv_sec - now.tv_sec) * 1000000LL +
	     (when->tv_nsec - now.tv_nsec) / 1000;
	if (us < 1)
		us = 1;		/* zero would disarm it */
	it.it_value.tv_sec = (time_t)(us / 1000000);
	it.it_value.tv_usec = (suseconds_t)(us % 1000000);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_timer(void)
{
	struct itimerval it = { 0 };

	if (!timer_armed)
		return;
	setitimer(ITIMER_REAL, &it, NULL);
	timer_armed = 0;
}

/* A forked child (place --jobs) has no timer running whatever the
 * parent's flag says. */
static void timer_after_fork(void)
{
	timer_armed = 0;
}

static void on_alarm(int sig)
{
	struct ag_sandbox *s = active_sandbox;
	struct timespec now;

	(void)sig;
	if (!s) {
		timer_armed = 0;	/* between calls: let it lapse */
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!s->timed_out) {
		if (ts_before(&now, &s->deadline)) {
			set_timer_for(&s->deadline);
			return;
		}
		/* lua_sethook is safe to call from a signal handler (lua.c's
		 * laction does the same); the hook raises the error. */
		s->timed_out = 1;
		lua_sethook(s->L, count_hook, LUA_MASKCOUNT, 1);
		s->grace_end = ts_after_ms(&now, GRACE_MS);
		set_timer_for(&s->grace_end);
		return;
	}
	if (ts_before(&now, &s->grace_end)) {
		set_timer_for(&s->grace_end);
		return;
	}
	/* Still inside a C function (pattern matching, string.rep...) a
	 * grace period later: no way back into Lua, fail closed. */
	if (write(STDERR_FILENO, s->fatal->msg, s->fatal->len) < 0) {
		/* nothing more to do */
	}
	_exit(fatal_exit_status);
}

/* The message the handler writes if the function at fn overstays inside a
 * C function: it names the policy file and line the function was defined
 * at, since no Lua error (which would carry them) can be raised there.
 * Formatted once per function (the handler cannot format) and kept. */
static const struct fatal_text *fatal_text_for(struct ag_sandbox *s, int fn)
{
	char where[400] = "";
	const char *source = "";
	struct fatal_text *f;
	lua_Debug ar;
	size_t i;

	lua_pushvalue(s->L, fn);
	if (lua_getinfo(s->L, ">S", &ar) && ar.source[0] == '@')
		source = ar.source + 1;
	else
		ar.linedefined = -1;
	for (i = 0; i < s->n_fatal; i++) {
		f = &s->fatal_texts[i];
		if (f->line == ar.linedefined && strcmp(f->source, source) == 0)
			return f;
	}
	if (ar.linedefined >= 0) {
		char quoted[360];

		ag_quote_safe(source, 300, quoted, sizeof(quoted));
		snprintf(where, sizeof(where), " in %s:%d", quoted,
			 ar.linedefined);
	}
	s->fatal_texts = xgrow(s->fatal_texts, &s->cap_fatal, s->n_fatal + 1,
			       sizeof(*s->fatal_texts));
	f = &s->fatal_texts[s->n_fatal++];
	f->source = xstrdup(source);
	f->line = ar.linedefined;
	f->msg = xasprintf("apgate: error: policy evaluation exceeded its time "
			   "limit of %u ms inside a library call; stopped "
			   "(limits.timeout_ms, --time-limit)%s\n",
			   s->limits.timeout_ms, where);
	f->len = strlen(f->msg);
	return f;
}

/* Start the time limit of a protected call of the function at fn. */
static void arm_timer(struct ag_sandbox *s, int fn)
{
	static bool atfork_done;
	struct timespec now;

	if (!s->limits.timeout_ms)
		return;
	if (!atfork_done) {
		pthread_atfork(NULL, NULL, timer_after_fork);
		atfork_done = true;
	}
	s->fatal = fatal_text_for(s, fn);
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->deadline = ts_after_ms(&now, s->limits.timeout_ms);
	s->timed_out = 0;
	/* Everything the handler reads is written before it can see s. */
	atomic_signal_fence(memory_order_seq_cst);
	active_sandbox = s;
	/* A timer already running fires at timer_due at the latest, no later
	 * than this deadline: the handler then sets it for the rest. */
	if (timer_armed && !ts_before(&s->deadline, &timer_due)) {
		timer_due = s->deadline;
		return;
	}
	timer_due = s->deadline;
	timer_armed = 1;
	set_timer_for(&s->deadline);
}

/* End a protected call.  The timer keeps running unless the call timed
 * out: its grace period must not outlive the call. */
static void disarm_timer(struct ag_sandbox *s)
{
	active_sandbox = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	if (s->timed_out)
		stop_timer();
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
	struct sigaction sa;
	int st;

	s->limits = *limits;
	s->L = lua_newstate(sandbox_alloc, s);
	if (!s->L) {
		ag_error_set(err, "cannot create the Lua state (memory limit?)");
		blocks_free(s);
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
		blocks_free(s);
		free(s);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	/* The timer outlives protected calls: a late tick must not fail an
	 * unrelated read or write with EINTR. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	return s;
}

void ag_sandbox_free(struct ag_sandbox *s)
{
	if (!s)
		return;
	if (active_sandbox == s)
		active_sandbox = NULL;
	stop_timer();
	/* No finalizers can run here: policies cannot install __gc. */
	lua_close(s->L);
	blocks_free(s);
	for (size_t i = 0; i < s->n_fatal; i++) {
		free(s->fatal_texts[i].source);
		free(s->fatal_texts[i].msg);
	}
	free(s->fatal_texts);
	for (size_t i = 0; i < s->n_chunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s);
}

void ag_sandbox_idle(struct ag_sandbox *s)
{
	(void)s;
	stop_timer();
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
	lua_sethook(L, count_hook, LUA_MASKCOUNT, s->hook_step);
	arm_timer(s, base + 1);
	st = lua_pcall(L, nargs, 0, base);
	disarm_timer(s);
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
