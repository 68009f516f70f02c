/* test_audit.c - the decision log: chain, tampering found at the right
 * line, torn lines from crashes, concurrent appends, rotation, decision
 * records from ag_decide, and report escaping. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "auditlog.h"
#include "decide.h"
#include "jsonsort.h"
#include "report.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static char dir[64];
static char logpath[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/apgate-audit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof(logpath), "%s/log/decisions.jsonl", dir);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

static json_object *record(int i, size_t pad)
{
	json_object *o = json_object_new_object();
	char ts[AG_TIME_LEN];

	ag_time_format((time_t)1795000000 + i * 60, ts);
	json_object_object_add(o, "type", json_object_new_string("decision"));
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	json_object_object_add(o, "verdict", json_object_new_string(
				       i % 3 ? "accept" : "reject"));
	json_object_object_add(o, "n", json_object_new_int(i));
	if (pad) {
		char *p = xmalloc(pad + 1);

		memset(p, 'x', pad);
		p[pad] = '\0';
		json_object_object_add(o, "pad", json_object_new_string(p));
		free(p);
	}
	return o;
}

static void append_n(const char *path, int from, int n)
{
	struct ag_error err;
	int i;

	for (i = from; i < from + n; i++) {
		json_object *o = record(i, 0);

		ck_assert_msg(ag_auditlog_append(path, o, false, &err) == 0, "%s", err.msg);
		json_object_put(o);
	}
}

static enum ag_audit_status verify1(const char *path, struct ag_audit_check *r)
{
	const char *paths[1] = { path };

	return ag_auditlog_verify(paths, 1, r);
}

/* The log's lines, for tampering. */
static size_t read_lines(const char *path, char ***lines)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	ck_assert_ptr_nonnull(f);
	*lines = NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		*lines = xrealloc(*lines, (n + 1) * sizeof(**lines));
		(*lines)[n++] = xstrndup(line, (size_t)len);
	}
	free(line);
	fclose(f);
	return n;
}

static void write_lines(const char *path, char **lines, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++)
		fputs(lines[i], f);
	fclose(f);
}

