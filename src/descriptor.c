/* descriptor.c - the AP descriptor data model: lifecycle, canonical order,
 * semantic checks, lookups, the card generation rule and the names of
 * every enum value as the format spells them.
 *
 * Loading (descriptor_load.c) reports problems with file positions; the
 * checks here hold for descriptors from any producer and are the safety
 * net behind the loader.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "timeutil.h"
#include "util.h"

struct ag_descriptor *ag_descriptor_new(void)
{
	struct ag_descriptor *d = xcalloc(1, sizeof(*d));

	d->version = AG_DESCRIPTOR_VERSION;
	return d;
}

void ag_descriptor_free(struct ag_descriptor *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_cards; i++) {
		free(d->cards[i].type);
		free(d->cards[i].serial);
		free(d->cards[i].ep11.firmware);
		ag_op_modes_free(&d->cards[i].ep11.op_modes);
	}
	for (i = 0; i < d->n_queues; i++) {
		free(d->queues[i].status);
		ag_op_modes_free(&d->queues[i].op_modes);
	}
	free(d->mdev.guest_apqns);
	for (i = 0; i < d->n_blocks; i++) {
		free(d->blocks[i].reason);
		free(d->blocks[i].since);
		free(d->blocks[i].until);
		free(d->blocks[i].by);
	}
	free(d->cards);
	free(d->queues);
	free(d->blocks);
	free(d->host);
	ag_labels_free(&d->host_labels);
	free(d->collected.at);
	free(d->collected.tool);
	free(d->mdev.type);
	free(d);
}

/* The arrays grow by doubling; their capacity is not stored in the public
 * struct, so it is recomputed: a power of two >= 8 covering n. */
static void *grow_one(void *p, size_t n, size_t sz)
{
	size_t cap = 0;

	if (n > 0) {
		cap = 8;
		while (cap < n)
			cap *= 2;
	}
	return xgrow(p, &cap, n + 1, sz);
}

struct ag_card *ag_descriptor_add_card(struct ag_descriptor *d,
				       unsigned adapter)
{
	struct ag_card *c;

	d->cards = grow_one(d->cards, d->n_cards, sizeof(*d->cards));
	c = &d->cards[d->n_cards++];
	memset(c, 0, sizeof(*c));
	c->adapter = adapter;
	c->hwtype = -1;
	c->raw_hwtype = -1;
	c->ep11.api_ordinal = -1;
	return c;
}

void ag_descriptor_add_guest_apqn(struct ag_descriptor *d, unsigned adapter,
				  unsigned domain)
{
	d->mdev.guest_apqns = grow_one(d->mdev.guest_apqns,
				       d->mdev.n_guest_apqns,
				       sizeof(*d->mdev.guest_apqns));
	d->mdev.guest_apqns[d->mdev.n_guest_apqns++] =
		(uint16_t)(adapter * 256 + domain);
	d->mdev.has_guest_apqns = true;
}

void ag_op_modes_add(struct ag_op_modes *m, const char *name)
{
	m->names = grow_one(m->names, m->n, sizeof(*m->names));
	m->names[m->n++] = xstrdup(name);
	m->present = true;
}

