/* test_hook.c - domain XML reading, the metadata element, migration
 * blocks and the one-line verdict summary the hook prints. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocks.h"
#include "domxml.h"
#include "render.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static struct ag_error err;

static int parse_fixture(const char *name, struct ag_domxml *dx)
{
	char rel[256];
	size_t len;
	char *buf;
	int rc;

	snprintf(rel, sizeof(rel), "tests/data/hook/%s", name);
	ck_assert_int_eq(ag_read_file(test_path(rel), AG_DOMXML_MAX_BYTES, &buf,
				      &len, &err), 0);
	rc = ag_domxml_parse(name, buf, len, dx, &err);
	free(buf);
	return rc;
}

START_TEST(hostdev_found)
{
	struct ag_domxml dx;

	ck_assert_int_eq(parse_fixture("guest-s390x.xml", &dx), 0);
	ck_assert(dx.has_vfio_ap);
	ck_assert_str_eq(dx.uuid, "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93");
	ck_assert_str_eq(dx.name, "zguest1");
	ck_assert_ptr_null(dx.metadata);
	ag_domxml_free(&dx);
}
END_TEST

START_TEST(no_hostdev_is_not_ours)
{
	struct ag_domxml dx;

	ck_assert_int_eq(parse_fixture("guest-no-vfio-ap.xml", &dx), 0);
	ck_assert(!dx.has_vfio_ap);
	ag_domxml_free(&dx);
}
END_TEST

START_TEST(refusals)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "two-vfio-ap-hostdevs.xml", "two-vfio-ap-hostdevs.xml:22: a second vfio-ap hostdev (first at line 17)" },
		{ "hostdev-without-uuid.xml", "hostdev-without-uuid.xml:17: the vfio-ap hostdev has no mdev UUID" },
		{ "external-entity.xml", "a DOCTYPE or entity declaration is not allowed" },
		{ "billion-laughs.xml", "a DOCTYPE or entity declaration is not allowed" },
		{ "not-xml.xml", "not-xml.xml:1: not well-formed XML" },
		{ "not-a-domain.xml", "root element <network>, expected <domain>" },
	};
	struct ag_domxml dx;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(parse_fixture(cases[i].file, &dx) == -1, "%s parsed",
			      cases[i].file);
		ck_assert_msg(strstr(err.msg, cases[i].want), "%s: got \"%s\"",
			      cases[i].file, err.msg);
	}
}
END_TEST

START_TEST(metadata_matched_by_uri_not_prefix)
{
	struct ag_descriptor *d = NULL;
	struct ag_domxml dx;

	ck_assert_int_eq(parse_fixture("metadata-foreign-only.xml", &dx), 0);
	ck_assert_ptr_null(dx.metadata);
	ag_domxml_free(&dx);
	ck_assert_int_eq(parse_fixture("metadata-broken-descriptor.xml", &dx), 0);
	ck_assert_ptr_nonnull(dx.metadata);	/* prefix "x:" still ours */
	ck_assert_int_eq(ag_domxml_descriptor(&dx, "dom", &d, &err), -1);
	ck_assert_msg(strstr(err.msg, "dom <metadata>:5:28: unknown key \"bogus\""),
		      "%s", err.msg);
	ag_domxml_free(&dx);
}
END_TEST

START_TEST(second_descriptor_refused)
{
	static const char xml[] =
		"<domain><metadata>"
		"<a:descriptor xmlns:a='" AG_XMLNS_URI "'>x</a:descriptor>\n"
		"<descriptor xmlns='" AG_XMLNS_URI "'>y</descriptor>"
		"</metadata></domain>";
	struct ag_domxml dx;

	ck_assert_int_eq(ag_domxml_parse("d", xml, strlen(xml), &dx, &err), -1);
	ck_assert_msg(strstr(err.msg, "d:2: a second apgate descriptor"), "%s",
		      err.msg);
}
END_TEST

START_TEST(metadata_element_round_trip)
{
	struct ag_descriptor *d = test_load_descriptor("examples/ep11-match/source.yaml");
	struct ag_descriptor *back = NULL;
	char a[AG_SHA256_HEX_LEN], b[AG_SHA256_HEX_LEN];
	struct ag_domxml dx;
	char *elem, *xml;

	elem = ag_domxml_metadata_element(d, &err);
	ck_assert_ptr_nonnull(elem);
	ck_assert_msg(strncmp(elem, "<descriptor xmlns=\"" AG_XMLNS_URI "\"", 19 +
			      strlen(AG_XMLNS_URI)) == 0, "%s", elem);
	xml = xasprintf("<domain><metadata>%s</metadata><devices><hostdev "
			"mode='subsystem' type='mdev' model='vfio-ap'><source>"
			"<address uuid='%s'/></source></hostdev></devices>"
			"</domain>", elem, d->mdev.uuid);
	ck_assert_int_eq(ag_domxml_parse("rt", xml, strlen(xml), &dx, &err), 0);
	ck_assert_int_eq(ag_domxml_descriptor(&dx, "rt", &back, &err), 0);
	ag_descriptor_digest(d, a);
	ag_descriptor_digest(back, b);
	ck_assert_str_eq(a, b);
	ag_domxml_free(&dx);
	ag_descriptor_free(back);
	ag_descriptor_free(d);
	free(xml);
	free(elem);
}
END_TEST

