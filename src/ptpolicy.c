/* ptpolicy.c - the policy sets test files run against (read, trust-checked
 * and hashed once per set) and the rule/call-site coverage they collect. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "policyimage.h"
#include "policyscan.h"
#include "ptint.h"
#include "trust.h"
#include "util.h"

void pt_pset_free(struct pset *p)
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

struct ag_engine *pt_pset_engine(const struct run *r, const struct pset *p,
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
		ag_policy_digest(p->bufs[i], p->lens[i], p->ps.files[i].sha256);
	}
	e = pt_pset_engine(r, p, &err);
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

/* path as written in file: relative to file's directory.  Resolved so
 * that "tests/../../policies/10-apqn.lua" reads as it would be named from
 * here, "policies/10-apqn.lua", and one file has one name in reports. */
char *pt_relative_to(const char *file, const char *path)
{
	char *dir, *joined, *real, *cwd;
	size_t n;

	if (path[0] == '/') {
		joined = xstrdup(path);
	} else {
		dir = ag_dirname(file);
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
struct pset *pt_pset_for(struct run *r, const char *tfile,
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
			pt_expected(err, tfile, list, "a list of policy files "
				 "and directories");
			goto fail;
		}
		for (i = 0; i < list->n; i++) {
			const struct ag_ynode *it = list->items[i];
			struct stat st;
			char *path;

			if (!pt_is_str(it)) {
				pt_expected(err, tfile, it, "a policy file or "
					 "directory path");
				goto fail;
			}
			path = pt_relative_to(tfile, it->value);
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

void pt_cov_scan(struct run *r, struct pset *p)
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

void pt_cov_mark(struct run *r, const struct pset *p,
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

void pt_cov_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_cov; i++) {
		free(r->cov[i].id);
		free(r->cov[i].file);
		free(r->cov[i].sites);
		free(r->cov[i].hit);
	}
	free(r->cov);
}
