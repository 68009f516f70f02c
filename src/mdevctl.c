/* mdevctl.c - mdevctl definitions of vfio_ap mdevs (see mdevctl.h).
 *
 * mdevctl writes each attr to sysfs in file order on start: assign_*
 * add an ID, unassign_* remove one, ap_config replaces all three masks.
 * The kernel reads each value with kstrtoul(..., 0): decimal, 0x hex, and
 * a leading 0 means octal, which nobody means when writing "012", so that
 * is refused.  s390-tools' libap also accepts comma lists; the kernel does
 * not, so they are accepted with a note.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "apmatrix.h"
#include "descriptor.h"
#include "mdevctl.h"
#include "util.h"

enum attr_op { OP_ASSIGN, OP_UNASSIGN };

static const struct {
	const char *name;
	enum attr_op op;
	int set;		/* 0 adapters, 1 domains, 2 control domains */
} id_attrs[] = {
	{ "assign_adapter", OP_ASSIGN, 0 },
	{ "assign_domain", OP_ASSIGN, 1 },
	{ "assign_control_domain", OP_ASSIGN, 2 },
	{ "unassign_adapter", OP_UNASSIGN, 0 },
	{ "unassign_domain", OP_UNASSIGN, 1 },
	{ "unassign_control_domain", OP_UNASSIGN, 2 },
};

