/* ptyaml.c - YAML helpers of the policy-test modules: copying nodes,
 * scalar type checks and messages naming the file, line and column. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ptint.h"
#include "util.h"

struct ag_ynode *pt_ycopy(const struct ag_ynode *n)
{
	struct ag_ynode *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->kind = n->kind;
	c->line = n->line;
	c->col = n->col;
	c->plain = n->plain;
	c->len = n->len;
	if (n->value) {
		c->value = xmalloc(n->len + 1);
		memcpy(c->value, n->value, n->len + 1);
	}
	c->n = n->n;
	if (n->n) {
		c->items = xcalloc(n->n, sizeof(*c->items));
		for (i = 0; i < n->n; i++)
			c->items[i] = pt_ycopy(n->items[i]);
		if (n->keys) {
			c->keys = xcalloc(n->n, sizeof(*c->keys));
			for (i = 0; i < n->n; i++)
				c->keys[i] = pt_ycopy(n->keys[i]);
		}
	}
	return c;
}

bool pt_is_str(const struct ag_ynode *n)
{
	return n && n->kind == AG_YSCALAR && ag_yscalar_type(n) == AG_YT_STR;
}

bool pt_is_null(const struct ag_ynode *n)
{
	return n && n->kind == AG_YSCALAR && ag_yscalar_type(n) == AG_YT_NULL;
}

int pt_fail_at(struct ag_error *err, const char *name,
	       const struct ag_ynode *n, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ag_error_set(err, "%s:%u:%u: %s", name, n->line, n->col, what);
	return -1;
}

int pt_expected(struct ag_error *err, const char *name,
		const struct ag_ynode *n, const char *what)
{
	char buf[96];

	ag_error_set(err, "%s:%u:%u: expected %s, found %s", name, n->line,
		     n->col, what, ag_ynode_describe(n, buf, sizeof(buf)));
	return -1;
}

/* Keys of map outside the allowed list are errors. */
int pt_only_keys(const struct ag_ynode *map, const char *const *allowed,
		 const char *name, const char *where,
		 struct ag_error *err)
{
	size_t k;

	for (k = 0; k < map->n; k++) {
		const char *const *a;
		char list[256] = "";

		for (a = allowed; *a; a++)
			if (strcmp(map->keys[k]->value, *a) == 0)
				break;
		if (*a)
			continue;
		for (a = allowed; *a; a++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", a == allowed ? "" : ", ", *a);
		ag_error_set(err, "%s:%u:%u: unknown key \"%s\" in %s "
			     "(expected %s)", name, map->keys[k]->line,
			     map->keys[k]->col, map->keys[k]->value, where, list);
		return -1;
	}
	return 0;
}

