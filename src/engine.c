/* engine.c - rules, findings and evaluation on top of the sandbox.
 *
 * The only module that talks to Lua about policies: it installs the policy
 * API (rule, disable, reject, warn, note, print), loads files, and runs
 * each active rule's check under the sandbox's limits.  Data shapes are
 * luaview.c's business; limits are sandbox.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "engine.h"
#include "luahelpers.h"
#include "luaview.h"
#include "remedy.h"
#include "sandbox.h"
#include "textsafe.h"
#include "timeutil.h"
#include "util.h"


struct ag_engine {
	struct ag_sandbox *sbx;
	struct ag_limits limits;
	struct ag_rule_info *rules;
	int *check_refs;
	size_t n_rules, cap_rules, cap_refs;
	const char *loading;		/* file being loaded, else NULL */
	/* during evaluation */
	struct ag_verdict *v;
	long current;			/* rule being checked, else -1 */
	size_t findings_of_current, findings_total;
	/* Bytes copied out of Lua, against limits.output: a runaway policy
	 * must not exhaust memory outside the Lua cap either. */
	size_t load_bytes, eval_bytes;
	json_object *params;
	/* ag_engine_keep_compiled(): each loaded file's compiled code, to
	 * instantiate again per evaluation */
	bool keep_compiled;
	struct compiled_file {
		char *path;
		int kept;	/* ag_sandbox_keep's handle */
	} *compiled;
	size_t n_compiled, cap_compiled;
	/* ag_engine_share_source_views(): the view of the last source
	 * descriptor evaluated, for the next evaluations of the same one */
	bool share_src_views;
	bool drop_evidence;	/* ag_engine_drop_evidence() */
	const struct ag_descriptor *src_viewed;
	int src_view_ref;
};

const struct ag_finding_fn ag_finding_fns[AG_FINDING_FNS] = {
	{ "reject", AG_SEV_REJECT },
	{ "warn", AG_SEV_WARN },
	{ "note", AG_SEV_NOTE },
};

static struct ag_engine *engine_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* Charge n bytes about to be copied out of Lua; raises a Lua error naming
 * the limit when they do not fit. */
static void charge(lua_State *L, struct ag_engine *e, size_t n,
		   const char *what)
{
	size_t used = e->load_bytes + e->eval_bytes;

	if (n > e->limits.output || used > e->limits.output - n)
		luaL_error(L, "%s: the text policies hand to apgate would exceed "
			   "the output limit of %I bytes (limits.output_mb in "
			   "apgate.yaml)", what, (lua_Integer)e->limits.output);
	if (e->loading)
		e->load_bytes += n;
	else
		e->eval_bytes += n;
}

static bool valid_rule_id(const char *id)
{
	const char *p;

	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
		return false;
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			return false;
	return p - id <= 128;
}

static int caller_line(lua_State *L)
{
	lua_Debug ar;

	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
		return ar.currentline;
	return 0;
}

static long find_active(const struct ag_engine *e, const char *id)
{
	size_t i;

	for (i = 0; i < e->n_rules; i++)
		if (e->rules[i].state == AG_RULE_ACTIVE &&
		    strcmp(e->rules[i].id, id) == 0)
			return (long)i;
	return -1;
}

