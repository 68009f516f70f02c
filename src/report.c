/* report.c - aggregation of decision records into the report's counts
 * (see report.h; the renderings are in report_html.c and report_md.c). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "report_model.h"
#include "timeutil.h"
#include "util.h"

const char *const verdict_names[NK] = { "accept", "warn", "reject", "error" };
const char *const sev_names[NK] = { "note", "warn", "reject", "error" };

static struct report_entry *table_get(struct report_table *t, const char *key)
{
	json_object *idx;
	struct report_entry *e;

	if (!t->index)
		t->index = json_object_new_object();
	if (json_object_object_get_ex(t->index, key, &idx))
		return &t->v[json_object_get_int(idx)];
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->key = xstrdup(key);
	e->last_kind = -1;
	json_object_object_add(t->index, key, json_object_new_int((int)t->n));
	t->n++;
	return e;
}

static void table_free(struct report_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].a);
		free(t->v[i].b);
		json_object_put(t->v[i].extra);
	}
	free(t->v);
	json_object_put(t->index);
}

static void entry_count(struct report_entry *e, int k, const char *ts)
{
	e->n[k]++;
	e->total++;
	if (ts[0] && (!e->first[0] || strcmp(ts, e->first) < 0))
		snprintf(e->first, sizeof(e->first), "%s", ts);
	if (ts[0] && (!e->last[0] || strcmp(ts, e->last) >= 0)) {
		snprintf(e->last, sizeof(e->last), "%s", ts);
		e->last_kind = k;
	}
}

const char *report_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *report_str_or(json_object *o, const char *key, const char *def)
{
	const char *s = report_str(o, key);

	return s ? s : def;
}

json_object *report_member(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

int report_kind(const char *s, const char *const names[NK])
{
	int i;

	for (i = 0; s && i < NK; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

struct ag_report *ag_report_new(void)
{
	struct ag_report *r = xcalloc(1, sizeof(*r));

	r->notable = json_object_new_array();
	r->dryruns = json_object_new_array();
	return r;
}

void ag_report_free(struct ag_report *r)
{
	size_t i;

	if (!r)
		return;
	table_free(&r->rules);
	table_free(&r->pairs);
	table_free(&r->mdevs);
	table_free(&r->policysets);
	table_free(&r->tools);
	table_free(&r->callers);
	json_object_put(r->notable);
	json_object_put(r->dryruns);
	table_free(&r->waivers);
	free(r->points);
	free(r->since);
	free(r->until);
	for (i = 0; i < r->n_files; i++)
		free((char *)r->files[i].path);
	free(r->files);
	free(r);
}

/* The waivers a record lists that changed at least one of its findings. */
static void count_waivers(struct ag_report *r, json_object *rec,
			  const char *ts)
{
	json_object *ws = report_member(rec, "waivers"), *n;
	bool any = false;
	size_t i;

	for (i = 0; ws && json_object_is_type(ws, json_type_array) &&
	     i < json_object_array_length(ws); i++) {
		json_object *w = json_object_array_get_idx(ws, i);
		struct report_entry *e;

		if (!report_str(w, "id") ||
		    !json_object_object_get_ex(w, "findings", &n) ||
		    json_object_get_int64(n) <= 0)
			continue;
		e = table_get(&r->waivers, report_str(w, "id"));
		json_object_put(e->extra);
		e->extra = json_object_get(w);
		entry_count(e, 0, ts);
		any = true;
	}
	if (any)
		r->waived++;
}

