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
#include "util.h"
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

/* What is prepared once for many decisions.  A failure on the way is
 * kept (stage and message) and recorded in every verdict, at the point of
 * the decision where ag_decide always recorded it. */
enum prep_failure {
	PREP_OK,
	PREP_POLICY,		/* policies, engine, params: no evaluation */
	PREP_WAIVER,		/* waivers: after evaluation */
};

struct ag_decider {
	const struct ag_config *cfg;
	struct ag_policyset ps;
	struct ag_engine *engine;
	struct ag_waiverset ws;
	bool have_ws;
	enum prep_failure failed;
	char *failure;
	bool many;		/* renew the policies per decision */
	bool evaluated;		/* the engine's instance has been used */
};

static void prepare(struct ag_decider *d, bool many)
{
	const struct ag_config *cfg = d->cfg;
	struct ag_error err;

	if (collect_policies(cfg, &d->ps, &err) < 0)
		goto policy;
	d->engine = ag_engine_new(&cfg->limits, &err);
	if (!d->engine)
		goto policy;
	if (many) {
		ag_engine_keep_compiled(d->engine);
		ag_engine_share_source_views(d->engine);
		/* place shows messages and remedies; evidence goes only into
		 * decision records */
		if (!cfg->audit.log)
			ag_engine_drop_evidence(d->engine);
	}
	if (ag_policyset_load(&d->ps, d->engine, &err) < 0) {
		d->failed = PREP_POLICY;
		d->failure = xasprintf("policy failed to load: %s", err.msg);
		return;
	}
	if (ag_engine_set_params(d->engine, cfg->params, &err) < 0)
		goto policy;
	/* A waiver loosens the gate: one that cannot be read and trusted is
	 * an error, never ignored. */
	if (ag_waivers_load(cfg->state_dir, cfg->waivers_dir,
			    cfg->insecure_policies, &d->ws, &err) < 0) {
		d->failed = PREP_WAIVER;
		d->failure = xstrdup(err.msg);
		return;
	}
	d->have_ws = true;
	return;
policy:
	d->failed = PREP_POLICY;
	d->failure = xstrdup(err.msg);
}

static struct ag_decider *decider_alloc(const struct ag_config *cfg,
					bool many)
{
	struct ag_decider *d = xcalloc(1, sizeof(*d));

	d->cfg = cfg;
	d->many = many;
	ag_policyset_init(&d->ps);
	d->ps.insecure = cfg->insecure_policies;
	return d;
}

struct ag_decider *ag_decider_new(const struct ag_config *cfg)
{
	struct ag_decider *d = decider_alloc(cfg, true);

	prepare(d, true);
	return d;
}

void ag_decider_free(struct ag_decider *d)
{
	if (!d)
		return;
	ag_policyset_free(&d->ps);
	ag_engine_free(d->engine);
	if (d->have_ws)
		ag_waiverset_free(&d->ws);
	free(d->failure);
	free(d);
}

void ag_decider_record(const struct ag_decider *d, struct ag_verdict *v)
{
	ag_policyset_record(&d->ps, v);
}

const char *ag_decider_failure(const struct ag_decider *d)
{
	return d->failed == PREP_OK ? NULL : d->failure;
}

static void evaluate(struct ag_decider *d, const struct ag_decide_input *in,
		     struct ag_verdict *v)
{
	struct ag_error err;

	if (d->failed == PREP_POLICY) {
		ag_verdict_add_error(v, "policy", "%s", d->failure);
		return;
	}
	/* Every decision but the first runs a new instance of the policies:
	 * nothing one pair's evaluation left behind reaches the next. */
	if (d->evaluated && ag_engine_renew(d->engine, &err) < 0) {
		ag_verdict_add_error(v, "policy", "policy failed to load: %s",
				     err.msg);
		return;
	}
	d->evaluated = true;
	ag_engine_evaluate(d->engine, in->src, in->tgt, in->now, v);
	if (d->failed == PREP_WAIVER) {
		ag_verdict_add_error(v, "waiver", "%s", d->failure);
		return;
	}
	/* The one place where the site's enforcement and waivers apply. */
	ag_enforce_apply(d->cfg, &d->ws, in->now, v);
}

static void decide(struct ag_decider *d, const struct ag_decide_input *in,
		   struct ag_verdict *v, uint64_t start)
{
	/* the sides' digests and the decision id are for a record or a
	 * shown verdict (see sides_unrecorded) */
	bool identified = !in->sides_unrecorded || in->cfg->audit.log;
	struct ag_error err;

	if (identified) {
		ag_verdict_set_side(&v->source, in->src_path, in->src);
		ag_verdict_set_side(&v->target, in->tgt_path, in->tgt);
	}
	json_object_put(v->params);
	v->params = json_object_get(in->cfg->params);
	v->insecure_policies = in->cfg->insecure_policies;
	ag_time_format(in->now, v->now);

	if (in->src && in->tgt) {	/* else the caller recorded why */
		if (!d->engine && !d->failure)
			prepare(d, d->many);
		evaluate(d, in, v);
	}
	ag_policyset_record(&d->ps, v);
	ag_verdict_finish(v);
	/* place without a record shows no id (and an id costs several
	 * system calls: a tenth of a pair) */
	ag_verdict_stamp(v, time(NULL), identified);
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

void ag_decider_decide(struct ag_decider *d, const struct ag_decide_input *in,
		       struct ag_verdict *v)
{
	decide(d, in, v, monotonic_us());
}

/* The decider of the last ag_decide.  Its process (check, the hook) exits
 * next, and closing the Lua state would free its thousands of objects one
 * by one: more work than the rules' whole evaluation, for memory the exit
 * returns at once.  One decider is kept at a time (a program deciding
 * again frees the previous one), reachable from here, so leak checkers
 * see no leak. */
static struct ag_decider *last_decider;

void ag_decide(const struct ag_decide_input *in, struct ag_verdict *v)
{
	uint64_t start = monotonic_us();
	/* One decision: policies are read only when both sides loaded, as
	 * they always were. */
	struct ag_decider *d = decider_alloc(in->cfg, false);

	decide(d, in, v, start);
	ag_decider_free(last_decider);
	last_decider = d;
	/* it must not point at a configuration its caller frees */
	d->cfg = NULL;
	if (d->engine)
		ag_engine_idle(d->engine);
}

void ag_decide_release(void)
{
	ag_decider_free(last_decider);
	last_decider = NULL;
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
