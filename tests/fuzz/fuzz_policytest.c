/* fuzz_policytest - `apgate test` files: the test-case format, patches,
 * expectations and the three report formats, run against the default
 * rules (policies/) with the descriptors of policies/tests/descriptors.
 *
 * The input is written as t.yaml into a private directory (tmpfs when
 * there is one) beside a link "descriptors" to those descriptors, so the
 * checked-in test files work as seeds.  The report format and coverage
 * follow the input's length.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"
#include "fuzz.h"
#include "policytest.h"

static char *dir, *file, *link_path;
static struct ag_config cfg;
static FILE *null;

static void cleanup(void)
{
	unlink(file);
	unlink(link_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/dev/shm/apgate-fuzz-test-XXXXXX";
	char tmpl2[] = "/tmp/apgate-fuzz-test-XXXXXX";
	char **dirs;

	(void)argc;
	(void)argv;
	dir = mkdtemp(tmpl) ? strdup(tmpl) : mkdtemp(tmpl2) ? strdup(tmpl2) : NULL;
	FUZZ_ASSERT(dir, "cannot make a temporary directory");
	FUZZ_ASSERT(asprintf(&file, "%s/t.yaml", dir) > 0 &&
		    asprintf(&link_path, "%s/descriptors", dir) > 0, "oom");
	FUZZ_ASSERT(symlink(FUZZ_SRCDIR "/policies/tests/descriptors",
			    link_path) == 0, "cannot link the descriptors");
	atexit(cleanup);

	ag_config_defaults(&cfg);
	dirs = malloc(sizeof(*dirs));
	FUZZ_ASSERT(dirs, "oom");
	dirs[0] = strdup(FUZZ_SRCDIR "/policies");
	ag_config_set_policy_dirs(&cfg, dirs, 1);
	free(dirs[0]);
	free(dirs);
	free(cfg.site_policy_dir);
	cfg.site_policy_dir = NULL;
	/* The source tree's files belong to whoever checked it out. */
	cfg.insecure_policies = true;
	cfg.limits.instructions = 2000000;
	cfg.limits.memory = 32u * 1024 * 1024;
	cfg.limits.timeout_ms = 5000;
	null = fopen("/dev/null", "we");
	FUZZ_ASSERT(null, "/dev/null");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ag_test_format formats[] = {
		AG_TEST_TEXT, AG_TEST_JSON, AG_TEST_JUNIT
	};
	struct ag_test_options o = {
		.cfg = &cfg,
		.now = 1795000000,
		.format = formats[size % 3],
		.coverage = size & 4,
	};
	struct ag_test_summary sum;
	char *paths[1] = { file };
	FILE *f = fopen(file, "we");

	FUZZ_ASSERT(f, "cannot write %s", file);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size && fclose(f) == 0,
		    "cannot write %s", file);
	FUZZ_ASSERT(ag_test_run(paths, 1, &o, null, &sum) == 0,
		    "report not written to /dev/null");
	FUZZ_ASSERT(sum.passed + sum.failed > 0, "a test file that counts "
		    "neither a pass nor a failure");
	return 0;
}