void ag_report_add(struct ag_report *r, json_object *rec)
{
	const char *type = report_str(rec, "type");
	const char *ts = report_str_or(rec, "timestamp", "");
	json_object *src = report_member(rec, "source");
	json_object *tgt = report_member(rec, "target");
	json_object *findings = report_member(rec, "findings"), *ins, *pol;
	json_object *enforced = report_member(rec, "enforced");
	int k = report_kind(report_str(rec, "verdict"), verdict_names);
	bool dry;
	const char *set;
	struct report_entry *e;
	char *key;
	time_t t;
	size_t i;

	if (type && strcmp(type, "rotation") == 0) {
		r->rotations++;
		return;
	}
	r->decisions++;
	if (k < 0) {
		/* A record we cannot classify is an error for an auditor. */
		r->unknown_kind++;
		k = 3;
	}
	/* A dry run's reject is a decision nobody was stopped by: apart. */
	dry = k == 2 && json_object_is_type(enforced, json_type_boolean) &&
	      !json_object_get_boolean(enforced);
	if (dry)
		r->dryrun++;
	else
		r->totals[k]++;
	if (ts[0] && (!r->first[0] || strcmp(ts, r->first) < 0))
		snprintf(r->first, sizeof(r->first), "%s", ts);
	if (ts[0] && (!r->last[0] || strcmp(ts, r->last) > 0))
		snprintf(r->last, sizeof(r->last), "%s", ts);
	if (ag_time_parse(ts, &t) == 0) {
		r->points = xgrow(r->points, &r->cap_points, r->n_points + 1,
				  sizeof(*r->points));
		r->points[r->n_points].t = t;
		r->points[r->n_points++].kind = k;
	}
	if (json_object_object_get_ex(rec, "insecure_policies", &ins) &&
	    json_object_get_boolean(ins))
		r->insecure++;

	key = xasprintf("%s\x1f%s", report_str_or(src, "host", "?"),
			report_str_or(tgt, "host", "?"));
	e = table_get(&r->pairs, key);
	free(key);
	if (!e->a) {
		e->a = xstrdup(report_str_or(src, "host", "(unknown)"));
		e->b = xstrdup(report_str_or(tgt, "host", "(unknown)"));
	}
	entry_count(e, k, ts);

	e = table_get(&r->mdevs, report_str_or(src, "mdev_uuid",
					report_str_or(tgt, "mdev_uuid", "(unknown)")));
	entry_count(e, k, ts);

	/* A decision that loaded no policy file (an input error stops first)
	 * carries the digest of nothing: no policy version was in force. */
	pol = report_member(rec, "policies");
	if (json_object_is_type(pol, json_type_array) &&
	    json_object_array_length(pol) > 0) {
		set = report_str_or(rec, "policy_set_sha256", "(none)");
		e = table_get(&r->policysets, set);
		if (!e->extra)
			e->extra = json_object_get(pol);
		entry_count(e, k, ts);
	}

	key = xasprintf("%s (%s)", report_str_or(rec, "tool", "?"),
			report_str_or(rec, "lua", "?"));
	entry_count(table_get(&r->tools, key), k, ts);
	free(key);
	entry_count(table_get(&r->callers, report_str_or(rec, "caller", "?")), k, ts);

	for (i = 0; findings && json_object_is_type(findings, json_type_array) &&
	     i < json_object_array_length(findings); i++) {
		json_object *f = json_object_array_get_idx(findings, i);
		int s = report_kind(report_str(f, "severity"), sev_names);

		e = table_get(&r->rules, report_str_or(f, "rule", "(none)"));
		entry_count(e, s < 0 ? 3 : s, ts);
	}
	count_waivers(r, rec, ts);
	if (dry)
		json_object_array_add(r->dryruns, json_object_get(rec));
	else if (k > 0)
		json_object_array_add(r->notable, json_object_get(rec));
}

void ag_report_set_period(struct ag_report *r, const char *since,
			  const char *until)
{
	r->since = since ? xstrdup(since) : NULL;
	r->until = until ? xstrdup(until) : NULL;
}

void ag_report_set_chain(struct ag_report *r, enum ag_audit_status status,
			 const struct ag_audit_check *res, size_t n)
{
	size_t i;

	r->chain = status;
	r->chain_set = true;
	r->files = xcalloc(n, sizeof(*r->files));
	r->n_files = n;
	/* Shallow copies: the notes stay the caller's and must outlive the
	 * rendering (see report.h). */
	for (i = 0; i < n; i++) {
		r->files[i] = res[i];
		r->files[i].path = xstrdup(res[i].path);
	}
}

/* Sort: most first, then by key, so equal counts keep a fixed order. */
int report_cmp_total(const void *a, const void *b)
{
	const struct report_entry *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

int report_cmp_first(const void *a, const void *b)
{
	const struct report_entry *x = a, *y = b;
	int c = strcmp(x->first, y->first);

	return c ? c : strcmp(x->key, y->key);
}

void report_sort(struct report_table *t,
		 int (*cmp)(const void *, const void *))
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp);
	/* the index is stale from here on: rendering only iterates */
}

/* --- the timeline --- */

