/* auditbound.c - cutting a decision record down to the bounds of
 * auditbound.h before it is appended. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditbound.h"
#include "auditlog.h"
#include "digest.h"
#include "util.h"

/* What was cut, for the "truncated" member. */
struct cuts {
	size_t strings;		/* strings and keys shortened */
	size_t findings;	/* findings shortened */
	size_t findings_dropped;
	json_object *members;	/* array of dropped top-level member names */
	bool descriptors;
};

static size_t json_size(json_object *o)
{
	return strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
			JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* At most how many bytes a string takes in JSON text: json-c escapes a
 * control character as \u00XX, a few characters with a backslash. */
static size_t str_size_bound(const char *s, size_t len)
{
	size_t n = len + 2, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20)
			n += 5;
		else if (c == '"' || c == '\\' || c == '/')
			n += 1;
	}
	return n;
}

/* An upper bound of json_size(o), found without writing the text: the
 * short cut in ag_audit_bound needs no serialisation for most records. */
size_t ag_audit_json_size_bound(json_object *o)
{
	size_t n, i, len;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return 4;
	case json_type_boolean:
		return 5;
	case json_type_int:
		return 20;	/* -9223372036854775808 */
	case json_type_double:
		return 32;	/* %.17g with an exponent, and ".0" */
	case json_type_string:
		return str_size_bound(json_object_get_string(o),
				      (size_t)json_object_get_string_len(o));
	case json_type_array:
		len = json_object_array_length(o);
		n = 2 + len;	/* [ ] and the commas (one too many) */
		for (i = 0; i < len; i++)
			n += ag_audit_json_size_bound(
				json_object_array_get_idx(o, i));
		return n;
	case json_type_object:
		n = 2;
		json_object_object_foreach(o, k, v)	/* "k":v, */
			n += str_size_bound(k, strlen(k)) + 2 +
			     ag_audit_json_size_bound(v);
		return n;
	}
	return SIZE_MAX;
}

/* s (len bytes) cut to AG_AUDIT_STRING_MAX, at a UTF-8 character
 * boundary, with the marker after it.  Caller frees. */
static char *cut_string(const char *s, size_t len, size_t *out_len)
{
	char marker[48];
	size_t keep, mlen;
	char *r;

	snprintf(marker, sizeof(marker), "...[%zu bytes cut]", len);
	mlen = strlen(marker);
	keep = AG_AUDIT_STRING_MAX - mlen;
	/* do not end inside a multi-byte sequence */
	while (keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
		keep--;
	snprintf(marker, sizeof(marker), "...[%zu bytes cut]", len - keep);
	mlen = strlen(marker);
	r = xmalloc(keep + mlen + 1);
	memcpy(r, s, keep);
	memcpy(r + keep, marker, mlen + 1);
	*out_len = keep + mlen;
	return r;
}

/* Shorten every long string and key under o.  Keys cannot be renamed in
 * place: a long key's member is taken out and put back under the cut key
 * (one that collides with another replaces it; it was cut anyway). */
static void cut_strings(json_object *o, struct cuts *c)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_string: {
		size_t len = (size_t)json_object_get_string_len(o), nlen;
		char *s;

		if (len <= AG_AUDIT_STRING_MAX)
			return;
		s = cut_string(json_object_get_string(o), len, &nlen);
		json_object_set_string_len(o, s, (int)nlen);
		free(s);
		c->strings++;
		return;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			cut_strings(json_object_array_get_idx(o, i), c);
		return;
	case json_type_object: {
		char **longkeys = NULL;
		size_t nlong = 0;

		json_object_object_foreach(o, key, val) {
			cut_strings(val, c);
			if (strlen(key) > AG_AUDIT_STRING_MAX) {
				longkeys = xrealloc(longkeys, (nlong + 1) *
						    sizeof(*longkeys));
				longkeys[nlong++] = xstrdup(key);
			}
		}
		for (i = 0; i < nlong; i++) {
			json_object *member = NULL;
			size_t nlen;
			char *k = cut_string(longkeys[i], strlen(longkeys[i]),
					     &nlen);

			json_object_object_get_ex(o, longkeys[i], &member);
			json_object_get(member);
			json_object_object_del(o, longkeys[i]);
			json_object_object_add(o, k, member);
			free(k);
			free(longkeys[i]);
			c->strings++;
		}
		free(longkeys);
		return;
	}
	default:
		return;
	}
}

/* One finding down to AG_AUDIT_FINDING_MAX. */
static void cut_finding(json_object *f, struct cuts *c)
{
	static const char *const keep[] = {
		"rule", "severity", "apqn", "message", NULL,
	};
	json_object *ev;
	size_t size = json_size(f), i;
	char **drop = NULL;
	size_t ndrop = 0;

	if (size <= AG_AUDIT_FINDING_MAX ||
	    !json_object_is_type(f, json_type_object))
		return;
	c->findings++;
	if (json_object_object_get_ex(f, "evidence", &ev)) {
		char note[64];

		snprintf(note, sizeof(note), "[evidence of %zu bytes cut]",
			 json_size(ev));
		json_object_object_add(f, "evidence",
				       json_object_new_string(note));
		if (json_size(f) <= AG_AUDIT_FINDING_MAX)
			return;
	}
	json_object_object_foreach(f, key, val) {
		bool kept = false;

		(void)val;
		for (i = 0; keep[i]; i++)
			kept = kept || strcmp(key, keep[i]) == 0;
		if (!kept) {
			drop = xrealloc(drop, (ndrop + 1) * sizeof(*drop));
			drop[ndrop++] = xstrdup(key);
		}
	}
	for (i = 0; i < ndrop; i++) {
		json_object_object_del(f, drop[i]);
		free(drop[i]);
	}
	free(drop);
}