void ag_op_modes_free(struct ag_op_modes *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

bool ag_op_mode_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= AG_OP_MODE_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

struct ag_queue *ag_descriptor_add_queue(struct ag_descriptor *d,
					 unsigned adapter, unsigned domain)
{
	struct ag_queue *q;

	d->queues = grow_one(d->queues, d->n_queues, sizeof(*d->queues));
	q = &d->queues[d->n_queues++];
	memset(q, 0, sizeof(*q));
	q->adapter = adapter;
	q->domain = domain;
	return q;
}

struct ag_block *ag_descriptor_add_block(struct ag_descriptor *d,
					 const char *reason)
{
	struct ag_block *b;

	d->blocks = grow_one(d->blocks, d->n_blocks, sizeof(*d->blocks));
	b = &d->blocks[d->n_blocks++];
	memset(b, 0, sizeof(*b));
	b->reason = reason ? xstrdup(reason) : NULL;
	return b;
}

static int cmp_uint(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

/* NULL (unset) sorts first. */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b ? 0 : !a ? -1 : 1;
	return strcmp(a, b);
}

static int cmp_card(const void *pa, const void *pb)
{
	const struct ag_card *a = pa, *b = pb;

	return cmp_uint(a->adapter, b->adapter);
}

static int cmp_queue(const void *pa, const void *pb)
{
	const struct ag_queue *a = pa, *b = pb;

	if (a->adapter != b->adapter)
		return cmp_uint(a->adapter, b->adapter);
	return cmp_uint(a->domain, b->domain);
}

/* Total order so that qsort (not stable) is deterministic.  RFC 3339
 * strings as stored (UTC, fixed width) sort chronologically. */
static int cmp_block(const void *pa, const void *pb)
{
	const struct ag_block *a = pa, *b = pb;
	int c;

	if ((c = cmp_str(a->since, b->since)))
		return c;
	if ((c = cmp_str(a->reason, b->reason)))
		return c;
	if ((c = cmp_str(a->until, b->until)))
		return c;
	return cmp_str(a->by, b->by);
}

static int cmp_u16(const void *pa, const void *pb)
{
	return cmp_uint(*(const uint16_t *)pa, *(const uint16_t *)pb);
}

static int cmp_strp(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

static void sort_op_modes(struct ag_op_modes *m)
{
	if (m->n > 1)
		qsort(m->names, m->n, sizeof(*m->names), cmp_strp);
}

void ag_descriptor_normalize(struct ag_descriptor *d)
{
	size_t i;

	if (d->mdev.n_guest_apqns > 1)
		qsort(d->mdev.guest_apqns, d->mdev.n_guest_apqns,
		      sizeof(*d->mdev.guest_apqns), cmp_u16);
	for (i = 0; i < d->n_cards; i++)
		sort_op_modes(&d->cards[i].ep11.op_modes);
	for (i = 0; i < d->n_queues; i++)
		sort_op_modes(&d->queues[i].op_modes);
	if (d->n_cards > 1)
		qsort(d->cards, d->n_cards, sizeof(*d->cards), cmp_card);
	if (d->n_queues > 1)
		qsort(d->queues, d->n_queues, sizeof(*d->queues), cmp_queue);
	if (d->n_blocks > 1)
		qsort(d->blocks, d->n_blocks, sizeof(*d->blocks), cmp_block);
}

/* --- checks --- */

static bool is_hex(int c, bool lower_only)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (!lower_only && c >= 'A' && c <= 'F');
}

bool ag_uuid_valid(const char *u, bool allow_upper)
{
	size_t i;

	if (strlen(u) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return false;
		} else if (!is_hex((unsigned char)u[i], !allow_upper)) {
			return false;
		}
	}
	return true;
}

static bool mkvp_ok(enum ag_key_type kt, const char *p)
{
	size_t i, digits = strlen(p) >= 2 ? strlen(p) - 2 : 0;

	if (!ag_key_type_digits_ok(kt, digits) || p[0] != '0' || p[1] != 'x')
		return false;
	for (i = 0; i < digits; i++)
		if (!is_hex((unsigned char)p[2 + i], true))
			return false;
	return true;
}

static int check_mkvps(const struct ag_queue *q, const char *name,
		       struct ag_error *err)
{
	const struct ag_mkvps *m = &q->mkvps;
	char apqn[AG_APQN_LEN];
	bool cca = false, any = false;
	int kt, r;

