/* mdevctl.h - persistent mdevctl definitions of vfio_ap mdevs
 * (/etc/mdevctl.d/matrix/UUID, DOMAIN.md 6), read with json-c without
 * running mdevctl, and turned into the assignment the kernel would get
 * when mdevctl writes the attrs in order on `mdevctl start`.
 */
#ifndef APGATE_MDEVCTL_H
#define APGATE_MDEVCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "apqn.h"
#include "error.h"
#include "notes.h"

#define AG_MDEVCTL_DIR "/etc/mdevctl.d"
#define AG_MDEVCTL_PARENT "matrix"
/* A definition is a few hundred bytes; a 256 x 256 assignment written one
 * attr per ID stays far below this. */
#define AG_MDEVCTL_MAX_BYTES (1024u * 1024)

struct ag_mdevctl_def {
	char *mdev_type;
	char *start;			/* "auto", "manual", ... */
	struct ag_idset adapters, domains, control_domains;
};

/* Parse a definition (the file, or `mdevctl list -d -u UUID --dumpjson`
 * output).  name prefixes messages.  Comma lists are accepted with a
 * note; leading zeros (octal to the kernel) and unknown attributes are
 * errors. */
int ag_mdevctl_parse(const char *name, const char *buf, size_t len,
		     struct ag_mdevctl_def *def, struct ag_notes *notes,
		     struct ag_error *err);

/* Path of the definition of uuid below dir (NULL = AG_MDEVCTL_DIR);
 * caller frees. */
char *ag_mdevctl_path(const char *dir, const char *uuid);

/* Load uuid's definition from dir.  Returns 1 when there is none, 0 when
 * loaded, -1 on error. */
int ag_mdevctl_load(const char *dir, const char *uuid,
		    struct ag_mdevctl_def *def, struct ag_notes *notes,
		    struct ag_error *err);

/* UUIDs (lowercase) defined below dir/matrix, sorted; *n set.  A missing
 * directory is no definitions.  Caller frees each and the array. */
int ag_mdevctl_list(const char *dir, char ***uuids, size_t *n,
		    struct ag_error *err);

void ag_mdevctl_def_free(struct ag_mdevctl_def *def);

#endif
