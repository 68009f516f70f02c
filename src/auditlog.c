/* auditlog.c - the hash-chained decision log: append, rotate, verify, read.
 *
 * Locking: writers take flock(LOCK_EX) on the log file itself, then check
 * that the path still names the locked file (a rotation may have replaced
 * it while they waited) and reopen if not.  flock, not fcntl locks: an
 * fcntl lock belongs to the process and vanishes when any descriptor of
 * the file is closed, a flock lock to the open file description.
 * Verifiers take LOCK_SH only long enough to read the size, so a long
 * verification never holds up a migration.
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
#include "render.h"
#include "timeutil.h"
#include "util.h"

#define TAIL_CHUNK 65536
#define MAX_REOPEN 64

/* --- small I/O helpers --- */

static int pread_full(int fd, void *buf, size_t len, off_t off)
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

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A new directory entry survives a crash only once its directory is
 * synced. */
static int sync_dir(const char *path)
{
	char *dir = dir_of(path);
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
	char *dir = dir_of(path);
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

/* --- records --- */

static bool is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool get_u64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	i = json_object_get_int64(v);
	if (i < 0)
		return false;
	*out = (uint64_t)i;
	return true;
}

json_object *ag_audit_parse_record(const char *text, size_t len,
				   struct ag_error *why)
{
	struct json_tokener *tok;
	json_object *o, *v;
	const char *type, *prev;
	uint64_t seq;

