/* descriptor_emit.c - struct ag_descriptor out again: JSON in canonical
 * form (descriptor_canon.c writes the same text directly for digests) and
 * YAML in the documented key order.
 *
 * The canonical form must not depend on how the input was written: the
 * loader normalises values (lowercase UUID and MKVPs, UTC times, sorted
 * lists) and this file sorts every object's keys bytewise, prints without
 * whitespace and omits unset fields.  Absent and empty lists load alike,
 * so lists are always printed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "descriptor.h"
#include "descriptor_yaml.h"
#include "jsonsort.h"
#include "yamlemit.h"
#include "util.h"

/* --- JSON --- */

static void add_str(json_object *o, const char *key, const char *val)
{
	if (val)
		json_object_object_add(o, key, json_object_new_string(val));
}

static void add_tri(json_object *o, const char *key, enum ag_tri t)
{
	if (t != AG_TRI_UNSET)
		json_object_object_add(
			o, key, json_object_new_boolean(t == AG_TRI_TRUE));
}

static void add_int(json_object *o, const char *key, int v)
{
	if (v >= 0)
		json_object_object_add(o, key, json_object_new_int(v));
}

static json_object *idlist_json(const struct ag_idset *set)
{
	json_object *a = json_object_new_array();
	int id;

	for (id = ag_idset_next(set, 0); id >= 0;
	     id = ag_idset_next(set, (unsigned)id + 1))
		json_object_array_add(a, json_object_new_int(id));
	return a;
}

static json_object *op_modes_json(const struct ag_op_modes *m)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < m->n; i++)
		json_object_array_add(a, json_object_new_string(m->names[i]));
	return a;
}

static json_object *guest_apqns_json(const struct ag_descriptor *d)
{
	json_object *a = json_object_new_array();
	char apqn[AG_APQN_LEN];
	size_t i;

	for (i = 0; i < d->mdev.n_guest_apqns; i++) {
		ag_apqn_format(d->mdev.guest_apqns[i] / 256u,
			       d->mdev.guest_apqns[i] % 256u, apqn);
		json_object_array_add(a, json_object_new_string(apqn));
	}
	return a;
}

static void add_functions(json_object *o, bool has, uint32_t f)
{
	char fn[16];

	if (!has)
		return;
	snprintf(fn, sizeof(fn), "0x%08X", (unsigned)f);
	add_str(o, "functions", fn);
}

static json_object *mkvps_json(const struct ag_mkvps *m)
{
	json_object *o = json_object_new_object();
	int kt, r;

	add_str(o, "origin", ag_mk_origin_name(m->origin));
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		json_object *k;

		if (!ag_mkvps_has_key_type(m, kt))
			continue;
		k = json_object_new_object();
		for (r = 0; r < AG_REG_COUNT; r++) {
			const struct ag_mk_register *reg = &m->reg[kt][r];
			json_object *ro;

			if (reg->state == AG_MK_ABSENT)
				continue;
			ro = json_object_new_object();
			add_str(ro, "state", ag_mk_state_name(reg->state));
			if (reg->mkvp[0])
				add_str(ro, "mkvp", reg->mkvp);
			json_object_object_add(k, ag_mk_reg_name(r), ro);
		}
		json_object_object_add(o, ag_key_type_name(kt), k);
	}
	return o;
}

