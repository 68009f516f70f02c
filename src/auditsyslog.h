/* auditsyslog.h - the off-host copy of the decision log: every record sent
 * through syslog(3) as one structured message, "@cee: {...}" (the form
 * rsyslog's mmjsonparse and most SIEMs parse), and the check of the local
 * chain against a file of such messages (`apgate audit verify --against`).
 *
 * A message carries the record's members plus "sha256", the digest of the
 * record's line in the local log (what the next record's "prev" holds), so
 * a copy kept elsewhere shows a local log that was truncated or rewritten.
 * A record too long for one syslog message is sent as its chain anchors
 * only ("truncated": true); the local log keeps it whole.
 */
#ifndef APGATE_AUDITSYSLOG_H
#define APGATE_AUDITSYSLOG_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "auditlog.h"

/* Longest message body sent: rsyslog's default maxMessageSize is 8 KiB
 * for the whole message, header included. */
#define AG_CEE_MAX 7680u
#define AG_CEE_COOKIE "@cee: "

/* Facility by its syslog.conf name (auth, authpriv, daemon, user,
 * local0..local7).  Returns 0, or -1 for an unknown name. */
int ag_syslog_facility(const char *name, int *facility);
/* The names ag_syslog_facility takes, for messages. */
#define AG_SYSLOG_FACILITIES "auth, authpriv, daemon, user, local0 .. local7"

/* The message body for a record as appended (with "seq" and "prev"):
 * AG_CEE_COOKIE and the JSON object, at most AG_CEE_MAX bytes.  Caller
 * frees. */
char *ag_audit_cee(json_object *rec);

/* Send rec to syslog with the given facility.  Never fails the caller: a
 * log socket that cannot be reached is reported once per process on
 * stderr, and the decision stands. */
void ag_audit_syslog(json_object *rec, int facility);

/* Outcome of comparing the local chain with an exported copy. */
struct ag_against_result {
	enum ag_audit_status status;	/* intact, broken or failed */
	size_t exported;	/* apgate records found in the copy */
	size_t matched;		/* of those, equal to the local record */
	size_t unchecked;	/* older than the local files given */
	size_t local_only;	/* local records the copy lacks */
	char msg[AG_ERROR_MAX];	/* the first difference, or why it failed */
};

/* Compare the records of the local files (a chain, oldest file first)
 * with the "@cee:" apgate records in export_path: every exported record
 * must be in the local log with the same digest.  Other lines of the file
 * (other programs' messages) are ignored. */
enum ag_audit_status ag_auditlog_verify_against(const char *const *paths,
						size_t n,
						const char *export_path,
						struct ag_against_result *res);

#endif
