/* ptpatch.c - patch operations on a descriptor tree (set, remove, append
 * at a path like "cards[adapter=6].type"), for test cases built as a base
 * plus a patch. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policytest.h"
#include "ptint.h"
#include "util.h"

static struct ag_ynode *ynew(enum ag_ynode_kind kind, const char *value,
			     const struct ag_ynode *at)
{
	struct ag_ynode *c = xcalloc(1, sizeof(*c));

	c->kind = kind;
	c->line = at->line;
	c->col = at->col;
	if (value) {
		c->value = xstrdup(value);
		c->len = strlen(value);
		c->plain = true;
	}
	return c;
}

enum sel_kind { SEL_NONE, SEL_INDEX, SEL_FIELD };

struct seg {
	char *name;
	enum sel_kind sel;
	size_t index;
	char *field, *value;
};

static void segs_free(struct seg *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].field);
		free(s[i].value);
	}
	free(s);
}

/* "cards[adapter=6].type" -> segments.  Names run up to '.', '[' or the
 * end; a selector is [N] (0-based index) or [FIELD=VALUE]. */
static struct seg *parse_path(const char *path, size_t *n, const char **why)
{
	struct seg *segs = NULL;
	size_t cap = 0;
	const char *p = path;

	*n = 0;
	for (;;) {
		struct seg *s;
		size_t l = strcspn(p, ".[]=");

		if (l == 0) {
			*why = "a key name";
			goto bad;
		}
		segs = xgrow(segs, &cap, *n + 1, sizeof(*segs));
		s = &segs[(*n)++];
		memset(s, 0, sizeof(*s));
		s->name = xstrndup(p, l);
		p += l;
		if (*p == '[') {
			const char *close = strchr(p, ']'), *eq;
			char *end;

			if (!close || close == p + 1) {
				*why = "a selector [N] or [FIELD=VALUE]";
				goto bad;
			}
			eq = memchr(p, '=', (size_t)(close - p));
			if (eq) {
				if (eq == p + 1 || eq + 1 == close) {
					*why = "[FIELD=VALUE] with both parts";
					goto bad;
				}
				s->sel = SEL_FIELD;
				s->field = xstrndup(p + 1, (size_t)(eq - p - 1));
				s->value = xstrndup(eq + 1, (size_t)(close - eq - 1));
			} else {
				s->sel = SEL_INDEX;
				errno = 0;
				s->index = strtoul(p + 1, &end, 10);
				if (end != close || errno || p[1] == '-' ||
				    p[1] == '+') {
					*why = "[N] with a decimal index";
					goto bad;
				}
			}
			p = close + 1;
		}
		if (*p == '\0')
			return segs;
		if (*p != '.') {
			*why = "'.' between keys";
			goto bad;
		}
		p++;
	}
bad:
	segs_free(segs, *n);
	return NULL;
}

/* Whether a scalar node equals a selector's VALUE: the same text, or the
 * same integer (adapter=6 selects "adapter: 0x06"). */
static bool value_equal(const struct ag_ynode *n, const char *value)
{
	long long want;
	int64_t have;
	char *end;

	if (!n || n->kind != AG_YSCALAR)
		return false;
	if (strcmp(n->value, value) == 0)
		return true;
	if (ag_yint(n, &have) < 0)
		return false;
	errno = 0;
	want = strtoll(value, &end, 0);
	return !errno && *end == '\0' && end != value && want == have;
}

static long select_item(const struct ag_ynode *seq, const struct seg *s,
			const char **why)
{
	long hit = -1;
	size_t i;

	if (s->sel == SEL_INDEX) {
		if (s->index >= seq->n) {
			*why = "the index is past the end of the list";
			return -1;
		}
		return (long)s->index;
	}
	for (i = 0; i < seq->n; i++) {
		if (seq->items[i]->kind != AG_YMAP ||
		    !value_equal(ag_ymap_get(seq->items[i], s->field), s->value))
			continue;
		if (hit >= 0) {
			*why = "the selector matches more than one item";
			return -1;
		}
		hit = (long)i;
	}
	if (hit < 0)
		*why = "the selector matches no item";
	return hit;
}

static long map_index(const struct ag_ynode *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return (long)i;
	return -1;
}

static void map_add(struct ag_ynode *map, const char *key,
		    struct ag_ynode *val, const struct ag_ynode *at)
{
	map->keys = xrealloc(map->keys, (map->n + 1) * sizeof(*map->keys));
	map->items = xrealloc(map->items, (map->n + 1) * sizeof(*map->items));
	map->keys[map->n] = ynew(AG_YSCALAR, key, at);
	map->items[map->n] = val;
	map->n++;
}

