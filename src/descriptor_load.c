/* descriptor_load.c - AP descriptor files (YAML or JSON) into struct
 * ag_descriptor.
 *
 * Owns the mapping from the node tree (yamltree.c) to the data model
 * (cards and queues: descriptor_load_hw.c); descriptor_ld.c reads single
 * nodes and words the messages.  Each
 * message is
 * "NAME:LINE:COL: [field path: ]what was expected, found what", pointing
 * at the offending node, so that an operator can fix the file without
 * reading code.  Descriptors are security input (they decide whether a
 * migration proceeds): nothing is guessed, coerced or silently ignored.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "timeutil.h"
#include "util.h"
#include "descriptor_ld.h"
#include "yamltree.h"

/* --- sections --- */

int load_collected(struct loader *ld, const struct ag_ynode *n)
{
	static const char *const keys[] = { "at", "from", "tool", NULL };
	struct ag_descriptor *d = ld->d;
	const struct ag_ynode *v;
	const char *s;
	time_t t;

	if (ld_want_map(ld, n, "collected") < 0 ||
	    ld_check_keys(ld, n, "collected", keys) < 0)
		return -1;
	v = ag_ymap_get(n, "at");
	if (v && ld_get_time(ld, v, "collected.at", &d->collected.at, &t) < 0)
		return -1;
	v = ag_ymap_get(n, "from");
	if (v) {
		if (ld_get_str(ld, v, "collected.from", "a string", &s) < 0)
			return -1;
		if (ag_collected_from_parse(s, &d->collected.from) < 0)
			return ld_fail_enum(ld, v, "collected.from",
					 "sysfs, mdevctl, guest, file");
	}
	return ld_str_opt(ld, n, "tool", "collected", AG_NAME_MAX,
			  &d->collected.tool);
}

int load_idlist(struct loader *ld, const struct ag_ynode *map,
		       const char *parent, const char *key, const char *what,
		       struct ag_idset *set)
{
	const struct ag_ynode *n = ag_ymap_get(map, key);
	const struct ag_ynode *first[AG_MAX_ID + 1];
	char base[PATH_MAX_LEN], path[PATH_MAX_LEN];
	size_t i;

	ag_idset_clear(set);
	if (!n)
		return 0;
	ld_join(base, parent, key);
	if (ld_want_seq(ld, n, base, "a list of integers 0..255") < 0)
		return -1;
	memset(first, 0, sizeof(first));
	for (i = 0; i < n->n; i++) {
		const struct ag_ynode *it = n->items[i];
		unsigned id;

		ld_index(path, base, i);
		if (ld_get_u8(ld, it, path, &id) < 0)
			return -1;
		if (first[id])
			return ld_fail(ld, it, "%s: %s %s is listed twice (first "
				    "at line %u, column %u)", path, what,
				    it->value, first[id]->line,
				    first[id]->col);
		first[id] = it;
		ag_idset_add(set, id);
	}
	return 0;
}

/* mdev.guest_apqns: APQN strings, each once; membership in adapters x
 * domains is checked with the rest of the file (check_membership). */
static int load_guest_apqns(struct loader *ld, const struct ag_ynode *n)
{
	const char *what = "an APQN string like \"05.0004\"";
	char path[PATH_MAX_LEN];
	const struct ag_ynode **first;
	size_t i;
	int rc = 0;

	if (ld_want_seq(ld, n, "mdev.guest_apqns", "a list of APQN strings") < 0)
		return -1;
	first = xcalloc(256 * 256, sizeof(*first));
	ld->d->mdev.has_guest_apqns = true;
	for (i = 0; i < n->n && rc == 0; i++) {
		const struct ag_ynode *it = n->items[i];
		unsigned a, dom;
		const char *s;

		ld_index(path, "mdev.guest_apqns", i);
		if (ld_get_str(ld, it, path, what, &s) < 0) {
			rc = -1;
		} else if (ag_apqn_parse(s, &a, &dom) < 0) {
			rc = ld_expected(ld, it, path, what, NULL);
		} else if (first[a * 256 + dom]) {
			rc = ld_fail(ld, it, "%s: APQN %s is listed twice (first "
				  "at line %u, column %u)", path, s,
				  first[a * 256 + dom]->line,
				  first[a * 256 + dom]->col);
		} else {
			first[a * 256 + dom] = it;
			ag_descriptor_add_guest_apqn(ld->d, a, dom);
			ld->guest_nodes = xrealloc(ld->guest_nodes,
				ld->d->mdev.n_guest_apqns *
				sizeof(*ld->guest_nodes));
			ld->guest_nodes[ld->d->mdev.n_guest_apqns - 1] = it;
		}
	}
	free(first);
	return rc;
}