static void free_lines(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

START_TEST(intact_chain)
{
	struct ag_audit_check r;
	char **lines;
	size_t n;

	append_n(logpath, 1, 10);
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_INTACT);
	ck_assert_uint_eq(r.records, 10);
	ck_assert_uint_eq(r.first_seq, 1);
	ck_assert_uint_eq(r.last_seq, 10);
	ck_assert_uint_eq(r.n_notes, 0);
	ag_audit_check_free(&r, 1);

	/* keys sorted, compact, genesis first, directories 0750, file 0640 */
	n = read_lines(logpath, &lines);
	ck_assert_uint_eq(n, 10);
	{
		static const char start[] = "{\"apgate-audit\":1,\"n\":1,\"prev\":\""
			AG_AUDIT_GENESIS "\",\"seq\":1,";

		ck_assert(strncmp(lines[0], start, sizeof(start) - 1) == 0);
	}
	free_lines(lines, n);
	{
		struct stat st;
		char *d = xasprintf("%s/log", dir);

		ck_assert_int_eq(stat(d, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0750);
		ck_assert_int_eq(stat(logpath, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0640);
		free(d);
	}
}
END_TEST

/* Each tampering kind, and the line it must be reported at. */
enum tamper { EDIT, DELETE, INSERT_COPY, INSERT_CRAFTED, REORDER, TRUNCATE,
	      GARBLE, DELETE_FIRST };

static void tamper_and_check(enum tamper kind, enum ag_audit_status want,
			     size_t want_line, const char *want_msg)
{
	struct ag_audit_check r;
	char **lines, *tmp;
	size_t n, i;

	append_n(logpath, 1, 10);
	n = read_lines(logpath, &lines);
	switch (kind) {
	case EDIT:	/* line 4: "n":4 -> "n":5 */
		tmp = strstr(lines[3], "\"n\":4");
		ck_assert_ptr_nonnull(tmp);
		tmp[4] = '5';
		break;
	case DELETE:	/* line 4 */
		free(lines[3]);
		memmove(&lines[3], &lines[4], (n - 4) * sizeof(*lines));
		n--;
		break;
	case INSERT_COPY:	/* a copy of line 2 before line 5 */
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		memmove(&lines[5], &lines[4], (n - 4) * sizeof(*lines));
		lines[4] = xstrdup(lines[1]);
		n++;
		break;
	case INSERT_CRAFTED: {	/* a well-formed record chained to line 4 */
		char hex[AG_SHA256_HEX_LEN];
		json_object *o = record(99, 0);
		char *s;

		ag_sha256_hex(lines[3], strlen(lines[3]) - 1, hex);
		json_object_object_add(o, "apgate-audit", json_object_new_int(1));
		json_object_object_add(o, "seq", json_object_new_int(5));
		json_object_object_add(o, "prev", json_object_new_string(hex));
		s = ag_audit_serialize(o);
		json_object_put(o);
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		memmove(&lines[5], &lines[4], (n - 4) * sizeof(*lines));
		lines[4] = xasprintf("%s\n", s);
		free(s);
		n++;
		break;
	}
	case REORDER:	/* swap lines 4 and 5 */
		tmp = lines[3];
		lines[3] = lines[4];
		lines[4] = tmp;
		break;
	case TRUNCATE:	/* cut in the middle of line 7, drop the rest */
		lines[6][strlen(lines[6]) / 2] = '\0';
		for (i = 7; i < n; i++)
			free(lines[i]);
		n = 7;
		break;
	case GARBLE:	/* line 3 no longer JSON */
		lines[2][0] = '[';
		break;
	case DELETE_FIRST:
		free(lines[0]);
		memmove(&lines[0], &lines[1], (n - 1) * sizeof(*lines));
		n--;
		break;
	}
	write_lines(logpath, lines, n);
	free_lines(lines, n);
	ck_assert_int_eq(verify1(logpath, &r), want);
	ck_assert_msg(r.line == want_line, "reported line %zu, want %zu: %s",
		      r.line, want_line, r.msg);
	ck_assert_msg(strstr(r.msg, want_msg), "message '%s' lacks '%s'", r.msg,
		      want_msg);
	ag_audit_check_free(&r, 1);
}

START_TEST(tamper_edit)
{
	tamper_and_check(EDIT, AG_AUDIT_BROKEN, 4, "altered");
}
END_TEST

START_TEST(tamper_delete)
{
	tamper_and_check(DELETE, AG_AUDIT_BROKEN, 4, "deleted");
}
END_TEST

START_TEST(tamper_insert)
{
	tamper_and_check(INSERT_COPY, AG_AUDIT_BROKEN, 5, "out of place");
}
END_TEST

START_TEST(tamper_insert_crafted)
{
	tamper_and_check(INSERT_CRAFTED, AG_AUDIT_BROKEN, 5, "inserted");
}
END_TEST

START_TEST(tamper_reorder)
{
	tamper_and_check(REORDER, AG_AUDIT_BROKEN, 4, "out of order");
}
END_TEST

START_TEST(tamper_truncate)
{
	tamper_and_check(TRUNCATE, AG_AUDIT_TORN, 7, "incomplete final line");
}
END_TEST

START_TEST(tamper_garble)
{
	tamper_and_check(GARBLE, AG_AUDIT_BROKEN, 3, "not a decision record");
}
END_TEST

START_TEST(tamper_delete_first)
{
	tamper_and_check(DELETE_FIRST, AG_AUDIT_BROKEN, 1, "does not start a chain");
}
END_TEST

/* A torn final line is reported as such; the next append chains to the
 * last whole record and names the damage, after which the log verifies. */
START_TEST(torn_line_recovered)
{
	struct ag_audit_check r;
	char **lines;
	size_t n;
	int fd;

	append_n(logpath, 1, 5);
	fd = open(logpath, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"apgate-audit\":1,\"n\":", 22), 22);
	close(fd);
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_TORN);
	ck_assert_uint_eq(r.line, 6);
	ck_assert_uint_eq(r.records, 5);
	ag_audit_check_free(&r, 1);

	append_n(logpath, 6, 2);
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_INTACT);
	ck_assert_uint_eq(r.records, 7);
	ck_assert_uint_eq(r.last_seq, 7);
	ck_assert_uint_eq(r.n_notes, 1);
	ck_assert_ptr_nonnull(strstr(r.notes[0], "line 6: 23 bytes left by an "
				     "interrupted write"));
	ag_audit_check_free(&r, 1);

	n = read_lines(logpath, &lines);
	ck_assert_uint_eq(n, 8);
	ck_assert_ptr_nonnull(strstr(lines[6], "\"torn\":{\"bytes\":23,"));
	ck_assert_ptr_nonnull(strstr(lines[6], "\"seq\":6,"));

	/* altering the acknowledged bytes is tampering */
	lines[5][3] = 'X';
	write_lines(logpath, lines, n);
	free_lines(lines, n);
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_BROKEN);
	ck_assert_uint_eq(r.line, 6);
	ag_audit_check_free(&r, 1);
}
END_TEST

