/* yamltree.h - strict YAML (and therefore JSON) documents as a node tree.
 *
 * Built from libyaml's event stream so that every node keeps its position
 * and so that the constructs apgate refuses are seen before they can do
 * harm: anchors and aliases (billion-laughs), explicit tags, more than one
 * document, duplicate mapping keys, non-scalar keys, nesting deeper than
 * AG_YAML_MAX_DEPTH and more than AG_YAML_MAX_NODES nodes.
 *
 * Scalars are resolved with the YAML 1.2 core schema, which is also JSON's
 * view: a plain "true" is a boolean, a plain "12" or "0x0c" an integer, a
 * plain "05.0004" a float, and only quoted or otherwise plain text a string.
 */
#ifndef APGATE_YAMLTREE_H
#define APGATE_YAMLTREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define AG_YAML_MAX_DEPTH 64
#define AG_YAML_MAX_NODES 2000000

enum ag_ynode_kind {
	AG_YSCALAR,
	AG_YSEQ,
	AG_YMAP,
};

/* Core-schema type of a scalar. */
enum ag_ytype {
	AG_YT_STR,
	AG_YT_INT,
	AG_YT_FLOAT,
	AG_YT_BOOL,
	AG_YT_NULL,
};

struct ag_ynode {
	enum ag_ynode_kind kind;
	unsigned line, col;		/* 1-based position of the node's start */
	/* scalars */
	char *value;			/* NUL-terminated */
	size_t len;
	bool plain;			/* unquoted, not a block literal */
	/* sequences (items) and mappings (keys[i] -> items[i]) */
	size_t n;
	struct ag_ynode **items;
	struct ag_ynode **keys;		/* mappings only; scalar nodes */
};

/* Parse buf (len bytes; name is used in messages) into *root.  Errors read
 * "NAME:LINE:COL: ...".  An empty document yields a NULL scalar root. */
int ag_yaml_parse(const char *name, const char *buf, size_t len,
		  struct ag_ynode **root, struct ag_error *err);

void ag_ynode_free(struct ag_ynode *node);

/* Mapping lookup; NULL when absent or when map is not a mapping. */
const struct ag_ynode *ag_ymap_get(const struct ag_ynode *map, const char *key);

/* Core-schema type of a scalar node (AG_YT_STR for non-plain scalars). */
enum ag_ytype ag_yscalar_type(const struct ag_ynode *node);

/* Typed accessors: 0 on success, -1 when the node is not of that type.
 * ag_yint accepts decimal and 0x hex without leading zeros. */
int ag_ybool(const struct ag_ynode *node, bool *out);
int ag_yint(const struct ag_ynode *node, int64_t *out);

/* Set err to "NAME:LINE:COL: message" at node (or "NAME: message" when
 * node is NULL); returns -1 so callers can `return ag_yerror(...)`. */
int ag_yerror(struct ag_error *err, const char *name,
	      const struct ag_ynode *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int ag_vyerror(struct ag_error *err, const char *name,
	       const struct ag_ynode *node, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* A human word for what the node is ("a mapping", "the integer 12",
 * "the string \"x\"") for "expected X, found Y" messages. */
const char *ag_ynode_describe(const struct ag_ynode *node, char *buf,
			      size_t size);

#endif
