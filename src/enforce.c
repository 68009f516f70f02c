/* enforce.c - enforcement modes applied to a verdict's findings. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "enforce.h"

static const struct ag_rule_enforcement *mode_of(const struct ag_config *cfg,
						 const char *rule)
{
	size_t i;

	for (i = 0; i < cfg->n_rule_modes; i++)
		if (strcmp(cfg->rule_modes[i].rule, rule) == 0)
			return &cfg->rule_modes[i];
	return NULL;
}

static bool rule_known(const struct ag_verdict *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->n_rules; i++)
		if (strcmp(v->rules[i].id, id) == 0)
			return true;
	return false;
}

void ag_enforce_apply(const struct ag_config *cfg, struct ag_verdict *v)
{
	size_t i, n = v->n_findings;

	for (i = 0; i < n; i++) {
		struct ag_finding *f = &v->findings[i];
		const struct ag_rule_enforcement *re;
		enum ag_enforcement mode;

		if (f->severity != AG_SEV_REJECT)
			continue;
		/* A rule's own setting beats the global one. */
		re = mode_of(cfg, f->rule);
		mode = re ? re->mode : cfg->enforcement;
		if (mode == AG_ENFORCE_WARN)
			f->severity = AG_SEV_WARN;
		else if (mode == AG_ENFORCE_DRYRUN)
			f->not_enforced = true;
	}
	/* A mistyped rule id would silently leave that rule enforced: say
	 * so whenever rules ran. */
	for (i = 0; v->n_rules && i < cfg->n_rule_modes; i++) {
		const struct ag_rule_enforcement *re = &cfg->rule_modes[i];
		char msg[512];

		if (rule_known(v, re->rule))
			continue;
		snprintf(msg, sizeof(msg), "%s:%u:%u: enforcement %s is set for "
			 "rule \"%.200s\", which no policy file registers",
			 cfg->path ? cfg->path : "apgate.yaml", re->line, re->col,
			 ag_enforcement_name(re->mode), re->rule);
		ag_verdict_add_finding(v, "config", AG_SEV_NOTE, msg, NULL, NULL);
	}
}
