/* test_policytools.c - the policy author's tools below the command line:
 * the call-site tokenizer and rule scan (policyscan.c), test-case patches
 * (policytest.c), lint's checks (lint.c) and the trust checks (trust.c,
 * in its test mode so that they run without root). */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "lint.h"
#include "policyscan.h"
#include "policytest.h"
#include "suites.h"
#include "testutil.h"
#include "trust.h"
#include "util.h"
#include "yamltree.h"

/* --- call sites --- */

START_TEST(test_call_sites)
{
	static const char src[] =
		"reject('a')\n"				/* 1 */
		"-- warn('in a comment')\n"		/* 2 */
		"--[[ note('long\n"			/* 3 */
		"comment') ]] warn { }\n"		/* 4 */
		"local s = \"reject('in a string')\"\n"	/* 5 */
		"x.warn('field') y:note('method')\n"	/* 6 */
		"local t = 'a' .. note('concat')\n"	/* 7 */
		"local r = reject\n"			/* 8: not a call */
		"warn\n"				/* 9 */
		"  ('next line')\n"			/* 10 */
		"s = [==[ reject() ]==] note[[x]]\n";	/* 11 */
	static const struct { int line; enum ag_severity kind; } want[] = {
		{ 1, AG_SEV_REJECT }, { 4, AG_SEV_WARN }, { 7, AG_SEV_NOTE },
		{ 9, AG_SEV_WARN }, { 11, AG_SEV_NOTE },
	};
	struct ag_scan_site *s;
	size_t n, i;

	s = ag_scan_call_sites(src, strlen(src), &n);
	ck_assert_uint_eq(n, AG_ARRAY_SIZE(want));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(s[i].line, want[i].line);
		ck_assert_int_eq(s[i].kind, want[i].kind);
	}
	free(s);
}
END_TEST

/* A rule's sites: its check and the helpers it reaches, not its
 * neighbours'. */
START_TEST(test_scan_rule_sites)
{
	static const char src[] =
		"local function helper(q)\n"			/* 1 */
		"  warn('helper', { apqn = q })\n"		/* 2 */
		"end\n"						/* 3 */
		"rule{ id = 'a', check = function(s, t)\n"	/* 4 */
		"  helper('05.0004')\n"				/* 5 */
		"  if t.host == 'x' then reject('a') end\n"	/* 6 */
		"end }\n"					/* 7 */
		"rule{ id = 'b', check = function(s, t)\n"	/* 8 */
		"  note(undefined_name)\n"			/* 9 */
		"end }\n"					/* 10 */
		"leaked = 1\n";					/* 11 */
	struct ag_scan_file f = { "site.lua", src, sizeof(src) - 1 };
	struct ag_error err;
	struct ag_scan scan;
	size_t i;
	bool read = false, wrote = false;

	ck_assert_int_eq(ag_scan_files(&f, 1, NULL, &scan, &err), 0);
	ck_assert_uint_eq(scan.n_rules, 2);
	ck_assert_str_eq(scan.rules[0].id, "a");
	ck_assert_int_eq(scan.rules[0].line, 4);
	ck_assert_int_eq(scan.rules[0].first, 4);
	ck_assert_int_eq(scan.rules[0].last, 7);
	ck_assert_uint_eq(scan.rules[0].n_sites, 2);
	ck_assert_int_eq(scan.rules[0].sites[0].line, 2);
	ck_assert_int_eq(scan.rules[0].sites[1].line, 6);
	ck_assert_uint_eq(scan.rules[1].n_sites, 1);
	ck_assert_int_eq(scan.rules[1].sites[0].kind, AG_SEV_NOTE);
	/* no samples: the checks did not run, only the top level did */
	for (i = 0; i < scan.n_globals; i++) {
		read |= !scan.globals[i].write;
		wrote |= scan.globals[i].write &&
			 strcmp(scan.globals[i].name, "leaked") == 0 &&
			 scan.globals[i].line == 11;
	}
	ck_assert(!read);
	ck_assert(wrote);
	ag_scan_free(&scan);
}
END_TEST

/* --- patches --- */

static const char BASE[] =
	"apgate-descriptor: 1\n"
	"host: a\n"
	"mdev: {uuid: x, adapters: [0x05, 0x06]}\n"
	"cards:\n"
	"  - {adapter: 0x05, type: CEX8C}\n"
	"  - {adapter: 0x06, type: CEX8C}\n"
	"queues:\n"
	"  - {apqn: \"05.0004\", driver: vfio_ap}\n";

