/* auditlog_record.c - one record line of the decision log: parsing it
 * strictly, serialising it canonically, reading its members. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "auditlog.h"
#include "auditlog_int.h"
#include "render.h"
#include "util.h"

static bool is_hex64(const char *s)
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

json_object *ag_audit_parse_record(const char *text, size_t len,
				   struct ag_error *why)
{
	struct json_tokener *tok;
	json_object *o, *v;
	const char *type, *prev;
	uint64_t seq;

	if (len > INT32_MAX) {
		ag_error_set(why, "line too long");
		return NULL;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		ag_error_set(why, "not valid JSON (%s)",
			     e == json_tokener_continue || e == json_tokener_success ?
			     "incomplete or trailing data" :
			     json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
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
	if (!prev || !is_hex64(prev)) {
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
	json_object *sorted = ag_json_sorted(rec);
	char *s = xstrdup(json_object_to_json_string_ext(sorted,
			  JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(sorted);
	return s;
}
