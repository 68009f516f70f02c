/* test_descriptor.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_descriptor(void)
{
	return suite_create("descriptor");
}
