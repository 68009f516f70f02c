/* error.h - the one error message a failing call hands back to its caller.
 *
 * Convention across apgate: functions return 0 on success and -1 on failure,
 * filling a caller-provided struct ag_error (which may be NULL).  Messages
 * name the file, the place and what was expected, e.g.
 *   "src.yaml:12:7: expected an APQN string like \"05.0004\"".
 */
#ifndef APGATE_ERROR_H
#define APGATE_ERROR_H

#define AG_ERROR_MAX 1024

struct ag_error {
	char msg[AG_ERROR_MAX];
};

/* Replace the message. */
void ag_error_set(struct ag_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend context, e.g. ag_error_prefix(err, "%s", path) gives "path: old". */
void ag_error_prefix(struct ag_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
