/* descriptor_ld.c - the descriptor loader's node readers and message
 * wording (see descriptor_ld.h): mappings, strict scalars (integers
 * 0..255 without octal, unquoted booleans, strings that are strings, RFC
 * 3339 times) and the positioned "expected ..., found ..." messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor_ld.h"
#include "timeutil.h"
#include "util.h"

void ld_index(char out[PATH_MAX_LEN], const char *parent, size_t idx)
{
	char digits[24];
	size_t pl = strnlen(parent, PATH_MAX_LEN - sizeof(digits) - 3), n = 0;

	/* "parent[idx]" without printf: every card, queue and list item of
	 * every descriptor gets one, for messages only */
	do
		digits[n++] = (char)('0' + idx % 10);
	while ((idx /= 10) > 0);
	memmove(out, parent, pl);
	out[pl++] = '[';
	while (n > 0)
		out[pl++] = digits[--n];
	out[pl++] = ']';
	out[pl] = '\0';
}

/* "parent.child" for field paths in messages (truncated when absurd). */
void ld_join(char out[PATH_MAX_LEN], const char *parent,
		 const char *child)
{
	size_t pl = strnlen(parent, PATH_MAX_LEN - 1);
	size_t cl = strnlen(child, PATH_MAX_LEN - 1 - pl);

	/* memcpy rather than snprintf: gcc flags every "%s.%s" into a
	 * fixed buffer as possibly truncated */
	memmove(out, parent, pl);
	if (pl + 1 + cl < PATH_MAX_LEN) {
		out[pl++] = '.';
		memcpy(out + pl, child, cl);
		pl += cl;
	}
	out[pl] = '\0';
}

int ld_fail(struct loader *ld, const struct ag_ynode *n, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	ag_vyerror(ld->err, ld->name, n, fmt, ap);
	va_end(ap);
	return -1;
}

const char *ld_describe(const struct ag_ynode *n, char *buf, size_t size)
{
	return ag_ynode_describe(n, buf, size);
}

int ld_expected(struct loader *ld, const struct ag_ynode *n,
			 const char *path, const char *what, const char *hint)
{
	char found[256];

	return ld_fail(ld, n, "%s: expected %s, found %s%s", path, what,
		    ld_describe(n, found, sizeof(found)), hint ? hint : "");
}

/* --- mappings --- */

int ld_want_map(struct loader *ld, const struct ag_ynode *n,
		    const char *path)
{
	if (n->kind != AG_YMAP)
		return ld_expected(ld, n, path, "a mapping", NULL);
	return 0;
}

int ld_want_seq(struct loader *ld, const struct ag_ynode *n,
		    const char *path, const char *what)
{
	if (n->kind != AG_YSEQ)
		return ld_expected(ld, n, path, what, NULL);
	return 0;
}

bool ld_key_is(const struct ag_ynode *k, const char *name)
{
	return k->len == strlen(name) && memcmp(k->value, name, k->len) == 0;
}

/* Refuse keys outside allowed (NULL-terminated), naming the allowed ones;
 * where is "at top level" or "in mdev" and so on. */
int ld_check_keys(struct loader *ld, const struct ag_ynode *map,
		      const char *where, const char *const *allowed)
{
	size_t i, j;

	for (i = 0; i < map->n; i++) {
		const struct ag_ynode *k = map->keys[i];
		char list[320] = "", found[256];
		bool ok = false;

		for (j = 0; allowed[j]; j++)
			if (ld_key_is(k, allowed[j]))
				ok = true;
		if (ok)
			continue;
		for (j = 0; allowed[j]; j++) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof(list) - used, "%s%s",
				 j ? ", " : "", allowed[j]);
		}
		/* ld_describe() quotes and escapes the key text for us */
		ld_describe(k, found, sizeof(found));
		/* the usual cause: a newer format revision from another host */
		return ld_fail(ld, k, "unknown key %s in %s (allowed: %s); if "
			    "another host wrote this %s, it may run "
			    "a newer apgate than this one",
			    ag_yscalar_type(k) == AG_YT_STR ?
			    found + strlen("the string ") : found, where,
			    list, ld->kind ? ld->kind : "descriptor");
	}
	return 0;
}

const struct ag_ynode *ld_require(struct loader *ld,
				      const struct ag_ynode *map,
				      const char *key, const char *where)
{
	const struct ag_ynode *n = ag_ymap_get(map, key);

	if (!n)
		ld_fail(ld, map, "missing required key \"%s\" in %s", key, where);
	return n;
}

/* --- scalars --- */

/* A YAML string under the core schema (quoted, block or plain text that
 * is not null/bool/number).  *out points into the tree. */
int ld_get_str(struct loader *ld, const struct ag_ynode *n,
		   const char *path, const char *what, const char **out)
{
	enum ag_ytype t = ag_yscalar_type(n);

	if (n->kind != AG_YSCALAR || t != AG_YT_STR)
		return ld_expected(ld, n, path, what,
				     n->kind == AG_YSCALAR &&
				     t != AG_YT_NULL ? " (quote it)" : NULL);
	if (strlen(n->value) != n->len)
		return ld_fail(ld, n, "%s: strings must not contain NUL "
			    "characters", path);
	*out = n->value;
	return 0;
}

