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
/* A non-negative integer member of o; false when missing or not one. */
bool ag_audit_get_u64(json_object *o, const char *key, uint64_t *out);

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
	size_t len;	/* without the newline */
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
