/* yamltree.c - strict YAML/JSON documents as a position-carrying node tree.
 *
 * Owns the libyaml event loop, the refusal of constructs apgate never
 * accepts (anchors, aliases, tags, several documents, duplicate or
 * non-scalar keys, excessive nesting or size) and YAML 1.2 core-schema
 * resolution of plain scalars.  libyaml's document API is not used: it
 * would expand aliases before we could refuse them and it keeps no
 * duplicate-key check.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "textsafe.h"
#include "util.h"
#include "yamltree.h"

/* One open collection while the tree is built. */
struct frame {
	struct ag_ynode *node;
	size_t cap;		/* capacity of node->items (and ->keys) */
	struct ag_ynode *pending_key;	/* mappings: key awaiting a value */
	/* mappings: open-addressing set of key indexes + 1, so duplicate
	 * keys are found in document order without quadratic cost */
	size_t *htab;
	size_t hcap;
};

struct builder {
	const char *name;
	struct ag_error *err;
	struct frame stack[AG_YAML_MAX_DEPTH];
	size_t depth;
	struct ag_ynode *root;
	size_t nodes;
	int documents;
};

static void quote(const struct ag_ynode *node, char *out, size_t size);
static void set_err_at(struct builder *b, yaml_mark_t mark, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static void set_err_at(struct builder *b, yaml_mark_t mark, const char *fmt,
		       ...)
{
	char msg[AG_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ag_error_set(b->err, "%s:%zu:%zu: %s", b->name, mark.line + 1,
		     mark.column + 1, msg);
}

void ag_ynode_free(struct ag_ynode *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; i < node->n; i++) {
		ag_ynode_free(node->items[i]);
		if (node->keys)
			ag_ynode_free(node->keys[i]);
	}
	free(node->items);
	free(node->keys);
	if (node->value != (char *)(node + 1))	/* else part of the node */
		free(node->value);
	free(node);
}

static size_t key_hash(const struct ag_ynode *k)
{
	uint64_t h = UINT64_C(1469598103934665603);	/* FNV-1a */
	size_t i;

	for (i = 0; i < k->len; i++) {
		h ^= (unsigned char)k->value[i];
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

static bool key_equal(const struct ag_ynode *a, const struct ag_ynode *b)
{
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

static void htab_insert(struct frame *f, size_t idx)
{
	size_t mask = f->hcap - 1;
	size_t h = key_hash(f->node->keys[idx]) & mask;

	while (f->htab[h])
		h = (h + 1) & mask;
	f->htab[h] = idx + 1;
}

/* Mappings up to this many keys are searched in order: most have a
 * handful, and a table each cost more than it saved. */
#define HTAB_MIN_KEYS 8

/* Index of an existing equal key, or (size_t)-1. */
static size_t htab_find(const struct frame *f, const struct ag_ynode *key)
{
	size_t mask, h, i;

	if (!f->hcap) {
		for (i = 0; i < f->node->n; i++)
			if (key_equal(f->node->keys[i], key))
				return i;
		return (size_t)-1;
	}
	mask = f->hcap - 1;
	h = key_hash(key) & mask;
	while (f->htab[h]) {
		if (key_equal(f->node->keys[f->htab[h] - 1], key))
			return f->htab[h] - 1;
		h = (h + 1) & mask;
	}
	return (size_t)-1;
}

/* Make room for need keys; true when the table was (re)built, which
 * indexes every key so far. */
static bool htab_grow(struct frame *f, size_t need)
{
	size_t i;

	if (need <= HTAB_MIN_KEYS || need * 2 <= f->hcap)
		return false;
	free(f->htab);
	f->hcap = f->hcap ? f->hcap * 2 : 16;
	while (need * 2 > f->hcap)
		f->hcap *= 2;
	f->htab = xcalloc(f->hcap, sizeof(*f->htab));
	for (i = 0; i < f->node->n; i++)
		htab_insert(f, i);
	return true;
}

/* A node with extra bytes after it (a scalar's value: one allocation per
 * scalar instead of two, and most nodes are scalars). */
static struct ag_ynode *new_node(struct builder *b, enum ag_ynode_kind kind,
				 yaml_mark_t mark, size_t extra)
{
	struct ag_ynode *n;

	if (b->nodes >= AG_YAML_MAX_NODES) {
		set_err_at(b, mark, "more than %d nodes", AG_YAML_MAX_NODES);
		return NULL;
	}
	b->nodes++;
	n = xmalloc(sizeof(*n) + extra);
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)mark.line + 1;
	n->col = (unsigned)mark.column + 1;
	return n;
}

/* Attach a finished or just opened node to the innermost collection (or
 * make it the root).  On error the node is freed. */
static int attach(struct builder *b, struct ag_ynode *n, yaml_mark_t mark)
{
	struct frame *f;
	struct ag_ynode *c;
	size_t first;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	c = f->node;
	if (c->kind == AG_YSEQ) {
		c->items = xgrow(c->items, &f->cap, c->n + 1,
				 sizeof(*c->items));
		c->items[c->n++] = n;
		return 0;
	}
	if (!f->pending_key) {
		if (n->kind != AG_YSCALAR) {
			set_err_at(b, mark, "mapping keys must be scalars, "
				   "found %s", n->kind == AG_YMAP ?
				   "a mapping" : "a list");
			ag_ynode_free(n);
			return -1;
		}
		first = htab_find(f, n);
		if (first != (size_t)-1) {
			char q[200];

			quote(n, q, sizeof(q));
			set_err_at(b, mark, "duplicate key \"%s\" "
				   "(first at line %u)", q,
				   c->keys[first]->line);
			ag_ynode_free(n);
			return -1;
		}
		f->pending_key = n;
		return 0;
	}
	{
		size_t cap = f->cap;

		c->items = xgrow(c->items, &f->cap, c->n + 1,
				 sizeof(*c->items));
		if (f->cap != cap || !c->keys)
			c->keys = xrealloc(c->keys,
					   f->cap * sizeof(*c->keys));
	}
	c->keys[c->n] = f->pending_key;
	c->items[c->n] = n;
	c->n++;
	f->pending_key = NULL;
	if (!htab_grow(f, c->n) && f->hcap)
		htab_insert(f, c->n - 1);
	return 0;
}

static int open_collection(struct builder *b, enum ag_ynode_kind kind,
			   yaml_mark_t mark)
{
	struct ag_ynode *n;

	if (b->depth >= AG_YAML_MAX_DEPTH) {
		set_err_at(b, mark, "nesting deeper than %d levels",
			   AG_YAML_MAX_DEPTH);
		return -1;
	}
	n = new_node(b, kind, mark, 0);
	if (!n || attach(b, n, mark) < 0)
		return -1;
	memset(&b->stack[b->depth], 0, sizeof(b->stack[b->depth]));
	b->stack[b->depth].node = n;
	b->depth++;
	return 0;
}

static void close_collection(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];

	free(f->htab);
	f->htab = NULL;
	f->hcap = 0;
}

/* Everything still open belongs to b->root (or is a pending key). */
static void builder_cleanup(struct builder *b)
{
	while (b->depth > 0) {
		struct frame *f = &b->stack[b->depth - 1];

		ag_ynode_free(f->pending_key);
		f->pending_key = NULL;
		close_collection(b);
	}
	ag_ynode_free(b->root);
	b->root = NULL;
}

/* Turn a libyaml error into "NAME:L:C: problem context". */
static void parser_error(struct builder *b, const yaml_parser_t *p,
			 const char *buf, size_t len)
{
	yaml_mark_t mark = p->problem_mark;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		ag_error_set(b->err, "%s: out of memory while parsing YAML",
			     b->name);
		return;
	case YAML_READER_ERROR: {
		/* the reader reports a byte offset, not a mark */
		size_t i, off = p->problem_offset;

		memset(&mark, 0, sizeof(mark));
		for (i = 0; i < off && i < len; i++) {
			if (buf[i] == '\n') {
				mark.line++;
				mark.column = 0;
			} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
				mark.column++;
			}
		}
		if (p->problem_value != -1)
			set_err_at(b, mark, "%s (byte 0x%02x)", problem,
				   (unsigned)p->problem_value & 0xff);
		else
			set_err_at(b, mark, "%s", problem);
		return;
	}
	default:
		break;
	}
	if (p->context)
		set_err_at(b, mark, "%s %s", problem, p->context);
	else
		set_err_at(b, mark, "%s", problem);
}

