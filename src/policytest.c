/* policytest.c - loading, running and reporting policy test cases. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "descriptor.h"
#include "engine.h"
#include "policyscan.h"
#include "policyset.h"
#include "policytest.h"
#include "render.h"
#include "timeutil.h"
#include "trust.h"
#include "util.h"
#include "verdict.h"
#include "yamltree.h"

/* --- YAML tree helpers --- */

static struct ag_ynode *ycopy(const struct ag_ynode *n)
{
	struct ag_ynode *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->kind = n->kind;
	c->line = n->line;
	c->col = n->col;
	c->plain = n->plain;
	c->len = n->len;
	if (n->value) {
		c->value = xmalloc(n->len + 1);
		memcpy(c->value, n->value, n->len + 1);
	}
	c->n = n->n;
	if (n->n) {
		c->items = xcalloc(n->n, sizeof(*c->items));
		for (i = 0; i < n->n; i++)
			c->items[i] = ycopy(n->items[i]);
		if (n->keys) {
			c->keys = xcalloc(n->n, sizeof(*c->keys));
			for (i = 0; i < n->n; i++)
				c->keys[i] = ycopy(n->keys[i]);
		}
	}
	return c;
}

static struct ag_ynode *ynew(enum ag_ynode_kind kind, const char *value,
			     const struct ag_ynode *at)
{
	struct ag_ynode *c = xcalloc(1, sizeof(*c));

	c->kind = kind;
	c->line = at->line;
	c->col = at->col;
	if (value) {
		c->value = xstrdup(value);
		c->len = strlen(value);
		c->plain = true;
	}
	return c;
}

static bool yis_str(const struct ag_ynode *n)
{
	return n && n->kind == AG_YSCALAR && ag_yscalar_type(n) == AG_YT_STR;
}

static bool yis_null(const struct ag_ynode *n)
{
	return n && n->kind == AG_YSCALAR && ag_yscalar_type(n) == AG_YT_NULL;
}

static int fail_at(struct ag_error *err, const char *name,
		   const struct ag_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct ag_error *err, const char *name,
		   const struct ag_ynode *n, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ag_error_set(err, "%s:%u:%u: %s", name, n->line, n->col, what);
	return -1;
}

static int expected(struct ag_error *err, const char *name,
		    const struct ag_ynode *n, const char *what)
{
	char buf[96];

	ag_error_set(err, "%s:%u:%u: expected %s, found %s", name, n->line,
		     n->col, what, ag_ynode_describe(n, buf, sizeof(buf)));
	return -1;
}

/* Keys of map outside the allowed list are errors. */
static int only_keys(const struct ag_ynode *map, const char *const *allowed,
		     const char *name, const char *where,
		     struct ag_error *err)
{
	size_t k;

	for (k = 0; k < map->n; k++) {
		const char *const *a;
		char list[256] = "";

		for (a = allowed; *a; a++)
			if (strcmp(map->keys[k]->value, *a) == 0)
				break;
		if (*a)
			continue;
		for (a = allowed; *a; a++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", a == allowed ? "" : ", ", *a);
		ag_error_set(err, "%s:%u:%u: unknown key \"%s\" in %s "
			     "(expected %s)", name, map->keys[k]->line,
			     map->keys[k]->col, map->keys[k]->value, where, list);
		return -1;
	}
	return 0;
}

/* --- patches --- */

enum sel_kind { SEL_NONE, SEL_INDEX, SEL_FIELD };

struct seg {
	char *name;
	enum sel_kind sel;
	size_t index;
	char *field, *value;
};

static void segs_free(struct seg *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].field);
		free(s[i].value);
	}
	free(s);
}

/* "cards[adapter=6].type" -> segments.  Names run up to '.', '[' or the
 * end; a selector is [N] (0-based index) or [FIELD=VALUE]. */
static struct seg *parse_path(const char *path, size_t *n, const char **why)
{
	struct seg *segs = NULL;
	size_t cap = 0;
	const char *p = path;

	*n = 0;
	for (;;) {
		struct seg *s;
		size_t l = strcspn(p, ".[]=");

		if (l == 0) {
			*why = "a key name";
			goto bad;
		}
		segs = xgrow(segs, &cap, *n + 1, sizeof(*segs));
		s = &segs[(*n)++];
		memset(s, 0, sizeof(*s));
		s->name = xstrndup(p, l);
		p += l;
		if (*p == '[') {
			const char *close = strchr(p, ']'), *eq;
			char *end;

			if (!close || close == p + 1) {
				*why = "a selector [N] or [FIELD=VALUE]";
				goto bad;
			}
			eq = memchr(p, '=', (size_t)(close - p));
			if (eq) {
				if (eq == p + 1 || eq + 1 == close) {
					*why = "[FIELD=VALUE] with both parts";
					goto bad;
				}
				s->sel = SEL_FIELD;
				s->field = xstrndup(p + 1, (size_t)(eq - p - 1));
				s->value = xstrndup(eq + 1, (size_t)(close - eq - 1));
			} else {
				s->sel = SEL_INDEX;
				errno = 0;
				s->index = strtoul(p + 1, &end, 10);
				if (end != close || errno || p[1] == '-' ||
				    p[1] == '+') {
					*why = "[N] with a decimal index";
					goto bad;
				}
			}
			p = close + 1;
		}
		if (*p == '\0')
			return segs;
		if (*p != '.') {
			*why = "'.' between keys";
			goto bad;
		}
		p++;
	}
bad:
	segs_free(segs, *n);
	return NULL;
}

/* Whether a scalar node equals a selector's VALUE: the same text, or the
 * same integer (adapter=6 selects "adapter: 0x06"). */
static bool value_equal(const struct ag_ynode *n, const char *value)
{
	long long want;
	int64_t have;
	char *end;

	if (!n || n->kind != AG_YSCALAR)
		return false;
	if (strcmp(n->value, value) == 0)
		return true;
	if (ag_yint(n, &have) < 0)
		return false;
	errno = 0;
	want = strtoll(value, &end, 0);
	return !errno && *end == '\0' && end != value && want == have;
}

