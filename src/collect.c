/* collect.c - live AP descriptors (collect.h): which source to read
 * (sysfs for an active mdev, its mdevctl definition otherwise), the
 * collection record, declared or guest master keys, and the clear errors
 * for hosts without what is needed; and the whole host as an inventory.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "apbus.h"
#include "blocks.h"
#include "collect.h"
#include "inventory.h"
#include "mdevctl.h"
#include "timeutil.h"
#include "util.h"

static const char *mdevctl_dir;		/* NULL: AG_MDEVCTL_DIR */

void ag_collect_set_mdevctl_dir(const char *dir)
{
	mdevctl_dir = dir;
}

static char *this_host(const char *host)
{
	char buf[256];

	if (host)
		return xstrdup(host);
	if (gethostname(buf, sizeof(buf)) < 0 || !buf[0])
		return xstrdup("localhost");
	buf[sizeof(buf) - 1] = '\0';
	return xstrdup(buf);
}

static void set_collected(struct ag_descriptor *d, time_t now,
			  enum ag_collected_from from)
{
	char at[AG_TIME_LEN];

	ag_time_format(now ? now : time(NULL), at);
	d->collected.at = xstrdup(at);
	d->collected.from = from;
	d->collected.tool = xstrdup("apgate " PACKAGE_VERSION);
}

static struct udev *new_udev(struct ag_error *err)
{
	struct udev *u = udev_new();

	if (!u)
		ag_error_set(err, "cannot initialise libudev: %s",
			     strerror(errno));
	return u;
}

/* The one note that lists the queues whose keys are unknown. */
static void note_invisible_keys(const struct ag_descriptor *d,
				struct ag_notes *notes)
{
	char list[128] = "", apqn[AG_APQN_LEN];
	size_t i, n = 0;

	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];
		const struct ag_card *c = ag_descriptor_card(d, q->adapter);
		size_t used = strlen(list);

		if (q->mkvps.present || (c && c->mode == AG_MODE_ACCEL))
			continue;
		ag_apqn_format(q->adapter, q->domain, apqn);
		if (n < 8)
			snprintf(list + used, sizeof(list) - used, "%s%s",
				 n ? " " : "", apqn);
		else if (n == 8)
			snprintf(list + used, sizeof(list) - used, " ...");
		n++;
	}
	if (n)
		ag_notes_add(notes, "note: master keys of %zu queue%s are not "
			     "visible on this host (%s): the host shows no "
			     "mkvps for queues bound to vfio_ap; the "
			     "descriptor has none for them. Add them with "
			     "--keys FILE (declared, or from `apgate collect "
			     "--guest` in the guest)", n, n == 1 ? "" : "s",
			     list);
}

static int from_mdevctl(struct udev *u, const struct ag_collect_opts *o,
			struct ag_descriptor *d, bool have_ap,
			struct ag_notes *notes, struct ag_error *err)
{
	struct ag_mdevctl_def def;
	int rc;

	rc = ag_mdevctl_load(mdevctl_dir, d->mdev.uuid, &def, notes, err);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		char *path = ag_mdevctl_path(mdevctl_dir, d->mdev.uuid);

		ag_error_set(err, "mdev %s has no mdevctl definition (%s does "
			     "not exist)", d->mdev.uuid, path);
		free(path);
		return -1;
	}
	if (strcmp(def.mdev_type, "vfio_ap-passthrough") != 0) {
		char *path = ag_mdevctl_path(mdevctl_dir, d->mdev.uuid);

		ag_error_set(err, "%s: mdev_type is \"%s\", not a vfio_ap "
			     "mdev (vfio_ap-passthrough)", path,
			     def.mdev_type);
		free(path);
		ag_mdevctl_def_free(&def);
		return -1;
	}
	d->mdev.type = xstrdup(def.mdev_type);
	d->mdev.state = AG_MDEV_DEFINED;
	d->mdev.adapters = def.adapters;
	d->mdev.domains = def.domains;
	d->mdev.control_domains = def.control_domains;
	ag_mdevctl_def_free(&def);
	set_collected(d, o->now, AG_FROM_MDEVCTL);
	/* the cards and queues exist whether or not the mdev is started */
	if (have_ap)
		return ag_sysfs_read_devices(u, d, notes, err);
	ag_notes_add(notes, "note: no AP bus on this host: the descriptor "
		     "holds the mdevctl assignment only, no cards or queues");
	return 0;
}

int ag_collect_notes(const struct ag_collect_opts *o,
		     struct ag_descriptor **out, struct ag_notes *notes,
		     struct ag_error *err)
{
	struct ag_descriptor *d;
	struct udev *u;
	bool have_ap, have_matrix;
	int rc = -1;

