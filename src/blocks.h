/* blocks.h - userspace migration blocks kept on this host.
 *
 * "Do not migrate this guest now" (a master-key change, a card swap) is an
 * orchestration decision, not a kernel attribute.  Blocks live in
 * STATE_DIR/blocks.json, changed under a lock and written atomically; a
 * block whose `until` has passed is ignored.  `export` puts the source's
 * active blocks into the descriptor and the hook adds the target's, so the
 * migration.blocked rule sees both.
 */
#ifndef APGATE_BLOCKS_H
#define APGATE_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "descriptor.h"
#include "error.h"
#include "timeutil.h"

#define AG_BLOCKS_FILE "blocks.json"
#define AG_BLOCKS_FORMAT_VERSION 1

struct ag_block_entry {
	char uuid[AG_UUID_LEN];		/* the mdev */
	char *reason;
	char since[AG_TIME_LEN];
	char until[AG_TIME_LEN];	/* "" = until lifted */
	char *by;
};

struct ag_blockstore {
	struct ag_block_entry *items;
	size_t n, cap;
};

void ag_blockstore_free(struct ag_blockstore *bs);

/* Read the blocks of state_dir (a missing file is no blocks). */
int ag_blocks_load(const char *state_dir, struct ag_blockstore *bs,
		   struct ag_error *err);

/* Add a block (locked read-modify-write). */
int ag_blocks_add(const char *state_dir, const struct ag_block_entry *b,
		  struct ag_error *err);

/* Remove every block of uuid; *removed counts them. */
int ag_blocks_remove(const char *state_dir, const char *uuid, size_t *removed,
		     struct ag_error *err);

/* In force at now: started and not yet ended. */
bool ag_block_active(const struct ag_block_entry *b, time_t now);

/* Add the blocks of uuid in force at now to d's blocks. */
void ag_blocks_apply(const struct ag_blockstore *bs, const char *uuid,
		     time_t now, struct ag_descriptor *d);

/* An end time: RFC 3339, or "+N" with unit s, m, h or d from now. */
int ag_parse_until(const char *s, time_t now, time_t *out);

#endif
