/* blocks.c - the migration block store (json-c, flock, atomic rename). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "blocks.h"
#include "statefile.h"
#include "util.h"

#define BLOCKS_MAX_BYTES (4u * 1024 * 1024)

void ag_blockstore_free(struct ag_blockstore *bs)
{
	size_t i;

	for (i = 0; i < bs->n; i++) {
		free(bs->items[i].reason);
		free(bs->items[i].by);
	}
	free(bs->items);
	memset(bs, 0, sizeof(*bs));
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int parse_entry(const char *path, size_t idx, json_object *o,
		       struct ag_block_entry *b, struct ag_error *err)
{
	const char *uuid = get_str(o, "mdev"), *reason = get_str(o, "reason");
	const char *since = get_str(o, "since"), *until = get_str(o, "until");
	const char *by = get_str(o, "by");
	time_t t;

	memset(b, 0, sizeof(*b));
	if (!json_object_is_type(o, json_type_object) || !uuid ||
	    !ag_uuid_valid(uuid, false) || !reason || !since ||
	    ag_time_parse(since, &t) < 0 ||
	    (until && ag_time_parse(until, &t) < 0)) {
		ag_error_set(err, "%s: blocks[%zu]: expected an object with mdev "
			     "(UUID), reason, since (RFC 3339) and optional "
			     "until, by", path, idx);
		return -1;
	}
	/* the bounds of descriptors, which these blocks go into */
	if (strlen(reason) > AG_REASON_MAX || (by && strlen(by) > AG_NAME_MAX)) {
		ag_error_set(err, "%s: blocks[%zu]: expected a reason of at most "
			     "%u bytes and a \"by\" of at most %u", path, idx,
			     AG_REASON_MAX, AG_NAME_MAX);
		return -1;
	}
	snprintf(b->uuid, sizeof(b->uuid), "%s", uuid);
	b->reason = xstrdup(reason);
	snprintf(b->since, sizeof(b->since), "%s", since);
	snprintf(b->until, sizeof(b->until), "%s", until ? until : "");
	b->by = by ? xstrdup(by) : NULL;
	return 0;
}

static int load_file(const char *path, struct ag_blockstore *bs,
		     struct ag_error *err)
{
	json_object *root, *arr, *ver;
	size_t i, n;

	memset(bs, 0, sizeof(*bs));
	/* Blocks only ever hold migrations back: not trust-checked. */
	if (ag_state_read(path, BLOCKS_MAX_BYTES, false, AG_TRUST_CONFIG, false,
			  &root, err) < 0)
		return -1;
	if (!root)
		return 0;
	if (!json_object_object_get_ex(root, "apgate-blocks", &ver) ||
	    json_object_get_int(ver) != AG_BLOCKS_FORMAT_VERSION ||
	    !json_object_object_get_ex(root, "blocks", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		ag_error_set(err, "%s: expected {\"apgate-blocks\": 1, \"blocks\": "
			     "[...]}", path);
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(arr);
	bs->items = xcalloc(n ? n : 1, sizeof(*bs->items));
	bs->cap = n ? n : 1;
	for (i = 0; i < n; i++) {
		if (parse_entry(path, i, json_object_array_get_idx(arr, i),
				&bs->items[i], err) < 0) {
			json_object_put(root);
			ag_blockstore_free(bs);
			return -1;
		}
		bs->n++;
	}
	json_object_put(root);
	return 0;
}

int ag_blocks_load(const char *state_dir, struct ag_blockstore *bs,
		   struct ag_error *err)
{
	char *path = xasprintf("%s/%s", state_dir, AG_BLOCKS_FILE);
	int rc = load_file(path, bs, err);

	free(path);
	return rc;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct ag_block_entry *a = pa, *b = pb;
	int c = strcmp(a->uuid, b->uuid);

	return c ? c : strcmp(a->since, b->since);
}

static int save(const char *path, struct ag_blockstore *bs,
		struct ag_error *err)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i;
	int rc;

	if (bs->n > 1)
		qsort(bs->items, bs->n, sizeof(*bs->items), cmp_entry);
	for (i = 0; i < bs->n; i++) {
		const struct ag_block_entry *b = &bs->items[i];
		json_object *o = json_object_new_object();

		if (b->by)
			json_object_object_add(o, "by", json_object_new_string(b->by));
		json_object_object_add(o, "mdev", json_object_new_string(b->uuid));
		json_object_object_add(o, "reason", json_object_new_string(b->reason));
		json_object_object_add(o, "since", json_object_new_string(b->since));
		if (b->until[0])
			json_object_object_add(o, "until",
					       json_object_new_string(b->until));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "apgate-blocks",
			       json_object_new_int(AG_BLOCKS_FORMAT_VERSION));
	json_object_object_add(root, "blocks", arr);
	rc = ag_state_write(path, root, err);
	json_object_put(root);
	return rc;
}

/* Writers are serialised (statefile.h): two `apgate block` runs must not
 * lose each other's block in their read-modify-write. */
int ag_blocks_add(const char *state_dir, const struct ag_block_entry *b,
		  struct ag_error *err)
{
	char *path = xasprintf("%s/%s", state_dir, AG_BLOCKS_FILE);
	struct ag_blockstore bs;
	struct ag_block_entry *e;
	int lock, rc = -1;