	*out = NULL;
	if (!o->uuid || !ag_uuid_valid(o->uuid, true)) {
		ag_error_set(err, "\"%s\" is not an mdev UUID (8-4-4-4-12 hex)",
			     o->uuid ? o->uuid : "");
		return -1;
	}
	u = new_udev(err);
	if (!u)
		return -1;
	d = ag_descriptor_new();
	for (size_t i = 0; o->uuid[i]; i++)
		d->mdev.uuid[i] = (char)(o->uuid[i] >= 'A' && o->uuid[i] <= 'F' ?
					 o->uuid[i] - 'A' + 'a' : o->uuid[i]);
	d->host = this_host(o->host);
	if (o->labels)
		ag_labels_copy(&d->host_labels, o->labels);
	/* An active mdev implies the AP bus and vfio_ap: the hook's usual
	 * case looks up that one device, not its two ancestors as well. */
	if (o->source != AG_COLLECT_MDEVCTL) {
		rc = ag_sysfs_read_mdev(u, d->mdev.uuid, d, notes, err);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			have_ap = have_matrix = true;
			set_collected(d, o->now, AG_FROM_SYSFS);
			rc = ag_sysfs_read_devices(u, d, notes, err);
			goto merge;
		}
	}
	rc = -1;
	have_ap = ag_sysfs_has_ap_bus(u);
	have_matrix = have_ap && ag_sysfs_has_matrix(u);

	if (o->source == AG_COLLECT_MDEVCTL) {
		rc = from_mdevctl(u, o, d, have_ap, notes, err);
		goto merge;
	}
	if (!have_ap && o->source == AG_COLLECT_SYSFS) {
		ag_error_set(err, "no AP bus: %s does not exist (not an IBM Z "
			     "host, or the ap module is not loaded)",
			     AG_SYSFS_AP_ROOT);
		goto out;
	}
	if (have_ap && !have_matrix && o->source == AG_COLLECT_SYSFS) {
		ag_error_set(err, "no vfio_ap: %s does not exist (load the "
			     "module: modprobe vfio_ap)", AG_SYSFS_MATRIX);
		goto out;
	}
	/* not active: defined?  Automatic mode reads the definition. */
	{
		char *path = ag_mdevctl_path(mdevctl_dir, d->mdev.uuid);
		bool defined = access(path, F_OK) == 0;

		if (defined && o->source == AG_COLLECT_AUTO) {
			ag_notes_add(notes, "note: mdev %s is defined but not "
				     "started: collected its mdevctl "
				     "definition (state: defined); start it "
				     "with: mdevctl start -u %s", d->mdev.uuid,
				     d->mdev.uuid);
			free(path);
			rc = from_mdevctl(u, o, d, have_ap, notes, err);
			goto merge;
		}
		if (defined)
			ag_error_set(err, "mdev %s is defined (%s) but not "
				     "started; start it with: mdevctl start "
				     "-u %s", d->mdev.uuid, path, d->mdev.uuid);
		else if (!have_ap)
			ag_error_set(err, "no AP bus: %s does not exist (not "
				     "an IBM Z host, or the ap module is not "
				     "loaded), and mdev %s has no mdevctl "
				     "definition (%s)", AG_SYSFS_AP_ROOT,
				     d->mdev.uuid, path);
		else if (!have_matrix)
			ag_error_set(err, "no vfio_ap: %s does not exist (load "
				     "the module: modprobe vfio_ap), and mdev "
				     "%s has no mdevctl definition (%s)",
				     AG_SYSFS_MATRIX, d->mdev.uuid, path);
		else
			ag_error_set(err, "unknown mdev %s: not in %s and no "
				     "mdevctl definition %s", d->mdev.uuid,
				     AG_SYSFS_MATRIX, path);
		free(path);
		rc = -1;
		goto out;
	}
merge:
	if (rc < 0)
		goto out;
	rc = -1;
	/* the LPAR's configuration decides whether the target can take the
	 * guest's control domains and APQNs (DOMAIN.md 7.5a) */
	if (have_ap && ag_apbus_read_lpar(d, notes, err) < 0)
		goto out;
	ag_descriptor_normalize(d);
	if (o->keys_file) {
		struct ag_keys *k;

		if (ag_keys_load_file(o->keys_file, o->insecure, &k, err) < 0)
			goto out;
		if (ag_keys_merge(k, d, notes, err) < 0) {
			ag_keys_free(k);
			goto out;
		}
		ag_keys_free(k);
	}
	note_invisible_keys(d, notes);
	if (ag_descriptor_check(d, "collected descriptor", err) < 0)
		goto out;
	*out = d;
	d = NULL;
	rc = 0;
out:
	ag_descriptor_free(d);
	udev_unref(u);
	return rc;
}

int ag_collect(const struct ag_collect_opts *o, struct ag_descriptor **out,
	       struct ag_error *err)
{
	return ag_collect_notes(o, out, NULL, err);
}

