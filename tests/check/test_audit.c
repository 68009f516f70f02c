/* test_audit.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_audit(void)
{
	return suite_create("audit");
}