json_object *ag_descriptor_to_json(const struct ag_descriptor *d)
{
	json_object *o = json_object_new_object(), *x, *arr, *res;
	size_t i;

	json_object_object_add(o, "apgate-descriptor",
			       json_object_new_int(AG_DESCRIPTOR_VERSION));
	add_str(o, "host", d->host);
	if (d->host_labels.n)
		json_object_object_add(o, "host_labels",
				       ag_labels_to_json(&d->host_labels));

	x = json_object_new_object();
	add_str(x, "at", d->collected.at);
	add_str(x, "from", ag_collected_from_name(d->collected.from));
	add_str(x, "tool", d->collected.tool);
	if (json_object_object_length(x))
		json_object_object_add(o, "collected", x);
	else
		json_object_put(x);

	x = json_object_new_object();
	add_str(x, "uuid", d->mdev.uuid);
	add_str(x, "type", d->mdev.type);
	add_str(x, "state", ag_mdev_state_name(d->mdev.state));
	json_object_object_add(x, "adapters", idlist_json(&d->mdev.adapters));
	json_object_object_add(x, "domains", idlist_json(&d->mdev.domains));
	json_object_object_add(x, "control_domains",
			       idlist_json(&d->mdev.control_domains));
	if (d->mdev.has_guest_apqns)
		json_object_object_add(x, "guest_apqns", guest_apqns_json(d));
	json_object_object_add(o, "mdev", x);

	if (d->lpar.present) {
		x = json_object_new_object();
		json_object_object_add(x, "adapters",
				       idlist_json(&d->lpar.adapters));
		json_object_object_add(x, "usage_domains",
				       idlist_json(&d->lpar.usage_domains));
		json_object_object_add(x, "control_domains",
				       idlist_json(&d->lpar.control_domains));
		json_object_object_add(o, "lpar", x);
	}
	if (d->guest.secure_execution != AG_TRI_UNSET) {
		x = json_object_new_object();
		add_tri(x, "secure_execution", d->guest.secure_execution);
		json_object_object_add(o, "guest", x);
	}

	arr = json_object_new_array();
	for (i = 0; i < d->n_cards; i++) {
		const struct ag_card *c = &d->cards[i];

		x = json_object_new_object();
		add_int(x, "adapter", (int)c->adapter);
		add_str(x, "type", c->type);
		add_int(x, "hwtype", c->hwtype);
		add_int(x, "raw_hwtype", c->raw_hwtype);
		add_str(x, "mode", ag_card_mode_name(c->mode));
		add_functions(x, c->has_functions, c->functions);
		add_str(x, "serial", c->serial);
		add_tri(x, "config", c->config);
		add_tri(x, "online", c->online);
		add_tri(x, "chkstop", c->chkstop);
		if (c->ep11.present) {
			json_object *e = json_object_new_object();

			if (c->ep11.api_ordinal >= 0)
				json_object_object_add(e, "api_ordinal",
					json_object_new_int64(
						c->ep11.api_ordinal));
			add_str(e, "firmware", c->ep11.firmware);
			if (c->ep11.op_modes.present)
				json_object_object_add(e, "op_modes",
					op_modes_json(&c->ep11.op_modes));
			json_object_object_add(x, "ep11", e);
		}
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "cards", arr);

	arr = json_object_new_array();
	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];
		char apqn[AG_APQN_LEN];

		x = json_object_new_object();
		ag_apqn_format(q->adapter, q->domain, apqn);
		add_str(x, "apqn", apqn);
		if (q->assigned_to[0])
			add_str(x, "assigned_to", q->assigned_to);
		add_tri(x, "config", q->config);
		add_tri(x, "online", q->online);
		add_tri(x, "chkstop", q->chkstop);
		add_str(x, "driver", ag_queue_driver_name(q->driver));
		add_str(x, "status", q->status);
		add_functions(x, q->has_functions, q->functions);
		if (q->op_modes.present)
			json_object_object_add(x, "op_modes",
					       op_modes_json(&q->op_modes));
		if (q->mkvps.present)
			json_object_object_add(x, "mkvps",
					       mkvps_json(&q->mkvps));
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "queues", arr);

	arr = json_object_new_array();
	for (i = 0; i < d->n_blocks; i++) {
		const struct ag_block *b = &d->blocks[i];

		x = json_object_new_object();
		add_str(x, "reason", b->reason);
		add_str(x, "since", b->since);
		add_str(x, "until", b->until);
		add_str(x, "by", b->by);
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "blocks", arr);

	res = ag_json_sorted(o);
	json_object_put(o);
	return res;
}

/* --- YAML --- */

/* Keys and enum words cannot be mis-resolved: plain. */
static void word(struct ag_yemit *e, const char *s)
{
	ag_yemit_scalar(e, s, false);
}

/* Every free-text or structured string is double-quoted, so that APQNs,
 * function words, patterns and times never read back as numbers. */
static void kv_str(struct ag_yemit *e, const char *key, const char *val)
{
	if (!val)
		return;
	word(e, key);
	ag_yemit_scalar(e, val, true);
}

static void kv_word(struct ag_yemit *e, const char *key, const char *val)
{
	if (!val)
		return;
	word(e, key);
	word(e, val);
}

static void kv_int(struct ag_yemit *e, const char *key, int v)
{
	char buf[16];

	if (v < 0)
		return;
	snprintf(buf, sizeof(buf), "%d", v);
	kv_word(e, key, buf);
}

/* Adapter and domain numbers in hex, as lszcrypt, sysfs, the examples
 * and the documentation write them ("0x47", not 71). */
static void kv_id(struct ag_yemit *e, const char *key, unsigned id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%02x", id);
	kv_word(e, key, buf);
}

static void kv_tri(struct ag_yemit *e, const char *key, enum ag_tri t)
{
	kv_word(e, key, ag_tri_name(t));
}

