/* ptexpect.c - a test case's expectations: parsing the case mapping and
 * its finding matchers, and comparing a verdict against them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apqn.h"
#include "ptint.h"
#include "util.h"

void pt_matchers_free(struct matcher *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].rule);
		free(m[i].apqn);
		free(m[i].message);
		free(m[i].pattern);
		free(m[i].text);
		free(m[i].remedy);
		for (size_t k = 0; k < m[i].n_commands; k++)
			free(m[i].commands[k]);
		free(m[i].commands);
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
	if (m->remedy_given) {
		t = m->remedy ? xasprintf("%s with a remedy containing \"%s\"",
					  s, m->remedy) :
				xasprintf("%s without a remedy", s);
		free(s);
		s = t;
	}
	if (m->commands_given) {
		t = xasprintf("%s with %zu remedy command%s%s%s", s,
			      m->n_commands, m->n_commands == 1 ? "" : "s",
			      m->n_commands ? " starting " : "",
			      m->n_commands ? m->commands[0] : "");
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
					    "message", "match", "count",
					    "remedy", "commands", NULL };
	struct matcher *m;
	size_t i;

	*out = NULL;
	*n = 0;
	if (list->kind != AG_YSEQ)
		return pt_expected(err, name, list, "a list of findings");
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
			return pt_expected(err, name, it, "a finding {rule, "
					"severity, apqn, message, match, count}");
		if (pt_only_keys(it, keys, name, "a finding", err) < 0)
			return -1;
		if (it->n == 0)
			return pt_fail_at(err, name, it, "a finding needs at least "
				       "one of rule, severity, apqn, message, "
				       "match");
		if ((v = ag_ymap_get(it, "rule"))) {
			if (!pt_is_str(v))
				return pt_expected(err, name, v, "a rule id");
			x->rule = xstrdup(v->value);
		}
		if ((v = ag_ymap_get(it, "severity"))) {
			if (!pt_is_str(v) || (x->severity = parse_severity(v->value)) < 0)
				return pt_expected(err, name, v, "note, warn, "
						"reject or error");
		}
		if ((v = ag_ymap_get(it, "apqn"))) {
			x->apqn_given = true;
			if (!pt_is_null(v)) {
				unsigned a, d;

				if (!pt_is_str(v) || ag_apqn_parse(v->value, &a, &d) < 0)
					return pt_expected(err, name, v, "a quoted "
							"APQN like \"05.0004\" "
							"or null");
				x->apqn = xstrdup(v->value);
			}
		}
		if ((v = ag_ymap_get(it, "message"))) {
			if (!pt_is_str(v))
				return pt_expected(err, name, v, "a string the "
						"message contains");
			x->message = xstrdup(v->value);
		}
		if ((v = ag_ymap_get(it, "match"))) {
			if (!pt_is_str(v))
				return pt_expected(err, name, v, "a POSIX extended "
						"regular expression");
			x->pattern = xstrdup(v->value);
			rc = regcomp(&x->re, v->value, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char buf[256];

				regerror(rc, &x->re, buf, sizeof(buf));
				return pt_fail_at(err, name, v, "bad regular "
					       "expression: %s", buf);
			}
			x->has_re = true;
		}
		if ((v = ag_ymap_get(it, "remedy"))) {
			x->remedy_given = true;
			if (!pt_is_null(v)) {
				if (!pt_is_str(v))
					return pt_expected(err, name, v, "a string "
							"the remedy's text contains, "
							"or null");
				x->remedy = xstrdup(v->value);
			}
		}
		if ((v = ag_ymap_get(it, "commands"))) {
			size_t k;

			if (v->kind != AG_YSEQ)
				return pt_expected(err, name, v, "a list of "
						"remedy commands \"target: "
						"COMMAND\" or \"source: COMMAND\"");
			x->commands_given = true;
			x->commands = xcalloc(v->n + 1, sizeof(*x->commands));
			for (k = 0; k < v->n; k++) {
				const struct ag_ynode *c = v->items[k];

				if (!pt_is_str(c) ||
				    (strncmp(c->value, "target: ", 8) &&
				     strncmp(c->value, "source: ", 8)))
					return pt_expected(err, name, c, "a remedy "
							"command \"target: COMMAND\" "
							"or \"source: COMMAND\"");
				x->commands[x->n_commands++] = xstrdup(c->value);
			}
		}
		if ((v = ag_ymap_get(it, "count"))) {
			if (absent)
				return pt_fail_at(err, name, v, "count makes no "
					       "sense in absent");
			if (v->kind != AG_YSCALAR || ag_yint(v, &count) < 0 ||
			    count < 1 || count > 100000)
				return pt_expected(err, name, v, "a count from 1");
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
	if (m->remedy_given) {
		if (!m->remedy != !f->remedy)
			return false;
		if (m->remedy && !strstr(f->remedy->text, m->remedy))
			return false;
	}
	if (m->commands_given) {
		size_t k;

		if (!f->remedy || f->remedy->n_cmds != m->n_commands)
			return false;
		for (k = 0; k < m->n_commands; k++) {
			const struct ag_remedy_cmd *c = &f->remedy->cmds[k];

			if (strncmp(m->commands[k], ag_remedy_on_name(c->on), 6) ||
			    strcmp(m->commands[k] + 8, c->command))
				return false;
		}
	}
	return true;
}

int pt_parse_case(const char *name, const struct ag_ynode *n,
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
		return pt_expected(err, name, n, "a test case mapping");
	v = ag_ymap_get(n, "name");
	if (!v || !pt_is_str(v) || v->len == 0)
		return pt_expected(err, name, v ? v : n, "a case with a name");
	c->name = v->value;
	if (pt_only_keys(n, keys, name, "a test case", err) < 0)
		return -1;
	c->source = ag_ymap_get(n, "source");
	c->target = ag_ymap_get(n, "target");
	c->params = ag_ymap_get(n, "params");
	c->now = ag_ymap_get(n, "now");
	c->results = ag_ymap_get(n, "results");
	if ((v = ag_ymap_get(n, "verdict")) &&
	    (!pt_is_str(v) || (c->verdict = parse_verdict(v->value)) < 0))
		return pt_expected(err, name, v, "accept, warn, reject or error");
	if ((v = ag_ymap_get(n, "other_findings"))) {
		if (!pt_is_str(v) || (strcmp(v->value, "allow") &&
				    strcmp(v->value, "forbid")))
			return pt_expected(err, name, v, "allow or forbid");
		c->allow_other = strcmp(v->value, "allow") == 0;
	}
	if ((v = ag_ymap_get(n, "findings")) &&
	    parse_matchers(name, v, false, &c->m, &c->n_m, err) < 0)
		return -1;
	if ((v = ag_ymap_get(n, "absent")) &&
	    parse_matchers(name, v, true, &c->absent, &c->n_absent, err) < 0)
		return -1;
	if (c->results && c->results->kind != AG_YMAP)
		return pt_expected(err, name, c->results, "a mapping of rule id "
				"to result");
	if (c->verdict < 0 && !ag_ymap_get(n, "findings") && !c->results &&
	    !c->n_absent)
		return pt_fail_at(err, name, n, "case \"%s\" expects nothing: give "
			       "verdict, findings, absent or results", c->name);
	return 0;
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

void pt_compare(const struct tcase *c, const struct ag_verdict *v,
		struct report_case *rc)
{
	size_t nslots = 0, i, k, s, nf = v->n_findings;
	size_t *slot_of;
	long *owner;
	bool *adj, *seen, *got;

	if (c->verdict >= 0 && (int)v->kind != c->verdict)
		pt_add_problem(rc, "verdict: expected %s, got %s",
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
			pt_add_problem(rc, "missing: %s", c->m[slot_of[s]].text);
	if (!c->allow_other) {
		for (k = 0; k < nf; k++) {
			char *t;

			if (owner[k] >= 0)
				continue;
			t = finding_text(&v->findings[k]);
			pt_add_problem(rc, "unexpected: %s", t);
			free(t);
		}
	}
	for (i = 0; i < c->n_absent; i++) {
		for (k = 0; k < nf; k++) {
			char *t;

			if (!matches(&c->absent[i], &v->findings[k]))
				continue;
			t = finding_text(&v->findings[k]);
			pt_add_problem(rc, "expected absent (%s): %s",
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
			pt_add_problem(rc, "rule %s: not in the policy set", id);
		else if (!pt_is_str(want) ||
			 strcmp(ag_rule_result_name(o->result), want->value))
			pt_add_problem(rc, "rule %s: expected result %s, got %s", id,
				    want->value ? want->value : "?",
				    ag_rule_result_name(o->result));
	}
	free(slot_of);
	free(adj);
	free(owner);
	free(seen);
	free(got);
}

void pt_check_remedies(const struct ag_verdict *v, struct report_case *rc)
{
	size_t k;

	for (k = 0; k < v->n_findings; k++) {
		const struct ag_finding *f = &v->findings[k];
		char *t;

		if ((f->original_severity != AG_SEV_WARN &&
		     f->original_severity != AG_SEV_REJECT) || f->remedy)
			continue;
		t = finding_text(f);
		pt_add_problem(rc, "no remedy (remedies: required): %s", t);
		free(t);
	}
}
