/* testutil.h - helpers shared by the unit test suites. */
#ifndef APGATE_TESTUTIL_H
#define APGATE_TESTUTIL_H

#include <stddef.h>

#include "descriptor.h"

/* Path below the source tree: "tests/data/x" -> "<srcdir>/tests/data/x".
 * Returns a static buffer (valid until the next call). */
const char *test_path(const char *rel);

/* Load a descriptor from source-tree relative path, failing the test with
 * the loader's message when it does not load. */
struct ag_descriptor *test_load_descriptor(const char *rel);

/* Load a descriptor from YAML text, failing the test on error. */
struct ag_descriptor *test_descriptor_from_text(const char *yaml);

#endif
