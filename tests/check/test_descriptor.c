/* test_descriptor.c - the descriptor model: loading good files, every
 * error class with its exact message, the malformed corpus, normalisation,
 * lookups, the generation rule, enum tables, canonical JSON and digests,
 * YAML round trips, semantic checks on built descriptors, RFC 3339 times. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "descriptor.h"
#include "suites.h"
#include "testutil.h"
#include "timeutil.h"
#include "util.h"
#include "yamltree.h"

#define GOOD "tests/data/descriptors/good/"
#define BAD "tests/data/descriptors/bad/"

/* A minimal valid head that error tests extend. */
#define HEAD \
	"apgate-descriptor: 1\n" \
	"host: h\n" \
	"mdev:\n" \
	"  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n" \
	"  adapters: [5, 6]\n" \
	"  domains: [4, 0xab]\n"

static void load_err(const char *text, const char *want)
{
	struct ag_descriptor *d = (struct ag_descriptor *)1;
	struct ag_error err = { "" };

	ck_assert_msg(ag_descriptor_load_buffer("t.yaml", text, strlen(text),
						&d, &err) == -1,
		      "loaded: %s", text);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(err.msg, want);
}

static char *digest_of(const struct ag_descriptor *d)
{
	char hex[AG_SHA256_HEX_LEN];

	ck_assert_int_eq(ag_descriptor_digest(d, hex), 0);
	ck_assert_uint_eq(strlen(hex), 64);
	return xstrdup(hex);
}

static char *digest_of_text(const char *text)
{
	struct ag_descriptor *d = test_descriptor_from_text(text);
	char *h = digest_of(d);

	ag_descriptor_free(d);
	return h;
}

static char *digest_of_file(const char *rel)
{
	struct ag_descriptor *d = test_load_descriptor(rel);
	char *h = digest_of(d);

	ag_descriptor_free(d);
	return h;
}

/* --- good files --- */

START_TEST(test_load_cca)
{
	struct ag_descriptor *d = test_load_descriptor(GOOD "cca-cex8c.yaml");
	const struct ag_card *c;
	const struct ag_queue *q;

	ck_assert_int_eq(d->version, 1);
	ck_assert_str_eq(d->host, "lpar-a.example.com");
	ck_assert_str_eq(d->collected.at, "2026-11-22T10:15:00Z");
	ck_assert_int_eq(d->collected.from, AG_FROM_SYSFS);
	ck_assert_str_eq(d->collected.tool, "apgate 0.1.0");
	ck_assert_str_eq(d->mdev.uuid, "62177883-f1bb-47f0-914d-32a22e3a8804");
	ck_assert_str_eq(d->mdev.type, "vfio_ap-passthrough");
	ck_assert_int_eq(d->mdev.state, AG_MDEV_ACTIVE);
	ck_assert_uint_eq(ag_idset_count(&d->mdev.adapters), 2);
	ck_assert(ag_idset_has(&d->mdev.adapters, 5));
	ck_assert(ag_idset_has(&d->mdev.adapters, 6));
	ck_assert(ag_idset_has(&d->mdev.domains, 0xab));
	ck_assert(ag_idset_has(&d->mdev.control_domains, 4));
	ck_assert_uint_eq(ag_descriptor_apqn_count(d), 4);

	ck_assert_uint_eq(d->n_cards, 2);
	c = ag_descriptor_card(d, 5);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->type, "CEX8C");
	ck_assert_int_eq(c->hwtype, 14);
	ck_assert_int_eq(c->raw_hwtype, 14);
	ck_assert_int_eq(c->mode, AG_MODE_CCA);
	ck_assert(c->has_functions);
	ck_assert_uint_eq(c->functions, 0x92800000u);
	ck_assert_str_eq(c->serial, "93AADFK7");
	ck_assert_int_eq(c->config, AG_TRI_TRUE);
	ck_assert_int_eq(c->chkstop, AG_TRI_FALSE);
	ck_assert_int_eq(ag_card_generation(c), 8);
	ck_assert_ptr_null(ag_descriptor_card(d, 7));

	ck_assert_uint_eq(d->n_queues, 4);
	q = ag_descriptor_queue(d, 5, 4);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(q->driver, AG_DRIVER_VFIO_AP);
	ck_assert_str_eq(q->status, "in use");
	ck_assert(q->mkvps.present);
	ck_assert_int_eq(q->mkvps.origin, AG_MK_ORIGIN_SYSFS);
	ck_assert_int_eq(q->mkvps.reg[AG_KT_AES][AG_REG_CUR].state,
			 AG_MK_VALID);
	ck_assert_str_eq(q->mkvps.reg[AG_KT_AES][AG_REG_CUR].mkvp,
			 "0x1a2b3c4d5e6f7081");
	ck_assert_int_eq(q->mkvps.reg[AG_KT_AES][AG_REG_NEW].state,
			 AG_MK_EMPTY);
	ck_assert_str_eq(q->mkvps.reg[AG_KT_AES][AG_REG_NEW].mkvp, "");
	ck_assert_str_eq(q->mkvps.reg[AG_KT_ASYM][AG_REG_CUR].mkvp,
			 "0x0123456789abcdef0123456789abcdef");
	ck_assert(ag_mkvps_has_key_type(&q->mkvps, AG_KT_APKA));
	ck_assert(!ag_mkvps_has_key_type(&q->mkvps, AG_KT_WK));
	q = ag_descriptor_queue(d, 5, 0xab);
	ck_assert_int_eq(q->mkvps.reg[AG_KT_AES][AG_REG_NEW].state,
			 AG_MK_FULL);
	ck_assert_int_eq(q->mkvps.reg[AG_KT_APKA][AG_REG_CUR].state,
			 AG_MK_UNKNOWN);
	q = ag_descriptor_queue(d, 6, 0xab);
	ck_assert(!q->mkvps.present);
	ck_assert_int_eq(q->online, AG_TRI_TRUE);
	ck_assert_ptr_null(ag_descriptor_queue(d, 6, 5));
	ck_assert_ptr_null(ag_descriptor_queue(d, 7, 4));

	ck_assert_uint_eq(d->n_blocks, 1);
	ck_assert_str_eq(d->blocks[0].reason, "master key change window");
	ck_assert_str_eq(d->blocks[0].since, "2026-11-22T09:00:00Z");
	ck_assert_str_eq(d->blocks[0].until, "2026-11-22T18:00:00Z");
	ck_assert_str_eq(d->blocks[0].by, "secops");
	ck_assert_int_eq(ag_descriptor_check(d, "x", NULL), 0);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_load_ep11)
{
	struct ag_descriptor *d = test_load_descriptor(GOOD "ep11-cex8p.yaml");
	const struct ag_queue *q = ag_descriptor_queue(d, 3, 0x41);
	const struct ag_card *c = ag_descriptor_card(d, 3);

	/* upper case in the file, lower case in the model */
	ck_assert_str_eq(d->mdev.uuid, "90c6c135-ad44-41d0-b1b7-bae47de48627");
	/* +01:00 offset normalised to UTC */
	ck_assert_str_eq(d->collected.at, "2026-11-22T10:15:00Z");
	ck_assert_int_eq(d->collected.from, AG_FROM_GUEST);
	ck_assert_ptr_null(d->collected.tool);
	ck_assert_int_eq(d->mdev.state, AG_MDEV_DEFINED);
	ck_assert_ptr_null(d->mdev.type);
	ck_assert_uint_eq(ag_idset_count(&d->mdev.control_domains), 0);
	ck_assert_int_eq(c->mode, AG_MODE_EP11);
	ck_assert_uint_eq(c->functions, 0x06800000u);
	ck_assert_int_eq(c->config, AG_TRI_UNSET);
	ck_assert_int_eq(q->mkvps.origin, AG_MK_ORIGIN_GUEST);
	ck_assert(ag_mkvps_has_key_type(&q->mkvps, AG_KT_WK));
	ck_assert(!ag_mkvps_has_key_type(&q->mkvps, AG_KT_AES));
	ck_assert_str_eq(q->mkvps.reg[AG_KT_WK][AG_REG_CUR].mkvp,
			 "0xdb3c3b3c3f097dd55ec7eb0e7fdbcb933b773619640a1a75a9161cec00000000");
	ck_assert_int_eq(q->mkvps.reg[AG_KT_WK][AG_REG_NEW].state,
			 AG_MK_EMPTY);
	ck_assert_int_eq(q->mkvps.reg[AG_KT_WK][AG_REG_OLD].state,
			 AG_MK_ABSENT);
	ck_assert_uint_eq(d->n_blocks, 0);
	ag_descriptor_free(d);
}
END_TEST

