/* policytest.c - loading test files and running their cases through the
 * real engine; the other pt*.c modules own patches, policy sets and
 * coverage, expectations and reports. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "descriptor.h"
#include "engine.h"
#include "policytest.h"
#include "ptint.h"
#include "timeutil.h"
#include "util.h"
#include "verdict.h"
#include "yamltree.h"

static const struct ag_ynode *tree_of(struct run *r, const char *path,
				      struct ag_error *err)
{
	size_t i, len;
	char *buf;

	for (i = 0; i < r->n_trees; i++)
		if (strcmp(r->trees[i].path, path) == 0)
			goto found;
	r->trees = xgrow(r->trees, &r->cap_trees, r->n_trees + 1,
			 sizeof(*r->trees));
	i = r->n_trees++;
	r->trees[i].path = xstrdup(path);
	r->trees[i].root = NULL;
	r->trees[i].error = NULL;
	if (ag_read_file(path, AG_DESCRIPTOR_MAX_BYTES, &buf, &len, err) < 0) {
		r->trees[i].error = xstrdup(err->msg);
	} else {
		if (ag_yaml_parse(path, buf, len, &r->trees[i].root, err) < 0)
			r->trees[i].error = xstrdup(err->msg);
		free(buf);
	}
found:
	if (r->trees[i].error) {
		ag_error_set(err, "%s", r->trees[i].error);
		return NULL;
	}
	return r->trees[i].root;
}

/* A side's descriptor tree: a path, an inline descriptor, or
 * {base, patch} over a base (default: the file's default side). */
static int side_tree(struct run *r, const char *tfile,
		     const struct ag_ynode *spec, const struct ag_ynode *dflt,
		     const char *side, struct ag_ynode **out,
		     struct ag_error *err)
{
	static const char *const keys[] = { "base", "patch", NULL };
	const struct ag_ynode *base, *patch, *t;
	size_t i;

	*out = NULL;
	if (!spec) {
		if (!dflt) {
			ag_error_set(err, "%s: no %s: the case gives none and "
				     "the file has no default %s", tfile, side,
				     side);
			return -1;
		}
		return side_tree(r, tfile, dflt, NULL, side, out, err);
	}
	if (pt_is_str(spec)) {
		char *path = pt_relative_to(tfile, spec->value);

		t = tree_of(r, path, err);
		free(path);
		if (!t)
			return -1;
		*out = pt_ycopy(t);
		return 0;
	}
	if (spec->kind != AG_YMAP)
		return pt_expected(err, tfile, spec, "a descriptor file path, an "
				"inline descriptor or {base, patch}");
	if (ag_ymap_get(spec, "apgate-descriptor")) {
		*out = pt_ycopy(spec);
		return 0;
	}
	if (pt_only_keys(spec, keys, tfile, "a descriptor with a patch "
		      "(an inline descriptor starts with apgate-descriptor)",
		      err) < 0)
		return -1;
	base = ag_ymap_get(spec, "base");
	patch = ag_ymap_get(spec, "patch");
	if (side_tree(r, tfile, base ? base : dflt, NULL, side, out, err) < 0)
		return -1;
	if (!patch)
		return 0;
	if (patch->kind != AG_YSEQ) {
		ag_ynode_free(*out);
		*out = NULL;
		return pt_expected(err, tfile, patch, "a list of patch operations");
	}
	for (i = 0; i < patch->n; i++) {
		if (ag_test_patch(out, patch->items[i], tfile, err) < 0) {
			ag_ynode_free(*out);
			*out = NULL;
			return -1;
		}
	}
	return 0;
}

static int side_descriptor(struct run *r, const char *tfile,
			   const struct tcase *c, const struct ag_ynode *spec,
			   const struct ag_ynode *dflt, const char *side,
			   struct ag_descriptor **out, struct ag_error *err)
{
	struct ag_ynode *tree;
	char *name;
	int rc;

	if (side_tree(r, tfile, spec, dflt, side, &tree, err) < 0)
		return -1;
	name = xasprintf("%s: case \"%s\": %s", tfile, c->name, side);
	rc = ag_descriptor_from_tree(name, tree, out, err);
	free(name);
	ag_ynode_free(tree);
	return rc;
}

static int merge_params(json_object *into, const char *tfile,
			const struct ag_ynode *p, struct ag_error *err)
{
	json_object *o;

	if (!p)
		return 0;
	if (p->kind != AG_YMAP)
		return pt_expected(err, tfile, p, "a mapping of parameters");
	if (ag_ynode_to_json(tfile, p, &o, err) < 0)
		return -1;
	json_object_object_foreach(o, k, val)
		json_object_object_add(into, k, json_object_get(val));
	json_object_put(o);
	return 0;
}

