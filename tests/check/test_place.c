/* test_place.c - the placement pieces below the command: the per-pair
 * target (existing mdev with the guest's UUID vs planned mdev; cards,
 * queues, blocks and labels from the inventory) and the result (sorting,
 * lookups, summary, JSON round trip of a pair). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "place.h"
#include "suites.h"
#include "testutil.h"

#define D "tests/data/place/"
#define WEB_UUID "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93"

static struct ag_inventory *load_inv(const char *rel)
{
	struct ag_inventory *inv = NULL;
	struct ag_error err;

	ck_assert_msg(ag_inventory_load_file(test_path(rel), &inv, &err) == 0,
		      "%s", err.msg);
	return inv;
}

START_TEST(existing_mdev_is_the_target)
{
	struct ag_descriptor *g = test_load_descriptor(D "guests/web.yaml");
	struct ag_inventory *inv = load_inv(D "hosts/lpar-b.yaml");
	struct ag_descriptor *t = NULL;
	struct ag_error err;

	ck_assert_msg(ag_place_target(g, inv, &t, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(t->host, "lpar-b.example.com");
	ck_assert_str_eq(t->mdev.uuid, WEB_UUID);
	ck_assert_int_eq(t->mdev.state, AG_MDEV_DEFINED);	/* its real state */
	ck_assert_uint_eq(t->n_cards, 2);
	ck_assert_uint_eq(t->n_queues, 2);
	ck_assert_str_eq(ag_descriptor_queue(t, 5, 4)->assigned_to, WEB_UUID);
	ck_assert(t->lpar.present);
	ag_descriptor_free(t);
	ag_inventory_free(inv);
	ag_descriptor_free(g);
}
END_TEST