/* The optional keys of issue 9, into the model and out again. */
START_TEST(test_load_v1_keys)
{
	struct ag_descriptor *d = test_load_descriptor(GOOD "format-v1-keys.yaml");
	const struct ag_card *c = ag_descriptor_card(d, 3);
	const struct ag_queue *q = ag_descriptor_queue(d, 3, 0x41);
	char *canon;

	ck_assert(d->mdev.has_guest_apqns);
	ck_assert_uint_eq(d->mdev.n_guest_apqns, 2);
	/* sorted: 03.0041 before 05.0041 whatever the file's order */
	ck_assert_uint_eq(d->mdev.guest_apqns[0], 0x0341);
	ck_assert_uint_eq(d->mdev.guest_apqns[1], 0x0541);
	ck_assert(d->lpar.present);
	ck_assert(ag_idset_has(&d->lpar.adapters, 7));
	ck_assert(ag_idset_has(&d->lpar.usage_domains, 0x42));
	ck_assert_uint_eq(ag_idset_count(&d->lpar.control_domains), 1);
	ck_assert_int_eq(d->guest.secure_execution, AG_TRI_FALSE);
	ck_assert(c->ep11.present);
	ck_assert_int_eq(c->ep11.api_ordinal, 7);
	ck_assert_str_eq(c->ep11.firmware, "8.12");
	ck_assert_uint_eq(c->ep11.op_modes.n, 2);
	ck_assert_str_eq(c->ep11.op_modes.names[0], "FIPS2021");
	ck_assert(q->has_functions);
	ck_assert_uint_eq(q->functions, 0x06800000u);
	ck_assert_str_eq(q->op_modes.names[0], "FIPS2021");
	/* a 32-digit wrapping key pattern is kept as given, lowercased */
	ck_assert_str_eq(q->mkvps.reg[AG_KT_WK][AG_REG_CUR].mkvp,
			 "0xdb3c3b3c3f097dd55ec7eb0e7fdbcb93");
	q = ag_descriptor_queue(d, 5, 0x41);
	ck_assert(ag_mkvps_has_key_type(&q->mkvps, AG_KT_SYM));
	ck_assert_str_eq(q->mkvps.reg[AG_KT_SYM][AG_REG_CUR].mkvp,
			 "0x0123456789abcdef");
	ck_assert_int_eq(ag_descriptor_check(d, "x", NULL), 0);
	canon = ag_descriptor_canonical(d);
	ck_assert_ptr_nonnull(strstr(canon, "\"guest\":{\"secure_execution\":"
				     "false}"));
	ck_assert_ptr_nonnull(strstr(canon, "\"guest_apqns\":[\"03.0041\","
				     "\"05.0041\"]"));
	ck_assert_ptr_nonnull(strstr(canon, "\"lpar\":{\"adapters\":[3,5,7],"
				     "\"control_domains\":[65],"
				     "\"usage_domains\":[65,66]}"));
	ck_assert_ptr_nonnull(strstr(canon, "\"ep11\":{\"api_ordinal\":7,"
				     "\"firmware\":\"8.12\",\"op_modes\":"
				     "[\"FIPS2021\",\"FIPS2024\"]}"));
	ck_assert_ptr_nonnull(strstr(canon, "\"sym\":{\"cur\":"));
	free(canon);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_load_accel_and_cex9)
{
	struct ag_descriptor *d = test_load_descriptor(GOOD "accel-cex7a.yaml");
	const struct ag_card *c = ag_descriptor_card(d, 10);

	ck_assert_int_eq(c->mode, AG_MODE_ACCEL);
	ck_assert_int_eq(ag_card_generation(c), 7);
	ck_assert(!ag_descriptor_queue(d, 10, 0)->mkvps.present);
	ck_assert_int_eq(d->mdev.state, AG_MDEV_STATE_UNSET);
	ck_assert_ptr_null(d->collected.at);
	ck_assert_int_eq(d->collected.from, AG_FROM_UNSET);
	ag_descriptor_free(d);

	d = test_load_descriptor(GOOD "cex9-compat.yaml");
	c = ag_descriptor_card(d, 7);
	ck_assert_int_eq(c->hwtype, 14);
	ck_assert_int_eq(c->raw_hwtype, 15);
	/* the real generation, not the compatibility mode */
	ck_assert_int_eq(ag_card_generation(c), 9);
	ck_assert_int_eq(ag_descriptor_queue(d, 7, 0x38)->mkvps.origin,
			 AG_MK_ORIGIN_DECLARED);
	ag_descriptor_free(d);
}
END_TEST

/* mdev.state planned and queues[].assigned_to: loaded, normalised to
 * lowercase, serialised (canonical JSON sorted, YAML after status) and
 * shown to policies. */
START_TEST(test_load_planned_assigned)
{
	struct ag_descriptor *d =
		test_load_descriptor(GOOD "planned-assigned.yaml");
	const struct ag_queue *q;
	char *s;

	ck_assert_int_eq(d->mdev.state, AG_MDEV_PLANNED);
	ck_assert_str_eq(ag_mdev_state_name(d->mdev.state), "planned");
	q = ag_descriptor_queue(d, 5, 4);
	ck_assert_str_eq(q->assigned_to, "");
	q = ag_descriptor_queue(d, 6, 4);
	ck_assert_str_eq(q->assigned_to,
			 "0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90");
	s = ag_descriptor_canonical(d);
	ck_assert_ptr_nonnull(strstr(s, "{\"apqn\":\"05.0004\",\"driver\""));
	ck_assert_ptr_nonnull(strstr(s, "{\"apqn\":\"06.0004\",\"assigned_to\":"
		"\"0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90\",\"driver\""));
	ck_assert_ptr_nonnull(strstr(s, "\"state\":\"planned\""));
	free(s);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_minimal)
{
	struct ag_descriptor *d = test_descriptor_from_text(
		"apgate-descriptor: 1\nhost: h\n"
		"mdev: {uuid: 62177883-f1bb-47f0-914d-32a22e3a8804}\n");

	ck_assert_uint_eq(d->n_cards + d->n_queues + d->n_blocks, 0);
	ck_assert_uint_eq(ag_descriptor_apqn_count(d), 0);
	ck_assert_ptr_null(ag_descriptor_card(d, 0));
	ck_assert_ptr_null(ag_descriptor_queue(d, 0, 0));
	ag_descriptor_free(d);
}
END_TEST

/* --- every error class, exact text --- */

