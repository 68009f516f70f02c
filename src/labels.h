/* labels.h - host labels: the site's own words about a host ("zone: a",
 * "tenant: acme"), given in apgate.yaml `labels:` and carried in every
 * descriptor (and inventory) the host writes as `host_labels`.
 *
 * Owns the one rule for what a label is, the one reader (a YAML/JSON
 * mapping node into validated, sorted pairs) and the writers (JSON object,
 * YAML block mapping) that config_file.c, the descriptor and the inventory
 * formats share, so that the shape cannot drift between them.
 *
 *   key:   1..63 bytes of a-z 0-9 . _ / -, starting with a-z or 0-9
 *          (lowercase only: "Zone" and "zone" must not be two labels;
 *          '/' lets sites namespace keys like "example.com/zone")
 *   value: 1..255 bytes of UTF-8 text without control characters (C0,
 *          DEL, C1), a YAML string (quote numbers and true/false)
 *   at most 64 labels per host
 */
#ifndef APGATE_LABELS_H
#define APGATE_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

#define AG_LABELS_MAX 64
#define AG_LABEL_KEY_MAX 63
#define AG_LABEL_VALUE_MAX 255

struct ag_label {
	char *key;
	char *value;
};

/* Sorted by key (bytewise), keys unique.  {NULL, 0} is "no labels". */
struct ag_labels {
	struct ag_label *items;
	size_t n;
};

bool ag_label_key_valid(const char *key, size_t len);
bool ag_label_value_valid(const char *value, size_t len);

/* Read a mapping node of labels into *out (replacing what it held).
 * path names the field in messages ("labels", "host_labels"); errors
 * read "NAME:LINE:COL: PATH[.KEY]: expected WHAT, found WHAT". */
struct ag_ynode;
int ag_labels_from_ynode(const char *name, const char *path,
			 const struct ag_ynode *node, struct ag_labels *out,
			 struct ag_error *err);

/* Whether l holds valid labels in canonical order (for producers other
 * than the reader); name prefixes the message. */
int ag_labels_check(const struct ag_labels *l, const char *name,
		    struct ag_error *err);

/* Value of key, NULL when absent. */
const char *ag_labels_get(const struct ag_labels *l, const char *key);
/* dst becomes a deep copy of src (dst's old pairs are freed). */
void ag_labels_copy(struct ag_labels *dst, const struct ag_labels *src);
void ag_labels_free(struct ag_labels *l);

/* {"key": "value", ...} with keys in bytewise order. */
json_object *ag_labels_to_json(const struct ag_labels *l);

/* "KEY:" and a block mapping of the labels (values double-quoted, so that
 * they read back as strings); nothing at all when l is empty. */
struct ag_yemit;
void ag_labels_emit_yaml(struct ag_yemit *e, const char *key,
			 const struct ag_labels *l);

#endif