	ag_apqn_format(q->adapter, q->domain, apqn);
	if (m->origin == AG_MK_ORIGIN_UNSET) {
		ag_error_set(err, "%s: queue %s: mkvps without an origin",
			     name, apqn);
		return -1;
	}
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		if (!ag_mkvps_has_key_type(m, kt))
			continue;
		any = true;
		if (kt != AG_KT_WK)
			cca = true;
		else if (cca)
			goto mixed;
		for (r = 0; r < AG_REG_COUNT; r++) {
			const struct ag_mk_register *reg = &m->reg[kt][r];

			if (reg->state == AG_MK_ABSENT)
				continue;
			if (!ag_mk_state_allowed(kt, r, reg->state)) {
				ag_error_set(err, "%s: queue %s: mkvps %s %s: "
					     "state %s is not allowed", name,
					     apqn, ag_key_type_name(kt),
					     ag_mk_reg_name(r),
					     ag_mk_state_name(reg->state) ?
					     ag_mk_state_name(reg->state) :
					     "?");
				return -1;
			}
			if (ag_mk_state_has_pattern(reg->state) ?
			    !mkvp_ok(kt, reg->mkvp) :
			    reg->mkvp[0] != '\0') {
				ag_error_set(err, "%s: queue %s: mkvps %s %s: "
					     "state %s needs %s", name, apqn,
					     ag_key_type_name(kt),
					     ag_mk_reg_name(r),
					     ag_mk_state_name(reg->state),
					     ag_mk_state_has_pattern(
						     reg->state) ?
					     "a pattern of the key type's "
					     "width" : "no pattern");
				return -1;
			}
		}
	}
	if (!any) {
		ag_error_set(err, "%s: queue %s: mkvps without any key type",
			     name, apqn);
		return -1;
	}
	return 0;
mixed:
	ag_error_set(err, "%s: queue %s: mkvps mixes wk (EP11) with CCA key "
		     "types", name, apqn);
	return -1;
}

static int check_op_modes(const struct ag_op_modes *m, const char *name,
			  const char *what, unsigned id, struct ag_error *err)
{
	size_t i;

	if (m->n > AG_OP_MODES_MAX) {
		ag_error_set(err, "%s: %s %x: more than %d op modes", name,
			     what, id, AG_OP_MODES_MAX);
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		if (!ag_op_mode_valid(m->names[i]) ||
		    (i && strcmp(m->names[i - 1], m->names[i]) >= 0)) {
			ag_error_set(err, "%s: %s %x: op modes must be "
				     "distinct words of A-Z, 0-9 and '-'",
				     name, what, id);
			return -1;
		}
	}
	return 0;
}

int ag_descriptor_check(const struct ag_descriptor *d, const char *name,
			struct ag_error *err)
{
	struct ag_idset cards_seen;
	uint64_t *queues_seen;
	char apqn[AG_APQN_LEN];
	size_t i;

	if (d->version != AG_DESCRIPTOR_VERSION) {
		ag_error_set(err, "%s: unsupported descriptor version %d, this "
			     "apgate reads %d", name, d->version,
			     AG_DESCRIPTOR_VERSION);
		return -1;
	}
	if (!d->host || !*d->host) {
		ag_error_set(err, "%s: host is missing", name);
		return -1;
	}
	if (ag_labels_check(&d->host_labels, name, err) < 0)
		return -1;
	if (!d->mdev.uuid[0]) {
		ag_error_set(err, "%s: mdev uuid is missing", name);
		return -1;
	}
	if (!ag_uuid_valid(d->mdev.uuid, false)) {
		ag_error_set(err, "%s: mdev uuid \"%s\" is not a lowercase "
			     "8-4-4-4-12 UUID", name, d->mdev.uuid);
		return -1;
	}
	if (d->collected.at && ag_time_parse(d->collected.at, &(time_t){0})) {
		ag_error_set(err, "%s: collected at \"%s\" is not an RFC 3339 "
			     "date-time", name, d->collected.at);
		return -1;
	}

