/* error.c - formatting of struct ag_error messages. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void ag_error_set(struct ag_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void ag_error_prefix(struct ag_error *err, const char *fmt, ...)
{
	char prefix[AG_ERROR_MAX];
	char joined[2 * AG_ERROR_MAX + 2];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(joined, sizeof(joined), "%s: %s", prefix, err->msg);
	/* Over-long messages are cut, never overflow. */
	snprintf(err->msg, sizeof(err->msg), "%.*s", AG_ERROR_MAX - 1, joined);
}