START_TEST(test_errors_structure)
{
	load_err("", "t.yaml: the file is empty; expected an AP descriptor "
		 "(a mapping with apgate-descriptor: 1)");
	load_err("# comment\n---\n", "t.yaml: the file is empty; expected an "
		 "AP descriptor (a mapping with apgate-descriptor: 1)");
	load_err("~\n", "t.yaml:1:1: descriptor: expected a mapping, found null");
	load_err("[1]\n",
		 "t.yaml:1:1: descriptor: expected a mapping, found a list");
	load_err("host: h\n", "t.yaml:1:1: missing required key "
		 "\"apgate-descriptor\" in the descriptor");
	load_err("apgate-descriptor: 2\nfuture: x\n", "t.yaml:1:20: "
		 "unsupported descriptor version 2, this apgate reads 1");
	load_err("apgate-descriptor: 1.0\n", "t.yaml:1:20: apgate-descriptor: "
		 "expected the integer 1, found the number 1.0");
	load_err(HEAD "extra: 1\n", "t.yaml:7:1: unknown key \"extra\" in the "
		 "descriptor (allowed: apgate-descriptor, host, host_labels, collected, "
		 "mdev, lpar, guest, cards, queues, blocks)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
	load_err("apgate-descriptor: 1\nmdev: {}\n", "t.yaml:1:1: missing "
		 "required key \"host\" in the descriptor");
	load_err("apgate-descriptor: 1\nhost: [a]\n",
		 "t.yaml:2:7: host: expected a string, found a list");
	load_err("apgate-descriptor: 1\nhost: 12\n", "t.yaml:2:7: host: "
		 "expected a string, found the integer 12 (quote it)");
	load_err("apgate-descriptor: 1\nhost: h\n", "t.yaml:1:1: missing "
		 "required key \"mdev\" in the descriptor");
	load_err("apgate-descriptor: 1\nhost: h\nmdev: []\n",
		 "t.yaml:3:7: mdev: expected a mapping, found a list");
	load_err("apgate-descriptor: 1\nhost: h\nmdev: {type: x}\n",
		 "t.yaml:3:7: missing required key \"uuid\" in mdev");
	load_err(HEAD "host: again\n",
		 "t.yaml:7:1: duplicate key \"host\" (first at line 2)");
	load_err(HEAD "x: &a 1\n",
		 "t.yaml:7:4: aliases and anchors are not allowed");
}
END_TEST

START_TEST(test_errors_mdev)
{
	load_err("apgate-descriptor: 1\nhost: h\nmdev:\n  uuid: 1234\n",
		 "t.yaml:4:9: mdev.uuid: expected a UUID like "
		 "\"62177883-f1bb-47f0-914d-32a22e3a8804\", found the integer "
		 "1234 (quote it)");
	load_err("apgate-descriptor: 1\nhost: h\nmdev:\n"
		 "  uuid: 62177883-f1bb-47f0-914d-32a22e3a880g\n",
		 "t.yaml:4:9: mdev.uuid: expected a UUID like "
		 "\"62177883-f1bb-47f0-914d-32a22e3a8804\", found the string "
		 "\"62177883-f1bb-47f0-914d-32a22e3a880g\"");
	load_err(HEAD "  state: started\n", "t.yaml:7:10: mdev.state: "
		 "expected one of active, defined, planned, found the string "
		 "\"started\"");
	load_err(HEAD "  control_domains: [1, 2, 1]\n", "t.yaml:7:27: "
		 "mdev.control_domains[2]: control domain 1 is listed twice "
		 "(first at line 7, column 21)");
	load_err(HEAD "  control_domains: [012]\n", "t.yaml:7:21: "
		 "mdev.control_domains[0]: invalid integer 012: leading zeros "
		 "and 0o octal are not accepted (write decimal or 0x hex)");
	load_err(HEAD "  control_domains: [0x100]\n", "t.yaml:7:21: "
		 "mdev.control_domains[0]: 0x100 is out of range 0..255");
	load_err(HEAD "  control_domains: [\"0x01\"]\n", "t.yaml:7:21: "
		 "mdev.control_domains[0]: expected an integer 0..255, found "
		 "the string \"0x01\" (integers must not be quoted)");
	load_err(HEAD "  control_domains: [[1]]\n", "t.yaml:7:21: "
		 "mdev.control_domains[0]: expected an integer 0..255, found "
		 "a list");
	load_err(HEAD "  control_domains:\n", "t.yaml:7:19: "
		 "mdev.control_domains: expected a list of integers 0..255, "
		 "found null");
	load_err(HEAD "  matrix: []\n", "t.yaml:7:3: unknown key \"matrix\" in "
		 "mdev (allowed: uuid, type, state, adapters, domains, "
		 "control_domains, guest_apqns)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
}
END_TEST

START_TEST(test_errors_collected)
{
	load_err(HEAD "collected: now\n", "t.yaml:7:12: collected: expected "
		 "a mapping, found the string \"now\"");
	load_err(HEAD "collected: {at: 2026-13-01T00:00:00Z}\n",
		 "t.yaml:7:17: collected.at: expected an RFC 3339 date-time "
		 "like \"2026-11-22T10:15:00Z\", found the string "
		 "\"2026-13-01T00:00:00Z\"");
	load_err(HEAD "collected: {from: udev}\n", "t.yaml:7:19: "
		 "collected.from: expected one of sysfs, mdevctl, guest, file, "
		 "found the string \"udev\"");
	load_err(HEAD "collected: {tool: 1.0}\n", "t.yaml:7:19: "
		 "collected.tool: expected a string, found the number 1.0 "
		 "(quote it)");
	load_err(HEAD "collected: {by: me}\n", "t.yaml:7:13: unknown key "
		 "\"by\" in collected (allowed: at, from, tool)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
}
END_TEST

START_TEST(test_errors_cards)
{
	load_err(HEAD "cards: [5]\n", "t.yaml:7:9: cards[0]: expected a "
		 "mapping, found the integer 5");
	load_err(HEAD "cards:\n  - {adapter: 5}\n  - {adapter: 8}\n",
		 "t.yaml:9:15: card 08 is not among the mdev's adapters");
	load_err(HEAD "cards:\n  - {adapter: 6}\n  - {adapter: 0x6}\n",
		 "t.yaml:9:15: cards[1].adapter: card 06 is listed twice "
		 "(first at line 8, column 15)");
	load_err(HEAD "cards:\n  - {adapter: 5, hwtype: 14, raw_hwtype: -1}\n",
		 "t.yaml:8:42: cards[0].raw_hwtype: -1 is out of range 0..255");
	load_err(HEAD "cards:\n  - {adapter: 5, type: CEX8C, mode: ep-11}\n",
		 "t.yaml:8:37: cards[0].mode: expected one of cca, ep11, accel, "
		 "found the string \"ep-11\"");
	load_err(HEAD "cards:\n  - {adapter: 5, functions: \"0x9280000Z\"}\n",
		 "t.yaml:8:29: cards[0].functions: expected a string \"0x\" + 8 "
		 "hex digits like \"0x92800000\", found the string "
		 "\"0x9280000Z\"");
	load_err(HEAD "cards:\n  - {adapter: 5, online: 1}\n",
		 "t.yaml:8:26: cards[0].online: expected a boolean (true or "
		 "false), found the integer 1");
	load_err(HEAD "cards:\n  - {adapter: 5, online: 'false'}\n",
		 "t.yaml:8:26: cards[0].online: expected a boolean (true or "
		 "false), found the string \"false\" (booleans must not be "
		 "quoted)");
	load_err(HEAD "cards:\n  - {adapter: 5, depth: 8}\n",
		 "t.yaml:8:18: unknown key \"depth\" in cards[0] (allowed: "
		 "adapter, type, hwtype, raw_hwtype, mode, functions, serial, "
		 "config, online, chkstop, ep11)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
}
END_TEST

START_TEST(test_errors_queues)
{
	load_err(HEAD "queues:\n  - apqn: 05.0004\n", "t.yaml:8:11: "
		 "queues[0].apqn: expected an APQN string like \"05.0004\", "
		 "found the number 05.0004 (quote it)");
	load_err(HEAD "queues:\n  - apqn: \"05.00AB\"\n", "t.yaml:8:11: "
		 "queues[0].apqn: expected an APQN \"aa.dddd\" in lowercase "
		 "hex (like \"05.0004\", domain <= 00ff), found the string "
		 "\"05.00AB\"");
	/* membership needs the whole file: queues before mdev */
	load_err("apgate-descriptor: 1\nhost: h\nqueues:\n"
		 "  - apqn: \"07.0004\"\nmdev:\n"
		 "  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n"
		 "  adapters: [5]\n  domains: [4]\n",
		 "t.yaml:4:11: queue 07.0004 is not in the mdev's adapters x "
		 "domains");
	load_err(HEAD "queues:\n  - apqn: \"06.00ab\"\n  - apqn: \"06.00ab\"\n",
		 "t.yaml:9:11: queues[1].apqn: queue 06.00ab is listed twice "
		 "(first at line 8, column 11)");
	load_err(HEAD "queues:\n  - {apqn: \"05.0004\", driver: vfio-ap}\n",
		 "t.yaml:8:31: queues[0].driver: expected one of vfio_ap, "
		 "cex4queue, none, found the string \"vfio-ap\"");
	load_err(HEAD "queues:\n  - {apqn: \"05.0004\", assigned_to: x}\n",
		 "t.yaml:8:36: queues[0].assigned_to: expected a UUID like "
		 "\"62177883-f1bb-47f0-914d-32a22e3a8804\", found the string "
		 "\"x\"");
	load_err(HEAD "queues:\n  - {apqn: \"05.0004\", assigned_to: [1]}\n",
		 "t.yaml:8:36: queues[0].assigned_to: expected a UUID like "
		 "\"62177883-f1bb-47f0-914d-32a22e3a8804\", found a list");
	load_err(HEAD "queues:\n  - {apqn: \"05.0004\", status: 3}\n",
		 "t.yaml:8:31: queues[0].status: expected a string, found the "
		 "integer 3 (quote it)");
}
END_TEST

#define QHEAD HEAD "queues:\n  - apqn: \"05.0004\"\n    mkvps:\n"

START_TEST(test_errors_mkvps)
{
	load_err(QHEAD "      aes: {cur: {state: invalid}}\n",
		 "t.yaml:10:7: missing required key \"origin\" in "
		 "queues[0].mkvps");
	load_err(QHEAD "      origin: sysfs\n",
		 "t.yaml:10:7: queues[0].mkvps: expected at least one key "
		 "type (aes, apka, asym, sym or wk)");
	load_err(QHEAD "      origin: sysfs\n      aes: {}\n",
		 "t.yaml:11:12: queues[0].mkvps.aes: expected at least one "
		 "register (new, cur, old)");
	load_err(QHEAD "      origin: sysfs\n      des: {cur: {state: valid}}\n",
		 "t.yaml:11:7: unknown key \"des\" in queues[0].mkvps (allowed: "
		 "origin, aes, apka, asym, sym, wk)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
	load_err(QHEAD "      origin: sysfs\n      wk: {old: {state: valid}}\n",
		 "t.yaml:11:12: unknown key \"old\" in queues[0].mkvps.wk "
		 "(allowed: cur, new)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
	/* DOMAIN.md 3.4: "ASYM CUR: empty -" cannot come from a kernel */
	load_err(QHEAD "      origin: sysfs\n      asym: {cur: {state: empty}}\n",
		 "t.yaml:11:27: queues[0].mkvps.asym.cur.state: expected one "
		 "of invalid, valid, unknown for the cur register of asym, "
		 "found the string \"empty\"");
	load_err(QHEAD "      origin: sysfs\n      wk: {new: {state: partial}}\n",
		 "t.yaml:11:25: queues[0].mkvps.wk.new.state: expected one of "
		 "empty, uncommitted, committed, unknown for the new register "
		 "of wk, found the string \"partial\"");
	load_err(QHEAD "      origin: sysfs\n      aes: {cur: {state: valid}}\n",
		 "t.yaml:11:18: missing required key \"mkvp\" in "
		 "queues[0].mkvps.aes.cur (state valid carries a pattern)");
	load_err(QHEAD "      origin: sysfs\n"
		 "      aes: {new: {state: partial, mkvp: \"0x0000000000000000\"}}\n",
		 "t.yaml:11:41: queues[0].mkvps.aes.new.mkvp: not allowed with "
		 "state partial, which carries no pattern");
	load_err(QHEAD "      origin: sysfs\n"
		 "      apka: {cur: {state: valid, mkvp: \"0x123\"}}\n",
		 "t.yaml:11:40: queues[0].mkvps.apka.cur.mkvp: expected \"0x\" "
		 "+ 16 hex digits, found the string \"0x123\"");
	load_err(QHEAD "      origin: sysfs\n"
		 "      wk: {cur: {state: committed, mkvp: \"0x00\"}}\n",
		 "t.yaml:11:25: queues[0].mkvps.wk.cur.state: expected one of "
		 "invalid, valid, unknown for the cur register of wk, found the "
		 "string \"committed\"");
	load_err(QHEAD "      origin: sysfs\n      aes: {cur: {state: unknown}}\n"
		 "      wk: {cur: {state: unknown}}\n",
		 "t.yaml:12:7: queues[0].mkvps: wk (EP11) cannot be combined "
		 "with CCA key types (aes, apka, asym, sym)");
	load_err(QHEAD "      origin: tke\n      aes: {cur: {state: unknown}}\n",
		 "t.yaml:10:15: queues[0].mkvps.origin: expected one of sysfs, "
		 "guest, declared, found the string \"tke\"");
	load_err(QHEAD "      origin: sysfs\n"
		 "      aes: {cur: {state: valid, mkvp: \"0x1\", x: 1}}\n",
		 "t.yaml:11:46: unknown key \"x\" in queues[0].mkvps.aes.cur "
		 "(allowed: state, mkvp)"
		 "; if another host wrote this descriptor, it may run a newer "
		 "apgate than this one");
}
END_TEST

START_TEST(test_errors_blocks)
{
	load_err(HEAD "blocks:\n  - {since: \"2026-11-22T09:00:00Z\"}\n",
		 "t.yaml:8:5: missing required key \"reason\" in blocks[0]");
	load_err(HEAD "blocks:\n  - {reason: \"\"}\n",
		 "t.yaml:8:14: blocks[0].reason: must not be empty");
	load_err(HEAD "blocks:\n  - {reason: x, since: \"2026-11-22T09:00:00Z\","
		 " until: \"2026-11-22T09:00:00Z\"}\n",
		 "t.yaml:8:55: blocks[0].until: must be later than since "
		 "(2026-11-22T09:00:00Z)");
	load_err(HEAD "blocks:\n  - {reason: x, until: yesterday}\n",
		 "t.yaml:8:24: blocks[0].until: expected an RFC 3339 date-time "
		 "like \"2026-11-22T10:15:00Z\", found the string \"yesterday\"");
	load_err(HEAD "blocks:\n  - {reason: x, by: [a]}\n",
		 "t.yaml:8:21: blocks[0].by: expected a string, found a list");
}
END_TEST

/* The committed malformed corpus, through the loader directly (the e2e
 * script runs the same files through `apgate validate`). */
START_TEST(test_bad_corpus)
{
	DIR *dir = opendir(test_path(BAD));
	struct dirent *de;
	unsigned n = 0;

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		char rel[512], exp_rel[512], *buf, *want;
		struct ag_descriptor *d = NULL;
		struct ag_error err = { "" };
		size_t len, wlen;

		if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		snprintf(rel, sizeof(rel), BAD "%s", de->d_name);
		snprintf(exp_rel, sizeof(exp_rel), BAD "%.*s.expected",
			 (int)(l - 5), de->d_name);
		ck_assert_int_eq(ag_read_file(test_path(exp_rel), 4096, &want,
					      &wlen, &err), 0);
		ck_assert_msg(wlen > 0 && want[wlen - 1] == '\n', "%s",
			      exp_rel);
		want[wlen - 1] = '\0';
		ck_assert_int_eq(ag_read_file(test_path(rel),
					      AG_DESCRIPTOR_MAX_BYTES, &buf,
					      &len, &err), 0);
		ck_assert_msg(ag_descriptor_load_buffer(rel, buf, len, &d,
							&err) == -1,
			      "%s loaded", rel);
		ck_assert_str_eq(err.msg, want);
		free(buf);
		free(want);
		n++;
	}
	closedir(dir);
	ck_assert_uint_ge(n, 30);
}
END_TEST

START_TEST(test_file_errors)
{
	char path[] = "/tmp/apgate-test-XXXXXX";
	struct ag_descriptor *d = NULL;
	struct ag_error err = { "" };
	char want[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	/* sparse: the size check comes before any read */
	ck_assert_int_eq(ftruncate(fd, AG_DESCRIPTOR_MAX_BYTES + 1), 0);
	close(fd);
	ck_assert_int_eq(ag_descriptor_load_file(path, &d, &err), -1);
	snprintf(want, sizeof(want), "%s: larger than the limit of 16777216 "
		 "bytes", path);
	ck_assert_str_eq(err.msg, want);
	unlink(path);
	ck_assert_int_eq(ag_descriptor_load_file(path, &d, &err), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or "
		 "directory", path);
	ck_assert_str_eq(err.msg, want);
	ck_assert_ptr_null(d);
}
END_TEST

/* --- normalisation, lookups, generation --- */

START_TEST(test_normalize_order)
{
	struct ag_descriptor *d = test_descriptor_from_text(
		"apgate-descriptor: 1\nhost: h\n"
		"mdev:\n  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n"
		"  adapters: [0x10, 2, 9]\n  domains: [3, 1, 0x20]\n"
		"cards: [{adapter: 16}, {adapter: 2}, {adapter: 9}]\n"
		"queues:\n  - apqn: \"10.0001\"\n  - apqn: \"02.0020\"\n"
		"  - apqn: \"02.0001\"\n  - apqn: \"09.0003\"\n"
		"blocks:\n  - {reason: b, since: \"2026-01-02T00:00:00Z\"}\n"
		"  - {reason: z}\n"
		"  - {reason: a, since: \"2026-01-02T00:00:00Z\"}\n"
		"  - {reason: a, since: \"2026-01-01T23:00:00-02:00\"}\n");
	static const unsigned qa[] = { 2, 2, 9, 16 }, qd[] = { 1, 32, 3, 1 };
	size_t i;

	ck_assert_uint_eq(d->cards[0].adapter, 2);
	ck_assert_uint_eq(d->cards[1].adapter, 9);
	ck_assert_uint_eq(d->cards[2].adapter, 16);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(d->queues[i].adapter, qa[i]);
		ck_assert_uint_eq(d->queues[i].domain, qd[i]);
		ck_assert_ptr_eq(ag_descriptor_queue(d, qa[i], qd[i]),
				 &d->queues[i]);
	}
	/* unset since first, then by time, then reason */
	ck_assert_str_eq(d->blocks[0].reason, "z");
	ck_assert_str_eq(d->blocks[1].reason, "a");
	ck_assert_str_eq(d->blocks[1].since, "2026-01-02T00:00:00Z");
	ck_assert_str_eq(d->blocks[2].reason, "b");
	ck_assert_str_eq(d->blocks[3].reason, "a");
	ck_assert_str_eq(d->blocks[3].since, "2026-01-02T01:00:00Z");
	ck_assert_uint_eq(ag_descriptor_apqn_count(d), 9);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_built_descriptor)
{
	struct ag_descriptor *d = ag_descriptor_new();
	struct ag_error err = { "" };
	struct ag_queue *q;
	unsigned i;

	ck_assert_int_eq(d->version, AG_DESCRIPTOR_VERSION);
	/* many additions exercise array growth */
	for (i = 200; i-- > 0;) {
		struct ag_card *c = ag_descriptor_add_card(d, i);

		ck_assert_int_eq(c->hwtype, -1);
		ck_assert_int_eq(c->raw_hwtype, -1);
		ck_assert_ptr_null(c->type);
		ag_idset_add(&d->mdev.adapters, i);
	}
	ag_idset_add(&d->mdev.domains, 4);
	for (i = 0; i < 200; i++)
		ag_descriptor_add_queue(d, 199 - i, 4);
	ag_descriptor_add_block(d, "r");
	ag_descriptor_normalize(d);
	for (i = 0; i < 200; i++) {
		ck_assert_uint_eq(d->cards[i].adapter, i);
		ck_assert_ptr_eq(ag_descriptor_card(d, i), &d->cards[i]);
		ck_assert_ptr_eq(ag_descriptor_queue(d, i, 4), &d->queues[i]);
	}
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: host is missing");
	d->host = xstrdup("h");
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: mdev uuid is missing");
	strcpy(d->mdev.uuid, "62177883-F1BB-47f0-914d-32a22e3a8804");
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: mdev uuid \"62177883-F1BB-47f0-914d-"
			 "32a22e3a8804\" is not a lowercase 8-4-4-4-12 UUID");
	strcpy(d->mdev.uuid, "62177883-f1bb-47f0-914d-32a22e3a8804");
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), 0);

	q = ag_descriptor_add_queue(d, 7, 5);
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: queue 07.0005 is not in the mdev's "
			 "adapters x domains");
	q->domain = 4;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: queue 07.0004 appears twice");
	d->n_queues--;

	ag_idset_add(&d->mdev.domains, 5);
	q = ag_descriptor_add_queue(d, 7, 5);
	q->mkvps.present = true;
	q->mkvps.origin = AG_MK_ORIGIN_DECLARED;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: queue 07.0005: mkvps without any key "
			 "type");
	q->mkvps.reg[AG_KT_ASYM][AG_REG_CUR].state = AG_MK_EMPTY;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: queue 07.0005: mkvps asym cur: state "
			 "empty is not allowed");
	q->mkvps.reg[AG_KT_ASYM][AG_REG_CUR].state = AG_MK_VALID;
	strcpy(q->mkvps.reg[AG_KT_ASYM][AG_REG_CUR].mkvp, "0x1234");
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: queue 07.0005: mkvps asym cur: state "
			 "valid needs a pattern of the key type's width");
	strcpy(q->mkvps.reg[AG_KT_ASYM][AG_REG_CUR].mkvp,
	       "0x0123456789abcdef0123456789abcdef");
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), 0);
	q->mkvps.reg[AG_KT_WK][AG_REG_CUR].state = AG_MK_UNKNOWN;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: queue 07.0005: mkvps mixes wk (EP11) "
			 "with CCA key types");
	q->mkvps.reg[AG_KT_WK][AG_REG_CUR].state = AG_MK_ABSENT;

	ag_descriptor_add_card(d, 5);
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: card 05 appears twice");
	d->cards[d->n_cards - 1].adapter = 250;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: card fa is not among the mdev's "
			 "adapters");
	d->n_cards--;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), 0);

	d->blocks[0].since = xstrdup("2026-11-22T10:00:00Z");
	d->blocks[0].until = xstrdup("2026-11-22T09:00:00Z");
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: block \"r\": until is not after since");
	d->version = 2;
	ck_assert_int_eq(ag_descriptor_check(d, "b", &err), -1);
	ck_assert_str_eq(err.msg, "b: unsupported descriptor version 2, this "
			 "apgate reads 1");
	/* entries dropped by decrementing n_* own no strings: no leak */
	ag_descriptor_free(d);
	ag_descriptor_free(NULL);
}
END_TEST