int ld_dup_str(struct loader *ld, const struct ag_ynode *n,
		   const char *path, bool nonempty, size_t max, char **out)
{
	const char *s;

	if (ld_get_str(ld, n, path, "a string", &s) < 0)
		return -1;
	if (nonempty && !*s)
		return ld_fail(ld, n, "%s: must not be empty", path);
	if (n->len > max)
		return ld_fail(ld, n, "%s: expected at most %zu bytes, found a "
			       "string of %zu bytes", path, max, n->len);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

/* An integer 0..255: plain decimal without leading zeros or 0x hex. */
int ld_get_u8(struct loader *ld, const struct ag_ynode *n,
		  const char *path, unsigned *out)
{
	const char *what = "an integer 0..255";
	int64_t v;

	if (n->kind != AG_YSCALAR)
		return ld_expected(ld, n, path, what, NULL);
	switch (ag_yscalar_type(n)) {
	case AG_YT_INT:
		break;
	case AG_YT_STR: {
		unsigned dummy;

		return ld_expected(ld, n, path, what,
				     !n->plain && !ag_id_parse(n->value, &dummy)
				     ? " (integers must not be quoted)" : NULL);
	}
	default:
		return ld_expected(ld, n, path, what, NULL);
	}
	if (ag_yint(n, &v) < 0) {
		const char *s = n->value;

		if (*s == '-' || *s == '+')
			s++;
		if (s[0] == '0' && s[1] != 'x')
			return ld_fail(ld, n, "%s: invalid integer %s: leading "
				    "zeros and 0o octal are not accepted "
				    "(write decimal or 0x hex)", path,
				    n->value);
		return ld_fail(ld, n, "%s: %s is out of range 0..255", path,
			    n->value);
	}
	if (v < 0 || v > AG_MAX_ID)
		return ld_fail(ld, n, "%s: %s is out of range 0..255", path,
			    n->value);
	*out = (unsigned)v;
	return 0;
}

int ld_int_opt(struct loader *ld, const struct ag_ynode *map,
		       const char *key, const char *parent, int *out)
{
	const struct ag_ynode *n = ag_ymap_get(map, key);
	char path[PATH_MAX_LEN];
	unsigned v;

	if (!n)
		return 0;
	ld_join(path, parent, key);
	if (ld_get_u8(ld, n, path, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

int ld_tri_opt(struct loader *ld, const struct ag_ynode *map,
		       const char *key, const char *parent, enum ag_tri *out)
{
	const struct ag_ynode *n = ag_ymap_get(map, key);
	char path[PATH_MAX_LEN];
	bool b;

	if (!n)
		return 0;
	ld_join(path, parent, key);
	if (ag_ybool(n, &b) < 0)
		return ld_expected(ld, n, path, "a boolean (true or false)",
				     n->kind == AG_YSCALAR && !n->plain &&
				     (!strcmp(n->value, "true") ||
				      !strcmp(n->value, "false")) ?
				     " (booleans must not be quoted)" : NULL);
	*out = b ? AG_TRI_TRUE : AG_TRI_FALSE;
	return 0;
}

int ld_str_opt(struct loader *ld, const struct ag_ynode *map,
		       const char *key, const char *parent, size_t max,
		       char **out)
{
	const struct ag_ynode *n = ag_ymap_get(map, key);
	char path[PATH_MAX_LEN];

	if (!n)
		return 0;
	ld_join(path, parent, key);
	return ld_dup_str(ld, n, path, false, max, out);
}

/* An RFC 3339 date-time, stored in its canonical UTC form so that equal
 * instants serialise (and hash) equally. */
int ld_get_time(struct loader *ld, const struct ag_ynode *n,
		    const char *path, char **out, time_t *t)
{
	const char *what = "an RFC 3339 date-time like "
			   "\"2026-11-22T10:15:00Z\"";
	char buf[AG_TIME_LEN];
	const char *s;

	if (ld_get_str(ld, n, path, what, &s) < 0)
		return -1;
	if (ag_time_parse(s, t) < 0)
		return ld_expected(ld, n, path, what, NULL);
	ag_time_format(*t, buf);
	free(*out);
	*out = xstrdup(buf);
	return 0;
}

/* One of a fixed set of words; parse is the enum's *_parse function,
 * called by the caller, so this only reports. */
int ld_fail_enum(struct loader *ld, const struct ag_ynode *n,
		     const char *path, const char *words)
{
	char what[256];

	snprintf(what, sizeof(what), "one of %s", words);
	return ld_expected(ld, n, path, what, NULL);
}

bool ld_all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* A UUID (upper case accepted), stored lowercase as sysfs and mdevctl
 * print it. */
int ld_get_uuid(struct loader *ld, const struct ag_ynode *v,
		const char *path, char out[AG_UUID_LEN])
{
	const char *uuid_what = "a UUID like "
				"\"62177883-f1bb-47f0-914d-32a22e3a8804\"";
	const char *s;
	size_t i;

	if (ld_get_str(ld, v, path, uuid_what, &s) < 0)
		return -1;
	if (!ag_uuid_valid(s, true))
		return ld_expected(ld, v, path, uuid_what, NULL);
	for (i = 0; i < 36; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ?
				s[i] - 'A' + 'a' : s[i]);
	out[36] = '\0';
	return 0;
}

int ld_parse_document(const char *name, const char *buf, size_t len,
		      const char *what, struct ag_ynode **root,
		      struct ag_error *err)
{
	if (ag_yaml_parse(name, buf, len, root, err) < 0)
		return -1;
	/* No document at all (nothing, white space, comments or a bare
	 * "---"): say so rather than "expected a mapping, found null". */
	if ((*root)->kind == AG_YSCALAR && (*root)->plain &&
	    !(*root)->value[0]) {
		ag_error_set(err, "%s: %s is empty; expected %s", name,
			     strcmp(name, "<stdin>") ? "the file" :
			     "standard input", what);
		ag_ynode_free(*root);
		*root = NULL;
		return -1;
	}
	return 0;
}