static void node_remove(struct ag_ynode *node, size_t i)
{
	ag_ynode_free(node->items[i]);
	memmove(node->items + i, node->items + i + 1,
		(node->n - i - 1) * sizeof(*node->items));
	if (node->keys) {
		ag_ynode_free(node->keys[i]);
		memmove(node->keys + i, node->keys + i + 1,
			(node->n - i - 1) * sizeof(*node->keys));
	}
	node->n--;
}

int ag_test_patch(struct ag_ynode **root, const struct ag_ynode *op,
		  const char *name, struct ag_error *err)
{
	static const char *const keys[] = { "set", "remove", "append",
					    "value", NULL };
	const struct ag_ynode *pathn = NULL, *value;
	const char *verb = NULL, *why = NULL;
	struct ag_ynode *node = *root;
	struct seg *segs;
	size_t n, i;
	long k, at;
	int rc = -1;

	if (op->kind != AG_YMAP)
		return pt_expected(err, name, op, "a patch operation "
				"{set|remove|append: PATH, value: V}");
	if (pt_only_keys(op, keys, name, "a patch operation", err) < 0)
		return -1;
	for (i = 0; keys[i + 1]; i++) {
		const struct ag_ynode *p = ag_ymap_get(op, keys[i]);

		if (!p)
			continue;
		if (verb)
			return pt_fail_at(err, name, op, "a patch operation has "
				       "one of set, remove and append");
		verb = keys[i];
		pathn = p;
	}
	if (!verb)
		return pt_fail_at(err, name, op, "a patch operation needs set, "
			       "remove or append");
	value = ag_ymap_get(op, "value");
	if (strcmp(verb, "remove") == 0 ? value != NULL : value == NULL)
		return pt_fail_at(err, name, op, "%s", strcmp(verb, "remove") == 0 ?
			       "remove takes no value" : "set and append need a value");
	if (!pt_is_str(pathn))
		return pt_expected(err, name, pathn, "a path like "
				"\"cards[adapter=6].type\"");
	segs = parse_path(pathn->value, &n, &why);
	if (!segs)
		return pt_fail_at(err, name, pathn, "bad path: expected %s", why);

	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];
		bool last = i + 1 == n;

		if (node->kind != AG_YMAP) {
			pt_fail_at(err, name, pathn, "path: \"%s\" is not inside "
				"a mapping", s->name);
			goto out;
		}
		k = map_index(node, s->name);
		if (last && s->sel == SEL_NONE) {
			if (strcmp(verb, "set") == 0) {
				if (k >= 0) {
					ag_ynode_free(node->items[k]);
					node->items[k] = pt_ycopy(value);
				} else {
					map_add(node, s->name, pt_ycopy(value), pathn);
				}
			} else if (strcmp(verb, "remove") == 0) {
				if (k < 0) {
					pt_fail_at(err, name, pathn, "path: no key "
						"\"%s\" to remove", s->name);
					goto out;
				}
				node_remove(node, (size_t)k);
			} else {
				struct ag_ynode *seq;

				if (k < 0) {
					map_add(node, s->name,
						ynew(AG_YSEQ, NULL, pathn), pathn);
					k = (long)node->n - 1;
				}
				seq = node->items[k];
				if (seq->kind != AG_YSEQ) {
					pt_fail_at(err, name, pathn, "path: \"%s\" "
						"is not a list to append to",
						s->name);
					goto out;
				}
				seq->items = xrealloc(seq->items, (seq->n + 1) *
						      sizeof(*seq->items));
				seq->items[seq->n++] = pt_ycopy(value);
			}
			rc = 0;
			goto out;
		}
		if (k < 0) {
			pt_fail_at(err, name, pathn, "path: no key \"%s\"", s->name);
			goto out;
		}
		node = node->items[k];
		if (s->sel == SEL_NONE)
			continue;
		if (node->kind != AG_YSEQ) {
			pt_fail_at(err, name, pathn, "path: \"%s\" is not a list",
				s->name);
			goto out;
		}
		at = select_item(node, s, &why);
		if (at < 0) {
			pt_fail_at(err, name, pathn, "path: %s", why);
			goto out;
		}
		if (last) {
			if (strcmp(verb, "set") == 0) {
				ag_ynode_free(node->items[at]);
				node->items[at] = pt_ycopy(value);
			} else if (strcmp(verb, "remove") == 0) {
				node_remove(node, (size_t)at);
			} else {
				pt_fail_at(err, name, pathn, "append takes a path "
					"to a list, not to an item");
				goto out;
			}
			rc = 0;
			goto out;
		}
		node = node->items[at];
	}
out:
	segs_free(segs, n);
	return rc;
}