/* Returns 1 when the stream ended, 0 to continue, -1 on error. */
static int handle_event(struct builder *b, yaml_event_t *ev)
{
	struct ag_ynode *n;
	yaml_char_t *anchor = NULL, *tag = NULL;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor || ev->type == YAML_ALIAS_EVENT) {
		set_err_at(b, ev->start_mark,
			   "aliases and anchors are not allowed");
		return -1;
	}
	/* Any tag, even the non-specific "!", changes how a node resolves;
	 * apgate only reads untagged core-schema data. */
	if (tag) {
		set_err_at(b, ev->start_mark, "tags are not allowed (found "
			   "\"%.60s\")", (const char *)tag);
		return -1;
	}

	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1) {
			set_err_at(b, ev->start_mark,
				   "more than one YAML document");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		n = new_node(b, AG_YSCALAR, ev->start_mark,
			     ev->data.scalar.length + 1);
		if (!n)
			return -1;
		/* all the bytes: a NUL among them shows as strlen < len */
		n->len = ev->data.scalar.length;
		n->value = (char *)(n + 1);
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return attach(b, n, ev->start_mark);
	case YAML_SEQUENCE_START_EVENT:
		return open_collection(b, AG_YSEQ, ev->start_mark);
	case YAML_MAPPING_START_EVENT:
		return open_collection(b, AG_YMAP, ev->start_mark);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			close_collection(b);
		return 0;
	default:
		set_err_at(b, ev->start_mark, "unexpected YAML event");
		return -1;
	}
}

