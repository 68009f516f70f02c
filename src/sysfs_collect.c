/* sysfs_collect.c - reading the vfio_ap mdev, its cards and queues through
 * libudev (see sysfs_collect.h).
 *
 * Every attribute is read once (mkvps and serialnr query the card) and
 * parsed strictly: the kernel's formats are the contract (DOMAIN.md 2, 5),
 * and a value that does not fit is an error naming the attribute's path
 * rather than a guess.  A NULL value (absent attribute or read error) is
 * "unknown" and leaves the field unset.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "apmatrix.h"
#include "mkvps.h"
#include "sysfs_collect.h"
#include "textsafe.h"
#include "util.h"

/* AP function bits (DOMAIN.md 4.2) that name the card's mode. */
#define FN_CCA   0x10000000u
#define FN_ACCEL 0x08000000u
#define FN_EP11  0x04000000u

/* Every queue whose master keys are not visible is named in one note;
 * beyond this many the list is cut. */
#define NOTE_MAX_APQNS 8

bool ag_sysfs_has_ap_bus(struct udev *u)
{
	struct udev_device *d = udev_device_new_from_syspath(u,
							     AG_SYSFS_AP_ROOT);

	udev_device_unref(d);
	return d != NULL;
}

bool ag_sysfs_has_matrix(struct udev *u)
{
	struct udev_device *d = udev_device_new_from_syspath(u,
							     AG_SYSFS_MATRIX);

	udev_device_unref(d);
	return d != NULL;
}

static int attr_error(struct ag_error *err, struct udev_device *dev,
		      const char *attr, const char *val, const char *what)
{
	char q[256];

	ag_quote_safe(val, 60, q, sizeof(q));
	ag_error_set(err, "%s/%s: expected %s, found \"%s\"",
		     udev_device_get_syspath(dev), attr, what, q);
	return -1;
}

/* "0" / "1" into a tri; NULL leaves it unset. */
static int read_tri(struct udev_device *dev, const char *attr,
		    enum ag_tri *out, struct ag_error *err)
{
	const char *v = udev_device_get_sysattr_value(dev, attr);

	if (!v)
		return 0;
	if (strcmp(v, "0") == 0)
		*out = AG_TRI_FALSE;
	else if (strcmp(v, "1") == 0)
		*out = AG_TRI_TRUE;
	else
		return attr_error(err, dev, attr, v, "0 or 1");
	return 0;
}

