/* place_result.c - the placement result: every evaluated pair's verdict
 * and findings, the summary, and its JSON form (the output format, what
 * --jobs workers hand back, and what --merge reads).
 *
 * JSON objects are built with their keys in sorted order, so the text is
 * the same for the same result, whoever computed which part of it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apqn.h"
#include "place.h"
#include "util.h"

void ag_place_result_init(struct ag_place_result *r)
{
	memset(r, 0, sizeof(*r));
}

static void free_pair(struct ag_place_pair *p)
{
	size_t i;

	for (i = 0; i < p->n_findings; i++) {
		free(p->findings[i].rule);
		free(p->findings[i].message);
		free(p->findings[i].remedy);
	}
	free(p->findings);
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

void ag_place_result_free(struct ag_place_result *r)
{
	size_t i;

	for (i = 0; i < r->n_pairs; i++)
		free_pair(&r->pairs[i]);
	free(r->pairs);
	free_names(r->guests, r->n_guests);
	free_names(r->guest_hosts, r->n_guests);
	free_names(r->hosts, r->n_hosts);
	for (i = 0; i < r->n_policies; i++)
		free(r->policies[i].path);
	free(r->policies);
	memset(r, 0, sizeof(*r));
}

void ag_place_result_free_pairs(struct ag_place_result *r)
{
	size_t i;

	for (i = 0; i < r->n_pairs; i++)
		free_pair(&r->pairs[i]);
	r->n_pairs = 0;
}

void ag_place_result_set_policies(struct ag_place_result *r,
				  const struct ag_verdict *v)
{
	size_t i;

	if (r->n_policies || !v->n_policies)
		return;
	r->policies = xcalloc(v->n_policies, sizeof(*r->policies));
	for (i = 0; i < v->n_policies; i++) {
		r->policies[i].path = xstrdup(v->policies[i].path);
		memcpy(r->policies[i].sha256, v->policies[i].sha256,
		       AG_SHA256_HEX_LEN);
	}
	r->n_policies = v->n_policies;
	memcpy(r->policy_set_sha256, v->policy_set_sha256, AG_SHA256_HEX_LEN);
}

/* At most AG_PLACE_MAX_MESSAGE bytes, never inside a UTF-8 sequence. */
static char *cut_message(const char *m)
{
	size_t n = strlen(m);

	if (n <= AG_PLACE_MAX_MESSAGE)
		return xstrdup(m);
	n = AG_PLACE_MAX_MESSAGE - 3;
	while (n && ((unsigned char)m[n] & 0xc0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, m);
}

static struct ag_place_pair *new_pair(struct ag_place_result *r, size_t guest,
				      size_t host)
{
	struct ag_place_pair *p;

	r->pairs = xgrow(r->pairs, &r->cap_pairs, r->n_pairs + 1,
			 sizeof(*r->pairs));
	p = &r->pairs[r->n_pairs++];
	memset(p, 0, sizeof(*p));
	p->guest = guest;
	p->host = host;
	return p;
}

void ag_place_result_add(struct ag_place_result *r, size_t guest, size_t host,
			 const struct ag_verdict *v)
{
	struct ag_place_pair *p = new_pair(r, guest, host);
	size_t i, n = v->n_findings;

	p->verdict = v->enforced_kind;
	if (n > AG_PLACE_MAX_FINDINGS) {
		p->more_findings = n - AG_PLACE_MAX_FINDINGS;
		n = AG_PLACE_MAX_FINDINGS;
	}
	p->findings = xcalloc(n ? n : 1, sizeof(*p->findings));
	for (i = 0; i < n; i++) {	/* worst first (ag_verdict_finish) */
		const struct ag_finding *f = &v->findings[i];
		struct ag_place_finding *pf = &p->findings[i];

		pf->rule = xstrdup(f->rule);
		pf->severity = f->severity;
		if (f->apqn)
			snprintf(pf->apqn, sizeof(pf->apqn), "%s", f->apqn);
		pf->message = cut_message(f->message);
		if (f->remedy && f->remedy->text)
			pf->remedy = cut_message(f->remedy->text);
	}
	p->n_findings = n;
	ag_place_result_set_policies(r, v);
}

static int pair_cmp(const void *a, const void *b)
{
	const struct ag_place_pair *x = a, *y = b;

	if (x->guest != y->guest)
		return x->guest < y->guest ? -1 : 1;
	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return 0;
}

void ag_place_result_sort(struct ag_place_result *r)
{
	if (r->n_pairs)
		qsort(r->pairs, r->n_pairs, sizeof(*r->pairs), pair_cmp);
}

long ag_place_result_find(const struct ag_place_result *r, size_t guest,
			  size_t host)
{
	struct ag_place_pair key = { .guest = guest, .host = host };
	const struct ag_place_pair *p;

	if (!r->n_pairs)
		return -1;
	p = bsearch(&key, r->pairs, r->n_pairs, sizeof(*r->pairs), pair_cmp);
	return p ? (long)(p - r->pairs) : -1;
}

bool ag_place_guest_placed(const struct ag_place_result *r, size_t guest)
{
	size_t h;
	long i;

	for (h = 0; h < r->n_hosts; h++) {
		i = ag_place_result_find(r, guest, h);
		if (i >= 0 && (r->pairs[i].verdict == AG_VERDICT_ACCEPT ||
			       r->pairs[i].verdict == AG_VERDICT_WARN))
			return true;
	}
	return false;
}

void ag_place_result_summary(const struct ag_place_result *r,
			     struct ag_place_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->pairs = r->n_pairs;
	for (i = 0; i < r->n_pairs; i++)
		s->by_kind[r->pairs[i].verdict]++;
	s->self = r->n_guests * r->n_hosts - r->n_pairs;
	s->guests_evaluated = r->n_guests;
	for (i = 0; i < r->n_guests; i++)
		if (!ag_place_guest_placed(r, i))
			s->guests_without_host++;
}

/* --- JSON --- */

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

json_object *ag_place_pair_to_json(const struct ag_place_result *r,
				   const struct ag_place_pair *p)
{
	json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < p->n_findings; i++) {
		const struct ag_place_finding *f = &p->findings[i];
		json_object *x = json_object_new_object();

		if (f->apqn[0])
			add_str(x, "apqn", f->apqn);
		add_str(x, "message", f->message);
		if (f->remedy)
			add_str(x, "remedy", f->remedy);
		add_str(x, "rule", f->rule);
		add_str(x, "severity", ag_severity_name(f->severity));
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "findings", arr);
	add_str(o, "guest", r->guests[p->guest]);
	add_str(o, "host", r->hosts[p->host]);
	if (p->more_findings)
		add_int(o, "more_findings", (int64_t)p->more_findings);
	add_str(o, "verdict", ag_verdict_kind_name(p->verdict));
	return o;
}

