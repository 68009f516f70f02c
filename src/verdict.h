/* verdict.h - the outcome of one evaluation: findings, per-rule results,
 * the inputs that produced them, and the verdict they add up to.
 *
 * Enforcement (enforce.h) may turn a reject into a warn (the rule's
 * enforcement is warn, or a waiver applies: original_severity keeps what
 * the rule said) or leave it a reject that is not enforced (dry run).  The
 * verdict is what the findings say; enforced_kind is what check and the
 * hook act on, the same except that unenforced rejects count as warns.
 *
 * The engine fills findings and rule outcomes; the command fills in the
 * sides, policies and identifiers; renderers only read.  The verdict is the
 * worst finding: error > reject > warn > (note, pass) = accept.
 */
#ifndef APGATE_VERDICT_H
#define APGATE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "descriptor.h"
#include "digest.h"
#include "remedy.h"
#include "timeutil.h"

enum ag_severity {
	AG_SEV_NOTE,
	AG_SEV_WARN,
	AG_SEV_REJECT,
	AG_SEV_ERROR,
};

enum ag_verdict_kind {
	AG_VERDICT_ACCEPT,
	AG_VERDICT_WARN,
	AG_VERDICT_REJECT,
	AG_VERDICT_ERROR,
};

enum ag_rule_result {
	AG_RESULT_PASS,
	AG_RESULT_WARN,
	AG_RESULT_REJECT,
	AG_RESULT_ERROR,
	AG_RESULT_DISABLED,
	AG_RESULT_REPLACED,
	AG_RESULT_NOT_RUN,	/* evaluation stopped before this rule */
};

struct ag_finding {
	char *rule;		/* rule id, or "input" / "policy" for errors */
	enum ag_severity severity;
	char *message;
	char *apqn;		/* NULL when not about one APQN */
	json_object *evidence;	/* NULL, an object or an array; owned */
	int line;		/* line of the reject/warn/note call in the
				 * rule's file, 0 when none (for coverage) */
	enum ag_severity original_severity;	/* as the rule reported it */
	bool not_enforced;	/* a reject a dry run lets pass */
	json_object *waived;	/* {by, id, reason, until}; owned, or NULL */
	struct ag_remedy *remedy;	/* what to do about it; owned, or NULL */
};

struct ag_rule_outcome {
	char *id;
	char *description;	/* may be NULL */
	char *file;
	int line;
	enum ag_rule_result result;
	char *why;		/* disabled: reason and by whom; replaced: by whom */
};

struct ag_policy_ref {
	char *path;
	char sha256[AG_SHA256_HEX_LEN];
};

struct ag_side {
	bool known;		/* false when the descriptor could not be loaded */
	char *path;		/* where it came from; NULL for live collection */
	char *host;
	char uuid[AG_UUID_LEN];
	char sha256[AG_SHA256_HEX_LEN];
};

struct ag_verdict {
	enum ag_verdict_kind kind;
	struct ag_finding *findings;
	size_t n_findings, cap_findings;
	struct ag_rule_outcome *rules;
	size_t n_rules, cap_rules;
	struct ag_policy_ref *policies;
	size_t n_policies, cap_policies;
	char policy_set_sha256[AG_SHA256_HEX_LEN];	/* over path+digest list */
	json_object *params;	/* site parameters in force; owned, may be NULL */
	bool insecure_policies;	/* trust checks were skipped on request */
	struct ag_side source, target;
	char decision_id[AG_UUID_LEN];
	char timestamp[AG_TIME_LEN];	/* when the decision was made */
	char now[AG_TIME_LEN];		/* the "now" policies saw */
	uint64_t duration_us;
	enum ag_verdict_kind enforced_kind;	/* what check and hook act on */
	json_object *waivers;	/* waivers in force for this decision, each
				 * with the findings it changed; owned, NULL
				 * when none */
};

void ag_verdict_init(struct ag_verdict *v);
void ag_verdict_free(struct ag_verdict *v);

/* Add a finding; evidence (may be NULL) is taken over. */
void ag_verdict_add_finding(struct ag_verdict *v, const char *rule,
			    enum ag_severity sev, const char *message,
			    const char *apqn, json_object *evidence);
/* Add an error finding with a formatted message. */
void ag_verdict_add_error(struct ag_verdict *v, const char *rule,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct ag_rule_outcome *ag_verdict_add_rule(struct ag_verdict *v,
					    const char *id,
					    const char *description,
					    const char *file, int line,
					    enum ag_rule_result result,
					    const char *why);
void ag_verdict_add_policy(struct ag_verdict *v, const char *path,
			   const char *sha256);
/* Record a side: path may be NULL; d NULL marks it unknown. */
void ag_verdict_set_side(struct ag_side *side, const char *path,
			 const struct ag_descriptor *d);

/* Sort findings (worst first, then rule, APQN, message), compute the
 * policy-set digest, the verdict kind and the enforced kind. */
void ag_verdict_finish(struct ag_verdict *v);

/* False when the verdict is reject but no reject was enforced (dry run). */
bool ag_verdict_enforced(const struct ag_verdict *v);

/* Timestamp and, with_id, a fresh decision id (random UUID); without one
 * decision_id stays "" (rendered as none). */
void ag_verdict_stamp(struct ag_verdict *v, time_t now, bool with_id);

const char *ag_severity_name(enum ag_severity s);	/* "note" ... */
const char *ag_verdict_kind_name(enum ag_verdict_kind k); /* "accept" ... */
const char *ag_rule_result_name(enum ag_rule_result r);	/* "pass" ... */

#endif
