/* fuzz_descriptor - descriptor load -> emit -> reload.
 *
 * Any input the loader accepts must survive both serialisations: the YAML
 * emitter's output and the canonical JSON reload to a descriptor with the
 * same canonical form (what digests and verdicts are computed over).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "fuzz.h"

static char *reload_canonical(const char *what, const char *text, size_t len,
			      const char *first)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err;
	char *c;

	if (ag_descriptor_load_buffer(what, text, len, &d, &err) < 0)
		FUZZ_FAIL("%s does not load again: %s\n--- canonical before:\n"
			  "%s\n--- %s:\n%.*s", what, err.msg, first, what,
			  (int)len, text);
	c = ag_descriptor_canonical(d);
	ag_descriptor_free(d);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err;
	char *canon, *yaml = NULL, *again;
	char digest[AG_SHA256_HEX_LEN];
	size_t ylen = 0;
	FILE *f;

	if (ag_descriptor_load_buffer("fuzz", (const char *)data, size, &d,
				      &err) < 0)
		return 0;
	FUZZ_ASSERT(ag_descriptor_check(d, "fuzz", &err) == 0,
		    "loaded descriptor fails its own check: %s", err.msg);
	canon = ag_descriptor_canonical(d);
	FUZZ_ASSERT(canon, "no canonical form");
	FUZZ_ASSERT(ag_descriptor_digest(d, digest) == 0, "no digest");

	f = open_memstream(&yaml, &ylen);
	FUZZ_ASSERT(f, "open_memstream");
	FUZZ_ASSERT(ag_descriptor_emit_yaml(d, f, &err) == 0,
		    "cannot emit a loaded descriptor: %s", err.msg);
	fclose(f);
	ag_descriptor_free(d);

	again = reload_canonical("emitted YAML", yaml, ylen, canon);
	FUZZ_ASSERT(strcmp(canon, again) == 0,
		    "YAML round trip changed the descriptor\n--- before:\n%s\n"
		    "--- after:\n%s\n--- YAML:\n%s", canon, again, yaml);
	free(again);
	again = reload_canonical("canonical JSON", canon, strlen(canon), canon);
	FUZZ_ASSERT(strcmp(canon, again) == 0,
		    "JSON round trip changed the descriptor\n--- before:\n%s\n"
		    "--- after:\n%s", canon, again);
	free(again);
	free(yaml);
	free(canon);
	return 0;
}
