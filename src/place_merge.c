/* place_merge.c - placement JSON read back: one pair (what a --jobs
 * worker hands its parent) and whole shard results (--merge), joined
 * into the result a single run would have made.
 *
 * The input is checked as strictly as any other input: a result that
 * does not belong with the others (other hosts, policies or time), a
 * guest twice, or a missing or repeated shard is refused, naming the
 * file; a merge never silently drops or invents a pair.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "place.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long name_index(char **names, size_t n, const char *name)
{
	char **p = n ? bsearch(&name, names, n, sizeof(*names), cmp_str) : NULL;

	return p ? (long)(p - names) : -1;
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int parse_kind(const char *s, enum ag_verdict_kind *k)
{
	int i;

	for (i = AG_VERDICT_ACCEPT; s && i <= AG_VERDICT_ERROR; i++)
		if (strcmp(s, ag_verdict_kind_name((enum ag_verdict_kind)i)) == 0) {
			*k = (enum ag_verdict_kind)i;
			return 0;
		}
	return -1;
}

static int parse_severity(const char *s, enum ag_severity *sev)
{
	int i;

	for (i = AG_SEV_NOTE; s && i <= AG_SEV_ERROR; i++)
		if (strcmp(s, ag_severity_name((enum ag_severity)i)) == 0) {
			*sev = (enum ag_severity)i;
			return 0;
		}
	return -1;
}

int ag_place_pair_from_json(struct ag_place_result *r, json_object *o,
			    const char *where, struct ag_error *err)
{
	const char *g = get_str(o, "guest"), *h = get_str(o, "host");
	json_object *arr, *more;
	struct ag_place_pair *p;
	enum ag_verdict_kind kind;
	long gi, hi;
	size_t i, n;

	if (!json_object_is_type(o, json_type_object) || !g || !h ||
	    parse_kind(get_str(o, "verdict"), &kind) < 0 ||
	    !json_object_object_get_ex(o, "findings", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		ag_error_set(err, "%s: expected a pair {guest, host, verdict, "
			     "findings}", where);
		return -1;
	}
	gi = name_index(r->guests, r->n_guests, g);
	hi = name_index(r->hosts, r->n_hosts, h);
	if (gi < 0 || hi < 0) {
		ag_error_set(err, "%s: %s %s is not in the result's %s", where,
			     gi < 0 ? "guest" : "host", gi < 0 ? g : h,
			     gi < 0 ? "guests" : "hosts");
		return -1;
	}
	if (ag_place_result_find(r, (size_t)gi, (size_t)hi) >= 0) {
		ag_error_set(err, "%s: pair %s on %s is given twice", where, g, h);
		return -1;
	}
	n = json_object_array_length(arr);
	if (n > AG_PLACE_MAX_FINDINGS) {
		ag_error_set(err, "%s: more than %u findings", where,
			     AG_PLACE_MAX_FINDINGS);
		return -1;
	}
	r->pairs = xgrow(r->pairs, &r->cap_pairs, r->n_pairs + 1,
			 sizeof(*r->pairs));
	p = &r->pairs[r->n_pairs];
	memset(p, 0, sizeof(*p));
	p->guest = (size_t)gi;
	p->host = (size_t)hi;
	p->verdict = kind;
	p->findings = xcalloc(n ? n : 1, sizeof(*p->findings));
	for (i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(arr, i);
		struct ag_place_finding *pf = &p->findings[i];
		const char *rule = get_str(f, "rule"), *msg = get_str(f, "message");
		const char *apqn = get_str(f, "apqn");
		const char *remedy = get_str(f, "remedy");
		unsigned a, d;

		if (!rule || !msg || parse_severity(get_str(f, "severity"),
						    &pf->severity) < 0 ||
		    (apqn && ag_apqn_parse(apqn, &a, &d) < 0)) {
			p->n_findings = i;
			r->n_pairs++;	/* freed with the result */
			ag_error_set(err, "%s: findings[%zu]: expected {rule, "
				     "severity, message[, apqn]}", where, i);
			return -1;
		}
		pf->rule = xstrdup(rule);
		pf->message = xstrdup(msg);
		pf->remedy = remedy ? xstrdup(remedy) : NULL;
		if (apqn)
			snprintf(pf->apqn, sizeof(pf->apqn), "%s", apqn);
	}
	p->n_findings = n;
	if (json_object_object_get_ex(o, "more_findings", &more))
		p->more_findings = (size_t)json_object_get_int64(more);
	r->n_pairs++;
	/* kept sorted for the duplicate check: inputs come in order */
	if (r->n_pairs > 1 && (r->pairs[r->n_pairs - 2].guest > p->guest ||
			       (r->pairs[r->n_pairs - 2].guest == p->guest &&
				r->pairs[r->n_pairs - 2].host > p->host)))
		ag_place_result_sort(r);
	return 0;
}

