/* keys.h - master-key files: MKVPs declared by a security team per APQN
 * or per domain (origin declared), or collected inside a guest with
 * `apgate collect --guest` (origin guest), merged into a host descriptor
 * for the queues whose keys the host cannot see (bound to vfio_ap).
 *
 * Format (schemas/keys-v1.schema.json), strict YAML or JSON:
 *   apgate-keys: 1
 *   origin: declared            # or guest
 *   host: "..."                 # optional: where the keys were read
 *   at: "RFC 3339"              # optional
 *   tool: "..."                 # optional
 *   guest: {secure_execution: false}   # optional, from --guest
 *   keys:
 *     - apqn: "05.0004"         # one APQN, or
 *       aes: {cur: {state: valid, mkvp: "0x..."}, ...}
 *       sym: {...}              # CCA SYM (DES): declared only
 *     - domain: 0x47            # every APQN of that usage domain
 *       wk: {cur: {...}, new: {...}}
 * Per-APQN entries win over per-domain ones.
 */
#ifndef APGATE_KEYS_H
#define APGATE_KEYS_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "descriptor.h"
#include "error.h"
#include "notes.h"

#define AG_KEYS_VERSION 1
#define AG_KEYS_MAX_BYTES (16u * 1024 * 1024)

struct ag_keys_entry {
	bool is_apqn;		/* else per domain */
	unsigned adapter;	/* is_apqn only */
	unsigned domain;
	unsigned line, col;	/* position in the file, 0 when built */
	struct ag_mkvps mkvps;	/* origin = the file's origin */
};

struct ag_keys {
	char *name;		/* file name for messages */
	enum ag_mk_origin origin;	/* declared or guest */
	char *host, *at, *tool;	/* NULL unset */
	/* guest.secure_execution: a guest collection saw
	 * /sys/firmware/uv/prot_virt_guest; merged into the descriptor */
	enum ag_tri secure_execution;
	struct ag_keys_entry *entries;
	size_t n;
};

int ag_keys_load_buffer(const char *name, const char *buf, size_t len,
			struct ag_keys **out, struct ag_error *err);
int ag_keys_load_file(const char *path, bool insecure, struct ag_keys **out,
		      struct ag_error *err);
struct ag_keys *ag_keys_new(enum ag_mk_origin origin);
/* Append an entry (registers unset); returns it. */
struct ag_keys_entry *ag_keys_add(struct ag_keys *k, bool is_apqn,
				  unsigned adapter, unsigned domain);
void ag_keys_free(struct ag_keys *k);

/* The entry for an APQN: its own, else its domain's; NULL if none. */
const struct ag_keys_entry *ag_keys_lookup(const struct ag_keys *k,
					   unsigned adapter, unsigned domain);

/* Merge into d (normalised): queues without visible master keys take the
 * file's; queues whose keys sysfs shows keep them (a differing file entry
 * is a warning).  Entries outside the mdev or for absent queues are
 * notes; keys of the wrong family for a card's mode are an error. */
int ag_keys_merge(const struct ag_keys *k, struct ag_descriptor *d,
		  struct ag_notes *notes, struct ag_error *err);
/* The same for a whole host (an inventory's hardware): every queue takes
 * its entry's keys; entries for absent queues or domains are notes. */
int ag_keys_merge_host(const struct ag_keys *k, struct ag_descriptor *d,
		       struct ag_notes *notes, struct ag_error *err);

int ag_keys_emit_yaml(const struct ag_keys *k, FILE *out,
		      struct ag_error *err);
json_object *ag_keys_to_json(const struct ag_keys *k);

#endif
