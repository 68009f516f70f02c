/* test_auditsyslog.c - the syslog copy of decision records: message bounds
 * and contents, facility names, and verify --against on crafted copies. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "auditlog.h"
#include "auditsyslog.h"
#include "digest.h"
#include "suites.h"
#include "util.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/apgate-syslog-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

static json_object *rec_with(const char *verdict, size_t pad)
{
	json_object *o = json_object_new_object();
	char *p = xmalloc(pad + 1);

	memset(p, 'x', pad);
	p[pad] = '\0';
	json_object_object_add(o, "apgate-audit", json_object_new_int(1));
	json_object_object_add(o, "type", json_object_new_string("decision"));
	json_object_object_add(o, "seq", json_object_new_int64(7));
	json_object_object_add(o, "prev", json_object_new_string(AG_AUDIT_GENESIS));
	json_object_object_add(o, "decision_id", json_object_new_string("d-7"));
	json_object_object_add(o, "verdict", json_object_new_string(verdict));
	json_object_object_add(o, "guest", json_object_new_string(p));
	json_object_object_add(o, "pad", json_object_new_string(p));
	free(p);
	return o;
}

static json_object *parse_cee(const char *msg)
{
	json_object *o;

	ck_assert_msg(strncmp(msg, AG_CEE_COOKIE, strlen(AG_CEE_COOKIE)) == 0,
		      "no cookie: %.40s", msg);
	o = json_tokener_parse(msg + strlen(AG_CEE_COOKIE));
	ck_assert_ptr_nonnull(o);
	return o;
}

START_TEST(cee_carries_record_and_hash)
{
	json_object *rec = rec_with("accept", 10), *m, *v;
	char *line = ag_audit_serialize(rec), *msg = ag_audit_cee(rec), *plain;
	char sha[AG_SHA256_HEX_LEN];

	ck_assert_int_eq(ag_sha256_hex(line, strlen(line), sha), 0);
	m = parse_cee(msg);
	ck_assert(json_object_object_get_ex(m, "sha256", &v));
	ck_assert_str_eq(json_object_get_string(v), sha);
	ck_assert(json_object_object_get_ex(m, "pad", &v));
	ck_assert_int_eq(json_object_get_string_len(v), 10);
	ck_assert(!json_object_object_get_ex(m, "truncated", &v));
	/* The message is the record plus sha256, serialised the same way. */
	json_object_object_del(m, "sha256");
	free(line);
	line = ag_audit_serialize(m);
	ck_assert_str_eq(line, plain = ag_audit_serialize(rec));
	free(plain);
	json_object_put(m);
	json_object_put(rec);
	free(line);
	free(msg);
}
END_TEST

START_TEST(cee_bounded_to_anchors)
{
	/* Just over and far over the bound: both within it, anchors kept,
	 * an anchor string too long to keep left out. */
	size_t pads[] = { AG_CEE_MAX / 2, 100000 };
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(pads); i++) {
		json_object *rec = rec_with("reject", pads[i]), *m, *v;
		char *msg = ag_audit_cee(rec);

		ck_assert_uint_le(strlen(msg), AG_CEE_MAX);
		m = parse_cee(msg);
		ck_assert(json_object_object_get_ex(m, "truncated", &v));
		ck_assert(json_object_get_boolean(v));
		ck_assert(!json_object_object_get_ex(m, "pad", &v));
		ck_assert(!json_object_object_get_ex(m, "guest", &v));
		ck_assert(json_object_object_get_ex(m, "seq", &v));
		ck_assert_int_eq(json_object_get_int64(v), 7);
		ck_assert(json_object_object_get_ex(m, "decision_id", &v));
		ck_assert(json_object_object_get_ex(m, "verdict", &v));
		ck_assert(json_object_object_get_ex(m, "prev", &v));
		ck_assert(json_object_object_get_ex(m, "sha256", &v));
		ck_assert_int_eq(json_object_get_string_len(v), 64);
		json_object_put(m);
		json_object_put(rec);
		free(msg);
	}
}
END_TEST

