/* test_auditbound.c - what one decision record may hold (auditbound.h)
 * and the writer's bound at its edge: a record of exactly
 * AG_AUDIT_RECORD_MAX bytes is written and read back, one byte more is
 * refused with nothing written. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auditbound.h"
#include "auditlog.h"
#include "digest.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static char dir[64];
static char logpath[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/apgate-bound-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof(logpath), "%s/decisions.jsonl", dir);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

static char *filled(size_t n, char c)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A record whose serialised line (with the chain members the writer adds
 * to the first record of a log) is exactly line bytes long. */
static json_object *record_of(size_t line)
{
	json_object *o = json_object_new_object();
	char *s, *pad;
	size_t base;

	json_object_object_add(o, "type", json_object_new_string("decision"));
	json_object_object_add(o, "pad", json_object_new_string(""));
	json_object_object_add(o, "apgate-audit", json_object_new_int(1));
	json_object_object_add(o, "seq", json_object_new_int64(1));
	json_object_object_add(o, "prev", json_object_new_string(AG_AUDIT_GENESIS));
	s = ag_audit_serialize(o);
	base = strlen(s);
	free(s);
	pad = filled(line - base, 'p');
	json_object_object_add(o, "pad", json_object_new_string(pad));
	free(pad);
	return o;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

START_TEST(writer_bound_edge)
{
	struct ag_audit_check r[1];
	const char *paths[1] = { logpath };
	struct ag_error err;
	json_object *o = record_of(AG_AUDIT_RECORD_MAX + 1);
	off_t size;

	ck_assert_int_eq(ag_auditlog_append(logpath, o, false, &err), -1);
	ck_assert_msg(strstr(err.msg, "the record is 4194305 bytes, more than "
			     "the 4194304 a record may be") != NULL, "%s", err.msg);
	json_object_put(o);
	ck_assert_int_eq(file_size(logpath), 0);

	o = record_of(AG_AUDIT_RECORD_MAX);
	ck_assert_msg(ag_auditlog_append(logpath, o, false, &err) == 0, "%s",
		      err.msg);
	json_object_put(o);
	size = file_size(logpath);
	ck_assert_int_eq(size, AG_AUDIT_RECORD_MAX + 1);
	/* the tail scan takes it back: the next record chains to it */
	o = record_of(300);
	ck_assert_msg(ag_auditlog_append(logpath, o, false, &err) == 0, "%s",
		      err.msg);
	json_object_put(o);
	ck_assert_int_eq(ag_auditlog_verify(paths, 1, r), AG_AUDIT_INTACT);
	ck_assert_int_eq(r[0].records, 2);
	ag_audit_check_free(r, 1);
}
END_TEST

static json_object *finding(const char *msg, json_object *evidence)
{
	json_object *f = json_object_new_object();

	json_object_object_add(f, "rule", json_object_new_string("x.big"));
	json_object_object_add(f, "severity", json_object_new_string("note"));
	json_object_object_add(f, "message", json_object_new_string(msg));
	if (evidence)
		json_object_object_add(f, "evidence", evidence);
	return f;
}

/* The case, scaled: a host copied into every finding's message
 * and evidence, 40 findings, and whole descriptors. */
START_TEST(bound_cuts_and_digests)
{
	char *big = filled(1024 * 1024, 'h'), *full, sha[AG_SHA256_HEX_LEN];
	json_object *rec = json_object_new_object(), *fs, *t, *v, *side;
	size_t i, len;
	char *s;

	json_object_object_add(rec, "type", json_object_new_string("decision"));
	json_object_object_add(rec, "verdict", json_object_new_string("accept"));
	json_object_object_add(rec, "decision_id", json_object_new_string("d-1"));
	side = json_object_new_object();
	json_object_object_add(side, "host", json_object_new_string("a"));
	json_object_object_add(rec, "source", side);
	fs = json_object_new_array();
	for (i = 0; i < 40; i++) {
		json_object *ev = json_object_new_object();

		json_object_object_add(ev, "host", json_object_new_string(big));
		json_object_array_add(fs, finding(big, ev));
	}
	json_object_object_add(rec, "findings", fs);
	v = json_object_new_object();
	json_object_object_add(v, "source", json_object_new_string(big));
	json_object_object_add(rec, "descriptors", v);
	full = ag_audit_serialize(rec);
	ag_sha256_hex(full, strlen(full), sha);

	ck_assert(ag_audit_bound(rec));
	s = ag_audit_serialize(rec);
	len = strlen(s);
	ck_assert_uint_le(len, AG_AUDIT_RECORD_MAX - AG_AUDIT_CHAIN_RESERVE);
	free(s);
	ck_assert(json_object_object_get_ex(rec, "truncated", &t));
	ck_assert(json_object_object_get_ex(t, "full_sha256", &v));
	ck_assert_str_eq(json_object_get_string(v), sha);
	ck_assert(json_object_object_get_ex(t, "full_bytes", &v));
	ck_assert_int_eq(json_object_get_int64(v), (int64_t)strlen(full));
	/* every string cut to its bound, with the marker */
	json_object_object_get_ex(rec, "findings", &fs);
	ck_assert_int_eq(json_object_array_length(fs), 40);
	v = json_object_array_get_idx(fs, 0);
	json_object_object_get_ex(v, "message", &v);
	ck_assert_uint_le(json_object_get_string_len(v), AG_AUDIT_STRING_MAX);
	ck_assert(strstr(json_object_get_string(v), "...[") != NULL);
	ck_assert(strstr(json_object_get_string(v), " bytes cut]") != NULL);
	/* the essentials stay */
	ck_assert(json_object_object_get_ex(rec, "verdict", NULL));
	ck_assert(json_object_object_get_ex(rec, "source", NULL));
	free(full);
	free(big);
	json_object_put(rec);
}
END_TEST

/* Too many findings for the whole record: the last ones go, counted. */
START_TEST(bound_drops_findings)
{
	char *msg = filled(AG_AUDIT_STRING_MAX, 'm');
	json_object *rec = json_object_new_object(), *fs = json_object_new_array();
	json_object *t, *v;
	size_t i, n = 2 * AG_AUDIT_RECORD_MAX / AG_AUDIT_STRING_MAX;
	char *s;

	for (i = 0; i < n; i++)
		json_object_array_add(fs, finding(msg, NULL));
	json_object_object_add(rec, "findings", fs);
	json_object_object_add(rec, "rules", json_object_new_array());
	v = json_object_new_object();
	for (i = 0; i < 300; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%zu", i);
		json_object_object_add(v, key, json_object_new_string(msg));
	}
	json_object_object_add(rec, "descriptors", v);
	ck_assert(ag_audit_bound(rec));
	/* stored descriptors go first */
	ck_assert(!json_object_object_get_ex(rec, "descriptors", NULL));
	s = ag_audit_serialize(rec);
	ck_assert_uint_le(strlen(s), AG_AUDIT_RECORD_MAX - AG_AUDIT_CHAIN_RESERVE);
	free(s);
	json_object_object_get_ex(rec, "truncated", &t);
	json_object_object_get_ex(t, "findings_dropped", &v);
	ck_assert_int_eq(json_object_get_int64(v) +
			 (int64_t)json_object_array_length(fs), (int64_t)n);
	ck_assert_int_gt(json_object_get_int64(v), 0);
	json_object_object_get_ex(t, "members_dropped", &v);
	ck_assert_int_eq(json_object_array_length(v), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 0)),
			 "descriptors");
	free(msg);
	json_object_put(rec);
}
END_TEST

