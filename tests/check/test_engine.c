/* test_engine.c - placeholder suite until implemented. */
#include "config.h"
#include "suites.h"

Suite *suite_engine(void)
{
	return suite_create("engine");
}
