/* testutil.c - helpers shared by the unit test suites. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

const char *test_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", AG_TEST_SRCDIR, rel);
	return buf;
}

struct ag_descriptor *test_load_descriptor(const char *rel)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err = { "" };

	if (ag_descriptor_load_file(test_path(rel), &d, &err) < 0)
		ck_abort_msg("loading %s: %s", rel, err.msg);
	return d;
}

struct ag_descriptor *test_descriptor_from_text(const char *yaml)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err = { "" };

	if (ag_descriptor_load_buffer("<test>", yaml, strlen(yaml), &d,
				      &err) < 0)
		ck_abort_msg("loading inline descriptor: %s", err.msg);
	return d;
}
