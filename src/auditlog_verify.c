/* auditlog_verify.c - verifying the hash chain of one or more decision
 * log files (a rotated file first, the live log last): which record was
 * edited, deleted, inserted or reordered, and which damage a later record
 * acknowledges as left by a crash. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditlog.h"
#include "auditlog_int.h"
#include "util.h"

struct chain {
	bool started;
	char prev[AG_SHA256_HEX_LEN];	/* digest of the last good record */
	char prev2[AG_SHA256_HEX_LEN];	/* and of the one before; "" none */
	uint64_t next_seq;
	size_t prev_line;		/* line of the last good record */
	/* damage at the end of the previous file, awaiting acknowledgement */
	bool tail;
	const char *tail_path;
	size_t tail_line;
	off_t tail_off, tail_bytes;
	char tail_sha[AG_SHA256_HEX_LEN];
};

static void add_note(struct ag_audit_check *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct ag_audit_check *r, const char *fmt, ...)
{
	struct ag_error e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	r->notes = xrealloc(r->notes, (r->n_notes + 1) * sizeof(*r->notes));
	r->notes[r->n_notes++] = xstrdup(e.msg);
}

static void broken(struct ag_audit_check *r, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void broken(struct ag_audit_check *r, size_t line, const char *fmt, ...)
{
	va_list ap;

	r->status = AG_AUDIT_BROKEN;
	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

/* Whether the record's "torn" member names exactly the bytes
 * [off, off + bytes) of fd with that digest. */
static bool torn_matches(json_object *torn, int fd, off_t off, off_t bytes,
			 const char *file)
{
	const char *sha = ag_audit_get_str(torn, "sha256"), *tfile = ag_audit_get_str(torn, "file");
	char hex[AG_SHA256_HEX_LEN];
	uint64_t o, b;
	char *buf;
	bool ok;

	if (!ag_audit_get_u64(torn, "offset", &o) || !ag_audit_get_u64(torn, "bytes", &b) || !sha)
		return false;
	if ((off_t)o != off || (off_t)b != bytes || bytes > AG_AUDIT_MAX_LINE)
		return false;
	if ((file == NULL) != (tfile == NULL) ||
	    (file && strcmp(file, tfile) != 0))
		return false;
	buf = xmalloc((size_t)bytes + 1);
	ok = ag_audit_pread(fd, buf, (size_t)bytes, off) == 0 &&
	     ag_sha256_hex(buf, (size_t)bytes, hex) == 0 &&
	     strcmp(hex, sha) == 0;
	free(buf);
	return ok;
}

/* Whether a rotation record's "torn" names the end of the previous file
 * (which verification already hashed). */
static bool torn_names(json_object *torn, const char *file, off_t off,
		       off_t bytes, const char *sha)
{
	const char *tfile = ag_audit_get_str(torn, "file"), *tsha = ag_audit_get_str(torn, "sha256");
	uint64_t o, b;

	return tfile && tsha && sha[0] && strcmp(tfile, file) == 0 &&
	       strcmp(tsha, sha) == 0 && ag_audit_get_u64(torn, "offset", &o) &&
	       (off_t)o == off && ag_audit_get_u64(torn, "bytes", &b) &&
	       (off_t)b == bytes;
}

/* After a gap in the sequence: does the missing record come later? */
static size_t find_seq_later(struct ag_audit_lines *l, uint64_t want)
{
	struct ag_error err;

	while (ag_audit_lines_next(l, &err) > 0) {
		json_object *rec;
		uint64_t seq;

		if (!l->terminated)
			break;
		rec = ag_audit_parse_line(l, NULL, &err);
		if (!rec)
			continue;
		if (ag_audit_get_u64(rec, "seq", &seq) && seq == want) {
			json_object_put(rec);
			return l->no;
		}
		json_object_put(rec);
	}
	return 0;
}

/* Check the link from the last good record to rec (line no); fills r and
 * returns false when it is broken. */
static bool check_link(struct chain *c, struct ag_audit_check *r,
		       struct ag_audit_lines *l, json_object *rec, bool first_in_file,
		       const char *prev_path)
{
	const char *type = ag_audit_get_str(rec, "type"), *prev = ag_audit_get_str(rec, "prev");
	bool rotation = strcmp(type, "rotation") == 0;
	size_t no = l->no;
	uint64_t seq = 0;

	ag_audit_get_u64(rec, "seq", &seq);
	if (!c->started) {
		if (rotation) {
			const char *from = ag_audit_get_str(rec, "previous_log");

			add_note(r, "line %zu: continues the log %s (seq %llu); "
				 "give that file first to check the link", no,
				 from ? from : "(unnamed)",
				 (unsigned long long)seq - 1);
			return true;
		}
		if (strcmp(prev, AG_AUDIT_GENESIS) != 0 || seq != 1) {
			broken(r, no, "the first record does not start a chain "
			       "(seq %llu, prev is not the genesis value): records "
			       "before it were removed, or a rotated file is "
			       "missing", (unsigned long long)seq);
			return false;
		}
		return true;
	}
	if (first_in_file && !rotation) {
		broken(r, no, "does not continue %s: the file does not start "
		       "with a rotation record", prev_path);
		return false;
	}
	if (!first_in_file && rotation) {
		broken(r, no, "a rotation record in the middle of a file "
		       "(inserted)");
		return false;
	}
	if (strcmp(prev, c->prev) == 0) {
		if (seq == c->next_seq)
			return true;
		broken(r, no, "sequence number %llu where %llu was expected, "
		       "although the link to the previous record holds: this "
		       "record was altered", (unsigned long long)seq,
		       (unsigned long long)c->next_seq);
		return false;
	}
	if (first_in_file) {
		broken(r, no, "does not continue %s: its prev is not the digest "
		       "of that file's last record (records removed from its "
		       "end, or a file missing in between)", prev_path);
		return false;
	}
	if (c->prev2[0] && strcmp(prev, c->prev2) == 0) {
		broken(r, c->prev_line, "record inserted: the record at line "
		       "%zu chains to the one before this line", no);
		return false;
	}
	if (seq == c->next_seq) {
		broken(r, c->prev_line, "record altered: its digest does not "
		       "match the prev of the record at line %zu", no);
		return false;
	}
	if (seq > c->next_seq) {
		uint64_t want = c->next_seq;
		size_t at = find_seq_later(l, want);

		if (at)
			broken(r, no, "records out of order: seq %llu where %llu "
			       "was expected (seq %llu is at line %zu)",
			       (unsigned long long)seq, (unsigned long long)want,
			       (unsigned long long)want, at);
		else
			broken(r, no, "%llu record(s) deleted before this line: "
			       "seq jumps from %llu to %llu",
			       (unsigned long long)(seq - want),
			       (unsigned long long)want - 1,
			       (unsigned long long)seq);
		return false;
	}
	broken(r, no, "record out of place: seq %llu where %llu was expected "
	       "(inserted, or moved here from earlier)",
	       (unsigned long long)seq, (unsigned long long)c->next_seq);
	return false;
}

static void verify_file(struct chain *c, struct ag_audit_check *r,
			const char *prev_path, bool last)
{
	off_t bad_off = -1;
	size_t bad_line = 0, bad_lines = 0;
	char bad_why[AG_ERROR_MAX] = "";
	bool first = true;
	size_t odd_lines = 0, odd_first = 0;
	struct ag_error err;
	struct ag_audit_lines l;
	int rc;

	if (ag_audit_lines_open(&l, r->path, &err) < 0) {
		r->status = AG_AUDIT_FAILED;
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
		return;
	}
	while ((rc = ag_audit_lines_next(&l, &err)) > 0) {
		char hex[AG_SHA256_HEX_LEN];
		json_object *rec, *torn = NULL;
		struct ag_error why;
		uint64_t seq = 0;
		bool odd;

		r->lines = l.no;
		if (!l.terminated) {
			if (bad_off < 0) {
				bad_off = l.off;
				bad_line = l.no;
				snprintf(bad_why, sizeof(bad_why),
					 "incomplete final line");
			}
			bad_lines++;
			break;
		}
		rec = ag_audit_parse_line(&l, &odd, &why);
		if (!rec) {
			if (bad_off < 0) {
				bad_off = l.off;
				bad_line = l.no;
				snprintf(bad_why, sizeof(bad_why), "%s", why.msg);
			}
			bad_lines++;
			continue;
		}
		json_object_object_get_ex(rec, "torn", &torn);
		if (bad_off >= 0) {
			if (!torn || !torn_matches(torn, l.fd, bad_off,
						   l.off - bad_off, NULL)) {
				broken(r, bad_line, "not a decision record (%s)",
				       bad_why);
				json_object_put(rec);
				break;
			}
			if (bad_lines > 1)
				add_note(r, "lines %zu-%zu: %lld bytes left by "
					 "interrupted writes; acknowledged by the "
					 "record at line %zu", bad_line,
					 bad_line + bad_lines - 1,
					 (long long)(l.off - bad_off), l.no);
			else
				add_note(r, "line %zu: %lld bytes left by an "
					 "interrupted write; acknowledged by the "
					 "record at line %zu", bad_line,
					 (long long)(l.off - bad_off), l.no);
			bad_off = -1;
			bad_lines = 0;
		} else if (torn && !(first && c->tail)) {
			broken(r, l.no, "names damaged bytes that are not there: "
			       "this record or the lines before it were altered");
			json_object_put(rec);
			break;
		}
		if (first && c->tail) {
			if (!torn || !torn_names(torn, ag_audit_base(c->tail_path),
						 c->tail_off, c->tail_bytes,
						 c->tail_sha)) {
				broken(r, l.no, "does not acknowledge the incomplete "
				       "final line %zu of %s", c->tail_line,
				       c->tail_path);
				json_object_put(rec);
				break;
			}
			add_note(r, "line %zu: acknowledges the incomplete final "
				 "line %zu of %s", l.no, c->tail_line, c->tail_path);
			c->tail = false;
		}
		if (!check_link(c, r, &l, rec, first, prev_path)) {
			json_object_put(rec);
			break;
		}
		ag_audit_get_u64(rec, "seq", &seq);
		ag_sha256_hex(l.buf, l.len, hex);
		strcpy(c->prev2, c->started ? c->prev : "");
		strcpy(c->prev, hex);
		c->next_seq = seq + 1;
		c->prev_line = l.no;
		c->started = true;
		if (!r->first_seq)
			r->first_seq = seq;
		r->last_seq = seq;
		strcpy(r->last_sha256, hex);
		r->records++;
		first = false;
		if (odd && !odd_lines++)
			odd_first = l.no;
		json_object_put(rec);
	}
	if (odd_lines)
		add_note(r, "line %zu%s: holds bytes that are not valid UTF-8 "
			 "in %zu record(s) (written by a version that did not "
			 "escape them; records all the same)", odd_first,
			 odd_lines > 1 ? " and later" : "", odd_lines);
	if (rc < 0) {
		r->status = AG_AUDIT_FAILED;
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	} else if (r->status == AG_AUDIT_INTACT && bad_off >= 0) {
		if (l.size > 0 && bad_lines == 1 && !l.terminated) {
			r->status = AG_AUDIT_TORN;
			r->line = bad_line;
			snprintf(r->msg, sizeof(r->msg), "incomplete final line "
				 "(%lld bytes), left by an interrupted write or a "
				 "truncation; the %zu records before it verify",
				 (long long)(l.size - bad_off), r->records);
			/* a rotation may acknowledge it in the next file */
			c->tail = !last;
			c->tail_path = r->path;
			c->tail_line = bad_line;
			c->tail_off = bad_off;
			c->tail_bytes = l.size - bad_off;
			c->tail_sha[0] = '\0';	/* too big: cannot be acknowledged */
			if (c->tail_bytes <= AG_AUDIT_MAX_LINE) {
				char *buf = xmalloc((size_t)c->tail_bytes + 1);

				if (ag_audit_pread(l.fd, buf, (size_t)c->tail_bytes,
					       bad_off) == 0)
					ag_sha256_hex(buf, (size_t)c->tail_bytes,
						      c->tail_sha);
				free(buf);
			}
		} else if (r->records == 0 && bad_line == 1 && !c->started) {
			/* not one record anywhere: a wrong file, not a damaged log */
			r->status = AG_AUDIT_FAILED;
			r->line = 1;
			snprintf(r->msg, sizeof(r->msg), "not a decision log (%.900s)",
				 bad_why);
		} else {
			broken(r, bad_line, "not a decision record (%s)%s",
			       bad_why, l.terminated ? "" :
			       ", followed by an incomplete final line");
		}
	}
	ag_audit_lines_close(&l);
}

enum ag_audit_status ag_auditlog_verify(const char *const *paths, size_t n,
					struct ag_audit_check *res)
{
	enum ag_audit_status worst = AG_AUDIT_INTACT;
	struct chain c;
	bool stopped = false;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(res, 0, n * sizeof(*res));
	for (i = 0; i < n; i++) {
		struct ag_audit_check *r = &res[i];

		r->path = paths[i];
		if (stopped) {
			r->status = AG_AUDIT_FAILED;
			snprintf(r->msg, sizeof(r->msg), "not verified: the chain "
				 "is broken in an earlier file");
			continue;
		}
		verify_file(&c, r, i ? paths[i - 1] : NULL, i + 1 == n);
		/* A torn tail acknowledged by the next file is not damage;
		 * one left unacknowledged in a finished file is. */
		if (i > 0 && res[i - 1].status == AG_AUDIT_TORN) {
			if (!c.tail) {
				res[i - 1].status = AG_AUDIT_INTACT;
				add_note(&res[i - 1], "line %zu: incomplete final "
					 "line, acknowledged by the rotation record "
					 "of %s", res[i - 1].line, r->path);
				res[i - 1].msg[0] = '\0';
				res[i - 1].line = 0;
			} else if (r->status != AG_AUDIT_BROKEN) {
				res[i - 1].status = AG_AUDIT_BROKEN;
				stopped = true;
			}
			c.tail = false;
		}
		if (r->status == AG_AUDIT_BROKEN || r->status == AG_AUDIT_FAILED)
			stopped = true;
	}
	for (i = 0; i < n; i++) {
		enum ag_audit_status s = res[i].status;

		if (s == AG_AUDIT_BROKEN)
			worst = AG_AUDIT_BROKEN;
		else if (s == AG_AUDIT_FAILED && worst != AG_AUDIT_BROKEN)
			worst = AG_AUDIT_FAILED;
		else if (s == AG_AUDIT_TORN && worst == AG_AUDIT_INTACT)
			worst = AG_AUDIT_TORN;
	}
	return worst;
}

void ag_audit_check_free(struct ag_audit_check *res, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < res[i].n_notes; j++)
			free(res[i].notes[j]);
		free(res[i].notes);
		res[i].notes = NULL;
		res[i].n_notes = 0;
	}
}
