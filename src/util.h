/* util.h - allocation that cannot return NULL, and bounded whole-file reads.
 *
 * apgate is a short-lived command: running out of memory outside the Lua
 * sandbox (which has its own cap) is not recoverable in a useful way, so the
 * x* allocators print a message and exit with the "error" status.
 */
#ifndef APGATE_UTIL_H
#define APGATE_UTIL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"

#define AG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (holding *cap elements of size sz) so that it can hold need. */
void *xgrow(void *p, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* The directory part of path, malloc'd: "." for a bare name, "/" for a
 * file in the root. */
char *ag_dirname(const char *path);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open path as a regular file, and nothing else: with O_NONBLOCK, so that
 * a FIFO planted where a file is expected never blocks the open (a FIFO
 * opened for reading waits for a writer), then fstat the descriptor.
 * flags are added to O_CLOEXEC | O_NOCTTY | O_NONBLOCK (which changes
 * nothing for a regular file's reads, writes and locks); mode is for
 * O_CREAT.  On failure err says "PATH: cannot open: REASON" or "PATH: not
 * a regular file (it is a FIFO)", errno is kept (EINVAL for the latter)
 * and -1 is returned.  st, when not NULL, receives the file's status. */
int ag_open_regular(const char *path, int flags, mode_t mode,
		    struct stat *st, struct ag_error *err);

/* "a directory", "a FIFO", "a socket", ... for messages. */
const char *ag_file_type_name(mode_t mode);

/* Read a whole regular file ("-" = stdin) of at most max bytes into a
 * NUL-terminated buffer.  Larger files are refused with a message naming
 * the limit, never truncated. */
int ag_read_file(const char *path, size_t max, char **buf, size_t *len,
		 struct ag_error *err);

/* The same for a file the user named on the command line, which may also
 * be a pipe or FIFO (`--source <(ssh host apgate collect)`): read until
 * its end, refused past max. */
int ag_read_input(const char *path, size_t max, char **buf, size_t *len,
		  struct ag_error *err);

/* Write data to path atomically: temporary file in the same directory,
 * fsync, rename.  "-" writes to stdout. */
int ag_write_file_atomic(const char *path, const char *data, size_t len,
			 struct ag_error *err);

#endif
