/* render.h - verdicts for people (text) and programs (JSON, see
 * schemas/verdict-v1.schema.json).  Renderers only read the verdict; every
 * object they print has sorted keys, so output is byte-identical for the
 * same inputs apart from decision_id, timestamp and duration_us. */
#ifndef APGATE_RENDER_H
#define APGATE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "verdict.h"

#define AG_VERDICT_FORMAT_VERSION 1

/* The verdict as a JSON object; caller owns the reference. */
json_object *ag_verdict_to_json(const struct ag_verdict *v);

/* Pretty JSON plus a newline. */
int ag_render_json(const struct ag_verdict *v, FILE *out);

/* "verdict: reject", then one line per finding, worst first
 * ("REJECT apqn.match 05.0004: assigned on source, missing on target");
 * with explain, evidence and the remedy ("    fix: ...", then "      on
 * target: COMMAND" lines) under each finding, the inputs, the policies and
 * every rule with its result. */
int ag_render_text(const struct ag_verdict *v, FILE *out, bool explain);

/* One line for people who see nothing else (libvirt's error message, a
 * syslog entry): the verdict and its decisive finding, e.g.
 * "reject: apqn.match: 05.0004 assigned on source, missing on target
 * (2 more)".  Caller frees. */
char *ag_verdict_summary(const struct ag_verdict *v);

#endif