/* A small record is left as it is, without a marker. */
START_TEST(bound_leaves_small_records)
{
	json_object *rec = json_object_new_object();

	json_object_object_add(rec, "verdict", json_object_new_string("accept"));
	ck_assert(!ag_audit_bound(rec));
	ck_assert(!json_object_object_get_ex(rec, "truncated", NULL));
	json_object_put(rec);
}
END_TEST

/* Around the short cut for small records: a record of exactly
 * AG_AUDIT_STRING_MAX bytes is left alone, one whose only long string is
 * a byte over the bound is cut, though the record is far below the
 * finding and record bounds. */
START_TEST(bound_short_cut_edge)
{
	json_object *rec = json_object_new_object();
	char *s;
	size_t over;

	json_object_object_add(rec, "m", json_object_new_string(""));
	over = AG_AUDIT_STRING_MAX - strlen(json_object_to_json_string_ext(
		rec, JSON_C_TO_STRING_PLAIN));
	s = filled(over, 'x');
	json_object_object_add(rec, "m", json_object_new_string(s));
	free(s);
	ck_assert(!ag_audit_bound(rec));
	ck_assert(!json_object_object_get_ex(rec, "truncated", NULL));
	json_object_put(rec);

	rec = json_object_new_object();
	s = filled(AG_AUDIT_STRING_MAX + 1, 'y');
	json_object_object_add(rec, "m", json_object_new_string(s));
	free(s);
	ck_assert(ag_audit_bound(rec));
	ck_assert(json_object_object_get_ex(rec, "truncated", NULL));
	ck_assert_uint_le(strlen(json_object_get_string(
		json_object_object_get(rec, "m"))), AG_AUDIT_STRING_MAX);
	json_object_put(rec);
}
END_TEST

/* ag_audit_json_size_bound never says less than the text json-c writes:
 * escapes of every kind, numbers at their widest, nesting, empty parts. */
START_TEST(size_bound_is_an_upper_bound)
{
	static const char *const docs[] = {
		"{}", "[]", "\"\"", "null", "true", "false", "0",
		"-9223372036854775808", "9223372036854775807",
		"-1.2345678901234567e-300", "1e308", "0.1", "-0.0",
		"\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\"",
		"\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u000e\"",
		"\"\\\"\\\"\\\"\\\\\\\\\"",
		"\"caf\u00e9 \u20ac \\u2028 </script>\"",
		"{\"k\\n\\u0001\": [1, 2.5, {\"a\": [], \"b\": {}}, null, false],"
		" \"\": \"\", \"/\": \"\\\\\\\\\"}",
		"[[[[[[\"deep\"]]]]], -0.000001, 123456789012]",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_object *o = json_tokener_parse(docs[i]);
		size_t real;

		ck_assert_msg(o != NULL || !strcmp(docs[i], "null"), "%s", docs[i]);
		real = strlen(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		ck_assert_msg(ag_audit_json_size_bound(o) >= real,
			      "%s: bound %zu < %zu", docs[i],
			      ag_audit_json_size_bound(o), real);
		/* and not so loose that the short cut never applies */
		ck_assert_msg(ag_audit_json_size_bound(o) <= 6 * real + 32,
			      "%s: bound %zu for %zu", docs[i],
			      ag_audit_json_size_bound(o), real);
		json_object_put(o);
	}
}
END_TEST

Suite *suite_auditbound(void)
{
	Suite *s = suite_create("auditbound");
	TCase *tc = tcase_create("bounds");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, writer_bound_edge);
	tcase_add_test(tc, bound_cuts_and_digests);
	tcase_add_test(tc, bound_drops_findings);
	tcase_add_test(tc, bound_leaves_small_records);
	tcase_add_test(tc, bound_short_cut_edge);
	tcase_add_test(tc, size_bound_is_an_upper_bound);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