static void kv_idlist(struct ag_yemit *e, const char *key,
		      const struct ag_idset *set)
{
	int id;

	word(e, key);
	ag_yemit_seq_start(e, true);
	for (id = ag_idset_next(set, 0); id >= 0;
	     id = ag_idset_next(set, (unsigned)id + 1)) {
		char buf[16];

		snprintf(buf, sizeof(buf), "0x%02x", (unsigned)id);
		word(e, buf);
	}
	ag_yemit_seq_end(e);
}

static void kv_functions(struct ag_yemit *e, bool has, uint32_t f)
{
	char fn[16];

	if (!has)
		return;
	snprintf(fn, sizeof(fn), "0x%08X", (unsigned)f);
	kv_str(e, "functions", fn);
}

static void kv_op_modes(struct ag_yemit *e, const struct ag_op_modes *m)
{
	size_t i;

	if (!m->present)
		return;
	word(e, "op_modes");
	ag_yemit_seq_start(e, true);
	for (i = 0; i < m->n; i++)
		ag_yemit_scalar(e, m->names[i], true);
	ag_yemit_seq_end(e);
}

static void emit_mkvps(struct ag_yemit *e, const struct ag_mkvps *m)
{
	static const enum ag_mk_reg cca_order[] = {
		AG_REG_NEW, AG_REG_CUR, AG_REG_OLD,
	};
	static const enum ag_mk_reg wk_order[] = { AG_REG_CUR, AG_REG_NEW };
	int kt;
	size_t i;

	word(e, "mkvps");
	ag_yemit_map_start(e, false);
	kv_word(e, "origin", ag_mk_origin_name(m->origin));
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		const enum ag_mk_reg *order = kt == AG_KT_WK ? wk_order :
					      cca_order;
		size_t n = kt == AG_KT_WK ? AG_ARRAY_SIZE(wk_order) :
			   AG_ARRAY_SIZE(cca_order);

		if (!ag_mkvps_has_key_type(m, kt))
			continue;
		word(e, ag_key_type_name(kt));
		ag_yemit_map_start(e, true);
		for (i = 0; i < n; i++) {
			const struct ag_mk_register *reg =
				&m->reg[kt][order[i]];

			if (reg->state == AG_MK_ABSENT)
				continue;
			word(e, ag_mk_reg_name(order[i]));
			ag_yemit_map_start(e, true);
			kv_word(e, "state", ag_mk_state_name(reg->state));
			if (reg->mkvp[0])
				kv_str(e, "mkvp", reg->mkvp);
			ag_yemit_map_end(e);
		}
		ag_yemit_map_end(e);
	}
	ag_yemit_map_end(e);
}

/* The pieces of a descriptor the inventory writer shares
 * (descriptor_yaml.h). */
void ag_yemit_desc_collected(struct ag_yemit *e, const struct ag_descriptor *d)
{
	if (!d->collected.at && !d->collected.from && !d->collected.tool)
		return;
	word(e, "collected");
	ag_yemit_map_start(e, false);
	kv_str(e, "at", d->collected.at);
	kv_word(e, "from", ag_collected_from_name(d->collected.from));
	kv_str(e, "tool", d->collected.tool);
	ag_yemit_map_end(e);
}

void ag_yemit_desc_lpar(struct ag_yemit *e, const struct ag_descriptor *d)
{
	if (!d->lpar.present)
		return;
	word(e, "lpar");
	ag_yemit_map_start(e, false);
	kv_idlist(e, "adapters", &d->lpar.adapters);
	kv_idlist(e, "usage_domains", &d->lpar.usage_domains);
	kv_idlist(e, "control_domains", &d->lpar.control_domains);
	ag_yemit_map_end(e);
}

void ag_yemit_desc_cards(struct ag_yemit *e, const struct ag_descriptor *d)
{
	size_t i;

	word(e, "cards");
	ag_yemit_seq_start(e, !d->n_cards);
	for (i = 0; i < d->n_cards; i++) {
		const struct ag_card *c = &d->cards[i];

		ag_yemit_map_start(e, false);
		kv_id(e, "adapter", c->adapter);
		kv_str(e, "type", c->type);
		kv_int(e, "hwtype", c->hwtype);
		kv_int(e, "raw_hwtype", c->raw_hwtype);
		kv_word(e, "mode", ag_card_mode_name(c->mode));
		kv_functions(e, c->has_functions, c->functions);
		kv_str(e, "serial", c->serial);
		kv_tri(e, "config", c->config);
		kv_tri(e, "online", c->online);
		kv_tri(e, "chkstop", c->chkstop);
		if (c->ep11.present) {
			word(e, "ep11");
			ag_yemit_map_start(e, true);
			if (c->ep11.api_ordinal >= 0) {
				char buf[24];

				snprintf(buf, sizeof(buf), "%ld",
					 c->ep11.api_ordinal);
				kv_word(e, "api_ordinal", buf);
			}
			kv_str(e, "firmware", c->ep11.firmware);
			kv_op_modes(e, &c->ep11.op_modes);
			ag_yemit_map_end(e);
		}
		ag_yemit_map_end(e);
	}
	ag_yemit_seq_end(e);
}

