/* apmatrix.h - strict parsers of the vfio_ap mdev attributes `matrix`,
 * `guest_matrix`, `control_domains` and `ap_config` (vfio_ap_ops.c,
 * DOMAIN.md 5.2), and of 256-bit AP masks.
 *
 * The input is the attribute text as libudev returns it (trailing newline
 * stripped) or as read from a file (one trailing newline allowed).  Errors
 * name the line; the caller prefixes the attribute's path.
 */
#ifndef APGATE_APMATRIX_H
#define APGATE_APMATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "apqn.h"
#include "error.h"

/* `matrix` / `guest_matrix`: one "aa.dddd" line per APQN, in ascending
 * order, forming the full product adapters x domains; "aa." lines when no
 * domain is assigned, ".dddd" lines when no adapter is; empty when
 * nothing is assigned. */
int ag_matrix_parse(const char *text, size_t len, struct ag_idset *adapters,
		    struct ag_idset *domains, struct ag_error *err);

/* `control_domains`: one "dddd" line per control domain, ascending. */
int ag_control_domains_parse(const char *text, size_t len,
			     struct ag_idset *cdoms, struct ag_error *err);

/* A 256-bit AP mask "0x" + 64 hex digits; bit 0 is the most significant
 * bit of the first digit.  allow_upper: accept A-F too (masks written by
 * people); the kernel prints lowercase. */
int ag_apmask_parse(const char *s, size_t len, bool allow_upper,
		    struct ag_idset *set, struct ag_error *err);

/* `ap_config`: "APM,AQM,ADM", three masks. */
int ag_ap_config_parse(const char *text, size_t len, bool allow_upper,
		       struct ag_idset *apm, struct ag_idset *aqm,
		       struct ag_idset *adm, struct ag_error *err);

#endif
