/* sandbox_int.h - the sandbox's own state, shared by its three parts:
 * sandbox.c (the state, globals, proxies, loading and protected calls),
 * sandbox_alloc.c (the memory cap and Lua's block free lists) and
 * sandbox_limits.c (the instruction budget and the time limit).  Nothing
 * outside them includes it.
 */
#ifndef APGATE_SANDBOX_INT_H
#define APGATE_SANDBOX_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <lua.h>

#include "sandbox.h"

/* The hook fires every HOOK_STEP instructions to count the budget; after
 * the budget is spent it fires on every instruction so that a policy
 * catching the error with pcall cannot make progress. */
#define HOOK_STEP 1000
#define GRACE_MS 1000
#define RO_SHARED_N 4
/* Lua's small blocks: carved from slabs, kept on free lists
 * (sandbox_alloc.c) */
#define BLOCK_GRAIN 16
#define BLOCK_MAX 512
#define BLOCK_CLASSES (BLOCK_MAX / BLOCK_GRAIN)
#define SLAB_BYTES (64u * 1024)

struct free_block {
	struct free_block *next;
};

struct slab {
	struct slab *next;
	char pad[BLOCK_GRAIN - sizeof(struct slab *)];	/* blocks stay aligned */
};

struct ag_sandbox {
	lua_State *L;
	struct ag_sandbox_limits limits;
	size_t mem_used, mem_peak;
	bool mem_tripped;
	bool budget_tripped;
	volatile sig_atomic_t timed_out;
	/* time limit of the running protected call (ag_sbx_arm) */
	struct timespec deadline, grace_end;
	/* what the handler writes if the running call overstays inside a
	 * C function (ag_sbx_arm): head, then " in <chunk>:<line>" */
	char *fatal_head;
	size_t fatal_head_len;
	struct fatal_chunk {
		char *source;		/* a chunk's name */
		char *where;		/* " in <quoted source>:" */
		size_t where_len;
	} *fatal_chunks;
	size_t n_fatal, cap_fatal;
	const struct fatal_chunk *volatile fatal_chunk;
	volatile int fatal_line;	/* -1: where is unknown */
	uint64_t instr_used;
	int hook_step;		/* instructions between hook calls */
	int globals_ref;	/* the shared, whitelisted global table */
	char **chunks;		/* names of the chunks loaded, for messages */
	size_t n_chunks, cap_chunks;
	int env_mt_ref;		/* metatable of each chunk's environment */
	int ro_refs[RO_SHARED_N];	/* what read-only proxies share */
	int ro_keys[RO_SHARED_N], ro_index_key;
	struct free_block *free_blocks[BLOCK_CLASSES];
	struct slab *slabs;		/* newest first */
	char *slab_next;		/* the newest slab's unused part */
	size_t slab_left;
};

static inline struct ag_sandbox *sandbox_of(lua_State *L)
{
	return *(struct ag_sandbox **)lua_getextraspace(L);
}

/* sandbox_alloc.c */
void *ag_sbx_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void ag_sbx_blocks_free(struct ag_sandbox *s);

/* sandbox_limits.c */
void ag_sbx_count_hook(lua_State *L, lua_Debug *ar);
/* Install the time limit's signal handler. */
void ag_sbx_catch_alarm(void);
/* Start and end the limits of a protected call of the function at fn. */
void ag_sbx_arm(struct ag_sandbox *s, int fn);
void ag_sbx_disarm(struct ag_sandbox *s);
/* s is being freed: nothing of the limits may refer to it any more. */
void ag_sbx_forget(struct ag_sandbox *s);

#endif