/* rule{ id = ..., description = ..., check = function(src, tgt, ctx) } */
static int l_rule(lua_State *L)
{
	struct ag_engine *e = engine_of(L);
	const char *unknown = NULL, *id, *desc = NULL;
	struct ag_rule_info *r;
	long old;
	int line;

	if (!e->loading)
		return luaL_error(L, "rule{} may only be called while a policy "
				  "file loads, not inside a check");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		const char *k;

		lua_pop(L, 1);
		k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
		if (strcmp(k, "id") && strcmp(k, "description") &&
		    strcmp(k, "check") && (!unknown || strcmp(k, unknown) < 0))
			unknown = k;	/* report the first in sorted order */
	}
	if (unknown)
		return luaL_error(L, "rule{}: unknown field '%s' (expected id, "
				  "description, check)", unknown);
	if (lua_getfield(L, 1, "id") != LUA_TSTRING ||
	    !valid_rule_id(lua_tostring(L, -1)))
		return luaL_error(L, "rule{}: 'id' must be a string of a-z, 0-9, "
				  "'.', '_', '-' like \"site.no-cex6\"");
	id = lua_tostring(L, -1);
	switch (lua_getfield(L, 1, "description")) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING:
		desc = lua_tostring(L, -1);
		break;
	default:
		return luaL_error(L, "rule{} '%s': 'description' must be a string",
				  id);
	}
	if (lua_getfield(L, 1, "check") != LUA_TFUNCTION)
		return luaL_error(L, "rule{} '%s': 'check' must be a function "
				  "(src, tgt, ctx)", id);

	charge(L, e, strlen(id) + (desc ? strlen(desc) : 0) + strlen(e->loading) +
	       AG_FINDING_OVERHEAD, "rule{}");
	line = caller_line(L);
	old = find_active(e, id);
	if (old >= 0) {
		e->rules[old].state = AG_RULE_REPLACED;
		e->rules[old].by_file = xstrdup(e->loading);
		e->rules[old].by_line = line;
	}
	e->rules = xgrow(e->rules, &e->cap_rules, e->n_rules + 1,
			 sizeof(*e->rules));
	e->check_refs = xgrow(e->check_refs, &e->cap_refs, e->n_rules + 1,
			      sizeof(*e->check_refs));
	r = &e->rules[e->n_rules];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	r->description = desc ? xstrdup(desc) : NULL;
	r->file = xstrdup(e->loading);
	r->line = line;
	r->state = AG_RULE_ACTIVE;
	e->check_refs[e->n_rules] = luaL_ref(L, LUA_REGISTRYINDEX);
	e->n_rules++;
	return 0;
}

/* disable("rule.id", "reason") */
static int l_disable(lua_State *L)
{
	struct ag_engine *e = engine_of(L);
	const char *id = luaL_checkstring(L, 1);
	const char *reason;
	long i;

	if (!e->loading)
		return luaL_error(L, "disable() may only be called while a "
				  "policy file loads");
	if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0)
		return luaL_error(L, "disable(\"%s\", reason): a reason is "
				  "required; it is shown in every verdict", id);
	reason = lua_tostring(L, 2);
	i = find_active(e, id);
	if (i < 0)
		return luaL_error(L, "disable(): no active rule '%s' (only rules "
				  "registered before this call can be disabled)",
				  id);
	charge(L, e, strlen(reason) + strlen(e->loading) + AG_FINDING_OVERHEAD,
	       "disable()");
	e->rules[i].state = AG_RULE_DISABLED;
	e->rules[i].by_file = xstrdup(e->loading);
	e->rules[i].by_line = caller_line(L);
	e->rules[i].reason = xstrdup(reason);
	return 0;
}

