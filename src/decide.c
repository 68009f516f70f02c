/* decide.c - configuration + descriptors -> finished verdict. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "decide.h"
#include "enforce.h"
#include "engine.h"
#include "policyset.h"
#include "textsafe.h"
#include "waivers.h"

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int collect_policies(const struct ag_config *cfg,
			    struct ag_policyset *ps, struct ag_error *err)
{
	size_t i;

	for (i = 0; i < cfg->n_policy_dirs; i++)
		if (ag_policyset_add_dir(ps, cfg->policy_dirs[i], true, err) < 0)
			return -1;
	/* The site directory is optional: a host may have no site rules. */
	if (cfg->site_policy_dir &&
	    ag_policyset_add_dir(ps, cfg->site_policy_dir, false, err) < 0)
		return -1;
	if (ps->n == 0) {
		ag_error_set(err, "no policy files found (looked in %s%s%s); "
			     "refusing to decide without rules",
			     cfg->n_policy_dirs ? cfg->policy_dirs[0] : "-",
			     cfg->site_policy_dir ? " and " : "",
			     cfg->site_policy_dir ? cfg->site_policy_dir : "");
		return -1;
	}
	return 0;
}

void ag_decide(const struct ag_decide_input *in, struct ag_verdict *v)
{
	uint64_t start = monotonic_us();
	struct ag_engine *engine = NULL;
	struct ag_waiverset ws;
	struct ag_policyset ps;
	struct ag_error err;

	ag_policyset_init(&ps);
	ps.insecure = in->cfg->insecure_policies;
	ag_verdict_set_side(&v->source, in->src_path, in->src);
	ag_verdict_set_side(&v->target, in->tgt_path, in->tgt);
	json_object_put(v->params);
	v->params = json_object_get(in->cfg->params);
	v->insecure_policies = in->cfg->insecure_policies;
	ag_time_format(in->now, v->now);

	if (!in->src || !in->tgt)
		goto out;	/* the caller recorded why */
	if (collect_policies(in->cfg, &ps, &err) < 0) {
		ag_verdict_add_error(v, "policy", "%s", err.msg);
		goto out;
	}
	engine = ag_engine_new(&in->cfg->limits, &err);
	if (!engine) {
		ag_verdict_add_error(v, "policy", "%s", err.msg);
		goto out;
	}
	if (ag_policyset_load(&ps, engine, &err) < 0) {
		ag_verdict_add_error(v, "policy", "policy failed to load: %s",
				     err.msg);
		goto out;
	}
	if (ag_engine_set_params(engine, in->cfg->params, &err) < 0) {
		ag_verdict_add_error(v, "policy", "%s", err.msg);
		goto out;
	}
	ag_engine_evaluate(engine, in->src, in->tgt, in->now, v);
	/* The one place where the site's enforcement and waivers apply.  A
	 * waiver loosens the gate: one that cannot be read and trusted is
	 * an error, never ignored. */
	if (ag_waivers_load(in->cfg->state_dir, in->cfg->waivers_dir,
			    in->cfg->insecure_policies, &ws, &err) < 0) {
		ag_verdict_add_error(v, "waiver", "%s", err.msg);
		goto out;
	}
	ag_enforce_apply(in->cfg, &ws, in->now, v);
	ag_waiverset_free(&ws);
out:
	ag_policyset_record(&ps, v);
	ag_policyset_free(&ps);
	ag_engine_free(engine);
	ag_verdict_finish(v);
	ag_verdict_stamp(v, time(NULL));
	v->duration_us = monotonic_us() - start;

	/* The record is part of the decision: when it cannot be written the
	 * decision fails closed unless the site chose otherwise. */
	if (in->cfg->audit.log && ag_audit_record(in, v, &err) < 0) {
		if (in->cfg->audit.fail_closed) {
			/* check's user can choose another log on the spot;
			 * the hook's fix is in apgate.yaml. */
			ag_verdict_add_error(v, "audit", "%s%s", err.msg,
					     in->caller && !strcmp(in->caller, "check") ?
					     "; --audit-log FILE writes the record "
					     "elsewhere, --no-audit writes none" : "");
			ag_verdict_finish(v);
		} else {
			fputs("apgate: warning: ", stderr);
			ag_fput_safe(stderr, err.msg);
			fputc('\n', stderr);
		}
	}
}

int ag_exit_status(enum ag_verdict_kind kind, bool fail_on_warn)
{
	switch (kind) {
	case AG_VERDICT_ACCEPT:
		return AG_EXIT_OK;
	case AG_VERDICT_WARN:
		return fail_on_warn ? AG_EXIT_WARN : AG_EXIT_OK;
	case AG_VERDICT_REJECT:
		return AG_EXIT_REJECT;
	case AG_VERDICT_ERROR:
		break;
	}
	return AG_EXIT_ERROR;
}
