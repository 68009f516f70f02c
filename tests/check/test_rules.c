/* test_rules.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_rules(void)
{
	return suite_create("rules");
}
