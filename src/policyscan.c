/* policyscan.c - rules, call sites and global names of policy files, found
 * by running them against an inert API (see policyscan.h for why). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "luahelpers.h"
#include "luaview.h"
#include "policyscan.h"
#include "remedy.h"
#include "sandbox.h"
#include "timeutil.h"
#include "util.h"

struct scan {
	struct ag_sandbox *sbx;
	struct ag_scan *out;
	const char *loading;		/* file being loaded, else NULL */
	long current;			/* rule whose check runs, else -1 */
	int *refs;			/* check function of each rule */
	size_t cap_refs;
};

static struct scan *scan_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* --- the call-site tokenizer --- */

/* Length of a long bracket opening at p ("[[", "[==["), or 0; *level gets
 * the number of '='. */
static size_t long_open(const char *p, const char *end, size_t *level)
{
	const char *q = p + 1;

	if (*p != '[')
		return 0;
	while (q < end && *q == '=')
		q++;
	if (q >= end || *q != '[')
		return 0;
	*level = (size_t)(q - p - 1);
	return (size_t)(q - p + 1);
}

/* Skip to after the closing bracket of the given level. */
static const char *long_skip(const char *p, const char *end, size_t level,
			     int *line)
{
	for (; p < end; p++) {
		if (*p == '\n')
			(*line)++;
		if (*p == ']') {
			const char *q = p + 1;

			while (q < end && *q == '=')
				q++;
			if (q < end && *q == ']' && (size_t)(q - p - 1) == level)
				return q + 1;
		}
	}
	return end;
}

static bool is_ident(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

struct ag_scan_site *ag_scan_call_sites(const char *buf, size_t len,
					size_t *n)
{
	const char *p = buf, *end = buf + len;
	struct ag_scan_site *sites = NULL;
	size_t cap = 0, level, skip;
	char prev = ' ', prev2 = ' ';
	int line = 1;
	/* Calls whose parentheses are open: site index and the paren depth
	 * outside them. */
	struct { size_t site; long depth; } open[32];
	size_t n_open = 0;
	long depth = 0;

	*n = 0;
	while (p < end) {
		char c = *p;

		if (c == '\n') {
			line++;
			p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
			   c == '\v') {
			p++;
		} else if (c == '-' && p + 1 < end && p[1] == '-') {
			p += 2;
			if ((skip = long_open(p, end, &level)))
				p = long_skip(p + skip, end, level, &line);
			else
				while (p < end && *p != '\n')
					p++;
		} else if (c == '"' || c == '\'') {
			for (p++; p < end && *p != c && *p != '\n'; p++) {
				if (*p == '\\' && p + 1 < end) {
					p++;
					if (*p == '\n')
						line++;
				}
			}
			if (p < end && *p == c)
				p++;
			prev2 = prev;
			prev = '"';
		} else if ((skip = long_open(p, end, &level))) {
			p = long_skip(p + skip, end, level, &line);
			prev2 = prev;
			prev = '"';
		} else if (is_ident(c, true)) {
			const char *s = p, *q;
			enum ag_severity kind;
			size_t l;
			bool field;

			while (p < end && is_ident(*p, false))
				p++;
			l = (size_t)(p - s);
			/* x.warn(...) and x:warn(...) are not the API;
			 * "a" .. warn(...) is. */
			field = prev == ':' || (prev == '.' && prev2 != '.');
			prev2 = prev;
			prev = 'a';
			if (l == 6 && memcmp(s, "remedy", 6) == 0 && n_open)
				sites[open[n_open - 1].site].remedy = true;
			if (field)
				continue;
			if (l == 6 && memcmp(s, "reject", 6) == 0)
				kind = AG_SEV_REJECT;
			else if (l == 4 && memcmp(s, "warn", 4) == 0)
				kind = AG_SEV_WARN;
			else if (l == 4 && memcmp(s, "note", 4) == 0)
				kind = AG_SEV_NOTE;
			else
				continue;
			for (q = p; q < end && (*q == ' ' || *q == '\t' ||
						*q == '\r' || *q == '\n'); q++)
				;
			if (q < end && (*q == '(' || *q == '"' || *q == '\'' ||
					*q == '{' || long_open(q, end, &level))) {
				sites = xgrow(sites, &cap, *n + 1, sizeof(*sites));
				sites[*n].line = line;
				sites[*n].kind = kind;
				sites[*n].remedy = false;
				if (*q == '(' && n_open < AG_ARRAY_SIZE(open)) {
					open[n_open].site = *n;
					open[n_open++].depth = depth;
				}
				(*n)++;
			}
		} else if (c >= '0' && c <= '9') {
			while (p < end && (is_ident(*p, false) || *p == '.'))
				p++;
			prev2 = prev;
			prev = '0';
		} else {
			if (c == '(')
				depth++;
			else if (c == ')') {
				depth--;
				while (n_open && open[n_open - 1].depth >= depth)
					n_open--;
			}
			prev2 = prev;
			prev = c;
			p++;
		}
	}
	return sites;
}

/* --- recording --- */

static int caller_line(lua_State *L, const char **file)
{
	static char name[1];
	lua_Debug ar;

	*file = name;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
		if (ar.source[0] == '@')
			*file = ar.source + 1;
		return ar.currentline;
	}
	return 0;
}