static struct ag_ynode *parse(const char *text)
{
	struct ag_ynode *root = NULL;
	struct ag_error err;

	ck_assert_msg(ag_yaml_parse("t.yaml", text, strlen(text), &root,
				    &err) == 0, "%s", err.msg);
	return root;
}

/* Apply one operation written as YAML; returns ag_test_patch's result. */
static int patch(struct ag_ynode **root, const char *op, struct ag_error *err)
{
	struct ag_ynode *o = parse(op);
	int rc = ag_test_patch(root, o, "t.yaml", err);

	ag_ynode_free(o);
	return rc;
}

static const char *scalar_at(const struct ag_ynode *n, const char *a,
			     size_t i, const char *b)
{
	n = ag_ymap_get(n, a);
	if (!n)
		return NULL;
	if (b) {
		if (i >= n->n)
			return NULL;
		n = ag_ymap_get(n->items[i], b);
	}
	return n && n->kind == AG_YSCALAR ? n->value : NULL;
}

START_TEST(test_patch_ops)
{
	struct ag_ynode *root = parse(BASE);
	struct ag_error err;

	ck_assert_int_eq(patch(&root, "{set: \"cards[adapter=6].type\", value: CEX7C}", &err), 0);
	ck_assert_str_eq(scalar_at(root, "cards", 1, "type"), "CEX7C");
	ck_assert_str_eq(scalar_at(root, "cards", 0, "type"), "CEX8C");
	/* a new key */
	ck_assert_int_eq(patch(&root, "{set: \"queues[apqn=05.0004].status\", value: in use}", &err), 0);
	ck_assert_str_eq(scalar_at(root, "queues", 0, "status"), "in use");
	/* by index */
	ck_assert_int_eq(patch(&root, "{set: \"cards[0].type\", value: CEX6A}", &err), 0);
	ck_assert_str_eq(scalar_at(root, "cards", 0, "type"), "CEX6A");
	/* remove a key and a list item */
	ck_assert_int_eq(patch(&root, "{remove: \"cards[adapter=0x05].type\"}", &err), 0);
	ck_assert_ptr_null(scalar_at(root, "cards", 0, "type"));
	ck_assert_int_eq(patch(&root, "{remove: \"cards[adapter=5]\"}", &err), 0);
	ck_assert_uint_eq(ag_ymap_get(root, "cards")->n, 1);
	/* append to a missing list creates it */
	ck_assert_int_eq(patch(&root, "{append: blocks, value: {reason: r}}", &err), 0);
	ck_assert_str_eq(scalar_at(root, "blocks", 0, "reason"), "r");
	ck_assert_int_eq(patch(&root, "{append: blocks, value: {reason: s}}", &err), 0);
	ck_assert_str_eq(scalar_at(root, "blocks", 1, "reason"), "s");
	/* a whole list */
	ck_assert_int_eq(patch(&root, "{set: mdev.adapters, value: [1]}", &err), 0);
	ck_assert_uint_eq(ag_ymap_get(ag_ymap_get(root, "mdev"), "adapters")->n, 1);
	ag_ynode_free(root);
}
END_TEST

START_TEST(test_patch_errors)
{
	static const struct { const char *op, *msg; } bad[] = {
		{ "{set: \"cards[adapter=9].type\", value: x}", "t.yaml:1:7: path: the selector matches no item" },
		{ "{set: \"cards[type=CEX8C].type\", value: x}", "matches more than one item" },
		{ "{set: \"cards[7]\", value: x}", "past the end" },
		{ "{remove: nothing}", "no key \"nothing\" to remove" },
		{ "{remove: host, value: 1}", "remove takes no value" },
		{ "{set: host}", "need a value" },
		{ "{set: a, remove: b}", "one of set, remove and append" },
		{ "{sett: a}", "unknown key \"sett\"" },
		{ "{set: \"host.x\", value: 1}", "not inside a mapping" },
		{ "{set: \"cards[x\", value: 1}", "bad path" },
		{ "{set: \"cards[].x\", value: 1}", "bad path" },
		{ "{set: \"mdev[0]\", value: 1}", "is not a list" },
		{ "{append: host, value: 1}", "not a list to append to" },
		{ "{append: \"cards[0]\", value: 1}", "append takes a path to a list" },
	};
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(bad); i++) {
		struct ag_ynode *root = parse(BASE);
		struct ag_error err = { "" };

		ck_assert_msg(patch(&root, bad[i].op, &err) < 0, "%s", bad[i].op);
		ck_assert_msg(strstr(err.msg, bad[i].msg), "%s: %s", bad[i].op,
			      err.msg);
		ag_ynode_free(root);
	}
}
END_TEST

