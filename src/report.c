/* report.c - aggregation of decision records and their HTML and Markdown
 * renderings (see report.h for the guarantees). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "render.h"
#include "report.h"
#include "timeutil.h"
#include "util.h"

/* Verdicts and severities share one index: 0 accept/note, 1 warn,
 * 2 reject, 3 error. */
#define NK 4
static const char *const verdict_names[NK] = { "accept", "warn", "reject", "error" };
static const char *const sev_names[NK] = { "note", "warn", "reject", "error" };
static const char *const colors[NK] = { "#2e7d32", "#e0a000", "#c62828", "#6a1b9a" };
static const char *const note_color = "#78909c";

/* Evidence longer than this is cut in the report (the record has it). */
#define EVIDENCE_MAX 2048

struct entry {
	char *key;
	char *a, *b;			/* display parts (host pair, rule id) */
	long n[NK];
	long total;
	char first[AG_TIME_LEN], last[AG_TIME_LEN];
	int last_kind;
	json_object *extra;		/* policy files of a policy set */
};

struct table {
	struct entry *v;
	size_t n, cap;
	json_object *index;		/* key -> position in v */
};

struct point {
	time_t t;
	int kind;
};

struct ag_report {
	long totals[NK];
	long decisions, rotations, insecure, unknown_kind;
	char first[AG_TIME_LEN], last[AG_TIME_LEN];
	struct point *points;
	size_t n_points, cap_points;
	struct table rules, pairs, mdevs, policysets, tools, callers;
	json_object *notable;		/* records with warn, reject, error */
	char *since, *until;
	enum ag_audit_status chain;
	struct ag_audit_check *files;	/* copies without notes ownership */
	size_t n_files;
	bool chain_set;
};

/* --- aggregation --- */

static struct entry *table_get(struct table *t, const char *key)
{
	json_object *idx;
	struct entry *e;

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

static void table_free(struct table *t)
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

static void entry_count(struct entry *e, int k, const char *ts)
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

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static const char *str_or(json_object *o, const char *key, const char *def)
{
	const char *s = str(o, key);

	return s ? s : def;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int kind_index(const char *s, const char *const names[NK])
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
	free(r->points);
	free(r->since);
	free(r->until);
	for (i = 0; i < r->n_files; i++)
		free((char *)r->files[i].path);
	free(r->files);
	free(r);
}

void ag_report_add(struct ag_report *r, json_object *rec)
{
	const char *type = str(rec, "type"), *ts = str_or(rec, "timestamp", "");
	json_object *src = member(rec, "source"), *tgt = member(rec, "target");
	json_object *findings = member(rec, "findings"), *ins;
	int k = kind_index(str(rec, "verdict"), verdict_names);
	const char *set;
	struct entry *e;
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

	key = xasprintf("%s\x1f%s", str_or(src, "host", "?"),
			str_or(tgt, "host", "?"));
	e = table_get(&r->pairs, key);
	free(key);
	if (!e->a) {
		e->a = xstrdup(str_or(src, "host", "(unknown)"));
		e->b = xstrdup(str_or(tgt, "host", "(unknown)"));
	}
	entry_count(e, k, ts);

	e = table_get(&r->mdevs, str_or(src, "mdev_uuid",
					str_or(tgt, "mdev_uuid", "(unknown)")));
	entry_count(e, k, ts);

	set = str_or(rec, "policy_set_sha256", "(none)");
	e = table_get(&r->policysets, set);
	if (!e->extra)
		e->extra = json_object_get(member(rec, "policies"));
	entry_count(e, k, ts);

	key = xasprintf("%s (%s)", str_or(rec, "tool", "?"),
			str_or(rec, "lua", "?"));
	entry_count(table_get(&r->tools, key), k, ts);
	free(key);
	entry_count(table_get(&r->callers, str_or(rec, "caller", "?")), k, ts);

	for (i = 0; findings && json_object_is_type(findings, json_type_array) &&
	     i < json_object_array_length(findings); i++) {
		json_object *f = json_object_array_get_idx(findings, i);
		int s = kind_index(str(f, "severity"), sev_names);

		e = table_get(&r->rules, str_or(f, "rule", "(none)"));
		entry_count(e, s < 0 ? 3 : s, ts);
	}
	if (k > 0)
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
static int cmp_entry_total(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_entry_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->first, y->first);

	return c ? c : strcmp(x->key, y->key);
}

static void table_sort(struct table *t, int (*cmp)(const void *, const void *))
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp);
	/* the index is stale from here on: rendering only iterates */
}

/* --- escaping --- */

/* Length of the valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;	/* overlong, surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* Text for HTML element content and attribute values alike. */
static void html(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("&#xfffd;", out);
			p++;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (*p < 0x20 && *p != '\n' && *p != '\t')
				fputs("&#xfffd;", out);
			else if (*p == 0x7f)
				fputs("&#xfffd;", out);
			else
				fwrite(p, 1, n, out);
		}
		p += n;
	}
}

/* Text for Markdown: every character that could start markup is
 * backslash-escaped, line breaks become spaces (a table row is one line),
 * so a policy's message can never inject links, HTML or table cells. */
