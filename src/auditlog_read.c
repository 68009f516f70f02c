/* auditlog_read.c - reading the decision log back line by line, for
 * `audit show`/`report` (ag_auditlog_read) and for the verifier.
 *
 * Readers take LOCK_SH only long enough to read the size, so a long read
 * never holds up a migration; lines appended after that are not seen.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auditlog.h"
#include "auditlog_int.h"
#include "util.h"

int ag_audit_pread(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* file shrank under us */
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

const char *ag_audit_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Open path and take its size under a shared lock: appends hold the
 * exclusive lock until their record is whole and synced. */
int ag_audit_lines_open(struct ag_audit_lines *l, const char *path,
			struct ag_error *err)
{
	struct stat st;

	memset(l, 0, sizeof(*l));
	l->path = path;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	l->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (l->fd < 0) {
		ag_error_set(err, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(l->fd, &st) < 0) {
		ag_error_set(err, "cannot stat %s: %s", path, strerror(errno));
		close(l->fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ag_error_set(err, "%s: not a regular file (%s), so not a "
			     "decision log", path, ag_file_type_name(st.st_mode));
		close(l->fd);
		return -1;
	}
	while (flock(l->fd, LOCK_SH) < 0 && errno == EINTR)
		;
	if (fstat(l->fd, &st) < 0) {
		ag_error_set(err, "cannot stat %s: %s", path, strerror(errno));
		close(l->fd);
		return -1;
	}
	(void)flock(l->fd, LOCK_UN);
	l->size = st.st_size;
	l->f = fdopen(l->fd, "r");
	if (!l->f) {
		ag_error_set(err, "cannot read %s: %s", path, strerror(errno));
		close(l->fd);
		return -1;
	}
	return 0;
}

/* getline(3) would hold any line whole; a line longer than any record
 * is only measured here, its first AG_AUDIT_MAX_LINE + 1 bytes kept. */
int ag_audit_lines_next(struct ag_audit_lines *l, struct ag_error *err)
{
	off_t pos = l->next;
	size_t held = 0, full = 0;
	int c = EOF;

	if (l->next >= l->size)
		return 0;
	/* stop at the size taken when opened: appended after we began */
	while (pos < l->size && (c = getc_unlocked(l->f)) != EOF) {
		pos++;
		if (c == '\n')
			break;
		if (held <= AG_AUDIT_MAX_LINE) {
			l->buf = xgrow(l->buf, &l->cap, held + 2, 1);
			l->buf[held++] = (char)c;
		}
		full++;
	}
	if (c == EOF && ferror(l->f)) {
		ag_error_set(err, "cannot read %s: %s", l->path,
			     strerror(errno));
		return -1;
	}
	if (pos == l->next)
		return 0;	/* the file shrank */
	l->off = l->next;
	l->next = pos;
	l->no++;
	l->terminated = c == '\n';
	l->full_len = full;
	l->overlong = full > AG_AUDIT_MAX_LINE;
	l->len = held;
	if (!l->buf)
		l->buf = xgrow(l->buf, &l->cap, 1, 1);
	l->buf[held] = '\0';
	return 1;
}

void ag_audit_lines_close(struct ag_audit_lines *l)
{
	if (l->f)
		fclose(l->f);
	free(l->buf);
}

/* Lines that are not records are reported, except those a later record
 * acknowledges as left by an interrupted write (see "torn"). */
static void flush_skipped(const char *path, char **pending, size_t *n,
			  bool quiet)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (!quiet)
			fprintf(stderr, "apgate: %s:%s\n", path, pending[i]);
		free(pending[i]);
	}
	*n = 0;
}

int ag_auditlog_read(const char *path, ag_audit_visit_fn visit, void *ctx,
		     struct ag_error *err)
{
	char **pending = NULL;
	size_t n_pending = 0;
	struct ag_audit_lines l;
	int rc;

	if (ag_audit_lines_open(&l, path, err) < 0)
		return -1;
	while ((rc = ag_audit_lines_next(&l, err)) > 0) {
		struct ag_audit_entry e;
		struct ag_error why;
		json_object *rec;
		int stop;

		if (!l.terminated) {
			pending = xrealloc(pending, (n_pending + 1) * sizeof(*pending));
			pending[n_pending++] = xasprintf("%zu: skipped: incomplete "
				"final line (interrupted write)", l.no);
			break;
		}
		rec = ag_audit_parse_line(&l, NULL, &why);
		if (!rec) {
			pending = xrealloc(pending, (n_pending + 1) * sizeof(*pending));
			pending[n_pending++] = xasprintf("%zu: skipped: %s (run "
				"'apgate audit verify')", l.no, why.msg);
			continue;
		}
		flush_skipped(path, pending, &n_pending,
			      json_object_object_get_ex(rec, "torn", NULL));
		e.path = path;
		e.line = l.no;
		e.text = l.buf;
		e.len = l.len;
		e.rec = rec;
		stop = visit(ctx, &e);
		json_object_put(rec);
		if (stop)
			break;
	}
	flush_skipped(path, pending, &n_pending, false);
	free(pending);
	ag_audit_lines_close(&l);
	return rc < 0 ? -1 : 0;
}