static long select_item(const struct ag_ynode *seq, const struct seg *s,
			const char **why)
{
	long hit = -1;
	size_t i;

	if (s->sel == SEL_INDEX) {
		if (s->index >= seq->n) {
			*why = "the index is past the end of the list";
			return -1;
		}
		return (long)s->index;
	}
	for (i = 0; i < seq->n; i++) {
		if (seq->items[i]->kind != AG_YMAP ||
		    !value_equal(ag_ymap_get(seq->items[i], s->field), s->value))
			continue;
		if (hit >= 0) {
			*why = "the selector matches more than one item";
			return -1;
		}
		hit = (long)i;
	}
	if (hit < 0)
		*why = "the selector matches no item";
	return hit;
}

static long map_index(const struct ag_ynode *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return (long)i;
	return -1;
}

static void map_add(struct ag_ynode *map, const char *key,
		    struct ag_ynode *val, const struct ag_ynode *at)
{
	map->keys = xrealloc(map->keys, (map->n + 1) * sizeof(*map->keys));
	map->items = xrealloc(map->items, (map->n + 1) * sizeof(*map->items));
	map->keys[map->n] = ynew(AG_YSCALAR, key, at);
	map->items[map->n] = val;
	map->n++;
}

static void node_remove(struct ag_ynode *node, size_t i)
{
	ag_ynode_free(node->items[i]);
	memmove(node->items + i, node->items + i + 1,
		(node->n - i - 1) * sizeof(*node->items));
	if (node->keys) {
		ag_ynode_free(node->keys[i]);
		memmove(node->keys + i, node->keys + i + 1,
			(node->n - i - 1) * sizeof(*node->keys));
	}
	node->n--;
}

int ag_test_patch(struct ag_ynode **root, const struct ag_ynode *op,
		  const char *name, struct ag_error *err)
{
	static const char *const keys[] = { "set", "remove", "append",
					    "value", NULL };
	const struct ag_ynode *pathn = NULL, *value;
	const char *verb = NULL, *why = NULL;
	struct ag_ynode *node = *root;
	struct seg *segs;
	size_t n, i;
	long k, at;
	int rc = -1;

	if (op->kind != AG_YMAP)
		return expected(err, name, op, "a patch operation "
				"{set|remove|append: PATH, value: V}");
	if (only_keys(op, keys, name, "a patch operation", err) < 0)
		return -1;
	for (i = 0; keys[i + 1]; i++) {
		const struct ag_ynode *p = ag_ymap_get(op, keys[i]);

		if (!p)
			continue;
		if (verb)
			return fail_at(err, name, op, "a patch operation has "
				       "one of set, remove and append");
		verb = keys[i];
		pathn = p;
	}
	if (!verb)
		return fail_at(err, name, op, "a patch operation needs set, "
			       "remove or append");
	value = ag_ymap_get(op, "value");
	if (strcmp(verb, "remove") == 0 ? value != NULL : value == NULL)
		return fail_at(err, name, op, "%s", strcmp(verb, "remove") == 0 ?
			       "remove takes no value" : "set and append need a value");
	if (!yis_str(pathn))
		return expected(err, name, pathn, "a path like "
				"\"cards[adapter=6].type\"");
	segs = parse_path(pathn->value, &n, &why);
	if (!segs)
		return fail_at(err, name, pathn, "bad path: expected %s", why);

	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];
		bool last = i + 1 == n;

		if (node->kind != AG_YMAP) {
			fail_at(err, name, pathn, "path: \"%s\" is not inside "
				"a mapping", s->name);
			goto out;
		}
		k = map_index(node, s->name);
		if (last && s->sel == SEL_NONE) {
			if (strcmp(verb, "set") == 0) {
				if (k >= 0) {
					ag_ynode_free(node->items[k]);
					node->items[k] = ycopy(value);
				} else {
					map_add(node, s->name, ycopy(value), pathn);
				}
			} else if (strcmp(verb, "remove") == 0) {
				if (k < 0) {
					fail_at(err, name, pathn, "path: no key "
						"\"%s\" to remove", s->name);
					goto out;
				}
				node_remove(node, (size_t)k);
			} else {
				struct ag_ynode *seq;

				if (k < 0) {
					map_add(node, s->name,
						ynew(AG_YSEQ, NULL, pathn), pathn);
					k = (long)node->n - 1;
				}
				seq = node->items[k];
				if (seq->kind != AG_YSEQ) {
					fail_at(err, name, pathn, "path: \"%s\" "
						"is not a list to append to",
						s->name);
					goto out;
				}
				seq->items = xrealloc(seq->items, (seq->n + 1) *
						      sizeof(*seq->items));
				seq->items[seq->n++] = ycopy(value);
			}
			rc = 0;
			goto out;
		}
		if (k < 0) {
			fail_at(err, name, pathn, "path: no key \"%s\"", s->name);
			goto out;
		}
		node = node->items[k];
		if (s->sel == SEL_NONE)
			continue;
		if (node->kind != AG_YSEQ) {
			fail_at(err, name, pathn, "path: \"%s\" is not a list",
				s->name);
			goto out;
		}
		at = select_item(node, s, &why);
		if (at < 0) {
			fail_at(err, name, pathn, "path: %s", why);
			goto out;
		}
		if (last) {
			if (strcmp(verb, "set") == 0) {
				ag_ynode_free(node->items[at]);
				node->items[at] = ycopy(value);
			} else if (strcmp(verb, "remove") == 0) {
				node_remove(node, (size_t)at);
			} else {
				fail_at(err, name, pathn, "append takes a path "
					"to a list, not to an item");
				goto out;
			}
			rc = 0;
			goto out;
		}
		node = node->items[at];
	}
out:
	segs_free(segs, n);
	return rc;
}

/* --- policy sets --- */

struct rule_ref {
	char *id, *file;
	int line;
	bool active;
};

struct pset {
	char *key;			/* the file list, for reuse */
	struct ag_policyset ps;
	char **bufs;
	size_t *lens;
	char *error;			/* could not be read: why */
	struct rule_ref *rules;		/* as the engine registered them */
	size_t n_rules;
	bool scanned;
};

struct cov_rule {
	char *id, *file;
	int line;
	bool fired;
	struct ag_scan_site *sites;
	bool *hit;
	size_t n_sites;
};

struct report_case {
	char *file, *name;
	bool pass;
	double secs;
	char **problems;
	size_t n_problems, cap_problems;
	char **expected;		/* the expectations, one line each */
	size_t n_expected, cap_expected;
	char *verdict;			/* NULL when the case did not run */
	json_object *findings;		/* array, NULL when it did not run */
};

