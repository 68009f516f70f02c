/* auditlog.h - the decision log as a file: a hash chain of JSON lines,
 * appended under a lock, verified, read back and rotated.
 *
 * Format (schemas/audit-record-v1.schema.json, apgate(1) FILES):
 *   - one record per line: a JSON object with sorted keys and no whitespace
 *     outside strings, ended by "\n";
 *   - every record carries "apgate-audit": 1, "type" ("decision" or
 *     "rotation"), "seq" (1, 2, ... continuing across rotated files) and
 *     "prev": the SHA-256 (lowercase hex) of the exact bytes of the previous
 *     record's line WITHOUT its trailing newline; the first record of a
 *     chain has prev = AG_AUDIT_GENESIS and seq = 1;
 *   - a rotated-to file starts with a "rotation" record whose prev is the
 *     digest of the last record of the file it continues;
 *   - bytes after the last whole record that a crash left behind (a torn
 *     line) are never rewritten: the next writer chains to the last whole
 *     record and names the damaged bytes in its "torn" member
 *     ({"offset", "bytes", "sha256"}, plus "file" in a rotation record when
 *     they are at the end of the previous file), so the verifier can tell
 *     an acknowledged crash from tampering.
 *
 * Implemented by auditlog_record.c, auditlog_read.c, auditlog_write.c and
 * auditlog_verify.c (see auditlog_int.h).  They know nothing about
 * verdicts; audit.c builds decision records, report.c reads them.
 */
#ifndef APGATE_AUDITLOG_H
#define APGATE_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "digest.h"
#include "error.h"

#define AG_AUDIT_FORMAT_VERSION 1
#define AG_AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* Longest record line (without its newline) the writer writes: a
 * decision record is a few KiB; auditbound.c cuts larger ones down to this
 * and ag_auditlog_append refuses anything longer. */
#define AG_AUDIT_RECORD_MAX (4u * 1024 * 1024)
/* Longest line (and damaged tail) the readers handle: more than any
 * record the writer writes, so that a log it wrote always reads back,
 * including records of versions that did not bound them (up to this).
 * A longer line is judged "not a decision record" without being held in
 * memory. */
#define AG_AUDIT_MAX_LINE (64u * 1024 * 1024)
_Static_assert(AG_AUDIT_MAX_LINE >= AG_AUDIT_RECORD_MAX + 1,
	       "readers must take back every line the writer writes");

/* Outcome of verifying one file, and the exit status of `audit verify`. */
enum ag_audit_status {
	AG_AUDIT_INTACT = 0,	/* every record chains; crashes acknowledged */
	AG_AUDIT_BROKEN = 1,	/* edited, deleted, inserted, reordered */
	AG_AUDIT_FAILED = 2,	/* could not be read; not a decision log */
	AG_AUDIT_TORN = 3,	/* intact up to a final incomplete line */
};

/* Append rec (a JSON object; "apgate-audit", "seq", "prev" and, after a
 * crash, "torn" are set here) to the log at path as one line.  Creates the
 * file (0640) and missing parent directories (0750).  Only a regular file
 * is written; when the trust checks apply (trust.h: as root, unless
 * insecure), only one owned by root and writable by nobody else, in
 * directories likewise and none a symbolic link.  Holds an exclusive
 * flock(2) on the log while it reads the last record and appends; one
 * write(2) per record; fsync(2) before returning.  A record longer than
 * AG_AUDIT_RECORD_MAX is refused (audit.c bounds decision records
 * first).  On failure nothing is
 * left behind (a partial write is cut off again) and err names the log
 * and the system's reason. */
int ag_auditlog_append(const char *path, json_object *rec, bool insecure,
		       struct ag_error *err);

/* Rotate the log: the current file keeps its records under the name
 * "PATH.YYYYMMDDTHHMMSSZ" (-01 ... -99 appended when rotated again within
 * that second; *rotated, malloc'd) and becomes read-only; a
 * new file at path starts with a "rotation" record chained to the last
 * record of the old one.  rec supplies the rotation record's descriptive
 * members (timestamp, host, tool).  The log is checked as for append. */
int ag_auditlog_rotate(const char *path, json_object *rec, bool insecure,
		       char **rotated, struct ag_error *err);

/* Result of verifying one file of a chain. */
struct ag_audit_check {
	const char *path;
	enum ag_audit_status status;
	size_t line;		/* first bad (or torn) line, 1-based; 0 none */
	size_t lines;		/* lines read */
	size_t records;		/* records verified before any break */
	uint64_t first_seq, last_seq;	/* of verified records; 0 none */
	char last_sha256[AG_SHA256_HEX_LEN];	/* of the last good record */
	char msg[AG_ERROR_MAX];	/* what is wrong; "" when intact */
	char **notes;		/* things an auditor should know */
	size_t n_notes;
};

/* Verify files in order as one chain (a rotated file first, the live log
 * last).  res receives one result per file; returns the overall status:
 * broken if any file is broken, else failed, else torn (only possible in
 * the last file), else intact.  Each file is read up to its size at the
 * moment verification starts (taken under a shared lock, so a concurrent
 * append is seen whole or not at all). */
enum ag_audit_status ag_auditlog_verify(const char *const *paths, size_t n,
					struct ag_audit_check *res);
void ag_audit_check_free(struct ag_audit_check *res, size_t n);

/* One record as read back. */
struct ag_audit_entry {
	const char *path;
	size_t line;		/* 1-based */
	const char *text;	/* the line without its newline */
	size_t len;
	json_object *rec;	/* borrowed; json_object_get() to keep */
};

/* Called for every line that is a record; return non-zero to stop. */
typedef int (*ag_audit_visit_fn)(void *ctx, const struct ag_audit_entry *e);

/* Read every record of path in order, without judging the chain; lines
 * that are not records are reported on stderr (they are for verify to
 * judge) and skipped.  Returns 0, or -1 when the file cannot be read. */
int ag_auditlog_read(const char *path, ag_audit_visit_fn visit, void *ctx,
		     struct ag_error *err);

/* Parse one line as a record: strict JSON object with "apgate-audit": 1,
 * "type", "seq" >= 1 and a 64-hex-digit "prev".  Strings with bytes that
 * are not UTF-8 are accepted: what the writer wrote is a record (callers
 * escape what they show).  Returns the object (new reference) or NULL
 * with why filled. */
json_object *ag_audit_parse_record(const char *text, size_t len,
				   struct ag_error *why);

/* The serialisation every record is written in: keys sorted, no
 * whitespace, '/' not escaped.  Caller frees. */
char *ag_audit_serialize(json_object *rec);

#endif
