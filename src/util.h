/* util.h - allocation that cannot return NULL, and bounded whole-file reads.
 *
 * apgate is a short-lived command: running out of memory outside the Lua
 * sandbox (which has its own cap) is not recoverable in a useful way, so the
 * x* allocators print a message and exit with the "error" status.
 */
#ifndef APGATE_UTIL_H
#define APGATE_UTIL_H

#include <stddef.h>

#include "error.h"

#define AG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (holding *cap elements of size sz) so that it can hold need. */
void *xgrow(void *p, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole regular file ("-" = stdin) of at most max bytes into a
 * NUL-terminated buffer.  Larger files are refused with a message naming
 * the limit, never truncated. */
int ag_read_file(const char *path, size_t max, char **buf, size_t *len,
		 struct ag_error *err);

/* Write data to path atomically: temporary file in the same directory,
 * fsync, rename.  "-" writes to stdout. */
int ag_write_file_atomic(const char *path, const char *data, size_t len,
			 struct ag_error *err);

#endif
