/* audit.c - placeholder until the audit log lands: records nothing. */
#include "config.h"

#include "audit.h"

int ag_audit_record(const struct ag_decide_input *in,
		    const struct ag_verdict *v, struct ag_error *err)
{
	(void)in;
	(void)v;
	(void)err;
	return 0;
}
