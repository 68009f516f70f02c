/* verdict.c - building, ordering and summing up a verdict. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "textsafe.h"
#include "util.h"
#include "verdict.h"

void ag_verdict_init(struct ag_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = AG_VERDICT_ERROR;	/* until ag_verdict_finish says otherwise */
	v->enforced_kind = AG_VERDICT_ERROR;
}

static void side_free(struct ag_side *s)
{
	free(s->path);
	free(s->host);
}

void ag_verdict_free(struct ag_verdict *v)
{
	size_t i;

	for (i = 0; i < v->n_findings; i++) {
		free(v->findings[i].rule);
		free(v->findings[i].message);
		free(v->findings[i].apqn);
		json_object_put(v->findings[i].evidence);
		json_object_put(v->findings[i].waived);
		ag_remedy_free(v->findings[i].remedy);
	}
	free(v->findings);
	for (i = 0; i < v->n_rules; i++) {
		free(v->rules[i].id);
		free(v->rules[i].description);
		free(v->rules[i].file);
		free(v->rules[i].why);
	}
	free(v->rules);
	for (i = 0; i < v->n_policies; i++)
		free(v->policies[i].path);
	free(v->policies);
	json_object_put(v->params);
	json_object_put(v->waivers);
	side_free(&v->source);
	side_free(&v->target);
	memset(v, 0, sizeof(*v));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Said in the verdict itself, so that nobody takes a U+FFFD for data. */
static void add_utf8_note(struct ag_verdict *v, size_t n)
{
	char *msg = xasprintf("%zu text%s of this verdict held bytes that are "
			      "not UTF-8; each such byte is shown as U+FFFD",
			      n, n == 1 ? "" : "s");

	ag_verdict_add_finding(v, "output", AG_SEV_NOTE, msg, NULL, NULL);
	free(msg);
}

void ag_verdict_add_finding(struct ag_verdict *v, const char *rule,
			    enum ag_severity sev, const char *message,
			    const char *apqn, json_object *evidence)
{
	struct ag_finding *f;

	v->findings = xgrow(v->findings, &v->cap_findings, v->n_findings + 1,
			    sizeof(*v->findings));
	f = &v->findings[v->n_findings++];
	f->rule = xstrdup(rule);
	f->severity = sev;
	f->message = xstrdup(message);
	f->apqn = dup_or_null(apqn);
	f->evidence = evidence;
	f->line = 0;
	f->original_severity = sev;
	f->not_enforced = false;
	f->waived = NULL;
	f->remedy = NULL;
}

void ag_verdict_add_error(struct ag_verdict *v, const char *rule,
			  const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	ag_verdict_add_finding(v, rule, AG_SEV_ERROR, msg ? msg : fmt, NULL,
			       NULL);
	free(msg);
}

struct ag_rule_outcome *ag_verdict_add_rule(struct ag_verdict *v,
					    const char *id,
					    const char *description,
					    const char *file, int line,
					    enum ag_rule_result result,
					    const char *why)
{
	struct ag_rule_outcome *r;

	v->rules = xgrow(v->rules, &v->cap_rules, v->n_rules + 1,
			 sizeof(*v->rules));
	r = &v->rules[v->n_rules++];
	r->id = xstrdup(id);
	r->description = dup_or_null(description);
	r->file = xstrdup(file);
	r->line = line;
	r->result = result;
	r->why = dup_or_null(why);
	return r;
}

void ag_verdict_add_policy(struct ag_verdict *v, const char *path,
			   const char *sha256)
{
	struct ag_policy_ref *p;

	v->policies = xgrow(v->policies, &v->cap_policies, v->n_policies + 1,
			    sizeof(*v->policies));
	p = &v->policies[v->n_policies++];
	p->path = xstrdup(path);
	snprintf(p->sha256, sizeof(p->sha256), "%s", sha256);
}

void ag_verdict_set_side(struct ag_side *side, const char *path,
			 const struct ag_descriptor *d)
{
	free(side->path);
	free(side->host);
	memset(side, 0, sizeof(*side));
	side->path = dup_or_null(path);
	if (!d)
		return;
	side->known = true;
	side->host = xstrdup(d->host);
	snprintf(side->uuid, sizeof(side->uuid), "%s", d->mdev.uuid);
	ag_descriptor_digest(d, side->sha256);
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);	/* NULL first */
	return strcmp(a, b);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct ag_finding *a = pa, *b = pb;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = strcmp(a->rule, b->rule)))
		return c;
	if ((c = cmp_str(a->apqn, b->apqn)))
		return c;
	return strcmp(a->message, b->message);
}