/* 8 processes x 1000 appends: 8000 whole records, one valid chain. */
START_TEST(concurrent_appends)
{
	enum { PROCS = 8, EACH = 1000 };
	struct ag_audit_check r;
	char **lines;
	pid_t pids[PROCS];
	size_t n, i;
	int status;

	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct ag_error err;
			int k;

			for (k = 0; k < EACH; k++) {
				/* varied sizes so torn interleaving would show */
				json_object *o = record((int)i * EACH + k,
							(size_t)(k % 7) * 300);

				if (ag_auditlog_append(logpath, o, false, &err) < 0) {
					fprintf(stderr, "%s\n", err.msg);
					_exit(1);
				}
				json_object_put(o);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_INTACT);
	ck_assert_uint_eq(r.records, PROCS * EACH);
	ck_assert_uint_eq(r.last_seq, PROCS * EACH);
	ck_assert_uint_eq(r.n_notes, 0);
	ag_audit_check_free(&r, 1);
	n = read_lines(logpath, &lines);
	ck_assert_uint_eq(n, PROCS * EACH);
	free_lines(lines, n);
}
END_TEST

/* A writer killed with SIGKILL mid-run leaves a log that verifies up to
 * its last whole record; the next append makes it intact again. */
START_TEST(killed_writer)
{
	struct ag_audit_check r;
	enum ag_audit_status st;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	off_t size0;
	pid_t pid;
	int status, round, tries;

	for (round = 0; round < 3; round++) {
		struct stat st0;

		/* a whole record is over 1 MiB */
		size0 = (stat(logpath, &st0) == 0 ? st0.st_size : 0) + (1 << 20);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct ag_error err;
			int k;

			/* big records: the kill can land inside write() */
			for (k = 0; ; k++) {
				json_object *o = record(k, 1u << 20);

				if (ag_auditlog_append(logpath, o, false, &err) < 0)
					_exit(1);
				json_object_put(o);
			}
		}
		/* let it write at least one record (slow under sanitizers),
		 * then kill it wherever it is */
		for (tries = 0; tries < 2000; tries++) {
			struct stat cur;
			struct timespec poll = { 0, 5 * 1000 * 1000 };

			if (stat(logpath, &cur) == 0 && cur.st_size > size0)
				break;
			nanosleep(&poll, NULL);
		}
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));

		st = verify1(logpath, &r);
		ck_assert_msg(st == AG_AUDIT_INTACT || st == AG_AUDIT_TORN,
			      "status %d: %s", st, r.msg);
		ck_assert_uint_ge(r.records, 1);
		ag_audit_check_free(&r, 1);
	}
	/* simulate the worst case too: a record cut in the middle */
	{
		int fd = open(logpath, O_WRONLY | O_APPEND);

		ck_assert_int_eq(write(fd, "{\"apgate-audit\":1,\"pad\":\"xx", 27), 27);
		close(fd);
	}
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_TORN);
	ag_audit_check_free(&r, 1);
	append_n(logpath, 1000, 1);
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_INTACT);
	ck_assert_uint_ge(r.n_notes, 1);
	ag_audit_check_free(&r, 1);
}
END_TEST

