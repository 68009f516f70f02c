/* auditlog_write.c - writing the hash-chained decision log: append and
 * rotate, each under an exclusive lock, after finding the last whole
 * record (and any damage after it) at the end of the file.
 *
 * Locking: writers take flock(LOCK_EX) on the log file itself, then check
 * that the path still names the locked file (a rotation may have replaced
 * it while they waited) and reopen if not.  flock, not fcntl locks: an
 * fcntl lock belongs to the process and vanishes when any descriptor of
 * the file is closed, a flock lock to the open file description.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auditlog.h"
#include "auditlog_int.h"
#include "render.h"
#include "timeutil.h"
#include "trust.h"
#include "util.h"

#define TAIL_CHUNK 65536
#define MAX_REOPEN 64

/* A new directory entry survives a crash only once its directory is
 * synced. */
static int sync_dir(const char *path)
{
	char *dir = ag_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1;

	free(dir);
	if (fd < 0)
		return -1;
	if (fsync(fd) == 0 || errno == EINVAL)
		rc = 0;
	close(fd);
	return rc;
}

/* mkdir -p of path's parent, new directories 0750. */
static int make_parents(const char *path, struct ag_error *err)
{
	char *dir = ag_dirname(path);
	char *p;

	for (p = dir + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
			ag_error_set(err, "cannot create the directory %s of the "
				     "decision log %s: %s", dir, path,
				     strerror(errno));
			free(dir);
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return 0;
}

/* --- the tail: last whole record and any damage after it --- */

struct tail {
	char prev[AG_SHA256_HEX_LEN];	/* digest of the last whole record */
	uint64_t seq;			/* its seq; 0: no record */
	off_t region;			/* start of damaged bytes; == size: none */
	char *region_buf;		/* those bytes */
	size_t region_len;
};

/* Start of the line that ends (exclusive) at end: the offset just after
 * the last '\n' before end, or 0.  Reads backwards in chunks so the cost
 * is the size of the line, not of the log. */
static int line_start(int fd, off_t end, off_t limit, off_t *start)
{
	char buf[TAIL_CHUNK];
	off_t pos = end;

	while (pos > 0) {
		size_t n = pos > TAIL_CHUNK ? TAIL_CHUNK : (size_t)pos;
		size_t i;

		if (end - pos > limit) {
			errno = EFBIG;
			return -1;
		}
		if (ag_audit_pread(fd, buf, n, pos - (off_t)n) < 0)
			return -1;
		for (i = n; i > 0; i--)
			if (buf[i - 1] == '\n') {
				*start = pos - (off_t)n + (off_t)i;
				goto found;
			}
		pos -= (off_t)n;
	}
	*start = 0;
found:
	if (end - *start > limit) {
		errno = EFBIG;
		return -1;
	}
	return 0;
}

static void tail_free(struct tail *t)
{
	free(t->region_buf);
	t->region_buf = NULL;
}

/* Find the last whole record before size.  Lines after it that are not
 * records (a line torn by a crash, possibly already terminated by an
 * earlier recovery that crashed too) form the damaged region. */
static int scan_tail(int fd, const char *path, off_t size, struct tail *t,
		     struct ag_error *err)
{
	off_t end = size, s;
	bool long_line = false;
	char last;

	memset(t, 0, sizeof(*t));
	strcpy(t->prev, AG_AUDIT_GENESIS);
	t->region = size;
	if (size == 0)
		return 0;
	if (ag_audit_pread(fd, &last, 1, size - 1) < 0)
		goto io;
	if (last != '\n') {
		if (line_start(fd, size, AG_AUDIT_MAX_LINE, &s) < 0)
			goto io;
		t->region = s;
		end = s;
	}
	while (end > 0) {
		struct ag_error why;
		json_object *rec;
		char *line;
		size_t len;

		/* the line [s, end - 1), its newline at end - 1; one longer
		 * than any record is not one, and too long to be damage we
		 * can name */
		if (line_start(fd, end - 1, AG_AUDIT_MAX_LINE, &s) < 0) {
			long_line = errno == EFBIG;
			goto io;
		}
		len = (size_t)(end - 1 - s);
		line = xmalloc(len + 1);
		if (ag_audit_pread(fd, line, len, s) < 0) {
			free(line);
			goto io;
		}
		rec = ag_audit_parse_record(line, len, &why);
		if (rec) {
			uint64_t seq = 0;

			ag_audit_get_u64(rec, "seq", &seq);
			t->seq = seq;
			ag_sha256_hex(line, len, t->prev);
			json_object_put(rec);
			free(line);
			break;
		}
		free(line);
		t->region = s;
		end = s;
		if (size - t->region > (off_t)AG_AUDIT_MAX_LINE) {
			errno = EFBIG;
			goto io;
		}
	}
	if (t->region < size) {
		t->region_len = (size_t)(size - t->region);
		t->region_buf = xmalloc(t->region_len + 1);
		if (ag_audit_pread(fd, t->region_buf, t->region_len, t->region) < 0)
			goto io;
	}
	return 0;
io:
	if (errno == EFBIG)
		ag_error_set(err, "cannot append to the decision log %s: %s "
			     "(more than %u MiB) is not a decision record; run "
			     "'apgate audit verify %s', keep the file as "
			     "evidence and move it aside to start a new log",
			     path, long_line ? "a line at its end" :
			     "what follows its last record",
			     AG_AUDIT_MAX_LINE >> 20, path);
	else
		ag_error_set(err, "cannot read the end of the decision log %s: %s",
			     path, strerror(errno));
	tail_free(t);
	return -1;
}

/* "torn": the damaged bytes as they will be on disk once appended to. */
static json_object *torn_json(off_t offset, const char *buf, size_t len,
			      bool add_newline, const char *file)
{
	json_object *o = json_object_new_object();
	char hex[AG_SHA256_HEX_LEN];
	char *copy = xmalloc(len + 1);

	memcpy(copy, buf, len);
	if (add_newline)
		copy[len++] = '\n';
	ag_sha256_hex(copy, len, hex);
	free(copy);
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)len));
	if (file)
		json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "offset", json_object_new_int64(offset));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	return o;
}

