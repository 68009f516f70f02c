/* test_collect.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_collect(void)
{
	return suite_create("collect");
}