/* --- whole results --- */

struct shard_file {
	char *path;
	json_object *root;
	unsigned index, count;
	size_t total;
};

static char **string_list(json_object *a, const char *key, size_t *n)
{
	char **out;
	size_t i;

	*n = json_object_array_length(a);
	out = xcalloc(*n ? *n : 1, sizeof(*out));
	for (i = 0; i < *n; i++) {
		json_object *x = json_object_array_get_idx(a, i);
		const char *s = key ? get_str(x, key) :
			json_object_is_type(x, json_type_string) ?
			json_object_get_string(x) : NULL;

		out[i] = xstrdup(s ? s : "");
	}
	return out;
}

static int load_one(const char *path, struct shard_file *sf,
		    struct ag_error *err)
{
	json_object *v, *sh;
	char *buf;
	size_t len;

	if (ag_read_input(path, AG_PLACE_MAX_JSON_BYTES, &buf, &len, err) < 0)
		return -1;
	sf->path = xstrdup(path);
	sf->root = json_tokener_parse(buf);
	free(buf);
	if (!sf->root || !json_object_is_type(sf->root, json_type_object) ||
	    !json_object_object_get_ex(sf->root, "apgate-placement", &v) ||
	    json_object_get_int(v) != 1) {
		ag_error_set(err, "%s: not a placement result (apgate place "
			     "--format json, \"apgate-placement\": 1)", path);
		return -1;
	}
	if (json_object_object_get_ex(sf->root, "shard", &sh)) {
		json_object *i, *c, *t;

		if (!json_object_object_get_ex(sh, "index", &i) ||
		    !json_object_object_get_ex(sh, "count", &c) ||
		    !json_object_object_get_ex(sh, "guests_total", &t)) {
			ag_error_set(err, "%s: shard: expected {index, count, "
				     "guests_total}", path);
			return -1;
		}
		sf->index = (unsigned)json_object_get_int(i);
		sf->count = (unsigned)json_object_get_int(c);
		sf->total = (size_t)json_object_get_int64(t);
	}
	return 0;
}

static int field(const struct shard_file *sf, const char *key,
		 json_type type, json_object **out, struct ag_error *err)
{
	if (!json_object_object_get_ex(sf->root, key, out) ||
	    !json_object_is_type(*out, type)) {
		ag_error_set(err, "%s: missing or malformed \"%s\"", sf->path,
			     key);
		return -1;
	}
	return 0;
}

/* The shards must be exactly 1..N of one split (guests: the number of
 * guests they hold together, checked against the run's once known;
 * SIZE_MAX: not yet). */
static int check_shards(const struct shard_file *sf, size_t n,
			size_t guests, struct ag_error *err)
{
	unsigned count = sf[0].count;
	bool *seen;
	size_t i;

	for (i = 0; i < n; i++)
		if ((sf[i].count == 0) != (count == 0) ||
		    sf[i].count != count || sf[i].total != sf[0].total) {
			ag_error_set(err, "%s: shard %u/%u does not belong with "
				     "%s (shard %u/%u)", sf[i].path, sf[i].index,
				     sf[i].count, sf[0].path, sf[0].index, count);
			return -1;
		}
	if (!count)
		return 0;
	seen = xcalloc(count + 1, sizeof(*seen));
	for (i = 0; i < n; i++) {
		if (sf[i].index < 1 || sf[i].index > count || seen[sf[i].index]) {
			ag_error_set(err, "%s: shard %u/%u is %s", sf[i].path,
				     sf[i].index, count, seen[sf[i].index] ?
				     "given twice" : "out of range");
			free(seen);
			return -1;
		}
		seen[sf[i].index] = true;
	}
	for (i = 1; i <= count; i++)
		if (!seen[i]) {
			ag_error_set(err, "shard %zu/%u is missing: merge every "
				     "shard of the run", i, count);
			free(seen);
			return -1;
		}
	free(seen);
	if (guests != SIZE_MAX && guests != sf[0].total) {
		ag_error_set(err, "the shards hold %zu guests, the run had %zu",
			     guests, sf[0].total);
		return -1;
	}
	return 0;
}

static int same_as_first(const struct shard_file *sf,
			 const struct shard_file *first, const char *key,
			 struct ag_error *err)
{
	json_object *a, *b;

