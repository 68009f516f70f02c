/* test_inventory.c - the host inventory: loading a good file field by
 * field, lookups, JSON and YAML round trips, refusals with their exact
 * message (structure, mdevs, blocks, shared card/queue rules, whole-file
 * rules, bounds), the model's own checks, and the loader that tells
 * descriptors and inventories apart. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "labels.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

#define GOOD "tests/data/inventories/good/lpar-b.yaml"
#define U1 "62177883-f1bb-47f0-914d-32a22e3a8804"
#define U2 "1a0e2b8c-6d3f-4e57-9b21-0c4d5e6f7a8b"
#define HEAD "apgate-inventory: 1\nhost: h\n"

static struct ag_inventory *load_good(void)
{
	struct ag_inventory *inv = NULL;
	struct ag_error err = { "" };

	ck_assert_msg(ag_inventory_load_file(test_path(GOOD), &inv, &err) == 0,
		      "%s", err.msg);
	return inv;
}

static void load_err(const char *text, const char *want)
{
	struct ag_inventory *inv = (struct ag_inventory *)1;
	struct ag_error err = { "" };

	ck_assert_msg(ag_inventory_load_buffer("t.yaml", text, strlen(text),
					       &inv, &err) == -1,
		      "loaded: %s", text);
	ck_assert_ptr_null(inv);
	ck_assert_str_eq(err.msg, want);
}

START_TEST(test_load_good)
{
	struct ag_inventory *inv = load_good();
	const struct ag_descriptor *hw = inv->hw;
	const struct ag_inv_mdev *m;
	const struct ag_queue *q;
	const struct ag_card *c;

	ck_assert_int_eq(inv->version, 1);
	ck_assert_str_eq(hw->host, "lpar-b.example.com");
	ck_assert_uint_eq(hw->host_labels.n, 2);
	ck_assert_str_eq(ag_labels_get(&hw->host_labels, "tenant"), "acme corp");
	ck_assert_str_eq(ag_labels_get(&hw->host_labels, "zone"), "b");
	ck_assert_str_eq(hw->collected.at, "2026-11-22T09:15:00Z");
	ck_assert_int_eq(hw->collected.from, AG_FROM_SYSFS);
	ck_assert(hw->lpar.present);
	ck_assert_uint_eq(ag_idset_count(&hw->lpar.usage_domains), 3);
	ck_assert(ag_idset_has(&hw->lpar.control_domains, 0xab));
	/* cards and queues sorted, whatever the file's order */
	ck_assert_uint_eq(hw->n_cards, 2);
	ck_assert_uint_eq(hw->cards[0].adapter, 5);
	ck_assert_uint_eq(hw->n_queues, 5);
	ck_assert_uint_eq(hw->queues[0].domain, 1);
	c = ag_inventory_card(inv, 6);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->mode, AG_MODE_EP11);
	ck_assert_int_eq(c->ep11.api_ordinal, 7);
	ck_assert_ptr_null(ag_inventory_card(inv, 7));
	q = ag_inventory_queue(inv, 5, 1);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(q->driver, AG_DRIVER_CEX4QUEUE);
	ck_assert(q->mkvps.present);
	ck_assert_str_eq(q->mkvps.reg[AG_KT_AES][AG_REG_CUR].mkvp,
			 "0x1a2b3c4d5e6f7081");
	ck_assert_str_eq(q->assigned_to, "");
	ck_assert_str_eq(ag_inventory_queue(inv, 5, 0xab)->assigned_to, U1);
	ck_assert_str_eq(ag_inventory_queue(inv, 6, 4)->assigned_to, U2);
	q = ag_inventory_queue(inv, 6, 0xab);
	ck_assert_str_eq(q->status, "unassigned");
	ck_assert_str_eq(q->assigned_to, "");
	ck_assert_ptr_null(ag_inventory_queue(inv, 6, 1));
	/* mdevs sorted by uuid, upper case stored lower */
	ck_assert_uint_eq(inv->n_mdevs, 2);
	ck_assert_str_eq(inv->mdevs[0].uuid, U2);
	m = ag_inventory_mdev(inv, "62177883-F1BB-47F0-914D-32A22E3A8804");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->uuid, U1);
	ck_assert_int_eq(m->state, AG_MDEV_ACTIVE);
	ck_assert_str_eq(m->type, "vfio_ap-passthrough");
	ck_assert_uint_eq(ag_idset_count(&m->domains), 2);
	ck_assert(ag_idset_has(&m->control_domains, 4));
	m = ag_inventory_mdev(inv, U2);
	ck_assert_int_eq(m->state, AG_MDEV_DEFINED);
	ck_assert_uint_eq(ag_idset_count(&m->control_domains), 0);
	ck_assert_ptr_null(ag_inventory_mdev(inv, "not-a-uuid"));
	ck_assert_uint_eq(inv->n_blocks, 1);
	ck_assert_str_eq(inv->blocks[0].mdev, U1);
	ck_assert_str_eq(inv->blocks[0].b.reason, "master key change window");
	ck_assert_str_eq(inv->blocks[0].b.by, "ops");
	ag_inventory_free(inv);
}
END_TEST