/* --- opening and locking --- */

/* Open the log for appending, creating it (and its directories) when
 * missing; *created tells the caller to sync the directory.  Only a
 * regular file passes (a FIFO would not even block: O_NONBLOCK); with
 * the trust checks on, only one that root owns and nobody else may write,
 * in directories likewise, none of them a symbolic link (trust.h):
 * whoever may write the log may rewrite its history. */
static int open_log(const char *path, bool create, bool insecure,
		    bool *created, struct ag_error *err)
{
	int flags = O_RDWR | O_APPEND | O_NOFOLLOW;
	struct stat st;
	int tries, fd = -1;

	*created = false;
	for (tries = 0; tries < MAX_REOPEN; tries++) {
		fd = ag_open_regular(path, flags, 0, &st, err);
		if (fd >= 0 || errno != ENOENT || !create)
			break;
		if (make_parents(path, err) < 0)
			return -1;
		fd = ag_open_regular(path, flags | O_CREAT | O_EXCL, 0640, &st,
				     err);
		if (fd >= 0) {
			*created = true;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	if (fd < 0) {
		if (errno == EINVAL)
			ag_error_set(err, "cannot open the decision log %s: it "
				     "is %s, not a regular file", path,
				     ag_file_type_name(st.st_mode));
		else
			ag_error_set(err, "cannot open the decision log %s: "
				     "%s%s", path, strerror(errno),
				     errno == ELOOP ? " (it is a symbolic link, "
				     "which is refused)" : "");
		return -1;
	}
	if (ag_trust_enforced(insecure) &&
	    ag_trust_check_opened(path, AG_TRUST_AUDIT_LOG, &st, err) < 0) {
		close(fd);
		if (*created)
			(void)unlink(path);
		return -1;
	}
	return fd;
}

/* Lock fd exclusively and make sure path still names it.  Returns 1 when
 * locked, 0 when the file was replaced (caller reopens), -1 on error. */
static int lock_current(int fd, const char *path, struct ag_error *err)
{
	struct stat a, b;

	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		ag_error_set(err, "cannot lock the decision log %s: %s", path,
			     strerror(errno));
		return -1;
	}
	if (fstat(fd, &a) < 0) {
		ag_error_set(err, "cannot stat the decision log %s: %s", path,
			     strerror(errno));
		return -1;
	}
	if (!S_ISREG(a.st_mode)) {
		ag_error_set(err, "the decision log %s is not a regular file", path);
		return -1;
	}
	if (lstat(path, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;
	return 1;
}

static int open_locked(const char *path, bool create, bool insecure,
		       bool *created, struct ag_error *err)
{
	int tries;

	for (tries = 0; tries < MAX_REOPEN; tries++) {
		bool c;
		int fd = open_log(path, create, insecure, &c, err), rc;

		if (fd < 0)
			return -1;
		*created = c;
		rc = lock_current(fd, path, err);
		if (rc > 0)
			return fd;
		close(fd);
		if (rc < 0)
			return -1;
	}
	ag_error_set(err, "cannot lock the decision log %s: it keeps being "
		     "replaced", path);
	return -1;
}

/* --- append --- */

/* The writer's bound: every line it writes, readers take back. */
static bool too_long(const char *path, const char *json,
		     struct ag_error *err)
{
	size_t len = strlen(json);

	if (len <= AG_AUDIT_RECORD_MAX)
		return false;
	ag_error_set(err, "cannot write to the decision log %s: the record "
		     "is %zu bytes, more than the %u a record may be", path,
		     len, AG_AUDIT_RECORD_MAX);
	return true;
}

static int write_record(int fd, const char *path, const char *buf,
			size_t len, off_t size, struct ag_error *err)
{
	ssize_t n = write(fd, buf, len);

	if (n == (ssize_t)len)
		return 0;
	if (n >= 0) {
		/* Short write: ask again only to learn the reason. */
		ssize_t m = write(fd, buf + n, len - (size_t)n);

		if (m >= 0 && (size_t)n + (size_t)m == len)
			return 0;
		if (m >= 0)
			errno = ENOSPC;
	}
	ag_error_set(err, "cannot write the decision record to %s: %s", path,
		     strerror(errno));
	/* Leave no torn line behind when we can help it. */
	if (ftruncate(fd, size) < 0) {
		/* the next writer recovers from it */
	}
	return -1;
}

int ag_auditlog_append(const char *path, json_object *rec, bool insecure,
		       struct ag_error *err)
{
	struct tail t;
	struct stat st;
	bool created = false, newline;
	char *json, *buf;
	size_t len;
	int fd, rc = -1;

	fd = open_locked(path, true, insecure, &created, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		ag_error_set(err, "cannot stat the decision log %s: %s", path,
			     strerror(errno));
		goto out;
	}
	if (scan_tail(fd, path, st.st_size, &t, err) < 0)
		goto out;

	json_object_object_add(rec, "apgate-audit",
			       json_object_new_int(AG_AUDIT_FORMAT_VERSION));
	json_object_object_add(rec, "seq",
			       json_object_new_int64((int64_t)(t.seq + 1)));
	json_object_object_add(rec, "prev", json_object_new_string(t.prev));
	newline = t.region_len && t.region_buf[t.region_len - 1] != '\n';
	if (t.region_len) {
		json_object_object_add(rec, "torn",
			torn_json(t.region, t.region_buf, t.region_len, newline,
				  NULL));
		fprintf(stderr, "apgate: warning: %s: %zu bytes at offset %lld "
			"are not a whole record (left by an interrupted write); "
			"chaining to the last whole record\n", path,
			t.region_len, (long long)t.region);
	} else {
		json_object_object_del(rec, "torn");
	}
	json = ag_audit_serialize(rec);
	if (too_long(path, json, err)) {
		free(json);
		tail_free(&t);
		goto out;
	}
	buf = xasprintf("%s%s\n", newline ? "\n" : "", json);
	len = strlen(buf);
	free(json);
	tail_free(&t);

	if (write_record(fd, path, buf, len, st.st_size, err) < 0) {
		free(buf);
		goto out;
	}
	free(buf);
	if (fsync(fd) < 0) {
		ag_error_set(err, "cannot sync the decision log %s: %s", path,
			     strerror(errno));
		/* Not known to be durable: take it back rather than keep a
		 * record of a decision that is about to become an error. */
		if (ftruncate(fd, st.st_size) == 0)
			(void)fsync(fd);
		goto out;
	}
	if (created && sync_dir(path) < 0) {
		ag_error_set(err, "cannot sync the directory of the decision "
			     "log %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);	/* releases the lock */
	return rc;
}

/* --- rotate --- */

/* PATH.YYYYMMDDTHHMMSSZ, or -01 ... -99 after it when rotated more than
 * once in that second: always after the last name taken, so that name
 * order stays rotation order.  Rotators hold the lock on the file they
 * rotate until the link is made, so the name is not taken by another. */
static char *rotated_name(const char *path, const char *suffix,
			  struct ag_error *err)
{
	struct stat st;
	int i, next = 0;

	for (i = 0; i < 100; i++) {
		char *name = i ? xasprintf("%s%s-%02d", path, suffix, i) :
				 xasprintf("%s%s", path, suffix);

		if (lstat(name, &st) == 0 || errno != ENOENT)
			next = i + 1;
		free(name);
	}
	if (next == 0)
		return xasprintf("%s%s", path, suffix);
	if (next < 100)
		return xasprintf("%s%s-%02d", path, suffix, next);
	ag_error_set(err, "cannot name the rotated decision log: %s%s-99 "
		     "exists (rotated 100 times in one second?)", path, suffix);
	return NULL;
}

int ag_auditlog_rotate(const char *path, json_object *rec, bool insecure,
		       char **rotated, struct ag_error *err)
{
	char stamp[AG_TIME_LEN], suffix[32], *tmp = NULL, *json = NULL;
	struct tail t = { .region_buf = NULL };
	struct stat st;
	bool created;
	int fd, nfd = -1, rc = -1;
	struct tm tm;
	time_t now = time(NULL);
	size_t len;

	*rotated = NULL;
	fd = open_locked(path, false, insecure, &created, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		ag_error_set(err, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size == 0) {
		ag_error_set(err, "%s is empty: nothing to rotate", path);
		goto out;
	}
	if (scan_tail(fd, path, st.st_size, &t, err) < 0)
		goto out;
	if (t.seq == 0) {
		ag_error_set(err, "%s holds no decision record: refusing to "
			     "rotate it (run 'apgate audit verify %s')", path, path);
		goto out;
	}
	gmtime_r(&now, &tm);
	strftime(suffix, sizeof(suffix), ".%Y%m%dT%H%M%SZ", &tm);
	*rotated = rotated_name(path, suffix, err);
	if (!*rotated)
		goto out;
	ag_time_format(now, stamp);

	json_object_object_add(rec, "apgate-audit",
			       json_object_new_int(AG_AUDIT_FORMAT_VERSION));
	json_object_object_add(rec, "type", json_object_new_string("rotation"));
	json_object_object_add(rec, "seq",
			       json_object_new_int64((int64_t)(t.seq + 1)));
	json_object_object_add(rec, "prev", json_object_new_string(t.prev));
	json_object_object_add(rec, "previous_log",
			       json_object_new_string(ag_audit_base(*rotated)));
	if (!json_object_object_get_ex(rec, "timestamp", NULL))
		json_object_object_add(rec, "timestamp",
				       json_object_new_string(stamp));
	/* Damage at the end of the old file stays there, named here. */
	if (t.region_len)
		json_object_object_add(rec, "torn",
			torn_json(t.region, t.region_buf, t.region_len, false,
				  ag_audit_base(*rotated)));
	json = ag_audit_serialize(rec);
	len = strlen(json);
	if (too_long(path, json, err))
		goto out;

	tmp = xasprintf("%s.rotate.XXXXXX", path);
	nfd = mkostemp(tmp, O_CLOEXEC);
	if (nfd < 0) {
		ag_error_set(err, "cannot create a new decision log beside %s: %s",
			     path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	{
		char *line = xasprintf("%s\n", json);
		ssize_t n = write(nfd, line, len + 1);

		free(line);
		if (n != (ssize_t)(len + 1) || fchmod(nfd, 0640) < 0 ||
		    fsync(nfd) < 0) {
			ag_error_set(err, "cannot write the new decision log %s: %s",
				     tmp, n >= 0 && n != (ssize_t)(len + 1) ?
				     strerror(ENOSPC) : strerror(errno));
			goto out;
		}
	}
	/* link, then rename over: the path never stops naming a log, so a
	 * writer never starts a fresh chain in between. */
	if (link(path, *rotated) < 0) {
		ag_error_set(err, "cannot keep the old decision log as %s: %s",
			     *rotated, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		ag_error_set(err, "cannot put the new decision log in place at "
			     "%s: %s", path, strerror(errno));
		(void)unlink(*rotated);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	(void)fchmod(fd, 0440);	/* the old file is finished */
	if (sync_dir(path) < 0) {
		ag_error_set(err, "cannot sync the directory of %s: %s", path,
			     strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (tmp) {
		(void)unlink(tmp);
		free(tmp);
	}
	if (nfd >= 0)
		close(nfd);
	if (rc < 0) {
		free(*rotated);
		*rotated = NULL;
	}
	free(json);
	tail_free(&t);
	close(fd);
	return rc;
}

