/* check_apgate.c - runs every unit test suite (libnl-style: one runner,
 * one suite per module, see suites.h). */
#include "config.h"

#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_apqn());
	int failed;

	srunner_add_suite(sr, suite_yamltree());
	srunner_add_suite(sr, suite_descriptor());
	srunner_add_suite(sr, suite_sandbox());
	srunner_add_suite(sr, suite_engine());
	srunner_add_suite(sr, suite_policyimage());
	srunner_add_suite(sr, suite_rules());
	srunner_add_suite(sr, suite_collect());
	srunner_add_suite(sr, suite_hook());
	srunner_add_suite(sr, suite_audit());
	srunner_add_suite(sr, suite_auditsyslog());
	srunner_add_suite(sr, suite_auditbound());
	srunner_add_suite(sr, suite_policytools());
	srunner_add_suite(sr, suite_labels());
	srunner_add_suite(sr, suite_inventory());
	srunner_add_suite(sr, suite_place());
	srunner_add_suite(sr, suite_textsafe());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