static char *json_text(const struct ag_inventory *inv)
{
	json_object *o = ag_inventory_to_json(inv);
	char *s = xstrdup(json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

START_TEST(test_roundtrip)
{
	struct ag_inventory *inv = load_good(), *back = NULL;
	struct ag_error err = { "" };
	char *json = json_text(inv), *json2, *yaml = NULL;
	size_t len = 0;
	FILE *f;

	/* keys sorted at every level; top level starts with the version */
	ck_assert_msg(strncmp(json, "{\"apgate-inventory\":1,\"blocks\":[{"
			      "\"by\":\"ops\",\"mdev\":\"" U1 "\"", 60) == 0,
		      "%s", json);
	ck_assert_ptr_null(strstr(json, "\"apgate-descriptor\""));
	ck_assert_ptr_null(strstr(json, "\"mdev\":{"));
	ck_assert_ptr_nonnull(strstr(json, "{\"adapters\":[6],"
		"\"control_domains\":[],\"domains\":[4],\"state\":\"defined\","
		"\"type\":\"vfio_ap-passthrough\",\"uuid\":\"" U2 "\"}"));
	/* JSON back in: the same inventory */
	ck_assert_int_eq(ag_inventory_load_buffer("j", json, strlen(json),
						  &back, &err), 0);
	json2 = json_text(back);
	ck_assert_str_eq(json, json2);
	ag_inventory_free(back);
	free(json2);
	/* YAML back in: the same inventory */
	f = open_memstream(&yaml, &len);
	ck_assert_int_eq(ag_inventory_emit_yaml(inv, f, &err), 0);
	fclose(f);
	ck_assert_msg(strncmp(yaml, "apgate-inventory: 1\nhost: "
			      "\"lpar-b.example.com\"\n", 46) == 0, "%s", yaml);
	ck_assert_int_eq(ag_inventory_load_buffer("y", yaml, len, &back,
						  &err), 0);
	json2 = json_text(back);
	ck_assert_str_eq(json, json2);
	ag_inventory_free(back);
	free(json2);
	free(yaml);
	free(json);
	ag_inventory_free(inv);
}
END_TEST

START_TEST(test_errors_structure)
{
	load_err("", "t.yaml: the file is empty; expected a host inventory "
		 "(a mapping with apgate-inventory: 1)");
	load_err("[1]\n", "t.yaml:1:1: inventory: expected a mapping, found a "
		 "list");
	load_err("host: h\n", "t.yaml:1:1: missing required key "
		 "\"apgate-inventory\" in the inventory");
	load_err("apgate-inventory: 2\n", "t.yaml:1:19: unsupported inventory "
		 "version 2, this apgate reads 1");
	load_err("apgate-inventory: \"1\"\n", "t.yaml:1:19: apgate-inventory: "
		 "expected the integer 1, found the string \"1\"");
	load_err("apgate-inventory: 1\n", "t.yaml:1:1: missing required key "
		 "\"host\" in the inventory");
	load_err(HEAD "mdev: {}\n", "t.yaml:3:1: unknown key \"mdev\" in the "
		 "inventory (allowed: apgate-inventory, host, host_labels, "
		 "collected, lpar, "
		 "cards, queues, mdevs, blocks); if another host wrote this "
		 "inventory, it may run a newer apgate than this one");
	/* the labels rule of descriptors and apgate.yaml */
	load_err(HEAD "host_labels: {Zone: a}\n", "t.yaml:3:15: host_labels: "
		 "expected a label key: 1..63 characters of a-z, 0-9, '.', '_', "
		 "'/', '-', starting with a-z or 0-9, found \"Zone\"");
	load_err(HEAD "mdevs: {}\n", "t.yaml:3:8: mdevs: expected a list of "
		 "mdevs, found a mapping");
}
END_TEST

START_TEST(test_errors_mdevs)
{
	load_err(HEAD "mdevs:\n- {state: active}\n", "t.yaml:4:3: missing "
		 "required key \"uuid\" in mdevs[0]");
	load_err(HEAD "mdevs:\n- {uuid: 1234, state: active}\n",
		 "t.yaml:4:10: mdevs[0].uuid: expected a UUID like "
		 "\"62177883-f1bb-47f0-914d-32a22e3a8804\", found the integer "
		 "1234 (quote it)");
	load_err(HEAD "mdevs:\n- {uuid: " U1 "}\n", "t.yaml:4:3: missing "
		 "required key \"state\" in mdevs[0]");
	/* planned mdevs exist only in placements */
	load_err(HEAD "mdevs:\n- {uuid: " U1 ", state: planned}\n",
		 "t.yaml:4:55: mdevs[0].state: expected one of active, "
		 "defined, found the string \"planned\"");
	load_err(HEAD "mdevs:\n- {uuid: " U1 ", state: active, domains: "
		 "[1, 0x01]}\n", "t.yaml:4:76: mdevs[0].domains[1]: domain "
		 "0x01 is listed twice (first at line 4, column 73)");
	load_err(HEAD "mdevs:\n- {uuid: " U1 ", state: active, colour: red}\n",
		 "t.yaml:4:63: unknown key \"colour\" in mdevs[0] (allowed: "
		 "uuid, type, state, adapters, domains, control_domains); if "
		 "another host wrote this inventory, it may run a newer apgate "
		 "than this one");
	/* the same mdev twice, even written in another case */
	load_err(HEAD "mdevs:\n- {uuid: " U1 ", state: active}\n"
		 "- {uuid: " U2 ", state: defined}\n"
		 "- {uuid: 62177883-F1BB-47F0-914D-32A22E3A8804, state: "
		 "defined}\n", "t.yaml:6:10: mdevs[2].uuid: mdev " U1 " is "
		 "listed twice (first at line 4, column 10)");
}
END_TEST

START_TEST(test_errors_hw_and_blocks)
{
	/* cards and queues fail exactly as in descriptors */
	load_err(HEAD "cards:\n- {adapter: 5, mode: cc}\n", "t.yaml:4:22: "
		 "cards[0].mode: expected one of cca, ep11, accel, found the "
		 "string \"cc\"");
	load_err(HEAD "cards:\n- {adapter: 5}\n- {adapter: 0x05}\n",
		 "t.yaml:5:13: cards[1].adapter: card 05 is listed twice "
		 "(first at line 4, column 13)");
	load_err(HEAD "queues:\n- {apqn: 5.4}\n", "t.yaml:4:10: queues[0].apqn: "
		 "expected an APQN string like \"05.0004\", found the number 5.4 "
		 "(quote it)");
	load_err(HEAD "cards:\n- {adapter: 5}\nqueues:\n- {apqn: \"05.0004\", "
		 "driver: vfio}\n", "t.yaml:6:29: queues[0].driver: expected "
		 "one of vfio_ap, cex4queue, none, found the string \"vfio\"");
	load_err(HEAD "lpar: {adapters: [256]}\n", "t.yaml:3:19: "
		 "lpar.adapters[0]: 256 is out of range 0..255");
	/* every queue belongs to a card */
	load_err(HEAD "cards:\n- {adapter: 5}\nqueues:\n- {apqn: \"05.0004\"}\n"
		 "- {apqn: \"07.0004\"}\n", "t.yaml:7:10: queues[1]: queue "
		 "07.0004 has no card 07 in cards (every queue belongs to a "
		 "card)");
	/* assigned_to names a listed mdev that holds the queue */
	load_err(HEAD "cards:\n- {adapter: 5}\nqueues:\n- {apqn: \"05.0004\", "
		 "assigned_to: " U1 "}\n", "t.yaml:6:10: queues[0]: queue "
		 "05.0004 is assigned_to " U1 ", which is not among the mdevs");
	load_err(HEAD "cards:\n- {adapter: 5}\nqueues:\n- {apqn: \"05.0004\", "
		 "assigned_to: " U1 "}\nmdevs:\n- {uuid: " U1 ", state: active, "
		 "adapters: [5], domains: [5]}\n", "t.yaml:6:10: queues[0]: queue "
		 "05.0004 is assigned_to " U1 ", whose adapters x domains do not "
		 "hold it");
	/* blocks name their mdev */
	load_err(HEAD "blocks:\n- {reason: x}\n", "t.yaml:4:3: missing required "
		 "key \"mdev\" in blocks[0]");
	load_err(HEAD "blocks:\n- {mdev: " U1 "}\n", "t.yaml:4:3: missing "
		 "required key \"reason\" in blocks[0]");
	load_err(HEAD "blocks:\n- {mdev: " U1 ", reason: x, since: "
		 "\"2026-11-22T10:00:00Z\", until: \"2026-11-22T09:00:00Z\"}\n",
		 "t.yaml:4:97: blocks[0].until: must be later than since "
		 "(2026-11-22T10:00:00Z)");
}
END_TEST

/* A list longer than the bound is refused before its items are read. */
START_TEST(test_bounds)
{
	size_t n = AG_INVENTORY_MAX_MDEVS + 1, i, used;
	size_t cap = n * 64 + 64;
	char *text = xcalloc(cap, 1);

	used = (size_t)snprintf(text, cap, HEAD "mdevs:\n");
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, cap - used,
					 "- {uuid: x, state: active}\n");
	load_err(text, "t.yaml:4:1: mdevs: expected at most 4096 mdevs, found "
		 "4097");
	free(text);
}
END_TEST

/* The model's own rules, for inventories built without the loader. */
START_TEST(test_check_model)
{
	struct ag_inventory *inv = ag_inventory_new();
	struct ag_error err = { "" };

	ck_assert_int_eq(ag_inventory_check(inv, "m", &err), -1);
	ck_assert_str_eq(err.msg, "m: host is missing");
	inv->hw->host = xstrdup("h");
	ag_descriptor_add_queue(inv->hw, 5, 4);
	ck_assert_int_eq(ag_inventory_check(inv, "m", &err), -1);
	ck_assert_str_eq(err.msg, "m: queue 05.0004 has no card 05 in cards");
	ag_descriptor_add_card(inv->hw, 5);
	ag_inventory_add_mdev(inv, U1)->state = AG_MDEV_ACTIVE;
	ag_inventory_add_mdev(inv, U2)->state = AG_MDEV_DEFINED;
	ag_inventory_normalize(inv);
	ck_assert_int_eq(ag_inventory_check(inv, "m", &err), 0);
	ck_assert_str_eq(inv->mdevs[0].uuid, U2);
	memcpy(inv->hw->queues[0].assigned_to, U2, sizeof(U2));
	ck_assert_int_eq(ag_inventory_check(inv, "m", &err), -1);
	ck_assert_str_eq(err.msg, "m: queue 05.0004 is assigned_to " U2 ", which "
			 "does not hold it");
	ag_idset_add(&inv->mdevs[0].adapters, 5);
	ag_idset_add(&inv->mdevs[0].domains, 4);
	ck_assert_int_eq(ag_inventory_check(inv, "m", &err), 0);
	ag_inventory_add_mdev(inv, "62177883-F1BB-47F0-914D-32A22E3A8804")
		->state = AG_MDEV_ACTIVE;
	ag_inventory_normalize(inv);
	ck_assert_int_eq(ag_inventory_check(inv, "m", &err), -1);
	ck_assert_str_eq(err.msg, "m: mdev " U1 " is listed twice");
	ag_inventory_free(inv);
}
END_TEST

Suite *suite_inventory(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_load_good);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_errors_structure);
	tcase_add_test(tc, test_errors_mdevs);
	tcase_add_test(tc, test_errors_hw_and_blocks);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_check_model);
	suite_add_tcase(s, tc);
	return s;
}
