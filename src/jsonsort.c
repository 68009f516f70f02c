/* jsonsort.c - JSON trees with their objects' keys in bytewise order (see
 * jsonsort.h). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonsort.h"
#include "util.h"

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether every object in o has its keys in sorted order already. */
static bool all_sorted(json_object *o)
{
	const char *prev = NULL;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			if ((prev && strcmp(prev, k) >= 0) || !all_sorted(v))
				return false;
			prev = k;
		}
		return true;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!all_sorted(json_object_array_get_idx(o, i)))
				return false;
		return true;
	default:
		return true;
	}
}

static json_object *sorted(json_object *o, bool share)
{
	json_object *res;
	const char **keys;
	size_t n = 0, i;

	if (share && all_sorted(o))
		return json_object_get(o);
	switch (json_object_get_type(o)) {
	case json_type_object:
		keys = xcalloc((size_t)json_object_object_length(o) + 1,
			       sizeof(*keys));
		json_object_object_foreach(o, k, v) {
			(void)v;
			keys[n++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_cstr);
		res = json_object_new_object();
		for (i = 0; i < n; i++)
			json_object_object_add(res, keys[i],
				sorted(json_object_object_get(o, keys[i]),
				       share));
		free(keys);
		return res;
	case json_type_array:
		n = json_object_array_length(o);
		res = json_object_new_array_ext((int)n);
		for (i = 0; i < n; i++)
			json_object_array_add(res,
				sorted(json_object_array_get_idx(o, i), share));
		return res;
	default:
		return json_object_get(o);	/* scalars are immutable */
	}
}

json_object *ag_json_sorted(json_object *o)
{
	return sorted(o, false);
}

json_object *ag_json_sorted_view(json_object *o)
{
	return sorted(o, true);
}