static void md(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *start = p;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			fputc(' ', out);
		else if (n == 1 && (strchr("\\`*_[]<>|#~!&{}()@", *p) ||
				    /* GFM autolinks: "scheme://" and "www." */
				    (*p == ':' && p[1] == '/' && p[2] == '/') ||
				    (*p == '.' && p - start >= 3 &&
				     strncasecmp((const char *)p - 3, "www", 3) == 0)))
			fprintf(out, "\\%c", *p);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
}

/* A value without backticks, pipes or control characters can go in a
 * code span, where Markdown interprets nothing. */
static bool plain_token(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s || !*s || *s == ' ' || s[strlen(s) - 1] == ' ')
		return false;
	while (*p) {
		size_t n = utf8_len(p);

		if (!n || *p < 0x20 || *p == 0x7f || *p == '`' || *p == '|')
			return false;
		p += n;
	}
	return true;
}

static void md_code(FILE *out, const char *s)
{
	if (plain_token(s))
		fprintf(out, "`%s`", s);
	else
		md(out, s);
}

/* Compact evidence, cut at EVIDENCE_MAX on a character boundary. */
static char *evidence_text(json_object *ev)
{
	json_object *sorted = ag_json_sorted(ev);
	const char *s = json_object_to_json_string_ext(sorted,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s), cut = len;
	char *res;

	if (len > EVIDENCE_MAX) {
		cut = EVIDENCE_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		res = xasprintf("%.*s \xe2\x80\xa6 (%zu more bytes in the record)",
				(int)cut, s, len - cut);
	} else {
		res = xstrdup(s);
	}
	json_object_put(sorted);
	return res;
}

/* --- timeline buckets --- */

enum unit { HOUR, DAY, WEEK, MONTH };

static time_t bucket_floor(time_t t, enum unit u)
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

static time_t bucket_next(time_t t, enum unit u)
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

static const char *unit_name(enum unit u)
{
	static const char *const n[] = { "hour", "day", "week", "month" };

	return n[u];
}

static void bucket_label(time_t t, enum unit u, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, u == HOUR ? "%Y-%m-%d %H:00" : u == MONTH ?
		 "%Y-%m" : "%Y-%m-%d", &tm);
}

struct timeline {
	enum unit unit;
	size_t n;
	time_t *start;
	long (*c)[NK];
	long max;
};

static void timeline_build(const struct ag_report *r, struct timeline *tl)
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

static void timeline_free(struct timeline *tl)
{
	free(tl->start);
	free(tl->c);
}

/* A round tick step (1, 2, 5 x 10^k) giving at most about 5 ticks. */
static long tick_step(long max)
{
	long step = 1;

	for (;;) {
		if (max <= step * 5)
			return step;
		if (max <= step * 10)
			return step * 2;
		if (max <= step * 25)
			return step * 5;
		step *= 10;
	}
}

/* --- HTML --- */

static const char css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
"Arial,'Liberation Sans',sans-serif;color:#1f2933;background:#f4f6f8}\n"
"main{max-width:1100px;margin:0 auto;padding:24px 28px 40px;background:#fff;"
"min-height:100vh}\n"
"header{border-bottom:3px solid #1f3a5f;padding-bottom:14px;margin-bottom:8px}\n"
"h1{font-size:24px;margin:0 0 4px;color:#1f3a5f}\n"
"h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid #d9e0e6;"
"color:#1f3a5f}\n"
"h3{font-size:14px;margin:16px 0 6px}\n"
"article h3{margin-top:0}\n"
".sub{color:#52606d;margin:0}\n"
".mono,code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}\n"
"code{word-break:break-all}\n"
".chain{margin:12px 0 0;padding:8px 12px;border-radius:4px;font-weight:600}\n"
".chain.ok{background:#e8f5e9;color:#1b5e20;border:1px solid #a5d6a7}\n"
".chain.bad{background:#ffebee;color:#b71c1c;border:1px solid #ef9a9a}\n"
".chain.warn{background:#fff8e1;color:#7a5600;border:1px solid #ffe082}\n"
".cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}\n"
".card{flex:1 1 150px;border:1px solid #d9e0e6;border-radius:6px;padding:10px 14px;"
"border-top:4px solid #9aa5b1}\n"
".card .n{font-size:26px;font-weight:700}\n"
".card .l{color:#52606d;text-transform:uppercase;font-size:11px;letter-spacing:.06em}\n"
".card.accept{border-top-color:#2e7d32}.card.warn{border-top-color:#e0a000}\n"
".card.reject{border-top-color:#c62828}.card.error{border-top-color:#6a1b9a}\n"
"table{border-collapse:collapse;width:100%;margin:6px 0 4px}\n"
"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}\n"
"th{background:#f0f3f6;font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
"color:#3e4c59}\n"
"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
"tbody tr:nth-child(even){background:#fafbfc}\n"
".pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;"
"font-weight:700;color:#fff;text-transform:uppercase;letter-spacing:.04em}\n"
".pill.accept{background:#2e7d32}.pill.warn{background:#e0a000}"
".pill.reject{background:#c62828}.pill.error{background:#6a1b9a}"
".pill.note{background:#78909c}\n"
".legend{display:flex;gap:16px;font-size:12px;color:#3e4c59;margin:4px 0}\n"
".legend span::before{content:'';display:inline-block;width:10px;height:10px;"
"margin-right:5px;vertical-align:-1px;background:var(--c)}\n"
"svg{display:block;width:100%;height:auto}\n"
"svg text{font:11px sans-serif;fill:#3e4c59}\n"
"article.decision{border:1px solid #e4e7eb;border-left:4px solid #9aa5b1;"
"border-radius:4px;padding:8px 12px;margin:10px 0}\n"
"article.decision.warn{border-left-color:#e0a000}"
"article.decision.reject{border-left-color:#c62828}"
"article.decision.error{border-left-color:#6a1b9a}\n"
"article .meta{color:#52606d;font-size:12px;margin-bottom:4px}\n"
"ul.findings{margin:4px 0 0;padding-left:18px}\n"
"ul.findings li{margin:3px 0}\n"
".ev{color:#52606d;display:block;margin-top:1px}\n"
".empty{color:#52606d;font-style:italic}\n"
"footer{margin-top:32px;padding-top:8px;border-top:1px solid #d9e0e6;color:#7b8794;"
"font-size:12px}\n"
"@page{size:A4;margin:14mm}\n"
"@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}"
"section{break-inside:auto}h2{break-after:avoid}tr,article.decision,figure,.cards"
"{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void html_pill(FILE *out, int k, const char *const names[NK])
{
	fprintf(out, "<span class=\"pill %s\">%s</span>", names[k], names[k]);
}

