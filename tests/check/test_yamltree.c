/* test_yamltree.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_yamltree(void)
{
	return suite_create("yamltree");
}