START_TEST(facility_names)
{
	int f = -1;

	ck_assert_int_eq(ag_syslog_facility("authpriv", &f), 0);
	ck_assert_int_eq(f, LOG_AUTHPRIV);
	ck_assert_int_eq(ag_syslog_facility("local7", &f), 0);
	ck_assert_int_eq(f, LOG_LOCAL7);
	ck_assert_int_eq(ag_syslog_facility("kern", &f), -1);
	ck_assert_int_eq(ag_syslog_facility("", &f), -1);
	ck_assert_int_eq(ag_syslog_facility("AUTHPRIV", &f), -1);
}
END_TEST

/* A log of n records and a copy of their messages, one per line among
 * other programs' lines. */
static void log_and_copy(const char *log, const char *copy, int n)
{
	FILE *f = fopen(copy, "w");
	struct ag_error err;
	int i;

	ck_assert_ptr_nonnull(f);
	fputs("Nov 30 05:00:00 host kernel: unrelated\n", f);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char *msg;

		json_object_object_add(o, "type", json_object_new_string("decision"));
		json_object_object_add(o, "decision_id",
				       json_object_new_string(i ? "d-2" : "d-1"));
		ck_assert_msg(ag_auditlog_append(log, o, false, &err) == 0, "%s", err.msg);
		msg = ag_audit_cee(o);
		fprintf(f, "Nov 30 05:00:0%d host apgate[42]: %s\n", i, msg);
		free(msg);
		json_object_put(o);
	}
	fputs("Nov 30 05:00:09 host other[1]: @cee: {\"seq\":1}\n", f);
	fclose(f);
}

START_TEST(against_matches_and_detects)
{
	char *log = xasprintf("%s/d.jsonl", dir), *copy = xasprintf("%s/m", dir);
	const char *paths[1] = { log };
	struct ag_against_result r;
	char *cmd;

	log_and_copy(log, copy, 2);
	ck_assert_int_eq(ag_auditlog_verify_against(paths, 1, copy, &r),
			 AG_AUDIT_INTACT);
	ck_assert_uint_eq(r.exported, 2);
	ck_assert_uint_eq(r.matched, 2);
	ck_assert_uint_eq(r.local_only, 0);

	/* The newest record cut off the local log. */
	cmd = xasprintf("sed -i '$d' '%s'", log);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_int_eq(ag_auditlog_verify_against(paths, 1, copy, &r),
			 AG_AUDIT_BROKEN);
	ck_assert_msg(strstr(r.msg, "record seq 2 (d-2) is in the exported copy "
			     "but missing from the local log") != NULL, "%s", r.msg);

	/* A copy that names one seq twice with different digests. */
	cmd = xasprintf("sed -n 2p '%s' | sed 's/\"sha256\":\"./\"sha256\":\"0/' >> '%s'",
			copy, copy);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_int_eq(ag_auditlog_verify_against(paths, 1, copy, &r),
			 AG_AUDIT_BROKEN);
	free(log);
	free(copy);
}
END_TEST

START_TEST(against_unreadable_or_empty_copy)
{
	char *log = xasprintf("%s/d.jsonl", dir), *copy = xasprintf("%s/m", dir);
	char *missing = xasprintf("%s/none", dir);
	const char *paths[1] = { log };
	struct ag_against_result r;
	FILE *f;

	log_and_copy(log, copy, 1);
	ck_assert_int_eq(ag_auditlog_verify_against(paths, 1, missing, &r),
			 AG_AUDIT_FAILED);
	ck_assert_msg(strstr(r.msg, "cannot open") != NULL, "%s", r.msg);
	f = fopen(copy, "w");
	ck_assert_ptr_nonnull(f);
	fputs("@cee: {\"apgate-audit\":1,\"seq\":1,\"sha256\":\"short\"}\n", f);
	fclose(f);
	ck_assert_int_eq(ag_auditlog_verify_against(paths, 1, copy, &r),
			 AG_AUDIT_FAILED);
	ck_assert_msg(strstr(r.msg, "holds no apgate decision records") != NULL,
		      "%s", r.msg);
	free(log);
	free(copy);
	free(missing);
}
END_TEST

Suite *suite_auditsyslog(void)
{
	Suite *s = suite_create("auditsyslog");
	TCase *tc = tcase_create("syslog");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cee_carries_record_and_hash);
	tcase_add_test(tc, cee_bounded_to_anchors);
	tcase_add_test(tc, facility_names);
	tcase_add_test(tc, against_matches_and_detects);
	tcase_add_test(tc, against_unreadable_or_empty_copy);
	suite_add_tcase(s, tc);
	return s;
}