void ag_yemit_desc_queues(struct ag_yemit *e, const struct ag_descriptor *d)
{
	size_t i;

	word(e, "queues");
	ag_yemit_seq_start(e, !d->n_queues);
	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];
		char apqn[AG_APQN_LEN];

		ag_apqn_format(q->adapter, q->domain, apqn);
		ag_yemit_map_start(e, false);
		kv_str(e, "apqn", apqn);
		kv_tri(e, "config", q->config);
		kv_tri(e, "online", q->online);
		kv_tri(e, "chkstop", q->chkstop);
		kv_word(e, "driver", ag_queue_driver_name(q->driver));
		kv_str(e, "status", q->status);
		if (q->assigned_to[0])
			kv_str(e, "assigned_to", q->assigned_to);
		kv_functions(e, q->has_functions, q->functions);
		kv_op_modes(e, &q->op_modes);
		if (q->mkvps.present)
			emit_mkvps(e, &q->mkvps);
		ag_yemit_map_end(e);
	}
	ag_yemit_seq_end(e);
}

void ag_yemit_desc_block_fields(struct ag_yemit *e, const struct ag_block *b)
{
	kv_str(e, "reason", b->reason);
	kv_str(e, "since", b->since);
	kv_str(e, "until", b->until);
	kv_str(e, "by", b->by);
}

void ag_yemit_idlist(struct ag_yemit *e, const char *key,
		     const struct ag_idset *set)
{
	kv_idlist(e, key, set);
}

static void emit_descriptor(struct ag_yemit *e, const struct ag_descriptor *d)
{
	size_t i;

	ag_yemit_map_start(e, false);
	kv_int(e, "apgate-descriptor", AG_DESCRIPTOR_VERSION);
	kv_str(e, "host", d->host);
	ag_labels_emit_yaml(e, "host_labels", &d->host_labels);
	ag_yemit_desc_collected(e, d);

	word(e, "mdev");
	ag_yemit_map_start(e, false);
	kv_str(e, "uuid", d->mdev.uuid);
	kv_str(e, "type", d->mdev.type);
	kv_word(e, "state", ag_mdev_state_name(d->mdev.state));
	kv_idlist(e, "adapters", &d->mdev.adapters);
	kv_idlist(e, "domains", &d->mdev.domains);
	kv_idlist(e, "control_domains", &d->mdev.control_domains);
	if (d->mdev.has_guest_apqns) {
		word(e, "guest_apqns");
		ag_yemit_seq_start(e, true);
		for (i = 0; i < d->mdev.n_guest_apqns; i++) {
			char apqn[AG_APQN_LEN];

			ag_apqn_format(d->mdev.guest_apqns[i] / 256u,
				       d->mdev.guest_apqns[i] % 256u, apqn);
			ag_yemit_scalar(e, apqn, true);
		}
		ag_yemit_seq_end(e);
	}
	ag_yemit_map_end(e);

	ag_yemit_desc_lpar(e, d);
	if (d->guest.secure_execution != AG_TRI_UNSET) {
		word(e, "guest");
		ag_yemit_map_start(e, false);
		kv_tri(e, "secure_execution", d->guest.secure_execution);
		ag_yemit_map_end(e);
	}

	ag_yemit_desc_cards(e, d);
	ag_yemit_desc_queues(e, d);

	word(e, "blocks");
	ag_yemit_seq_start(e, !d->n_blocks);
	for (i = 0; i < d->n_blocks; i++) {
		const struct ag_block *b = &d->blocks[i];

		ag_yemit_map_start(e, false);
		ag_yemit_desc_block_fields(e, b);
		ag_yemit_map_end(e);
	}
	ag_yemit_seq_end(e);
	ag_yemit_map_end(e);
}

int ag_descriptor_emit_yaml(const struct ag_descriptor *d, FILE *out,
			    struct ag_error *err)
{
	struct ag_yemit e;

	if (ag_yemit_open(&e, out, err) < 0)
		return -1;
	emit_descriptor(&e, d);
	return ag_yemit_close(&e, err);
}