struct run {
	const struct ag_test_options *o;
	FILE *out;
	struct pset *sets;
	size_t n_sets, cap_sets;
	struct {
		char *path;
		struct ag_ynode *root;
		char *error;
	} *trees;
	size_t n_trees, cap_trees;
	struct cov_rule *cov;
	size_t n_cov, cap_cov;
	struct report_case *cases;
	size_t n_cases, cap_cases;
	struct ag_test_summary *sum;
};

static void pset_free(struct pset *p)
{
	size_t i;

	for (i = 0; i < p->ps.n; i++)
		free(p->bufs ? p->bufs[i] : NULL);
	free(p->bufs);
	free(p->lens);
	ag_policyset_free(&p->ps);
	for (i = 0; i < p->n_rules; i++) {
		free(p->rules[i].id);
		free(p->rules[i].file);
	}
	free(p->rules);
	free(p->error);
	free(p->key);
}

static struct ag_engine *pset_engine(const struct run *r, const struct pset *p,
				     struct ag_error *err)
{
	struct ag_engine *e = ag_engine_new(&r->o->cfg->limits, err);
	size_t i;

	if (!e)
		return NULL;
	for (i = 0; i < p->ps.n; i++) {
		if (ag_engine_load(e, p->ps.files[i].path, p->bufs[i],
				   p->lens[i], err) < 0) {
			ag_error_prefix(err, "policy failed to load");
			ag_engine_free(e);
			return NULL;
		}
	}
	return e;
}

/* Read (trust-checked), hash and probe-load a policy set once. */
static void pset_read(struct run *r, struct pset *p)
{
	const struct ag_config *cfg = r->o->cfg;
	struct ag_engine *e;
	struct ag_error err;
	const struct ag_rule_info *ri;
	size_t i, n;

	p->bufs = xcalloc(p->ps.n + 1, sizeof(*p->bufs));
	p->lens = xcalloc(p->ps.n + 1, sizeof(*p->lens));
	if (p->ps.n == 0) {
		p->error = xstrdup("no policy files found; refusing to test "
				   "without rules");
		return;
	}
	for (i = 0; i < p->ps.n; i++) {
		if (ag_trust_read_file(p->ps.files[i].path, AG_TRUST_POLICY_FILE,
				       cfg->insecure_policies,
				       AG_POLICY_MAX_BYTES, &p->bufs[i],
				       &p->lens[i], &err) < 0) {
			p->error = xstrdup(err.msg);
			return;
		}
		ag_sha256_hex(p->bufs[i], p->lens[i], p->ps.files[i].sha256);
	}
	e = pset_engine(r, p, &err);
	if (!e)
		return;		/* each case reports the load error */
	ri = ag_engine_rules(e, &n);
	p->rules = xcalloc(n + 1, sizeof(*p->rules));
	for (i = 0; i < n; i++) {
		p->rules[i].id = xstrdup(ri[i].id);
		p->rules[i].file = xstrdup(ri[i].file);
		p->rules[i].line = ri[i].line;
		p->rules[i].active = ri[i].state == AG_RULE_ACTIVE;
	}
	p->n_rules = n;
	ag_engine_free(e);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* path as written in file: relative to file's directory.  Resolved so
 * that "tests/../../policies/10-apqn.lua" reads as it would be named from
 * here, "policies/10-apqn.lua", and one file has one name in reports. */
static char *relative_to(const char *file, const char *path)
{
	char *dir, *joined, *real, *cwd;
	size_t n;

	if (path[0] == '/') {
		joined = xstrdup(path);
	} else {
		dir = dir_of(file);
		joined = strcmp(dir, ".") == 0 ? xstrdup(path) :
			 xasprintf("%s/%s", dir, path);
		free(dir);
	}
	real = realpath(joined, NULL);
	cwd = getcwd(NULL, 0);
	if (!real || !cwd) {
		free(real);
		free(cwd);
		return joined;
	}
	n = strlen(cwd);
	if (joined[0] != '/' && strncmp(real, cwd, n) == 0 && real[n] == '/') {
		free(joined);
		joined = xstrdup(real + n + 1);
	} else if (joined[0] == '/') {
		free(joined);
		joined = xstrdup(real);
	}
	free(real);
	free(cwd);
	return joined;
}

/* The policy set of a test file: its own `policies` list, else the
 * configured directories.  Returns NULL with err set on a bad list. */
static struct pset *pset_for(struct run *r, const char *tfile,
			     const struct ag_ynode *list, struct ag_error *err)
{
	const struct ag_config *cfg = r->o->cfg;
	struct ag_policyset ps;
	char *key = xstrdup("");
	size_t i;
	struct pset *p;

	ag_policyset_init(&ps);
	ps.insecure = cfg->insecure_policies;
	if (list) {
		if (list->kind != AG_YSEQ || list->n == 0) {
			expected(err, tfile, list, "a list of policy files "
				 "and directories");
			goto fail;
		}
		for (i = 0; i < list->n; i++) {
			const struct ag_ynode *it = list->items[i];
			struct stat st;
			char *path;

			if (!yis_str(it)) {
				expected(err, tfile, it, "a policy file or "
					 "directory path");
				goto fail;
			}
			path = relative_to(tfile, it->value);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				if (ag_policyset_add_dir(&ps, path, true,
							 err) < 0) {
					free(path);
					goto fail;
				}
			} else {
				ag_policyset_add_file(&ps, path);
			}
			free(path);
		}
	} else {
		for (i = 0; i < cfg->n_policy_dirs; i++)
			if (ag_policyset_add_dir(&ps, cfg->policy_dirs[i], true,
						 err) < 0)
				goto fail;
		if (cfg->site_policy_dir &&
		    ag_policyset_add_dir(&ps, cfg->site_policy_dir, false,
					 err) < 0)
			goto fail;
	}
	for (i = 0; i < ps.n; i++) {
		char *k = xasprintf("%s%s\n", key, ps.files[i].path);

		free(key);
		key = k;
	}
	for (i = 0; i < r->n_sets; i++) {
		if (strcmp(r->sets[i].key, key) == 0) {
			ag_policyset_free(&ps);
			free(key);
			return &r->sets[i];
		}
	}
	r->sets = xgrow(r->sets, &r->cap_sets, r->n_sets + 1, sizeof(*r->sets));
	p = &r->sets[r->n_sets++];
	memset(p, 0, sizeof(*p));
	p->key = key;
	p->ps = ps;
	pset_read(r, p);
	return p;
fail:
	ag_policyset_free(&ps);
	free(key);
	return NULL;
}

