/* util.c - checked allocation and bounded file I/O. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "util.h"

static void out_of_memory(void)
{
	fputs("apgate: error: out of memory\n", stderr);
	exit(AG_EXIT_ERROR);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t sz)
{
	size_t ncap = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (ncap < need) {
		if (ncap > (size_t)-1 / 2 / sz)
			out_of_memory();
		ncap *= 2;
	}
	p = xrealloc(p, ncap * sz);
	*cap = ncap;
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ag_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

static int read_fd(int fd, const char *path, size_t max, char **buf,
		   size_t *len, struct ag_error *err)
{
	size_t cap = 0, used = 0;
	char *data = NULL;

	for (;;) {
		ssize_t n;

		data = xgrow(data, &cap, used + 4096 + 1, 1);
		n = read(fd, data + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ag_error_set(err, "%s: cannot read: %s", path,
				     strerror(errno));
			free(data);
			return -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			ag_error_set(err, "%s: larger than the limit of %zu bytes",
				     path, max);
			free(data);
			return -1;
		}
	}
	data[used] = '\0';
	*buf = data;
	*len = used;
	return 0;
}

const char *ag_file_type_name(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a file";
}

int ag_open_regular(const char *path, int flags, mode_t mode,
		    struct stat *st, struct ag_error *err)
{
	struct stat sb;
	int fd;

	if (!st)
		st = &sb;
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);
	if (fd < 0) {
		int saved = errno;

		ag_error_set(err, "%s: cannot open: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, st) < 0) {
		int saved = errno;

		ag_error_set(err, "%s: cannot stat: %s", path, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		ag_error_set(err, "%s: not a regular file (it is %s)", path,
			     ag_file_type_name(st->st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int ag_read_file(const char *path, size_t max, char **buf, size_t *len,
		 struct ag_error *err)
{
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "<stdin>", max, buf, len, err);
	fd = ag_open_regular(path, O_RDONLY, 0, &st, err);
	if (fd < 0)
		return -1;
	if ((unsigned long long)st.st_size > max) {
		ag_error_set(err, "%s: larger than the limit of %zu bytes",
			     path, max);
		close(fd);
		return -1;
	}
	rc = read_fd(fd, path, max, buf, len, err);
	close(fd);
	return rc;
}

int ag_read_input(const char *path, size_t max, char **buf, size_t *len,
		  struct ag_error *err)
{
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return ag_read_file(path, max, buf, len, err);
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
		/* named by the user: waiting for its writer is expected */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			ag_error_set(err, "%s: cannot open: %s", path,
				     strerror(errno));
			return -1;
		}
		if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
			ag_error_set(err, "%s: changed while opened", path);
			close(fd);
			return -1;
		}
		rc = read_fd(fd, path, max, buf, len, err);
		close(fd);
		return rc;
	}
	return ag_read_file(path, max, buf, len, err);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int ag_write_file_atomic(const char *path, const char *data, size_t len,
			 struct ag_error *err)
{
	char *dircopy, *tmp;
	int fd, saved;

	if (strcmp(path, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len) < 0) {
			ag_error_set(err, "<stdout>: cannot write: %s",
				     strerror(errno));
			return -1;
		}
		return 0;
	}
	dircopy = xstrdup(path);
	tmp = xasprintf("%s/.%s.XXXXXX", dirname(dircopy),
			strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	free(dircopy);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ag_error_set(err, "%s: cannot create temporary file: %s", path,
			     strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len) < 0 || fchmod(fd, 0644) < 0 ||
	    fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		ag_error_set(err, "%s: cannot write: %s", path, strerror(saved));
		free(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		ag_error_set(err, "%s: cannot write: %s", path, strerror(saved));
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
