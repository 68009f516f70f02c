/* inventory_load.c - host inventory files (YAML or JSON) into struct
 * ag_inventory, and the loader for commands that take a descriptor or an
 * inventory.
 *
 * Cards, queues, lpar, collected and the block fields are read by the
 * descriptor loader's own pieces (descriptor_ld.h), so they fail with the
 * same words in both formats.  Messages are
 * "NAME:LINE:COL: [field path: ]what was expected, found what".  An
 * inventory decides where guests may go: nothing is guessed or coerced.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "descriptor_ld.h"
#include "inventory.h"
#include "labels.h"
#include "util.h"
#include "yamltree.h"

/* The descriptor loader's state (first, so load_list callbacks can get
 * back to the inventory) plus what only inventories have. */
struct inv_loader {
	struct loader ld;
	struct ag_inventory *inv;
	const struct ag_ynode **mdev_nodes;	/* uuid node per mdev */
};

static struct inv_loader *inv_of(struct loader *ld)
{
	return (struct inv_loader *)ld;
}

static int load_mdev_item(struct loader *ld, const struct ag_ynode *n,
			  size_t idx)
{
	static const char *const keys[] = {
		"uuid", "type", "state", "adapters", "domains",
		"control_domains", NULL,
	};
	struct inv_loader *il = inv_of(ld);
	char path[PATH_MAX_LEN], fpath[PATH_MAX_LEN], uuid[AG_UUID_LEN];
	const struct ag_ynode *v;
	struct ag_inv_mdev *m;
	const char *s;

	ld_index(path, "mdevs", idx);
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	v = ld_require(ld, n, "uuid", path);
	ld_join(fpath, path, "uuid");
	if (!v || ld_get_uuid(ld, v, fpath, uuid) < 0)
		return -1;
	m = ag_inventory_add_mdev(il->inv, uuid);
	il->mdev_nodes[idx] = v;
	if (ld_str_opt(ld, n, "type", path, AG_NAME_MAX, &m->type) < 0)
		return -1;
	/* planned mdevs exist only in placements, never on a host */
	v = ld_require(ld, n, "state", path);
	ld_join(fpath, path, "state");
	if (!v || ld_get_str(ld, v, fpath, "a string", &s) < 0)
		return -1;
	if (ag_mdev_state_parse(s, &m->state) < 0 ||
	    (m->state != AG_MDEV_ACTIVE && m->state != AG_MDEV_DEFINED))
		return ld_fail_enum(ld, v, fpath, "active, defined");
	return load_idlist(ld, n, path, "adapters", "adapter",
			   &m->adapters) < 0 ||
	       load_idlist(ld, n, path, "domains", "domain",
			   &m->domains) < 0 ||
	       load_idlist(ld, n, path, "control_domains", "control domain",
			   &m->control_domains) < 0 ? -1 : 0;
}

static int load_block_item(struct loader *ld, const struct ag_ynode *n,
			   size_t idx)
{
	static const char *const keys[] = {
		"mdev", "reason", "since", "until", "by", NULL,
	};
	char path[PATH_MAX_LEN], fpath[PATH_MAX_LEN], uuid[AG_UUID_LEN];
	const struct ag_ynode *v;
	struct ag_inv_block *b;

	ld_index(path, "blocks", idx);
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	v = ld_require(ld, n, "mdev", path);
	ld_join(fpath, path, "mdev");
	if (!v || ld_get_uuid(ld, v, fpath, uuid) < 0)
		return -1;
	b = ag_inventory_add_block(inv_of(ld)->inv, uuid, NULL);
	return ld_block_fields(ld, n, path, &b->b);
}

static size_t list_len(const struct ag_ynode *root, const char *key)
{
	const struct ag_ynode *n = ag_ymap_get(root, key);

	return n && n->kind == AG_YSEQ ? n->n : 0;
}

/* A list longer than max is refused before any item is read. */
static int check_len(struct loader *ld, const struct ag_ynode *root,
		     const char *key, size_t max, const char *what)
{
	const struct ag_ynode *n = ag_ymap_get(root, key);

	if (n && n->kind == AG_YSEQ && n->n > max)
		return ld_fail(ld, n, "%s: expected at most %zu %s, found %zu",
			       key, max, what, n->n);
	return 0;
}

static int cmp_mdev_uuid(const void *pa, const void *pb)
{
	return strcmp(((const struct ag_inv_mdev *)pa)->uuid,
		      ((const struct ag_inv_mdev *)pb)->uuid);
}