START_TEST(planned_mdev_takes_the_guests_apqns)
{
	struct ag_descriptor *g = test_load_descriptor(D "guests/batch.yaml");
	struct ag_inventory *inv = load_inv(D "hosts/lpar-b.yaml");
	struct ag_descriptor *t = NULL;
	struct ag_error err;

	ck_assert_msg(ag_place_target(g, inv, &t, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(t->mdev.state, AG_MDEV_PLANNED);
	ck_assert_str_eq(t->mdev.uuid, g->mdev.uuid);
	ck_assert(ag_idset_equal(&t->mdev.adapters, &g->mdev.adapters));
	ck_assert(ag_idset_equal(&t->mdev.domains, &g->mdev.domains));
	ck_assert(ag_idset_equal(&t->mdev.control_domains,
				 &g->mdev.control_domains));
	/* only the queues behind the guest's APQNs, as the host has them */
	ck_assert_uint_eq(t->n_queues, 1);
	ck_assert_str_eq(t->queues[0].assigned_to,
			 "0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90");
	ck_assert_uint_eq(t->n_cards, 1);
	ck_assert_str_eq(t->cards[0].type, "CEX8C");	/* the host's card */
	ag_descriptor_free(t);
	ag_inventory_free(inv);
	ag_descriptor_free(g);
}
END_TEST

static void add_pair(struct ag_place_result *r, size_t g, size_t h,
		     enum ag_verdict_kind k, const char *rule)
{
	struct ag_verdict v;

	ag_verdict_init(&v);
	ag_verdict_add_rule(&v, rule ? rule : "r", NULL, "f.lua", 1,
			    AG_RESULT_PASS, NULL);
	if (rule)
		ag_verdict_add_finding(&v, rule, k == AG_VERDICT_WARN ?
				       AG_SEV_WARN : AG_SEV_REJECT, "why",
				       "05.0004", NULL);
	ag_verdict_finish(&v);
	ag_place_result_add(r, g, h, &v);
	ag_verdict_free(&v);
}

START_TEST(result_sorts_finds_and_round_trips)
{
	static char *guests[] = { "a", "b" }, *hosts[] = { "h1", "h2" };
	struct ag_place_result r;
	struct ag_place_summary s;
	struct ag_error err;
	json_object *o;

	ag_place_result_init(&r);
	r.guests = guests;
	r.n_guests = 2;
	r.hosts = hosts;
	r.n_hosts = 2;
	add_pair(&r, 1, 0, AG_VERDICT_REJECT, "x.y");
	add_pair(&r, 0, 1, AG_VERDICT_WARN, "w");
	add_pair(&r, 0, 0, AG_VERDICT_ACCEPT, NULL);
	ag_place_result_sort(&r);
	ck_assert_int_eq(ag_place_result_find(&r, 0, 0), 0);
	ck_assert_int_eq(ag_place_result_find(&r, 1, 0), 2);
	ck_assert_int_eq(ag_place_result_find(&r, 1, 1), -1);
	ck_assert(ag_place_guest_placed(&r, 0));
	ck_assert(!ag_place_guest_placed(&r, 1));
	ag_place_result_summary(&r, &s);
	ck_assert_uint_eq(s.pairs, 3);
	ck_assert_uint_eq(s.self, 1);
	ck_assert_uint_eq(s.guests_without_host, 1);
	ck_assert_str_eq(ag_place_deciding(&r.pairs[2])->rule, "x.y");
	ck_assert_ptr_null(ag_place_deciding(&r.pairs[0]));

	/* what a worker sends, the parent takes back unchanged; twice is
	 * refused */
	o = ag_place_pair_to_json(&r, &r.pairs[2]);
	ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		"{\"findings\":[{\"apqn\":\"05.0004\",\"message\":\"why\","
		"\"rule\":\"x.y\",\"severity\":\"reject\"}],\"guest\":\"b\","
		"\"host\":\"h1\",\"verdict\":\"reject\"}");
	ck_assert_int_eq(ag_place_pair_from_json(&r, o, "t", &err), -1);
	ck_assert_str_eq(err.msg, "t: pair b on h1 is given twice");
	json_object_put(o);
	r.guests = NULL;
	r.hosts = NULL;
	r.n_guests = r.n_hosts = 0;
	ag_place_result_free(&r);
}
END_TEST

/* The output's pair lines are written field by field: the same bytes as
 * json-c's spaced text of the pair's tree, for hostile strings, no
 * findings, findings without APQN or remedy, and findings cut. */
START_TEST(pair_lines_match_json_c)
{
	char *guests[] = { "g \"quoted\" \\ /slash/", "caf\xc3\xa9\x01\ttab" };
	char *hosts[] = { "h</script>", "h\n2" };
	struct ag_place_finding f[3] = {
		{ "r.one", AG_SEV_REJECT, "05.0004", "m \"1\" \x7f <b>", "fix \\ it" },
		{ "r.two", AG_SEV_NOTE, "", "plain", NULL },
		{ "r.3", AG_SEV_WARN, "06.00ab", "", "" },
	};
	struct ag_place_pair pairs[] = {
		{ 0, 0, AG_VERDICT_REJECT, f, 3, 0 },
		{ 1, 1, AG_VERDICT_ACCEPT, NULL, 0, 0 },
		{ 1, 0, AG_VERDICT_WARN, f + 1, 2, 7 },
	};
	struct ag_place_result r;
	json_object *buf = json_object_new_string("");
	size_t i;

	ag_place_result_init(&r);
	r.guests = guests;
	r.n_guests = 2;
	r.hosts = hosts;
	r.n_hosts = 2;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		json_object *o = ag_place_pair_to_json(&r, &pairs[i]);
		char *got = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&got, &len);

		ag_place_pair_write_json(&r, &pairs[i], buf, m);
		fclose(m);
		ck_assert_str_eq(got, json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
		free(got);
		json_object_put(o);
	}
	json_object_put(buf);
}
END_TEST

Suite *suite_place(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("place");

	tcase_add_test(tc, existing_mdev_is_the_target);
	tcase_add_test(tc, planned_mdev_takes_the_guests_apqns);
	tcase_add_test(tc, result_sorts_finds_and_round_trips);
	tcase_add_test(tc, pair_lines_match_json_c);
	suite_add_tcase(s, tc);
	return s;
}
