/* descriptor_ld.h - internal to the descriptor and inventory loaders
 * (descriptor_load.c, inventory_load.c):
 * the loader state and the helpers that read one node and word every
 * message "NAME:LINE:COL: path: expected WHAT, found WHAT"
 * (descriptor_ld.c).  Not an API for other modules.
 */
#ifndef APGATE_DESCRIPTOR_LD_H
#define APGATE_DESCRIPTOR_LD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "descriptor.h"
#include "yamltree.h"

#define PATH_MAX_LEN 160

struct loader {
	const char *name;
	const char *kind;	/* for messages: NULL = "descriptor" */
	struct ag_error *err;
	struct ag_descriptor *d;
	/* positions for duplicate and membership messages */
	const struct ag_ynode *card_pos[AG_MAX_ID + 1];
	const struct ag_ynode **card_nodes;	/* per card, in file order */
	unsigned char apqn_seen[256 * 256 / 8];	/* queues so far, a bit each */
	const struct ag_ynode **queue_nodes;	/* per queue, file order */
	const struct ag_ynode **guest_nodes;	/* per guest APQN */
};

/* Parse a whole document (descriptor or inventory; what names it in the
 * message for an empty one). */
int ld_parse_document(const char *name, const char *buf, size_t len,
		      const char *what, struct ag_ynode **root,
		      struct ag_error *err);

int ld_fail(struct loader *ld, const struct ag_ynode *n, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* out = "parent[idx]" */
void ld_index(char out[PATH_MAX_LEN], const char *parent, size_t idx);
void ld_join(char out[PATH_MAX_LEN], const char *parent,
		 const char *child);

const char *ld_describe(const struct ag_ynode *n, char *buf, size_t size);

int ld_expected(struct loader *ld, const struct ag_ynode *n,
			 const char *path, const char *what, const char *hint);

int ld_want_map(struct loader *ld, const struct ag_ynode *n,
		    const char *path);

int ld_want_seq(struct loader *ld, const struct ag_ynode *n,
		    const char *path, const char *what);

bool ld_key_is(const struct ag_ynode *k, const char *name);

int ld_check_keys(struct loader *ld, const struct ag_ynode *map,
		      const char *where, const char *const *allowed);

const struct ag_ynode *ld_require(struct loader *ld,
				      const struct ag_ynode *map,
				      const char *key, const char *where);

int ld_get_str(struct loader *ld, const struct ag_ynode *n,
		   const char *path, const char *what, const char **out);

/* A string of at most max bytes (a longer one is refused naming the
 * bound: AG_HOST_MAX, AG_NAME_MAX, AG_REASON_MAX). */
int ld_dup_str(struct loader *ld, const struct ag_ynode *n,
		   const char *path, bool nonempty, size_t max, char **out);

int ld_get_u8(struct loader *ld, const struct ag_ynode *n,
		  const char *path, unsigned *out);

int ld_int_opt(struct loader *ld, const struct ag_ynode *map,
		       const char *key, const char *parent, int *out);

int ld_tri_opt(struct loader *ld, const struct ag_ynode *map,
		       const char *key, const char *parent, enum ag_tri *out);

int ld_str_opt(struct loader *ld, const struct ag_ynode *map,
	       const char *key, const char *parent, size_t max, char **out);

int ld_get_time(struct loader *ld, const struct ag_ynode *n,
		    const char *path, char **out, time_t *t);

int ld_fail_enum(struct loader *ld, const struct ag_ynode *n,
		     const char *path, const char *words);

bool ld_all_hex(const char *s, size_t n);

/* A UUID (upper case accepted), stored lowercase as sysfs and mdevctl
 * print it. */
int ld_get_uuid(struct loader *ld, const struct ag_ynode *v,
		const char *path, char out[AG_UUID_LEN]);

/* --- pieces of descriptor_load.c and descriptor_load_hw.c the inventory
 * loader (inventory_load.c)
 * shares, so that cards, queues, lpar, collected and blocks read and fail
 * alike in both formats.  They fill ld->d; load_card and load_queue need
 * ld->card_nodes / ld->queue_nodes sized for the list. --- */
int load_collected(struct loader *ld, const struct ag_ynode *n);
/* map[key] as a list of IDs 0..255 into set (absent: empty). */
int load_idlist(struct loader *ld, const struct ag_ynode *map,
		const char *parent, const char *key, const char *what,
		struct ag_idset *set);
int load_lpar(struct loader *ld, const struct ag_ynode *n);
int load_card(struct loader *ld, const struct ag_ynode *n, size_t idx);
int load_queue(struct loader *ld, const struct ag_ynode *n, size_t idx);
int ld_block_fields(struct loader *ld, const struct ag_ynode *n,
		    const char *path, struct ag_block *b);
/* Apply load_one to each item of the optional list root[key]. */
int load_list(struct loader *ld, const struct ag_ynode *root,
	      const char *key, const char *what,
	      int (*load_one)(struct loader *, const struct ag_ynode *,
			      size_t));

#endif