static void add_global(struct scan *s, lua_State *L, const char *name,
		       bool write)
{
	struct ag_scan *o = s->out;
	struct ag_scan_global *g;
	const char *file;
	int line = caller_line(L, &file);
	size_t i;

	/* A hostile file could name millions; a few hundred say enough. */
	if (o->n_globals >= 500)
		return;
	for (i = 0; i < o->n_globals; i++)
		if (o->globals[i].line == line && o->globals[i].write == write &&
		    strcmp(o->globals[i].name, name) == 0 &&
		    strcmp(o->globals[i].file, file) == 0)
			return;
	o->globals = xgrow(o->globals, &o->cap_globals, o->n_globals + 1,
			   sizeof(*o->globals));
	g = &o->globals[o->n_globals++];
	g->file = xstrdup(file);
	g->line = line;
	g->name = xstrdup(name);
	g->write = write;
	g->rule = s->current >= 0 ? xstrdup(o->rules[s->current].id) : NULL;
}

/* __index of a file's environment: built-ins, else an undefined name. */
static int l_env_index(lua_State *L)
{
	struct scan *s = scan_of(L);

	if (lua_type(L, 2) == LUA_TSTRING) {
		lua_pushvalue(L, 2);
		if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL)
			return 1;
		add_global(s, L, lua_tostring(L, 2), false);
	}
	lua_pushnil(L);
	return 1;
}

static int l_env_newindex(lua_State *L)
{
	struct scan *s = scan_of(L);

	luaL_checktype(L, 1, LUA_TTABLE);	/* the environment */
	if (lua_type(L, 2) == LUA_TSTRING)
		add_global(s, L, lua_tostring(L, 2), true);
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 0;
}

/* rule{}: record the rule; what is wrong with it is the engine's to say. */
static int l_rule(lua_State *L)
{
	struct scan *s = scan_of(L);
	struct ag_scan *o = s->out;
	struct ag_scan_rule *r;
	const char *file;
	lua_Debug ar;
	int line;

	if (!s->loading || lua_type(L, 1) != LUA_TTABLE)
		return 0;
	lua_settop(L, 1);
	if (lua_getfield(L, 1, "id") != LUA_TSTRING ||
	    lua_getfield(L, 1, "check") != LUA_TFUNCTION)
		return 0;
	line = caller_line(L, &file);
	o->rules = xgrow(o->rules, &o->cap_rules, o->n_rules + 1,
			 sizeof(*o->rules));
	s->refs = xgrow(s->refs, &s->cap_refs, o->n_rules + 1,
			sizeof(*s->refs));
	r = &o->rules[o->n_rules];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(lua_tostring(L, 2));
	r->file = xstrdup(s->loading);
	r->line = line;
	lua_pushvalue(L, 3);
	if (lua_getinfo(L, ">S", &ar)) {
		r->first = ar.linedefined;
		r->last = ar.lastlinedefined;
	}
	lua_pushvalue(L, 3);
	s->refs[o->n_rules] = luaL_ref(L, LUA_REGISTRYINDEX);
	o->n_rules++;
	return 0;
}

static int l_nothing(lua_State *L)
{
	(void)L;
	return 0;
}

static int l_finding(lua_State *L)
{
	struct scan *s = scan_of(L);
	enum ag_severity sev = (enum ag_severity)lua_tointeger(L, lua_upvalueindex(2));

	if (s->current >= 0 && sev != AG_SEV_NOTE)
		s->out->rules[s->current].reported = true;
	/* A remedy passed at run time counts for the calling line's site,
	 * however the details table was built. */
	if (s->current >= 0 && lua_type(L, 2) == LUA_TTABLE &&
	    lua_getfield(L, 2, "remedy") != LUA_TNIL) {
		struct ag_scan_rule *r = &s->out->rules[s->current];
		lua_Debug ar;
		size_t i;

		if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
			for (i = 0; i < r->n_sites; i++)
				if (r->sites[i].line == ar.currentline)
					r->sites[i].remedy = true;
	}
	return 0;
}

