/* fuzz_lua.c - see fuzz_lua.h. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "descriptor.h"
#include "engine.h"
#include "fuzz.h"
#include "fuzz_lua.h"
#include "render.h"
#include "verdict.h"

/* Loaded after the fuzzed file: whatever that file did must not be
 * visible here (its globals are its own; the built-ins are read-only).
 * Checked once at load and once more as the last rule. */
static const char probe[] =
	"local withheld = { 'io', 'os', 'package', 'require', 'debug',\n"
	"  'coroutine', 'load', 'loadfile', 'dofile', 'collectgarbage',\n"
	"  'rawget', 'rawset', 'loadstring', 'module', 'newproxy' }\n"
	"local env = _ENV\n"
	"local function escaped()\n"
	"  for _, n in ipairs(withheld) do\n"
	"    if env[n] ~= nil then return 'global ' .. n .. ' reachable' end\n"
	"  end\n"
	"  if string.dump ~= nil or math.random ~= nil then\n"
	"    return 'a withheld library function is reachable'\n"
	"  end\n"
	"  if ('ab'):rep(2) ~= 'abab' or ('x'):upper() ~= 'X' or\n"
	"     string.format('%d', 7) ~= '7' then\n"
	"    return 'string methods were replaced'\n"
	"  end\n"
	"  if type(rule) ~= 'function' or type(reject) ~= 'function' or\n"
	"     type(pcall) ~= 'function' or type(pairs) ~= 'function' then\n"
	"    return 'the policy API was replaced'\n"
	"  end\n"
	"  if fuzz_marker ~= nil then return 'another file\\'s global is visible' end\n"
	"  return nil\n"
	"end\n"
	"local why = escaped()\n"
	"if why then error('ESCAPE: ' .. why) end\n"
	"rule{ id = 'zz.fuzz.probe', check = function(src, tgt, ctx)\n"
	"  local w = escaped()\n"
	"  if w then reject('ESCAPE: ' .. w) end\n"
	"  if type(src) ~= 'table' or type(ctx) ~= 'table' then\n"
	"    reject('ESCAPE: views replaced')\n"
	"  end\n"
	"end }\n";

static struct ag_descriptor *src, *tgt;

/* The sandbox owns SIGALRM, and libFuzzer's -timeout would use it too
 * (process-directed, so any thread may run the sandbox's handler, which
 * _exit()s).  The Lua harnesses run with -timeout=0 and this watchdog
 * instead: a policy running longer than FUZZ_LUA_TIMEOUT seconds (a C
 * library call stuck on a pattern; Lua code is bounded by the instruction
 * budget) aborts, and libFuzzer keeps the input as a crash. */
#define FUZZ_LUA_TIMEOUT 25
static _Atomic long run_started;	/* time(NULL) of the run; 0 idle */

static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		long t;

		sleep(1);
		t = atomic_load(&run_started);
		if (t && (long)time(NULL) - t > FUZZ_LUA_TIMEOUT) {
			fprintf(stderr, "fuzz: one policy ran over %d s (stuck "
				"in a library call?)\n", FUZZ_LUA_TIMEOUT);
			abort();
		}
	}
	return NULL;
}

static struct ag_descriptor *load(const char *rel)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err;
	char *path;

	FUZZ_ASSERT(asprintf(&path, "%s/%s", FUZZ_SRCDIR, rel) > 0, "oom");
	if (ag_descriptor_load_file(path, &d, &err) < 0)
		FUZZ_FAIL("cannot load %s: %s", path, err.msg);
	free(path);
	return d;
}

void fuzz_lua_init(void)
{
	pthread_t t;

	src = load("examples/cca-mkvp-mismatch/source.yaml");
	tgt = load("examples/cca-mkvp-mismatch/target.yaml");
	FUZZ_ASSERT(pthread_create(&t, NULL, watchdog, NULL) == 0,
		    "no watchdog thread");
	pthread_detach(t);
}

static bool is_memory_error(const char *msg)
{
	return strstr(msg, "memory") != NULL;
}

