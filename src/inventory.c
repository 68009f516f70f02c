/* inventory.c - the host inventory model: lifecycle, canonical order,
 * semantic checks and lookups (see inventory.h).
 *
 * The loader (inventory_load.c) reports problems with file positions; the
 * checks here hold for inventories from any producer (the loader, `collect
 * --inventory`) and are the safety net behind the loader.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "labels.h"
#include "util.h"

struct ag_inventory *ag_inventory_new(void)
{
	struct ag_inventory *inv = xcalloc(1, sizeof(*inv));

	inv->version = AG_INVENTORY_VERSION;
	inv->hw = ag_descriptor_new();
	return inv;
}

void ag_inventory_free(struct ag_inventory *inv)
{
	size_t i;

	if (!inv)
		return;
	ag_descriptor_free(inv->hw);
	for (i = 0; i < inv->n_mdevs; i++)
		free(inv->mdevs[i].type);
	for (i = 0; i < inv->n_blocks; i++) {
		free(inv->blocks[i].b.reason);
		free(inv->blocks[i].b.since);
		free(inv->blocks[i].b.until);
		free(inv->blocks[i].b.by);
	}
	free(inv->mdevs);
	free(inv->blocks);
	free(inv);
}

/* Capacity is not stored: grow to the next power of two when n reaches
 * one (n = 0, 1, 2, 4, 8 ...). */
static void *grow_one(void *p, size_t n, size_t sz)
{
	if (n == 0 || (n & (n - 1)) == 0)
		p = xrealloc(p, (n ? n * 2 : 1) * sz);
	return p;
}

static void copy_uuid(char out[AG_UUID_LEN], const char *uuid)
{
	size_t i;

	for (i = 0; uuid && uuid[i] && i < AG_UUID_LEN - 1; i++)
		out[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ?
				uuid[i] - 'A' + 'a' : uuid[i]);
	out[i] = '\0';
}

struct ag_inv_mdev *ag_inventory_add_mdev(struct ag_inventory *inv,
					  const char *uuid)
{
	struct ag_inv_mdev *m;

	inv->mdevs = grow_one(inv->mdevs, inv->n_mdevs, sizeof(*inv->mdevs));
	m = &inv->mdevs[inv->n_mdevs++];
	memset(m, 0, sizeof(*m));
	copy_uuid(m->uuid, uuid);
	return m;
}

struct ag_inv_block *ag_inventory_add_block(struct ag_inventory *inv,
					    const char *mdev,
					    const char *reason)
{
	struct ag_inv_block *b;

	inv->blocks = grow_one(inv->blocks, inv->n_blocks,
			       sizeof(*inv->blocks));
	b = &inv->blocks[inv->n_blocks++];
	memset(b, 0, sizeof(*b));
	copy_uuid(b->mdev, mdev);
	b->b.reason = reason ? xstrdup(reason) : NULL;
	return b;
}

/* NULL (unset) sorts first. */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b ? 0 : !a ? -1 : 1;
	return strcmp(a, b);
}

static int cmp_mdev(const void *pa, const void *pb)
{
	const struct ag_inv_mdev *a = pa, *b = pb;

	return strcmp(a->uuid, b->uuid);
}

/* A total order, so that qsort (not stable) is deterministic. */
static int cmp_block(const void *pa, const void *pb)
{
	const struct ag_inv_block *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->mdev, b->mdev)) ||
	    (c = cmp_str(a->b.since, b->b.since)) ||
	    (c = cmp_str(a->b.reason, b->b.reason)) ||
	    (c = cmp_str(a->b.until, b->b.until)))
		return c;
	return cmp_str(a->b.by, b->b.by);
}

void ag_inventory_normalize(struct ag_inventory *inv)
{
	ag_descriptor_normalize(inv->hw);
	if (inv->n_mdevs > 1)
		qsort(inv->mdevs, inv->n_mdevs, sizeof(*inv->mdevs), cmp_mdev);
	if (inv->n_blocks > 1)
		qsort(inv->blocks, inv->n_blocks, sizeof(*inv->blocks),
		      cmp_block);
}

/* --- checks --- */

static int check_hw(const struct ag_descriptor *hw, const char *name,
		    struct ag_error *err)
{
	char apqn[AG_APQN_LEN];
	size_t i;

