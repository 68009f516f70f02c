/* fuzz_mdevctl - mdevctl definitions (JSON, read with json-c). */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "mdevctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_mdevctl_def def;
	struct ag_notes notes = { 0 };
	struct ag_error err;
	size_t i;

	memset(&def, 0, sizeof(def));
	if (ag_mdevctl_parse("fuzz", (const char *)data, size, &def, &notes,
			     &err) == 0) {
		for (i = 0; i < notes.n; i++)
			FUZZ_ASSERT(strncmp(notes.lines[i], "warning: ", 9) == 0 ||
				    strncmp(notes.lines[i], "note: ", 6) == 0,
				    "note \"%s\" of no kind", notes.lines[i]);
	}
	ag_mdevctl_def_free(&def);
	ag_notes_free(&notes);
	return 0;
}