/* --- coverage --- */

static struct cov_rule *cov_find(struct run *r, const char *id,
				 const char *file, int line)
{
	size_t i;

	for (i = 0; i < r->n_cov; i++)
		if (r->cov[i].line == line && strcmp(r->cov[i].id, id) == 0 &&
		    strcmp(r->cov[i].file, file) == 0)
			return &r->cov[i];
	return NULL;
}

static void cov_scan(struct run *r, struct pset *p)
{
	struct ag_scan_file *files;
	struct ag_scan scan;
	struct ag_error err;
	size_t i, k;

	if (p->scanned || p->error)
		return;
	p->scanned = true;
	files = xcalloc(p->ps.n, sizeof(*files));
	for (i = 0; i < p->ps.n; i++) {
		files[i].path = p->ps.files[i].path;
		files[i].buf = p->bufs[i];
		files[i].len = p->lens[i];
	}
	if (ag_scan_files(files, p->ps.n, NULL, &scan, &err) < 0) {
		free(files);
		return;
	}
	free(files);
	for (i = 0; i < scan.n_rules; i++) {
		const struct ag_scan_rule *sr = &scan.rules[i];
		struct cov_rule *c;
		bool active = false;

		/* Replaced and disabled rules never run: nothing to cover. */
		for (k = 0; k < p->n_rules; k++)
			if (p->rules[k].active && p->rules[k].line == sr->line &&
			    strcmp(p->rules[k].id, sr->id) == 0 &&
			    strcmp(p->rules[k].file, sr->file) == 0)
				active = true;
		if (!active || cov_find(r, sr->id, sr->file, sr->line))
			continue;
		r->cov = xgrow(r->cov, &r->cap_cov, r->n_cov + 1,
			       sizeof(*r->cov));
		c = &r->cov[r->n_cov++];
		memset(c, 0, sizeof(*c));
		c->id = xstrdup(sr->id);
		c->file = xstrdup(sr->file);
		c->line = sr->line;
		c->n_sites = sr->n_sites;
		c->sites = xcalloc(sr->n_sites + 1, sizeof(*c->sites));
		memcpy(c->sites, sr->sites, sr->n_sites * sizeof(*c->sites));
		c->hit = xcalloc(sr->n_sites + 1, sizeof(*c->hit));
	}
	ag_scan_free(&scan);
}

static void cov_mark(struct run *r, const struct pset *p,
		     const struct ag_verdict *v)
{
	size_t i, k, s;

	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];

		if (f->severity == AG_SEV_ERROR)
			continue;
		for (k = 0; k < p->n_rules; k++) {
			struct cov_rule *c;

			if (!p->rules[k].active ||
			    strcmp(p->rules[k].id, f->rule) != 0)
				continue;
			c = cov_find(r, p->rules[k].id, p->rules[k].file,
				     p->rules[k].line);
			if (!c)
				continue;
			c->fired = true;
			for (s = 0; s < c->n_sites; s++)
				if (c->sites[s].line == f->line)
					c->hit[s] = true;
		}
	}
}

/* --- expectations --- */

struct matcher {
	char *rule, *apqn, *message, *pattern;
	int severity;			/* -1: any */
	bool apqn_given;		/* apqn: null means "no APQN" */
	bool has_re;
	regex_t re;
	unsigned count;
	char *text;			/* how it is shown */
};

struct tcase {
	const char *name;
	const struct ag_ynode *node, *source, *target, *params, *now;
	int verdict;			/* -1: not checked */
	struct matcher *m, *absent;
	size_t n_m, n_absent;
	bool allow_other;
	const struct ag_ynode *results;
};

static void matchers_free(struct matcher *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].rule);
		free(m[i].apqn);
		free(m[i].message);
		free(m[i].pattern);
		free(m[i].text);
		if (m[i].has_re)
			regfree(&m[i].re);
	}
	free(m);
}