/* "key": s as JSON, the string escaped by json-c through buf, one string
 * object reused for every string (an object per string cost as much as
 * the tree).  "" is written as it is: json-c 0.16 leaks a string's buffer
 * when json_object_set_string empties it. */
static void put_str(FILE *out, json_object *buf, const char *key,
		    const char *s, bool last)
{
	const char *text = "\"\"";

	if (s[0]) {
		json_object_set_string(buf, s);
		text = json_object_to_json_string_ext(buf,
			JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	fprintf(out, "\"%s\": %s%s", key, text, last ? " }" : ", ");
}

void ag_place_pair_write_json(const struct ag_place_result *r,
			      const struct ag_place_pair *p, json_object *buf,
			      FILE *out)
{
	size_t i;

	fputs("{ \"findings\": [ ", out);
	for (i = 0; i < p->n_findings; i++) {
		const struct ag_place_finding *f = &p->findings[i];

		fputs(i ? ", { " : "{ ", out);
		if (f->apqn[0])
			put_str(out, buf, "apqn", f->apqn, false);
		put_str(out, buf, "message", f->message, false);
		if (f->remedy)
			put_str(out, buf, "remedy", f->remedy, false);
		put_str(out, buf, "rule", f->rule, false);
		put_str(out, buf, "severity", ag_severity_name(f->severity),
			true);
	}
	fputs(p->n_findings ? " ], " : "], ", out);
	put_str(out, buf, "guest", r->guests[p->guest], false);
	put_str(out, buf, "host", r->hosts[p->host], false);
	if (p->more_findings)
		fprintf(out, "\"more_findings\": %zu, ", p->more_findings);
	put_str(out, buf, "verdict", ag_verdict_kind_name(p->verdict), true);
}

static json_object *names_json(char **names, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

/* Written value by value, keys in sorted order, one pair per line:
 * 10,000 pairs never become one json-c tree in memory. */
static void put_value(FILE *out, const char *key, json_object *v, bool last)
{
	fprintf(out, "  \"%s\": %s%s\n", key,
		json_object_to_json_string_ext(v, JSON_C_TO_STRING_SPACED |
					       JSON_C_TO_STRING_NOSLASHESCAPE),
		last ? "" : ",");
	json_object_put(v);
}

int ag_place_render_json(const struct ag_place_result *r, FILE *out)
{
	struct ag_place_summary s;
	json_object *a, *x;
	size_t i;

	ag_place_result_summary(r, &s);
	fputs("{\n  \"apgate-placement\": 1,\n", out);
	a = json_object_new_array();
	for (i = 0; i < r->n_guests; i++) {
		json_object *takers = json_object_new_array();
		size_t h;

		/* the hosts that take the guest: what a reject's remedy
		 * ("place the guest on another host") points to */
		for (h = 0; h < r->n_hosts; h++) {
			long k = ag_place_result_find(r, i, h);

			if (k >= 0 && (r->pairs[k].verdict == AG_VERDICT_ACCEPT ||
				       r->pairs[k].verdict == AG_VERDICT_WARN))
				json_object_array_add(takers,
					json_object_new_string(r->hosts[h]));
		}
		x = json_object_new_object();
		add_str(x, "host", r->guest_hosts[i]);
		json_object_object_add(x, "hosts", takers);
		add_str(x, "name", r->guests[i]);
		json_object_object_add(x, "placed", json_object_new_boolean(
					       json_object_array_length(takers) > 0));
		json_object_array_add(a, x);
	}
	put_value(out, "guests", a, false);
	put_value(out, "hosts", names_json(r->hosts, r->n_hosts), false);
	put_value(out, "now", json_object_new_string(r->now), false);
	fputs("  \"pairs\": [", out);
	x = json_object_new_string("");
	for (i = 0; i < r->n_pairs; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		ag_place_pair_write_json(r, &r->pairs[i], x, out);
	}
	json_object_put(x);
	fputs(r->n_pairs ? "\n  ],\n" : "],\n", out);
	a = json_object_new_array();
	for (i = 0; i < r->n_policies; i++) {
		x = json_object_new_object();
		add_str(x, "path", r->policies[i].path);
		add_str(x, "sha256", r->policies[i].sha256);
		json_object_array_add(a, x);
	}
	put_value(out, "policies", a, false);
	put_value(out, "policy_set_sha256",
		  json_object_new_string(r->policy_set_sha256), false);
	if (r->shard_count) {
		x = json_object_new_object();
		add_int(x, "count", r->shard_count);
		add_int(x, "guests_total", (int64_t)r->shard_guests_total);
		add_int(x, "index", r->shard_index);
		put_value(out, "shard", x, false);
	}
	x = json_object_new_object();
	add_int(x, "accept", (int64_t)s.by_kind[AG_VERDICT_ACCEPT]);
	add_int(x, "error", (int64_t)s.by_kind[AG_VERDICT_ERROR]);
	add_int(x, "guests", (int64_t)s.guests_evaluated);
	a = json_object_new_array();
	for (i = 0; i < r->n_guests; i++)
		if (!ag_place_guest_placed(r, i))
			json_object_array_add(a, json_object_new_string(
						      r->guests[i]));
	json_object_object_add(x, "guests_without_host", a);
	add_int(x, "hosts", (int64_t)r->n_hosts);
	add_int(x, "pairs", (int64_t)s.pairs);
	add_int(x, "reject", (int64_t)s.by_kind[AG_VERDICT_REJECT]);
	add_int(x, "same_host", (int64_t)s.self);
	add_int(x, "warn", (int64_t)s.by_kind[AG_VERDICT_WARN]);
	put_value(out, "summary", x, true);
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}
