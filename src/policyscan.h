/* policyscan.h - looking inside policy files without deciding anything.
 *
 * Owns the questions `apgate lint` and `apgate test --coverage` ask of
 * policy source: which rules a set of files registers, which lines of each
 * rule can report a finding (its reject/warn/note call sites), which
 * globals the files read that do not exist and which they create.
 *
 * How (documented in apgate-policy(5), LINT):
 *  - The files run, in order, in a sandbox of their own (sandbox.h) whose
 *    policy API is inert: rule{} only records the rule, disable() and the
 *    finding functions do nothing but note that they were called.  Each
 *    file's environment is replaced by a tracking table: a read of a name
 *    that is neither a built-in nor set by the file is recorded with its
 *    line, and so is every global the file creates.  With sample inputs,
 *    every rule's check then runs on each sample pair, so reads inside
 *    checks are seen too - on the paths the samples take.
 *  - Call sites are found statically: a small Lua tokenizer (comments and
 *    strings skipped) finds calls of reject, warn and note; a rule's sites
 *    are those inside its check function's lines (lua_getinfo) and inside
 *    the Lua functions it reaches through upvalues, or that its file
 *    stores as globals.  A site gives a remedy when the word remedy
 *    appears inside its call's parentheses, or when the call passed a
 *    details table with a remedy on a sample input.
 * The real engine (engine.h) stays the authority on what loads and on
 * replaced/disabled state; this module only looks.
 */
#ifndef APGATE_POLICYSCAN_H
#define APGATE_POLICYSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "descriptor.h"
#include "engine.h"
#include "error.h"
#include "verdict.h"

struct ag_scan_site {
	int line;
	enum ag_severity kind;	/* AG_SEV_REJECT, AG_SEV_WARN, AG_SEV_NOTE */
	bool remedy;		/* the call's arguments name remedy, or the
				 * call passed one on a sample input */
};

struct ag_scan_rule {
	char *id;
	char *file;
	int line;		/* of the rule{ call */
	int first, last;	/* the check function's lines */
	struct ag_scan_site *sites;	/* sorted by line */
	size_t n_sites;
	bool reported;		/* called reject or warn on a sample */
};

struct ag_scan_global {
	char *file;
	int line;
	char *name;
	bool write;		/* created a global (else: read an undefined one) */
	char *rule;		/* inside this rule's check; NULL while loading */
};

struct ag_scan_failure {
	char *rule;
	char *message;		/* "FILE:LINE: ..." as Lua gives it */
};

struct ag_scan {
	struct ag_scan_rule *rules;
	size_t n_rules, cap_rules;
	struct ag_scan_global *globals;
	size_t n_globals, cap_globals;
	struct ag_scan_failure *failures;	/* checks failing on samples */
	size_t n_failures, cap_failures;
};

struct ag_scan_file {
	const char *path;
	const char *buf;
	size_t len;
};

/* Samples to run every check on: pairs of descriptors, a time and the
 * parameters (may be NULL). */
struct ag_scan_samples {
	const struct ag_descriptor *const *src, *const *tgt;
	size_t n;
	json_object *params;
	time_t now;
};

/* Scan files in load order.  A file that fails to load is skipped from the
 * point of failure (the engine reports why).  samples may be NULL: then no
 * check runs.  Returns -1 only when the scan cannot run at all. */
int ag_scan_files(const struct ag_scan_file *files, size_t n,
		  const struct ag_scan_samples *samples, struct ag_scan *out,
		  struct ag_error *err);

void ag_scan_free(struct ag_scan *s);

/* The finding call sites in buf, in order (a malloc'd array). */
struct ag_scan_site *ag_scan_call_sites(const char *buf, size_t len,
					size_t *n);

#endif