static void html_counts_head(FILE *out)
{
	int k;

	for (k = 0; k < NK; k++)
		fprintf(out, "<th class=\"num\">%s</th>", verdict_names[k]);
	fputs("<th class=\"num\">total</th>", out);
}

static void html_counts(FILE *out, const struct entry *e)
{
	int k;

	for (k = 0; k < NK; k++)
		fprintf(out, "<td class=\"num\">%ld</td>", e->n[k]);
	fprintf(out, "<td class=\"num\"><b>%ld</b></td>", e->total);
}

static void svg_timeline(FILE *out, const struct timeline *tl)
{
	const double W = 1000, H = 260, ml = 46, mr = 10, mt = 12, mb = 40;
	double pw = W - ml - mr, ph = H - mt - mb, slot, bw;
	long step = tick_step(tl->max), ymax, y;
	size_t b, every;
	char label[32];

	ymax = (tl->max + step - 1) / step * step;
	if (ymax == 0)
		ymax = step;
	slot = pw / (double)tl->n;
	bw = slot * 0.78 < 1 ? 1 : slot * 0.78 > 56 ? 56 : slot * 0.78;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\""
		"Decisions per %s by verdict\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		W, H, unit_name(tl->unit));
	for (y = 0; y <= ymax; y += step) {
		double yy = mt + ph - ph * (double)y / (double)ymax;

		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"1\"/>", ml, yy, W - mr, yy,
			y ? "#e4e7eb" : "#9aa5b1");
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%ld"
			"</text>\n", ml - 6, yy + 4, y);
	}
	for (b = 0; b < tl->n; b++) {
		double x = ml + slot * (double)b + (slot - bw) / 2, base = mt + ph;
		int k;

		bucket_label(tl->start[b], tl->unit, label, sizeof(label));
		for (k = 0; k < NK; k++) {
			double h = ph * (double)tl->c[b][k] / (double)ymax;

			if (!tl->c[b][k])
				continue;
			base -= h;
			fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: "
				"%ld %s</title></rect>\n", x, base, bw, h, colors[k],
				label, tl->c[b][k], verdict_names[k]);
		}
	}
	every = (tl->n + 7) / 8;
	for (b = 0; b < tl->n; b += every) {
		double x = ml + slot * ((double)b + 0.5);

		bucket_label(tl->start[b], tl->unit, label, sizeof(label));
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
			"</text>\n", x, H - mb + 18, label);
	}
	fputs("</svg>\n", out);
}

static void svg_rules(FILE *out, const struct table *rules)
{
	const double W = 1000, row = 24, lw = 230, rw = 60, mt = 6;
	double bar = W - lw - rw, H = mt + row * (double)rules->n + 8;
	long max = 1;
	size_t i;

	for (i = 0; i < rules->n; i++)
		if (rules->v[i].total > max)
			max = rules->v[i].total;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\""
		"Findings per rule by severity\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		W, H);
	for (i = 0; i < rules->n; i++) {
		const struct entry *e = &rules->v[i];
		double y = mt + row * (double)i, x = lw;
		static const int order[NK] = { 3, 2, 1, 0 };
		int j;

		fputs("<g class=\"rule\"><title>", out);
		html(out, e->key);
		fprintf(out, ": %ld finding(s)</title>", e->total);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			lw - 8, y + row / 2 + 4);
		if (strlen(e->key) > 34) {
			char cut[40];
			size_t n = 31;

			while (n > 0 && ((unsigned char)e->key[n] & 0xc0) == 0x80)
				n--;
			snprintf(cut, sizeof(cut), "%.*s", (int)n, e->key);
			html(out, cut);
			fputs("\xe2\x80\xa6", out);
		} else {
			html(out, e->key);
		}
		fputs("</text>", out);
		for (j = 0; j < NK; j++) {
			int k = order[j];
			double w = bar * (double)e->n[k] / (double)max;

			if (!e->n[k])
				continue;
			fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%ld "
				"%s</title></rect>", x, y + 4, w, row - 8,
				k ? colors[k] : note_color, e->n[k], sev_names[k]);
			x += w;
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%ld</text></g>\n",
			x + 6, y + row / 2 + 4, e->total);
	}
	fputs("</svg>\n", out);
}

