/* auditbound.h - what one decision record may hold.
 *
 * A record is built from untrusted text (descriptor fields, findings that
 * policies wrote, their evidence).  Unbounded, one input can write a line
 * that no reader takes back, and every later decision then fails.  So a
 * record is cut down before it is appended:
 *   - every string (and object key) to AG_AUDIT_STRING_MAX bytes, ending
 *     in "...[N bytes cut]";
 *   - every finding to AG_AUDIT_FINDING_MAX bytes (its evidence is replaced
 *     by a note of its size first, then everything but rule, severity,
 *     apqn and message is dropped);
 *   - the whole record to AG_AUDIT_RECORD_MAX (auditlog.h) less room for
 *     the chain members: stored descriptors go first (the verdict keeps
 *     their digests), then findings from the end, then the largest other
 *     lists and objects (never "source" and "target", never a scalar such
 *     as "verdict" or "decision_id").
 * A record that was cut carries "truncated": {"full_bytes", "full_sha256"
 * (of the canonical serialisation of the record as it would have been
 * written), "strings", "findings", "findings_dropped", "members_dropped"}.
 */
#ifndef APGATE_AUDITBOUND_H
#define APGATE_AUDITBOUND_H

#include <stdbool.h>

#include <json-c/json.h>

#define AG_AUDIT_STRING_MAX (8u * 1024)
#define AG_AUDIT_FINDING_MAX (64u * 1024)
/* Room left in a record for "apgate-audit", "seq", "prev" and "torn". */
#define AG_AUDIT_CHAIN_RESERVE 4096u

/* Cut rec (a decision record without its chain members) down to the
 * bounds above, in place.  Returns true when anything was cut. */
bool ag_audit_bound(json_object *rec);

/* An upper bound of the length of o's JSON text (plain, as records are
 * written), found without writing it. */
size_t ag_audit_json_size_bound(json_object *o);

#endif
