/* audit.h - tamper-evident decision records: one JSON line per verdict,
 * hash-chained, appended under a lock and fsync'd before the verdict is
 * returned. */
#ifndef APGATE_AUDIT_H
#define APGATE_AUDIT_H

#include "decide.h"
#include "error.h"
#include "verdict.h"

/* Append the record of decision v to in->cfg->audit.log. */
int ag_audit_record(const struct ag_decide_input *in,
		    const struct ag_verdict *v, struct ag_error *err);

/* Add this host's labels ("host": gethostname, "tool": name and version)
 * to a record. */
void ag_audit_add_labels(json_object *rec);

#endif