START_TEST(rotation_keeps_chain)
{
	struct ag_audit_check r[2];
	struct ag_error err;
	json_object *rot;
	const char *paths[2];
	char *rotated;
	struct stat st;

	append_n(logpath, 1, 3);
	rot = json_object_new_object();
	ag_audit_add_labels(rot);
	ck_assert_msg(ag_auditlog_rotate(logpath, rot, false, &rotated, &err) == 0,
		      "%s", err.msg);
	json_object_put(rot);
	ck_assert_int_eq(stat(rotated, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0440);
	append_n(logpath, 4, 2);

	paths[0] = rotated;
	paths[1] = logpath;
	ck_assert_int_eq(ag_auditlog_verify(paths, 2, r), AG_AUDIT_INTACT);
	ck_assert_uint_eq(r[0].records, 3);
	ck_assert_uint_eq(r[1].records, 3);
	ck_assert_uint_eq(r[1].first_seq, 4);
	ck_assert_uint_eq(r[1].last_seq, 6);
	ag_audit_check_free(r, 2);

	/* the live file alone: intact, noting where it continues from */
	ck_assert_int_eq(verify1(logpath, r), AG_AUDIT_INTACT);
	ck_assert_uint_eq(r[0].n_notes, 1);
	ck_assert_ptr_nonnull(strstr(r[0].notes[0], "continues the log"));
	ag_audit_check_free(r, 1);

	/* files in the wrong order do not chain */
	paths[0] = logpath;
	paths[1] = rotated;
	ck_assert_int_eq(ag_auditlog_verify(paths, 2, r), AG_AUDIT_BROKEN);
	ck_assert_uint_eq(r[1].line, 1);
	ag_audit_check_free(r, 2);
	free(rotated);
}
END_TEST

START_TEST(rotation_over_torn_tail)
{
	struct ag_audit_check r[2];
	struct ag_error err;
	json_object *rot;
	const char *paths[2];
	char *rotated;
	int fd;

	append_n(logpath, 1, 3);
	fd = open(logpath, O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, "{\"apg", 5), 5);
	close(fd);
	rot = json_object_new_object();
	ag_audit_add_labels(rot);
	ck_assert_msg(ag_auditlog_rotate(logpath, rot, false, &rotated, &err) == 0,
		      "%s", err.msg);
	json_object_put(rot);
	append_n(logpath, 4, 1);

	ck_assert_int_eq(verify1(rotated, r), AG_AUDIT_TORN);
	ag_audit_check_free(r, 1);
	paths[0] = rotated;
	paths[1] = logpath;
	ck_assert_msg(ag_auditlog_verify(paths, 2, r) == AG_AUDIT_INTACT, "%s / %s",
		      r[0].msg, r[1].msg);
	ck_assert_uint_eq(r[1].last_seq, 5);
	ag_audit_check_free(r, 2);
	free(rotated);
}
END_TEST

/* The record of a real decision: the verdict plus who, where, and the
 * chain; descriptors only when asked for. */
START_TEST(decision_record)
{
	struct ag_decide_input in = { 0 };
	struct ag_audit_check r;
	struct ag_verdict v;
	struct ag_config cfg;
	struct ag_error err;
	json_object *rec, *x;
	char **lines;
	char *pdir = xstrdup(test_path("policies"));
	size_t n;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		ag_config_defaults(&cfg);
		ag_config_set_policy_dirs(&cfg, &pdir, 1);
		free(cfg.site_policy_dir);
		cfg.site_policy_dir = NULL;
		free(cfg.audit.log);
		cfg.audit.log = xstrdup(logpath);
		cfg.audit.store_descriptors = pass == 1;
		cfg.insecure_policies = true;	/* a build tree's ownership */
		in.cfg = &cfg;
		in.src = test_load_descriptor("examples/cca-match/source.yaml");
		in.tgt = test_load_descriptor("examples/cca-match/target.yaml");
		in.caller = "hook";
		in.guest = "zguest1";
		in.now = time(NULL);
		ag_verdict_init(&v);
		ag_decide(&in, &v);
		ck_assert_msg(v.kind == AG_VERDICT_ACCEPT, "%s",
			      v.n_findings ? v.findings[0].message : "");
		ag_verdict_free(&v);
		ag_descriptor_free((struct ag_descriptor *)in.src);
		ag_descriptor_free((struct ag_descriptor *)in.tgt);
		ag_config_free(&cfg);
	}
	ag_decide_release();
	free(pdir);
	ck_assert_int_eq(verify1(logpath, &r), AG_AUDIT_INTACT);
	ck_assert_uint_eq(r.records, 2);
	ag_audit_check_free(&r, 1);

	n = read_lines(logpath, &lines);
	rec = ag_audit_parse_record(lines[0], strlen(lines[0]) - 1, &err);
	ck_assert_ptr_nonnull(rec);
	ck_assert(json_object_object_get_ex(rec, "caller", &x));
	ck_assert_str_eq(json_object_get_string(x), "hook");
	ck_assert(json_object_object_get_ex(rec, "guest", &x));
	ck_assert_str_eq(json_object_get_string(x), "zguest1");
	ck_assert(json_object_object_get_ex(rec, "verdict", &x));
	ck_assert_str_eq(json_object_get_string(x), "accept");
	ck_assert(json_object_object_get_ex(rec, "policy_set_sha256", NULL));
	ck_assert(json_object_object_get_ex(rec, "host", NULL));
	ck_assert(json_object_object_get_ex(rec, "lua", NULL));
	ck_assert(!json_object_object_get_ex(rec, "descriptors", NULL));
	json_object_put(rec);
	rec = ag_audit_parse_record(lines[1], strlen(lines[1]) - 1, &err);
	ck_assert_ptr_nonnull(rec);
	ck_assert(json_object_object_get_ex(rec, "descriptors", &x));
	ck_assert(json_object_object_get_ex(x, "source", NULL));
	ck_assert(json_object_object_get_ex(x, "target", NULL));
	json_object_put(rec);
	free_lines(lines, n);
}
END_TEST

