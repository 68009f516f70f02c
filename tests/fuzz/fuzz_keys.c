/* fuzz_keys - master-key files: load -> emit -> reload.
 *
 * A keys file the loader accepts is emitted as YAML and must load again
 * to the same JSON form; lookups must only return entries that exist.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keys.h"

static char *json_text(const struct ag_keys *k)
{
	json_object *j = ag_keys_to_json(k);
	char *s;

	FUZZ_ASSERT(j, "keys have no JSON form");
	s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_keys *k = NULL, *k2 = NULL;
	struct ag_error err;
	char *yaml = NULL, *j1, *j2;
	size_t ylen = 0, i;
	FILE *f;

	if (ag_keys_load_buffer("fuzz", (const char *)data, size, &k,
				&err) < 0)
		return 0;
	for (i = 0; i < k->n; i++) {
		const struct ag_keys_entry *e = &k->entries[i];
		const struct ag_keys_entry *l =
			ag_keys_lookup(k, e->is_apqn ? e->adapter : 0,
				       e->domain);

		FUZZ_ASSERT(l && l >= k->entries && l < k->entries + k->n,
			    "lookup of entry %zu found nothing", i);
	}
	j1 = json_text(k);
	f = open_memstream(&yaml, &ylen);
	FUZZ_ASSERT(f, "open_memstream");
	FUZZ_ASSERT(ag_keys_emit_yaml(k, f, &err) == 0,
		    "cannot emit loaded keys: %s", err.msg);
	fclose(f);
	if (ag_keys_load_buffer("emitted", yaml, ylen, &k2, &err) < 0)
		FUZZ_FAIL("emitted keys do not load again: %s\n--- JSON:\n%s\n"
			  "--- YAML:\n%s", err.msg, j1, yaml);
	j2 = json_text(k2);
	FUZZ_ASSERT(strcmp(j1, j2) == 0, "keys round trip changed them\n"
		    "--- before:\n%s\n--- after:\n%s\n--- YAML:\n%s", j1, j2,
		    yaml);
	free(j1);
	free(j2);
	free(yaml);
	ag_keys_free(k);
	ag_keys_free(k2);
	return 0;
}
