/* mkvps.h - the strict parser of a queue's sysfs `mkvps` attribute.
 *
 * Accepts exactly what the kernel's zcrypt_cex4.c prints (DOMAIN.md 3):
 * CCA with 3, 6 or 9 lines (AES, then APKA, then ASYM; NEW, CUR, OLD),
 * EP11 with two lines (WK CUR, WK NEW), "- -" lines as state unknown.
 * Anything else is an error naming the line, so format drift is noticed
 * instead of being read as a key.
 */
#ifndef APGATE_MKVPS_H
#define APGATE_MKVPS_H

#include <stdbool.h>
#include <stddef.h>

#include "descriptor.h"
#include "error.h"

/* Parse text (len bytes, one trailing newline allowed, NUL bytes refused)
 * into *out: present, origin sysfs, registers filled.  Errors read
 * "line N \"TEXT\": what was expected" (the caller prefixes the path). */
int ag_mkvps_parse(const char *text, size_t len, struct ag_mkvps *out,
		   struct ag_error *err);

/* *out as "every register unknown" (origin sysfs): what a queue's keys
 * are when its mkvps text could not be parsed.  ep11: WK CUR/NEW, else
 * the CCA registers the kernel prints (AES, APKA, ASYM). */
void ag_mkvps_set_unknown(struct ag_mkvps *out, bool ep11);

#endif
