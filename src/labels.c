/* labels.c - host labels: validation, the reader and the writers (see
 * labels.h for the rule). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "textsafe.h"
#include "util.h"
#include "yamlemit.h"
#include "yamltree.h"

#define KEY_WHAT "a label key: 1..63 characters of a-z, 0-9, '.', '_', " \
		 "'/', '-', starting with a-z or 0-9"
#define VALUE_WHAT "a label value: a string of 1..255 bytes without " \
		   "control characters"

bool ag_label_key_valid(const char *key, size_t len)
{
	size_t i;

	if (len < 1 || len > AG_LABEL_KEY_MAX || strlen(key) != len)
		return false;
	for (i = 0; i < len; i++) {
		char c = key[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || !strchr("._/-", c)))
			return false;
	}
	return true;
}

bool ag_label_value_valid(const char *value, size_t len)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t i;

	if (len < 1 || len > AG_LABEL_VALUE_MAX || !ag_utf8_valid(value, len))
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
		/* C1 controls U+0080..U+009F are encoded C2 80..C2 9F */
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return false;
	}
	return true;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct ag_label *)a)->key,
		      ((const struct ag_label *)b)->key);
}

void ag_labels_free(struct ag_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void ag_labels_copy(struct ag_labels *dst, const struct ag_labels *src)
{
	size_t i;

	if (dst == src)
		return;
	ag_labels_free(dst);
	if (!src->n)
		return;
	dst->items = xcalloc(src->n, sizeof(*dst->items));
	for (i = 0; i < src->n; i++) {
		dst->items[i].key = xstrdup(src->items[i].key);
		dst->items[i].value = xstrdup(src->items[i].value);
	}
	dst->n = src->n;
}

const char *ag_labels_get(const struct ag_labels *l, const char *key)
{
	struct ag_label probe = { (char *)key, NULL }, *hit;

	if (!l->n)
		return NULL;
	hit = bsearch(&probe, l->items, l->n, sizeof(*l->items), cmp_label);
	return hit ? hit->value : NULL;
}

int ag_labels_from_ynode(const char *name, const char *path,
			 const struct ag_ynode *node, struct ag_labels *out,
			 struct ag_error *err)
{
	struct ag_labels l = { NULL, 0 };
	char found[256];
	size_t i;

	if (node->kind != AG_YMAP)
		return ag_yerror(err, name, node, "%s: expected a mapping of "
				 "labels like {zone: a, tenant: acme}, found %s",
				 path, ag_ynode_describe(node, found,
							 sizeof(found)));
	if (node->n > AG_LABELS_MAX)
		return ag_yerror(err, name, node->keys[AG_LABELS_MAX], "%s: more "
				 "than %d labels", path, AG_LABELS_MAX);
	l.items = xcalloc(node->n ? node->n : 1, sizeof(*l.items));
	for (i = 0; i < node->n; i++) {
		const struct ag_ynode *k = node->keys[i], *v = node->items[i];
		char q[96];

		/* A key is text whatever YAML would make of it ("1", "null"):
		 * only its characters count. */
		if (!ag_label_key_valid(k->value, k->len)) {
			ag_quote_safe(k->value, 80, q, sizeof(q));
			ag_yerror(err, name, k, "%s: expected " KEY_WHAT
				  ", found \"%s\"", path, q);
			goto fail;
		}
		if (v->kind != AG_YSCALAR || ag_yscalar_type(v) != AG_YT_STR ||
		    !ag_label_value_valid(v->value, v->len)) {
			bool typed = v->kind == AG_YSCALAR &&
				     ag_yscalar_type(v) != AG_YT_STR &&
				     ag_yscalar_type(v) != AG_YT_NULL;

			if (v->kind == AG_YSCALAR &&
			    ag_yscalar_type(v) == AG_YT_STR &&
			    v->len > AG_LABEL_VALUE_MAX)
				snprintf(found, sizeof(found), "a string of %zu "
					 "bytes", v->len);
			else
				ag_ynode_describe(v, found, sizeof(found));
			ag_yerror(err, name, v, "%s.%s: expected " VALUE_WHAT
				  ", found %s%s", path, k->value, found,
				  typed ? " (quote it to make it a string)" :
				  "");
			goto fail;
		}
		l.items[i].key = xstrdup(k->value);
		l.items[i].value = xstrdup(v->value);
		l.n++;
	}
	/* the parser refuses duplicate keys, so sorting is all that is left */
	qsort(l.items, l.n, sizeof(*l.items), cmp_label);
	ag_labels_free(out);
	*out = l;
	return 0;
fail:
	ag_labels_free(&l);
	return -1;
}

int ag_labels_check(const struct ag_labels *l, const char *name,
		    struct ag_error *err)
{
	size_t i;

	if (l->n > AG_LABELS_MAX) {
		ag_error_set(err, "%s: more than %d host labels", name,
			     AG_LABELS_MAX);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		const struct ag_label *x = &l->items[i];

		if (!ag_label_key_valid(x->key, strlen(x->key)) ||
		    !ag_label_value_valid(x->value, strlen(x->value)) ||
		    (i && strcmp(l->items[i - 1].key, x->key) >= 0)) {
			ag_error_set(err, "%s: host label %zu is not a valid, "
				     "sorted, unique key with a value", name,
				     i + 1);
			return -1;
		}
	}
	return 0;
}

json_object *ag_labels_to_json(const struct ag_labels *l)
{
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < l->n; i++)	/* already in bytewise order */
		json_object_object_add(o, l->items[i].key,
				       json_object_new_string(l->items[i].value));
	return o;
}

/* Whether a key reads back as text in every YAML reader when plain: not
 * a number (leading digit) and none of YAML 1.1's and 1.2's words for
 * booleans and null. */
static bool plain_key_safe(const char *k)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null",
		NULL,
	};
	size_t i;

	if (k[0] >= '0' && k[0] <= '9')
		return false;
	for (i = 0; words[i]; i++)
		if (strcmp(k, words[i]) == 0)
			return false;
	return true;
}

void ag_labels_emit_yaml(struct ag_yemit *e, const char *key,
			 const struct ag_labels *l)
{
	size_t i;

	if (!l->n)
		return;
	ag_yemit_scalar(e, key, false);
	ag_yemit_map_start(e, false);
	for (i = 0; i < l->n; i++) {
		ag_yemit_scalar(e, l->items[i].key,
				!plain_key_safe(l->items[i].key));
		ag_yemit_scalar(e, l->items[i].value, true);
	}
	ag_yemit_map_end(e);
}
