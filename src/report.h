/* report.h - the auditor's report over decision records: totals per
 * verdict, rule, host pair and mdev, a timeline, the policy versions in
 * force, every reject, warn and error with its explanation, and the state
 * of the hash chain; as one self-contained HTML file (inline CSS and SVG,
 * no scripts, no external resources) or as Markdown.
 *
 * Everything in a record may come from a policy or a descriptor, so every
 * string is escaped for its context.  The output depends only on the
 * records, the chain results and the options (never on the clock), so the
 * same log gives the same report byte for byte.
 */
#ifndef APGATE_REPORT_H
#define APGATE_REPORT_H

#include <stdio.h>

#include <json-c/json.h>

#include "auditlog.h"

enum ag_report_format {
	AG_REPORT_HTML,
	AG_REPORT_MD,
};

struct ag_report;

struct ag_report *ag_report_new(void);
void ag_report_free(struct ag_report *r);

/* Add one record (the caller has applied any time filter). */
void ag_report_add(struct ag_report *r, json_object *rec);

/* The period asked for (NULL: open) and the chain's verification; res
 * (and its notes) must stay valid until the report is rendered. */
void ag_report_set_period(struct ag_report *r, const char *since,
			  const char *until);
void ag_report_set_chain(struct ag_report *r, enum ag_audit_status status,
			 const struct ag_audit_check *res, size_t n);

int ag_report_render(struct ag_report *r, enum ag_report_format fmt,
		     FILE *out);

#endif
