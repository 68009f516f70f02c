/* sandbox.h - a Lua 5.4 state that untrusted policy text cannot escape.
 *
 * Owns the lua_State and everything that bounds it: the capped allocator,
 * the instruction-count hook (re-armed so pcall cannot swallow it), the
 * wall-clock backstop for time spent inside C library functions, the
 * whitelisted global table, read-only proxies, and the protected call with
 * a traceback message handler.  It knows nothing about rules or
 * descriptors; engine.c builds the policy API on top of it.
 *
 * Policies get: assert error ipairs next pairs pcall select tonumber
 * tostring type xpcall setmetatable (no __gc) getmetatable rawequal rawlen
 * and read-only string, table, math (no random) and utf8.  Withheld: io,
 * os, package/require, debug, coroutine, load, loadfile, dofile,
 * string.dump, collectgarbage, rawget, rawset.  Chunks are text only; the
 * build's own compiled default rules stand in for identical text
 * (policyimage.h), and a chunk this process compiled may be instantiated
 * again with a new environment (ag_sandbox_instance).
 */
#ifndef APGATE_SANDBOX_H
#define APGATE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "error.h"

struct ag_sandbox_limits {
	uint64_t instructions;	/* per protected call; 0 = unlimited */
	size_t memory;		/* bytes for the whole state; 0 = unlimited */
	unsigned timeout_ms;	/* per protected call; 0 = none */
};

enum ag_sandbox_status {
	AG_SBX_OK,
	AG_SBX_SYNTAX,		/* the chunk does not compile */
	AG_SBX_RUNTIME,		/* error() or a runtime fault */
	AG_SBX_MEMORY,		/* memory cap reached (even if caught) */
	AG_SBX_BUDGET,		/* instruction budget spent (even if caught) */
	AG_SBX_TIMEOUT,		/* wall-clock backstop fired */
	AG_SBX_ERRERR,		/* error while handling an error */
};

struct ag_sandbox;

struct ag_sandbox *ag_sandbox_new(const struct ag_sandbox_limits *limits,
				  struct ag_error *err);
void ag_sandbox_free(struct ag_sandbox *s);
lua_State *ag_sandbox_state(struct ag_sandbox *s);
/* No protected call follows for a while: stop the time limit's timer,
 * which otherwise keeps running between calls (see sandbox_limits.c). */
void ag_sandbox_idle(struct ag_sandbox *s);

/* Pop the value on top of the stack into the shared global table under
 * name (for the host API: rule, reject, ...). */
void ag_sandbox_set_global(struct ag_sandbox *s, const char *name);

/* Compile a text chunk with its own global environment (reads fall back to
 * the shared globals, writes stay in the file's environment) and push the
 * function.  chunkname is used as "@chunkname" so messages read
 * "chunkname:LINE: ...".  Returns AG_SBX_OK or AG_SBX_SYNTAX/MEMORY. */
enum ag_sandbox_status ag_sandbox_load(struct ag_sandbox *s,
				       const char *chunkname,
				       const char *buf, size_t len,
				       struct ag_error *err);

/* Compile once, instantiate many times (apgate place evaluates thousands
 * of pairs with one set of policies).  ag_sandbox_keep: keep the function
 * at the top of the stack (from ag_sandbox_load; it stays there) and
 * return a handle to it, or -1 with err set.  ag_sandbox_instance: push a
 * new instance of a kept function: the same compiled code with a new,
 * empty environment in a new _ENV cell, so that running it makes new
 * closures, upvalues and globals, sharing nothing with earlier instances
 * but the read-only globals.  Both fail only on the memory cap.
 * chunkname names the file in messages. */
int ag_sandbox_keep(struct ag_sandbox *s, const char *chunkname,
		    struct ag_error *err);
enum ag_sandbox_status ag_sandbox_instance(struct ag_sandbox *s, int kept,
					   const char *chunkname,
					   struct ag_error *err);

/* Call the function below nargs arguments with 0 results under a fresh
 * instruction budget and time limit.  On failure err holds the message
 * (first line) and, when traceback is not NULL, *traceback gets a malloc'd
 * Lua traceback.  The stack is left as it was before the function. */
enum ag_sandbox_status ag_sandbox_call(struct ag_sandbox *s, int nargs,
				       struct ag_error *err, char **traceback);

/* Replace the table at the top of the stack by a read-only proxy: reads,
 * #, pairs and ipairs see the table; writes raise an error; getmetatable
 * returns "read-only". */
void ag_sandbox_push_readonly(lua_State *L);

/* Push the table a read-only proxy at idx stands for, or the value itself
 * when it is not a proxy. */
void ag_sandbox_push_unwrapped(lua_State *L, int idx);

/* Statistics of the last protected call and of the state. */
uint64_t ag_sandbox_instructions_used(const struct ag_sandbox *s);
size_t ag_sandbox_memory_peak(const struct ag_sandbox *s);

/* Exit status used when a C library function ignores the time limit for a
 * further grace second: the process writes a message and _exit()s, since
 * there is no safe way back into the Lua state.  Default 2. */
void ag_sandbox_set_fatal_exit(int status);

const char *ag_sandbox_status_name(enum ag_sandbox_status st);

#endif