static int cmp_info(const void *pa, const void *pb)
{
	const struct ag_mdev_info *a = pa, *b = pb;

	return strcmp(a->uuid, b->uuid);
}

int ag_collect_list(struct ag_mdev_info **list, size_t *n,
		    struct ag_notes *notes, struct ag_error *err)
{
	char **uuids = NULL;
	size_t nu = 0, i, j;
	struct udev *u;
	int rc = -1;

	*list = NULL;
	*n = 0;
	u = new_udev(err);
	if (!u)
		return -1;
	if (!ag_sysfs_has_ap_bus(u))
		ag_notes_add(notes, "note: no AP bus on this host (%s): "
			     "listing mdevctl definitions only",
			     AG_SYSFS_AP_ROOT);
	else if (!ag_sysfs_has_matrix(u))
		ag_notes_add(notes, "note: no vfio_ap matrix device (%s; "
			     "modprobe vfio_ap): listing mdevctl definitions "
			     "only", AG_SYSFS_MATRIX);
	else if (ag_sysfs_list_mdevs(u, list, n, notes, err) < 0)
		goto out;
	if (ag_mdevctl_list(mdevctl_dir, &uuids, &nu, err) < 0)
		goto out;
	for (i = 0; i < nu; i++) {
		struct ag_mdevctl_def def;
		struct ag_mdev_info *mi = NULL;
		struct ag_error e2;
		int lrc;

		for (j = 0; j < *n; j++)
			if (strcmp((*list)[j].uuid, uuids[i]) == 0)
				mi = &(*list)[j];
		lrc = ag_mdevctl_load(mdevctl_dir, uuids[i], &def, notes, &e2);
		if (lrc < 0) {
			ag_notes_add(notes, "warning: %s", e2.msg);
			continue;
		}
		if (lrc > 0)
			continue;
		if (strcmp(def.mdev_type, "vfio_ap-passthrough") != 0) {
			ag_mdevctl_def_free(&def);
			continue;
		}
		if (!mi) {
			*list = xrealloc(*list, (*n + 1) * sizeof(**list));
			mi = &(*list)[(*n)++];
			memset(mi, 0, sizeof(*mi));
			snprintf(mi->uuid, sizeof(mi->uuid), "%s", uuids[i]);
			mi->type = xstrdup(def.mdev_type);
			mi->adapters = def.adapters;
			mi->domains = def.domains;
			mi->control_domains = def.control_domains;
		}
		mi->defined = true;
		mi->start = xstrdup(def.start);
		ag_mdevctl_def_free(&def);
	}
	if (*n > 1)
		qsort(*list, *n, sizeof(**list), cmp_info);
	rc = 0;
out:
	for (i = 0; i < nu; i++)
		free(uuids[i]);
	free(uuids);
	if (rc < 0) {
		ag_collect_list_free(*list, *n);
		*list = NULL;
		*n = 0;
	}
	udev_unref(u);
	return rc;
}

void ag_collect_list_free(struct ag_mdev_info *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].type);
		free(list[i].start);
	}
	free(list);
}

int ag_collect_guest(const char *host, time_t now, struct ag_keys **out,
		     struct ag_notes *notes, struct ag_error *err)
{
	char at[AG_TIME_LEN];
	struct ag_keys *k;
	struct udev *u;

	*out = NULL;
	u = new_udev(err);
	if (!u)
		return -1;
	if (!ag_sysfs_has_ap_bus(u)) {
		ag_error_set(err, "no AP bus: %s does not exist (no crypto "
			     "adapters passed to this guest, or the ap module "
			     "is not loaded)", AG_SYSFS_AP_ROOT);
		udev_unref(u);
		return -1;
	}
	k = ag_keys_new(AG_MK_ORIGIN_GUEST);
	k->host = this_host(host);
	ag_time_format(now ? now : time(NULL), at);
	k->at = xstrdup(at);
	k->tool = xstrdup("apgate " PACKAGE_VERSION);
	if (ag_apbus_read_pv_guest(&k->secure_execution, err) < 0 ||
	    ag_sysfs_guest_keys(u, k, notes, err) < 0) {
		ag_keys_free(k);
		udev_unref(u);
		return -1;
	}
	udev_unref(u);
	*out = k;
	return 0;
}

/* Each vfio_ap queue of mdev m's APQNs records m, unless an earlier mdev
 * has it (active mdevs come first: the kernel's assignment wins over a
 * definition that is not started). */
