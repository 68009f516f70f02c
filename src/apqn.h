/* apqn.h - AP identifiers: adapter/domain numbers, APQN strings, ID sets.
 *
 * An APQN is written "%02x.%04x" (adapter.domain, lowercase hex) exactly as
 * sysfs names queue devices.  Adapter and domain IDs are 0..255.
 */
#ifndef APGATE_APQN_H
#define APGATE_APQN_H

#include <stdbool.h>
#include <stdint.h>

#define AG_MAX_ID 255
#define AG_APQN_LEN 8		/* "05.0004" plus NUL */

/* Parse an ID written as decimal ("12") or 0x hex ("0x0c") in 0..255.
 * Leading zeros ("012", ambiguous with octal), signs, spaces and empty
 * strings are refused.  Returns 0 or -1. */
int ag_id_parse(const char *s, unsigned *out);

/* Parse an APQN string in the exact sysfs form "aa.dddd" (lowercase hex,
 * 2 + 4 digits, domain <= 0x00ff).  Returns 0 or -1. */
int ag_apqn_parse(const char *s, unsigned *adapter, unsigned *domain);

/* Format an APQN into out (AG_APQN_LEN bytes). */
void ag_apqn_format(unsigned adapter, unsigned domain, char out[AG_APQN_LEN]);

/* A set of IDs 0..255 as a bitmap, iterated in ascending order. */
struct ag_idset {
	uint64_t bits[4];
};

void ag_idset_clear(struct ag_idset *set);
void ag_idset_add(struct ag_idset *set, unsigned id);
bool ag_idset_has(const struct ag_idset *set, unsigned id);
unsigned ag_idset_count(const struct ag_idset *set);
bool ag_idset_equal(const struct ag_idset *a, const struct ag_idset *b);
/* Smallest member >= from, or -1 when there is none.  Iterate with
 *   for (int id = ag_idset_next(s, 0); id >= 0; id = ag_idset_next(s, id + 1)) */
int ag_idset_next(const struct ag_idset *set, unsigned from);

#endif
