/* decide.h - one decision from inputs to finished verdict.
 *
 * The path every caller (check, and later the libvirt hook) takes:
 * policy set from the configuration -> engine -> evaluation -> verdict
 * with sides, policies, params, identifiers and duration filled in.  Any
 * failure on the way becomes an error finding: the verdict fails closed.
 */
#ifndef APGATE_DECIDE_H
#define APGATE_DECIDE_H

#include <stdbool.h>
#include <time.h>

#include "config_file.h"
#include "descriptor.h"
#include "exitcode.h"
#include "verdict.h"

struct ag_decide_input {
	const struct ag_config *cfg;
	const struct ag_descriptor *src, *tgt;	/* NULL: failed to load */
	const char *src_path, *tgt_path;	/* NULL for live sides */
	time_t now;				/* what policies see as now */
	const char *caller;			/* "check" or "hook" */
	const char *guest;			/* guest name when known */
	/* place: the sides' digests and the decision id only matter to an
	 * audit record; without one, leave the verdict's sides and
	 * decision_id empty (no canonical form and hash of both descriptors,
	 * no random id per pair) */
	bool sides_unrecorded;
};

/* Fill v (initialised by the caller, possibly already holding input
 * errors) and finish it.  Never fails: problems become findings. */
void ag_decide(const struct ag_decide_input *in, struct ag_verdict *v);
/* ag_decide keeps its Lua state until the next ag_decide or the exit
 * (freeing it costs more than deciding); this frees it now. */
void ag_decide_release(void);

/* Many decisions with one configuration (apgate place): policies are
 * read, trust-checked, hashed and compiled once, waivers read once; each
 * decision runs a new instance of the policies (see ag_engine_renew), so
 * no policy state crosses decisions.  A preparation failure is recorded
 * in every verdict as ag_decide would record it. */
struct ag_decider;
struct ag_decider *ag_decider_new(const struct ag_config *cfg);
void ag_decider_free(struct ag_decider *d);
/* The message of a preparation failure, NULL when ready. */
const char *ag_decider_failure(const struct ag_decider *d);
/* Record d's policy files (paths and digests) in v. */
void ag_decider_record(const struct ag_decider *d, struct ag_verdict *v);
/* Like ag_decide, with d's prepared policies, params and waivers
 * (in->cfg must be the configuration d was made with).  in->src must stay
 * alive and unchanged while d lives: the policies' view of a source is
 * reused by consecutive decisions with the same one.  Findings carry
 * evidence only when the configuration writes decision records. */
void ag_decider_decide(struct ag_decider *d, const struct ag_decide_input *in,
		       struct ag_verdict *v);

/* Exit status for a verdict kind (see exitcode.h); callers pass the
 * enforced kind. */
int ag_exit_status(enum ag_verdict_kind kind, bool fail_on_warn);

#endif
