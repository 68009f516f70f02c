/* test_hook.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_hook(void)
{
	return suite_create("hook");
}
