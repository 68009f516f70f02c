/* statefile.h - JSON documents of the state directory (migration blocks,
 * waivers): changed by read-modify-write under a per-document lock and
 * replaced atomically, so parallel writers never lose each other's change
 * and a reader never sees half a file.
 */
#ifndef APGATE_STATEFILE_H
#define APGATE_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"
#include "trust.h"

/* Take the exclusive lock STATE_DIR/NAME.lock, creating the directory
 * when missing.  Returns the descriptor to close to release it, or -1. */
int ag_state_lock(const char *state_dir, const char *name,
		  struct ag_error *err);

/* Read path (at most max bytes) as one JSON value; *out is NULL when the
 * file does not exist.  With trust, the file is read through the trust
 * checks of kind (trust.h). */
int ag_state_read(const char *path, size_t max, bool trust,
		  enum ag_trust_kind kind, bool insecure, json_object **out,
		  struct ag_error *err);

/* Write root to path as pretty JSON, atomically (mode 0644). */
int ag_state_write(const char *path, json_object *root, struct ag_error *err);

#endif
