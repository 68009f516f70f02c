/* report_model.h - inside the report (see report.h): the counts one pass
 * over the decision records builds, and what the HTML and Markdown
 * renderers share to read them.  Only report*.c include this. */
#ifndef APGATE_REPORT_MODEL_H
#define APGATE_REPORT_MODEL_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "auditlog.h"
#include "report.h"
#include "timeutil.h"

/* Verdicts and severities share one index: 0 accept/note, 1 warn,
 * 2 reject, 3 error. */
#define NK 4
extern const char *const verdict_names[NK];
extern const char *const sev_names[NK];

struct report_entry {
	char *key;
	char *a, *b;			/* display parts (host pair, rule id) */
	long n[NK];
	long total;
	char first[AG_TIME_LEN], last[AG_TIME_LEN];
	int last_kind;
	json_object *extra;		/* policy files of a policy set */
};

struct report_table {
	struct report_entry *v;
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
	struct report_table rules, pairs, mdevs, policysets, tools, callers;
	json_object *notable;		/* records with warn, reject, error
					 * that were enforced */
	long dryrun;			/* rejects a dry run did not enforce:
					 * not in totals */
	json_object *dryruns;		/* their records */
	long waived;			/* decisions a waiver changed */
	struct report_table waivers;	/* id -> decisions it changed;
					 * extra: the waiver as last seen */
	char *since, *until;
	enum ag_audit_status chain;
	struct ag_audit_check *files;	/* copies without notes ownership */
	size_t n_files;
	bool chain_set;
};

/* Record fields, NULL (or def) when absent or of another type. */
const char *report_str(json_object *o, const char *key);
const char *report_str_or(json_object *o, const char *key, const char *def);
json_object *report_member(json_object *o, const char *key);
/* Index of s in names, -1 when it is none of them. */
int report_kind(const char *s, const char *const names[NK]);

/* Sort: most first, then by key (report_cmp_total); earliest first
 * (report_cmp_first).  The key index is stale afterwards. */
int report_cmp_total(const void *a, const void *b);
int report_cmp_first(const void *a, const void *b);
void report_sort(struct report_table *t,
		 int (*cmp)(const void *, const void *));

/* Decisions per hour, day, week or month, by verdict. */
enum report_unit { HOUR, DAY, WEEK, MONTH };
struct report_timeline {
	enum report_unit unit;
	size_t n;
	time_t *start;
	long (*c)[NK];
	long max;
};
void report_timeline_build(const struct ag_report *r,
			   struct report_timeline *tl);
void report_timeline_free(struct report_timeline *tl);
const char *report_unit_name(enum report_unit u);
void report_bucket_label(time_t t, enum report_unit u, char *buf, size_t size);

const char *report_chain_word(enum ag_audit_status s);
size_t report_chain_records(const struct ag_report *r);
void report_period_text(const struct ag_report *r, char *buf, size_t size);

/* The renderers (report_html.c, report_md.c). */
void report_render_html(struct ag_report *r, FILE *out);
void report_render_md(struct ag_report *r, FILE *out);

#endif
