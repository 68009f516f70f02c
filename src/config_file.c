/* config_file.c - reading apgate.yaml. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "auditsyslog.h"
#include "config_file.h"
#include "trust.h"
#include "util.h"
#include "yamltree.h"

void ag_config_defaults(struct ag_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->policy_dirs = xmalloc(sizeof(char *));
	cfg->policy_dirs[0] = xstrdup(AG_POLICY_DIR);
	cfg->n_policy_dirs = 1;
	cfg->site_policy_dir = xstrdup(AG_SITE_POLICY_DIR);
	cfg->params = json_object_new_object();
	cfg->limits.instructions = AG_DEFAULT_INSTRUCTIONS;
	cfg->limits.memory = AG_DEFAULT_MEMORY;
	cfg->limits.timeout_ms = AG_DEFAULT_TIMEOUT_MS;
	cfg->limits.output = AG_DEFAULT_OUTPUT;
	cfg->limits.findings_per_rule = AG_DEFAULT_FINDINGS_PER_RULE;
	cfg->limits.findings = AG_DEFAULT_FINDINGS;
	cfg->state_dir = xstrdup(AG_STATE_DIR);
	cfg->waivers_dir = xstrdup(AG_WAIVERS_DIR);
	cfg->audit.log = xstrdup(AG_AUDIT_LOG);
	cfg->audit.fail_closed = true;
	cfg->audit.syslog_facility = LOG_AUTHPRIV;
	cfg->hook.timeout_ms = AG_DEFAULT_HOOK_TIMEOUT_MS;
}

static void free_dirs(struct ag_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_policy_dirs; i++)
		free(cfg->policy_dirs[i]);
	free(cfg->policy_dirs);
	cfg->policy_dirs = NULL;
	cfg->n_policy_dirs = 0;
}

void ag_config_free(struct ag_config *cfg)
{
	free(cfg->path);
	free_dirs(cfg);
	free(cfg->site_policy_dir);
	json_object_put(cfg->params);
	free(cfg->keys_file);
	free(cfg->state_dir);
	free(cfg->waivers_dir);
	free(cfg->audit.log);
	for (size_t i = 0; i < cfg->n_rule_modes; i++)
		free(cfg->rule_modes[i].rule);
	free(cfg->rule_modes);
	ag_labels_free(&cfg->labels);
	memset(cfg, 0, sizeof(*cfg));
}

void ag_config_set_policy_dirs(struct ag_config *cfg, char **dirs, size_t n)
{
	size_t i;

	free_dirs(cfg);
	cfg->policy_dirs = xcalloc(n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++)
		cfg->policy_dirs[i] = xstrdup(dirs[i]);
	cfg->n_policy_dirs = n;
}

static int fail_at(struct ag_error *err, const char *name,
		   const struct ag_ynode *node, const char *what)
{
	char buf[96];

	ag_error_set(err, "%s:%u:%u: expected %s, found %s", name, node->line,
		     node->col, what, ag_ynode_describe(node, buf, sizeof(buf)));
	return -1;
}

int ag_ynode_to_json(const char *name, const struct ag_ynode *node,
		     json_object **out, struct ag_error *err)
{
	json_object *o;
	int64_t i;
	bool b;
	size_t k;

	switch (node->kind) {
	case AG_YSCALAR:
		switch (ag_yscalar_type(node)) {
		case AG_YT_NULL:
			*out = NULL;
			return 0;
		case AG_YT_BOOL:
			ag_ybool(node, &b);
			*out = json_object_new_boolean(b);
			return 0;
		case AG_YT_INT:
			if (ag_yint(node, &i) < 0)
				return fail_at(err, name, node,
					       "a decimal or 0x hex integer in "
					       "64-bit range");
			*out = json_object_new_int64(i);
			return 0;
		case AG_YT_FLOAT: {
			char *end;
			double d = strtod(node->value, &end);

			/* .inf and .nan have no JSON form */
			if (*end || !isfinite(d))
				return fail_at(err, name, node, "a finite number");
			*out = json_object_new_double(d);
			return 0;
		}
		case AG_YT_STR:
			*out = json_object_new_string_len(node->value,
							  (int)node->len);
			return 0;
		}
		break;
	case AG_YSEQ:
		o = json_object_new_array();
		for (k = 0; k < node->n; k++) {
			json_object *item;

			if (ag_ynode_to_json(name, node->items[k], &item, err) < 0) {
				json_object_put(o);
				return -1;
			}
			json_object_array_add(o, item);
		}
		*out = o;
		return 0;
	case AG_YMAP:
		o = json_object_new_object();
		for (k = 0; k < node->n; k++) {
			json_object *val;

			if (ag_ynode_to_json(name, node->items[k], &val, err) < 0) {
				json_object_put(o);
				return -1;
			}
			json_object_object_add(o, node->keys[k]->value, val);
		}
		*out = o;
		return 0;
	}
	*out = NULL;
	return 0;
}

