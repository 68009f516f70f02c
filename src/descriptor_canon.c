/* descriptor_canon.c - the canonical JSON text of a descriptor (the input
 * of its digest), written straight into one buffer.
 *
 * It is byte for byte what json-c prints for ag_descriptor_to_json() with
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE (a unit test
 * holds the two together), without building, sorting and freeing two
 * object trees per descriptor on every check.  Keys are written in
 * bytewise order by construction; strings that need escaping go through
 * json-c itself, so its escaping rules stay the only ones.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "digest.h"
#include "util.h"

struct jw {
	char *s;
	size_t len, cap;
	bool first;		/* nothing written yet in the open container */
};

/* Called for every token: the buffer starts at a size that holds a
 * typical descriptor and is terminated once, at the end. */
static void raw(struct jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap)
		w->s = xgrow(w->s, &w->cap, w->len + n + 1, 1);
	memcpy(w->s + w->len, s, n);
	w->len += n;
}

/* A non-negative decimal, as "%u" prints it. */
static void uint_(struct jw *w, unsigned v)
{
	char buf[16];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	raw(w, buf + i, sizeof(buf) - i);
}

static void rawz(struct jw *w, const char *s)
{
	raw(w, s, strlen(s));
}

static void open_(struct jw *w, const char *c)
{
	raw(w, c, 1);
	w->first = true;
}

static void close_(struct jw *w, const char *c)
{
	raw(w, c, 1);
	w->first = false;
}

static void sep(struct jw *w)
{
	if (!w->first)
		raw(w, ",", 1);
	w->first = false;
}

/* Keys are apgate's own ASCII words: no escaping. */
static void key(struct jw *w, const char *k)
{
	sep(w);
	raw(w, "\"", 1);
	rawz(w, k);
	raw(w, "\":", 2);
}

static void str(struct jw *w, const char *s)
{
	const unsigned char *p;
	json_object *o;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			break;
	if (!*p) {		/* printable ASCII: json-c copies it */
		raw(w, "\"", 1);
		raw(w, s, (size_t)(p - (const unsigned char *)s));
		raw(w, "\"", 1);
		return;
	}
	o = json_object_new_string(s);
	rawz(w, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void kv_str(struct jw *w, const char *k, const char *v)
{
	if (v) {
		key(w, k);
		str(w, v);
	}
}

static void kv_int(struct jw *w, const char *k, int v)
{
	if (v >= 0) {
		key(w, k);
		uint_(w, (unsigned)v);
	}
}

static void kv_tri(struct jw *w, const char *k, enum ag_tri t)
{
	if (t != AG_TRI_UNSET) {
		key(w, k);
		rawz(w, t == AG_TRI_TRUE ? "true" : "false");
	}
}

static void kv_idlist(struct jw *w, const char *k, const struct ag_idset *set)
{
	int id;

	key(w, k);
	open_(w, "[");
	for (id = ag_idset_next(set, 0); id >= 0;
	     id = ag_idset_next(set, (unsigned)id + 1)) {
		sep(w);
		uint_(w, (unsigned)id);
	}
	close_(w, "]");
}

static void kv_functions(struct jw *w, bool has, uint32_t f)
{
	char fn[16];

	if (has) {
		snprintf(fn, sizeof(fn), "0x%08X", (unsigned)f);
		kv_str(w, "functions", fn);
	}
}

static void kv_op_modes(struct jw *w, const struct ag_op_modes *m)
{
	size_t i;

	if (!m->present)
		return;
	key(w, "op_modes");
	open_(w, "[");
	for (i = 0; i < m->n; i++) {
		sep(w);
		str(w, m->names[i]);
	}
	close_(w, "]");
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Key types and registers are named by tables; sort their names. */
static void mkvps(struct jw *w, const struct ag_mkvps *m)
{
	const char *names[AG_KT_COUNT + 1], *regs[AG_REG_COUNT];
	size_t n = 0, nr, i, j;
	int kt, r;

	if (ag_mk_origin_name(m->origin))
		names[n++] = "origin";
	for (kt = 0; kt < AG_KT_COUNT; kt++)
		if (ag_mkvps_has_key_type(m, kt))
			names[n++] = ag_key_type_name(kt);
	qsort(names, n, sizeof(*names), cmp_name);
	open_(w, "{");
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "origin") == 0) {
			kv_str(w, "origin", ag_mk_origin_name(m->origin));
			continue;
		}
		for (kt = 0; strcmp(ag_key_type_name(kt), names[i]) != 0; kt++)
			;
		key(w, names[i]);
		for (nr = 0, r = 0; r < AG_REG_COUNT; r++)
			if (m->reg[kt][r].state != AG_MK_ABSENT)
				regs[nr++] = ag_mk_reg_name(r);
		qsort(regs, nr, sizeof(*regs), cmp_name);
		open_(w, "{");
		for (j = 0; j < nr; j++) {
			const struct ag_mk_register *reg;

			for (r = 0; strcmp(ag_mk_reg_name(r), regs[j]) != 0; r++)
				;
			reg = &m->reg[kt][r];
			key(w, regs[j]);
			open_(w, "{");
			if (reg->mkvp[0])
				kv_str(w, "mkvp", reg->mkvp);
			kv_str(w, "state", ag_mk_state_name(reg->state));
			close_(w, "}");
		}
		close_(w, "}");
	}
	close_(w, "}");
}

