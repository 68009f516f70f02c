/* inventory.h - the host inventory (format v1): everything one host offers
 * to vfio-ap guests, as one document: its cards and queues (with driver
 * and the mdev each queue is assigned to), its vfio_ap mdevs, its LPAR
 * masks and the migration blocks in force.
 *
 * Owns the inventory model, its lifecycle, canonical order, semantic
 * checks and lookups (inventory.c), the strict loader (inventory_load.c)
 * and the JSON/YAML writers (inventory_emit.c).  The host's hardware is
 * kept in the descriptor's own types (inv->hw) so that cards and queues
 * load, print and compare exactly as in descriptors; building a target
 * descriptor from an inventory belongs to `apgate place`.
 *
 * Invariants after ag_inventory_normalize(): cards sorted by adapter,
 * queues by (adapter, domain), mdevs by uuid, blocks by (mdev, since,
 * reason); no duplicates.
 */
#ifndef APGATE_INVENTORY_H
#define APGATE_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "descriptor.h"
#include "error.h"

#define AG_INVENTORY_VERSION 1
/* Largest inventory file accepted: a full 256 x 256 host without master
 * keys is about 10 MiB of YAML; the node bound of yamltree.h stops a
 * pathological one earlier. */
#define AG_INVENTORY_MAX_BYTES (32u * 1024 * 1024)
/* More mdevs or blocks than any host runs: an inventory near these is
 * not an inventory (and would be copied into every placement pair). */
#define AG_INVENTORY_MAX_MDEVS 4096
#define AG_INVENTORY_MAX_BLOCKS 4096

struct ag_inv_mdev {
	char uuid[AG_UUID_LEN];		/* lowercase */
	char *type;			/* NULL unset */
	enum ag_mdev_state state;	/* AG_MDEV_ACTIVE or AG_MDEV_DEFINED */
	struct ag_idset adapters, domains, control_domains;
};

struct ag_inv_block {
	char mdev[AG_UUID_LEN];		/* the blocked mdev, lowercase */
	struct ag_block b;
};

struct ag_inventory {
	int version;			/* AG_INVENTORY_VERSION */
	/* host, host_labels, collected, lpar, cards and queues (queues
	 * carry driver and assigned_to); hw->mdev, hw->guest and hw->blocks
	 * stay unset. */
	struct ag_descriptor *hw;
	struct ag_inv_mdev *mdevs;
	size_t n_mdevs;
	struct ag_inv_block *blocks;
	size_t n_blocks;
};

/* --- model (inventory.c) --- */
struct ag_inventory *ag_inventory_new(void);
void ag_inventory_free(struct ag_inventory *inv);
/* Append an mdev / a block (all unset but the given keys); returns it. */
struct ag_inv_mdev *ag_inventory_add_mdev(struct ag_inventory *inv,
					  const char *uuid);
struct ag_inv_block *ag_inventory_add_block(struct ag_inventory *inv,
					    const char *mdev,
					    const char *reason);
void ag_inventory_normalize(struct ag_inventory *inv);
/* Rules for every inventory, whatever produced it: host set, no duplicate
 * card, queue or mdev, every queue's card listed, mdev states active or
 * defined, every queue's assigned_to naming a listed mdev whose adapters x
 * domains hold that queue, bounds.  name prefixes messages. */
int ag_inventory_check(const struct ag_inventory *inv, const char *name,
		       struct ag_error *err);

/* --- lookups (inventory.c); inv must be normalised --- */
const struct ag_inv_mdev *ag_inventory_mdev(const struct ag_inventory *inv,
					    const char *uuid);
const struct ag_queue *ag_inventory_queue(const struct ag_inventory *inv,
					  unsigned adapter, unsigned domain);
const struct ag_card *ag_inventory_card(const struct ag_inventory *inv,
					unsigned adapter);

/* --- loading (inventory_load.c) --- */
/* An inventory file ("-" = stdin), YAML or JSON; violations are reported
 * as "FILE:LINE:COL: path: expected ...". */
int ag_inventory_load_file(const char *path, struct ag_inventory **out,
			   struct ag_error *err);
int ag_inventory_load_buffer(const char *name, const char *buf, size_t len,
			     struct ag_inventory **out, struct ag_error *err);

/* A descriptor or an inventory, told apart by the version key at the top
 * (apgate-descriptor or apgate-inventory): exactly one of *desc and *inv
 * is set on success.  For commands that take either (validate, show). */
int ag_document_load_file(const char *path, struct ag_descriptor **desc,
			  struct ag_inventory **inv, struct ag_error *err);

/* --- serialising (inventory_emit.c) --- */
/* JSON with every object's keys sorted, lists in canonical order, unset
 * fields omitted.  Caller owns the reference. */
json_object *ag_inventory_to_json(const struct ag_inventory *inv);
/* YAML in the documented key order, through libyaml's emitter. */
int ag_inventory_emit_yaml(const struct ag_inventory *inv, FILE *out,
			   struct ag_error *err);

#endif
