/* config_file.h - apgate.yaml: site parameters, policy directories and
 * evaluation limits.
 *
 *   policy_dirs: [/usr/share/apgate/policies]   # default rules, in order
 *   site_policy_dir: /etc/apgate/policies.d     # null: none
 *   params: {allow_generation_upgrade: true, require_mkvps: false}
 *   limits: {instructions: 20000000, memory_mb: 64, timeout_ms: 10000,
 *            output_mb: 16, findings_per_rule: 10000, findings: 20000}
 *   keys_file: /etc/apgate/keys.yaml            # declared master keys
 *   state_dir: /var/lib/apgate                  # migration blocks, waivers
 *   waivers_dir: /etc/apgate/waivers.d          # distributed waivers
 *   audit: {log: /var/log/apgate/decisions.jsonl, on_write_failure: reject,
 *           store_descriptors: false, syslog: false,
 *           syslog_facility: authpriv}
 *   hook: {timeout_ms: 5000, on_missing_metadata: reject}
 *   enforcement: enforce                        # or dryrun
 *   rules: {mkvp.match: {enforcement: warn}}    # enforce, warn or dryrun
 *   labels: {zone: a, tenant: acme}             # this host's labels
 *
 * A missing default file means built-in defaults; a file named with
 * --config must exist.  Unknown keys are errors, reported FILE:LINE:COL.
 */
#ifndef APGATE_CONFIG_FILE_H
#define APGATE_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "engine.h"
#include "error.h"
#include "labels.h"
#include "paths.h"	/* AG_CONFIG_FILE, AG_POLICY_DIR, ... (generated) */

#define AG_CONFIG_MAX_BYTES (256u * 1024)
#define AG_DEFAULT_HOOK_TIMEOUT_MS 5000u
/* limits.timeout_ms in the hook unless configured: a library call stuck in
 * C must not eat the whole hook's time. */
#define AG_DEFAULT_HOOK_CALL_TIMEOUT_MS 2000u

/* How a reject counts: enforce (it refuses), warn (it becomes a warn) or
 * dryrun (recorded as a reject, but check and the hook let it pass). */
enum ag_enforcement {
	AG_ENFORCE,
	AG_ENFORCE_WARN,
	AG_ENFORCE_DRYRUN,
};

struct ag_rule_enforcement {
	char *rule;
	enum ag_enforcement mode;
	unsigned line, col;	/* where apgate.yaml names it */
};

struct ag_config {
	char *path;		/* the file read, NULL when none */
	char **policy_dirs;	/* default rule directories, in order */
	size_t n_policy_dirs;
	char *site_policy_dir;	/* NULL: no site directory */
	json_object *params;	/* always an object */
	struct ag_limits limits;
	bool timeout_set;	/* limits.timeout_ms given (file or option);
				 * else the hook uses its own default */
	char *keys_file;	/* this host's declared master keys; NULL none */
	char *state_dir;	/* where migration blocks are kept */
	char *waivers_dir;	/* distributed waivers; NULL none */
	struct {
		char *log;		/* decision log; NULL: no audit records */
		bool fail_closed;	/* unwritable record: verdict error */
		bool store_descriptors;	/* records carry whole descriptors */
		bool syslog;		/* also send each record to syslog */
		int syslog_facility;	/* LOG_AUTHPRIV etc. */
		bool insecure;		/* --insecure-audit-log: no trust checks */
	} audit;
	struct {
		unsigned timeout_ms;	/* bound of one whole hook run */
		bool accept_without_metadata;	/* site's fail-open choice */
	} hook;
	bool insecure_policies;	/* --insecure-policies: no trust checks */
	enum ag_enforcement enforcement;	/* AG_ENFORCE or _DRYRUN */
	struct ag_rule_enforcement *rule_modes;	/* per-rule overrides */
	size_t n_rule_modes;
	/* this host's labels, written into every descriptor it collects
	 * (host_labels) and the target's labels in the hook */
	struct ag_labels labels;
};

/* "enforce", "warn", "dryrun". */
const char *ag_enforcement_name(enum ag_enforcement e);
/* Parse a mode name; warn_ok says whether "warn" is allowed (it is per
 * rule, not globally).  Returns 0 or -1. */
int ag_enforcement_parse(const char *s, bool warn_ok, enum ag_enforcement *out);

/* Built-in defaults (AG_POLICY_DIR, AG_SITE_POLICY_DIR, no params). */
void ag_config_defaults(struct ag_config *cfg);

/* Read path over the defaults already in cfg.  When must_exist is false a
 * missing file leaves the defaults in place. */
int ag_config_load(struct ag_config *cfg, const char *path, bool must_exist,
		   struct ag_error *err);

/* Apply "NAME=VALUE" from the command line; VALUE is typed like a YAML
 * scalar (true/false, integers, else a string). */
int ag_config_set_param(struct ag_config *cfg, const char *assignment,
			struct ag_error *err);

/* Replace the default rule directories (the first --policy-dir call
 * clears the configured list). */
void ag_config_set_policy_dirs(struct ag_config *cfg, char **dirs, size_t n);

void ag_config_free(struct ag_config *cfg);

/* A YAML subtree as JSON with core-schema typing; used for params. */
struct ag_ynode;
int ag_ynode_to_json(const char *name, const struct ag_ynode *node,
		     json_object **out, struct ag_error *err);

#endif