START_TEST(test_generation)
{
	struct ag_card c = { .hwtype = -1, .raw_hwtype = -1 };

	ck_assert_int_eq(ag_card_generation(&c), -1);
	c.type = "CEX7P";
	ck_assert_int_eq(ag_card_generation(&c), 7);
	c.type = "CEX12A";
	ck_assert_int_eq(ag_card_generation(&c), 12);
	c.type = "CEXC";
	ck_assert_int_eq(ag_card_generation(&c), -1);
	c.type = "PCICA";
	ck_assert_int_eq(ag_card_generation(&c), -1);
	c.type = "CEX8C";
	c.hwtype = 11;			/* older kernels: raw CEX6 as 11 */
	ck_assert_int_eq(ag_card_generation(&c), 5);
	c.raw_hwtype = 12;
	ck_assert_int_eq(ag_card_generation(&c), 6);
	c.hwtype = 14;
	c.raw_hwtype = 15;		/* CEX8-compatible newer card */
	ck_assert_int_eq(ag_card_generation(&c), 9);
	c.raw_hwtype = 7;		/* below CEX4: not a generation */
	ck_assert_int_eq(ag_card_generation(&c), 8);
	c.hwtype = 9;
	ck_assert_int_eq(ag_card_generation(&c), 8);	/* from type */
}
END_TEST