/* --- blocks --- */

static char state_dir[64];

static void blocks_setup(void)
{
	snprintf(state_dir, sizeof(state_dir), "/tmp/apgate-blocks.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
}

static void blocks_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", state_dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static struct ag_block_entry entry(const char *uuid, const char *reason,
				   const char *since, const char *until)
{
	struct ag_block_entry b = { 0 };

	snprintf(b.uuid, sizeof(b.uuid), "%s", uuid);
	b.reason = (char *)reason;
	snprintf(b.since, sizeof(b.since), "%s", since);
	snprintf(b.until, sizeof(b.until), "%s", until ? until : "");
	b.by = (char *)"secops";
	return b;
}

#define U1 "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93"
#define U2 "e1a7c3d5-2f4b-4869-8d0e-6b1a9c7f3e25"

START_TEST(blocks_store)
{
	struct ag_block_entry b1 = entry(U1, "key change", "2026-11-22T09:00:00Z",
					 "2026-11-22T18:00:00Z");
	struct ag_block_entry b2 = entry(U2, "card swap", "2026-11-22T08:00:00Z", NULL);
	struct ag_block_entry b3 = entry(U1, "old", "2026-11-01T08:00:00Z",
					 "2026-11-02T08:00:00Z");
	struct ag_blockstore bs;
	size_t removed;
	time_t noon;

	ck_assert_int_eq(ag_time_parse("2026-11-22T12:00:00Z", &noon), 0);
	ck_assert_int_eq(noon, 1795348800);
	ck_assert_int_eq(ag_blocks_load(state_dir, &bs, &err), 0);
	ck_assert_uint_eq(bs.n, 0);	/* no file: no blocks */
	ag_blockstore_free(&bs);
	ck_assert_int_eq(ag_blocks_add(state_dir, &b1, &err), 0);
	ck_assert_int_eq(ag_blocks_add(state_dir, &b2, &err), 0);
	ck_assert_int_eq(ag_blocks_add(state_dir, &b3, &err), 0);
	ck_assert_int_eq(ag_blocks_load(state_dir, &bs, &err), 0);
	ck_assert_uint_eq(bs.n, 3);
	/* sorted by mdev, then since */
	ck_assert_str_eq(bs.items[0].reason, "old");
	ck_assert_str_eq(bs.items[1].reason, "key change");
	ck_assert(!ag_block_active(&bs.items[0], noon));
	ck_assert(ag_block_active(&bs.items[1], noon));
	ck_assert(ag_block_active(&bs.items[2], noon));
	ag_blockstore_free(&bs);
	ck_assert_int_eq(ag_blocks_remove(state_dir, U1, &removed, &err), 0);
	ck_assert_uint_eq(removed, 2);
	ck_assert_int_eq(ag_blocks_remove(state_dir, U1, &removed, &err), 0);
	ck_assert_uint_eq(removed, 0);
	ck_assert_int_eq(ag_blocks_load(state_dir, &bs, &err), 0);
	ck_assert_uint_eq(bs.n, 1);
	ck_assert_str_eq(bs.items[0].uuid, U2);
	ag_blockstore_free(&bs);
}
END_TEST

