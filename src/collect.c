/* collect.c - placeholder until live collection lands. */
#include "config.h"

#include "collect.h"

int ag_collect(const struct ag_collect_opts *o, struct ag_descriptor **out,
	       struct ag_error *err)
{
	(void)o;
	*out = NULL;
	ag_error_set(err, "live collection is not implemented yet");
	return -1;
}