/* --- lint --- */

static bool has_problem(const struct ag_lint_result *r, const char *check,
			int line, const char *text)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->problems[i].check, check) == 0 &&
		    r->problems[i].line == line &&
		    strstr(r->problems[i].message, text))
			return true;
	return false;
}

START_TEST(test_lint_checks)
{
	char *paths[2];
	struct ag_lint_result r;

	paths[0] = xstrdup(test_path("policies"));
	paths[1] = xstrdup(test_path("tests/data/policytools/lint-bad.lua"));
	ag_lint_run(paths, 2, NULL, &r);
	ck_assert_uint_eq(r.files, 7);
	ck_assert(!r.unreadable);
	ck_assert(has_problem(&r, "global-assignment", 2, "'counter'"));
	ck_assert(has_problem(&r, "no-description", 3, "'site.a'"));
	ck_assert(has_problem(&r, "duplicate-id", 3, "again at line 13"));
	ck_assert(has_problem(&r, "undefined-global", 8, "'warnn'"));
	ck_assert(has_problem(&r, "undefined-global", 9, "'strng'"));
	ck_assert(has_problem(&r, "never-reports", 14, "'site.quiet'"));
	ck_assert(has_problem(&r, "unreachable", 9, "'mdev.uuid'"));
	ck_assert(has_problem(&r, "check-fails", 8, "attempt to call a nil value"));
	ag_lint_result_free(&r);

	/* the default rules alone are clean */
	ag_lint_run(paths, 1, NULL, &r);
	ck_assert_msg(r.n == 0, "%s: %s", r.n ? r.problems[0].file : "",
		      r.n ? r.problems[0].message : "");
	ag_lint_result_free(&r);
	free(paths[0]);
	free(paths[1]);
}
END_TEST

/* --- trust, in test mode: "root" is the test's own uid --- */

static char tdir[64];

static void trust_setup(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/apgate-trust.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	ag_trust_set_test_mode(1, getuid());
}