START_TEST(test_enum_names)
{
	enum ag_collected_from f;
	enum ag_mdev_state ms;
	enum ag_card_mode m;
	enum ag_queue_driver dr;
	enum ag_mk_origin o;
	enum ag_mk_state st;
	enum ag_key_type kt;
	enum ag_mk_reg r;
	int i;

	ck_assert_ptr_null(ag_tri_name(AG_TRI_UNSET));
	ck_assert_str_eq(ag_tri_name(AG_TRI_TRUE), "true");
	ck_assert_str_eq(ag_tri_name(AG_TRI_FALSE), "false");
	ck_assert_ptr_null(ag_collected_from_name(AG_FROM_UNSET));
	ck_assert_ptr_null(ag_mk_state_name(AG_MK_ABSENT));
	ck_assert_ptr_null(ag_card_mode_name(AG_MODE_UNSET));

	for (i = AG_FROM_SYSFS; i <= AG_FROM_FILE; i++) {
		ck_assert_int_eq(ag_collected_from_parse(
				 ag_collected_from_name(i), &f), 0);
		ck_assert_int_eq(f, i);
	}
	for (i = AG_MDEV_ACTIVE; i <= AG_MDEV_DEFINED; i++) {
		ck_assert_int_eq(ag_mdev_state_parse(ag_mdev_state_name(i),
						     &ms), 0);
		ck_assert_int_eq(ms, i);
	}
	for (i = AG_MODE_CCA; i <= AG_MODE_ACCEL; i++) {
		ck_assert_int_eq(ag_card_mode_parse(ag_card_mode_name(i), &m),
				 0);
		ck_assert_int_eq(m, i);
	}
	for (i = AG_DRIVER_VFIO_AP; i <= AG_DRIVER_NONE; i++) {
		ck_assert_int_eq(ag_queue_driver_parse(
				 ag_queue_driver_name(i), &dr), 0);
		ck_assert_int_eq(dr, i);
	}
	for (i = AG_MK_ORIGIN_SYSFS; i <= AG_MK_ORIGIN_DECLARED; i++) {
		ck_assert_int_eq(ag_mk_origin_parse(ag_mk_origin_name(i), &o),
				 0);
		ck_assert_int_eq(o, i);
	}
	for (i = AG_MK_EMPTY; i <= AG_MK_UNKNOWN; i++) {
		ck_assert_int_eq(ag_mk_state_parse(ag_mk_state_name(i), &st),
				 0);
		ck_assert_int_eq(st, i);
	}
	for (i = 0; i < AG_KT_COUNT; i++) {
		ck_assert_int_eq(ag_key_type_parse(ag_key_type_name(i), &kt),
				 0);
		ck_assert_int_eq(kt, i);
	}
	for (i = 0; i < AG_REG_COUNT; i++) {
		ck_assert_int_eq(ag_mk_reg_parse(ag_mk_reg_name(i), &r), 0);
		ck_assert_int_eq(r, i);
	}
	ck_assert_str_eq(ag_queue_driver_name(AG_DRIVER_CEX4QUEUE),
			 "cex4queue");
	ck_assert_str_eq(ag_key_type_name(AG_KT_WK), "wk");
	ck_assert_str_eq(ag_mk_reg_name(AG_REG_OLD), "old");
	ck_assert_str_eq(ag_mk_state_name(AG_MK_UNCOMMITTED), "uncommitted");
	ck_assert_int_eq(ag_card_mode_parse("CCA", &m), -1);
	ck_assert_int_eq(ag_card_mode_parse("", &m), -1);
	ck_assert_int_eq(ag_card_mode_parse(NULL, &m), -1);
	ck_assert_int_eq(ag_mk_state_parse("absent", &st), -1);
	ck_assert_int_eq(ag_mk_state_parse("-", &st), -1);
	ck_assert_int_eq(ag_key_type_parse("des", &kt), -1);
	ck_assert_int_eq(ag_mk_reg_parse("current", &r), -1);
	ck_assert_int_eq(ag_collected_from_parse("udev", &f), -1);

	ck_assert_uint_eq(ag_key_type_hex_digits(AG_KT_AES), 16);
	ck_assert_uint_eq(ag_key_type_hex_digits(AG_KT_APKA), 16);
	ck_assert_uint_eq(ag_key_type_hex_digits(AG_KT_ASYM), 32);
	ck_assert_uint_eq(ag_key_type_hex_digits(AG_KT_WK), 64);
}
END_TEST