static time_t bucket_floor(time_t t, enum report_unit u)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (u) {
	case HOUR:
		return t - tm.tm_min * 60 - tm.tm_sec;
	case DAY:
		return t - tm.tm_hour * 3600 - tm.tm_min * 60 - tm.tm_sec;
	case WEEK:	/* ISO weeks start on Monday */
		t -= tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		return t - (time_t)((tm.tm_wday + 6) % 7) * 86400;
	case MONTH:
		t -= tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		return t - (time_t)(tm.tm_mday - 1) * 86400;
	}
	return t;
}

static time_t bucket_next(time_t t, enum report_unit u)
{
	struct tm tm;

	switch (u) {
	case HOUR: return t + 3600;
	case DAY: return t + 86400;
	case WEEK: return t + 7 * 86400;
	case MONTH:
		gmtime_r(&t, &tm);
		return t + (time_t)(tm.tm_mon == 1 ?
			((tm.tm_year % 4 == 0 && (tm.tm_year + 1900) % 100 != 0) ||
			 (tm.tm_year + 1900) % 400 == 0 ? 29 : 28) :
			(tm.tm_mon == 3 || tm.tm_mon == 5 || tm.tm_mon == 8 ||
			 tm.tm_mon == 10) ? 30 : 31) * 86400;
	}
	return t + 86400;
}

const char *report_unit_name(enum report_unit u)
{
	static const char *const n[] = { "hour", "day", "week", "month" };

	return n[u];
}

void report_bucket_label(time_t t, enum report_unit u, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, u == HOUR ? "%Y-%m-%d %H:00" : u == MONTH ?
		 "%Y-%m" : "%Y-%m-%d", &tm);
}

void report_timeline_build(const struct ag_report *r,
			   struct report_timeline *tl)
{
	time_t lo, hi, t;
	size_t i, b;

	memset(tl, 0, sizeof(*tl));
	if (!r->n_points)
		return;
	lo = hi = r->points[0].t;
	for (i = 1; i < r->n_points; i++) {
		if (r->points[i].t < lo)
			lo = r->points[i].t;
		if (r->points[i].t > hi)
			hi = r->points[i].t;
	}
	tl->unit = hi - lo <= 2 * 86400 ? HOUR : hi - lo <= 92 * 86400 ? DAY :
		   hi - lo <= 2 * 366 * 86400 ? WEEK : MONTH;
	for (t = bucket_floor(lo, tl->unit); t <= hi; t = bucket_next(t, tl->unit)) {
		tl->start = xrealloc(tl->start, (tl->n + 1) * sizeof(*tl->start));
		tl->start[tl->n++] = t;
	}
	tl->c = xcalloc(tl->n, sizeof(*tl->c));
	for (i = 0; i < r->n_points; i++) {
		/* buckets are sorted: binary search for the last start <= t */
		size_t a = 0, z = tl->n;

		while (z - a > 1) {
			size_t m = (a + z) / 2;

			if (tl->start[m] <= r->points[i].t)
				a = m;
			else
				z = m;
		}
		tl->c[a][r->points[i].kind]++;
	}
	for (b = 0; b < tl->n; b++) {
		long s = tl->c[b][0] + tl->c[b][1] + tl->c[b][2] + tl->c[b][3];

		if (s > tl->max)
			tl->max = s;
	}
}

void report_timeline_free(struct report_timeline *tl)
{
	free(tl->start);
	free(tl->c);
}

const char *report_chain_word(enum ag_audit_status s)
{
	switch (s) {
	case AG_AUDIT_INTACT: return "intact";
	case AG_AUDIT_BROKEN: return "BROKEN";
	case AG_AUDIT_TORN: return "intact up to an incomplete final line";
	case AG_AUDIT_FAILED: return "not verified";
	}
	return "?";
}

size_t report_chain_records(const struct ag_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_files; i++)
		n += r->files[i].records;
	return n;
}

void report_period_text(const struct ag_report *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s to %s",
		 r->since ? r->since : r->first[0] ? r->first : "the start",
		 r->until ? r->until : r->last[0] ? r->last : "the end");
}

int ag_report_render(struct ag_report *r, enum ag_report_format fmt,
		     FILE *out)
{
	if (fmt == AG_REPORT_HTML)
		report_render_html(r, out);
	else
		report_render_md(r, out);
	return ferror(out) ? -1 : 0;
}
