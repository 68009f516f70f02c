/* auditlog_int.h - what the decision-log modules share and nothing else
 * uses: record member access, positioned reads and the line reader.
 *
 *   auditlog_record.c  one record: strict parse, canonical serialisation
 *   auditlog_read.c    reading a log back line by line
 *   auditlog_write.c   append and rotate (tail scan, locking)
 *   auditlog_verify.c  verifying the chain
 */
#ifndef APGATE_AUDITLOG_INT_H
#define APGATE_AUDITLOG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "error.h"

/* A string member of o, or NULL when missing or not a string. */
const char *ag_audit_get_str(json_object *o, const char *key);
/* Whether s is a SHA-256 as the log writes it: 64 lowercase hex digits. */
bool ag_audit_is_sha256_hex(const char *s);
/* A non-negative integer member of o; false when missing or not one. */
bool ag_audit_get_u64(json_object *o, const char *key, uint64_t *out);

/* The current line as a record (see ag_audit_parse_record), accepting
 * strings that are not valid UTF-8 (*odd_bytes set, when not NULL): the
 * writer wrote them, so they are records, to be shown escaped.  A line
 * longer than any record is not one. */
struct ag_audit_lines;
json_object *ag_audit_parse_line(const struct ag_audit_lines *l,
				 bool *odd_bytes, struct ag_error *why);
/* Same for a buffer. */
json_object *ag_audit_parse_text(const char *text, size_t len,
				 bool *odd_bytes, struct ag_error *why);

/* pread exactly len bytes at off; -1 with errno set (EIO when the file
 * is shorter). */
int ag_audit_pread(int fd, void *buf, size_t len, off_t off);
/* The last component of path (no copy). */
const char *ag_audit_base(const char *path);

/* A log file read line by line up to the size it had when opened. */
struct ag_audit_lines {
	const char *path;
	int fd;
	FILE *f;
	off_t size;	/* read up to here */
	off_t off;	/* offset of the current line */
	off_t next;	/* offset after it */
	size_t no;	/* its number */
	char *buf;
	size_t cap;
	size_t len;	/* bytes in buf, without the newline */
	size_t full_len;	/* of the line in the file, without the newline */
	bool overlong;	/* full_len > AG_AUDIT_MAX_LINE: buf holds a prefix */
	bool terminated;
};

/* Open path and take its size under a shared lock: appends hold the
 * exclusive lock until their record is whole and synced. */
int ag_audit_lines_open(struct ag_audit_lines *l, const char *path,
			struct ag_error *err);
/* Next line; returns 1, 0 at the end, -1 on a read error. */
int ag_audit_lines_next(struct ag_audit_lines *l, struct ag_error *err);
void ag_audit_lines_close(struct ag_audit_lines *l);

#endif