static int load_mdev(struct loader *ld, const struct ag_ynode *n)
{
	static const char *const keys[] = {
		"uuid", "type", "state", "adapters", "domains",
		"control_domains", "guest_apqns", NULL,
	};
	struct ag_descriptor *d = ld->d;
	const struct ag_ynode *v;
	const char *s;

	if (ld_want_map(ld, n, "mdev") < 0 || ld_check_keys(ld, n, "mdev", keys) < 0)
		return -1;
	v = ld_require(ld, n, "uuid", "mdev");
	if (!v || ld_get_uuid(ld, v, "mdev.uuid", d->mdev.uuid) < 0)
		return -1;
	if (ld_str_opt(ld, n, "type", "mdev", AG_NAME_MAX, &d->mdev.type) < 0)
		return -1;
	v = ag_ymap_get(n, "state");
	if (v) {
		if (ld_get_str(ld, v, "mdev.state", "a string", &s) < 0)
			return -1;
		if (ag_mdev_state_parse(s, &d->mdev.state) < 0)
			return ld_fail_enum(ld, v, "mdev.state",
					 "active, defined, planned");
	}
	if (load_idlist(ld, n, "mdev", "adapters", "adapter",
			&d->mdev.adapters) < 0 ||
	    load_idlist(ld, n, "mdev", "domains", "domain",
			&d->mdev.domains) < 0 ||
	    load_idlist(ld, n, "mdev", "control_domains", "control domain",
			&d->mdev.control_domains) < 0)
		return -1;
	v = ag_ymap_get(n, "guest_apqns");
	return v ? load_guest_apqns(ld, v) : 0;
}

int load_lpar(struct loader *ld, const struct ag_ynode *n)
{
	static const char *const keys[] = {
		"adapters", "usage_domains", "control_domains", NULL,
	};
	struct ag_descriptor *d = ld->d;

	if (ld_want_map(ld, n, "lpar") < 0 || ld_check_keys(ld, n, "lpar", keys) < 0)
		return -1;
	d->lpar.present = true;
	return load_idlist(ld, n, "lpar", "adapters", "adapter",
			   &d->lpar.adapters) < 0 ||
	       load_idlist(ld, n, "lpar", "usage_domains", "usage domain",
			   &d->lpar.usage_domains) < 0 ||
	       load_idlist(ld, n, "lpar", "control_domains", "control domain",
			   &d->lpar.control_domains) < 0 ? -1 : 0;
}

static int load_guest(struct loader *ld, const struct ag_ynode *n)
{
	static const char *const keys[] = { "secure_execution", NULL };

	if (ld_want_map(ld, n, "guest") < 0 ||
	    ld_check_keys(ld, n, "guest", keys) < 0)
		return -1;
	return ld_tri_opt(ld, n, "secure_execution", "guest",
			   &ld->d->guest.secure_execution);
}

static int load_block(struct loader *ld, const struct ag_ynode *n,
		      size_t idx)
{
	static const char *const keys[] = {
		"reason", "since", "until", "by", NULL,
	};
	char path[PATH_MAX_LEN];

	ld_index(path, "blocks", idx);
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	return ld_block_fields(ld, n, path,
			       ag_descriptor_add_block(ld->d, NULL));
}

/* reason, since, until and by of a block mapping whose keys the caller
 * has checked (the inventory's blocks also name their mdev). */
int ld_block_fields(struct loader *ld, const struct ag_ynode *n,
		    const char *path, struct ag_block *b)
{
	char fpath[PATH_MAX_LEN];
	const struct ag_ynode *v = ld_require(ld, n, "reason", path);
	time_t since = 0, until = 0;

	if (!v)
		return -1;
	ld_join(fpath, path, "reason");
	if (ld_dup_str(ld, v, fpath, true, AG_REASON_MAX, &b->reason) < 0)
		return -1;
	v = ag_ymap_get(n, "since");
	ld_join(fpath, path, "since");
	if (v && ld_get_time(ld, v, fpath, &b->since, &since) < 0)
		return -1;
	v = ag_ymap_get(n, "until");
	ld_join(fpath, path, "until");
	if (v && ld_get_time(ld, v, fpath, &b->until, &until) < 0)
		return -1;
	if (b->since && b->until && until <= since)
		return ld_fail(ld, v, "%s: must be later than since (%s)", fpath,
			    b->since);
	return ld_str_opt(ld, n, "by", path, AG_NAME_MAX, &b->by);
}

/* Apply load_one to each item of an optional top-level list. */
int load_list(struct loader *ld, const struct ag_ynode *root,
		     const char *key, const char *what,
		     int (*load_one)(struct loader *, const struct ag_ynode *,
				     size_t))
{
	const struct ag_ynode *n = ag_ymap_get(root, key);
	size_t i;

	if (!n)
		return 0;
	if (ld_want_seq(ld, n, key, what) < 0)
		return -1;
	for (i = 0; i < n->n; i++)
		if (load_one(ld, n->items[i], i) < 0)
			return -1;
	return 0;
}