START_TEST(test_mk_state_rules)
{
	/* one row per register: the allowed states, in enum order */
	static const struct {
		enum ag_key_type kt;
		enum ag_mk_reg reg;
		const char *allowed;
	} rows[] = {
		{ AG_KT_AES, AG_REG_NEW, "empty partial full unknown" },
		{ AG_KT_AES, AG_REG_CUR, "invalid valid unknown" },
		{ AG_KT_AES, AG_REG_OLD, "invalid valid unknown" },
		{ AG_KT_APKA, AG_REG_NEW, "empty partial full unknown" },
		{ AG_KT_APKA, AG_REG_OLD, "invalid valid unknown" },
		{ AG_KT_ASYM, AG_REG_NEW, "empty partial full unknown" },
		{ AG_KT_ASYM, AG_REG_CUR, "invalid valid unknown" },
		{ AG_KT_ASYM, AG_REG_OLD, "invalid valid unknown" },
		{ AG_KT_WK, AG_REG_CUR, "invalid valid unknown" },
		{ AG_KT_WK, AG_REG_NEW,
		  "empty uncommitted committed unknown" },
		{ AG_KT_WK, AG_REG_OLD, "" },
	};
	size_t i;
	int st;

	for (i = 0; i < AG_ARRAY_SIZE(rows); i++) {
		char got[128] = "";

		for (st = AG_MK_EMPTY; st <= AG_MK_UNKNOWN; st++)
			if (ag_mk_state_allowed(rows[i].kt, rows[i].reg, st)) {
				if (*got)
					strcat(got, " ");
				strcat(got, ag_mk_state_name(st));
			}
		ck_assert_str_eq(got, rows[i].allowed);
		ck_assert(!ag_mk_state_allowed(rows[i].kt, rows[i].reg,
					       AG_MK_ABSENT));
	}
	ck_assert(ag_mk_state_has_pattern(AG_MK_FULL));
	ck_assert(ag_mk_state_has_pattern(AG_MK_VALID));
	ck_assert(ag_mk_state_has_pattern(AG_MK_UNCOMMITTED));
	ck_assert(ag_mk_state_has_pattern(AG_MK_COMMITTED));
	ck_assert(!ag_mk_state_has_pattern(AG_MK_EMPTY));
	ck_assert(!ag_mk_state_has_pattern(AG_MK_PARTIAL));
	ck_assert(!ag_mk_state_has_pattern(AG_MK_INVALID));
	ck_assert(!ag_mk_state_has_pattern(AG_MK_UNKNOWN));
	ck_assert(!ag_mk_state_has_pattern(AG_MK_ABSENT));
}
END_TEST

/* --- canonical JSON and digests --- */

/* Every object's keys strictly increasing in byte order. */
static void assert_sorted(json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		const char *prev = NULL;

		json_object_object_foreach(o, k, v) {
			if (prev)
				ck_assert_msg(strcmp(prev, k) < 0, "%s >= %s",
					      prev, k);
			prev = k;
			assert_sorted(v);
		}
		break;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			assert_sorted(json_object_array_get_idx(o, i));
		break;
	default:
		break;
	}
}

START_TEST(test_canonical_form)
{
	struct ag_descriptor *d = test_load_descriptor(GOOD "accel-cex7a.yaml");
	char *s = ag_descriptor_canonical(d);
	json_object *o;

	ck_assert_str_eq(s,
		"{\"apgate-descriptor\":1,\"blocks\":[],\"cards\":["
		"{\"adapter\":10,\"functions\":\"0x68000000\",\"hwtype\":13,"
		"\"mode\":\"accel\",\"raw_hwtype\":13,\"type\":\"CEX7A\"},"
		"{\"adapter\":11,\"functions\":\"0x68000000\",\"hwtype\":13,"
		"\"mode\":\"accel\",\"raw_hwtype\":13,\"type\":\"CEX7A\"}],"
		"\"host\":\"lpar-c.example.com\",\"mdev\":{\"adapters\":[10,11],"
		"\"control_domains\":[],\"domains\":[0],"
		"\"uuid\":\"783e6dbb-ea0e-411f-94e2-717eaad438bf\"},"
		"\"queues\":[{\"apqn\":\"0a.0000\",\"driver\":\"vfio_ap\","
		"\"status\":\"assigned\"},{\"apqn\":\"0b.0000\","
		"\"driver\":\"vfio_ap\",\"status\":\"assigned\"}]}");
	free(s);
	ag_descriptor_free(d);

	d = test_load_descriptor(GOOD "cca-cex8c.yaml");
	o = ag_descriptor_to_json(d);
	assert_sorted(o);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
				 o, "apgate-descriptor")), 1);
	json_object_put(o);
	s = ag_descriptor_canonical(d);
	ck_assert_ptr_null(strchr(s, '\n'));
	ck_assert_ptr_null(strstr(s, "\\/"));
	ck_assert_ptr_nonnull(strstr(s, "\"functions\":\"0x92800000\""));
	ck_assert_ptr_nonnull(strstr(s, "\"domains\":[4,171]"));
	ck_assert_ptr_nonnull(strstr(s,
		"\"cur\":{\"mkvp\":\"0x1a2b3c4d5e6f7081\",\"state\":\"valid\"}"));
	free(s);
	ag_descriptor_free(d);
}
END_TEST

