/* policytest.h - policy test cases: `apgate test`.
 *
 * Owns the test-case format (YAML, documented in apgate-policy(5) TEST
 * CASES and schemas/policy-test-v1.schema.json), building each case's
 * descriptors (a file, an inline descriptor, or a base plus a patch),
 * running the case through the real engine, comparing the verdict with
 * the expectations, and reporting: text, JUnit XML or JSON, with optional
 * coverage of the rules and their reject/warn/note call sites.
 *
 * Every case gets a fresh engine (cases cannot leak state into each
 * other); each policy set's files are read, trust-checked and hashed once.
 *
 * The work is split over policytest.c (loading and running) and the pt*.c
 * modules it shares ptint.h with.
 */
#ifndef APGATE_POLICYTEST_H
#define APGATE_POLICYTEST_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config_file.h"
#include "error.h"

#define AG_TEST_FORMAT_VERSION 1
/* A test file is small; anything near this is not one. */
#define AG_TEST_MAX_BYTES (16u * 1024 * 1024)

enum ag_test_format {
	AG_TEST_TEXT,
	AG_TEST_JUNIT,
	AG_TEST_JSON,
};

struct ag_test_options {
	const struct ag_config *cfg;	/* policies, params, limits, trust */
	time_t now;			/* default evaluation time */
	enum ag_test_format format;
	bool coverage;
};

struct ag_test_summary {
	unsigned passed, failed;
};

/* Run the cases of every path (a test file, or a directory searched
 * recursively for *.yaml and *.yml in lexical order) and report on out.
 * A file that cannot be read or is malformed counts as one failed case.
 * Returns 0, or -1 when the report could not be written. */
int ag_test_run(char *const *paths, size_t n, const struct ag_test_options *o,
		FILE *out, struct ag_test_summary *sum);

/* Apply one patch operation (a parsed mapping {set|remove|append: PATH,
 * value: V}) to a descriptor tree; name prefixes messages.  Exposed for the
 * unit tests. */
struct ag_ynode;
int ag_test_patch(struct ag_ynode **root, const struct ag_ynode *op,
		  const char *name, struct ag_error *err);

#endif
