/* waivers.c - the waiver store, waivers.d files and matching. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "apqn.h"
#include "config_file.h"
#include "descriptor.h"
#include "statefile.h"
#include "trust.h"
#include "util.h"
#include "waivers.h"
#include "yamltree.h"

#define WAIVERS_MAX_BYTES (1u * 1024 * 1024)
#define NEVER_WAIVED "migration.blocked"

static void waiver_free(struct ag_waiver *w)
{
	free(w->rule);
	free(w->apqn);
	free(w->host);
	free(w->reason);
	free(w->by);
	free(w->origin);
}

void ag_waiverset_free(struct ag_waiverset *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		waiver_free(&ws->items[i]);
	free(ws->items);
	memset(ws, 0, sizeof(*ws));
}

/* [a-z0-9][a-z0-9._-]{0,max-1}: the form of rule ids and waiver ids. */
static bool valid_id(const char *s, size_t max)
{
	size_t i;

	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (i = 0; s[i]; i++)
		if (i >= max || !((s[i] >= 'a' && s[i] <= 'z') ||
				  (s[i] >= '0' && s[i] <= '9') ||
				  s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* Waiver text reaches terminals, syslog and reports: one bounded line. */
static bool plain_text(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || n >= 1024)
			return false;
	return true;
}

static int bad(struct ag_error *err, const char *path, size_t idx,
	       const char *key, const char *what)
{
	ag_error_set(err, "%s: waivers[%zu]: %s: expected %s", path, idx, key,
		     what);
	return -1;
}

/* One waiver object, strictly: unknown keys are errors. */
static int parse_waiver(const char *path, size_t idx, json_object *o,
			struct ag_waiver *w, struct ag_error *err)
{
	static const char *const keys[] = { "apqn", "by", "created", "host",
					     "id", "mdev", "reason", "rule",
					     "until" };
	const char *s[9] = { 0 };
	unsigned a, d;
	time_t t;
	size_t k;

	memset(w, 0, sizeof(*w));
	if (!json_object_is_type(o, json_type_object)) {
		ag_error_set(err, "%s: waivers[%zu]: expected a mapping", path,
			     idx);
		return -1;
	}
	json_object_object_foreach(o, key, val) {
		for (k = 0; k < 9 && strcmp(key, keys[k]); k++)
			;
		if (k == 9) {
			ag_error_set(err, "%s: waivers[%zu]: unknown key \"%.64s\" "
				     "(expected id, mdev, rule, apqn, host, until, "
				     "reason, by, created)", path, idx, key);
			return -1;
		}
		if (!json_object_is_type(val, json_type_string) ||
		    !json_object_get_string_len(val) ||
		    !plain_text(json_object_get_string(val)))
			return bad(err, path, idx, key, k == 0 ?
				   "a quoted APQN like \"05.0047\" (unquoted, "
				   "YAML reads a number)" : "a non-empty string of "
				   "at most 1024 bytes without control "
				   "characters");
		s[k] = json_object_get_string(val);
	}
	if (!valid_id(s[4], 64))
		return bad(err, path, idx, "id", "1 to 64 of a-z, 0-9, '.', '_', "
			   "'-', starting with a letter or digit");
	if (!s[5] || !ag_uuid_valid(s[5], false))
		return bad(err, path, idx, "mdev", "a lowercase UUID");
	if (!valid_id(s[7], 128))
		return bad(err, path, idx, "rule", "a rule id");
	if (strcmp(s[7], NEVER_WAIVED) == 0)
		return bad(err, path, idx, "rule", "a rule other than "
			   NEVER_WAIVED " (a migration block is lifted with "
			   "apgate unblock, never waived)");
	if (s[0] && ag_apqn_parse(s[0], &a, &d) < 0)
		return bad(err, path, idx, "apqn", "an APQN like 05.0047");
	if (!s[8] || ag_time_parse(s[8], &t) < 0)
		return bad(err, path, idx, "until", "an RFC 3339 time (a waiver "
			   "always ends)");
	if (!s[6])
		return bad(err, path, idx, "reason", "why the waiver is granted");
	if (!s[1])
		return bad(err, path, idx, "by", "who granted it");
	if (s[2] && ag_time_parse(s[2], &t) < 0)
		return bad(err, path, idx, "created", "an RFC 3339 time");
	snprintf(w->id, sizeof(w->id), "%s", s[4]);
	snprintf(w->mdev, sizeof(w->mdev), "%s", s[5]);
	w->rule = xstrdup(s[7]);
	w->apqn = s[0] ? xstrdup(s[0]) : NULL;
	w->host = s[3] ? xstrdup(s[3]) : NULL;
	ag_time_parse(s[8], &w->until_t);
	ag_time_format(w->until_t, w->until);
	w->reason = xstrdup(s[6]);
	w->by = xstrdup(s[1]);
	if (s[2])
		snprintf(w->created, sizeof(w->created), "%s", s[2]);
	w->origin = xstrdup(path);
	return 0;
}

/* {"apgate-waivers": 1, "waivers": [...]}, appended to ws. */
static int parse_doc(const char *path, json_object *root,
		     struct ag_waiverset *ws, struct ag_error *err)
{
	json_object *ver, *arr;
	size_t i, n;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "apgate-waivers", &ver) ||
	    !json_object_is_type(ver, json_type_int) ||
	    json_object_get_int(ver) != AG_WAIVERS_FORMAT_VERSION ||
	    !json_object_object_get_ex(root, "waivers", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    json_object_object_length(root) != 2) {
		ag_error_set(err, "%s: expected {apgate-waivers: 1, waivers: "
			     "[...]} (schemas/waiver-v1.schema.json)", path);
		return -1;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		ws->items = xgrow(ws->items, &ws->cap, ws->n + 1,
				  sizeof(*ws->items));
		if (parse_waiver(path, i, json_object_array_get_idx(arr, i),
				 &ws->items[ws->n], err) < 0)
			return -1;
		ws->n++;
	}
	return 0;
}

/* Waivers only turn rejects into warns: an unprivileged user who cannot
 * read the root-only state directory (or waivers.d) decides without them,
 * which is the stricter verdict, instead of getting no verdict at all.
 * Root always reads them, and any other failure stays an error. */
static bool unreadable_by_user(const char *path)
{
	return geteuid() != 0 && access(path, R_OK) < 0 && errno == EACCES;
}

static int load_store(const char *path, bool insecure,
		      struct ag_waiverset *ws, struct ag_error *err)
{
	json_object *root;
	int rc;

	if (unreadable_by_user(path))
		return 0;
	if (ag_state_read(path, WAIVERS_MAX_BYTES, true, AG_TRUST_WAIVERS,
			  insecure, &root, err) < 0)
		return -1;
	if (!root)
		return 0;
	rc = parse_doc(path, root, ws, err);
	json_object_put(root);
	return rc;
}

static int load_yaml(const char *path, bool insecure,
		     struct ag_waiverset *ws, struct ag_error *err)
{
	struct ag_ynode *node = NULL;
	json_object *root = NULL;
	size_t len;
	char *buf;
	int rc;

	if (ag_trust_read_file(path, AG_TRUST_WAIVERS, insecure,
			       WAIVERS_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	rc = ag_yaml_parse(path, buf, len, &node, err);
	free(buf);
	if (rc == 0)
		rc = ag_ynode_to_json(path, node, &root, err);
	ag_ynode_free(node);
	if (rc == 0)
		rc = parse_doc(path, root, ws, err);
	json_object_put(root);
	return rc;
}

static bool is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(const char *dir, bool insecure, struct ag_waiverset *ws,
		    struct ag_error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int fd, rc = 0;
	DIR *dh;

	if (unreadable_by_user(dir))
		return 0;
	fd = ag_trust_open_dir(dir, insecure, err);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	dh = fdopendir(fd);
	if (!dh) {
		ag_error_set(err, "waiver directory %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	while ((de = readdir(dh)))
		if (is_yaml_name(de->d_name)) {
			names = xgrow(names, &cap, n + 1, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	closedir(dh);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);

		if (rc == 0)
			rc = load_yaml(path, insecure, ws, err);
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

static const struct ag_waiver *find(const struct ag_waiverset *ws,
				    const char *id, size_t before)
{
	size_t i;

	for (i = 0; i < before; i++)
		if (strcmp(ws->items[i].id, id) == 0)
			return &ws->items[i];
	return NULL;
}

int ag_waivers_load(const char *state_dir, const char *dir, bool insecure,
		    struct ag_waiverset *ws, struct ag_error *err)
{
	char *path = xasprintf("%s/%s", state_dir, AG_WAIVERS_FILE);
	int rc;
	size_t i;

	memset(ws, 0, sizeof(*ws));
	rc = load_store(path, insecure, ws, err);
	free(path);
	if (rc == 0 && dir)
		rc = load_dir(dir, insecure, ws, err);
	for (i = 1; rc == 0 && i < ws->n; i++) {
		const struct ag_waiver *d = find(ws, ws->items[i].id, i);

		if (d) {
			ag_error_set(err, "%s: waiver id \"%s\" is also given in "
				     "%s; ids must be unique", ws->items[i].origin,
				     d->id, d->origin);
			rc = -1;
		}
	}
	if (rc < 0)
		ag_waiverset_free(ws);
	return rc;
}

json_object *ag_waiver_to_json(const struct ag_waiver *w)
{
	json_object *o = json_object_new_object();

	/* sorted keys */
	if (w->apqn)
		json_object_object_add(o, "apqn", json_object_new_string(w->apqn));
	json_object_object_add(o, "by", json_object_new_string(w->by));
	if (w->created[0])
		json_object_object_add(o, "created",
				       json_object_new_string(w->created));
	if (w->host)
		json_object_object_add(o, "host", json_object_new_string(w->host));
	json_object_object_add(o, "id", json_object_new_string(w->id));
	json_object_object_add(o, "mdev", json_object_new_string(w->mdev));
	json_object_object_add(o, "reason", json_object_new_string(w->reason));
	json_object_object_add(o, "rule", json_object_new_string(w->rule));
	json_object_object_add(o, "until", json_object_new_string(w->until));
	return o;
}

static int cmp_waiver(const void *pa, const void *pb)
{
	const struct ag_waiver *a = pa, *b = pb;

	return strcmp(a->id, b->id);
}

static int save_store(const char *path, struct ag_waiverset *ws,
		      struct ag_error *err)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i;
	int rc;

	if (ws->n > 1)
		qsort(ws->items, ws->n, sizeof(*ws->items), cmp_waiver);
	for (i = 0; i < ws->n; i++)
		json_object_array_add(arr, ag_waiver_to_json(&ws->items[i]));
	json_object_object_add(root, "apgate-waivers",
			       json_object_new_int(AG_WAIVERS_FORMAT_VERSION));
	json_object_object_add(root, "waivers", arr);
	rc = ag_state_write(path, root, err);
	json_object_put(root);
	return rc;
}

static void fresh_id(const struct ag_waiverset *ws, char id[AG_WAIVER_ID_LEN])
{
	unsigned char u[16];

	do {
		uuid_generate_random(u);
		snprintf(id, AG_WAIVER_ID_LEN, "w%02x%02x%02x%02x", u[0], u[1],
			 u[2], u[3]);
	} while (find(ws, id, ws->n));
}

int ag_waivers_add(const char *state_dir, bool insecure, struct ag_waiver *w,
		   struct ag_error *err)
{
	char *path = xasprintf("%s/%s", state_dir, AG_WAIVERS_FILE);
	struct ag_waiverset ws = { 0 };
	struct ag_waiver *e, check;
	json_object *o;
	int lock, rc = -1;

	lock = ag_state_lock(state_dir, "waivers", err);
	if (lock < 0)
		goto out;
	if (load_store(path, insecure, &ws, err) < 0)
		goto out_unlock;
	fresh_id(&ws, w->id);
	/* Never store what loading would refuse: that would turn every
	 * later decision into an error. */
	o = ag_waiver_to_json(w);
	rc = parse_waiver("the new waiver", 0, o, &check, err);
	json_object_put(o);
	if (rc < 0)
		goto out_unlock;
	waiver_free(&check);
	rc = -1;
	ws.items = xgrow(ws.items, &ws.cap, ws.n + 1, sizeof(*ws.items));
	e = &ws.items[ws.n++];
	*e = *w;
	e->rule = xstrdup(w->rule);
	e->apqn = w->apqn ? xstrdup(w->apqn) : NULL;
	e->host = w->host ? xstrdup(w->host) : NULL;
	e->reason = xstrdup(w->reason);
	e->by = xstrdup(w->by);
	e->origin = NULL;
	rc = save_store(path, &ws, err);
out_unlock:
	ag_waiverset_free(&ws);
	close(lock);
out:
	free(path);
	return rc;
}

int ag_waivers_remove(const char *state_dir, bool insecure, const char *id,
		      struct ag_error *err)
{
	char *path = xasprintf("%s/%s", state_dir, AG_WAIVERS_FILE);
	struct ag_waiverset ws = { 0 };
	size_t i, kept = 0;
	int lock, rc = -1, removed = 0;

	lock = ag_state_lock(state_dir, "waivers", err);
	if (lock < 0)
		goto out;
	if (load_store(path, insecure, &ws, err) < 0)
		goto out_unlock;
	for (i = 0; i < ws.n; i++) {
		if (strcmp(ws.items[i].id, id) == 0) {
			waiver_free(&ws.items[i]);
			removed = 1;
		} else {
			ws.items[kept++] = ws.items[i];
		}
	}
	ws.n = kept;
	rc = removed ? save_store(path, &ws, err) : 0;
	if (rc == 0)
		rc = removed;
out_unlock:
	ag_waiverset_free(&ws);
	close(lock);
out:
	free(path);
	return rc;
}

bool ag_waiver_active(const struct ag_waiver *w, time_t now)
{
	return now <= w->until_t;
}

bool ag_waiver_concerns(const struct ag_waiver *w, const struct ag_verdict *v)
{
	if (strcmp(w->mdev, v->source.uuid) != 0 &&
	    strcmp(w->mdev, v->target.uuid) != 0)
		return false;
	return !w->host || (v->target.known && v->target.host &&
			    strcmp(w->host, v->target.host) == 0);
}

bool ag_waiver_matches(const struct ag_waiver *w, const struct ag_finding *f,
		       const struct ag_verdict *v)
{
	/* Errors and migration blocks are never waived. */
	if (f->severity != AG_SEV_REJECT || strcmp(f->rule, NEVER_WAIVED) == 0 ||
	    strcmp(f->rule, w->rule) != 0)
		return false;
	if (w->apqn && (!f->apqn || strcmp(f->apqn, w->apqn) != 0))
		return false;
	return ag_waiver_concerns(w, v);
}