static void card(struct jw *w, const struct ag_card *c)
{
	char num[24];

	open_(w, "{");
	kv_int(w, "adapter", (int)c->adapter);
	kv_tri(w, "chkstop", c->chkstop);
	kv_tri(w, "config", c->config);
	if (c->ep11.present) {
		key(w, "ep11");
		open_(w, "{");
		if (c->ep11.api_ordinal >= 0) {
			key(w, "api_ordinal");
			snprintf(num, sizeof(num), "%ld", c->ep11.api_ordinal);
			rawz(w, num);
		}
		kv_str(w, "firmware", c->ep11.firmware);
		kv_op_modes(w, &c->ep11.op_modes);
		close_(w, "}");
	}
	kv_functions(w, c->has_functions, c->functions);
	kv_int(w, "hwtype", c->hwtype);
	kv_str(w, "mode", ag_card_mode_name(c->mode));
	kv_tri(w, "online", c->online);
	kv_int(w, "raw_hwtype", c->raw_hwtype);
	kv_str(w, "serial", c->serial);
	kv_str(w, "type", c->type);
	close_(w, "}");
}

static void queue(struct jw *w, const struct ag_queue *q)
{
	char apqn[AG_APQN_LEN];

	open_(w, "{");
	ag_apqn_format(q->adapter, q->domain, apqn);
	kv_str(w, "apqn", apqn);
	if (q->assigned_to[0])
		kv_str(w, "assigned_to", q->assigned_to);
	kv_tri(w, "chkstop", q->chkstop);
	kv_tri(w, "config", q->config);
	kv_str(w, "driver", ag_queue_driver_name(q->driver));
	kv_functions(w, q->has_functions, q->functions);
	if (q->mkvps.present) {
		key(w, "mkvps");
		mkvps(w, &q->mkvps);
	}
	kv_tri(w, "online", q->online);
	kv_op_modes(w, &q->op_modes);
	kv_str(w, "status", q->status);
	close_(w, "}");
}

char *ag_descriptor_canonical(const struct ag_descriptor *d)
{
	struct jw w = { xmalloc(4096), 0, 4096, true };
	const char *from = ag_collected_from_name(d->collected.from);
	size_t i;

	open_(&w, "{");
	kv_int(&w, "apgate-descriptor", AG_DESCRIPTOR_VERSION);
	key(&w, "blocks");
	open_(&w, "[");
	for (i = 0; i < d->n_blocks; i++) {
		sep(&w);
		open_(&w, "{");
		kv_str(&w, "by", d->blocks[i].by);
		kv_str(&w, "reason", d->blocks[i].reason);
		kv_str(&w, "since", d->blocks[i].since);
		kv_str(&w, "until", d->blocks[i].until);
		close_(&w, "}");
	}
	close_(&w, "]");
	key(&w, "cards");
	open_(&w, "[");
	for (i = 0; i < d->n_cards; i++) {
		sep(&w);
		card(&w, &d->cards[i]);
	}
	close_(&w, "]");
	if (d->collected.at || from || d->collected.tool) {
		key(&w, "collected");
		open_(&w, "{");
		kv_str(&w, "at", d->collected.at);
		kv_str(&w, "from", from);
		kv_str(&w, "tool", d->collected.tool);
		close_(&w, "}");
	}
	if (d->guest.secure_execution != AG_TRI_UNSET) {
		key(&w, "guest");
		open_(&w, "{");
		kv_tri(&w, "secure_execution", d->guest.secure_execution);
		close_(&w, "}");
	}
	kv_str(&w, "host", d->host);
	if (d->host_labels.n) {	/* "host" < "host_labels" < "lpar" */
		key(&w, "host_labels");
		open_(&w, "{");
		for (i = 0; i < d->host_labels.n; i++) {
			sep(&w);
			str(&w, d->host_labels.items[i].key);
			raw(&w, ":", 1);
			str(&w, d->host_labels.items[i].value);
		}
		close_(&w, "}");
	}
	if (d->lpar.present) {
		key(&w, "lpar");
		open_(&w, "{");
		kv_idlist(&w, "adapters", &d->lpar.adapters);
		kv_idlist(&w, "control_domains", &d->lpar.control_domains);
		kv_idlist(&w, "usage_domains", &d->lpar.usage_domains);
		close_(&w, "}");
	}
	key(&w, "mdev");
	open_(&w, "{");
	kv_idlist(&w, "adapters", &d->mdev.adapters);
	kv_idlist(&w, "control_domains", &d->mdev.control_domains);
	kv_idlist(&w, "domains", &d->mdev.domains);
	if (d->mdev.has_guest_apqns) {
		char apqn[AG_APQN_LEN];

		key(&w, "guest_apqns");
		open_(&w, "[");
		for (i = 0; i < d->mdev.n_guest_apqns; i++) {
			sep(&w);
			ag_apqn_format(d->mdev.guest_apqns[i] / 256u,
				       d->mdev.guest_apqns[i] % 256u, apqn);
			str(&w, apqn);
		}
		close_(&w, "]");
	}
	kv_str(&w, "state", ag_mdev_state_name(d->mdev.state));
	kv_str(&w, "type", d->mdev.type);
	kv_str(&w, "uuid", d->mdev.uuid);
	close_(&w, "}");
	key(&w, "queues");
	open_(&w, "[");
	for (i = 0; i < d->n_queues; i++) {
		sep(&w);
		queue(&w, &d->queues[i]);
	}
	close_(&w, "]");
	close_(&w, "}");
	raw(&w, "", 0);		/* room for the NUL */
	w.s[w.len] = '\0';
	return w.s;
}

int ag_descriptor_digest(const struct ag_descriptor *d,
			 char out[AG_SHA256_HEX_LEN])
{
	char *s = ag_descriptor_canonical(d);
	int rc = ag_sha256_hex(s, strlen(s), out);

	free(s);
	return rc;
}