/* Queue i (file order) has its card, and the mdev it is assigned to is
 * listed and holds it; mdevs is sorted by uuid. */
static int check_queue(struct inv_loader *il, size_t i,
		       const struct ag_inv_mdev *mdevs, size_t n)
{
	const struct ag_queue *q = &il->inv->hw->queues[i];
	const struct ag_inv_mdev *m;
	struct ag_inv_mdev key;
	char apqn[AG_APQN_LEN];

	ag_apqn_format(q->adapter, q->domain, apqn);
	if (!il->ld.card_pos[q->adapter])
		return ld_fail(&il->ld, il->ld.queue_nodes[i], "queues[%zu]: "
			       "queue %s has no card %02x in cards (every queue "
			       "belongs to a card)", i, apqn, q->adapter);
	if (!q->assigned_to[0])
		return 0;
	memcpy(key.uuid, q->assigned_to, sizeof(key.uuid));
	m = n ? bsearch(&key, mdevs, n, sizeof(*mdevs), cmp_mdev_uuid) : NULL;
	if (!m)
		return ld_fail(&il->ld, il->ld.queue_nodes[i], "queues[%zu]: "
			       "queue %s is assigned_to %s, which is not among "
			       "the mdevs", i, apqn, q->assigned_to);
	if (!ag_idset_has(&m->adapters, q->adapter) ||
	    !ag_idset_has(&m->domains, q->domain))
		return ld_fail(&il->ld, il->ld.queue_nodes[i], "queues[%zu]: "
			       "queue %s is assigned_to %s, whose adapters x "
			       "domains do not hold it", i, apqn,
			       q->assigned_to);
	return 0;
}

/* Rules that need the whole file: unique mdevs, every queue's card and
 * assignment. */
static int check_whole(struct inv_loader *il)
{
	const struct ag_inventory *inv = il->inv;
	struct ag_inv_mdev *sorted;
	size_t i, j;
	int rc = 0;

	/* uuids compared in sorted order; positions found afterwards */
	sorted = xcalloc(inv->n_mdevs + 1, sizeof(*sorted));
	/* no mdevs: mdevs is NULL, which memcpy and qsort must not get */
	if (inv->n_mdevs) {
		memcpy(sorted, inv->mdevs, inv->n_mdevs * sizeof(*sorted));
		qsort(sorted, inv->n_mdevs, sizeof(*sorted), cmp_mdev_uuid);
	}
	for (i = 1; i < inv->n_mdevs && rc == 0; i++) {
		const struct ag_ynode *first = NULL;

		if (strcmp(sorted[i].uuid, sorted[i - 1].uuid))
			continue;
		for (j = 0; j < inv->n_mdevs; j++) {
			if (strcmp(inv->mdevs[j].uuid, sorted[i].uuid))
				continue;
			if (!first) {
				first = il->mdev_nodes[j];
				continue;
			}
			rc = ld_fail(&il->ld, il->mdev_nodes[j], "mdevs[%zu].uuid: "
				     "mdev %s is listed twice (first at line %u, "
				     "column %u)", j, inv->mdevs[j].uuid,
				     first->line, first->col);
			break;
		}
	}
	for (i = 0; i < inv->hw->n_queues && rc == 0; i++)
		rc = check_queue(il, i, sorted, inv->n_mdevs);
	free(sorted);
	return rc;
}

