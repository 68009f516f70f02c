/* auditlog_record.c - one record line of the decision log: parsing it
 * strictly, serialising it canonically, reading its members. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "auditlog.h"
#include "auditlog_int.h"
#include "jsonsort.h"
#include "util.h"

bool ag_audit_is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

const char *ag_audit_get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool ag_audit_get_u64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	i = json_object_get_int64(v);
	if (i < 0)
		return false;
	*out = (uint64_t)i;
	return true;
}

/* Strict JSON, by json-c; with_utf8 also checks that strings are UTF-8. */
static json_object *tokenize(const char *text, size_t len, bool with_utf8,
			     enum json_tokener_error *e)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       (with_utf8 ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	o = json_tokener_parse_ex(tok, text, (int)len);
	*e = json_tokener_get_error(tok);
	if (o && (*e != json_tokener_success ||
		  json_tokener_get_parse_end(tok) != len)) {
		if (*e == json_tokener_success)
			*e = json_tokener_continue;	/* trailing data */
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

json_object *ag_audit_parse_record(const char *text, size_t len,
				   struct ag_error *why)
{
	return ag_audit_parse_text(text, len, NULL, why);
}

json_object *ag_audit_parse_line(const struct ag_audit_lines *l,
				 bool *odd_bytes, struct ag_error *why)
{
	if (l->overlong) {
		ag_error_set(why, "a line of %zu bytes, longer than any "
			     "decision record (%u MiB)", l->full_len,
			     AG_AUDIT_MAX_LINE >> 20);
		return NULL;
	}
	return ag_audit_parse_text(l->buf, l->len, odd_bytes, why);
}

json_object *ag_audit_parse_text(const char *text, size_t len,
				 bool *odd_bytes, struct ag_error *why)
{
	enum json_tokener_error e;
	json_object *o, *v;
	const char *type, *prev;
	uint64_t seq;

	if (odd_bytes)
		*odd_bytes = false;
	if (len > AG_AUDIT_MAX_LINE) {
		ag_error_set(why, "a line of %zu bytes, longer than any "
			     "decision record (%u MiB)", len,
			     AG_AUDIT_MAX_LINE >> 20);
		return NULL;
	}
	o = tokenize(text, len, true, &e);
	if (!o && e == json_tokener_error_parse_utf8_string) {
		/* Bytes that are not UTF-8 inside strings: a record all the
		 * same (the chain covers its exact bytes); readers escape
		 * them when they show them. */
		o = tokenize(text, len, false, &e);
		if (o && odd_bytes)
			*odd_bytes = true;
	}
	if (!o) {
		ag_error_set(why, "not valid JSON (%s)",
			     e == json_tokener_continue || e == json_tokener_success ?
			     "incomplete or trailing data" :
			     json_tokener_error_desc(e));
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		ag_error_set(why, "not a JSON object");
		goto bad;
	}
	if (!json_object_object_get_ex(o, "apgate-audit", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != AG_AUDIT_FORMAT_VERSION) {
		ag_error_set(why, "not an apgate audit record of format 1");
		goto bad;
	}
	type = ag_audit_get_str(o, "type");
	if (!type || (strcmp(type, "decision") && strcmp(type, "rotation"))) {
		ag_error_set(why, "record type is not \"decision\" or \"rotation\"");
		goto bad;
	}
	if (!ag_audit_get_u64(o, "seq", &seq) || seq == 0) {
		ag_error_set(why, "no sequence number");
		goto bad;
	}
	prev = ag_audit_get_str(o, "prev");
	if (!prev || !ag_audit_is_sha256_hex(prev)) {
		ag_error_set(why, "no \"prev\" digest");
		goto bad;
	}
	return o;
bad:
	json_object_put(o);
	return NULL;
}

char *ag_audit_serialize(json_object *rec)
{
	json_object *sorted = ag_json_sorted_view(rec);
	char *s = xstrdup(json_object_to_json_string_ext(sorted,
			  JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(sorted);
	return s;
}