static void assign_queues(struct ag_descriptor *hw,
			  const struct ag_inv_mdev *m, struct ag_notes *notes)
{
	int a, dom;

	for (a = ag_idset_next(&m->adapters, 0); a >= 0;
	     a = ag_idset_next(&m->adapters, (unsigned)a + 1))
		for (dom = ag_idset_next(&m->domains, 0); dom >= 0;
		     dom = ag_idset_next(&m->domains, (unsigned)dom + 1)) {
			const struct ag_queue *cq = ag_descriptor_queue(hw,
				(unsigned)a, (unsigned)dom);
			struct ag_queue *q;
			char apqn[AG_APQN_LEN];

			if (!cq || cq->driver != AG_DRIVER_VFIO_AP)
				continue;
			q = &hw->queues[cq - hw->queues];
			if (!q->assigned_to[0]) {
				memcpy(q->assigned_to, m->uuid,
				       sizeof(q->assigned_to));
				continue;
			}
			ag_apqn_format((unsigned)a, (unsigned)dom, apqn);
			ag_notes_add(notes, "warning: queue %s is in mdev %s "
				     "and in mdev %s (%s); recorded as %s's",
				     apqn, q->assigned_to, m->uuid,
				     ag_mdev_state_name(m->state),
				     q->assigned_to);
		}
}

static void add_mdevs(struct ag_inventory *inv,
		      const struct ag_mdev_info *list, size_t n,
		      struct ag_notes *notes)
{
	size_t i;
	int pass;

	for (i = 0; i < n; i++) {
		struct ag_inv_mdev *m = ag_inventory_add_mdev(inv,
							      list[i].uuid);

		m->type = list[i].type ? xstrdup(list[i].type) : NULL;
		m->state = list[i].active ? AG_MDEV_ACTIVE : AG_MDEV_DEFINED;
		m->adapters = list[i].adapters;
		m->domains = list[i].domains;
		m->control_domains = list[i].control_domains;
	}
	ag_inventory_normalize(inv);
	for (pass = AG_MDEV_ACTIVE; pass <= AG_MDEV_DEFINED; pass++)
		for (i = 0; i < inv->n_mdevs; i++)
			if (inv->mdevs[i].state == (enum ag_mdev_state)pass)
				assign_queues(inv->hw, &inv->mdevs[i], notes);
}

static int add_blocks(struct ag_inventory *inv, const char *state_dir,
		      time_t now, struct ag_error *err)
{
	struct ag_blockstore bs;
	size_t i;

	if (ag_blocks_load(state_dir, &bs, err) < 0)
		return -1;
	for (i = 0; i < bs.n; i++) {
		const struct ag_block_entry *e = &bs.items[i];
		struct ag_inv_block *b;

		if (!ag_block_active(e, now))
			continue;
		b = ag_inventory_add_block(inv, e->uuid, e->reason);
		b->b.since = xstrdup(e->since);
		b->b.until = e->until[0] ? xstrdup(e->until) : NULL;
		b->b.by = e->by ? xstrdup(e->by) : NULL;
	}
	ag_blockstore_free(&bs);
	return 0;
}

int ag_collect_inventory(const struct ag_inventory_opts *o,
			 struct ag_inventory **out, struct ag_notes *notes,
			 struct ag_error *err)
{
	struct ag_inventory *inv = NULL;
	struct ag_mdev_info *list = NULL;
	size_t n = 0;
	struct udev *u;
	time_t now = o->now ? o->now : time(NULL);
	int rc = -1;

	*out = NULL;
	u = new_udev(err);
	if (!u)
		return -1;
	if (!ag_sysfs_has_ap_bus(u)) {
		ag_error_set(err, "no AP bus: %s does not exist (not an IBM Z "
			     "host, or the ap module is not loaded)",
			     AG_SYSFS_AP_ROOT);
		goto out;
	}
	inv = ag_inventory_new();
	inv->hw->host = this_host(o->host);
	if (o->labels)
		ag_labels_copy(&inv->hw->host_labels, o->labels);
	set_collected(inv->hw, now, AG_FROM_SYSFS);
	/* the bus once, then every mdev's assignment once */
	if (ag_sysfs_read_bus(u, inv->hw, notes, err) < 0 ||
	    ag_apbus_read_lpar(inv->hw, notes, err) < 0)
		goto out;
	ag_descriptor_normalize(inv->hw);
	if (ag_collect_list(&list, &n, notes, err) < 0)
		goto out;
	add_mdevs(inv, list, n, notes);
	if (o->keys_file) {
		struct ag_keys *k;

		if (ag_keys_load_file(o->keys_file, o->insecure, &k, err) < 0)
			goto out;
		rc = ag_keys_merge_host(k, inv->hw, notes, err);
		ag_keys_free(k);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (o->state_dir && add_blocks(inv, o->state_dir, now, err) < 0)
		goto out;
	ag_inventory_normalize(inv);
	if (ag_inventory_check(inv, "collected inventory", err) < 0)
		goto out;
	*out = inv;
	inv = NULL;
	rc = 0;
out:
	ag_collect_list_free(list, n);
	ag_inventory_free(inv);
	udev_unref(u);
	return rc;
}