int ag_sysfs_parse_type(const char *v, int *out)
{
	unsigned id;
	const char *p;

	/* ag_id_parse also takes 0x and 0X hex, which %d never prints */
	for (p = v; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (ag_id_parse(v, &id) < 0)
		return -1;
	*out = (int)id;
	return 0;
}

int ag_sysfs_parse_functions(const char *v, uint32_t *out)
{
	uint32_t f = 0;
	size_t i;

	if (strlen(v) != 10 || v[0] != '0' || v[1] != 'x')
		return -1;
	for (i = 2; i < 10; i++) {
		char ch = v[i];

		if (ch >= '0' && ch <= '9')
			f = f * 16 + (uint32_t)(ch - '0');
		else if (ch >= 'A' && ch <= 'F')
			f = f * 16 + (uint32_t)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = f;
	return 0;
}

/* A type attribute into *out; NULL leaves it unset. */
static int read_type(struct udev_device *dev, const char *attr, int *out,
		     struct ag_error *err)
{
	const char *v = udev_device_get_sysattr_value(dev, attr);

	if (!v)
		return 0;
	if (ag_sysfs_parse_type(v, out) < 0)
		return attr_error(err, dev, attr, v,
				  "a decimal AP type 0..255");
	return 0;
}

/* ap_functions of cards and (newer kernels) queues.  NULL (absent, or EIO
 * from the TAPQ) leaves it unset. */
static int read_functions(struct udev_device *dev, bool *has, uint32_t *out,
			  struct ag_error *err)
{
	const char *v = udev_device_get_sysattr_value(dev, "ap_functions");

	if (!v)
		return 0;
	if (ag_sysfs_parse_functions(v, out) < 0)
		return attr_error(err, dev, "ap_functions", v,
				  "\"0x\" + 8 upper-case hex digits");
	*has = true;
	return 0;
}

/* EP11 `op_modes`: space-separated words (DOMAIN.md 2.4); an empty line
 * means the card query failed and leaves *m unknown. */
static int read_op_modes(struct udev_device *dev, struct ag_op_modes *m,
			 struct ag_error *err)
{
	const char *v = udev_device_get_sysattr_value(dev, "op_modes");
	const char *p;
	size_t i;

	if (!v || !*v)
		return 0;
	m->present = true;
	for (p = v; *p;) {
		char word[AG_OP_MODE_LEN];
		size_t n = strcspn(p, " ");

		if (n == 0 || n >= sizeof(word) || m->n >= AG_OP_MODES_MAX)
			goto bad;
		memcpy(word, p, n);
		word[n] = '\0';
		if (!ag_op_mode_valid(word))
			goto bad;
		for (i = 0; i < m->n; i++)
			if (strcmp(m->names[i], word) == 0)
				goto bad;
		ag_op_modes_add(m, word);
		p += n;
		if (*p == ' ' && *++p == '\0')
			goto bad;
	}
	return 0;
bad:
	ag_op_modes_free(m);
	return attr_error(err, dev, "op_modes", v, "distinct mode words "
			  "(like \"FIPS2021 FIPS2024\") separated by single "
			  "spaces");
}

/* EP11 card attributes; each reads as an empty line when the card query
 * fails (DOMAIN.md 2.4), which leaves it unknown. */
static int read_ep11(struct udev_device *dev, struct ag_card *c,
		     struct ag_error *err)
{
	const char *v;
	unsigned maj, min;
	int used = 0;

	c->ep11.present = true;
	v = udev_device_get_sysattr_value(dev, "API_ordinalnr");
	if (v && *v) {
		char *end;
		unsigned long n;

		if (*v < '0' || *v > '9')
			return attr_error(err, dev, "API_ordinalnr", v,
					  "a decimal number");
		errno = 0;
		n = strtoul(v, &end, 10);
		if (*end || errno || n > 0xffffffffUL)
			return attr_error(err, dev, "API_ordinalnr", v,
					  "a decimal number");
		c->ep11.api_ordinal = (long)n;
	}
	v = udev_device_get_sysattr_value(dev, "FW_version");
	if (v && *v) {
		if (*v < '0' || *v > '9' ||
		    sscanf(v, "%3u.%3u%n", &maj, &min, &used) != 2 ||
		    (size_t)used != strlen(v) || strchr(v, ' ') ||
		    strchr(v, '+'))
			return attr_error(err, dev, "FW_version", v,
					  "a version like \"7.4\"");
		c->ep11.firmware = xstrdup(v);
	}
	return read_op_modes(dev, &c->ep11.op_modes, err);
}

static const char *mode_from_functions(uint32_t f)
{
	int n = !!(f & FN_CCA) + !!(f & FN_ACCEL) + !!(f & FN_EP11);

	if (n != 1)
		return NULL;
	return f & FN_CCA ? "cca" : f & FN_EP11 ? "ep11" : "accel";
}

static const char *mode_from_type(const char *type)
{
	size_t n = type ? strlen(type) : 0;

	if (n < 5 || strncmp(type, "CEX", 3) != 0)
		return NULL;
	switch (type[n - 1]) {
	case 'C': return "cca";
	case 'P': return "ep11";
	case 'A': return "accel";
	default: return NULL;
	}
}

/* Mode from the kernel's MODE property, else the type letter, else the
 * function bits; any disagreement among them is worth a warning. */
static void card_mode(struct udev_device *dev, struct ag_card *c,
		      struct ag_notes *notes)
{
	const char *prop = udev_device_get_property_value(dev, "MODE");
	const char *src[3], *names[3] = {
		"MODE property", "type", "ap_functions",
	};
	const char *pick = NULL;
	int i;

	src[0] = prop && *prop ? prop : NULL;
	src[1] = mode_from_type(c->type);
	src[2] = c->has_functions ? mode_from_functions(c->functions) : NULL;
	for (i = 0; i < 3; i++) {
		if (!src[i])
			continue;
		if (!pick) {
			pick = src[i];
			if (ag_card_mode_parse(pick, &c->mode) < 0) {
				ag_notes_add(notes, "warning: card %02x: "
					     "unknown %s \"%s\"; mode left "
					     "unset", c->adapter, names[i],
					     pick);
				return;
			}
		} else if (strcmp(src[i], pick) != 0) {
			ag_notes_add(notes, "warning: card %02x: %s says %s, "
				     "but the mode is %s", c->adapter,
				     names[i], src[i], pick);
		}
	}
}

/* The AP bus device cardXX, or its queue XX.YYYY, by the kernel's own
 * layout (DOMAIN.md 2.1) rather than through /sys/bus/ap/devices: the
 * symlink there costs libudev a second walk of the path. */
static struct udev_device *new_ap_device(struct udev *u, const char *card,
					 const char *queue)
{
	char path[sizeof(AG_SYSFS_AP_ROOT) + 32];

	if (queue)
		snprintf(path, sizeof(path), "%s/%s/%s", AG_SYSFS_AP_ROOT,
			 card, queue);
	else
		snprintf(path, sizeof(path), "%s/%s", AG_SYSFS_AP_ROOT, card);
	return udev_device_new_from_syspath(u, path);
}

static int read_card(struct udev *u, struct ag_descriptor *d,
		     unsigned adapter, struct ag_notes *notes,
		     struct ag_error *err)
{
	struct udev_device *dev;
	struct ag_card *c;
	const char *v, *devtype;
	char name[16];
	int rc = -1;

	snprintf(name, sizeof(name), "card%02x", adapter);
	dev = new_ap_device(u, name, NULL);
	if (!dev) {
		ag_notes_add(notes, "warning: card %02x, assigned to the mdev, "
			     "does not exist on this host (%s/%s)", adapter,
			     AG_SYSFS_AP_ROOT, name);
		return 0;
	}
	devtype = udev_device_get_devtype(dev);
	if (!devtype || strcmp(devtype, "ap_card") != 0) {
		ag_error_set(err, "%s: not an AP card (DEVTYPE %s)",
			     udev_device_get_syspath(dev),
			     devtype ? devtype : "unset");
		goto out;
	}
	c = ag_descriptor_add_card(d, adapter);
	v = udev_device_get_sysattr_value(dev, "type");
	if (v && *v)
		c->type = xstrdup(v);
	v = udev_device_get_sysattr_value(dev, "serialnr");
	if (v && *v)		/* empty: the query failed (DOMAIN.md 2.4) */
		c->serial = xstrdup(v);
	if (read_type(dev, "hwtype", &c->hwtype, err) < 0 ||
	    read_type(dev, "raw_hwtype", &c->raw_hwtype, err) < 0 ||
	    read_functions(dev, &c->has_functions, &c->functions, err) < 0 ||
	    read_tri(dev, "config", &c->config, err) < 0 ||
	    read_tri(dev, "online", &c->online, err) < 0 ||
	    read_tri(dev, "chkstop", &c->chkstop, err) < 0)
		goto out;
	card_mode(dev, c, notes);
	if (c->mode == AG_MODE_EP11 && read_ep11(dev, c, err) < 0)
		goto out;
	rc = 0;
out:
	udev_device_unref(dev);
	return rc;
}

static int read_queue(struct udev *u, struct ag_descriptor *d,
		      unsigned adapter, unsigned domain,
		      struct ag_notes *notes, struct ag_error *err)
{
	struct udev_device *dev;
	struct ag_queue *q;
	const char *v, *drv, *devtype;
	char name[AG_APQN_LEN], card[16];
	int rc = -1;

	ag_apqn_format(adapter, domain, name);
	snprintf(card, sizeof(card), "card%02x", adapter);
	dev = new_ap_device(u, card, name);
	if (!dev) {
		ag_notes_add(notes, "warning: queue %s, assigned to the mdev, "
			     "does not exist on this host", name);
		return 0;
	}
	devtype = udev_device_get_devtype(dev);
	if (!devtype || strcmp(devtype, "ap_queue") != 0) {
		ag_error_set(err, "%s: not an AP queue (DEVTYPE %s)",
			     udev_device_get_syspath(dev),
			     devtype ? devtype : "unset");
		goto out;
	}
	q = ag_descriptor_add_queue(d, adapter, domain);
	drv = udev_device_get_driver(dev);
	if (!drv)
		q->driver = AG_DRIVER_NONE;
	else if (ag_queue_driver_parse(drv, &q->driver) < 0 ||
		 q->driver == AG_DRIVER_NONE)
		ag_notes_add(notes, "warning: queue %s is bound to driver "
			     "\"%s\", which apgate does not know; driver left "
			     "unset", name, drv);
	if (read_tri(dev, "config", &q->config, err) < 0 ||
	    read_tri(dev, "online", &q->online, err) < 0 ||
	    read_tri(dev, "chkstop", &q->chkstop, err) < 0)
		goto out;
	v = udev_device_get_sysattr_value(dev, "status");
	if (v && *v)
		q->status = xstrdup(v);
	/* the queue's own TAPQ word: unmasked, with the SE bind state */
	if (read_functions(dev, &q->has_functions, &q->functions, err) < 0)
		goto out;
	/* only cex4queue shows master keys; read them once (a card query) */
	if (q->driver == AG_DRIVER_CEX4QUEUE) {
		const struct ag_card *c = ag_descriptor_card(d, adapter);

		if (c && c->mode == AG_MODE_EP11 &&
		    read_op_modes(dev, &q->op_modes, err) < 0)
			goto out;
		v = udev_device_get_sysattr_value(dev, "mkvps");
		if (v && ag_mkvps_parse(v, strlen(v), &q->mkvps, err) < 0) {
			/* one odd queue must not hide every other fact:
			 * its keys are unknown, never guessed */
			ag_notes_add(notes, "warning: %s/mkvps: %s; master "
				     "keys of %s recorded as unknown",
				     udev_device_get_syspath(dev), err->msg,
				     name);
			ag_mkvps_set_unknown(&q->mkvps, c ? c->mode ==
					     AG_MODE_EP11 :
					     strncmp(v, "WK ", 3) == 0);
		}
	}
	rc = 0;
out:
	udev_device_unref(dev);
	return rc;
}

int ag_sysfs_read_devices(struct udev *u, struct ag_descriptor *d,
			  struct ag_notes *notes, struct ag_error *err)
{
	const struct ag_idset *as = &d->mdev.adapters, *ds = &d->mdev.domains;
	int a, dom;

	for (a = ag_idset_next(as, 0); a >= 0;
	     a = ag_idset_next(as, (unsigned)a + 1)) {
		if (read_card(u, d, (unsigned)a, notes, err) < 0)
			return -1;
		for (dom = ag_idset_next(ds, 0); dom >= 0;
		     dom = ag_idset_next(ds, (unsigned)dom + 1))
			if (read_queue(u, d, (unsigned)a, (unsigned)dom, notes,
				       err) < 0)
				return -1;
	}
	return 0;
}

/* IDs of a that are not in b, as "05, 06" (hex of width w). */
/* The AP bus names "cardXX" (card) and "XX.YYYY" (queue). */
static void bus_name(const char *sp, struct ag_idset *cards, uint64_t *queues)
{
	const char *name = strrchr(sp, '/');
	unsigned a, d;

	name = name ? name + 1 : sp;
	if (strncmp(name, "card", 4) == 0 && strlen(name) == 6 &&
	    isxdigit((unsigned char)name[4]) &&
	    isxdigit((unsigned char)name[5]) &&
	    !isupper((unsigned char)name[4]) &&
	    !isupper((unsigned char)name[5]))
		ag_idset_add(cards, (unsigned)strtoul(name + 4, NULL, 16));
	else if (ag_apqn_parse(name, &a, &d) == 0)
		queues[(a * 256 + d) / 64] |= UINT64_C(1) << ((a * 256 + d) % 64);
}

int ag_sysfs_read_bus(struct udev *u, struct ag_descriptor *d,
		      struct ag_notes *notes, struct ag_error *err)
{
	struct udev_enumerate *en;
	struct udev_list_entry *le;
	struct ag_idset cards;
	uint64_t *queues = xcalloc(256 * 256 / 64, sizeof(*queues));
	unsigned i;
	int a, rc = 0;

	/* one scan of the bus for the names; each device is then read once,
	 * cards first (a queue's reading depends on its card's mode) */
	ag_idset_clear(&cards);
	en = udev_enumerate_new(u);
	udev_enumerate_add_match_subsystem(en, "ap");
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(en))
		bus_name(udev_list_entry_get_name(le), &cards, queues);
	udev_enumerate_unref(en);
	for (a = ag_idset_next(&cards, 0); a >= 0 && rc == 0;
	     a = ag_idset_next(&cards, (unsigned)a + 1))
		rc = read_card(u, d, (unsigned)a, notes, err);
	for (i = 0; i < 256 * 256 && rc == 0; i++)
		if (queues[i / 64] & UINT64_C(1) << (i % 64))
			rc = read_queue(u, d, i / 256, i % 256, notes, err);
	free(queues);
	return rc;
}

static bool set_minus(const struct ag_idset *a, const struct ag_idset *b,
		      int w, char *buf, size_t size)
{
	bool any = false;
	int id;

	buf[0] = '\0';
	for (id = ag_idset_next(a, 0); id >= 0;
	     id = ag_idset_next(a, (unsigned)id + 1)) {
		size_t used = strlen(buf);

		if (ag_idset_has(b, (unsigned)id))
			continue;
		if (used + 8 < size)
			snprintf(buf + used, size - used, "%s%0*x",
				 any ? ", " : "", w, (unsigned)id);
		any = true;
	}
	return any;
}

static void compare_sets(const char *uuid, const char *what_a,
			 const struct ag_idset *a, const char *what_b,
			 const struct ag_idset *b, const char *kind, int w,
			 const char *why, struct ag_notes *notes)
{
	char list[1100];

	if (set_minus(a, b, w, list, sizeof(list)))
		ag_notes_add(notes, "warning: mdev %s: %s %s in %s but not in "
			     "%s%s", uuid, kind, list, what_a, what_b, why);
}

/* guest_matrix is always a product (the kernel filters whole adapters),
 * and never wider than matrix: keep what both show. */
static void add_guest_apqns(struct ag_descriptor *d, const struct ag_idset *ga,
			    const struct ag_idset *gd)
{
	int a, dom;

	d->mdev.has_guest_apqns = true;
	for (a = ag_idset_next(ga, 0); a >= 0;
	     a = ag_idset_next(ga, (unsigned)a + 1))
		for (dom = ag_idset_next(gd, 0); dom >= 0;
		     dom = ag_idset_next(gd, (unsigned)dom + 1))
			if (ag_idset_has(&d->mdev.adapters, (unsigned)a) &&
			    ag_idset_has(&d->mdev.domains, (unsigned)dom))
				ag_descriptor_add_guest_apqn(d, (unsigned)a,
							     (unsigned)dom);
}

/* Read attr of the mdev and parse it; a missing attribute gives 1. */
static int mdev_attr(struct udev_device *dev, const char *attr,
		     const char **val)
{
	*val = udev_device_get_sysattr_value(dev, attr);
	return *val ? 0 : 1;
}

/* guest: where to put guest_matrix's APQNs (NULL: not wanted). */
static int read_assignment(struct udev_device *dev, const char *uuid,
			   struct ag_idset *adapters, struct ag_idset *domains,
			   struct ag_idset *cdoms, struct ag_descriptor *guest,
			   struct ag_notes *notes, struct ag_error *err)
{
	struct ag_idset ga, gd, apm, aqm, adm;
	const char *v;

	if (mdev_attr(dev, "matrix", &v)) {
		ag_error_set(err, "%s/matrix: cannot be read",
			     udev_device_get_syspath(dev));
		return -1;
	}
	if (ag_matrix_parse(v, strlen(v), adapters, domains, err) < 0)
		goto bad_matrix;
	if (mdev_attr(dev, "control_domains", &v)) {
		ag_error_set(err, "%s/control_domains: cannot be read",
			     udev_device_get_syspath(dev));
		return -1;
	}
	if (ag_control_domains_parse(v, strlen(v), cdoms, err) < 0) {
		ag_error_prefix(err, "%s/control_domains",
				udev_device_get_syspath(dev));
		return -1;
	}
	/* intent (matrix) against effect (guest_matrix, kernels >= 6.0) */
	if (!mdev_attr(dev, "guest_matrix", &v)) {
		if (ag_matrix_parse(v, strlen(v), &ga, &gd, err) < 0) {
			ag_error_prefix(err, "%s/guest_matrix",
					udev_device_get_syspath(dev));
			return -1;
		}
		compare_sets(uuid, "matrix", adapters, "guest_matrix", &ga,
			     "adapter", 2, ": vfio_ap filtered it out (a "
			     "queue not bound to vfio_ap, or not in the host "
			     "configuration); the guest does not see it now",
			     notes);
		compare_sets(uuid, "matrix", domains, "guest_matrix", &gd,
			     "domain", 4, ": vfio_ap filtered it out; the "
			     "guest does not see it now", notes);
		compare_sets(uuid, "guest_matrix", &ga, "matrix", adapters,
			     "adapter", 2, "", notes);
		compare_sets(uuid, "guest_matrix", &gd, "matrix", domains,
			     "domain", 4, "", notes);
		if (guest)
			add_guest_apqns(guest, &ga, &gd);
	}
	if (!mdev_attr(dev, "ap_config", &v)) {
		if (ag_ap_config_parse(v, strlen(v), false, &apm, &aqm, &adm,
				       err) < 0) {
			ag_error_prefix(err, "%s/ap_config",
					udev_device_get_syspath(dev));
			return -1;
		}
		if (!ag_idset_equal(&apm, adapters) ||
		    !ag_idset_equal(&aqm, domains) ||
		    !ag_idset_equal(&adm, cdoms))
			ag_notes_add(notes, "warning: mdev %s: ap_config does "
				     "not agree with matrix and "
				     "control_domains (read while being "
				     "changed?); using matrix", uuid);
	}
	return 0;
bad_matrix:
	ag_error_prefix(err, "%s/matrix", udev_device_get_syspath(dev));
	return -1;
}

static char *mdev_type(struct udev_device *dev)
{
	const char *t = udev_device_get_property_value(dev, "MDEV_TYPE");

	if (t && *t)
		return xstrdup(t);
	t = udev_device_get_sysattr_value(dev, "mdev_type");
	return t && *t ? xstrdup(t) : NULL;
}

int ag_sysfs_read_mdev(struct udev *u, const char *uuid,
		       struct ag_descriptor *d, struct ag_notes *notes,
		       struct ag_error *err)
{
	char *path = xasprintf("%s/%s", AG_SYSFS_MATRIX, uuid);
	struct udev_device *dev = udev_device_new_from_syspath(u, path);
	int rc = -1;

	free(path);
	if (!dev)
		return 1;
	d->mdev.state = AG_MDEV_ACTIVE;
	d->mdev.type = mdev_type(dev);
	if (d->mdev.type && strcmp(d->mdev.type, "vfio_ap-passthrough"))
		ag_notes_add(notes, "warning: mdev %s has type %s, not "
			     "vfio_ap-passthrough", uuid, d->mdev.type);
	rc = read_assignment(dev, uuid, &d->mdev.adapters, &d->mdev.domains,
			     &d->mdev.control_domains, d, notes, err);
	udev_device_unref(dev);
	return rc;
}

int ag_sysfs_list_mdevs(struct udev *u, struct ag_mdev_info **list,
			size_t *n, struct ag_notes *notes,
			struct ag_error *err)
{
	struct udev_device *matrix;
	struct udev_enumerate *en;
	struct udev_list_entry *le;
	int rc = 0;

	*list = NULL;
	*n = 0;
	matrix = udev_device_new_from_syspath(u, AG_SYSFS_MATRIX);
	if (!matrix)
		return 0;
	en = udev_enumerate_new(u);
	/* only the matrix device's children: the mdevs, never AP queues */
	udev_enumerate_add_match_parent(en, matrix);
	udev_enumerate_add_match_subsystem(en, "mdev");
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(en)) {
		const char *sp = udev_list_entry_get_name(le);
		struct udev_device *dev;
		struct ag_mdev_info *mi;
		const char *sysname;

		dev = udev_device_new_from_syspath(u, sp);
		if (!dev)
			continue;
		sysname = udev_device_get_sysname(dev);
		if (!sysname || !ag_uuid_valid(sysname, false)) {
			udev_device_unref(dev);
			continue;
		}
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		mi = &(*list)[(*n)++];
		memset(mi, 0, sizeof(*mi));
		snprintf(mi->uuid, sizeof(mi->uuid), "%s", sysname);
		mi->active = true;
		mi->type = mdev_type(dev);
		rc = read_assignment(dev, mi->uuid, &mi->adapters,
				     &mi->domains, &mi->control_domains, NULL,
				     notes, err);
		udev_device_unref(dev);
		if (rc < 0)
			break;
	}
	udev_enumerate_unref(en);
	udev_device_unref(matrix);
	return rc;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct ag_keys_entry *a = pa, *b = pb;

	if (a->adapter != b->adapter)
		return a->adapter < b->adapter ? -1 : 1;
	return a->domain < b->domain ? -1 : a->domain > b->domain;
}