static int get_string(const char *name, const struct ag_ynode *n, char **out,
		      struct ag_error *err)
{
	if (n->kind != AG_YSCALAR || ag_yscalar_type(n) != AG_YT_STR ||
	    n->len == 0)
		return fail_at(err, name, n, "a path string");
	free(*out);
	*out = xstrdup(n->value);
	return 0;
}

static int get_positive(const char *name, const struct ag_ynode *n,
			int64_t max, int64_t *out, struct ag_error *err)
{
	char what[64];

	snprintf(what, sizeof(what), "an integer from 1 to %lld",
		 (long long)max);
	if (n->kind != AG_YSCALAR || ag_yint(n, out) < 0 || *out < 1 ||
	    *out > max)
		return fail_at(err, name, n, what);
	return 0;
}

/* A path, or null to switch the feature off. */
static int get_path_or_null(const char *name, const struct ag_ynode *n,
			    char **out, struct ag_error *err)
{
	if (n->kind == AG_YSCALAR && ag_yscalar_type(n) == AG_YT_NULL) {
		free(*out);
		*out = NULL;
		return 0;
	}
	return get_string(name, n, out, err);
}

/* "reject" (fail closed, true) or "accept" (fail open, false). */
static int get_failure_choice(const char *name, const struct ag_ynode *n,
			      bool *reject, struct ag_error *err)
{
	if (n->kind == AG_YSCALAR && ag_yscalar_type(n) == AG_YT_STR &&
	    (strcmp(n->value, "reject") == 0 || strcmp(n->value, "accept") == 0)) {
		*reject = strcmp(n->value, "reject") == 0;
		return 0;
	}
	return fail_at(err, name, n, "reject or accept");
}

static int get_bool(const char *name, const struct ag_ynode *n, bool *out,
		    struct ag_error *err)
{
	if (n->kind != AG_YSCALAR || ag_ybool(n, out) < 0)
		return fail_at(err, name, n, "true or false");
	return 0;
}

static int unknown_key(const char *name, const struct ag_ynode *key,
		       const char *where, const char *expected,
		       struct ag_error *err)
{
	ag_error_set(err, "%s:%u:%u: unknown key \"%s\"%s%s (expected %s)",
		     name, key->line, key->col, key->value, where[0] ? " in " : "",
		     where, expected);
	return -1;
}

static int get_facility(const char *name, const struct ag_ynode *n,
			int *out, struct ag_error *err)
{
	if (n->kind != AG_YSCALAR || ag_syslog_facility(n->value, out) < 0)
		return fail_at(err, name, n, "a syslog facility ("
			       AG_SYSLOG_FACILITIES ")");
	return 0;
}