static int parse_severity(const char *s)
{
	static const char *const names[] = { "note", "warn", "reject", "error" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int parse_verdict(const char *s)
{
	static const char *const names[] = { "accept", "warn", "reject", "error" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static char *matcher_text(const struct matcher *m)
{
	char *s = xasprintf("%s %s%s%s", m->severity >= 0 ?
			    ag_severity_name((enum ag_severity)m->severity) :
			    "any", m->rule ? m->rule : "any-rule",
			    m->apqn_given ? " " : "",
			    m->apqn_given ? (m->apqn ? m->apqn : "(no apqn)") : "");
	char *t;

	if (m->message) {
		t = xasprintf("%s containing \"%s\"", s, m->message);
		free(s);
		s = t;
	}
	if (m->pattern) {
		t = xasprintf("%s matching /%s/", s, m->pattern);
		free(s);
		s = t;
	}
	if (m->count != 1) {
		t = xasprintf("%s (x%u)", s, m->count);
		free(s);
		s = t;
	}
	return s;
}

static int parse_matchers(const char *name, const struct ag_ynode *list,
			  bool absent, struct matcher **out, size_t *n,
			  struct ag_error *err)
{
	static const char *const keys[] = { "rule", "severity", "apqn",
					    "message", "match", "count", NULL };
	struct matcher *m;
	size_t i;

	*out = NULL;
	*n = 0;
	if (list->kind != AG_YSEQ)
		return expected(err, name, list, "a list of findings");
	m = xcalloc(list->n + 1, sizeof(*m));
	*out = m;
	for (i = 0; i < list->n; i++) {
		const struct ag_ynode *it = list->items[i], *v;
		struct matcher *x = &m[i];
		int64_t count;
		int rc;

		(*n)++;
		x->severity = -1;
		x->count = 1;
		if (it->kind != AG_YMAP)
			return expected(err, name, it, "a finding {rule, "
					"severity, apqn, message, match, count}");
		if (only_keys(it, keys, name, "a finding", err) < 0)
			return -1;
		if (it->n == 0)
			return fail_at(err, name, it, "a finding needs at least "
				       "one of rule, severity, apqn, message, "
				       "match");
		if ((v = ag_ymap_get(it, "rule"))) {
			if (!yis_str(v))
				return expected(err, name, v, "a rule id");
			x->rule = xstrdup(v->value);
		}
		if ((v = ag_ymap_get(it, "severity"))) {
			if (!yis_str(v) || (x->severity = parse_severity(v->value)) < 0)
				return expected(err, name, v, "note, warn, "
						"reject or error");
		}
		if ((v = ag_ymap_get(it, "apqn"))) {
			x->apqn_given = true;
			if (!yis_null(v)) {
				unsigned a, d;

				if (!yis_str(v) || ag_apqn_parse(v->value, &a, &d) < 0)
					return expected(err, name, v, "a quoted "
							"APQN like \"05.0004\" "
							"or null");
				x->apqn = xstrdup(v->value);
			}
		}
		if ((v = ag_ymap_get(it, "message"))) {
			if (!yis_str(v))
				return expected(err, name, v, "a string the "
						"message contains");
			x->message = xstrdup(v->value);
		}
		if ((v = ag_ymap_get(it, "match"))) {
			if (!yis_str(v))
				return expected(err, name, v, "a POSIX extended "
						"regular expression");
			x->pattern = xstrdup(v->value);
			rc = regcomp(&x->re, v->value, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char buf[256];

				regerror(rc, &x->re, buf, sizeof(buf));
				return fail_at(err, name, v, "bad regular "
					       "expression: %s", buf);
			}
			x->has_re = true;
		}
		if ((v = ag_ymap_get(it, "count"))) {
			if (absent)
				return fail_at(err, name, v, "count makes no "
					       "sense in absent");
			if (v->kind != AG_YSCALAR || ag_yint(v, &count) < 0 ||
			    count < 1 || count > 100000)
				return expected(err, name, v, "a count from 1");
			x->count = (unsigned)count;
		}
		x->text = matcher_text(x);
	}
	return 0;
}

static bool matches(const struct matcher *m, const struct ag_finding *f)
{
	if (m->rule && strcmp(m->rule, f->rule) != 0)
		return false;
	if (m->severity >= 0 && (int)f->severity != m->severity)
		return false;
	if (m->apqn_given) {
		if (!m->apqn != !f->apqn)
			return false;
		if (m->apqn && strcmp(m->apqn, f->apqn) != 0)
			return false;
	}
	if (m->message && !strstr(f->message, m->message))
		return false;
	if (m->has_re && regexec(&m->re, f->message, 0, NULL, 0) != 0)
		return false;
	return true;
}

static int parse_case(const char *name, const struct ag_ynode *n,
		      struct tcase *c, struct ag_error *err)
{
	static const char *const keys[] = { "name", "description", "source",
					    "target", "params", "now",
					    "verdict", "findings", "absent",
					    "other_findings", "results", NULL };
	const struct ag_ynode *v;

	memset(c, 0, sizeof(*c));
	c->verdict = -1;
	c->node = n;
	if (n->kind != AG_YMAP)
		return expected(err, name, n, "a test case mapping");
	v = ag_ymap_get(n, "name");
	if (!v || !yis_str(v) || v->len == 0)
		return expected(err, name, v ? v : n, "a case with a name");
	c->name = v->value;
	if (only_keys(n, keys, name, "a test case", err) < 0)
		return -1;
	c->source = ag_ymap_get(n, "source");
	c->target = ag_ymap_get(n, "target");
	c->params = ag_ymap_get(n, "params");
	c->now = ag_ymap_get(n, "now");
	c->results = ag_ymap_get(n, "results");
	if ((v = ag_ymap_get(n, "verdict")) &&
	    (!yis_str(v) || (c->verdict = parse_verdict(v->value)) < 0))
		return expected(err, name, v, "accept, warn, reject or error");
	if ((v = ag_ymap_get(n, "other_findings"))) {
		if (!yis_str(v) || (strcmp(v->value, "allow") &&
				    strcmp(v->value, "forbid")))
			return expected(err, name, v, "allow or forbid");
		c->allow_other = strcmp(v->value, "allow") == 0;
	}
	if ((v = ag_ymap_get(n, "findings")) &&
	    parse_matchers(name, v, false, &c->m, &c->n_m, err) < 0)
		return -1;
	if ((v = ag_ymap_get(n, "absent")) &&
	    parse_matchers(name, v, true, &c->absent, &c->n_absent, err) < 0)
		return -1;
	if (c->results && c->results->kind != AG_YMAP)
		return expected(err, name, c->results, "a mapping of rule id "
				"to result");
	if (c->verdict < 0 && !ag_ymap_get(n, "findings") && !c->results &&
	    !c->n_absent)
		return fail_at(err, name, n, "case \"%s\" expects nothing: give "
			       "verdict, findings, absent or results", c->name);
	return 0;
}

/* --- one case --- */

static void add_problem(struct report_case *rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_problem(struct report_case *rc, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup(fmt);
	va_end(ap);
	rc->problems = xgrow(rc->problems, &rc->cap_problems,
			     rc->n_problems + 1, sizeof(*rc->problems));
	rc->problems[rc->n_problems++] = s;
	rc->pass = false;
}

static void add_expected(struct report_case *rc, char *s)
{
	rc->expected = xgrow(rc->expected, &rc->cap_expected,
			     rc->n_expected + 1, sizeof(*rc->expected));
	rc->expected[rc->n_expected++] = s;
}

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
	if (yis_str(spec)) {
		char *path = relative_to(tfile, spec->value);

		t = tree_of(r, path, err);
		free(path);
		if (!t)
			return -1;
		*out = ycopy(t);
		return 0;
	}
	if (spec->kind != AG_YMAP)
		return expected(err, tfile, spec, "a descriptor file path, an "
				"inline descriptor or {base, patch}");
	if (ag_ymap_get(spec, "apgate-descriptor")) {
		*out = ycopy(spec);
		return 0;
	}
	if (only_keys(spec, keys, tfile, "a descriptor with a patch "
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
		return expected(err, tfile, patch, "a list of patch operations");
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
		return expected(err, tfile, p, "a mapping of parameters");
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
	if (!yis_str(n) || ag_time_parse(n->value, now) < 0)
		return expected(err, tfile, n, "an RFC 3339 time like "
				"\"2026-11-22T12:00:00Z\"");
	return 0;
}

static json_object *findings_json(const struct ag_verdict *v)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];
		json_object *o = json_object_new_object();

		if (f->apqn)
			json_object_object_add(o, "apqn",
					       json_object_new_string(f->apqn));
		json_object_object_add(o, "message",
				       json_object_new_string(f->message));
		json_object_object_add(o, "rule", json_object_new_string(f->rule));
		json_object_object_add(o, "severity", json_object_new_string(
			ag_severity_name(f->severity)));
		json_object_array_add(arr, o);
	}
	return arr;
}

static char *finding_text(const struct ag_finding *f)
{
	char sev[8];
	size_t i;

	snprintf(sev, sizeof(sev), "%s", ag_severity_name(f->severity));
	for (i = 0; sev[i]; i++)
		sev[i] = (char)(sev[i] - 32);
	return xasprintf("%s %s%s%s: %s", sev, f->rule, f->apqn ? " " : "",
			 f->apqn ? f->apqn : "", f->message);
}

/* Kuhn's augmenting paths: a distinct finding for every expected slot. */
static bool augment(size_t slot, const bool *adj, size_t nf, bool *seen,
		    long *owner)
{
	size_t f;

	for (f = 0; f < nf; f++) {
		if (!adj[slot * nf + f] || seen[f])
			continue;
		seen[f] = true;
		if (owner[f] < 0 || augment((size_t)owner[f], adj, nf, seen, owner)) {
			owner[f] = (long)slot;
			return true;
		}
	}
	return false;
}

static void compare(const struct tcase *c, const struct ag_verdict *v,
		    struct report_case *rc)
{
	size_t nslots = 0, i, k, s, nf = v->n_findings;
	size_t *slot_of;
	long *owner;
	bool *adj, *seen, *got;

	if (c->verdict >= 0 && (int)v->kind != c->verdict)
		add_problem(rc, "verdict: expected %s, got %s",
			    ag_verdict_kind_name((enum ag_verdict_kind)c->verdict),
			    ag_verdict_kind_name(v->kind));
	for (i = 0; i < c->n_m; i++)
		nslots += c->m[i].count;
	slot_of = xcalloc(nslots + 1, sizeof(*slot_of));
	for (i = 0, s = 0; i < c->n_m; i++)
		for (k = 0; k < c->m[i].count; k++)
			slot_of[s++] = i;
	adj = xcalloc(nslots * nf + 1, sizeof(*adj));
	for (s = 0; s < nslots; s++)
		for (k = 0; k < nf; k++)
			adj[s * nf + k] = matches(&c->m[slot_of[s]], &v->findings[k]);
	owner = xmalloc((nf + 1) * sizeof(*owner));
	for (k = 0; k < nf; k++)
		owner[k] = -1;
	seen = xcalloc(nf + 1, sizeof(*seen));
	got = xcalloc(nslots + 1, sizeof(*got));
	for (s = 0; s < nslots; s++) {
		memset(seen, 0, (nf + 1) * sizeof(*seen));
		got[s] = augment(s, adj, nf, seen, owner);
	}
	for (s = 0; s < nslots; s++)
		if (!got[s])
			add_problem(rc, "missing: %s", c->m[slot_of[s]].text);
	if (!c->allow_other) {
		for (k = 0; k < nf; k++) {
			char *t;

			if (owner[k] >= 0)
				continue;
			t = finding_text(&v->findings[k]);
			add_problem(rc, "unexpected: %s", t);
			free(t);
		}
	}
	for (i = 0; i < c->n_absent; i++) {
		for (k = 0; k < nf; k++) {
			char *t;

			if (!matches(&c->absent[i], &v->findings[k]))
				continue;
			t = finding_text(&v->findings[k]);
			add_problem(rc, "expected absent (%s): %s",
				    c->absent[i].text, t);
			free(t);
		}
	}
	for (i = 0; c->results && i < c->results->n; i++) {
		const char *id = c->results->keys[i]->value;
		const struct ag_ynode *want = c->results->items[i];
		const struct ag_rule_outcome *o = NULL;

		for (k = 0; k < v->n_rules; k++)
			if (strcmp(v->rules[k].id, id) == 0)
				o = &v->rules[k];	/* the latest one */
		if (!o)
			add_problem(rc, "rule %s: not in the policy set", id);
		else if (!yis_str(want) ||
			 strcmp(ag_rule_result_name(o->result), want->value))
			add_problem(rc, "rule %s: expected result %s, got %s", id,
				    want->value ? want->value : "?",
				    ag_rule_result_name(o->result));
	}
	free(slot_of);
	free(adj);
	free(owner);
	free(seen);
	free(got);
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
	if (parse_case(tf->path, node, &c, &err) < 0) {
		add_problem(rc, "%s", err.msg);
		goto out;
	}
	free(rc->name);
	rc->name = xstrdup(c.name);
	for (i = 0; i < c.n_m; i++)
		add_expected(rc, xstrdup(c.m[i].text));
	for (i = 0; i < c.n_absent; i++)
		add_expected(rc, xasprintf("absent: %s", c.absent[i].text));
	if (tf->set->error) {
		add_problem(rc, "%s", tf->set->error);
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
		add_problem(rc, "%s", err.msg);
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
	e = pset_engine(r, tf->set, &err);
	if (!e) {
		ag_verdict_add_error(&v, "policy", "%s", err.msg);
	} else if (ag_engine_set_params(e, params, &err) < 0) {
		ag_verdict_add_error(&v, "policy", "%s", err.msg);
	} else {
		ag_engine_evaluate(e, src, tgt, now, &v);
	}
	ag_verdict_finish(&v);
	rc->verdict = xstrdup(ag_verdict_kind_name(v.kind));
	rc->findings = findings_json(&v);
	compare(&c, &v, rc);
	if (r->o->coverage)
		cov_mark(r, tf->set, &v);
out:
	if (have_v)
		ag_verdict_free(&v);
	ag_engine_free(e);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	json_object_put(params);
	matchers_free(c.m, c.n_m);
	matchers_free(c.absent, c.n_absent);
	rc->secs = now_secs() - t0;
}

/* --- reporting --- */

static void print_case_text(struct run *r, const struct report_case *rc)
{
	size_t i, n;

	fprintf(r->out, "%s %s: %s\n", rc->pass ? "PASS" : "FAIL", rc->file,
		rc->name);
	if (rc->pass)
		return;
	for (i = 0; i < rc->n_problems; i++)
		fprintf(r->out, "     %s\n", rc->problems[i]);
	if (!rc->findings)
		return;
	fprintf(r->out, "     expected (verdict aside):%s\n",
		rc->n_expected ? "" : " no findings");
	for (i = 0; i < rc->n_expected; i++)
		fprintf(r->out, "       %s\n", rc->expected[i]);
	n = json_object_array_length(rc->findings);
	fprintf(r->out, "     actual: verdict %s%s\n", rc->verdict,
		n ? "" : ", no findings");
	for (i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(rc->findings, i), *x;
		const char *apqn = json_object_object_get_ex(f, "apqn", &x) ?
				   json_object_get_string(x) : NULL;
		char sev[8];
		size_t j;

		json_object_object_get_ex(f, "severity", &x);
		snprintf(sev, sizeof(sev), "%s", json_object_get_string(x));
		for (j = 0; sev[j]; j++)
			sev[j] = (char)(sev[j] - 32);
		json_object_object_get_ex(f, "rule", &x);
		fprintf(r->out, "       %s %s%s%s: ", sev,
			json_object_get_string(x), apqn ? " " : "",
			apqn ? apqn : "");
		json_object_object_get_ex(f, "message", &x);
		fprintf(r->out, "%s\n", json_object_get_string(x));
	}
}

static void record(struct run *r, struct report_case *rc)
{
	if (rc->pass)
		r->sum->passed++;
	else
		r->sum->failed++;
	if (r->o->format == AG_TEST_TEXT)
		print_case_text(r, rc);
	r->cases = xgrow(r->cases, &r->cap_cases, r->n_cases + 1,
			 sizeof(*r->cases));
	r->cases[r->n_cases++] = *rc;
}

static void file_error(struct run *r, const char *path, const char *msg)
{
	struct report_case rc = { 0 };

	rc.file = xstrdup(path);
	rc.name = xstrdup("(test file)");
	add_problem(&rc, "%s", msg);
	record(r, &rc);
}

static void run_file(struct run *r, const char *path, bool found)
{
	static const char *const keys[] = { "apgate-policy-test", "policies",
					    "params", "now", "source",
					    "target", "cases", NULL };
	struct ag_ynode *root = NULL;
	const struct ag_ynode *cases, *ver;
	struct tfile tf = { 0 };
	struct ag_error err;
	size_t i, k, len;
	char *buf;
	int64_t version;

	if (ag_read_file(path, AG_TEST_MAX_BYTES, &buf, &len, &err) < 0) {
		file_error(r, path, err.msg);
		return;
	}
	if (ag_yaml_parse(path, buf, len, &root, &err) < 0) {
		free(buf);
		file_error(r, path, err.msg);
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
		expected(&err, path, root, "a test file mapping with "
			 "apgate-policy-test: 1 and cases");
		goto bad;
	}
	ver = ag_ymap_get(root, "apgate-policy-test");
	if (!ver || ver->kind != AG_YSCALAR || ag_yint(ver, &version) < 0 ||
	    version != AG_TEST_FORMAT_VERSION) {
		expected(&err, path, ver ? ver : root,
			 "apgate-policy-test: 1 (the format version)");
		goto bad;
	}
	if (only_keys(root, keys, path, "a test file", &err) < 0)
		goto bad;
	cases = ag_ymap_get(root, "cases");
	if (!cases || cases->kind != AG_YSEQ || cases->n == 0) {
		expected(&err, path, cases ? cases : root, "cases: a list of "
			 "at least one test case");
		goto bad;
	}
	/* Names identify cases in reports: they must be unique. */
	for (i = 0; i < cases->n; i++) {
		const struct ag_ynode *a = ag_ymap_get(cases->items[i], "name");

		for (k = 0; a && yis_str(a) && k < i; k++) {
			const struct ag_ynode *b = ag_ymap_get(cases->items[k],
							       "name");

			if (b && yis_str(b) && strcmp(a->value, b->value) == 0) {
				fail_at(&err, path, a, "duplicate case name "
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
	tf.set = pset_for(r, path, ag_ymap_get(root, "policies"), &err);
	if (!tf.set)
		goto bad;
	if (r->o->coverage)
		cov_scan(r, tf.set);
	for (i = 0; i < cases->n; i++) {
		struct report_case rc = { 0 };

		rc.file = xstrdup(path);
		rc.name = xasprintf("(case %zu)", i + 1);
		run_case(r, &tf, cases->items[i], &rc);
		record(r, &rc);
	}
	ag_ynode_free(root);
	return;
bad:
	file_error(r, path, err.msg);
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

		file_error(r, path, msg);
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

static void cov_text(struct run *r)
{
	size_t i, s, fired = 0, sites = 0, hit = 0;

	for (i = 0; i < r->n_cov; i++) {
		fired += r->cov[i].fired;
		sites += r->cov[i].n_sites;
		for (s = 0; s < r->cov[i].n_sites; s++)
			hit += r->cov[i].hit[s];
	}
	fprintf(r->out, "coverage: %zu of %zu rules reported a finding; "
		"%zu of %zu reject/warn/note calls reached\n", fired, r->n_cov,
		hit, sites);
	for (i = 0; i < r->n_cov; i++) {
		const struct cov_rule *c = &r->cov[i];

		if (!c->fired)
			fprintf(r->out, "  never reported: %s (%s:%d)\n", c->id,
				c->file, c->line);
		for (s = 0; s < c->n_sites; s++)
			if (!c->hit[s])
				fprintf(r->out, "  not reached: %s:%d %s() in %s\n",
					c->file, c->sites[s].line,
					ag_severity_name(c->sites[s].kind), c->id);
	}
}

static json_object *cov_json(struct run *r)
{
	json_object *arr = json_object_new_array();
	size_t i, s;

	for (i = 0; i < r->n_cov; i++) {
		const struct cov_rule *c = &r->cov[i];
		json_object *o = json_object_new_object(), *calls;

		json_object_object_add(o, "file", json_object_new_string(c->file));
		json_object_object_add(o, "id", json_object_new_string(c->id));
		json_object_object_add(o, "line", json_object_new_int(c->line));
		json_object_object_add(o, "reported",
				       json_object_new_boolean(c->fired));
		calls = json_object_new_array();
		for (s = 0; s < c->n_sites; s++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "function", json_object_new_string(
				ag_severity_name(c->sites[s].kind)));
			json_object_object_add(x, "line",
					       json_object_new_int(c->sites[s].line));
			json_object_object_add(x, "reached",
					       json_object_new_boolean(c->hit[s]));
			json_object_array_add(calls, x);
		}
		json_object_object_add(o, "calls", calls);
		json_object_array_add(arr, o);
	}
	return arr;
}

static int report_json(struct run *r)
{
	json_object *o = json_object_new_object(), *arr;
	size_t i, k;
	int rc;

	json_object_object_add(o, "apgate-test-report",
			       json_object_new_int(AG_TEST_FORMAT_VERSION));
	arr = json_object_new_array();
	for (i = 0; i < r->n_cases; i++) {
		const struct report_case *c = &r->cases[i];
		json_object *co = json_object_new_object(), *pr;

		json_object_object_add(co, "file", json_object_new_string(c->file));
		if (c->findings)
			json_object_object_add(co, "findings",
					       json_object_get(c->findings));
		json_object_object_add(co, "name", json_object_new_string(c->name));
		pr = json_object_new_array();
		for (k = 0; k < c->n_problems; k++)
			json_object_array_add(pr, json_object_new_string(
				c->problems[k]));
		json_object_object_add(co, "problems", pr);
		json_object_object_add(co, "result", json_object_new_string(
			c->pass ? "pass" : "fail"));
		if (c->verdict)
			json_object_object_add(co, "verdict",
					       json_object_new_string(c->verdict));
		json_object_array_add(arr, co);
	}
	json_object_object_add(o, "cases", arr);
	if (r->o->coverage)
		json_object_object_add(o, "coverage", cov_json(r));
	json_object_object_add(o, "failed", json_object_new_int((int)r->sum->failed));
	json_object_object_add(o, "passed", json_object_new_int((int)r->sum->passed));
	rc = fprintf(r->out, "%s\n", json_object_to_json_string_ext(o,
		     JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc < 0 ? -1 : 0;
}

/* XML 1.0 cannot carry most control characters, whatever the escaping. */
static xmlChar *xml_text(const char *s)
{
	char *c = xstrdup(s), *p;

	for (p = c; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			*p = '?';
	return (xmlChar *)c;
}

static void xml_prop(xmlNodePtr n, const char *name, const char *val)
{
	xmlChar *t = xml_text(val);

	xmlNewProp(n, BAD_CAST name, t);
	free(t);
}

static int report_junit(struct run *r)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "testsuites"), suite = NULL;
	const char *cur = NULL;
	char num[32];
	size_t i, k, j, tests = 0, fails = 0;
	int rc;

	xmlDocSetRootElement(doc, root);
	xml_prop(root, "name", "apgate test");
	snprintf(num, sizeof(num), "%u", r->sum->passed + r->sum->failed);
	xml_prop(root, "tests", num);
	snprintf(num, sizeof(num), "%u", r->sum->failed);
	xml_prop(root, "failures", num);
	for (i = 0; i <= r->n_cases; i++) {
		const struct report_case *c = i < r->n_cases ? &r->cases[i] : NULL;
		xmlNodePtr tc;

		if (suite && (!c || strcmp(c->file, cur) != 0)) {
			snprintf(num, sizeof(num), "%zu", tests);
			xml_prop(suite, "tests", num);
			snprintf(num, sizeof(num), "%zu", fails);
			xml_prop(suite, "failures", num);
			suite = NULL;
		}
		if (!c)
			break;
		if (!suite) {
			suite = xmlNewChild(root, NULL, BAD_CAST "testsuite", NULL);
			xml_prop(suite, "name", c->file);
			cur = c->file;
			tests = fails = 0;
		}
		tests++;
		tc = xmlNewChild(suite, NULL, BAD_CAST "testcase", NULL);
		xml_prop(tc, "classname", c->file);
		xml_prop(tc, "name", c->name);
		snprintf(num, sizeof(num), "%.6f", c->secs);
		xml_prop(tc, "time", num);
		if (!c->pass) {
			char *body = xstrdup(""), *t;
			xmlNodePtr f;
			xmlChar *x;

			fails++;
			for (k = 0; k < c->n_problems; k++) {
				t = xasprintf("%s%s\n", body, c->problems[k]);
				free(body);
				body = t;
			}
			if (c->findings) {
				t = xasprintf("%sactual verdict %s, findings:\n",
					      body, c->verdict);
				free(body);
				body = t;
				for (j = 0; j < json_object_array_length(c->findings); j++) {
					json_object *fo = json_object_array_get_idx(
						c->findings, j);

					t = xasprintf("%s  %s\n", body,
						      json_object_to_json_string_ext(
							fo, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
					free(body);
					body = t;
				}
			}
			x = xml_text(body);
			f = xmlNewTextChild(tc, NULL, BAD_CAST "failure", x);
			free(x);
			xml_prop(f, "message", c->n_problems ? c->problems[0] :
				 "failed");
			free(body);
		}
	}
	rc = xmlDocFormatDump(r->out, doc, 1);
	xmlFreeDoc(doc);
	return rc < 0 ? -1 : 0;
}

int ag_test_run(char *const *paths, size_t n, const struct ag_test_options *o,
		FILE *out, struct ag_test_summary *sum)
{
	struct run r = { 0 };
	size_t i, k;
	int rc = 0;

	memset(sum, 0, sizeof(*sum));
	r.o = o;
	r.out = out;
	r.sum = sum;
	for (i = 0; i < n; i++)
		run_path(&r, paths[i], 0);

	switch (o->format) {
	case AG_TEST_TEXT:
		if (o->coverage)
			cov_text(&r);
		rc = fprintf(out, "%u passed, %u failed\n", sum->passed,
			     sum->failed) < 0 ? -1 : 0;
		break;
	case AG_TEST_JSON:
		rc = report_json(&r);
		break;
	case AG_TEST_JUNIT:
		rc = report_junit(&r);
		break;
	}

	for (i = 0; i < r.n_cases; i++) {
		struct report_case *c = &r.cases[i];

		free(c->file);
		free(c->name);
		for (k = 0; k < c->n_problems; k++)
			free(c->problems[k]);
		free(c->problems);
		for (k = 0; k < c->n_expected; k++)
			free(c->expected[k]);
		free(c->expected);
		free(c->verdict);
		json_object_put(c->findings);
	}
	free(r.cases);
	for (i = 0; i < r.n_sets; i++)
		pset_free(&r.sets[i]);
	free(r.sets);
	for (i = 0; i < r.n_trees; i++) {
		free(r.trees[i].path);
		ag_ynode_free(r.trees[i].root);
		free(r.trees[i].error);
	}
	free(r.trees);
	for (i = 0; i < r.n_cov; i++) {
		free(r.cov[i].id);
		free(r.cov[i].file);
		free(r.cov[i].sites);
		free(r.cov[i].hit);
	}
	free(r.cov);
	return rc;
}