/* descriptor_canon.c writes the canonical text directly: it must be the
 * very bytes json-c prints for the sorted object tree, for every shape of
 * descriptor and for strings that need escaping. */
static void assert_canon_is_json_c(const struct ag_descriptor *d,
				   const char *what)
{
	json_object *o = ag_descriptor_to_json(d);
	char *s = ag_descriptor_canonical(d);
	const char *want = json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t i = 0;

	while (s[i] && s[i] == want[i])
		i++;
	ck_assert_msg(s[i] == want[i], "%s: differs at byte %zu: \"%.60s\" "
		      "instead of \"%.60s\"", what, i, s + i, want + i);
	json_object_put(o);
	free(s);
}

START_TEST(test_canonical_text_is_json_c)
{
	static const char *const files[] = {
		GOOD "accel-cex7a.yaml", GOOD "cca-cex8c.yaml",
		GOOD "cex9-compat.yaml", GOOD "ep11-cex8p.yaml",
		GOOD "format-v1-keys.yaml", "tests/data/collect/ep11-host.yaml",
		"tests/data/collect/lpar-host.yaml",
		"examples/cca-match/source.yaml", "examples/ep11-match/target.yaml",
		"examples/blocked/source.yaml",
		"examples/key-change-pending/target.yaml",
		GOOD "planned-assigned.yaml",
	};
	struct ag_descriptor *d;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		d = test_load_descriptor(files[i]);
		assert_canon_is_json_c(d, files[i]);
		ag_descriptor_free(d);
	}
	d = test_load_descriptor(GOOD "cca-cex8c.yaml");
	free(d->host);
	d->host = xstrdup("a\"b\\c/d\te\x01\x7f\xc3\xa9\xf0\x9f\x98\x80");
	free(d->mdev.type);
	d->mdev.type = NULL;
	assert_canon_is_json_c(d, "escaped strings, no mdev type");
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_digest_json_equals_yaml)
{
	char *a = digest_of_file(GOOD "cca-cex8c.yaml");
	char *b = digest_of_file(GOOD "cca-cex8c.json");

	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

#define BASE_DOC(adapters, extra) \
	"apgate-descriptor: 1\nhost: h\n" \
	"mdev:\n  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n" \
	"  adapters: " adapters "\n  domains: [4]\n" extra

START_TEST(test_digest_stability)
{
	/* same content, written differently */
	static const char *const same[] = {
		BASE_DOC("[5, 6]", "cards: [{adapter: 5, online: true}]\n"),
		BASE_DOC("[6, 5]", "cards: [{online: true, adapter: 5}]\n"),
		BASE_DOC("[0x06, 0x5]", "cards:\n  - adapter: 5\n"
			 "    online: True\nqueues: []\nblocks: []\n"),
		"{\"mdev\": {\"domains\": [4], \"adapters\": [6, 5], "
		"\"uuid\": \"62177883-F1BB-47F0-914D-32A22E3A8804\"}, "
		"\"cards\": [{\"adapter\": 5, \"online\": true}], "
		"\"host\": \"h\", \"apgate-descriptor\": 1}",
		"# a comment\n---\n" BASE_DOC("[5, 6]",
			"cards: [{adapter: 5, online: true}]\n") "...\n",
	};
	/* one value changed each */
	static const char *const different[] = {
		BASE_DOC("[5, 7]", "cards: [{adapter: 5, online: true}]\n"),
		BASE_DOC("[5, 6]", "cards: [{adapter: 5, online: false}]\n"),
		BASE_DOC("[5, 6]", "cards: [{adapter: 5}]\n"),
		BASE_DOC("[5, 6]", "cards: [{adapter: 6, online: true}]\n"),
		BASE_DOC("[5, 6]", "cards: [{adapter: 5, online: true}]\n"
			 "collected: {from: file}\n"),
		BASE_DOC("[5, 6]", "cards: [{adapter: 5, online: true}]\n"
			 "blocks: [{reason: x}]\n"),
	};
	char *ref = digest_of_text(same[0]);
	size_t i;

	for (i = 1; i < AG_ARRAY_SIZE(same); i++) {
		char *h = digest_of_text(same[i]);

		ck_assert_msg(strcmp(h, ref) == 0, "variant %zu differs", i);
		free(h);
	}
	for (i = 0; i < AG_ARRAY_SIZE(different); i++) {
		char *h = digest_of_text(different[i]);

		ck_assert_msg(strcmp(h, ref) != 0, "change %zu not seen", i);
		free(h);
	}
	free(ref);
}
END_TEST

START_TEST(test_digest_normalised_values)
{
	/* reordered queues and registers, upper-case patterns, equivalent
	 * times: one digest */
	const char *a = BASE_DOC("[5, 6]",
		"queues:\n"
		"  - apqn: \"05.0004\"\n"
		"    mkvps: {origin: sysfs, aes: {cur: {state: valid, "
		"mkvp: \"0x1a2b3c4d5e6f7081\"}, new: {state: empty}}}\n"
		"  - apqn: \"06.0004\"\n"
		"blocks: [{reason: r, since: \"2026-11-22T09:00:00Z\"}]\n");
	const char *b = BASE_DOC("[5, 6]",
		"blocks: [{since: \"2026-11-22T10:00:00.999+01:00\", "
		"reason: r}]\n"
		"queues:\n"
		"  - apqn: \"06.0004\"\n"
		"  - apqn: \"05.0004\"\n"
		"    mkvps: {aes: {new: {state: empty}, cur: {mkvp: "
		"\"0x1A2B3C4D5E6F7081\", state: valid}}, origin: sysfs}\n");
	const char *c = BASE_DOC("[5, 6]",
		"queues:\n"
		"  - apqn: \"05.0004\"\n"
		"    mkvps: {origin: sysfs, aes: {cur: {state: valid, "
		"mkvp: \"0x1a2b3c4d5e6f7082\"}, new: {state: empty}}}\n"
		"  - apqn: \"06.0004\"\n"
		"blocks: [{reason: r, since: \"2026-11-22T09:00:00Z\"}]\n");
	char *ha = digest_of_text(a), *hb = digest_of_text(b),
	     *hc = digest_of_text(c);

	ck_assert_str_eq(ha, hb);
	ck_assert_str_ne(ha, hc);
	free(ha);
	free(hb);
	free(hc);
}
END_TEST

/* --- YAML round trip --- */

static char *emit(const struct ag_descriptor *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ag_error err = { "" };

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(ag_descriptor_emit_yaml(d, f, &err) == 0, "%s", err.msg);
	fclose(f);
	return buf;
}

START_TEST(test_yaml_round_trip)
{
	static const char *const files[] = {
		GOOD "cca-cex8c.yaml", GOOD "ep11-cex8p.yaml",
		GOOD "accel-cex7a.yaml", GOOD "cex9-compat.yaml",
		GOOD "cca-cex8c.json", GOOD "format-v1-keys.yaml",
		GOOD "planned-assigned.yaml",
	};
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(files); i++) {
		struct ag_descriptor *d = test_load_descriptor(files[i]);
		char *y = emit(d), *y2, *h1 = digest_of(d), *h2;
		struct ag_descriptor *d2 = test_descriptor_from_text(y);

		h2 = digest_of(d2);
		ck_assert_msg(strcmp(h1, h2) == 0, "%s:\n%s", files[i], y);
		/* and emitting is a fixed point */
		y2 = emit(d2);
		ck_assert_str_eq(y, y2);
		free(y);
		free(y2);
		free(h1);
		free(h2);
		ag_descriptor_free(d);
		ag_descriptor_free(d2);
	}
}
END_TEST