static void install_api(struct scan *s)
{
	lua_State *L = ag_sandbox_state(s->sbx);
	size_t i;

	/* The same global names the engine installs (engine.c). */
	lua_pushlightuserdata(L, s);
	lua_pushcclosure(L, l_rule, 1);
	ag_sandbox_set_global(s->sbx, "rule");
	lua_pushcfunction(L, l_nothing);
	ag_sandbox_set_global(s->sbx, "disable");
	lua_pushcfunction(L, l_nothing);
	ag_sandbox_set_global(s->sbx, "print");
	for (i = 0; i < AG_FINDING_FNS; i++) {
		lua_pushlightuserdata(L, s);
		lua_pushinteger(L, ag_finding_fns[i].severity);
		lua_pushcclosure(L, l_finding, 2);
		ag_sandbox_set_global(s->sbx, ag_finding_fns[i].name);
	}
	ag_luaview_register_helpers(s->sbx);
	ag_remedy_register_helpers(s->sbx);
}

/* Replace the environment of the chunk on top of the stack by a tracking
 * table that reads through to the built-ins; leaves the chunk on top and
 * pushes nothing else.  Returns the registry ref of the new environment. */
static int track_env(struct scan *s, lua_State *L)
{
	int fn = lua_gettop(L), ref;

	if (lua_getupvalue(L, fn, 1) == NULL)
		return LUA_NOREF;
	/* the sandbox's environment metatable: __index is the built-ins */
	if (!lua_getmetatable(L, -1)) {
		lua_pop(L, 1);
		return LUA_NOREF;
	}
	lua_getfield(L, -1, "__index");		/* env mt globals */
	lua_newtable(L);			/* the tracking env */
	lua_newtable(L);			/* its metatable */
	lua_pushlightuserdata(L, s);
	lua_pushvalue(L, -4);
	lua_pushcclosure(L, l_env_index, 2);
	lua_setfield(L, -2, "__index");
	lua_pushlightuserdata(L, s);
	lua_pushcclosure(L, l_env_newindex, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushliteral(L, "locked");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_setupvalue(L, fn, 1);
	lua_settop(L, fn);
	return ref;
}

/* --- which lines belong to a rule --- */

struct ranges {
	int (*r)[2];
	size_t n, cap;
};

static bool have_range(const struct ranges *rg, int a, int b)
{
	size_t i;

	for (i = 0; i < rg->n; i++)
		if (rg->r[i][0] == a && rg->r[i][1] == b)
			return true;
	return false;
}

/* Add the Lua function on top of the stack (of chunk source) and, through
 * its upvalues, the Lua functions it can call.  Pops it. */
static void add_function(lua_State *L, const char *source, struct ranges *rg,
			 int depth)
{
	lua_Debug ar;
	int i, fn = lua_gettop(L);

	lua_pushvalue(L, fn);
	if (depth > 32 || !lua_getinfo(L, ">S", &ar) ||
	    strcmp(ar.source, source) != 0 || ar.linedefined <= 0 ||
	    have_range(rg, ar.linedefined, ar.lastlinedefined)) {
		lua_settop(L, fn - 1);
		return;
	}
	rg->r = xgrow(rg->r, &rg->cap, rg->n + 1, sizeof(*rg->r));
	rg->r[rg->n][0] = ar.linedefined;
	rg->r[rg->n][1] = ar.lastlinedefined;
	rg->n++;
	for (i = 1; lua_getupvalue(L, fn, i); i++) {
		if (lua_type(L, -1) == LUA_TFUNCTION && !lua_iscfunction(L, -1))
			add_function(L, source, rg, depth + 1);
		else
			lua_pop(L, 1);
	}
	lua_settop(L, fn - 1);
}

static void assign_sites(struct scan *s, lua_State *L, size_t first_rule,
			 int env_ref, const char *path,
			 const struct ag_scan_site *sites, size_t n_sites)
{
	char *source = xasprintf("@%s", path);
	size_t i, k, j;

	for (i = first_rule; i < s->out->n_rules; i++) {
		struct ag_scan_rule *r = &s->out->rules[i];
		struct ranges rg = { 0 };
		size_t cap = 0;

		lua_rawgeti(L, LUA_REGISTRYINDEX, s->refs[i]);
		add_function(L, source, &rg, 0);
		/* Functions the file keeps as globals may be called by name. */
		if (env_ref != LUA_NOREF) {
			lua_rawgeti(L, LUA_REGISTRYINDEX, env_ref);
			lua_pushnil(L);
			while (lua_next(L, -2)) {
				if (lua_type(L, -1) == LUA_TFUNCTION &&
				    !lua_iscfunction(L, -1))
					add_function(L, source, &rg, 1);
				else
					lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		for (k = 0; k < n_sites; k++) {
			bool in = false;

			for (j = 0; j < rg.n && !in; j++)
				in = sites[k].line >= rg.r[j][0] &&
				     sites[k].line <= rg.r[j][1];
			if (!in)
				continue;
			r->sites = xgrow(r->sites, &cap, r->n_sites + 1,
					 sizeof(*r->sites));
			r->sites[r->n_sites++] = sites[k];
		}
		free(rg.r);
	}
	free(source);
}

/* --- running checks on samples --- */

struct views_args {
	const struct ag_descriptor *src, *tgt;
	json_object *params;
	time_t now;
};

static int build_views(lua_State *L)
{
	const struct views_args *a = lua_touserdata(L, 1);
	char now[AG_TIME_LEN];

	ag_luaview_push_descriptor(L, a->src);
	ag_luaview_push_descriptor(L, a->tgt);
	lua_createtable(L, 0, 4);
	if (a->params) {
		ag_luaview_push_json(L, a->params);
	} else {
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

static void add_failure(struct ag_scan *o, const char *rule, const char *msg)
{
	size_t i;

	for (i = 0; i < o->n_failures; i++)
		if (strcmp(o->failures[i].rule, rule) == 0 &&
		    strcmp(o->failures[i].message, msg) == 0)
			return;
	o->failures = xgrow(o->failures, &o->cap_failures, o->n_failures + 1,
			    sizeof(*o->failures));
	o->failures[o->n_failures].rule = xstrdup(rule);
	o->failures[o->n_failures].message = xstrdup(msg);
	o->n_failures++;
}

static void run_samples(struct scan *s, const struct ag_scan_samples *sm)
{
	lua_State *L = ag_sandbox_state(s->sbx);
	size_t p, i;

	for (p = 0; p < sm->n; p++) {
		struct views_args args = { sm->src[p], sm->tgt[p], sm->params,
					   sm->now };
		int top = lua_gettop(L);

		lua_pushcfunction(L, build_views);
		lua_pushlightuserdata(L, &args);
		if (lua_pcall(L, 1, 3, 0) != LUA_OK) {
			lua_settop(L, top);
			continue;
		}
		for (i = 0; i < s->out->n_rules; i++) {
			struct ag_error err;

			lua_rawgeti(L, LUA_REGISTRYINDEX, s->refs[i]);
			lua_pushvalue(L, top + 1);
			lua_pushvalue(L, top + 2);
			lua_pushvalue(L, top + 3);
			s->current = (long)i;
			if (ag_sandbox_call(s->sbx, 3, &err, NULL) != AG_SBX_OK)
				add_failure(s->out, s->out->rules[i].id, err.msg);
			s->current = -1;
		}
		lua_settop(L, top);
	}
}

int ag_scan_files(const struct ag_scan_file *files, size_t n,
		  const struct ag_scan_samples *samples, struct ag_scan *out,
		  struct ag_error *err)
{
	struct ag_sandbox_limits lim = { AG_DEFAULT_INSTRUCTIONS,
					 AG_DEFAULT_MEMORY,
					 AG_DEFAULT_TIMEOUT_MS };
	struct scan s = { 0 };
	lua_State *L;
	size_t i;

	memset(out, 0, sizeof(*out));
	s.out = out;
	s.current = -1;
	s.sbx = ag_sandbox_new(&lim, err);
	if (!s.sbx)
		return -1;
	install_api(&s);
	L = ag_sandbox_state(s.sbx);
	for (i = 0; i < n; i++) {
		size_t first = out->n_rules, n_sites;
		struct ag_scan_site *sites;
		struct ag_error lerr;
		int env = LUA_NOREF;

		if (ag_sandbox_load(s.sbx, files[i].path, files[i].buf,
				    files[i].len, &lerr) == AG_SBX_OK) {
			env = track_env(&s, L);
			s.loading = files[i].path;
			ag_sandbox_call(s.sbx, 0, &lerr, NULL);
			s.loading = NULL;
		}
		sites = ag_scan_call_sites(files[i].buf, files[i].len, &n_sites);
		assign_sites(&s, L, first, env, files[i].path, sites, n_sites);
		free(sites);
		if (env != LUA_NOREF)
			luaL_unref(L, LUA_REGISTRYINDEX, env);
	}
	if (samples)
		run_samples(&s, samples);
	ag_sandbox_free(s.sbx);
	free(s.refs);
	return 0;
}

void ag_scan_free(struct ag_scan *s)
{
	size_t i;

	for (i = 0; i < s->n_rules; i++) {
		free(s->rules[i].id);
		free(s->rules[i].file);
		free(s->rules[i].sites);
	}
	free(s->rules);
	for (i = 0; i < s->n_globals; i++) {
		free(s->globals[i].file);
		free(s->globals[i].name);
		free(s->globals[i].rule);
	}
	free(s->globals);
	for (i = 0; i < s->n_failures; i++) {
		free(s->failures[i].rule);
		free(s->failures[i].message);
	}
	free(s->failures);
	memset(s, 0, sizeof(*s));
}
