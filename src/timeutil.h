/* timeutil.h - RFC 3339 timestamps, the only time format apgate reads or
 * writes ("2026-11-22T10:15:00Z", offsets and fractions accepted). */
#ifndef APGATE_TIMEUTIL_H
#define APGATE_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

#define AG_TIME_LEN 32

/* Parse an RFC 3339 date-time; *out is seconds since the epoch (UTC).
 * Returns 0 or -1. */
int ag_time_parse(const char *s, time_t *out);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void ag_time_format(time_t t, char out[AG_TIME_LEN]);

#endif