/* An unwritable log turns the verdict into an error naming the log,
 * unless the site chose to accept the failure. */
START_TEST(unwritable_fails_closed)
{
	struct ag_decide_input in = { 0 };
	struct ag_verdict v;
	struct ag_config cfg;
	char *pdir = xstrdup(test_path("policies"));
	char *blocker = xasprintf("%s/file", dir), *bad;
	FILE *f = fopen(blocker, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
	bad = xasprintf("%s/sub/decisions.jsonl", blocker);	/* ENOTDIR */
	ag_config_defaults(&cfg);
	ag_config_set_policy_dirs(&cfg, &pdir, 1);
	free(cfg.site_policy_dir);
	cfg.site_policy_dir = NULL;
	free(cfg.audit.log);
	cfg.audit.log = xstrdup(bad);
	cfg.insecure_policies = true;
	in.cfg = &cfg;
	in.src = test_load_descriptor("examples/cca-match/source.yaml");
	in.tgt = test_load_descriptor("examples/cca-match/target.yaml");
	in.caller = "check";
	in.now = time(NULL);
	ag_verdict_init(&v);
	ag_decide(&in, &v);
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_str_eq(v.findings[0].rule, "audit");
	ck_assert_ptr_nonnull(strstr(v.findings[0].message, bad));
	ck_assert_ptr_nonnull(strstr(v.findings[0].message, "Not a directory"));
	ag_verdict_free(&v);

	cfg.audit.fail_closed = false;	/* on_write_failure: accept */
	ag_verdict_init(&v);
	ag_decide(&in, &v);
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
	ag_verdict_free(&v);

	ag_descriptor_free((struct ag_descriptor *)in.src);
	ag_descriptor_free((struct ag_descriptor *)in.tgt);
	ag_config_free(&cfg);
	ag_decide_release();
	free(pdir);
	free(blocker);
	free(bad);
}
END_TEST

static int add_visit(void *ctx, const struct ag_audit_entry *e)
{
	ag_report_add(ctx, e->rec);
	return 0;
}

static char *render(enum ag_report_format fmt)
{
	struct ag_audit_check r;
	struct ag_report *rep = ag_report_new();
	struct ag_error err;
	enum ag_audit_status st = verify1(logpath, &r);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ag_report_set_chain(rep, st, &r, 1);
	ck_assert_int_eq(ag_auditlog_read(logpath, add_visit, rep, &err), 0);
	ck_assert_int_eq(ag_report_render(rep, fmt, out), 0);
	fclose(out);
	ag_report_free(rep);
	ag_audit_check_free(&r, 1);
	return buf;
}

/* Findings come from policies: untrusted text never becomes markup. */
START_TEST(report_escapes)
{
	struct ag_error err;
	json_object *o = record(1, 0), *fs = json_object_new_array();
	json_object *f = json_object_new_object(), *src = json_object_new_object();
	char *html, *html2, *md, *p;

	json_object_object_add(f, "rule", json_object_new_string("site.x"));
	json_object_object_add(f, "severity", json_object_new_string("reject"));
	json_object_object_add(f, "message", json_object_new_string(
		"<script>alert(1)</script> [x](javascript:y) | \x1b[31m & \"q\""));
	json_object_array_add(fs, f);
	json_object_object_add(o, "findings", fs);
	json_object_object_add(o, "verdict", json_object_new_string("reject"));
	json_object_object_add(src, "host", json_object_new_string("<img src=x>"));
	json_object_object_add(o, "source", src);
	ck_assert_int_eq(ag_auditlog_append(logpath, o, false, &err), 0);
	json_object_put(o);

	html = render(AG_REPORT_HTML);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "\x1b"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "&amp; &quot;q&quot;"));
	ck_assert_ptr_nonnull(strstr(html, "<svg"));
	ck_assert_ptr_nonnull(strstr(html, "Hash chain: intact"));
	/* deterministic */
	html2 = render(AG_REPORT_HTML);
	ck_assert_str_eq(html, html2);

	md = render(AG_REPORT_MD);
	for (p = md; (p = strpbrk(p, "<[|")) != NULL; p++)
		ck_assert_msg(p > md && p[-1] == '\\' ? 1 :
			      *p == '|' && (p[-1] == ' ' || p[-1] == '\n' ||
					    p[-1] == '-' || p[-1] == ':'),
			      "unescaped markup at: %.40s", p);
	ck_assert_ptr_nonnull(strstr(md, "\\<script\\>"));
	ck_assert_ptr_nonnull(strstr(md, "\\|"));
	free(html);
	free(html2);
	free(md);
}
END_TEST