static const char *chain_class(enum ag_audit_status s)
{
	return s == AG_AUDIT_INTACT ? "ok" : s == AG_AUDIT_TORN ? "warn" : "bad";
}

static const char *chain_word(enum ag_audit_status s)
{
	switch (s) {
	case AG_AUDIT_INTACT: return "intact";
	case AG_AUDIT_BROKEN: return "BROKEN";
	case AG_AUDIT_TORN: return "intact up to an incomplete final line";
	case AG_AUDIT_FAILED: return "not verified";
	}
	return "?";
}

static size_t chain_records(const struct ag_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_files; i++)
		n += r->files[i].records;
	return n;
}

static void period_text(const struct ag_report *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s to %s",
		 r->since ? r->since : r->first[0] ? r->first : "the start",
		 r->until ? r->until : r->last[0] ? r->last : "the end");
}

static void html_chain_line(FILE *out, const struct ag_report *r)
{
	const struct ag_audit_check *bad = NULL;
	size_t i;

	for (i = 0; i < r->n_files; i++)
		if (r->files[i].status != AG_AUDIT_INTACT && !bad)
			bad = &r->files[i];
	fprintf(out, "<p class=\"chain %s\" id=\"chain-status\">Hash chain: %s"
		" &#8212; %zu record(s) verified", chain_class(r->chain),
		chain_word(r->chain), chain_records(r));
	if (bad) {
		fputs(" &#8212; ", out);
		html(out, bad->path);
		if (bad->line)
			fprintf(out, ":%zu", bad->line);
		fputs(": ", out);
		html(out, bad->msg);
	}
	fputs("</p>\n", out);
}

static void html_finding(FILE *out, json_object *f)
{
	int s = kind_index(str(f, "severity"), sev_names);
	json_object *ev = member(f, "evidence");

	fputs("<li>", out);
	html_pill(out, s < 0 ? 3 : s, sev_names);
	fputs(" <code>", out);
	html(out, str_or(f, "rule", "?"));
	fputs("</code>", out);
	if (str(f, "apqn")) {
		fputs(" <code>", out);
		html(out, str(f, "apqn"));
		fputs("</code>", out);
	}
	fputs(": ", out);
	html(out, str_or(f, "message", ""));
	if (ev) {
		char *t = evidence_text(ev);

		fputs("<code class=\"ev\">evidence: ", out);
		html(out, t);
		fputs("</code>", out);
		free(t);
	}
	fputs("</li>\n", out);
}

static void html_notable(FILE *out, json_object *rec)
{
	int k = kind_index(str(rec, "verdict"), verdict_names);
	json_object *src = member(rec, "source"), *tgt = member(rec, "target");
	json_object *findings = member(rec, "findings");
	size_t i;

	if (k < 0)
		k = 3;
	fprintf(out, "<article class=\"decision %s\"><h3>", verdict_names[k]);
	html_pill(out, k, verdict_names);
	fputc(' ', out);
	html(out, str_or(rec, "timestamp", "?"));
	fputs(" &#183; ", out);
	html(out, str_or(src, "host", "?"));
	fputs(" &#8594; ", out);
	html(out, str_or(tgt, "host", "?"));
	if (str(rec, "guest")) {
		fputs(" &#183; guest ", out);
		html(out, str(rec, "guest"));
	}
	fputs("</h3>\n<div class=\"meta\">decision <code>", out);
	html(out, str_or(rec, "decision_id", "?"));
	fputs("</code> &#183; mdev <code>", out);
	html(out, str_or(src, "mdev_uuid", str_or(tgt, "mdev_uuid", "?")));
	fputs("</code> &#183; by ", out);
	html(out, str_or(rec, "caller", "?"));
	fputs(" on ", out);
	html(out, str_or(rec, "host", "?"));
	fputs(" &#183; policy set <code>", out);
	html(out, str_or(rec, "policy_set_sha256", "?"));
	fputs("</code></div>\n<ul class=\"findings\">\n", out);
	for (i = 0; findings && json_object_is_type(findings, json_type_array) &&
	     i < json_object_array_length(findings); i++)
		html_finding(out, json_object_array_get_idx(findings, i));
	fputs("</ul></article>\n", out);
}

static void html_legend(FILE *out, const char *const names[NK], bool notes)
{
	int k;

	fputs("<div class=\"legend\">", out);
	for (k = 0; k < NK; k++)
		fprintf(out, "<span style=\"--c:%s\">%s</span>",
			k == 0 && notes ? note_color : colors[k], names[k]);
	fputs("</div>\n", out);
}

