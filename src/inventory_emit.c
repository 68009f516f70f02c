/* inventory_emit.c - struct ag_inventory out again: JSON with sorted keys
 * and YAML in the documented key order.
 *
 * The host's hardware is printed by the descriptor's own writers (the
 * descriptor JSON of inv->hw, the YAML parts of descriptor_yaml.h), so a
 * card or queue reads the same in a descriptor and in an inventory, and a
 * field added to one appears in both.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "descriptor_yaml.h"
#include "inventory.h"
#include "jsonsort.h"
#include "labels.h"
#include "util.h"

/* --- JSON --- */

static void add_str(json_object *o, const char *key, const char *val)
{
	if (val)
		json_object_object_add(o, key, json_object_new_string(val));
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

static json_object *mdev_json(const struct ag_inv_mdev *m)
{
	json_object *x = json_object_new_object();

	/* keys inserted in bytewise order */
	json_object_object_add(x, "adapters", idlist_json(&m->adapters));
	json_object_object_add(x, "control_domains",
			       idlist_json(&m->control_domains));
	json_object_object_add(x, "domains", idlist_json(&m->domains));
	add_str(x, "state", ag_mdev_state_name(m->state));
	add_str(x, "type", m->type);
	add_str(x, "uuid", m->uuid);
	return x;
}

static json_object *block_json(const struct ag_inv_block *b)
{
	json_object *x = json_object_new_object();

	add_str(x, "by", b->b.by);
	add_str(x, "mdev", b->mdev);
	add_str(x, "reason", b->b.reason);
	add_str(x, "since", b->b.since);
	add_str(x, "until", b->b.until);
	return x;
}

json_object *ag_inventory_to_json(const struct ag_inventory *inv)
{
	/* the descriptor JSON of hw, without what only descriptors have */
	json_object *o = ag_descriptor_to_json(inv->hw), *arr, *res;
	size_t i;

	json_object_object_del(o, "apgate-descriptor");
	json_object_object_del(o, "mdev");
	json_object_object_del(o, "guest");
	json_object_object_del(o, "blocks");
	json_object_object_add(o, "apgate-inventory",
			       json_object_new_int(AG_INVENTORY_VERSION));
	arr = json_object_new_array();
	for (i = 0; i < inv->n_mdevs; i++)
		json_object_array_add(arr, mdev_json(&inv->mdevs[i]));
	json_object_object_add(o, "mdevs", arr);
	arr = json_object_new_array();
	for (i = 0; i < inv->n_blocks; i++)
		json_object_array_add(arr, block_json(&inv->blocks[i]));
	json_object_object_add(o, "blocks", arr);
	/* every part below the top is in order already */
	res = ag_json_sorted_view(o);
	json_object_put(o);
	return res;
}

/* --- YAML --- */

static void word(struct ag_yemit *e, const char *s)
{
	ag_yemit_scalar(e, s, false);
}

static void kv_str(struct ag_yemit *e, const char *key, const char *val)
{
	if (!val)
		return;
	word(e, key);
	ag_yemit_scalar(e, val, true);
}

static void emit_mdevs(struct ag_yemit *e, const struct ag_inventory *inv)
{
	size_t i;

	word(e, "mdevs");
	ag_yemit_seq_start(e, !inv->n_mdevs);
	for (i = 0; i < inv->n_mdevs; i++) {
		const struct ag_inv_mdev *m = &inv->mdevs[i];

		ag_yemit_map_start(e, false);
		kv_str(e, "uuid", m->uuid);
		kv_str(e, "type", m->type);
		if (m->state) {
			word(e, "state");
			word(e, ag_mdev_state_name(m->state));
		}
		ag_yemit_idlist(e, "adapters", &m->adapters);
		ag_yemit_idlist(e, "domains", &m->domains);
		ag_yemit_idlist(e, "control_domains", &m->control_domains);
		ag_yemit_map_end(e);
	}
	ag_yemit_seq_end(e);
}

static void emit_blocks(struct ag_yemit *e, const struct ag_inventory *inv)
{
	size_t i;

	word(e, "blocks");
	ag_yemit_seq_start(e, !inv->n_blocks);
	for (i = 0; i < inv->n_blocks; i++) {
		ag_yemit_map_start(e, false);
		kv_str(e, "mdev", inv->blocks[i].mdev);
		ag_yemit_desc_block_fields(e, &inv->blocks[i].b);
		ag_yemit_map_end(e);
	}
	ag_yemit_seq_end(e);
}

int ag_inventory_emit_yaml(const struct ag_inventory *inv, FILE *out,
			   struct ag_error *err)
{
	struct ag_yemit e;
	char version[16];

	if (ag_yemit_open(&e, out, err) < 0)
		return -1;
	snprintf(version, sizeof(version), "%d", AG_INVENTORY_VERSION);
	ag_yemit_map_start(&e, false);
	word(&e, "apgate-inventory");
	word(&e, version);
	kv_str(&e, "host", inv->hw->host);
	ag_labels_emit_yaml(&e, "host_labels", &inv->hw->host_labels);
	ag_yemit_desc_collected(&e, inv->hw);
	ag_yemit_desc_lpar(&e, inv->hw);
	ag_yemit_desc_cards(&e, inv->hw);
	ag_yemit_desc_queues(&e, inv->hw);
	emit_mdevs(&e, inv);
	emit_blocks(&e, inv);
	ag_yemit_map_end(&e);
	return ag_yemit_close(&e, err);
}