/* ag_json_sorted_view serialises like ag_json_sorted, sharing the parts
 * already in order and copying only those that are not. */
START_TEST(sorted_view_shares_sorted_parts)
{
	json_object *o = json_tokener_parse(
		"{\"z\": 1, \"a\": {\"b\": [1, {\"c\": 2, \"d\": 3}], \"e\": \"x\"},"
		" \"m\": {\"y\": 1, \"x\": 2}}");
	json_object *copy, *view, *a, *m;
	char *want;

	ck_assert_ptr_nonnull(o);
	copy = ag_json_sorted(o);
	view = ag_json_sorted_view(o);
	want = xstrdup(json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN));
	ck_assert_str_eq(json_object_to_json_string_ext(view, JSON_C_TO_STRING_PLAIN),
			 want);
	ck_assert_str_eq(want, "{\"a\":{\"b\":[1,{\"c\":2,\"d\":3}],\"e\":\"x\"},"
			 "\"m\":{\"x\":2,\"y\":1},\"z\":1}");
	/* "a" was in order: shared; "m" was not: copied */
	a = json_object_object_get(view, "a");
	m = json_object_object_get(view, "m");
	ck_assert_ptr_eq(a, json_object_object_get(o, "a"));
	ck_assert_ptr_ne(m, json_object_object_get(o, "m"));
	ck_assert_ptr_ne(json_object_object_get(copy, "a"),
			 json_object_object_get(o, "a"));
	free(want);
	json_object_put(view);
	json_object_put(copy);
	json_object_put(o);
}
END_TEST

Suite *suite_audit(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("chain");
	TCase *slow = tcase_create("concurrency");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, intact_chain);
	tcase_add_test(tc, sorted_view_shares_sorted_parts);
	tcase_add_test(tc, tamper_edit);
	tcase_add_test(tc, tamper_delete);
	tcase_add_test(tc, tamper_insert);
	tcase_add_test(tc, tamper_insert_crafted);
	tcase_add_test(tc, tamper_reorder);
	tcase_add_test(tc, tamper_truncate);
	tcase_add_test(tc, tamper_garble);
	tcase_add_test(tc, tamper_delete_first);
	tcase_add_test(tc, torn_line_recovered);
	tcase_add_test(tc, rotation_keeps_chain);
	tcase_add_test(tc, rotation_over_torn_tail);
	tcase_add_test(tc, decision_record);
	tcase_add_test(tc, unwritable_fails_closed);
	tcase_add_test(tc, report_escapes);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(slow, setup, teardown);
	tcase_add_test(slow, concurrent_appends);
	tcase_add_test(slow, killed_writer);
	tcase_set_timeout(slow, 120);
	suite_add_tcase(s, slow);
	return s;
}