static enum ag_verdict_kind kind_of(enum ag_severity worst)
{
	switch (worst) {
	case AG_SEV_ERROR: return AG_VERDICT_ERROR;
	case AG_SEV_REJECT: return AG_VERDICT_REJECT;
	case AG_SEV_WARN: return AG_VERDICT_WARN;
	default: return AG_VERDICT_ACCEPT;
	}
}

/* --- valid UTF-8 everywhere ---
 * Paths from the command line and policy strings may hold any bytes; JSON
 * (verdict, decision record) must be UTF-8.  Every text the verdict holds
 * is repaired here, the one place all renderings derive from. */

static void repair_str(char **s, size_t *n)
{
	char *r;

	if (!*s || ag_utf8_valid(*s, strlen(*s)))
		return;
	r = ag_utf8_repair(*s, strlen(*s), NULL);
	free(*s);
	*s = r;
	(*n)++;
}

static bool json_utf8_ok(json_object *o)
{
	size_t i;

	switch (json_object_get_type(o)) {
	case json_type_string:
		return ag_utf8_valid(json_object_get_string(o),
				     (size_t)json_object_get_string_len(o));
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if (!json_utf8_ok(json_object_array_get_idx(o, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(o, k, val)
			if (!ag_utf8_valid(k, strlen(k)) || !json_utf8_ok(val))
				return false;
		return true;
	}
	default:
		return true;
	}
}

/* A copy of o with every string and key made valid; counts repairs. */
static json_object *json_utf8_repaired(json_object *o, size_t *n)
{
	json_object *res;
	size_t i;
	char *r;

	if (json_utf8_ok(o))
		return json_object_get(o);
	switch (json_object_get_type(o)) {
	case json_type_string:
		r = ag_utf8_repair(json_object_get_string(o),
				   (size_t)json_object_get_string_len(o), NULL);
		(*n)++;
		res = json_object_new_string(r);
		free(r);
		return res;
	case json_type_array:
		res = json_object_new_array();
		for (i = 0; i < json_object_array_length(o); i++)
			json_object_array_add(res, json_utf8_repaired(
				json_object_array_get_idx(o, i), n));
		return res;
	case json_type_object: {
		res = json_object_new_object();
		json_object_object_foreach(o, k, val) {
			bool bad = !ag_utf8_valid(k, strlen(k));

			r = bad ? ag_utf8_repair(k, strlen(k), NULL) : NULL;
			*n += bad;
			json_object_object_add(res, r ? r : k,
					       json_utf8_repaired(val, n));
			free(r);
		}
		return res;
	}
	default:
		return json_object_get(o);
	}
}

static void repair_json(json_object **o, size_t *n)
{
	json_object *r;

	if (!*o)
		return;
	r = json_utf8_repaired(*o, n);
	json_object_put(*o);
	*o = r;
}

static void repair_utf8(struct ag_verdict *v)
{
	size_t i, n = 0;

	for (i = 0; i < v->n_findings; i++) {
		repair_str(&v->findings[i].rule, &n);
		repair_str(&v->findings[i].message, &n);
		repair_str(&v->findings[i].apqn, &n);
		repair_json(&v->findings[i].evidence, &n);
		if (v->findings[i].remedy) {
			struct ag_remedy *r = v->findings[i].remedy;
			size_t k;

			repair_str(&r->text, &n);
			for (k = 0; k < r->n_cmds; k++)
				repair_str(&r->cmds[k].command, &n);
		}
	}
	for (i = 0; i < v->n_rules; i++) {
		repair_str(&v->rules[i].id, &n);
		repair_str(&v->rules[i].description, &n);
		repair_str(&v->rules[i].file, &n);
		repair_str(&v->rules[i].why, &n);
	}
	for (i = 0; i < v->n_policies; i++)
		repair_str(&v->policies[i].path, &n);
	repair_json(&v->params, &n);
	repair_str(&v->source.path, &n);
	repair_str(&v->source.host, &n);
	repair_str(&v->target.path, &n);
	repair_str(&v->target.host, &n);
	if (n)
		add_utf8_note(v, n);
}

/* The policy set's digest: sha256 over "sha256  path\n" lines in load
 * order, like sha256sum output, so it can be recomputed by hand.  place
 * finishes thousands of verdicts with the same set: the last text and its
 * digest are kept, and only a different text is hashed. */
static void policy_set_digest(struct ag_verdict *v)
{
	static struct {
		char *text;
		size_t len;
		char sha[AG_SHA256_HEX_LEN];
	} last;
	size_t i, len = 0, n;
	char *buf, *p;

	for (i = 0; i < v->n_policies; i++)
		len += strlen(v->policies[i].path) + AG_SHA256_HEX_LEN + 2;
	p = buf = xmalloc(len + 1);
	for (i = 0; i < v->n_policies; i++) {
		n = strlen(v->policies[i].sha256);
		memcpy(p, v->policies[i].sha256, n);
		p += n;
		memcpy(p, "  ", 2);
		p += 2;
		n = strlen(v->policies[i].path);
		memcpy(p, v->policies[i].path, n);
		p += n;
		*p++ = '\n';
	}
	len = (size_t)(p - buf);
	if (last.text && last.len == len && memcmp(last.text, buf, len) == 0) {
		memcpy(v->policy_set_sha256, last.sha, sizeof(last.sha));
		free(buf);
		return;
	}
	ag_sha256_hex(buf, len, v->policy_set_sha256);
	free(last.text);
	last.text = buf;
	last.len = len;
	memcpy(last.sha, v->policy_set_sha256, sizeof(last.sha));
}

void ag_verdict_finish(struct ag_verdict *v)
{
	enum ag_severity worst = AG_SEV_NOTE, enforced = AG_SEV_NOTE, s;
	size_t i;

	for (i = 0; i < v->n_findings; i++) {
		s = v->findings[i].severity;
		if (s > worst)
			worst = s;
		/* An error is never softened, whatever the enforcement. */
		if (s == AG_SEV_REJECT && v->findings[i].not_enforced)
			s = AG_SEV_WARN;
		if (s > enforced)
			enforced = s;
	}
	repair_utf8(v);

	for (i = 0; i < v->n_findings; i++)
		if (v->findings[i].severity > worst)
			worst = v->findings[i].severity;
	/* No rule evaluated at all can never mean "accept". */
	if (v->n_rules == 0 && worst != AG_SEV_ERROR) {
		ag_verdict_add_error(v, "policy", "no policy rules were evaluated");
		worst = enforced = AG_SEV_ERROR;
	}
	v->kind = kind_of(worst);
	v->enforced_kind = kind_of(enforced);
	if (v->n_findings > 1)
		qsort(v->findings, v->n_findings, sizeof(*v->findings),
		      cmp_finding);

	policy_set_digest(v);
}

bool ag_verdict_enforced(const struct ag_verdict *v)
{
	return v->kind != AG_VERDICT_REJECT ||
	       v->enforced_kind == AG_VERDICT_REJECT;
}

void ag_verdict_stamp(struct ag_verdict *v, time_t now, bool with_id)
{
	if (with_id) {
		uuid_t id;

		uuid_generate_random(id);
		uuid_unparse_lower(id, v->decision_id);
	}
	ag_time_format(now, v->timestamp);
	if (!v->now[0])
		ag_time_format(now, v->now);
}

const char *ag_severity_name(enum ag_severity s)
{
	static const char *const names[] = { "note", "warn", "reject", "error" };

	return s <= AG_SEV_ERROR ? names[s] : "error";
}

const char *ag_verdict_kind_name(enum ag_verdict_kind k)
{
	static const char *const names[] = { "accept", "warn", "reject", "error" };

	return k <= AG_VERDICT_ERROR ? names[k] : "error";
}

const char *ag_rule_result_name(enum ag_rule_result r)
{
	static const char *const names[] = {
		"pass", "warn", "reject", "error", "disabled", "replaced",
		"not-run",
	};

	return r <= AG_RESULT_NOT_RUN ? names[r] : "error";
}