/* Membership rules need the whole file: cards may precede mdev. */
static int check_membership(struct loader *ld)
{
	const struct ag_descriptor *d = ld->d;
	size_t i;

	for (i = 0; i < d->n_cards; i++)
		if (!ag_idset_has(&d->mdev.adapters, d->cards[i].adapter))
			return ld_fail(ld, ld->card_nodes[i], "card %02x is not "
				    "among the mdev's adapters",
				    d->cards[i].adapter);
	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];
		char apqn[AG_APQN_LEN];

		if (ag_idset_has(&d->mdev.adapters, q->adapter) &&
		    ag_idset_has(&d->mdev.domains, q->domain))
			continue;
		ag_apqn_format(q->adapter, q->domain, apqn);
		return ld_fail(ld, ld->queue_nodes[i], "queue %s is not in the "
			    "mdev's adapters x domains", apqn);
	}
	for (i = 0; i < d->mdev.n_guest_apqns; i++) {
		unsigned v = d->mdev.guest_apqns[i];
		char apqn[AG_APQN_LEN];

		if (ag_idset_has(&d->mdev.adapters, v / 256) &&
		    ag_idset_has(&d->mdev.domains, v % 256))
			continue;
		ag_apqn_format(v / 256, v % 256, apqn);
		return ld_fail(ld, ld->guest_nodes[i], "mdev.guest_apqns: %s is "
			    "not in the mdev's adapters x domains (the guest "
			    "matrix is the assignment filtered)", apqn);
	}
	return 0;
}

static size_t list_len(const struct ag_ynode *root, const char *key)
{
	const struct ag_ynode *n = ag_ymap_get(root, key);

	return n && n->kind == AG_YSEQ ? n->n : 0;
}

static int load_root(struct loader *ld, const struct ag_ynode *root)
{
	static const char *const keys[] = {
		"apgate-descriptor", "host", "host_labels", "collected",
		"mdev", "lpar", "guest", "cards", "queues", "blocks", NULL,
	};
	const struct ag_ynode *v;
	int64_t version;

	if (root->kind != AG_YMAP)
		return ld_expected(ld, root, "descriptor", "a mapping",
				     NULL);
	/* the version first: a newer format may add keys we do not know */
	v = ld_require(ld, root, "apgate-descriptor", "the descriptor");
	if (!v)
		return -1;
	if (ag_yint(v, &version) < 0)
		return ld_expected(ld, v, "apgate-descriptor",
				     "the integer 1", NULL);
	if (version != AG_DESCRIPTOR_VERSION)
		return ld_fail(ld, v, "unsupported descriptor version %s, this "
			    "apgate reads %d", v->value,
			    AG_DESCRIPTOR_VERSION);
	ld->d->version = AG_DESCRIPTOR_VERSION;
	if (ld_check_keys(ld, root, "the descriptor", keys) < 0)
		return -1;
	v = ld_require(ld, root, "host", "the descriptor");
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
	v = ld_require(ld, root, "mdev", "the descriptor");
	if (!v || load_mdev(ld, v) < 0)
		return -1;
	v = ag_ymap_get(root, "lpar");
	if (v && load_lpar(ld, v) < 0)
		return -1;
	v = ag_ymap_get(root, "guest");
	if (v && load_guest(ld, v) < 0)
		return -1;
	ld->card_nodes = xcalloc(list_len(root, "cards") + 1,
				 sizeof(*ld->card_nodes));
	ld->queue_nodes = xcalloc(list_len(root, "queues") + 1,
				  sizeof(*ld->queue_nodes));
	if (load_list(ld, root, "cards", "a list of cards", load_card) < 0 ||
	    load_list(ld, root, "queues", "a list of queues",
		      load_queue) < 0 ||
	    load_list(ld, root, "blocks", "a list of blocks",
		      load_block) < 0)
		return -1;
	return check_membership(ld);
}

int ag_descriptor_from_tree(const char *name, const struct ag_ynode *root,
			    struct ag_descriptor **out, struct ag_error *err)
{
	struct loader *ld = xcalloc(1, sizeof(*ld));
	int rc;

	*out = NULL;
	ld->name = name;
	ld->err = err;
	ld->d = ag_descriptor_new();
	rc = load_root(ld, root);
	if (rc == 0) {
		ag_descriptor_normalize(ld->d);
		/* the loader's own checks should have caught everything;
		 * this keeps the two rule sets from drifting apart */
		rc = ag_descriptor_check(ld->d, name, err);
	}
	if (rc == 0)
		*out = ld->d;
	else
		ag_descriptor_free(ld->d);
	free(ld->card_nodes);
	free(ld->queue_nodes);
	free(ld->guest_nodes);
	free(ld);
	return rc;
}

int ag_descriptor_load_buffer(const char *name, const char *buf, size_t len,
			      struct ag_descriptor **out, struct ag_error *err)
{
	struct ag_ynode *root;
	int rc;

	*out = NULL;
	if (ld_parse_document(name, buf, len, "an AP descriptor (a mapping "
			      "with apgate-descriptor: 1)", &root, err) < 0)
		return -1;
	rc = ag_descriptor_from_tree(name, root, out, err);
	ag_ynode_free(root);
	return rc;
}

int ag_descriptor_load_file(const char *path, struct ag_descriptor **out,
			    struct ag_error *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (ag_read_input(path, AG_DESCRIPTOR_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	rc = ag_descriptor_load_buffer(strcmp(path, "-") ? path : "<stdin>",
				       buf, len, out, err);
	free(buf);
	return rc;
}
