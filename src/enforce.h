/* enforce.h - how much each reject of a verdict counts.
 *
 * Applied once per decision (ag_decide), after evaluation and before the
 * verdict is finished and recorded, so check, the hook, the JSON verdict
 * and the audit record always agree.  In order:
 *   1. a rule whose enforcement is warn (apgate.yaml rules.ID) has its
 *      rejects turned into warns (original_severity: reject);
 *   2. a waiver in force (waivers.h) turns each reject it matches into a
 *      warn that carries the waiver (original_severity: reject); an
 *      expired waiver that would have matched becomes a note;
 *   3. a rule whose enforcement is dryrun (its own, else the global one of
 *      apgate.yaml or --enforcement) has its rejects kept but marked not
 *      enforced: the verdict stays reject, check and the hook act as if
 *      it were a warn.
 * A rule's own setting beats the global one, so "dry run everything but
 * rule X" is enforcement: dryrun plus rules: {X: {enforcement: enforce}}.
 * Errors are never touched: an error is an error in every mode.
 */
#ifndef APGATE_ENFORCE_H
#define APGATE_ENFORCE_H

#include <time.h>

#include "config_file.h"
#include "verdict.h"
#include "waivers.h"

/* ws may be NULL (no waivers); now is the decision's evaluation time.
 * The waivers that concern the decision go into v->waivers. */
void ag_enforce_apply(const struct ag_config *cfg,
		      const struct ag_waiverset *ws, time_t now,
		      struct ag_verdict *v);

#endif