static void trust_teardown(void)
{
	char cmd[128];

	ag_trust_set_test_mode(-1, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *make_file(const char *name, mode_t mode)
{
	char *path = xasprintf("%s/%s", tdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("rule{ id = 'x', check = function() end }\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

START_TEST(test_trust_file)
{
	char *ok = make_file("ok.lua", 0644), *gw = make_file("gw.lua", 0664);
	char *ow = make_file("ow.lua", 0646), *link = xasprintf("%s/l.lua", tdir);
	struct ag_error err;
	size_t len;
	char *buf;

	ck_assert_int_eq(ag_trust_read_file(ok, AG_TRUST_POLICY_FILE, false,
					    1024, &buf, &len, &err), 0);
	ck_assert_uint_eq(len, strlen(buf));
	free(buf);
	ck_assert_int_eq(ag_trust_read_file(gw, AG_TRUST_POLICY_FILE, false,
					    1024, &buf, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "refusing policy file: it is writable "
			     "by its group; fix: chown root:root"), "%s", err.msg);
	ck_assert_int_eq(ag_trust_read_file(ow, AG_TRUST_KEYS, false, 1024,
					    &buf, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "refusing keys file: it is writable by "
			     "others"), "%s", err.msg);
	/* insecure: read anyway */
	ck_assert_int_eq(ag_trust_read_file(ow, AG_TRUST_KEYS, true, 1024,
					    &buf, &len, &err), 0);
	free(buf);
	ck_assert_int_eq(symlink(ok, link), 0);
	ck_assert_int_eq(ag_trust_read_file(link, AG_TRUST_CONFIG, false, 1024,
					    &buf, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "refusing configuration file: it is a "
			     "symbolic link"), "%s", err.msg);
	/* the size limit still holds */
	ck_assert_int_eq(ag_trust_read_file(ok, AG_TRUST_POLICY_FILE, false,
					    4, &buf, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "larger than the limit"), "%s", err.msg);
	free(ok);
	free(gw);
	free(ow);
	free(link);
}
END_TEST

START_TEST(test_trust_dirs)
{
	char *sub = xasprintf("%s/d", tdir), *file;
	struct ag_error err;
	size_t len;
	char *buf;
	int fd;

	ck_assert_int_eq(mkdir(sub, 0755), 0);
	fd = ag_trust_open_dir(sub, false, &err);
	ck_assert_int_ge(fd, 0);
	close(fd);
	file = make_file("d/f.lua", 0644);
	/* a parent anyone may write: the file is refused */
	ck_assert_int_eq(chmod(sub, 0777), 0);
	ck_assert_int_eq(ag_trust_read_file(file, AG_TRUST_POLICY_FILE, false,
					    1024, &buf, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "parent directory ") &&
		      strstr(err.msg, "/d is writable by others"), "%s", err.msg);
	ck_assert_int_lt(ag_trust_open_dir(sub, false, &err), 0);
	ck_assert_msg(strstr(err.msg, "refusing policy directory"), "%s", err.msg);
	/* sticky and owned by "root" (here: the test's uid is not 0, so a
	 * sticky directory of ours still counts as writable by others) */
	ck_assert_int_eq(chmod(sub, 01777), 0);
	ck_assert_int_eq(ag_trust_read_file(file, AG_TRUST_POLICY_FILE, false,
					    1024, &buf, &len, &err),
			 getuid() == 0 ? 0 : -1);
	if (getuid() == 0)
		free(buf);
	ck_assert_int_eq(chmod(sub, 0755), 0);
	ck_assert_int_eq(ag_trust_read_file(file, AG_TRUST_POLICY_FILE, false,
					    1024, &buf, &len, &err), 0);
	free(buf);
	free(file);
	free(sub);
}
END_TEST

/* A FIFO where a trusted file is expected: refused at once, never waited
 * on (a hang fails the test by Check's timeout). */
START_TEST(test_trust_fifo)
{
	char *fifo = xasprintf("%s/keys.yaml", tdir);
	struct ag_keys *k = NULL;
	struct ag_error err;
	size_t len;
	char *buf;
	int insecure;

	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	for (insecure = 0; insecure < 2; insecure++) {
		ck_assert_int_eq(ag_trust_read_file(fifo, AG_TRUST_KEYS,
						    insecure, 1024, &buf, &len,
						    &err), -1);
		ck_assert_msg(strstr(err.msg, "keys.yaml: refusing keys file: "
				     "not a regular file (it is a FIFO)"),
			      "%s", err.msg);
		ck_assert_int_eq(ag_keys_load_file(fifo, insecure, &k, &err), -1);
		ck_assert_msg(strstr(err.msg, "it is a FIFO"), "%s", err.msg);
	}
	ck_assert_int_eq(ag_read_file(fifo, 1024, &buf, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "not a regular file (it is a FIFO)"),
		      "%s", err.msg);
	free(fifo);
}
END_TEST

START_TEST(test_trust_not_enforced)
{
	ag_trust_set_test_mode(0, 0);
	ck_assert(!ag_trust_enforced(false));
	ag_trust_set_test_mode(1, 0);
	ck_assert(ag_trust_enforced(false));
	ck_assert(!ag_trust_enforced(true));
	ag_trust_set_test_mode(-1, 0);
	ck_assert(ag_trust_enforced(false) == (geteuid() == 0));
}
END_TEST

Suite *suite_policytools(void)
{
	Suite *s = suite_create("policytools");
	TCase *tc;

	tc = tcase_create("scan");
	tcase_add_test(tc, test_call_sites);
	tcase_add_test(tc, test_scan_rule_sites);
	suite_add_tcase(s, tc);

	tc = tcase_create("patch");
	tcase_add_test(tc, test_patch_ops);
	tcase_add_test(tc, test_patch_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lint_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("trust");
	tcase_add_checked_fixture(tc, trust_setup, trust_teardown);
	tcase_add_test(tc, test_trust_file);
	tcase_add_test(tc, test_trust_dirs);
	tcase_add_test(tc, test_trust_not_enforced);
	tcase_add_test(tc, test_trust_fifo);
	suite_add_tcase(s, tc);
	return s;
}