/* reject / warn / note (msg [, { apqn = ..., evidence = ..., remedy = ... }]) */
static int l_finding(lua_State *L)
{
	struct ag_engine *e = engine_of(L);
	enum ag_severity sev = (enum ag_severity)lua_tointeger(L, lua_upvalueindex(2));
	const char *fname = ag_severity_name(sev);
	const char *msg, *apqn = NULL, *unknown = NULL;
	json_object *evidence = NULL;
	struct ag_remedy *remedy = NULL;
	struct ag_error err;
	unsigned a, d;

	if (e->current < 0)
		return luaL_error(L, "%s() may only be called inside a rule's "
				  "check function", fname);
	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "%s(): the message must be a string, not %s",
				  fname, luaL_typename(L, 1));
	msg = lua_tostring(L, 1);
	lua_settop(L, 2);
	if (++e->findings_of_current > e->limits.findings_per_rule)
		return luaL_error(L, "%s(): more than %I findings from one rule "
				  "(limits.findings_per_rule in apgate.yaml)",
				  fname, (lua_Integer)e->limits.findings_per_rule);
	if (++e->findings_total > e->limits.findings)
		return luaL_error(L, "%s(): more than %I findings in this "
				  "evaluation (limits.findings in apgate.yaml)",
				  fname, (lua_Integer)e->limits.findings);
	/* Counted before anything is copied: 4000 notes of 1 MiB stop at
	 * the limit, not at 4 GB. */
	charge(L, e, strlen(msg) + AG_FINDING_OVERHEAD, fname);
	if (!lua_isnil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_pushnil(L);
		while (lua_next(L, 2)) {
			const char *k;

			lua_pop(L, 1);
			k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
			if (strcmp(k, "apqn") && strcmp(k, "evidence") &&
			    strcmp(k, "remedy") &&
			    (!unknown || strcmp(k, unknown) < 0))
				unknown = k;
		}
		if (unknown)
			return luaL_error(L, "%s(): unknown detail '%s' (expected "
					  "apqn, evidence, remedy)", fname, unknown);
		if (lua_getfield(L, 2, "apqn") != LUA_TNIL) {
			if (lua_type(L, -1) != LUA_TSTRING ||
			    ag_apqn_parse(lua_tostring(L, -1), &a, &d) < 0)
				return luaL_error(L, "%s(): 'apqn' must be an "
						  "APQN string like \"05.0004\"",
						  fname);
			apqn = lua_tostring(L, -1);
		}
		if (lua_getfield(L, 2, "evidence") != LUA_TNIL) {
			if (lua_type(L, -1) != LUA_TTABLE)
				return luaL_error(L, "%s(): 'evidence' must be "
						  "a table", fname);
			size_t left = e->limits.output - e->load_bytes -
				      e->eval_bytes;

			if (ag_luaview_to_json(L, -1, e->drop_evidence ? NULL :
					       &evidence, &left, &err) < 0)
				return luaL_error(L, "%s(): %s", fname, err.msg);
			e->eval_bytes = e->limits.output - e->load_bytes - left;
		}
		/* Last: from here on nothing may raise a Lua error, or the
		 * evidence and remedy would leak. */
		if (lua_getfield(L, 2, "remedy") != LUA_TNIL) {
			size_t left = e->limits.output - e->load_bytes -
				      e->eval_bytes;

			if (ag_remedy_from_lua(L, -1, &remedy, &left, &err) < 0) {
				json_object_put(evidence);
				return luaL_error(L, "%s(): %s", fname, err.msg);
			}
			e->eval_bytes = e->limits.output - e->load_bytes - left;
		}
	}
	ag_verdict_add_finding(e->v, e->rules[e->current].id, sev, msg, apqn,
			       evidence);
	e->v->findings[e->v->n_findings - 1].remedy = remedy;
	/* Where the call was made, for apgate test --coverage. */
	e->v->findings[e->v->n_findings - 1].line = caller_line(L);
	return 0;
}

/* print(...) goes to stderr, never stdout: on the hook path libvirt reads
 * stdout as replacement domain XML. */
static int l_print(lua_State *L)
{
	struct ag_engine *e = engine_of(L);
	const char *where = e->loading ? e->loading :
		e->current >= 0 ? e->rules[e->current].id : "policy";
	luaL_Buffer b;
	int i, n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	fputs("apgate: ", stderr);
	ag_fput_safe(stderr, where);
	fputs(": ", stderr);
	ag_fput_safe(stderr, lua_tostring(L, -1));
	fputc('\n', stderr);
	return 0;
}

static void install_api(struct ag_engine *e)
{
	lua_State *L = ag_sandbox_state(e->sbx);
	size_t i;

	lua_pushlightuserdata(L, e);
	lua_pushcclosure(L, l_rule, 1);
	ag_sandbox_set_global(e->sbx, "rule");
	lua_pushlightuserdata(L, e);
	lua_pushcclosure(L, l_disable, 1);
	ag_sandbox_set_global(e->sbx, "disable");
	lua_pushlightuserdata(L, e);
	lua_pushcclosure(L, l_print, 1);
	ag_sandbox_set_global(e->sbx, "print");
	for (i = 0; i < AG_FINDING_FNS; i++) {
		lua_pushlightuserdata(L, e);
		lua_pushinteger(L, ag_finding_fns[i].severity);
		lua_pushcclosure(L, l_finding, 2);
		ag_sandbox_set_global(e->sbx, ag_finding_fns[i].name);
	}
	ag_luaview_register_helpers(e->sbx);
	ag_remedy_register_helpers(e->sbx);
}

