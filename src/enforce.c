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

static json_object *waived_json(const struct ag_waiver *w)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "by", json_object_new_string(w->by));
	json_object_object_add(o, "id", json_object_new_string(w->id));
	json_object_object_add(o, "reason", json_object_new_string(w->reason));
	json_object_object_add(o, "until", json_object_new_string(w->until));
	return o;
}

/* Step 2 (enforce.h): waivers in force; expired ones that would have
 * matched are said. */
static void apply_waivers(const struct ag_waiverset *ws, time_t now,
			  struct ag_verdict *v)
{
	size_t i, j, n = v->n_findings;
	json_object *list = NULL;

	for (i = 0; ws && i < ws->n; i++) {
		const struct ag_waiver *w = &ws->items[i];
		bool active = ag_waiver_active(w, now), missed = false;
		int64_t changed = 0;
		json_object *o;

		if (!ag_waiver_concerns(w, v))
			continue;
		for (j = 0; j < n; j++) {
			struct ag_finding *f = &v->findings[j];

			if (!ag_waiver_matches(w, f, v))
				continue;
			if (!active) {
				missed = true;
				continue;
			}
			f->severity = AG_SEV_WARN;
			f->waived = waived_json(w);
			changed++;
		}
		if (missed) {
			char msg[256];

			snprintf(msg, sizeof(msg), "waiver %s expired on %s",
				 w->id, w->until);
			ag_verdict_add_finding(v, "waiver", AG_SEV_NOTE, msg, NULL,
					       NULL);
		}
		if (!active)
			continue;
		o = ag_waiver_to_json(w);
		json_object_object_del(o, "created");
		json_object_object_add(o, "findings",
				       json_object_new_int64(changed));
		json_object_object_add(o, "origin",
				       json_object_new_string(w->origin ?
							      w->origin : "?"));
		if (!list)
			list = json_object_new_array();
		json_object_array_add(list, o);
	}
	json_object_put(v->waivers);
	v->waivers = list;
}

void ag_enforce_apply(const struct ag_config *cfg,
		      const struct ag_waiverset *ws, time_t now,
		      struct ag_verdict *v)
{
	size_t i, n = v->n_findings;

	/* A rule's own setting beats the global one. */
	for (i = 0; i < n; i++) {
		struct ag_finding *f = &v->findings[i];
		const struct ag_rule_enforcement *re = mode_of(cfg, f->rule);

		if (f->severity == AG_SEV_REJECT && re &&
		    re->mode == AG_ENFORCE_WARN)
			f->severity = AG_SEV_WARN;
	}
	apply_waivers(ws, now, v);
	for (i = 0; i < n; i++) {
		struct ag_finding *f = &v->findings[i];
		const struct ag_rule_enforcement *re = mode_of(cfg, f->rule);

		if (f->severity == AG_SEV_REJECT &&
		    (re ? re->mode : cfg->enforcement) == AG_ENFORCE_DRYRUN)
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
