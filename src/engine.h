/* engine.h - the policy engine: the one module that owns Lua.
 *
 * An engine is one sandboxed Lua state (see sandbox.h) into which policy
 * files are loaded in order.  Loading a file runs it; the file registers
 * rules with rule{...} and may disable() earlier ones.  Evaluation runs the
 * check function of every active rule, in registration order, against
 * read-only views of the source and target descriptors (see luaview.h),
 * and records findings and per-rule results into a verdict.
 *
 * The Lua-side API (rule, disable, reject, warn, note, apqn.*, spairs,
 * ap_functions, views and ctx) is documented in apgate-policy(5).
 */
#ifndef APGATE_ENGINE_H
#define APGATE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "descriptor.h"
#include "error.h"
#include "verdict.h"

struct ag_limits {
	uint64_t instructions;	/* per file load and per rule check */
	size_t memory;		/* bytes, whole Lua state */
	unsigned timeout_ms;	/* wall-clock backstop per file load and per
				 * rule check */
	size_t output;		/* bytes copied out of Lua (findings'
				 * messages and evidence, rule descriptions,
				 * disable reasons) per evaluation */
	unsigned findings_per_rule;
	unsigned findings;	/* per evaluation */
	/* output, findings_per_rule, findings: 0 means the default */
};

#define AG_DEFAULT_INSTRUCTIONS 20000000ULL
#define AG_DEFAULT_MEMORY (64u * 1024 * 1024)
#define AG_DEFAULT_TIMEOUT_MS 10000u
#define AG_DEFAULT_OUTPUT (16u * 1024 * 1024)
#define AG_DEFAULT_FINDINGS_PER_RULE 10000u
#define AG_DEFAULT_FINDINGS 20000u
/* What one finding costs beyond its text (the C structures, JSON nodes). */
#define AG_FINDING_OVERHEAD 256u

enum ag_rule_state {
	AG_RULE_ACTIVE,
	AG_RULE_REPLACED,
	AG_RULE_DISABLED,
};

/* A registered rule as policy authors and `apgate policies` see it. */
struct ag_rule_info {
	char *id;
	char *description;	/* NULL when the rule has none */
	char *file;
	int line;
	enum ag_rule_state state;
	char *by_file;		/* replaced or disabled by: file, line */
	int by_line;
	char *reason;		/* disable() reason */
};

/* The policy API's finding functions and the severity each records;
 * lint's scanner installs stand-ins under the same names. */
struct ag_finding_fn {
	const char *name;
	enum ag_severity severity;
};
#define AG_FINDING_FNS 3
extern const struct ag_finding_fn ag_finding_fns[AG_FINDING_FNS];

struct ag_engine;

struct ag_engine *ag_engine_new(const struct ag_limits *limits,
				struct ag_error *err);
void ag_engine_free(struct ag_engine *e);

/* Compile (text only) and run one policy file's bytes.  path names the
 * file in messages ("path:line: ...") and in rule records. */
int ag_engine_load(struct ag_engine *e, const char *path, const char *buf,
		   size_t len, struct ag_error *err);

/* Compile once, evaluate many pairs (apgate place).  Call
 * ag_engine_keep_compiled() before loading: ag_engine_load then also keeps
 * each file's compiled code.  ag_engine_renew() drops every rule and
 * everything the files set up, and runs each file again as a new instance
 * (new closures, upvalues and environment; no re-reading or recompiling).
 * Renewing before every evaluation but the first keeps any state a policy
 * builds in one evaluation out of the next one's verdict.  A failure
 * (a file that fails on a later run) leaves err set and the rules
 * incomplete: the caller must not evaluate. */
void ag_engine_keep_compiled(struct ag_engine *e);
/* Many pairs with the same source (apgate place: a guest against every
 * host).  The caller promises that every source descriptor it evaluates
 * stays alive and unchanged for the engine's life; the view of the last
 * one is then built once and reused while the next evaluations have the
 * same source.  Views are read-only all the way down, so sharing one
 * gives a policy no channel from one evaluation into the next. */
void ag_engine_share_source_views(struct ag_engine *e);
/* For a caller that shows no evidence (apgate place without a decision
 * record): findings keep none.  Evidence is still checked against the same
 * limits, so a policy fails the same way with or without it. */
void ag_engine_drop_evidence(struct ag_engine *e);
/* Nothing more runs for a while (the engine is kept, not freed): stop
 * what runs between evaluations (the time limit's timer). */
void ag_engine_idle(struct ag_engine *e);
int ag_engine_renew(struct ag_engine *e, struct ag_error *err);

/* Site parameters for ctx.params: a JSON object (or NULL for none); the
 * engine keeps its own reference. */
int ag_engine_set_params(struct ag_engine *e, json_object *params,
			 struct ag_error *err);

/* Rules registered so far, in registration order (replaced and disabled
 * ones included). */
const struct ag_rule_info *ag_engine_rules(const struct ag_engine *e,
					   size_t *n);

/* Evaluate every active rule.  Findings and rule outcomes go into v (which
 * the caller initialised); a policy failure becomes an error finding naming
 * the file and rule.  now is what policies see as ctx.now.  Returns 0, or
 * -1 when evaluation could not run at all (then v holds an error). */
int ag_engine_evaluate(struct ag_engine *e, const struct ag_descriptor *src,
		       const struct ag_descriptor *tgt, time_t now,
		       struct ag_verdict *v);

#endif