struct ag_engine *ag_engine_new(const struct ag_limits *limits,
				struct ag_error *err)
{
	struct ag_sandbox_limits sl = {
		.instructions = limits->instructions,
		.memory = limits->memory,
		.timeout_ms = limits->timeout_ms,
	};
	struct ag_engine *e = xcalloc(1, sizeof(*e));

	e->limits = *limits;
	if (!e->limits.output)
		e->limits.output = AG_DEFAULT_OUTPUT;
	if (!e->limits.findings_per_rule)
		e->limits.findings_per_rule = AG_DEFAULT_FINDINGS_PER_RULE;
	if (!e->limits.findings)
		e->limits.findings = AG_DEFAULT_FINDINGS;
	e->current = -1;
	e->src_view_ref = LUA_NOREF;
	e->sbx = ag_sandbox_new(&sl, err);
	if (!e->sbx) {
		free(e);
		return NULL;
	}
	install_api(e);
	return e;
}

static void free_rule_infos(struct ag_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_rules; i++) {
		free(e->rules[i].id);
		free(e->rules[i].description);
		free(e->rules[i].file);
		free(e->rules[i].by_file);
		free(e->rules[i].reason);
	}
	e->n_rules = 0;
}

void ag_engine_free(struct ag_engine *e)
{
	size_t i;

	if (!e)
		return;
	ag_sandbox_free(e->sbx);
	free_rule_infos(e);
	free(e->rules);
	free(e->check_refs);
	for (i = 0; i < e->n_compiled; i++)
		free(e->compiled[i].path);
	free(e->compiled);
	json_object_put(e->params);
	free(e);
}

int ag_engine_load(struct ag_engine *e, const char *path, const char *buf,
		   size_t len, struct ag_error *err)
{
	enum ag_sandbox_status st;

	st = ag_sandbox_load(e->sbx, path, buf, len, err);
	if (st != AG_SBX_OK)
		return -1;
	if (e->keep_compiled) {
		struct compiled_file *c;
		int kept = ag_sandbox_keep(e->sbx, path, err);

		if (kept < 0) {
			lua_pop(ag_sandbox_state(e->sbx), 1);
			return -1;
		}
		e->compiled = xgrow(e->compiled, &e->cap_compiled,
				    e->n_compiled + 1, sizeof(*e->compiled));
		c = &e->compiled[e->n_compiled++];
		c->path = xstrdup(path);
		c->kept = kept;
	}
	e->loading = path;
	st = ag_sandbox_call(e->sbx, 0, err, NULL);
	e->loading = NULL;
	return st == AG_SBX_OK ? 0 : -1;
}

void ag_engine_keep_compiled(struct ag_engine *e)
{
	e->keep_compiled = true;
}

void ag_engine_share_source_views(struct ag_engine *e)
{
	e->share_src_views = true;
}

void ag_engine_idle(struct ag_engine *e)
{
	ag_sandbox_idle(e->sbx);
}

void ag_engine_drop_evidence(struct ag_engine *e)
{
	e->drop_evidence = true;
}

int ag_engine_renew(struct ag_engine *e, struct ag_error *err)
{
	lua_State *L = ag_sandbox_state(e->sbx);
	enum ag_sandbox_status st;
	size_t i;

	/* Drop the previous instance: its rules' check functions are the
	 * only references to its closures, upvalues and environments. */
	for (i = 0; i < e->n_rules; i++)
		luaL_unref(L, LUA_REGISTRYINDEX, e->check_refs[i]);
	free_rule_infos(e);
	e->load_bytes = 0;
	for (i = 0; i < e->n_compiled; i++) {
		const struct compiled_file *c = &e->compiled[i];

		st = ag_sandbox_instance(e->sbx, c->kept, c->path, err);
		if (st != AG_SBX_OK)
			return -1;
		e->loading = c->path;
		st = ag_sandbox_call(e->sbx, 0, err, NULL);
		e->loading = NULL;
		if (st != AG_SBX_OK)
			return -1;
	}
	return 0;
}

