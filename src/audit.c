/* audit.c - the decision record: a finished verdict plus who decided,
 * where and for which guest, appended to the hash-chained log
 * (auditlog_write.c).
 *
 * The record body is the JSON verdict (ag_verdict_to_json) so that a
 * record and `apgate check --format json` never drift apart; this file
 * adds only what the verdict does not know.  Descriptors go in by digest
 * (already in the verdict's sides); whole descriptors only when the site
 * asked for them; domain XML never (it is never given to us).
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auditbound.h"
#include "auditlog.h"
#include "auditsyslog.h"
#include "render.h"

void ag_audit_add_labels(json_object *rec)
{
	char host[HOST_NAME_MAX + 1];

	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	json_object_object_add(rec, "host", json_object_new_string(host));
	json_object_object_add(rec, "tool",
			       json_object_new_string(PACKAGE_NAME " "
						      PACKAGE_VERSION));
}

int ag_audit_record(const struct ag_decide_input *in,
		    const struct ag_verdict *v, struct ag_error *err)
{
	json_object *rec = ag_verdict_to_json(v);
	int rc;

	json_object_object_add(rec, "type", json_object_new_string("decision"));
	ag_audit_add_labels(rec);
	json_object_object_add(rec, "caller",
			       json_object_new_string(in->caller ? in->caller :
						      "unknown"));
	if (in->guest)
		json_object_object_add(rec, "guest",
				       json_object_new_string(in->guest));
	json_object_object_add(rec, "pid", json_object_new_int64(getpid()));
	if (in->cfg->audit.insecure)
		json_object_object_add(rec, "insecure_audit_log",
				       json_object_new_boolean(true));
	if (in->cfg->audit.store_descriptors && (in->src || in->tgt)) {
		json_object *d = json_object_new_object();

		if (in->src)
			json_object_object_add(d, "source",
					       ag_descriptor_to_json(in->src));
		if (in->tgt)
			json_object_object_add(d, "target",
					       ag_descriptor_to_json(in->tgt));
		json_object_object_add(rec, "descriptors", d);
	}
	/* one input must not write a record no reader takes back */
	ag_audit_bound(rec);
	rc = ag_auditlog_append(in->cfg->audit.log, rec, in->cfg->audit.insecure,
				err);
	/* Only a record that is in the local log goes off-host: the copy
	 * must never hold what the chain does not. */
	if (rc == 0 && in->cfg->audit.syslog)
		ag_audit_syslog(rec, in->cfg->audit.syslog_facility);
	json_object_put(rec);
	return rc;
}