START_TEST(test_yaml_emit_shape)
{
	struct ag_descriptor *d = test_load_descriptor(GOOD "cca-cex8c.yaml");
	char *y = emit(d);

	/* documented key order and flow style where promised */
	ck_assert_ptr_eq(strstr(y, "apgate-descriptor: 1\nhost: "), y);
	/* adapters and domains in hex, as the inputs and docs write them */
	ck_assert_ptr_nonnull(strstr(y, "  adapters: [0x05, 0x06]\n"));
	ck_assert_ptr_nonnull(strstr(y, "- adapter: 0x05\n"));
	ck_assert_ptr_nonnull(strstr(y, "- apqn: \"05.0004\"\n"));
	ck_assert_ptr_nonnull(strstr(y, "functions: \"0x92800000\""));
	ck_assert_ptr_nonnull(strstr(y, "    aes: {new: {state: empty}, "
				     "cur: {state: valid, mkvp: "
				     "\"0x1a2b3c4d5e6f7081\"}, old: {state: "
				     "invalid}}\n"));
	ck_assert(strstr(y, "host:") < strstr(y, "mdev:"));
	ck_assert(strstr(y, "mdev:") < strstr(y, "cards:"));
	ck_assert(strstr(y, "cards:") < strstr(y, "queues:"));
	ck_assert(strstr(y, "queues:") < strstr(y, "blocks:"));
	free(y);
	ag_descriptor_free(d);

	/* strings that look like numbers or booleans stay strings */
	d = test_descriptor_from_text(BASE_DOC("[5]",
		"cards: [{adapter: 5, type: \"14\", serial: \"true\"}]\n"
		"blocks: [{reason: \"0x10\", by: \"null\"}]\n"));
	y = emit(d);
	{
		struct ag_descriptor *d2 = test_descriptor_from_text(y);

		ck_assert_str_eq(d2->cards[0].type, "14");
		ck_assert_str_eq(d2->cards[0].serial, "true");
		ck_assert_str_eq(d2->blocks[0].reason, "0x10");
		ck_assert_str_eq(d2->blocks[0].by, "null");
		ag_descriptor_free(d2);
	}
	free(y);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_from_tree)
{
	const char *text = "embedded:\n  apgate-descriptor: 1\n  host: h\n"
			   "  mdev: {uuid: 62177883-f1bb-47f0-914d-32a22e3a8804,"
			   " adapters: [5], domains: [4]}\n"
			   "  queues: [{apqn: \"05.0005\"}]\n";
	struct ag_ynode *root;
	struct ag_descriptor *d = NULL;
	struct ag_error err = { "" };

	ck_assert_int_eq(ag_yaml_parse("outer.yaml", text, strlen(text), &root,
				       &err), 0);
	ck_assert_int_eq(ag_descriptor_from_tree(
				 "outer.yaml", ag_ymap_get(root, "embedded"),
				 &d, &err), -1);
	ck_assert_str_eq(err.msg, "outer.yaml:5:19: queue 05.0005 is not in "
			 "the mdev's adapters x domains");
	ck_assert_ptr_null(d);
	ag_ynode_free(root);
}
END_TEST

/* --- RFC 3339 --- */

START_TEST(test_time_parse)
{
	static const struct {
		const char *s;
		time_t t;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-11-22T10:15:00Z", 1795342500 },
		{ "2026-11-22t10:15:00z", 1795342500 },
		{ "2026-11-22T11:15:00+01:00", 1795342500 },
		{ "2026-11-22T05:45:00-04:30", 1795342500 },
		{ "2026-11-22T10:15:00.123456Z", 1795342500 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2016-12-31T23:59:60Z", 1483228800 },	/* leap second */
	};
	static const char *const bad[] = {
		"", "2026-11-22", "2026-11-22T10:15:00", "2026-11-22 10:15:00Z",
		"2026-11-22T10:15Z", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-11-31T00:00:00Z",
		"2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z",
		"2026-11-22T10:15:61Z", "2026-11-22T10:15:00.Z",
		"2026-11-22T10:15:00+1:00", "2026-11-22T10:15:00+01",
		"2026-11-22T10:15:00+24:00", "2026-11-22T10:15:00+01:60",
		"2026-11-22T10:15:00Z ", " 2026-11-22T10:15:00Z",
		"26-11-22T10:15:00Z", "2026-1-22T10:15:00Z",
		"2026-11-22T10:15:00UTC", "+2026-11-22T10:15:00Z",
	};
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(good); i++) {
		time_t t = 42;

		ck_assert_msg(ag_time_parse(good[i].s, &t) == 0, "%s",
			      good[i].s);
		ck_assert_msg(t == good[i].t, "%s: %lld", good[i].s,
			      (long long)t);
	}
	for (i = 0; i < AG_ARRAY_SIZE(bad); i++) {
		time_t t = 42;

		ck_assert_msg(ag_time_parse(bad[i], &t) == -1, "\"%s\"",
			      bad[i]);
		ck_assert(t == 42);
	}
	ck_assert_int_eq(ag_time_parse(NULL, &(time_t){ 0 }), -1);
}
END_TEST

START_TEST(test_time_format)
{
	char buf[AG_TIME_LEN];
	time_t t;

	ag_time_format(0, buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	ag_time_format(1795342500, buf);
	ck_assert_str_eq(buf, "2026-11-22T10:15:00Z");
	ck_assert_int_eq(ag_time_parse("0099-01-01T00:00:00Z", &t), 0);
	ag_time_format(t, buf);
	ck_assert_str_eq(buf, "0099-01-01T00:00:00Z");
	ck_assert_int_eq(ag_time_parse(buf, &t), 0);
}
END_TEST

Suite *suite_descriptor(void)
{
	Suite *s = suite_create("descriptor");
	TCase *load = tcase_create("load");
	TCase *errors = tcase_create("errors");
	TCase *model = tcase_create("model");
	TCase *ser = tcase_create("serialise");
	TCase *tm = tcase_create("time");

	tcase_add_test(load, test_load_cca);
	tcase_add_test(load, test_load_ep11);
	tcase_add_test(load, test_load_accel_and_cex9);
	tcase_add_test(load, test_load_v1_keys);
	tcase_add_test(load, test_minimal);
	tcase_add_test(load, test_load_planned_assigned);
	tcase_add_test(load, test_from_tree);
	suite_add_tcase(s, load);

	tcase_add_test(errors, test_errors_structure);
	tcase_add_test(errors, test_errors_mdev);
	tcase_add_test(errors, test_errors_collected);
	tcase_add_test(errors, test_errors_cards);
	tcase_add_test(errors, test_errors_queues);
	tcase_add_test(errors, test_errors_mkvps);
	tcase_add_test(errors, test_errors_blocks);
	tcase_add_test(errors, test_bad_corpus);
	tcase_add_test(errors, test_file_errors);
	tcase_set_timeout(errors, 60);
	suite_add_tcase(s, errors);

	tcase_add_test(model, test_normalize_order);
	tcase_add_test(model, test_built_descriptor);
	tcase_add_test(model, test_generation);
	tcase_add_test(model, test_enum_names);
	tcase_add_test(model, test_mk_state_rules);
	suite_add_tcase(s, model);

	tcase_add_test(ser, test_canonical_form);
	tcase_add_test(ser, test_canonical_text_is_json_c);
	tcase_add_test(ser, test_digest_json_equals_yaml);
	tcase_add_test(ser, test_digest_stability);
	tcase_add_test(ser, test_digest_normalised_values);
	tcase_add_test(ser, test_yaml_round_trip);
	tcase_add_test(ser, test_yaml_emit_shape);
	suite_add_tcase(s, ser);

	tcase_add_test(tm, test_time_parse);
	tcase_add_test(tm, test_time_format);
	suite_add_tcase(s, tm);
	return s;
}