/* Keep the findings that fit in room bytes, from the first. */
static void drop_findings(json_object *rec, size_t room, struct cuts *c)
{
	json_object *arr;
	size_t n, i, used = 0;

	if (!json_object_object_get_ex(rec, "findings", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		size_t s = json_size(json_object_array_get_idx(arr, i)) + 1;

		if (used + s > room)
			break;
		used += s;
	}
	if (i < n) {
		json_object_array_del_idx(arr, i, n - i);
		c->findings_dropped += n - i;
	}
}

static json_object *cuts_json(const struct cuts *c, size_t full_bytes,
			      const char *full_sha)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "full_bytes",
			       json_object_new_int64((int64_t)full_bytes));
	json_object_object_add(t, "full_sha256",
			       json_object_new_string(full_sha));
	json_object_object_add(t, "strings",
			       json_object_new_int64((int64_t)c->strings));
	json_object_object_add(t, "findings",
			       json_object_new_int64((int64_t)c->findings));
	json_object_object_add(t, "findings_dropped",
			       json_object_new_int64((int64_t)c->findings_dropped));
	json_object_object_add(t, "members_dropped",
			       json_object_get(c->members));
	return t;
}

/* Lists and objects a record keeps whatever their size: which hosts and
 * descriptors were decided on (their strings are already bounded), and
 * what was cut.  Scalars (verdict, decision_id, ...) are never dropped. */
static bool essential(const char *key)
{
	static const char *const keep[] = {
		"source", "target", "truncated", NULL,
	};
	size_t i;

	for (i = 0; keep[i]; i++)
		if (strcmp(key, keep[i]) == 0)
			return true;
	return false;
}

/* Drop the largest non-essential container; false when none is left. */
static bool drop_largest(json_object *rec, struct cuts *c)
{
	const char *best = NULL;
	size_t best_size = 0;
	char *name;

	json_object_object_foreach(rec, key, val) {
		size_t s;

		if (essential(key) || (!json_object_is_type(val, json_type_array) &&
				       !json_object_is_type(val, json_type_object)))
			continue;
		s = json_size(val);
		if (s > best_size) {
			best = key;
			best_size = s;
		}
	}
	if (!best)
		return false;
	name = xstrdup(best);
	json_object_object_del(rec, name);
	json_object_array_add(c->members, json_object_new_string(name));
	free(name);
	return true;
}

/* The short cut in ag_audit_bound: a record no longer than a string may be
 * is within every other bound as well. */
_Static_assert(AG_AUDIT_STRING_MAX <= AG_AUDIT_FINDING_MAX &&
	       AG_AUDIT_STRING_MAX <= AG_AUDIT_RECORD_MAX - AG_AUDIT_CHAIN_RESERVE,
	       "a record of AG_AUDIT_STRING_MAX bytes needs no cut");

bool ag_audit_bound(json_object *rec)
{
	const size_t limit = AG_AUDIT_RECORD_MAX - AG_AUDIT_CHAIN_RESERVE;
	char sha[AG_SHA256_HEX_LEN];
	struct cuts c = { 0 };
	json_object *arr;
	size_t full, i, n;
	char *s;

	/* Most records are a few KiB: no string, finding or record can be
	 * over its bound then, and the cuts (which serialise, hash and
	 * measure the record several times) are skipped.  Key order does not
	 * change the length, so the unsorted text measures it. */
	if (ag_audit_json_size_bound(rec) <= AG_AUDIT_STRING_MAX ||
	    json_size(rec) <= AG_AUDIT_STRING_MAX)
		return false;
	s = ag_audit_serialize(rec);
	full = strlen(s);
	ag_sha256_hex(s, full, sha);
	free(s);
	c.members = json_object_new_array();

	cut_strings(rec, &c);
	if (json_object_object_get_ex(rec, "findings", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		n = json_object_array_length(arr);
		for (i = 0; i < n; i++)
			cut_finding(json_object_array_get_idx(arr, i), &c);
	}
	for (;;) {
		size_t size;

		/* measure with the marker in place: it takes room too */
		json_object_object_add(rec, "truncated",
				       cuts_json(&c, full, sha));
		size = json_size(rec);
		if (size <= limit)
			break;
		if (json_object_object_get_ex(rec, "descriptors", NULL)) {
			json_object_object_del(rec, "descriptors");
			json_object_array_add(c.members,
					      json_object_new_string("descriptors"));
			continue;
		}
		if (json_object_object_get_ex(rec, "findings", &arr) &&
		    json_object_is_type(arr, json_type_array) &&
		    json_object_array_length(arr) > 0) {
			size_t fsize = json_size(arr);
			/* what the rest of the record takes, and a margin for
			 * the counts in the marker growing by a digit or two */
			size_t rest = size - fsize + 2 + 64;

			if (rest < limit) {
				size_t before = c.findings_dropped;

				drop_findings(rec, limit - rest, &c);
				if (c.findings_dropped != before)
					continue;
			}
		}
		if (!drop_largest(rec, &c))
			break;	/* only essentials left: bounded by now */
	}
	if (c.strings == 0 && c.findings == 0 && c.findings_dropped == 0 &&
	    json_object_array_length(c.members) == 0) {
		json_object_object_del(rec, "truncated");
		json_object_put(c.members);
		return false;
	}
	json_object_put(c.members);
	return true;
}