START_TEST(blocks_apply_only_active_of_that_mdev)
{
	struct ag_descriptor *d = test_load_descriptor("examples/cca-match/target.yaml");
	struct ag_block_entry b1 = entry(d->mdev.uuid, "now", "2026-11-22T09:00:00Z", NULL);
	struct ag_block_entry b2 = entry(d->mdev.uuid, "later", "2026-11-23T09:00:00Z", NULL);
	struct ag_block_entry b3 = entry(U2, "other mdev", "2026-11-22T09:00:00Z", NULL);
	struct ag_blockstore bs;
	time_t noon;

	ck_assert_int_eq(ag_time_parse("2026-11-22T12:00:00Z", &noon), 0);
	ck_assert_int_eq(noon, 1795348800);
	ck_assert_msg(ag_blocks_add(state_dir, &b1, &err) == 0, "%s", err.msg);
	ck_assert_msg(ag_blocks_add(state_dir, &b2, &err) == 0, "%s", err.msg);
	ck_assert_msg(ag_blocks_add(state_dir, &b3, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(ag_blocks_load(state_dir, &bs, &err), 0);
	ag_blocks_apply(&bs, d->mdev.uuid, noon, d);
	ck_assert_uint_eq(d->n_blocks, 1);
	ck_assert_str_eq(d->blocks[0].reason, "now");
	ck_assert_str_eq(d->blocks[0].by, "secops");
	ck_assert_int_eq(ag_descriptor_check(d, "t", &err), 0);
	ag_blockstore_free(&bs);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(blocks_file_errors)
{
	char *path = xasprintf("%s/blocks.json", state_dir);
	struct ag_blockstore bs;
	FILE *f;

	f = fopen(path, "w");
	fputs("{\"apgate-blocks\": 1, \"blocks\": [{\"mdev\": \"x\"}]}", f);
	fclose(f);
	ck_assert_int_eq(ag_blocks_load(state_dir, &bs, &err), -1);
	ck_assert_msg(strstr(err.msg, "blocks[0]: expected an object with mdev"),
		      "%s", err.msg);
	f = fopen(path, "w");
	fputs("{not json", f);
	fclose(f);
	ck_assert_int_eq(ag_blocks_load(state_dir, &bs, &err), -1);
	ck_assert_msg(strstr(err.msg, "not valid JSON"), "%s", err.msg);
	free(path);
}
END_TEST

START_TEST(until_parsing)
{
	time_t now = 1000000, t;

	ck_assert_int_eq(ag_parse_until("+90s", now, &t), 0);
	ck_assert_int_eq(t, now + 90);
	ck_assert_int_eq(ag_parse_until("+2h", now, &t), 0);
	ck_assert_int_eq(t, now + 7200);
	ck_assert_int_eq(ag_parse_until("+1d", now, &t), 0);
	ck_assert_int_eq(t, now + 86400);
	ck_assert_int_eq(ag_parse_until("2026-11-22T18:00:00Z", now, &t), 0);
	ck_assert_int_eq(t, 1795370400);
	ck_assert_int_eq(ag_parse_until("+2", now, &t), -1);
	ck_assert_int_eq(ag_parse_until("+h", now, &t), -1);
	ck_assert_int_eq(ag_parse_until("+2hours", now, &t), -1);
	ck_assert_int_eq(ag_parse_until("tomorrow", now, &t), -1);
	ck_assert_int_eq(ag_parse_until("+99999999d", now, &t), -1);
}
END_TEST

/* --- the summary line --- */

START_TEST(summary_line)
{
	struct ag_verdict v;
	char *s;

	ag_verdict_init(&v);
	ag_verdict_add_rule(&v, "apqn.match", NULL, "f.lua", 1, AG_RESULT_REJECT, NULL);
	ag_verdict_add_finding(&v, "apqn.match", AG_SEV_REJECT,
			       "assigned on source, missing on target", "05.0004", NULL);
	ag_verdict_add_finding(&v, "apqn.match", AG_SEV_REJECT,
			       "assigned on source, missing on target", "06.0004", NULL);
	ag_verdict_add_finding(&v, "mdev.uuid", AG_SEV_WARN, "differs", NULL, NULL);
	ag_verdict_add_finding(&v, "mkvp.match", AG_SEV_REJECT, "differs", "05.0004", NULL);
	ag_verdict_finish(&v);
	s = ag_verdict_summary(&v);
	ck_assert_str_eq(s, "reject: apqn.match: 05.0004 assigned on source, "
			 "missing on target (2 more)");
	free(s);
	ag_verdict_free(&v);

	ag_verdict_init(&v);
	ag_verdict_add_error(&v, "input", "no descriptor");
	ag_verdict_finish(&v);
	s = ag_verdict_summary(&v);
	ck_assert_str_eq(s, "error: input: no descriptor");
	free(s);
	ag_verdict_free(&v);
}
END_TEST

/* What a tree walk sees: text, CDATA and character references of the
 * whole <descriptor> element; the first <name>; lines where tags start;
 * only the first <devices>. */
START_TEST(streaming_reads_like_a_tree)
{
	static const char xml[] =
		"<domain><name>a &amp; <i>b</i><![CDATA[<c>]]></name><name>x</name>\n"
		"<metadata><!-- c --><d:descriptor xmlns:d='" AG_XMLNS_URI "'>"
		"<![CDATA[apgate-]]>descriptor&#x3a; <z>1</z></d:descriptor>"
		"</metadata>\n<devices>\n<hostdev mode='subsystem'\n type='mdev' "
		"model='vfio-ap'><source/></hostdev>\n<hostdev\n mode='subsystem' "
		"type='mdev' model='vfio-ap'/></devices>\n"
		"<devices><hostdev mode='subsystem' type='mdev' model='vfio-ap'/>"
		"</devices></domain>";
	static const char second_only[] =
		"<domain><devices/><devices><hostdev mode='subsystem' type='mdev' "
		"model='vfio-ap'/></devices></domain>";
	static const char prefixed_attr[] =
		"<domain xmlns:q='urn:q'><devices><hostdev q:mode='subsystem' "
		"type='mdev' model='vfio-ap'/></devices></domain>";
	struct ag_domxml dx;

	ck_assert_int_eq(ag_domxml_parse("d", xml, strlen(xml), &dx, &err), -1);
	ck_assert_msg(strstr(err.msg, "d:6: a second vfio-ap hostdev (first at "
			     "line 4)"), "%s", err.msg);
	/* drop the second hostdev: the first has a <source> without UUID */
	{
		char *one = xstrdup(xml), *cut = strstr(one, "<hostdev\n");

		memmove(cut, strstr(cut, "</devices>"), strlen(strstr(cut, "</devices>")) + 1);
		ck_assert_int_eq(ag_domxml_parse("d", one, strlen(one), &dx, &err), -1);
		ck_assert_msg(strstr(err.msg, "d:4: the vfio-ap hostdev has no mdev UUID"),
			      "%s", err.msg);
		cut = strstr(one, "<hostdev mode='subsystem'\n");
		memmove(cut, strstr(cut, "</hostdev>") + 10,
			strlen(strstr(cut, "</hostdev>") + 10) + 1);
		ck_assert_int_eq(ag_domxml_parse("d", one, strlen(one), &dx, &err), 0);
		ck_assert_str_eq(dx.name, "a & b<c>");
		ck_assert_str_eq(dx.metadata, "apgate-descriptor: 1");
		ck_assert(dx.has_vfio_ap == false);	/* hostdev in a later <devices> */
		ag_domxml_free(&dx);
		free(one);
	}
	ck_assert_int_eq(ag_domxml_parse("d", second_only, strlen(second_only),
					 &dx, &err), 0);
	ck_assert(!dx.has_vfio_ap);
	ag_domxml_free(&dx);
	ck_assert_int_eq(ag_domxml_parse("d", prefixed_attr,
					 strlen(prefixed_attr), &dx, &err), 0);
	ck_assert(!dx.has_vfio_ap);
	ag_domxml_free(&dx);
}
END_TEST

/* The element escapes markup and keeps UTF-8 as it is. */
START_TEST(metadata_element_escapes)
{
	struct ag_descriptor *d = test_load_descriptor("examples/ep11-match/source.yaml");
	struct ag_descriptor *back = NULL;
	struct ag_domxml dx;
	char *elem, *xml;

	free(d->host);
	d->host = xstrdup("h\xc3\xa9 & <x> ]]>");
	elem = ag_domxml_metadata_element(d, &err);
	ck_assert_ptr_nonnull(elem);
	ck_assert_msg(strstr(elem, "host: \"h\xc3\xa9 &amp; &lt;x&gt; ]]&gt;\""),
		      "%s", elem);
	ck_assert_msg(strstr(elem, "</descriptor>") ==
		      elem + strlen(elem) - strlen("</descriptor>"), "%s", elem);
	xml = xasprintf("<domain><metadata>%s</metadata></domain>", elem);
	ck_assert_int_eq(ag_domxml_parse("rt", xml, strlen(xml), &dx, &err), 0);
	ck_assert_int_eq(ag_domxml_descriptor(&dx, "rt", &back, &err), 0);
	ck_assert_str_eq(back->host, d->host);
	ag_domxml_free(&dx);
	ag_descriptor_free(back);
	ag_descriptor_free(d);
	free(xml);
	free(elem);
}
END_TEST

Suite *suite_hook(void)
{
	Suite *s = suite_create("hook");
	TCase *tc = tcase_create("domxml");

	tcase_add_test(tc, hostdev_found);
	tcase_add_test(tc, no_hostdev_is_not_ours);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, metadata_matched_by_uri_not_prefix);
	tcase_add_test(tc, second_descriptor_refused);
	tcase_add_test(tc, metadata_element_round_trip);
	tcase_add_test(tc, streaming_reads_like_a_tree);
	tcase_add_test(tc, metadata_element_escapes);
	tcase_add_test(tc, summary_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("blocks");
	tcase_add_checked_fixture(tc, blocks_setup, blocks_teardown);
	tcase_add_test(tc, blocks_store);
	tcase_add_test(tc, blocks_apply_only_active_of_that_mdev);
	tcase_add_test(tc, blocks_file_errors);
	tcase_add_test(tc, until_parsing);
	suite_add_tcase(s, tc);
	return s;
}