static int parse_now(const char *tfile, const struct ag_ynode *n, time_t *now,
		     struct ag_error *err)
{
	if (!n)
		return 0;
	if (!pt_is_str(n) || ag_time_parse(n->value, now) < 0)
		return pt_expected(err, tfile, n, "an RFC 3339 time like "
				"\"2026-11-22T12:00:00Z\"");
	return 0;
}

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tfile {
	const char *path;
	const struct ag_ynode *root, *source, *target, *params, *now;
	struct pset *set;
	bool remedies;		/* remedies: required */
};

static void run_case(struct run *r, const struct tfile *tf,
		     const struct ag_ynode *node, struct report_case *rc)
{
	struct ag_descriptor *src = NULL, *tgt = NULL;
	struct ag_engine *e = NULL;
	json_object *params = NULL;
	struct ag_verdict v;
	struct ag_error err;
	struct tcase c;
	time_t now = r->o->now;
	double t0 = now_secs();
	bool have_v = false;
	size_t i;

	rc->pass = true;
	if (pt_parse_case(tf->path, node, &c, &err) < 0) {
		pt_add_problem(rc, "%s", err.msg);
		goto out;
	}
	free(rc->name);
	rc->name = xstrdup(c.name);
	for (i = 0; i < c.n_m; i++)
		pt_add_expected(rc, xstrdup(c.m[i].text));
	for (i = 0; i < c.n_absent; i++)
		pt_add_expected(rc, xasprintf("absent: %s", c.absent[i].text));
	if (tf->set->error) {
		pt_add_problem(rc, "%s", tf->set->error);
		goto out;
	}
	params = json_object_new_object();
	if (merge_params(params, tf->path, tf->params, &err) < 0 ||
	    merge_params(params, tf->path, c.params, &err) < 0 ||
	    parse_now(tf->path, tf->now, &now, &err) < 0 ||
	    parse_now(tf->path, c.now, &now, &err) < 0 ||
	    side_descriptor(r, tf->path, &c, c.source, tf->source, "source",
			    &src, &err) < 0 ||
	    side_descriptor(r, tf->path, &c, c.target, tf->target, "target",
			    &tgt, &err) < 0) {
		pt_add_problem(rc, "%s", err.msg);
		goto out;
	}
	/* Configured parameters under the file's and the case's. */
	{
		json_object *all = json_object_new_object();

		json_object_object_foreach(r->o->cfg->params, k, val)
			json_object_object_add(all, k, json_object_get(val));
		json_object_object_foreach(params, k2, val2)
			json_object_object_add(all, k2, json_object_get(val2));
		json_object_put(params);
		params = all;
	}
	ag_verdict_init(&v);
	have_v = true;
	e = pt_pset_engine(r, tf->set, &err);
	if (!e) {
		ag_verdict_add_error(&v, "policy", "%s", err.msg);
	} else if (ag_engine_set_params(e, params, &err) < 0) {
		ag_verdict_add_error(&v, "policy", "%s", err.msg);
	} else {
		ag_engine_evaluate(e, src, tgt, now, &v);
	}
	ag_verdict_finish(&v);
	rc->verdict = xstrdup(ag_verdict_kind_name(v.kind));
	rc->findings = pt_findings_json(&v);
	pt_compare(&c, &v, rc);
	if (tf->remedies)
		pt_check_remedies(&v, rc);
	if (r->o->coverage)
		pt_cov_mark(r, tf->set, &v);
out:
	if (have_v)
		ag_verdict_free(&v);
	ag_engine_free(e);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	json_object_put(params);
	pt_matchers_free(c.m, c.n_m);
	pt_matchers_free(c.absent, c.n_absent);
	rc->secs = now_secs() - t0;
}