int ag_yaml_parse(const char *name, const char *buf, size_t len,
		  struct ag_ynode **root, struct ag_error *err)
{
	struct builder b;
	yaml_parser_t parser;
	int rc = 0;

	memset(&b, 0, sizeof(b));
	b.name = name;
	b.err = err;
	*root = NULL;
	if (!yaml_parser_initialize(&parser)) {
		ag_error_set(err, "%s: cannot initialise the YAML parser",
			     name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf,
				     len);
	for (;;) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&b, &parser, buf, len);
			rc = -1;
			break;
		}
		rc = handle_event(&b, &ev);
		yaml_event_delete(&ev);
		if (rc != 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		builder_cleanup(&b);
		return -1;
	}
	if (!b.root) {
		/* empty stream: an empty document, i.e. null */
		b.root = xcalloc(1, sizeof(*b.root));
		b.root->kind = AG_YSCALAR;
		b.root->value = xstrdup("");
		b.root->plain = true;
		b.root->line = 1;
		b.root->col = 1;
	}
	*root = b.root;
	return 0;
}

const struct ag_ynode *ag_ymap_get(const struct ag_ynode *map, const char *key)
{
	size_t i, klen;

	if (!map || map->kind != AG_YMAP)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < map->n; i++)
		if (map->keys[i]->len == klen &&
		    memcmp(map->keys[i]->value, key, klen) == 0)
			return map->items[i];
	return NULL;
}

/* --- YAML 1.2 core schema --- */

static bool all_in(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

#define DIGITS "0123456789"
#define HEXDIGITS "0123456789abcdefABCDEF"

static bool is_core_int(const char *s)
{
	if (s[0] == '0' && s[1] == 'x')
		return all_in(s + 2, HEXDIGITS);
	if (s[0] == '0' && s[1] == 'o')
		return all_in(s + 2, "01234567");
	if (*s == '-' || *s == '+')
		s++;
	return all_in(s, DIGITS);
}

/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
 * and the special values .inf and .nan */
static bool is_core_float(const char *s)
{
	static const char *const special[] = {
		".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
	};
	size_t i, digits = 0;

	for (i = 0; i < AG_ARRAY_SIZE(special); i++)
		if (strcmp(s, special[i]) == 0)
			return true;
	if (*s == '-' || *s == '+') {
		s++;
		for (i = 0; i < 3; i++)	/* signed .inf only */
			if (strcmp(s, special[i]) == 0)
				return true;
	}
	while (*s >= '0' && *s <= '9') {
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			s++;
			digits++;
		}
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!all_in(s, DIGITS))
			return false;
		return true;
	}
	return *s == '\0';
}