	if (!json_object_object_get_ex(sf->root, key, &a) ||
	    !json_object_object_get_ex(first->root, key, &b) ||
	    !json_object_equal(a, b)) {
		ag_error_set(err, "%s: \"%s\" differs from %s: results of other "
			     "hosts, policies or times cannot be merged",
			     sf->path, key, first->path);
		return -1;
	}
	return 0;
}

int ag_place_merge_files(char **paths, size_t n, struct ag_place_result *r,
			 struct ag_error *err)
{
	static const char *const same[] = { "hosts", "now", "policies",
					    "policy_set_sha256", NULL };
	struct shard_file *sf = xcalloc(n, sizeof(*sf));
	json_object *a;
	size_t i, j, total = 0;
	int rc = -1;

	ag_place_result_init(r);
	for (i = 0; i < n; i++) {
		if (load_one(paths[i], &sf[i], err) < 0)
			goto out;
		for (j = 0; same[j]; j++)
			if (same_as_first(&sf[i], &sf[0], same[j], err) < 0)
				goto out;
		if (field(&sf[i], "guests", json_type_array, &a, err) < 0)
			goto out;
		total += json_object_array_length(a);
	}
	if (field(&sf[0], "hosts", json_type_array, &a, err) < 0)
		goto out;
	r->hosts = string_list(a, NULL, &r->n_hosts);
	snprintf(r->now, sizeof(r->now), "%s", get_str(sf[0].root, "now") ?
		 get_str(sf[0].root, "now") : "");
	snprintf(r->policy_set_sha256, sizeof(r->policy_set_sha256), "%s",
		 get_str(sf[0].root, "policy_set_sha256") ?
		 get_str(sf[0].root, "policy_set_sha256") : "");
	if (field(&sf[0], "policies", json_type_array, &a, err) < 0)
		goto out;
	r->n_policies = json_object_array_length(a);
	r->policies = xcalloc(r->n_policies ? r->n_policies : 1,
			      sizeof(*r->policies));
	for (i = 0; i < r->n_policies; i++) {
		json_object *x = json_object_array_get_idx(a, i);

		r->policies[i].path = xstrdup(get_str(x, "path") ?
					      get_str(x, "path") : "");
		snprintf(r->policies[i].sha256, AG_SHA256_HEX_LEN, "%s",
			 get_str(x, "sha256") ? get_str(x, "sha256") : "");
	}
	if (check_shards(sf, n, SIZE_MAX, err) < 0)
		goto out;
	/* every guest of every file, sorted, each once */
	r->guests = xcalloc(total ? total : 1, sizeof(*r->guests));
	r->guest_hosts = xcalloc(total ? total : 1, sizeof(*r->guest_hosts));
	for (i = 0; i < n; i++) {
		field(&sf[i], "guests", json_type_array, &a, err);
		for (j = 0; j < json_object_array_length(a); j++) {
			json_object *g = json_object_array_get_idx(a, j);
			const char *name = get_str(g, "name");
			const char *host = get_str(g, "host");

			if (!name || !host) {
				ag_error_set(err, "%s: guests[%zu]: expected "
					     "{name, host}", sf[i].path, j);
				goto out;
			}
			r->guests[r->n_guests] = xasprintf("%s%c%s", name, 0,
							   host);
			r->n_guests++;
		}
	}
	qsort(r->guests, r->n_guests, sizeof(*r->guests), cmp_str);
	for (i = 0; i < r->n_guests; i++) {
		if (i && strcmp(r->guests[i], r->guests[i - 1]) == 0) {
			ag_error_set(err, "guest %s is in more than one of the "
				     "results", r->guests[i]);
			goto out;
		}
		r->guest_hosts[i] = xstrdup(r->guests[i] + strlen(r->guests[i]) + 1);
	}
	if (check_shards(sf, n, r->n_guests, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		field(&sf[i], "pairs", json_type_array, &a, err);
		for (j = 0; j < json_object_array_length(a); j++) {
			char where[64];

			snprintf(where, sizeof(where), "pairs[%zu]", j);
			if (ag_place_pair_from_json(r, json_object_array_get_idx(a, j),
						    where, err) < 0) {
				char *m = xstrdup(err->msg);

				ag_error_set(err, "%s: %s", sf[i].path, m);
				free(m);
				goto out;
			}
		}
	}
	ag_place_result_sort(r);
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		free(sf[i].path);
		json_object_put(sf[i].root);
	}
	free(sf);
	return rc;
}
