/* sandbox_alloc.c - the memory cap of a sandbox's Lua state, and the free
 * lists that keep Lua's small blocks for reuse (see sandbox_int.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sandbox_int.h"

/* Lua allocates and frees thousands of small blocks per evaluation.
 * Through malloc each cost a fifth of a place run (glibc's per-thread
 * cache keeps only 7 of each size) and a twentieth of a check's start.
 * So the state's small blocks are carved from 64 KiB slabs, rounded up
 * to a 16-byte size class, and a freed one goes on its class's free list
 * to be handed out again: any block of a class fits any request of it.
 * The slabs go back to malloc with the state; the memory cap counts what
 * Lua holds, so what the slabs hold is bounded by the cap's peak.  Not
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
	size_t c = block_class(n), size = (c + 1) * BLOCK_GRAIN;
	struct free_block *b = s->free_blocks[c];
	struct slab *sl;
	void *p;

	if (!BLOCK_CACHE)
		return malloc(size);
	if (b) {
		s->free_blocks[c] = b->next;
		return b;
	}
	if (s->slab_left < size) {
		/* the old slab's tail (under 512 bytes) stays unused */
		sl = malloc(SLAB_BYTES);
		if (!sl)
			return NULL;
		sl->next = s->slabs;
		s->slabs = sl;
		s->slab_next = (char *)(sl + 1);
		s->slab_left = SLAB_BYTES - sizeof(*sl);
	}
	p = s->slab_next;
	s->slab_next += size;
	s->slab_left -= size;
	return p;
}

static void block_put(struct ag_sandbox *s, void *p, size_t n)
{
	size_t c = block_class(n);
	struct free_block *b = p;

	if (!BLOCK_CACHE) {
		free(p);
		return;
	}
	b->next = s->free_blocks[c];
	s->free_blocks[c] = b;
}

void ag_sbx_blocks_free(struct ag_sandbox *s)
{
	while (s->slabs) {
		struct slab *sl = s->slabs;

		s->slabs = sl->next;
		free(sl);
	}
	memset(s->free_blocks, 0, sizeof(s->free_blocks));
	s->slab_next = NULL;
	s->slab_left = 0;
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

void *ag_sbx_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
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