	if (len > INT32_MAX) {
		ag_error_set(why, "line too long");
		return NULL;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		ag_error_set(why, "not valid JSON (%s)",
			     e == json_tokener_continue || e == json_tokener_success ?
			     "incomplete or trailing data" :
			     json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		ag_error_set(why, "not a JSON object");
		goto bad;
	}
	if (!json_object_object_get_ex(o, "apgate-audit", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != AG_AUDIT_FORMAT_VERSION) {
		ag_error_set(why, "not an apgate audit record of format 1");
		goto bad;
	}
	type = get_str(o, "type");
	if (!type || (strcmp(type, "decision") && strcmp(type, "rotation"))) {
		ag_error_set(why, "record type is not \"decision\" or \"rotation\"");
		goto bad;
	}
	if (!get_u64(o, "seq", &seq) || seq == 0) {
		ag_error_set(why, "no sequence number");
		goto bad;
	}
	prev = get_str(o, "prev");
	if (!prev || !is_hex64(prev)) {
		ag_error_set(why, "no \"prev\" digest");
		goto bad;
	}
	return o;
bad:
	json_object_put(o);
	return NULL;
}

char *ag_audit_serialize(json_object *rec)
{
	json_object *sorted = ag_json_sorted(rec);
	char *s = xstrdup(json_object_to_json_string_ext(sorted,
			  JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(sorted);
	return s;
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
		if (pread_full(fd, buf, n, pos - (off_t)n) < 0)
			return -1;
		for (i = n; i > 0; i--)
			if (buf[i - 1] == '\n') {
				*start = pos - (off_t)n + (off_t)i;
				return 0;
			}
		pos -= (off_t)n;
	}
	*start = 0;
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
	char last;

	memset(t, 0, sizeof(*t));
	strcpy(t->prev, AG_AUDIT_GENESIS);
	t->region = size;
	if (size == 0)
		return 0;
	if (pread_full(fd, &last, 1, size - 1) < 0)
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

		if (line_start(fd, end - 1, AG_AUDIT_MAX_LINE, &s) < 0)
			goto io;
		if (size - s > (off_t)AG_AUDIT_MAX_LINE) {
			errno = EFBIG;
			goto io;
		}
		len = (size_t)(end - 1 - s);
		line = xmalloc(len + 1);
		if (pread_full(fd, line, len, s) < 0) {
			free(line);
			goto io;
		}
		rec = ag_audit_parse_record(line, len, &why);
		if (rec) {
			uint64_t seq = 0;

			get_u64(rec, "seq", &seq);
			t->seq = seq;
			ag_sha256_hex(line, len, t->prev);
			json_object_put(rec);
			free(line);
			break;
		}
		free(line);
		t->region = s;
		end = s;
	}
	if (t->region < size) {
		t->region_len = (size_t)(size - t->region);
		t->region_buf = xmalloc(t->region_len + 1);
		if (pread_full(fd, t->region_buf, t->region_len, t->region) < 0)
			goto io;
	}
	return 0;
io:
	if (errno == EFBIG)
		ag_error_set(err, "cannot append to the decision log %s: more "
			     "than %u MiB at its end are not a decision record; "
			     "run 'apgate audit verify %s'", path,
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
 * missing; *created tells the caller to sync the directory. */
static int open_log(const char *path, bool create, bool *created,
		    struct ag_error *err)
{
	int flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
	int tries, fd;

	*created = false;
	for (tries = 0; tries < MAX_REOPEN; tries++) {
		fd = open(path, flags);
		if (fd >= 0 || errno != ENOENT || !create)
			break;
		if (make_parents(path, err) < 0)
			return -1;
		fd = open(path, flags | O_CREAT | O_EXCL, 0640);
		if (fd >= 0) {
			*created = true;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	if (fd < 0) {
		ag_error_set(err, "cannot open the decision log %s: %s%s", path,
			     strerror(errno), errno == ELOOP ?
			     " (it is a symbolic link, which is refused)" : "");
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

static int open_locked(const char *path, bool create, bool *created,
		       struct ag_error *err)
{
	int tries;

	for (tries = 0; tries < MAX_REOPEN; tries++) {
		bool c;
		int fd = open_log(path, create, &c, err), rc;

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

int ag_auditlog_append(const char *path, json_object *rec,
		       struct ag_error *err)
{
	struct tail t;
	struct stat st;
	bool created = false, newline;
	char *json, *buf;
	size_t len;
	int fd, rc = -1;

	fd = open_locked(path, true, &created, err);
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

int ag_auditlog_rotate(const char *path, json_object *rec, char **rotated,
		       struct ag_error *err)
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
	fd = open_locked(path, false, &created, err);
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
	*rotated = xasprintf("%s%s", path, suffix);
	ag_time_format(now, stamp);

	json_object_object_add(rec, "apgate-audit",
			       json_object_new_int(AG_AUDIT_FORMAT_VERSION));
	json_object_object_add(rec, "type", json_object_new_string("rotation"));
	json_object_object_add(rec, "seq",
			       json_object_new_int64((int64_t)(t.seq + 1)));
	json_object_object_add(rec, "prev", json_object_new_string(t.prev));
	json_object_object_add(rec, "previous_log",
			       json_object_new_string(base_of(*rotated)));
	if (!json_object_object_get_ex(rec, "timestamp", NULL))
		json_object_object_add(rec, "timestamp",
				       json_object_new_string(stamp));
	/* Damage at the end of the old file stays there, named here. */
	if (t.region_len)
		json_object_object_add(rec, "torn",
			torn_json(t.region, t.region_buf, t.region_len, false,
				  base_of(*rotated)));
	json = ag_audit_serialize(rec);
	len = strlen(json);

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

/* --- reading lines back --- */

struct lines {
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
static int lines_open(struct lines *l, const char *path, struct ag_error *err)
{
	struct stat st;

	memset(l, 0, sizeof(*l));
	l->path = path;
	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0) {
		ag_error_set(err, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (flock(l->fd, LOCK_SH) < 0 && errno == EINTR)
		;
	if (fstat(l->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ag_error_set(err, "%s: %s", path, errno ? strerror(errno) :
			     "not a regular file");
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

/* Next line; returns 1, 0 at the end, -1 on a read error. */
static int lines_next(struct lines *l, struct ag_error *err)
{
	ssize_t n;

	if (l->next >= l->size)
		return 0;
	errno = 0;
	n = getline(&l->buf, &l->cap, l->f);
	if (n < 0) {
		if (ferror(l->f)) {
			ag_error_set(err, "cannot read %s: %s", l->path,
				     strerror(errno));
			return -1;
		}
		return 0;
	}
	l->off = l->next;
	if (l->off + n > l->size)
		n = (ssize_t)(l->size - l->off);	/* appended after we began */
	l->next = l->off + n;
	l->no++;
	l->terminated = n > 0 && l->buf[n - 1] == '\n';
	l->len = (size_t)n - (l->terminated ? 1 : 0);
	return 1;
}

static void lines_close(struct lines *l)
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
	struct lines l;
	int rc;

	if (lines_open(&l, path, err) < 0)
		return -1;
	while ((rc = lines_next(&l, err)) > 0) {
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
		rec = ag_audit_parse_record(l.buf, l.len, &why);
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
	lines_close(&l);
	return rc < 0 ? -1 : 0;
}

/* --- verify --- */

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
	const char *sha = get_str(torn, "sha256"), *tfile = get_str(torn, "file");
	char hex[AG_SHA256_HEX_LEN];
	uint64_t o, b;
	char *buf;
	bool ok;

	if (!get_u64(torn, "offset", &o) || !get_u64(torn, "bytes", &b) || !sha)
		return false;
	if ((off_t)o != off || (off_t)b != bytes || bytes > AG_AUDIT_MAX_LINE)
		return false;
	if ((file == NULL) != (tfile == NULL) ||
	    (file && strcmp(file, tfile) != 0))
		return false;
	buf = xmalloc((size_t)bytes + 1);
	ok = pread_full(fd, buf, (size_t)bytes, off) == 0 &&
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
	const char *tfile = get_str(torn, "file"), *tsha = get_str(torn, "sha256");
	uint64_t o, b;

	return tfile && tsha && sha[0] && strcmp(tfile, file) == 0 &&
	       strcmp(tsha, sha) == 0 && get_u64(torn, "offset", &o) &&
	       (off_t)o == off && get_u64(torn, "bytes", &b) &&
	       (off_t)b == bytes;
}

/* After a gap in the sequence: does the missing record come later? */
static size_t find_seq_later(struct lines *l, uint64_t want)
{
	struct ag_error err;

	while (lines_next(l, &err) > 0) {
		json_object *rec;
		uint64_t seq;

		if (!l->terminated)
			break;
		rec = ag_audit_parse_record(l->buf, l->len, &err);
		if (!rec)
			continue;
		if (get_u64(rec, "seq", &seq) && seq == want) {
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
		       struct lines *l, json_object *rec, bool first_in_file,
		       const char *prev_path)
{
	const char *type = get_str(rec, "type"), *prev = get_str(rec, "prev");
	bool rotation = strcmp(type, "rotation") == 0;
	size_t no = l->no;
	uint64_t seq = 0;

	get_u64(rec, "seq", &seq);
	if (!c->started) {
		if (rotation) {
			const char *from = get_str(rec, "previous_log");

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
	struct ag_error err;
	struct lines l;
	int rc;

	if (lines_open(&l, r->path, &err) < 0) {
		r->status = AG_AUDIT_FAILED;
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
		return;
	}
	while ((rc = lines_next(&l, &err)) > 0) {
		char hex[AG_SHA256_HEX_LEN];
		json_object *rec, *torn = NULL;
		struct ag_error why;
		uint64_t seq = 0;

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
		rec = ag_audit_parse_record(l.buf, l.len, &why);
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
			if (!torn || !torn_names(torn, base_of(c->tail_path),
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
		get_u64(rec, "seq", &seq);
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
		json_object_put(rec);
	}
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

				if (pread_full(l.fd, buf, (size_t)c->tail_bytes,
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
	lines_close(&l);
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