	lock = ag_state_lock(state_dir, "blocks", err);
	if (lock < 0)
		goto out;
	if (load_file(path, &bs, err) < 0)
		goto out_unlock;
	bs.items = xgrow(bs.items, &bs.cap, bs.n + 1, sizeof(*bs.items));
	e = &bs.items[bs.n++];
	*e = *b;
	e->reason = xstrdup(b->reason);
	e->by = b->by ? xstrdup(b->by) : NULL;
	rc = save(path, &bs, err);
	ag_blockstore_free(&bs);
out_unlock:
	close(lock);
out:
	free(path);
	return rc;
}

int ag_blocks_remove(const char *state_dir, const char *uuid, size_t *removed,
		     struct ag_error *err)
{
	char *path = xasprintf("%s/%s", state_dir, AG_BLOCKS_FILE);
	struct ag_blockstore bs;
	size_t i, kept = 0;
	int lock, rc = -1;

	*removed = 0;
	lock = ag_state_lock(state_dir, "blocks", err);
	if (lock < 0)
		goto out;
	if (load_file(path, &bs, err) < 0)
		goto out_unlock;
	for (i = 0; i < bs.n; i++) {
		if (strcmp(bs.items[i].uuid, uuid) == 0) {
			free(bs.items[i].reason);
			free(bs.items[i].by);
			(*removed)++;
		} else {
			bs.items[kept++] = bs.items[i];
		}
	}
	bs.n = kept;
	rc = *removed ? save(path, &bs, err) : 0;
	ag_blockstore_free(&bs);
out_unlock:
	close(lock);
out:
	free(path);
	return rc;
}

bool ag_block_active(const struct ag_block_entry *b, time_t now)
{
	time_t t;

	if (ag_time_parse(b->since, &t) == 0 && t > now)
		return false;
	return !b->until[0] || ag_time_parse(b->until, &t) < 0 || t >= now;
}

void ag_blocks_apply(const struct ag_blockstore *bs, const char *uuid,
		     time_t now, struct ag_descriptor *d)
{
	size_t i;

	for (i = 0; i < bs->n; i++) {
		const struct ag_block_entry *b = &bs->items[i];
		struct ag_block *db;

		if (strcmp(b->uuid, uuid) || !ag_block_active(b, now))
			continue;
		db = ag_descriptor_add_block(d, b->reason);
		db->since = xstrdup(b->since);
		db->until = b->until[0] ? xstrdup(b->until) : NULL;
		db->by = b->by ? xstrdup(b->by) : NULL;
	}
	ag_descriptor_normalize(d);
}

int ag_parse_until(const char *s, time_t now, time_t *out)
{
	unsigned long long n;
	char *end;
	long mult;

	if (s[0] != '+')
		return ag_time_parse(s, out);
	if (s[1] < '0' || s[1] > '9')
		return -1;
	errno = 0;
	n = strtoull(s + 1, &end, 10);
	switch (*end) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return -1;
	}
	if (errno || end[1] != '\0' || n > 3650ULL * 86400 / (unsigned long)mult)
		return -1;
	*out = now + (time_t)(n * (unsigned long long)mult);
	return 0;
}