int ag_engine_set_params(struct ag_engine *e, json_object *params,
			 struct ag_error *err)
{
	if (params && !json_object_is_type(params, json_type_object)) {
		ag_error_set(err, "site parameters must be a mapping");
		return -1;
	}
	json_object_put(e->params);
	e->params = params ? json_object_get(params) : NULL;
	return 0;
}

const struct ag_rule_info *ag_engine_rules(const struct ag_engine *e,
					   size_t *n)
{
	*n = e->n_rules;
	return e->rules;
}

struct views_args {
	const struct ag_descriptor *src, *tgt;
	json_object *params;
	time_t now;
	int src_ref;		/* in: the kept view of src, or LUA_NOREF */
	bool keep_src;		/* in: keep src's view; out: src_ref */
};

/* Builds src, tgt and ctx; runs protected since any allocation may hit
 * the memory cap. */
static int build_views(lua_State *L)
{
	struct views_args *a = lua_touserdata(L, 1);
	char now[AG_TIME_LEN];

	if (a->src_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, a->src_ref);
	} else {
		ag_luaview_push_descriptor(L, a->src);
		if (a->keep_src) {
			lua_pushvalue(L, -1);
			a->src_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		}
	}
	ag_luaview_push_descriptor(L, a->tgt);
	lua_createtable(L, 0, 4);
	if (a->params)
		ag_luaview_push_json(L, a->params);
	else {
		lua_newtable(L);
		ag_sandbox_push_readonly(L);
	}
	lua_setfield(L, -2, "params");
	ag_time_format(a->now, now);
	lua_pushstring(L, now);
	lua_setfield(L, -2, "now");
	lua_pushinteger(L, (lua_Integer)a->now);
	lua_setfield(L, -2, "now_epoch");
	lua_pushcfunction(L, ag_luaview_ctx_time);
	lua_setfield(L, -2, "time");
	ag_sandbox_push_readonly(L);
	return 3;
}

static enum ag_rule_result result_of(const struct ag_verdict *v, size_t from)
{
	enum ag_rule_result res = AG_RESULT_PASS;
	size_t i;

	for (i = from; i < v->n_findings; i++) {
		if (v->findings[i].severity == AG_SEV_REJECT)
			res = AG_RESULT_REJECT;
		else if (v->findings[i].severity == AG_SEV_WARN &&
			 res == AG_RESULT_PASS)
			res = AG_RESULT_WARN;
	}
	return res;
}

static void record_inactive(struct ag_verdict *v, const struct ag_rule_info *r)
{
	char *why;

	if (r->state == AG_RULE_DISABLED)
		why = xasprintf("disabled by %s:%d: %s", r->by_file, r->by_line,
				r->reason);
	else
		why = xasprintf("replaced by %s:%d", r->by_file, r->by_line);
	ag_verdict_add_rule(v, r->id, r->description, r->file, r->line,
			    r->state == AG_RULE_DISABLED ? AG_RESULT_DISABLED :
			    AG_RESULT_REPLACED, why);
	free(why);
}

/* An error finding for a rule that failed: the message names the file
 * (Lua's messages start with "file:line:"; limit messages may not). */
static void record_failure(struct ag_engine *e, const struct ag_rule_info *r,
			   enum ag_sandbox_status st, const char *msg,
			   const char *traceback)
{
	json_object *ev = json_object_new_object();
	size_t flen = strlen(r->file);
	char *text;

	if (strncmp(msg, r->file, flen) == 0 && msg[flen] == ':')
		text = xstrdup(msg);
	else
		text = xasprintf("%s: %s", r->file, msg);
	json_object_object_add(ev, "failure",
			       json_object_new_string(ag_sandbox_status_name(st)));
	if (traceback)
		json_object_object_add(ev, "traceback",
				       json_object_new_string(traceback));
	ag_verdict_add_finding(e->v, r->id, AG_SEV_ERROR, text, NULL, ev);
	free(text);
}