/* The closing "Last decision" cell of a pairs or mdevs row. */
static void html_last_decision(FILE *out, const struct entry *e)
{
	fputs("<td>", out);
	html(out, e->last);
	if (e->last_kind >= 0) {
		fputc(' ', out);
		html_pill(out, e->last_kind, verdict_names);
	}
	fputs("</td></tr>\n", out);
}

static void render_html(struct ag_report *r, FILE *out)
{
	struct timeline tl;
	char period[128];
	size_t i, j;
	int k;

	period_text(r, period, sizeof(period));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	      "'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"" PACKAGE_NAME " " PACKAGE_VERSION
	      "\">\n<title>apgate decision report</title>\n<style>\n", out);
	fputs(css, out);
	fputs("</style>\n</head>\n<body>\n<main>\n<header>\n"
	      "<h1>Migration decisions: vfio-ap crypto passthrough</h1>\n"
	      "<p class=\"sub\">apgate decision report &#183; ", out);
	html(out, period);
	fprintf(out, " &#183; %ld decision(s)</p>\n", r->decisions);
	if (r->chain_set)
		html_chain_line(out, r);
	fputs("</header>\n", out);

	/* totals */
	fputs("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<div class=\"cards\">\n", out);
	for (k = 0; k < NK; k++)
		fprintf(out, "<div class=\"card %s\"><div class=\"n\">%ld</div>"
			"<div class=\"l\">%s</div></div>\n", verdict_names[k],
			r->totals[k], verdict_names[k]);
	fputs("</div>\n", out);
	if (r->insecure)
		fprintf(out, "<p class=\"chain bad\">%ld decision(s) were made with "
			"policy trust checks skipped (--insecure-policies).</p>\n",
			r->insecure);
	if (r->unknown_kind)
		fprintf(out, "<p class=\"chain bad\">%ld record(s) carry no known "
			"verdict; counted as error.</p>\n", r->unknown_kind);
	table_sort(&r->callers, cmp_entry_total);
	fputs("<table id=\"callers\"><thead><tr><th>Decided by</th>", out);
	html_counts_head(out);
	fputs("</tr></thead><tbody>\n", out);
	for (i = 0; i < r->callers.n; i++) {
		fputs("<tr><td>", out);
		html(out, r->callers.v[i].key);
		fputs("</td>", out);
		html_counts(out, &r->callers.v[i]);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n</section>\n", out);

	/* timeline */
	timeline_build(r, &tl);
	fputs("<section id=\"timeline\">\n<h2>Decisions over time</h2>\n", out);
	if (tl.n) {
		fprintf(out, "<figure style=\"margin:0\">\n");
		html_legend(out, verdict_names, false);
		svg_timeline(out, &tl);
		fprintf(out, "<figcaption class=\"sub\">Decisions per %s (UTC), "
			"stacked by verdict.</figcaption>\n</figure>\n",
			unit_name(tl.unit));
	} else {
		fputs("<p class=\"empty\">No decisions in this period.</p>\n", out);
	}
	fputs("</section>\n", out);
	timeline_free(&tl);

	/* rules */
	table_sort(&r->rules, cmp_entry_total);
	fputs("<section id=\"rules\">\n<h2>Findings per rule</h2>\n", out);
	if (r->rules.n) {
		fputs("<figure style=\"margin:0\">\n", out);
		html_legend(out, sev_names, true);
		svg_rules(out, &r->rules);
		fputs("</figure>\n<table id=\"rules-table\"><thead><tr><th>Rule</th>",
		      out);
		for (k = 0; k < NK; k++)
			fprintf(out, "<th class=\"num\">%s</th>", sev_names[k]);
		fputs("<th class=\"num\">total</th><th>Last seen</th></tr></thead>"
		      "<tbody>\n", out);
		for (i = 0; i < r->rules.n; i++) {
			fputs("<tr><td><code>", out);
			html(out, r->rules.v[i].key);
			fputs("</code></td>", out);
			html_counts(out, &r->rules.v[i]);
			fputs("<td>", out);
			html(out, r->rules.v[i].last);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	} else {
		fputs("<p class=\"empty\">No findings in this period.</p>\n", out);
	}
	fputs("</section>\n", out);

	/* host pairs */
	table_sort(&r->pairs, cmp_entry_total);
	fputs("<section id=\"pairs\">\n<h2>Host pairs</h2>\n<table id=\"pairs-table\">"
	      "<thead><tr><th>Source</th><th>Target</th>", out);
	html_counts_head(out);
	fputs("<th>Last decision</th></tr></thead><tbody>\n", out);
	for (i = 0; i < r->pairs.n; i++) {
		const struct entry *e = &r->pairs.v[i];

		fputs("<tr><td>", out);
		html(out, e->a);
		fputs("</td><td>", out);
		html(out, e->b);
		fputs("</td>", out);
		html_counts(out, e);
		html_last_decision(out, e);
	}
	fputs("</tbody></table>\n</section>\n", out);

	/* mdevs */
	table_sort(&r->mdevs, cmp_entry_total);
	fputs("<section id=\"mdevs\">\n<h2>Mediated devices</h2>\n<table id=\"mdevs-table\">"
	      "<thead><tr><th>mdev UUID</th>", out);
	html_counts_head(out);
	fputs("<th>Last decision</th></tr></thead><tbody>\n", out);
	for (i = 0; i < r->mdevs.n; i++) {
		const struct entry *e = &r->mdevs.v[i];

		fputs("<tr><td><code>", out);
		html(out, e->key);
		fputs("</code></td>", out);
		html_counts(out, e);
		html_last_decision(out, e);
	}
	fputs("</tbody></table>\n</section>\n", out);

	/* policy versions */
	table_sort(&r->policysets, cmp_entry_first);
	fputs("<section id=\"policies\">\n<h2>Policy versions in force</h2>\n", out);
	for (i = 0; i < r->policysets.n; i++) {
		const struct entry *e = &r->policysets.v[i];
		json_object *files = e->extra;

		fputs("<h3>Policy set <code>", out);
		html(out, e->key);
		fprintf(out, "</code></h3>\n<p class=\"sub\">%ld decision(s), ", e->total);
		html(out, e->first);
		fputs(" to ", out);
		html(out, e->last);
		fputs("</p>\n<table class=\"policy-files\"><thead><tr><th>File</th>"
		      "<th>SHA-256</th></tr></thead><tbody>\n", out);
		for (j = 0; files && json_object_is_type(files, json_type_array) &&
		     j < json_object_array_length(files); j++) {
			json_object *p = json_object_array_get_idx(files, j);

			fputs("<tr><td>", out);
			html(out, str_or(p, "path", "?"));
			fputs("</td><td><code>", out);
			html(out, str_or(p, "sha256", "?"));
			fputs("</code></td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (!r->policysets.n)
		fputs("<p class=\"empty\">No decisions in this period.</p>\n", out);
	table_sort(&r->tools, cmp_entry_first);
	if (r->tools.n) {
		fputs("<table id=\"tools\"><thead><tr><th>apgate version</th>"
		      "<th class=\"num\">decisions</th><th>First</th><th>Last</th>"
		      "</tr></thead><tbody>\n", out);
		for (i = 0; i < r->tools.n; i++) {
			fputs("<tr><td>", out);
			html(out, r->tools.v[i].key);
			fprintf(out, "</td><td class=\"num\">%ld</td><td>",
				r->tools.v[i].total);
			html(out, r->tools.v[i].first);
			fputs("</td><td>", out);
			html(out, r->tools.v[i].last);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	fputs("</section>\n", out);

	/* every reject, warn and error */
	fputs("<section id=\"notable\">\n<h2>Rejects, warnings and errors</h2>\n",
	      out);
	for (i = 0; i < json_object_array_length(r->notable); i++)
		html_notable(out, json_object_array_get_idx(r->notable, i));
	if (!json_object_array_length(r->notable))
		fputs("<p class=\"empty\">Every decision in this period was an "
		      "accept.</p>\n", out);
	fputs("</section>\n", out);

	/* chain */
	fputs("<section id=\"chain\">\n<h2>Chain verification</h2>\n", out);
	if (r->chain_set) {
		fputs("<table id=\"chain-table\"><thead><tr><th>Log file</th>"
		      "<th>Status</th><th class=\"num\">records</th><th>seq</th>"
		      "<th>Last record SHA-256</th></tr></thead><tbody>\n", out);
		for (i = 0; i < r->n_files; i++) {
			const struct ag_audit_check *c = &r->files[i];

			fputs("<tr><td>", out);
			html(out, c->path);
			fprintf(out, "</td><td>%s", chain_word(c->status));
			if (c->msg[0]) {
				fputs(": ", out);
				if (c->line)
					fprintf(out, "line %zu: ", c->line);
				html(out, c->msg);
			}
			fprintf(out, "</td><td class=\"num\">%zu</td><td>%llu&#8211;"
				"%llu</td><td><code>", c->records,
				(unsigned long long)c->first_seq,
				(unsigned long long)c->last_seq);
			html(out, c->last_sha256);
			fputs("</code></td></tr>\n", out);
			for (j = 0; j < c->n_notes; j++) {
				fputs("<tr><td></td><td colspan=\"4\" class=\"sub\">", out);
				html(out, c->notes[j]);
				fputs("</td></tr>\n", out);
			}
		}
		fputs("</tbody></table>\n<p class=\"sub\">Each record carries the "
		      "SHA-256 of the line before it. A hash chain kept on one host "
		      "shows edits, deletions, insertions and reordering, but not "
		      "the removal of its newest records or its wholesale "
		      "replacement: compare the last digest with a copy kept "
		      "elsewhere.</p>\n", out);
	}
	fputs("</section>\n", out);
	fprintf(out, "<footer>Generated by " PACKAGE_NAME " " PACKAGE_VERSION
		" from %ld decision record(s)", r->decisions);
	if (r->rotations)
		fprintf(out, " and %ld rotation record(s)", r->rotations);
	fputs(". Times are UTC.</footer>\n</main>\n</body>\n</html>\n", out);
}

/* --- Markdown --- */

static void md_counts_head(FILE *out, const char *first, const char *second)
{
	int k;

	fprintf(out, "| %s |", first);
	if (second)
		fprintf(out, " %s |", second);
	for (k = 0; k < NK; k++)
		fprintf(out, " %s |", verdict_names[k]);
	fputs(" total |\n|---|", out);
	if (second)
		fputs("---|", out);
	for (k = 0; k <= NK; k++)
		fputs("---:|", out);
	fputc('\n', out);
}

static void md_counts(FILE *out, const struct entry *e)
{
	int k;

	for (k = 0; k < NK; k++)
		fprintf(out, " %ld |", e->n[k]);
	fprintf(out, " **%ld** |\n", e->total);
}

static void render_md(struct ag_report *r, FILE *out)
{
	struct timeline tl;
	char period[128], label[32];
	size_t i, j;
	int k;

	period_text(r, period, sizeof(period));
	fputs("# Migration decisions: vfio-ap crypto passthrough\n\n", out);
	fputs("apgate decision report, ", out);
	md(out, period);
	fprintf(out, ", %ld decision(s).\n\n", r->decisions);
	if (r->chain_set) {
		const struct ag_audit_check *bad = NULL;

		for (i = 0; i < r->n_files; i++)
			if (r->files[i].status != AG_AUDIT_INTACT && !bad)
				bad = &r->files[i];
		fprintf(out, "**Hash chain: %s**, %zu record(s) verified",
			chain_word(r->chain), chain_records(r));
		if (bad) {
			fputs(": ", out);
			md(out, bad->path);
			if (bad->line)
				fprintf(out, " line %zu", bad->line);
			fputs(": ", out);
			md(out, bad->msg);
		}
		fputs(".\n\n", out);
	}

	fputs("## Verdicts\n\n| verdict | decisions |\n|---|---:|\n", out);
	for (k = 0; k < NK; k++)
		fprintf(out, "| %s | %ld |\n", verdict_names[k], r->totals[k]);
	fputc('\n', out);
	if (r->insecure)
		fprintf(out, "**%ld decision(s) were made with policy trust checks "
			"skipped (\\-\\-insecure\\-policies).**\n\n", r->insecure);
	if (r->unknown_kind)
		fprintf(out, "**%ld record(s) carry no known verdict; counted as "
			"error.**\n\n", r->unknown_kind);
	table_sort(&r->callers, cmp_entry_total);
	md_counts_head(out, "decided by", NULL);
	for (i = 0; i < r->callers.n; i++) {
		fputs("| ", out);
		md(out, r->callers.v[i].key);
		fputs(" |", out);
		md_counts(out, &r->callers.v[i]);
	}
	fputc('\n', out);

	timeline_build(r, &tl);
	fputs("## Decisions over time\n\n", out);
	if (tl.n) {
		fprintf(out, "| %s (UTC) |", unit_name(tl.unit));
		for (k = 0; k < NK; k++)
			fprintf(out, " %s |", verdict_names[k]);
		fputs("\n|---|", out);
		for (k = 0; k < NK; k++)
			fputs("---:|", out);
		fputc('\n', out);
		for (i = 0; i < tl.n; i++) {
			if (!(tl.c[i][0] + tl.c[i][1] + tl.c[i][2] + tl.c[i][3]))
				continue;
			bucket_label(tl.start[i], tl.unit, label, sizeof(label));
			fprintf(out, "| %s |", label);
			for (k = 0; k < NK; k++)
				fprintf(out, " %ld |", tl.c[i][k]);
			fputc('\n', out);
		}
	} else {
		fputs("No decisions in this period.\n", out);
	}
	fputc('\n', out);
	timeline_free(&tl);

	table_sort(&r->rules, cmp_entry_total);
	fputs("## Findings per rule\n\n", out);
	if (r->rules.n) {
		fputs("| rule |", out);
		for (k = 0; k < NK; k++)
			fprintf(out, " %s |", sev_names[k]);
		fputs(" total | last seen |\n|---|", out);
		for (k = 0; k <= NK; k++)
			fputs("---:|", out);
		fputs("---|\n", out);
		for (i = 0; i < r->rules.n; i++) {
			fputs("| ", out);
			md(out, r->rules.v[i].key);
			fputs(" |", out);
			for (k = 0; k < NK; k++)
				fprintf(out, " %ld |", r->rules.v[i].n[k]);
			fprintf(out, " **%ld** | ", r->rules.v[i].total);
			md(out, r->rules.v[i].last);
			fputs(" |\n", out);
		}
	} else {
		fputs("No findings in this period.\n", out);
	}
	fputc('\n', out);

	table_sort(&r->pairs, cmp_entry_total);
	fputs("## Host pairs\n\n", out);
	md_counts_head(out, "source", "target");
	for (i = 0; i < r->pairs.n; i++) {
		fputs("| ", out);
		md(out, r->pairs.v[i].a);
		fputs(" | ", out);
		md(out, r->pairs.v[i].b);
		fputs(" |", out);
		md_counts(out, &r->pairs.v[i]);
	}
	fputc('\n', out);

	table_sort(&r->mdevs, cmp_entry_total);
	fputs("## Mediated devices\n\n", out);
	md_counts_head(out, "mdev UUID", NULL);
	for (i = 0; i < r->mdevs.n; i++) {
		fputs("| ", out);
		md_code(out, r->mdevs.v[i].key);
		fputs(" |", out);
		md_counts(out, &r->mdevs.v[i]);
	}
	fputc('\n', out);

	table_sort(&r->policysets, cmp_entry_first);
	fputs("## Policy versions in force\n\n", out);
	for (i = 0; i < r->policysets.n; i++) {
		const struct entry *e = &r->policysets.v[i];

		fputs("### Policy set ", out);
		md_code(out, e->key);
		fprintf(out, "\n\n%ld decision(s), ", e->total);
		md(out, e->first);
		fputs(" to ", out);
		md(out, e->last);
		fputs(".\n\n| file | sha256 |\n|---|---|\n", out);
		for (j = 0; e->extra && json_object_is_type(e->extra, json_type_array) &&
		     j < json_object_array_length(e->extra); j++) {
			json_object *p = json_object_array_get_idx(e->extra, j);

			fputs("| ", out);
			md(out, str_or(p, "path", "?"));
			fputs(" | ", out);
			md_code(out, str_or(p, "sha256", "?"));
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
	table_sort(&r->tools, cmp_entry_first);
	if (r->tools.n) {
		fputs("| apgate version | decisions | first | last |\n"
		      "|---|---:|---|---|\n", out);
		for (i = 0; i < r->tools.n; i++) {
			fputs("| ", out);
			md(out, r->tools.v[i].key);
			fprintf(out, " | %ld | ", r->tools.v[i].total);
			md(out, r->tools.v[i].first);
			fputs(" | ", out);
			md(out, r->tools.v[i].last);
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}

	fputs("## Rejects, warnings and errors\n\n", out);
	for (i = 0; i < json_object_array_length(r->notable); i++) {
		json_object *rec = json_object_array_get_idx(r->notable, i);
		json_object *src = member(rec, "source"), *tgt = member(rec, "target");
		json_object *fs = member(rec, "findings");

		k = kind_index(str(rec, "verdict"), verdict_names);
		fprintf(out, "### %s: ", verdict_names[k < 0 ? 3 : k]);
		md_code(out, str_or(rec, "timestamp", "?"));
		fputs(", ", out);
		md(out, str_or(src, "host", "?"));
		fputs(" to ", out);
		md(out, str_or(tgt, "host", "?"));
		fputs("\n\n- decision ", out);
		md_code(out, str_or(rec, "decision_id", "?"));
		fputs(", mdev ", out);
		md_code(out, str_or(src, "mdev_uuid", str_or(tgt, "mdev_uuid", "?")));
		if (str(rec, "guest")) {
			fputs(", guest ", out);
			md(out, str(rec, "guest"));
		}
		fputs(", by ", out);
		md(out, str_or(rec, "caller", "?"));
		fputs(" on ", out);
		md(out, str_or(rec, "host", "?"));
		fputs("\n", out);
		for (j = 0; fs && json_object_is_type(fs, json_type_array) &&
		     j < json_object_array_length(fs); j++) {
			json_object *f = json_object_array_get_idx(fs, j);
			int s = kind_index(str(f, "severity"), sev_names);

			fprintf(out, "- **%s** ", sev_names[s < 0 ? 3 : s]);
			md(out, str_or(f, "rule", "?"));
			if (str(f, "apqn")) {
				fputc(' ', out);
				md(out, str(f, "apqn"));
			}
			fputs(": ", out);
			md(out, str_or(f, "message", ""));
			if (member(f, "evidence")) {
				char *t = evidence_text(member(f, "evidence"));

				fputs(" (evidence: ", out);
				md_code(out, t);
				fputc(')', out);
				free(t);
			}
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	if (!json_object_array_length(r->notable))
		fputs("Every decision in this period was an accept.\n\n", out);

	if (r->chain_set) {
		fputs("## Chain verification\n\n| log file | status | records | "
		      "seq | last record sha256 |\n|---|---|---:|---|---|\n", out);
		for (i = 0; i < r->n_files; i++) {
			const struct ag_audit_check *c = &r->files[i];

			fputs("| ", out);
			md(out, c->path);
			fprintf(out, " | %s", chain_word(c->status));
			if (c->msg[0]) {
				fputs(": ", out);
				if (c->line)
					fprintf(out, "line %zu: ", c->line);
				md(out, c->msg);
			}
			fprintf(out, " | %zu | %llu\\-%llu | ", c->records,
				(unsigned long long)c->first_seq,
				(unsigned long long)c->last_seq);
			md_code(out, c->last_sha256);
			fputs(" |\n", out);
		}
		fputc('\n', out);
		for (i = 0; i < r->n_files; i++)
			for (j = 0; j < r->files[i].n_notes; j++) {
				fputs("- ", out);
				md(out, r->files[i].path);
				fputs(": ", out);
				md(out, r->files[i].notes[j]);
				fputc('\n', out);
			}
	}
	fprintf(out, "\n_Generated by " PACKAGE_NAME " " PACKAGE_VERSION
		" from %ld decision record(s). Times are UTC._\n", r->decisions);
}

int ag_report_render(struct ag_report *r, enum ag_report_format fmt,
		     FILE *out)
{
	if (fmt == AG_REPORT_HTML)
		render_html(r, out);
	else
		render_md(r, out);
	return ferror(out) ? -1 : 0;
}