	for (i = 1; i < hw->n_cards; i++)
		if (hw->cards[i].adapter == hw->cards[i - 1].adapter) {
			ag_error_set(err, "%s: card %02x is listed twice", name,
				     hw->cards[i].adapter);
			return -1;
		}
	for (i = 0; i < hw->n_queues; i++) {
		const struct ag_queue *q = &hw->queues[i];

		ag_apqn_format(q->adapter, q->domain, apqn);
		if (i && q->adapter == q[-1].adapter &&
		    q->domain == q[-1].domain) {
			ag_error_set(err, "%s: queue %s is listed twice", name,
				     apqn);
			return -1;
		}
		/* sysfs has no queue without its card */
		if (!ag_descriptor_card(hw, q->adapter)) {
			ag_error_set(err, "%s: queue %s has no card %02x in "
				     "cards", name, apqn, q->adapter);
			return -1;
		}
	}
	return 0;
}

static int check_mdevs(const struct ag_inventory *inv, const char *name,
		       struct ag_error *err)
{
	size_t i;

	for (i = 0; i < inv->n_mdevs; i++) {
		const struct ag_inv_mdev *m = &inv->mdevs[i];

		if (!ag_uuid_valid(m->uuid, false)) {
			ag_error_set(err, "%s: mdev uuid \"%s\" is not a "
				     "lowercase UUID", name, m->uuid);
			return -1;
		}
		if (i && strcmp(m->uuid, m[-1].uuid) == 0) {
			ag_error_set(err, "%s: mdev %s is listed twice", name,
				     m->uuid);
			return -1;
		}
		if (m->state != AG_MDEV_ACTIVE && m->state != AG_MDEV_DEFINED) {
			ag_error_set(err, "%s: mdev %s: state must be active or "
				     "defined", name, m->uuid);
			return -1;
		}
	}
	for (i = 0; i < inv->hw->n_queues; i++) {
		const struct ag_queue *q = &inv->hw->queues[i];
		const struct ag_inv_mdev *m;
		char apqn[AG_APQN_LEN];

		if (!q->assigned_to[0])
			continue;
		m = ag_inventory_mdev(inv, q->assigned_to);
		if (m && ag_idset_has(&m->adapters, q->adapter) &&
		    ag_idset_has(&m->domains, q->domain))
			continue;
		ag_apqn_format(q->adapter, q->domain, apqn);
		ag_error_set(err, "%s: queue %s is assigned_to %s, which does "
			     "not hold it", name, apqn, q->assigned_to);
		return -1;
	}
	for (i = 0; i < inv->n_blocks; i++) {
		const struct ag_inv_block *b = &inv->blocks[i];

		if (!ag_uuid_valid(b->mdev, false) || !b->b.reason ||
		    !*b->b.reason) {
			ag_error_set(err, "%s: a block needs a lowercase mdev "
				     "UUID and a reason", name);
			return -1;
		}
	}
	return 0;
}

int ag_inventory_check(const struct ag_inventory *inv, const char *name,
		       struct ag_error *err)
{
	if (inv->version != AG_INVENTORY_VERSION) {
		ag_error_set(err, "%s: unsupported inventory version %d, this "
			     "apgate reads %d", name, inv->version,
			     AG_INVENTORY_VERSION);
		return -1;
	}
	if (!inv->hw->host || !*inv->hw->host) {
		ag_error_set(err, "%s: host is missing", name);
		return -1;
	}
	if (inv->n_mdevs > AG_INVENTORY_MAX_MDEVS) {
		ag_error_set(err, "%s: more than %d mdevs", name,
			     AG_INVENTORY_MAX_MDEVS);
		return -1;
	}
	if (inv->n_blocks > AG_INVENTORY_MAX_BLOCKS) {
		ag_error_set(err, "%s: more than %d blocks", name,
			     AG_INVENTORY_MAX_BLOCKS);
		return -1;
	}
	if (ag_labels_check(&inv->hw->host_labels, name, err) < 0 ||
	    check_hw(inv->hw, name, err) < 0 ||
	    check_mdevs(inv, name, err) < 0)
		return -1;
	return 0;
}

/* --- lookups --- */

const struct ag_inv_mdev *ag_inventory_mdev(const struct ag_inventory *inv,
					    const char *uuid)
{
	struct ag_inv_mdev key;

	if (!uuid || strlen(uuid) >= AG_UUID_LEN)
		return NULL;
	copy_uuid(key.uuid, uuid);
	return inv->n_mdevs ? bsearch(&key, inv->mdevs, inv->n_mdevs,
				      sizeof(*inv->mdevs), cmp_mdev) : NULL;
}

const struct ag_queue *ag_inventory_queue(const struct ag_inventory *inv,
					  unsigned adapter, unsigned domain)
{
	return ag_descriptor_queue(inv->hw, adapter, domain);
}

const struct ag_card *ag_inventory_card(const struct ag_inventory *inv,
					unsigned adapter)
{
	return ag_descriptor_card(inv->hw, adapter);
}