int ag_sysfs_guest_keys(struct udev *u, struct ag_keys *k,
			struct ag_notes *notes, struct ag_error *err)
{
	struct udev_enumerate *en;
	struct udev_list_entry *le;
	size_t seen = 0;
	int rc = 0;

	/* a guest has only the queues given to it: enumerating is cheap */
	en = udev_enumerate_new(u);
	udev_enumerate_add_match_subsystem(en, "ap");
	udev_enumerate_add_match_property(en, "DEVTYPE", "ap_queue");
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev;
		const char *drv, *v, *sysname;
		struct ag_keys_entry *e;
		struct ag_mkvps m;
		unsigned a, d;

		dev = udev_device_new_from_syspath(u,
					udev_list_entry_get_name(le));
		if (!dev)
			continue;
		sysname = udev_device_get_sysname(dev);
		drv = udev_device_get_driver(dev);
		if (!sysname || ag_apqn_parse(sysname, &a, &d) < 0 || !drv ||
		    strcmp(drv, "cex4queue") != 0) {
			udev_device_unref(dev);
			continue;
		}
		seen++;
		v = udev_device_get_sysattr_value(dev, "mkvps");
		if (!v) {	/* accelerators have no master keys */
			udev_device_unref(dev);
			continue;
		}
		if (ag_mkvps_parse(v, strlen(v), &m, err) < 0) {
			const char *mode = udev_device_get_property_value(
				dev, "MODE");

			ag_notes_add(notes, "warning: %s/mkvps: %s; master "
				     "keys of %s recorded as unknown",
				     udev_device_get_syspath(dev), err->msg,
				     sysname);
			ag_mkvps_set_unknown(&m, mode ? strcmp(mode, "ep11")
					     == 0 : strncmp(v, "WK ", 3) == 0);
		}
		e = ag_keys_add(k, true, a, d);
		m.origin = k->origin;
		e->mkvps = m;
		udev_device_unref(dev);
	}
	udev_enumerate_unref(en);
	if (rc == 0 && seen == 0)
		ag_notes_add(notes, "warning: no AP queue bound to cex4queue "
			     "in this system: no master keys to report");
	if (k->n > 1)
		qsort(k->entries, k->n, sizeof(*k->entries), cmp_entry);
	return rc;
}