	ag_idset_clear(&cards_seen);
	for (i = 0; i < d->n_cards; i++) {
		const struct ag_card *c = &d->cards[i];

		if (c->adapter > AG_MAX_ID) {
			ag_error_set(err, "%s: card adapter %u is out of range "
				     "0..255", name, c->adapter);
			return -1;
		}
		if (ag_idset_has(&cards_seen, c->adapter)) {
			ag_error_set(err, "%s: card %02x appears twice", name,
				     c->adapter);
			return -1;
		}
		ag_idset_add(&cards_seen, c->adapter);
		if (!ag_idset_has(&d->mdev.adapters, c->adapter)) {
			ag_error_set(err, "%s: card %02x is not among the "
				     "mdev's adapters", name, c->adapter);
			return -1;
		}
		if (c->hwtype > AG_MAX_ID || c->hwtype < -1 ||
		    c->raw_hwtype > AG_MAX_ID || c->raw_hwtype < -1) {
			ag_error_set(err, "%s: card %02x: hwtype out of range "
				     "0..255", name, c->adapter);
			return -1;
		}
	}

	/* 256 x 256 APQNs as a bitmap: duplicate detection in O(n) */
	queues_seen = xcalloc(65536 / 64, sizeof(*queues_seen));
	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];
		unsigned bit;

		if (q->adapter > AG_MAX_ID || q->domain > AG_MAX_ID) {
			ag_error_set(err, "%s: queue %u.%u is out of range",
				     name, q->adapter, q->domain);
			goto fail;
		}
		ag_apqn_format(q->adapter, q->domain, apqn);
		bit = q->adapter * 256 + q->domain;
		if (queues_seen[bit / 64] >> (bit % 64) & 1) {
			ag_error_set(err, "%s: queue %s appears twice", name,
				     apqn);
			goto fail;
		}
		queues_seen[bit / 64] |= UINT64_C(1) << (bit % 64);
		if (!ag_idset_has(&d->mdev.adapters, q->adapter) ||
		    !ag_idset_has(&d->mdev.domains, q->domain)) {
			ag_error_set(err, "%s: queue %s is not in the mdev's "
				     "adapters x domains", name, apqn);
			goto fail;
		}
		if (q->mkvps.present && check_mkvps(q, name, err) < 0)
			goto fail;
	}
	free(queues_seen);

	for (i = 0; i < d->mdev.n_guest_apqns; i++) {
		unsigned v = d->mdev.guest_apqns[i];

		ag_apqn_format(v / 256, v % 256, apqn);
		if (i && d->mdev.guest_apqns[i - 1] == v) {
			ag_error_set(err, "%s: guest APQN %s appears twice",
				     name, apqn);
			return -1;
		}
		/* guest_matrix is the matrix filtered (DOMAIN.md 5.2) */
		if (!ag_idset_has(&d->mdev.adapters, v / 256) ||
		    !ag_idset_has(&d->mdev.domains, v % 256)) {
			ag_error_set(err, "%s: guest APQN %s is not in the "
				     "mdev's adapters x domains", name, apqn);
			return -1;
		}
	}
	for (i = 0; i < d->n_cards; i++)
		if (check_op_modes(&d->cards[i].ep11.op_modes, name, "card",
				   d->cards[i].adapter, err) < 0)
			return -1;
	for (i = 0; i < d->n_queues; i++)
		if (check_op_modes(&d->queues[i].op_modes, name, "queue",
				   d->queues[i].adapter * 256 +
				   d->queues[i].domain, err) < 0)
			return -1;

	for (i = 0; i < d->n_blocks; i++) {
		const struct ag_block *b = &d->blocks[i];
		time_t since = 0, until = 0;

		if (!b->reason || !*b->reason) {
			ag_error_set(err, "%s: block without a reason", name);
			return -1;
		}
		if ((b->since && ag_time_parse(b->since, &since) < 0) ||
		    (b->until && ag_time_parse(b->until, &until) < 0)) {
			ag_error_set(err, "%s: block \"%s\": times must be "
				     "RFC 3339 date-times", name, b->reason);
			return -1;
		}
		if (b->since && b->until && until <= since) {
			ag_error_set(err, "%s: block \"%s\": until is not "
				     "after since", name, b->reason);
			return -1;
		}
	}
	return 0;