void fuzz_lua_run(const char *text, size_t len)
{
	/* Tight limits keep runs fast; the caps are what is tested. */
	const struct ag_limits limits = {
		.instructions = 200000,
		.memory = 16u * 1024 * 1024,
		/* No wall-clock backstop: its last resort _exit()s, which
		 * would end fuzzing silently; the watchdog stands in. */
		.timeout_ms = 0,
	};
	struct ag_engine *e;
	struct ag_verdict v;
	struct ag_error err;
	json_object *params, *j;
	size_t i;
	FILE *null;

	e = ag_engine_new(&limits, &err);
	FUZZ_ASSERT(e, "no engine: %s", err.msg);
	params = json_object_new_object();
	json_object_object_add(params, "allow_generation_upgrade",
			       json_object_new_boolean(1));
	json_object_object_add(params, "zone", json_object_new_string("a"));
	FUZZ_ASSERT(ag_engine_set_params(e, params, &err) == 0, "params: %s",
		    err.msg);
	json_object_put(params);

	ag_verdict_init(&v);
	atomic_store(&run_started, (long)time(NULL));
	if (ag_engine_load(e, "fuzz.lua", text, len, &err) < 0) {
		/* A policy that fails to load is an error verdict; the probe
		 * still runs against the state it left behind. */
		ag_verdict_add_error(&v, "policy", "%s", err.msg);
	}
	if (ag_engine_load(e, "zz-probe.lua", probe, sizeof(probe) - 1,
			   &err) < 0) {
		FUZZ_ASSERT(!strstr(err.msg, "ESCAPE"), "%s", err.msg);
		FUZZ_ASSERT(is_memory_error(err.msg) ||
			    strstr(err.msg, "instruction") ||
			    strstr(err.msg, "time"),
			    "the probe file does not load after the fuzzed "
			    "one: %s", err.msg);
		ag_verdict_add_error(&v, "policy", "%s", err.msg);
	} else {
		ag_engine_evaluate(e, src, tgt, 1795000000, &v);
	}
	atomic_store(&run_started, 0L);
	ag_verdict_finish(&v);
	FUZZ_ASSERT(v.kind == AG_VERDICT_ACCEPT || v.kind == AG_VERDICT_WARN ||
		    v.kind == AG_VERDICT_REJECT || v.kind == AG_VERDICT_ERROR,
		    "verdict kind %d", (int)v.kind);
	FUZZ_ASSERT(strcmp(ag_verdict_kind_name(v.kind), "accept") == 0 ||
		    strcmp(ag_verdict_kind_name(v.kind), "warn") == 0 ||
		    strcmp(ag_verdict_kind_name(v.kind), "reject") == 0 ||
		    strcmp(ag_verdict_kind_name(v.kind), "error") == 0,
		    "verdict named %s", ag_verdict_kind_name(v.kind));
	for (i = 0; i < v.n_findings; i++) {
		const struct ag_finding *f = &v.findings[i];

		FUZZ_ASSERT(f->rule && f->message, "finding without rule or "
			    "message");
		FUZZ_ASSERT(f->severity <= AG_SEV_ERROR, "severity %d",
			    (int)f->severity);
		FUZZ_ASSERT(f->severity <= (enum ag_severity)v.kind ||
			    f->severity == AG_SEV_NOTE,
			    "a %s finding under a %s verdict",
			    ag_severity_name(f->severity),
			    ag_verdict_kind_name(v.kind));
		if (strcmp(f->rule, "zz.fuzz.probe") == 0)
			FUZZ_ASSERT(!strstr(f->message, "ESCAPE"), "%s",
				    f->message);
	}
	/* The renderers see whatever the policy put into findings. */
	null = fopen("/dev/null", "we");
	FUZZ_ASSERT(null, "/dev/null");
	ag_render_text(&v, null, true);
	j = ag_verdict_to_json(&v);
	json_object_put(j);
	free(ag_verdict_summary(&v));
	fclose(null);
	ag_verdict_free(&v);
	ag_engine_free(e);
}
