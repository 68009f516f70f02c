/* test_apqn.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_apqn(void)
{
	return suite_create("apqn");
}