fail:
	free(queues_seen);
	return -1;
}
/* --- lookups --- */

const struct ag_card *ag_descriptor_card(const struct ag_descriptor *d,
					 unsigned adapter)
{
	struct ag_card key = { .adapter = adapter };

	if (!d->n_cards)
		return NULL;
	return bsearch(&key, d->cards, d->n_cards, sizeof(*d->cards),
		       cmp_card);
}

const struct ag_queue *ag_descriptor_queue(const struct ag_descriptor *d,
					   unsigned adapter, unsigned domain)
{
	struct ag_queue key = { .adapter = adapter, .domain = domain };

	if (!d->n_queues)
		return NULL;
	return bsearch(&key, d->queues, d->n_queues, sizeof(*d->queues),
		       cmp_queue);
}

size_t ag_descriptor_apqn_count(const struct ag_descriptor *d)
{
	return (size_t)ag_idset_count(&d->mdev.adapters) *
	       ag_idset_count(&d->mdev.domains);
}

int ag_card_generation(const struct ag_card *c)
{
	const char *p;
	int gen = 0;

	/* raw_hwtype is what the hardware is; hwtype may be a compatibility
	 * mode (a CEX9 runs as CEX8, DOMAIN.md 4.1) */
	if (c->raw_hwtype >= 10)
		return c->raw_hwtype - 6;
	if (c->hwtype >= 10)
		return c->hwtype - 6;
	if (!c->type || strncmp(c->type, "CEX", 3) != 0)
		return -1;
	p = c->type + 3;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		gen = gen * 10 + (*p - '0');
		if (gen > 1000)
			return -1;
	}
	return gen;
}

/* --- enum names --- */