enum ag_ytype ag_yscalar_type(const struct ag_ynode *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = {
		"true", "True", "TRUE", "false", "False", "FALSE",
	};
	const char *s;
	size_t i;

	if (!node || node->kind != AG_YSCALAR || !node->plain)
		return AG_YT_STR;
	s = node->value;
	if (strlen(s) != node->len)
		return AG_YT_STR;
	/* Only these first letters can start a null or a boolean: most
	 * scalars need no string comparison (descriptors hold thousands). */
	switch (s[0]) {
	case '\0': case '~': case 'n': case 'N':
		for (i = 0; i < AG_ARRAY_SIZE(nulls); i++)
			if (strcmp(s, nulls[i]) == 0)
				return AG_YT_NULL;
		break;
	case 't': case 'T': case 'f': case 'F':
		for (i = 0; i < AG_ARRAY_SIZE(bools); i++)
			if (strcmp(s, bools[i]) == 0)
				return AG_YT_BOOL;
		break;
	default:
		break;
	}
	if (is_core_int(s))
		return AG_YT_INT;
	if (is_core_float(s))
		return AG_YT_FLOAT;
	return AG_YT_STR;
}

int ag_ybool(const struct ag_ynode *node, bool *out)
{
	if (ag_yscalar_type(node) != AG_YT_BOOL)
		return -1;
	*out = node->value[0] == 't' || node->value[0] == 'T';
	return 0;
}

int ag_yint(const struct ag_ynode *node, int64_t *out)
{
	const char *s;
	uint64_t v = 0, limit = (uint64_t)INT64_MAX;
	bool neg = false;

	if (ag_yscalar_type(node) != AG_YT_INT)
		return -1;
	s = node->value;
	if (s[0] == '0' && s[1] == 'x') {
		for (s += 2; *s; s++) {
			unsigned d = (unsigned)(*s <= '9' ? *s - '0' :
						(*s | 0x20) - 'a' + 10);

			if (v > (limit - d) / 16)
				return -1;
			v = v * 16 + d;
		}
		*out = (int64_t)v;
		return 0;
	}
	if (s[0] == '0' && s[1] == 'o')
		return -1;	/* octal is too easy to misread as decimal */
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (s[0] == '0' && s[1] != '\0')
		return -1;	/* leading zeros: octal to some readers */
	if (neg)
		limit++;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

/* Quote a scalar for a message with the shared escaping (textsafe.h):
 * quotes, backslashes, control bytes and invalid UTF-8 escaped, long text
 * cut with "...". */
static void quote(const struct ag_ynode *node, char *out, size_t size)
{
	ag_quote_safe(node->value, 40, out, size);
}

const char *ag_ynode_describe(const struct ag_ynode *node, char *buf,
			      size_t size)
{
	char q[200];

	if (!buf || size == 0)
		return "";
	if (!node) {
		snprintf(buf, size, "nothing");
		return buf;
	}
	switch (node->kind) {
	case AG_YMAP:
		snprintf(buf, size, "a mapping");
		return buf;
	case AG_YSEQ:
		snprintf(buf, size, "a list");
		return buf;
	case AG_YSCALAR:
		break;
	}
	quote(node, q, sizeof(q));
	switch (ag_yscalar_type(node)) {
	case AG_YT_NULL:
		snprintf(buf, size, "null");
		break;
	case AG_YT_BOOL:
		snprintf(buf, size, "the boolean %s", q);
		break;
	case AG_YT_INT:
		snprintf(buf, size, "the integer %s", q);
		break;
	case AG_YT_FLOAT:
		snprintf(buf, size, "the number %s", q);
		break;
	case AG_YT_STR:
		snprintf(buf, size, "the string \"%s\"", q);
		break;
	}
	return buf;
}

int ag_vyerror(struct ag_error *err, const char *name,
	       const struct ag_ynode *node, const char *fmt, va_list ap)
{
	char msg[AG_ERROR_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (node)
		ag_error_set(err, "%s:%u:%u: %s", name, node->line, node->col, msg);
	else
		ag_error_set(err, "%s: %s", name, msg);
	return -1;
}

int ag_yerror(struct ag_error *err, const char *name,
	      const struct ag_ynode *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ag_vyerror(err, name, node, fmt, ap);
	va_end(ap);
	return -1;
}