int ag_engine_evaluate(struct ag_engine *e, const struct ag_descriptor *src,
		       const struct ag_descriptor *tgt, time_t now,
		       struct ag_verdict *v)
{
	lua_State *L = ag_sandbox_state(e->sbx);
	struct views_args args = { src, tgt, e->params, now, LUA_NOREF, false };
	struct ag_error err;
	bool stop = false;
	int top = lua_gettop(L), views, built;
	size_t i;

	if (e->share_src_views) {
		if (e->src_viewed == src) {
			args.src_ref = e->src_view_ref;
		} else {
			luaL_unref(L, LUA_REGISTRYINDEX, e->src_view_ref);
			e->src_view_ref = LUA_NOREF;
			e->src_viewed = NULL;
			args.keep_src = true;
		}
	}
	e->v = v;
	e->eval_bytes = 0;
	e->findings_total = 0;
	ag_time_format(now, v->now);
	lua_pushcfunction(L, build_views);
	lua_pushlightuserdata(L, &args);
	built = lua_pcall(L, 1, 3, 0);
	if (built != LUA_OK && args.keep_src)
		luaL_unref(L, LUA_REGISTRYINDEX, args.src_ref);	/* if taken */
	if (built == LUA_ERRMEM) {
		/* Lua's "not enough memory" names no bound: say which. */
		ag_verdict_add_error(v, "policy", "cannot build the policy "
				     "input: the views of the two descriptors "
				     "(%zu and %zu queues) exceed the memory "
				     "limit of %zu bytes (limits.memory_mb in "
				     "apgate.yaml)", src->n_queues,
				     tgt->n_queues, e->limits.memory);
		lua_settop(L, top);
		e->v = NULL;
		return -1;
	}
	if (built != LUA_OK) {
		ag_verdict_add_error(v, "policy", "cannot build the policy "
				     "input: %s", lua_tostring(L, -1));
		lua_settop(L, top);
		e->v = NULL;
		return -1;
	}
	views = lua_gettop(L) - 2;
	if (args.keep_src) {
		e->src_viewed = src;
		e->src_view_ref = args.src_ref;
	}

	for (i = 0; i < e->n_rules; i++) {
		const struct ag_rule_info *r = &e->rules[i];
		enum ag_sandbox_status st;
		size_t before = v->n_findings;
		char *tb = NULL;

		if (r->state != AG_RULE_ACTIVE) {
			record_inactive(v, r);
			continue;
		}
		if (stop) {
			ag_verdict_add_rule(v, r->id, r->description, r->file,
					    r->line, AG_RESULT_NOT_RUN,
					    "evaluation stopped by a time limit");
			continue;
		}
		lua_rawgeti(L, LUA_REGISTRYINDEX, e->check_refs[i]);
		lua_pushvalue(L, views);
		lua_pushvalue(L, views + 1);
		lua_pushvalue(L, views + 2);
		e->current = (long)i;
		e->findings_of_current = 0;
		st = ag_sandbox_call(e->sbx, 3, &err, &tb);
		e->current = -1;
		if (st == AG_SBX_OK) {
			ag_verdict_add_rule(v, r->id, r->description, r->file,
					    r->line, result_of(v, before), NULL);
		} else {
			record_failure(e, r, st, err.msg, tb);
			ag_verdict_add_rule(v, r->id, r->description, r->file,
					    r->line, AG_RESULT_ERROR, NULL);
			if (st == AG_SBX_TIMEOUT)
				stop = true;
			/* Give the next rule the memory back; no finalizers
			 * exist, so collecting runs no policy code. */
			if (st == AG_SBX_MEMORY)
				lua_gc(L, LUA_GCCOLLECT);
		}
		free(tb);
	}
	lua_settop(L, top);
	e->v = NULL;
	return 0;
}