static int parse_name(const char *s, const char *const *names, size_t n,
		      int first)
{
	size_t i;

	if (!s)
		return -1;
	for (i = (size_t)first; i < n; i++)
		if (names[i] && strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *enum_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

/* Index 0 is the unset value of each enum and has no name. */
static const char *const tri_names[] = { NULL, "false", "true" };
static const char *const from_names[] = {
	NULL, "sysfs", "mdevctl", "guest", "file",
};
static const char *const mdev_state_names[] = { NULL, "active", "defined",
						    "planned" };
static const char *const mode_names[] = { NULL, "cca", "ep11", "accel" };
static const char *const driver_names[] = {
	NULL, "vfio_ap", "cex4queue", "none",
};
static const char *const origin_names[] = {
	NULL, "sysfs", "guest", "declared",
};
static const char *const mk_state_names[] = {
	NULL, "empty", "partial", "full", "invalid", "valid", "uncommitted",
	"committed", "unknown",
};
static const char *const key_type_names[] = {
	"aes", "apka", "asym", "sym", "wk",
};
static const char *const reg_names[] = { "new", "cur", "old" };

#define NAME_FN(fn, type, names)					\
	const char *fn(type v)						\
	{								\
		return enum_name(names, AG_ARRAY_SIZE(names), (int)v);	\
	}
#define PARSE_FN(fn, type, names, first)				\
	int fn(const char *s, type *out)				\
	{								\
		int v = parse_name(s, names, AG_ARRAY_SIZE(names), first); \
									\
		if (v < 0)						\
			return -1;					\
		*out = (type)v;						\
		return 0;						\
	}

NAME_FN(ag_tri_name, enum ag_tri, tri_names)
NAME_FN(ag_collected_from_name, enum ag_collected_from, from_names)
PARSE_FN(ag_collected_from_parse, enum ag_collected_from, from_names, 1)
NAME_FN(ag_mdev_state_name, enum ag_mdev_state, mdev_state_names)
PARSE_FN(ag_mdev_state_parse, enum ag_mdev_state, mdev_state_names, 1)
NAME_FN(ag_card_mode_name, enum ag_card_mode, mode_names)
PARSE_FN(ag_card_mode_parse, enum ag_card_mode, mode_names, 1)
NAME_FN(ag_queue_driver_name, enum ag_queue_driver, driver_names)
PARSE_FN(ag_queue_driver_parse, enum ag_queue_driver, driver_names, 1)
NAME_FN(ag_mk_origin_name, enum ag_mk_origin, origin_names)
PARSE_FN(ag_mk_origin_parse, enum ag_mk_origin, origin_names, 1)
NAME_FN(ag_mk_state_name, enum ag_mk_state, mk_state_names)
PARSE_FN(ag_mk_state_parse, enum ag_mk_state, mk_state_names, 1)
NAME_FN(ag_key_type_name, enum ag_key_type, key_type_names)
PARSE_FN(ag_key_type_parse, enum ag_key_type, key_type_names, 0)
NAME_FN(ag_mk_reg_name, enum ag_mk_reg, reg_names)
PARSE_FN(ag_mk_reg_parse, enum ag_mk_reg, reg_names, 0)

unsigned ag_key_type_hex_digits(enum ag_key_type kt)
{
	switch (kt) {
	case AG_KT_AES:
	case AG_KT_APKA:
	case AG_KT_SYM:
		return 16;
	case AG_KT_ASYM:
		return 32;
	case AG_KT_WK:
		return 64;
	default:
		return 0;
	}
}

bool ag_key_type_digits_ok(enum ag_key_type kt, size_t digits)
{
	return digits == ag_key_type_hex_digits(kt) ||
	       (kt == AG_KT_WK && digits == 32);
}

void ag_mk_states_allowed_text(enum ag_key_type kt, enum ag_mk_reg reg,
			       char *out, size_t size)
{
	size_t used = 0;
	int st;

	if (size)
		out[0] = '\0';
	for (st = AG_MK_EMPTY; st <= AG_MK_UNKNOWN && used < size; st++) {
		if (!ag_mk_state_allowed(kt, reg, st))
			continue;
		snprintf(out + used, size - used, "%s%s", used ? ", " : "",
			 ag_mk_state_name(st));
		used = strlen(out);
	}
}

bool ag_mk_state_allowed(enum ag_key_type kt, enum ag_mk_reg reg,
			 enum ag_mk_state state)
{
	if (state == AG_MK_UNKNOWN)	/* a "- -" line fits any register */
		return (unsigned)kt < AG_KT_COUNT &&
		       (unsigned)reg < AG_REG_COUNT &&
		       !(kt == AG_KT_WK && reg == AG_REG_OLD);
	switch (kt) {
	case AG_KT_AES:
	case AG_KT_APKA:
	case AG_KT_ASYM:
	case AG_KT_SYM:
		if (reg == AG_REG_NEW)
			return state == AG_MK_EMPTY ||
			       state == AG_MK_PARTIAL || state == AG_MK_FULL;
		if (reg == AG_REG_CUR || reg == AG_REG_OLD)
			return state == AG_MK_INVALID || state == AG_MK_VALID;
		return false;
	case AG_KT_WK:
		if (reg == AG_REG_CUR)
			return state == AG_MK_INVALID || state == AG_MK_VALID;
		if (reg == AG_REG_NEW)
			return state == AG_MK_EMPTY ||
			       state == AG_MK_UNCOMMITTED ||
			       state == AG_MK_COMMITTED;
		return false;
	default:
		return false;
	}
}

bool ag_mk_state_has_pattern(enum ag_mk_state state)
{
	return state == AG_MK_FULL || state == AG_MK_VALID ||
	       state == AG_MK_UNCOMMITTED || state == AG_MK_COMMITTED;
}

bool ag_mkvps_has_key_type(const struct ag_mkvps *m, enum ag_key_type kt)
{
	int r;

	if (!m->present || (unsigned)kt >= AG_KT_COUNT)
		return false;
	for (r = 0; r < AG_REG_COUNT; r++)
		if (m->reg[kt][r].state != AG_MK_ABSENT)
			return true;
	return false;
}
