/* test_sandbox.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_sandbox(void)
{
	return suite_create("sandbox");
}