static int load_root(struct inv_loader *il, const struct ag_ynode *root)
{
	static const char *const keys[] = {
		"apgate-inventory", "host", "host_labels", "collected", "lpar",
		"cards", "queues", "mdevs", "blocks", NULL,
	};
	struct loader *ld = &il->ld;
	const struct ag_ynode *v;
	int64_t version;

	if (root->kind != AG_YMAP)
		return ld_expected(ld, root, "inventory", "a mapping", NULL);
	v = ld_require(ld, root, "apgate-inventory", "the inventory");
	if (!v)
		return -1;
	if (ag_yint(v, &version) < 0)
		return ld_expected(ld, v, "apgate-inventory", "the integer 1",
				   NULL);
	if (version != AG_INVENTORY_VERSION)
		return ld_fail(ld, v, "unsupported inventory version %s, this "
			       "apgate reads %d", v->value,
			       AG_INVENTORY_VERSION);
	if (ld_check_keys(ld, root, "the inventory", keys) < 0)
		return -1;
	v = ld_require(ld, root, "host", "the inventory");
	if (!v || ld_dup_str(ld, v, "host", true, AG_HOST_MAX,
			     &ld->d->host) < 0)
		return -1;
	v = ag_ymap_get(root, "host_labels");
	if (v && ag_labels_from_ynode(ld->name, "host_labels", v,
				      &ld->d->host_labels, ld->err) < 0)
		return -1;
	v = ag_ymap_get(root, "collected");
	if (v && load_collected(ld, v) < 0)
		return -1;
	v = ag_ymap_get(root, "lpar");
	if (v && load_lpar(ld, v) < 0)
		return -1;
	if (check_len(ld, root, "mdevs", AG_INVENTORY_MAX_MDEVS, "mdevs") < 0 ||
	    check_len(ld, root, "blocks", AG_INVENTORY_MAX_BLOCKS,
		      "blocks") < 0)
		return -1;
	ld->card_nodes = xcalloc(list_len(root, "cards") + 1,
				 sizeof(*ld->card_nodes));
	ld->queue_nodes = xcalloc(list_len(root, "queues") + 1,
				  sizeof(*ld->queue_nodes));
	il->mdev_nodes = xcalloc(list_len(root, "mdevs") + 1,
				 sizeof(*il->mdev_nodes));
	if (load_list(ld, root, "cards", "a list of cards", load_card) < 0 ||
	    load_list(ld, root, "queues", "a list of queues",
		      load_queue) < 0 ||
	    load_list(ld, root, "mdevs", "a list of mdevs",
		      load_mdev_item) < 0 ||
	    load_list(ld, root, "blocks", "a list of blocks",
		      load_block_item) < 0)
		return -1;
	return check_whole(il);
}

static int from_tree(const char *name, const struct ag_ynode *root,
		     struct ag_inventory **out, struct ag_error *err)
{
	struct inv_loader il;
	int rc;

	memset(&il, 0, sizeof(il));
	*out = NULL;
	il.ld.name = name;
	il.ld.kind = "inventory";
	il.ld.err = err;
	il.inv = ag_inventory_new();
	il.ld.d = il.inv->hw;
	rc = load_root(&il, root);
	if (rc == 0) {
		ag_inventory_normalize(il.inv);
		/* keeps the loader's and the model's rules from drifting */
		rc = ag_inventory_check(il.inv, name, err);
	}
	if (rc == 0)
		*out = il.inv;
	else
		ag_inventory_free(il.inv);
	free(il.ld.card_nodes);
	free(il.ld.queue_nodes);
	free(il.ld.guest_nodes);
	free(il.mdev_nodes);
	return rc;
}

/* Parse; an empty document is named as such rather than "expected a
 * mapping, found null". */
int ag_inventory_load_buffer(const char *name, const char *buf, size_t len,
			     struct ag_inventory **out, struct ag_error *err)
{
	struct ag_ynode *root;
	int rc;

	*out = NULL;
	if (ld_parse_document(name, buf, len, "a host inventory (a mapping "
			      "with apgate-inventory: 1)", &root, err) < 0)
		return -1;
	rc = from_tree(name, root, out, err);
	ag_ynode_free(root);
	return rc;
}

int ag_inventory_load_file(const char *path, struct ag_inventory **out,
			   struct ag_error *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (ag_read_input(path, AG_INVENTORY_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	rc = ag_inventory_load_buffer(strcmp(path, "-") ? path : "<stdin>",
				      buf, len, out, err);
	free(buf);
	return rc;
}

int ag_document_load_file(const char *path, struct ag_descriptor **desc,
			  struct ag_inventory **inv, struct ag_error *err)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct ag_ynode *root;
	char *buf;
	size_t len;
	int rc;

	*desc = NULL;
	*inv = NULL;
	if (ag_read_input(path, AG_INVENTORY_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	/* only the inventory key makes an inventory: everything else keeps
	 * the descriptor loader's messages and bound */
	if (ld_parse_document(name, buf, len, "an AP descriptor (a mapping "
			      "with apgate-descriptor: 1)", &root, err) < 0) {
		free(buf);
		return -1;
	}
	if (ag_ymap_get(root, "apgate-inventory") &&
	    !ag_ymap_get(root, "apgate-descriptor")) {
		rc = from_tree(name, root, inv, err);
	} else if (len > AG_DESCRIPTOR_MAX_BYTES) {
		ag_error_set(err, "%s: larger than the limit of %zu bytes",
			     name, (size_t)AG_DESCRIPTOR_MAX_BYTES);
		rc = -1;
	} else {
		rc = ag_descriptor_from_tree(name, root, desc, err);
	}
	ag_ynode_free(root);
	free(buf);
	return rc;
}