static const char *json_kind(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double:
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

/* One ID of an assign/unassign value. */
static int parse_id(const char *s, size_t len, unsigned *out,
		    struct ag_error *err)
{
	char buf[32];

	if (len == 0) {
		ag_error_set(err, "empty ID");
		return -1;
	}
	if (len >= sizeof(buf)) {
		ag_error_set(err, "\"%.*s...\" is not an ID 0..255", 20, s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '0' && buf[1] >= '0' && buf[1] <= '9') {
		ag_error_set(err, "\"%s\" has a leading zero, which the kernel "
			     "reads as octal; write it in decimal or as 0x hex",
			     buf);
		return -1;
	}
	if (ag_id_parse(buf, out) < 0) {
		ag_error_set(err, "\"%s\" is not an ID 0..255 (decimal or 0x "
			     "hex)", buf);
		return -1;
	}
	return 0;
}

static int apply_ids(const char *value, enum attr_op op, struct ag_idset *set,
		     bool *is_list, struct ag_error *err)
{
	const char *p = value;

	*is_list = strchr(value, ',') != NULL;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		unsigned id;

		if (parse_id(p, len, &id, err) < 0)
			return -1;
		if (op == OP_ASSIGN) {
			ag_idset_add(set, id);
		} else if (ag_idset_has(set, id)) {
			/* no remove in apqn.h: rebuild without id */
			struct ag_idset tmp;
			int x;

			ag_idset_clear(&tmp);
			for (x = ag_idset_next(set, 0); x >= 0;
			     x = ag_idset_next(set, (unsigned)x + 1))
				if ((unsigned)x != id)
					ag_idset_add(&tmp, (unsigned)x);
			*set = tmp;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int get_string(const char *name, json_object *root, const char *key,
		      char **out, struct ag_error *err)
{
	json_object *v;

	if (!json_object_object_get_ex(root, key, &v)) {
		ag_error_set(err, "%s: missing \"%s\" (mdevctl itself refuses "
			     "this file: invalid json)", name, key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		ag_error_set(err, "%s: \"%s\" must be a string, found %s",
			     name, key, json_kind(v));
		return -1;
	}
	*out = xstrdup(json_object_get_string(v));
	return 0;
}

static int apply_attr(const char *name, size_t idx, json_object *item,
		      struct ag_idset *sets[3], struct ag_notes *notes,
		      struct ag_error *err)
{
	struct json_object_iterator it, end;
	const char *key, *value;
	json_object *v;
	size_t i;

	if (!json_object_is_type(item, json_type_object)) {
		ag_error_set(err, "%s: attrs[%zu]: expected an object with one "
			     "attribute, found %s", name, idx, json_kind(item));
		return -1;
	}
	if (json_object_object_length(item) != 1) {
		ag_error_set(err, "%s: attrs[%zu]: expected exactly one "
			     "attribute per object, found %d (mdevctl: too many "
			     "fields)", name, idx,
			     json_object_object_length(item));
		return -1;
	}
	it = json_object_iter_begin(item);
	end = json_object_iter_end(item);
	(void)end;
	key = json_object_iter_peek_name(&it);
	v = json_object_iter_peek_value(&it);
	if (!json_object_is_type(v, json_type_string)) {
		ag_error_set(err, "%s: attrs[%zu] (%s): expected a string "
			     "value, found %s", name, idx, key, json_kind(v));
		return -1;
	}
	value = json_object_get_string(v);
	if (strcmp(key, "ap_config") == 0) {
		if (ag_ap_config_parse(value, strlen(value), true, sets[0],
				       sets[1], sets[2], err) < 0) {
			ag_error_prefix(err, "%s: attrs[%zu] (ap_config)",
					name, idx);
			return -1;
		}
		return 0;
	}
	for (i = 0; i < AG_ARRAY_SIZE(id_attrs); i++) {
		bool is_list;

		if (strcmp(key, id_attrs[i].name) != 0)
			continue;
		if (apply_ids(value, id_attrs[i].op, sets[id_attrs[i].set],
			      &is_list, err) < 0) {
			ag_error_prefix(err, "%s: attrs[%zu] (%s)", name, idx,
					key);
			return -1;
		}
		if (is_list)
			ag_notes_add(notes, "note: %s: attrs[%zu] (%s) \"%s\" is "
				     "a comma list: s390-tools reads it, the "
				     "kernel takes one ID per write", name, idx,
				     key, value);
		return 0;
	}
	ag_error_set(err, "%s: attrs[%zu]: \"%s\" is not a vfio_ap attribute "
		     "(assign_adapter, assign_domain, assign_control_domain, "
		     "their unassign_ forms, ap_config)", name, idx, key);
	return -1;
}

int ag_mdevctl_parse(const char *name, const char *buf, size_t len,
		     struct ag_mdevctl_def *def, struct ag_notes *notes,
		     struct ag_error *err)
{
	struct ag_idset *sets[3] = {
		&def->adapters, &def->domains, &def->control_domains,
	};
	struct json_tokener *tok;
	json_object *root, *attrs;
	size_t i, n, used;

	memset(def, 0, sizeof(*def));
	if (len > INT32_MAX || memchr(buf, '\0', len)) {
		ag_error_set(err, "%s: not a JSON text", name);
		return -1;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	used = (size_t)json_tokener_get_parse_end(tok);
	if (!root) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		ag_error_set(err, "%s: invalid JSON at byte %zu: %s", name,
			     used, e == json_tokener_continue ?
			     "unexpected end of file" :
			     json_tokener_error_desc(e));
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	for (; used < len; used++)
		if (!strchr(" \t\r\n", buf[used])) {
			ag_error_set(err, "%s: trailing data at byte %zu after "
				     "the JSON object", name, used);
			goto fail;
		}
	if (!json_object_is_type(root, json_type_object)) {
		ag_error_set(err, "%s: expected a JSON object (an mdevctl "
			     "definition), found %s", name, json_kind(root));
		goto fail;
	}
	if (get_string(name, root, "mdev_type", &def->mdev_type, err) < 0 ||
	    get_string(name, root, "start", &def->start, err) < 0)
		goto fail;
	if (json_object_object_get_ex(root, "attrs", &attrs)) {
		if (!json_object_is_type(attrs, json_type_array)) {
			ag_error_set(err, "%s: \"attrs\" must be an array, "
				     "found %s", name, json_kind(attrs));
			goto fail;
		}
		n = json_object_array_length(attrs);
		for (i = 0; i < n; i++)
			if (apply_attr(name, i,
				       json_object_array_get_idx(attrs, i),
				       sets, notes, err) < 0)
				goto fail;
	}
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (strcmp(key, "mdev_type") && strcmp(key, "start") &&
		    strcmp(key, "attrs"))
			ag_notes_add(notes, "note: %s: key \"%s\" ignored", name,
				     key);
	}
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	ag_mdevctl_def_free(def);
	return -1;
}

char *ag_mdevctl_path(const char *dir, const char *uuid)
{
	return xasprintf("%s/%s/%s", dir ? dir : AG_MDEVCTL_DIR,
			 AG_MDEVCTL_PARENT, uuid);
}

int ag_mdevctl_load(const char *dir, const char *uuid,
		    struct ag_mdevctl_def *def, struct ag_notes *notes,
		    struct ag_error *err)
{
	char *path = ag_mdevctl_path(dir, uuid), *buf;
	size_t len;
	int rc;

	memset(def, 0, sizeof(*def));
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		free(path);
		return 1;
	}
	if (ag_read_file(path, AG_MDEVCTL_MAX_BYTES, &buf, &len, err) < 0) {
		free(path);
		return -1;
	}
	rc = ag_mdevctl_parse(path, buf, len, def, notes, err);
	free(buf);
	free(path);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ag_mdevctl_list(const char *dir, char ***uuids, size_t *n,
		    struct ag_error *err)
{
	char *path = xasprintf("%s/%s", dir ? dir : AG_MDEVCTL_DIR,
			       AG_MDEVCTL_PARENT);
	struct dirent *de;
	size_t cap = 0;
	DIR *dp;

	*uuids = NULL;
	*n = 0;
	dp = opendir(path);
	if (!dp) {
		if (errno == ENOENT) {
			free(path);
			return 0;
		}
		ag_error_set(err, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while ((de = readdir(dp))) {
		/* mdevctl names definitions by UUID; skip anything else */
		if (!ag_uuid_valid(de->d_name, false))
			continue;
		*uuids = xgrow(*uuids, &cap, *n + 1, sizeof(**uuids));
		(*uuids)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dp);
	free(path);
	if (*n > 1)
		qsort(*uuids, *n, sizeof(**uuids), cmp_str);
	return 0;
}

void ag_mdevctl_def_free(struct ag_mdevctl_def *def)
{
	free(def->mdev_type);
	free(def->start);
	def->mdev_type = NULL;
	def->start = NULL;
}