static int load_audit(struct ag_config *cfg, const char *name,
		      const struct ag_ynode *m, struct ag_error *err)
{
	size_t k;

	if (m->kind != AG_YMAP)
		return fail_at(err, name, m, "a mapping of audit settings");
	for (k = 0; k < m->n; k++) {
		const char *key = m->keys[k]->value;
		const struct ag_ynode *val = m->items[k];
		int rc;

		if (strcmp(key, "log") == 0)
			rc = get_path_or_null(name, val, &cfg->audit.log, err);
		else if (strcmp(key, "on_write_failure") == 0)
			rc = get_failure_choice(name, val, &cfg->audit.fail_closed,
						err);
		else if (strcmp(key, "store_descriptors") == 0)
			rc = get_bool(name, val, &cfg->audit.store_descriptors, err);
		else if (strcmp(key, "syslog") == 0)
			rc = get_bool(name, val, &cfg->audit.syslog, err);
		else if (strcmp(key, "syslog_facility") == 0)
			rc = get_facility(name, val, &cfg->audit.syslog_facility,
					  err);
		else
			rc = unknown_key(name, m->keys[k], "audit",
					 "log, on_write_failure, store_descriptors, "
					 "syslog, syslog_facility", err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int load_hook(struct ag_config *cfg, const char *name,
		     const struct ag_ynode *m, struct ag_error *err)
{
	size_t k;
	int64_t v;

	if (m->kind != AG_YMAP)
		return fail_at(err, name, m, "a mapping of hook settings");
	for (k = 0; k < m->n; k++) {
		const char *key = m->keys[k]->value;
		const struct ag_ynode *val = m->items[k];
		bool reject;

		if (strcmp(key, "timeout_ms") == 0) {
			if (get_positive(name, val, 600000, &v, err) < 0)
				return -1;
			cfg->hook.timeout_ms = (unsigned)v;
		} else if (strcmp(key, "on_missing_metadata") == 0) {
			if (get_failure_choice(name, val, &reject, err) < 0)
				return -1;
			cfg->hook.accept_without_metadata = !reject;
		} else {
			return unknown_key(name, m->keys[k], "hook",
					   "timeout_ms, on_missing_metadata", err);
		}
	}
	return 0;
}

const char *ag_enforcement_name(enum ag_enforcement e)
{
	switch (e) {
	case AG_ENFORCE_WARN: return "warn";
	case AG_ENFORCE_DRYRUN: return "dryrun";
	case AG_ENFORCE: break;
	}
	return "enforce";
}

int ag_enforcement_parse(const char *s, bool warn_ok, enum ag_enforcement *out)
{
	if (strcmp(s, "enforce") == 0)
		*out = AG_ENFORCE;
	else if (strcmp(s, "dryrun") == 0)
		*out = AG_ENFORCE_DRYRUN;
	else if (warn_ok && strcmp(s, "warn") == 0)
		*out = AG_ENFORCE_WARN;
	else
		return -1;
	return 0;
}

static int get_enforcement(const char *name, const struct ag_ynode *n,
			   bool warn_ok, enum ag_enforcement *out,
			   struct ag_error *err)
{
	if (n->kind != AG_YSCALAR || ag_yscalar_type(n) != AG_YT_STR ||
	    ag_enforcement_parse(n->value, warn_ok, out) < 0)
		return fail_at(err, name, n, warn_ok ? "enforce, warn or dryrun" :
			       "enforce or dryrun");
	return 0;
}

/* rules: {RULE-ID: {enforcement: MODE}} */
static int load_rules(struct ag_config *cfg, const char *name,
		      const struct ag_ynode *m, struct ag_error *err)
{
	size_t k, j;

	if (m->kind == AG_YSCALAR && ag_yscalar_type(m) == AG_YT_NULL)
		return 0;
	if (m->kind != AG_YMAP)
		return fail_at(err, name, m, "a mapping of rule ids to rule "
			       "settings");
	for (k = 0; k < m->n; k++) {
		const struct ag_ynode *val = m->items[k];
		struct ag_rule_enforcement *re;

		if (m->keys[k]->len == 0)
			return fail_at(err, name, m->keys[k], "a rule id");
		if (val->kind != AG_YMAP)
			return fail_at(err, name, val, "a mapping like "
				       "{enforcement: warn}");
		cfg->rule_modes = xrealloc(cfg->rule_modes,
					   (cfg->n_rule_modes + 1) *
					   sizeof(*cfg->rule_modes));
		re = &cfg->rule_modes[cfg->n_rule_modes++];
		re->rule = xstrdup(m->keys[k]->value);
		re->mode = AG_ENFORCE;
		re->line = m->keys[k]->line;
		re->col = m->keys[k]->col;
		for (j = 0; j < val->n; j++) {
			if (strcmp(val->keys[j]->value, "enforcement") != 0)
				return unknown_key(name, val->keys[j], "rules",
						   "enforcement", err);
			if (get_enforcement(name, val->items[j], true, &re->mode,
					    err) < 0)
				return -1;
		}
	}
	return 0;
}

static int load_limits(struct ag_config *cfg, const char *name,
		       const struct ag_ynode *m, struct ag_error *err)
{
	size_t k;
	int64_t v;

	if (m->kind != AG_YMAP)
		return fail_at(err, name, m, "a mapping of limits");
	for (k = 0; k < m->n; k++) {
		const char *key = m->keys[k]->value;
		const struct ag_ynode *val = m->items[k];

		if (strcmp(key, "instructions") == 0) {
			if (get_positive(name, val, INT64_C(1) << 40, &v, err) < 0)
				return -1;
			cfg->limits.instructions = (uint64_t)v;
		} else if (strcmp(key, "memory_mb") == 0) {
			if (get_positive(name, val, 4096, &v, err) < 0)
				return -1;
			cfg->limits.memory = (size_t)v * 1024 * 1024;
		} else if (strcmp(key, "timeout_ms") == 0) {
			if (get_positive(name, val, 600000, &v, err) < 0)
				return -1;
			cfg->limits.timeout_ms = (unsigned)v;
			cfg->timeout_set = true;
		} else if (strcmp(key, "output_mb") == 0) {
			if (get_positive(name, val, 1024, &v, err) < 0)
				return -1;
			cfg->limits.output = (size_t)v * 1024 * 1024;
		} else if (strcmp(key, "findings_per_rule") == 0) {
			if (get_positive(name, val, 1000000, &v, err) < 0)
				return -1;
			cfg->limits.findings_per_rule = (unsigned)v;
		} else if (strcmp(key, "findings") == 0) {
			if (get_positive(name, val, 1000000, &v, err) < 0)
				return -1;
			cfg->limits.findings = (unsigned)v;
		} else {
			return unknown_key(name, m->keys[k], "limits",
					   "instructions, memory_mb, timeout_ms, "
					   "output_mb, findings_per_rule, findings",
					   err);
		}
	}
	return 0;
}

static int load_tree(struct ag_config *cfg, const char *name,
		     const struct ag_ynode *root, struct ag_error *err)
{
	size_t k, i;

	if (root->kind == AG_YSCALAR && ag_yscalar_type(root) == AG_YT_NULL)
		return 0;	/* an empty file: all defaults */
	if (root->kind != AG_YMAP)
		return fail_at(err, name, root, "a mapping");
	for (k = 0; k < root->n; k++) {
		const char *key = root->keys[k]->value;
		const struct ag_ynode *val = root->items[k];

		if (strcmp(key, "policy_dirs") == 0) {
			char **dirs;

			if (val->kind != AG_YSEQ)
				return fail_at(err, name, val, "a list of directories");
			dirs = xcalloc(val->n + 1, sizeof(char *));
			for (i = 0; i < val->n; i++) {
				if (get_string(name, val->items[i], &dirs[i], err) < 0) {
					while (i--)
						free(dirs[i]);
					free(dirs);
					return -1;
				}
			}
			ag_config_set_policy_dirs(cfg, dirs, val->n);
			for (i = 0; i < val->n; i++)
				free(dirs[i]);
			free(dirs);
		} else if (strcmp(key, "site_policy_dir") == 0) {
			if (val->kind == AG_YSCALAR &&
			    ag_yscalar_type(val) == AG_YT_NULL) {
				free(cfg->site_policy_dir);
				cfg->site_policy_dir = NULL;
			} else if (get_string(name, val, &cfg->site_policy_dir,
					      err) < 0) {
				return -1;
			}
		} else if (strcmp(key, "params") == 0) {
			json_object *p;

			if (val->kind != AG_YMAP)
				return fail_at(err, name, val,
					       "a mapping of parameters");
			if (ag_ynode_to_json(name, val, &p, err) < 0)
				return -1;
			json_object_put(cfg->params);
			cfg->params = p;
		} else if (strcmp(key, "limits") == 0) {
			if (load_limits(cfg, name, val, err) < 0)
				return -1;
		} else if (strcmp(key, "keys_file") == 0) {
			if (get_path_or_null(name, val, &cfg->keys_file, err) < 0)
				return -1;
		} else if (strcmp(key, "state_dir") == 0) {
			if (get_string(name, val, &cfg->state_dir, err) < 0)
				return -1;
		} else if (strcmp(key, "waivers_dir") == 0) {
			if (get_path_or_null(name, val, &cfg->waivers_dir, err) < 0)
				return -1;
		} else if (strcmp(key, "audit") == 0) {
			if (load_audit(cfg, name, val, err) < 0)
				return -1;
		} else if (strcmp(key, "hook") == 0) {
			if (load_hook(cfg, name, val, err) < 0)
				return -1;
		} else if (strcmp(key, "enforcement") == 0) {
			if (get_enforcement(name, val, false, &cfg->enforcement,
					    err) < 0)
				return -1;
		} else if (strcmp(key, "rules") == 0) {
			if (load_rules(cfg, name, val, err) < 0)
				return -1;
		} else if (strcmp(key, "labels") == 0) {
			if (ag_labels_from_ynode(name, "labels", val,
						 &cfg->labels, err) < 0)
				return -1;
		} else {
			return unknown_key(name, root->keys[k], "",
					   "policy_dirs, site_policy_dir, params, "
					   "limits, keys_file, state_dir, "
					   "waivers_dir, audit, hook, enforcement, "
					   "rules, labels", err);
		}
	}
	return 0;
}

int ag_config_load(struct ag_config *cfg, const char *path, bool must_exist,
		   struct ag_error *err)
{
	struct ag_ynode *root = NULL;
	size_t len;
	char *buf;
	int rc;

	if (!must_exist && access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	/* The caller sets cfg->insecure_policies before loading. */
	if (ag_trust_read_file(path, AG_TRUST_CONFIG, cfg->insecure_policies,
			       AG_CONFIG_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	rc = ag_yaml_parse(path, buf, len, &root, err);
	free(buf);
	if (rc < 0)
		return -1;
	rc = load_tree(cfg, path, root, err);
	ag_ynode_free(root);
	if (rc == 0) {
		free(cfg->path);
		cfg->path = xstrdup(path);
	}
	return rc;
}

int ag_config_set_param(struct ag_config *cfg, const char *assignment,
			struct ag_error *err)
{
	const char *eq = strchr(assignment, '='), *text;
	struct ag_ynode *node = NULL;
	json_object *val;
	char *name;
	int rc;

	if (!eq || eq == assignment) {
		ag_error_set(err, "--param %s: expected NAME=VALUE", assignment);
		return -1;
	}
	name = xstrndup(assignment, (size_t)(eq - assignment));
	text = eq + 1;
	rc = ag_yaml_parse("--param", text, strlen(text), &node, err);
	/* Typed only when YAML reads the whole text as one scalar: "---",
	 * "a # b", "[1]" or "..." would otherwise turn into null, "a" or a
	 * list.  A quoted value ('12') is the way to force a string. */
	if (*text && (rc < 0 || !node || node->kind != AG_YSCALAR ||
		      (node->plain && strcmp(node->value, text) != 0))) {
		val = json_object_new_string(text);
		rc = 0;
	} else if (rc == 0) {
		rc = ag_ynode_to_json("--param", node, &val, err);
	}
	if (rc == 0)
		json_object_object_add(cfg->params, name, val);
	ag_ynode_free(node);
	free(name);
	return rc;
}
