/* test_policytools.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_policytools(void)
{
	return suite_create("policytools");
}