static void run_file(struct run *r, const char *path, bool found)
{
	static const char *const keys[] = { "apgate-policy-test", "policies",
					    "params", "now", "source",
					    "target", "cases", "remedies",
					    NULL };
	struct ag_ynode *root = NULL;
	const struct ag_ynode *cases, *ver;
	struct tfile tf = { 0 };
	struct ag_error err;
	size_t i, k, len;
	char *buf;
	int64_t version;

	if (ag_read_file(path, AG_TEST_MAX_BYTES, &buf, &len, &err) < 0) {
		pt_file_error(r, path, err.msg);
		return;
	}
	if (ag_yaml_parse(path, buf, len, &root, &err) < 0) {
		free(buf);
		pt_file_error(r, path, err.msg);
		return;
	}
	free(buf);
	/* A directory may hold the descriptors its tests use: a YAML file
	 * found there that is no test file is skipped, not failed. */
	if (found && (root->kind != AG_YMAP ||
		      (!ag_ymap_get(root, "apgate-policy-test") &&
		       !ag_ymap_get(root, "cases")))) {
		ag_ynode_free(root);
		return;
	}
	if (root->kind != AG_YMAP) {
		pt_expected(&err, path, root, "a test file mapping with "
			 "apgate-policy-test: 1 and cases");
		goto bad;
	}
	ver = ag_ymap_get(root, "apgate-policy-test");
	if (!ver || ver->kind != AG_YSCALAR || ag_yint(ver, &version) < 0 ||
	    version != AG_TEST_FORMAT_VERSION) {
		pt_expected(&err, path, ver ? ver : root,
			 "apgate-policy-test: 1 (the format version)");
		goto bad;
	}
	if (pt_only_keys(root, keys, path, "a test file", &err) < 0)
		goto bad;
	cases = ag_ymap_get(root, "cases");
	if (!cases || cases->kind != AG_YSEQ || cases->n == 0) {
		pt_expected(&err, path, cases ? cases : root, "cases: a list of "
			 "at least one test case");
		goto bad;
	}
	/* Names identify cases in reports: they must be unique. */
	for (i = 0; i < cases->n; i++) {
		const struct ag_ynode *a = ag_ymap_get(cases->items[i], "name");

		for (k = 0; a && pt_is_str(a) && k < i; k++) {
			const struct ag_ynode *b = ag_ymap_get(cases->items[k],
							       "name");

			if (b && pt_is_str(b) && strcmp(a->value, b->value) == 0) {
				pt_fail_at(&err, path, a, "duplicate case name "
					"\"%s\"", a->value);
				goto bad;
			}
		}
	}
	tf.path = path;
	tf.root = root;
	tf.source = ag_ymap_get(root, "source");
	tf.target = ag_ymap_get(root, "target");
	tf.params = ag_ymap_get(root, "params");
	tf.now = ag_ymap_get(root, "now");
	if ((ver = ag_ymap_get(root, "remedies"))) {
		if (!pt_is_str(ver) || (strcmp(ver->value, "required") &&
				       strcmp(ver->value, "optional"))) {
			pt_expected(&err, path, ver, "remedies: required or "
				 "optional");
			goto bad;
		}
		tf.remedies = strcmp(ver->value, "required") == 0;
	}
	tf.set = pt_pset_for(r, path, ag_ymap_get(root, "policies"), &err);
	if (!tf.set)
		goto bad;
	if (r->o->coverage)
		pt_cov_scan(r, tf.set);
	for (i = 0; i < cases->n; i++) {
		struct report_case rc = { 0 };

		rc.file = xstrdup(path);
		rc.name = xasprintf("(case %zu)", i + 1);
		run_case(r, &tf, cases->items[i], &rc);
		pt_record(r, &rc);
	}
	ag_ynode_free(root);
	return;
bad:
	pt_file_error(r, path, err.msg);
	ag_ynode_free(root);
}

static bool is_test_name(const char *name)
{
	size_t l = strlen(name);

	return name[0] != '.' &&
	       ((l > 5 && strcmp(name + l - 5, ".yaml") == 0) ||
		(l > 4 && strcmp(name + l - 4, ".yml") == 0));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(struct run *r, const char *path, int depth)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *dh;

	if (stat(path, &st) < 0) {
		char *msg = xasprintf("%s: %s", path, strerror(errno));

		pt_file_error(r, path, msg);
		free(msg);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(r, path, depth > 0);
		return;
	}
	if (depth > 16 || !(dh = opendir(path)))
		return;
	while ((de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *sub = xasprintf("%s%s%s", path,
				      path[strlen(path) - 1] == '/' ? "" : "/",
				      names[i]);

		if (stat(sub, &st) == 0 &&
		    (S_ISDIR(st.st_mode) || is_test_name(names[i])))
			run_path(r, sub, depth + 1);
		free(sub);
		free(names[i]);
	}
	free(names);
}

int ag_test_run(char *const *paths, size_t n, const struct ag_test_options *o,
		FILE *out, struct ag_test_summary *sum)
{
	struct run r = { 0 };
	size_t i;
	int rc;

	memset(sum, 0, sizeof(*sum));
	r.o = o;
	r.out = out;
	r.sum = sum;
	for (i = 0; i < n; i++)
		run_path(&r, paths[i], 0);
	rc = pt_report(&r);

	pt_cases_free(&r);
	for (i = 0; i < r.n_sets; i++)
		pt_pset_free(&r.sets[i]);
	free(r.sets);
	for (i = 0; i < r.n_trees; i++) {
		free(r.trees[i].path);
		ag_ynode_free(r.trees[i].root);
		free(r.trees[i].error);
	}
	free(r.trees);
	pt_cov_free(&r);
	return rc;
}
