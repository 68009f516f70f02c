/* test_engine.c - the policy API: rule registration, replacement,
 * disable, findings and evidence, views, ctx, failures, determinism. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "engine.h"
#include "render.h"
#include "suites.h"
#include "testutil.h"

static const char SRC_YAML[] =
	"apgate-descriptor: 1\n"
	"host: lpar-a.example.com\n"
	"mdev:\n"
	"  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n"
	"  adapters: [5, 6]\n"
	"  domains: [4, 0xab]\n"
	"  control_domains: [4]\n"
	"cards:\n"
	"  - {adapter: 5, type: CEX8C, hwtype: 14, raw_hwtype: 15, mode: cca,"
	" functions: \"0x92800000\"}\n"
	"  - {adapter: 6, type: CEX7C, hwtype: 13, mode: cca}\n"
	"queues:\n"
	"  - apqn: \"05.0004\"\n"
	"    driver: vfio_ap\n"
	"    mkvps: {origin: declared, aes: {cur: {state: valid, mkvp: "
	"\"0x1a2b3c4d5e6f7081\"}}}\n"
	"  - {apqn: \"06.00ab\", driver: vfio_ap,"
	" assigned_to: 0D5A3C1E-8E0B-4A57-9B61-2C5B3F1A7E90}\n"
	"blocks:\n"
	"  - {reason: \"key ceremony\", until: \"2026-11-22T18:00:00Z\"}\n";

static struct ag_engine *eng;
static struct ag_descriptor *src;
static struct ag_verdict v;
static struct ag_error err;

static void setup(void)
{
	struct ag_limits lim = { .instructions = 1000000,
		.memory = 32u * 1024 * 1024, .timeout_ms = 5000 };

	eng = ag_engine_new(&lim, &err);
	ck_assert_msg(eng != NULL, "%s", err.msg);
	src = test_descriptor_from_text(SRC_YAML);
	ag_verdict_init(&v);
}

static void teardown(void)
{
	ag_verdict_free(&v);
	ag_descriptor_free(src);
	ag_engine_free(eng);
}

static void load(const char *name, const char *code)
{
	ck_assert_msg(ag_engine_load(eng, name, code, strlen(code), &err) == 0,
		      "loading %s: %s", name, err.msg);
}

static void load_fails(const char *code, const char *want)
{
	ck_assert_int_eq(ag_engine_load(eng, "bad.lua", code, strlen(code),
					&err), -1);
	ck_assert_msg(strstr(err.msg, want), "got \"%s\", want \"%s\"",
		      err.msg, want);
}

static void evaluate(void)
{
	ck_assert_int_eq(ag_engine_evaluate(eng, src, src, 1795348800, &v), 0);
	ag_verdict_finish(&v);
}

/* Run one check body as rule "t" and evaluate. */
static void check_body(const char *body)
{
	char *code = NULL;

	ck_assert_int_ge(asprintf(&code, "rule{ id = 't', description = 'x', "
				  "check = function(src, tgt, ctx)\n%s\nend }",
				  body), 0);
	load("t.lua", code);
	free(code);
	evaluate();
}

static const struct ag_finding *only_finding(void)
{
	ck_assert_uint_eq(v.n_findings, 1);
	return &v.findings[0];
}

START_TEST(rule_registers_with_file_and_line)
{
	const struct ag_rule_info *r;
	size_t n;

	load("a.lua", "\n\nrule{ id = 'a.one', description = 'first', "
	     "check = function() end }");
	r = ag_engine_rules(eng, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(r[0].id, "a.one");
	ck_assert_str_eq(r[0].description, "first");
	ck_assert_str_eq(r[0].file, "a.lua");
	ck_assert_int_eq(r[0].line, 3);
	evaluate();
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
	ck_assert_uint_eq(v.n_rules, 1);
	ck_assert_int_eq(v.rules[0].result, AG_RESULT_PASS);
}
END_TEST

START_TEST(rule_replacement_and_disable_are_recorded)
{
	const struct ag_rule_info *r;
	size_t n;

	load("10.lua", "rule{ id = 'x', check = function() reject('old') end }\n"
	     "rule{ id = 'y', check = function() reject('y') end }");
	load("20.lua", "rule{ id = 'x', check = function() note('new') end }\n"
	     "disable('y', 'not at this site')");
	r = ag_engine_rules(eng, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(r[0].state, AG_RULE_REPLACED);
	ck_assert_str_eq(r[0].by_file, "20.lua");
	ck_assert_int_eq(r[1].state, AG_RULE_DISABLED);
	ck_assert_str_eq(r[1].reason, "not at this site");
	ck_assert_int_eq(r[1].by_line, 2);
	evaluate();
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
	ck_assert_int_eq(v.rules[0].result, AG_RESULT_REPLACED);
	ck_assert_str_eq(v.rules[0].why, "replaced by 20.lua:1");
	ck_assert_int_eq(v.rules[1].result, AG_RESULT_DISABLED);
	ck_assert_str_eq(v.rules[1].why, "disabled by 20.lua:2: not at this site");
	ck_assert_str_eq(only_finding()->message, "new");
}
END_TEST

START_TEST(bad_registrations_fail_the_load)
{
	load_fails("rule{ id = 'Bad Id', check = function() end }",
		   "bad.lua:1: rule{}: 'id' must be a string");
	load_fails("rule{ id = 'a', chek = function() end }",
		   "unknown field 'chek'");
	load_fails("rule{ id = 'a' }", "'check' must be a function");
	load_fails("rule{ id = 'a', description = 5, check = print }",
		   "'description' must be a string");
	load_fails("disable('nope', 'why')", "no active rule 'nope'");
	load("ok.lua", "rule{ id = 'a', check = function() end }");
	load_fails("disable('a')", "a reason is required");
	load_fails("reject('outside')", "only be called inside a rule's check");
}
END_TEST

START_TEST(findings_with_details)
{
	const struct ag_finding *f;

	check_body("reject('gone', { apqn = '05.0004', evidence = "
		   "{ z = 1, a = { 'x', 'y' }, m = { k = true } } })");
	f = only_finding();
	ck_assert_str_eq(f->rule, "t");
	ck_assert_int_eq(f->severity, AG_SEV_REJECT);
	ck_assert_str_eq(f->apqn, "05.0004");
	ck_assert_str_eq(json_object_to_json_string_ext(f->evidence,
			 JSON_C_TO_STRING_PLAIN),
			 "{\"a\":[\"x\",\"y\"],\"m\":{\"k\":true},\"z\":1}");
	ck_assert_int_eq(v.kind, AG_VERDICT_REJECT);
	ck_assert_int_eq(v.rules[0].result, AG_RESULT_REJECT);
}
END_TEST

START_TEST(bad_details_are_errors)
{
	check_body("warn('x', { apqn = '5.4' })");
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_ptr_nonnull(strstr(only_finding()->message, "'apqn' must be"));
}
END_TEST

START_TEST(evidence_refuses_functions)
{
	check_body("warn('x', { evidence = { f = print } })");
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_ptr_nonnull(strstr(only_finding()->message,
				     "cannot hold a function"));
}
END_TEST

START_TEST(severity_ordering_and_verdict)
{
	check_body("note('n') warn('w') reject('r')");
	ck_assert_uint_eq(v.n_findings, 3);
	ck_assert_int_eq(v.findings[0].severity, AG_SEV_REJECT);
	ck_assert_int_eq(v.findings[1].severity, AG_SEV_WARN);
	ck_assert_int_eq(v.findings[2].severity, AG_SEV_NOTE);
	ck_assert_int_eq(v.kind, AG_VERDICT_REJECT);
}
END_TEST

START_TEST(views_expose_descriptor)
{
	check_body(
		"assert(src['apgate-descriptor'] == 1)\n"
		"assert(src.host == 'lpar-a.example.com')\n"
		"assert(src.mdev.uuid == '62177883-f1bb-47f0-914d-32a22e3a8804')\n"
		"assert(#src.mdev.adapters == 2 and src.mdev.domains[2] == 0xab)\n"
		"local l = src:apqns()\n"
		"assert(#l == 4 and l[1] == '05.0004' and l[4] == '06.00ab', table.concat(l, ','))\n"
		"assert(src:has_apqn('05.00ab') and not src:has_apqn('07.0004'))\n"
		"assert(src:queue('05.0004').driver == 'vfio_ap')\n"
		"assert(src:queue('05.00ab') == nil)\n"
		"assert(src:queue('05.0004').mkvps.aes.cur.mkvp == '0x1a2b3c4d5e6f7081')\n"
		"assert(src:queue('06.00ab').mkvps == nil)\n"
		"assert(src:queue('06.00ab').assigned_to == '0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90')\n"
		"assert(src:queue('05.0004').assigned_to == nil)\n"
		"assert(src:queue('05.0004').adapter == 5 and src:queue('05.0004').domain == 4)\n"
		"assert(src:card(5).type == 'CEX8C' and src:card('05.0004').adapter == 5)\n"
		"assert(src:generation(5) == 9, 'raw_hwtype wins')\n"
		"assert(src:generation('06.00ab') == 7)\n"
		"assert(src:functions(5) == 0x92800000 and src:functions(6) == nil)\n"
		"assert(src:card(5).online == nil, 'absent stays nil')\n"
		"assert(src.blocks[1].reason == 'key ceremony')\n"
		"assert(ap_functions.CCA & src:functions(5) ~= 0)\n"
		"note('ok')");
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
	ck_assert_str_eq(only_finding()->message, "ok");
}
END_TEST

/* A policy that keeps state every way the sandbox leaves open to it, and
 * reports what it finds.  Compiled once and renewed per evaluation (what
 * apgate place does), the second evaluation must see exactly what the
 * first saw: no counter, no mark. */
static const char STATEFUL[] =
	"local upvalue_calls = 0\n"
	"calls = calls or 0\n"
	"local memo = {}\n"
	"rule{ id = 'stateful', description = 'counts', check = function(src, tgt, ctx)\n"
	"  upvalue_calls = upvalue_calls + 1\n"
	"  calls = calls + 1\n"
	"  memo[#memo + 1] = tgt.host\n"
	"  local seen = {}\n"
	"  seen[#seen + 1] = pcall(function() string.mark = 1 end) and 'string' or nil\n"
	"  seen[#seen + 1] = pcall(function() table.mark = 1 end) and 'table' or nil\n"
	"  seen[#seen + 1] = pcall(function() apqn.mark = 1 end) and 'apqn' or nil\n"
	"  seen[#seen + 1] = pcall(function() getmetatable('').mark = 1 end) and 'strmeta' or nil\n"
	"  seen[#seen + 1] = pcall(setmetatable, _ENV, {}) and 'env' or nil\n"
	"  note(('upvalue=%d global=%d memo=%d mark=%s strmark=%s open=%s')\n"
	"       :format(upvalue_calls, calls, #memo, tostring(string.mark),\n"
	"               tostring((''):len() == 0 and rawequal(string.mark, nil)),\n"
	"               table.concat(seen, ',')))\n"
	"end }\n";

START_TEST(renewed_policies_keep_no_state)
{
	char first[256];
	struct ag_error e2;

	ag_engine_keep_compiled(eng);
	load("stateful.lua", STATEFUL);
	evaluate();
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
	ck_assert_str_eq(only_finding()->message, "upvalue=1 global=1 memo=1 "
			 "mark=nil strmark=true open=");
	snprintf(first, sizeof(first), "%s", only_finding()->message);
	ag_verdict_free(&v);
	ag_verdict_init(&v);
	/* without renewing, the same instance remembers */
	evaluate();
	ck_assert_str_eq(only_finding()->message, "upvalue=2 global=2 memo=2 "
			 "mark=nil strmark=true open=");
	ag_verdict_free(&v);
	ag_verdict_init(&v);
	ck_assert_msg(ag_engine_renew(eng, &e2) == 0, "%s", e2.msg);
	evaluate();
	ck_assert_str_eq(only_finding()->message, first);
	ck_assert_uint_eq(v.n_rules, 1);
	ck_assert_str_eq(v.rules[0].file, "stateful.lua");
	ck_assert_int_eq(v.rules[0].line, 4);
}
END_TEST

/* A check that replaces its _ENV writes into the chunk's _ENV cell: the
 * next instance must get a cell of its own, not the swapped one. */
START_TEST(renewed_policies_get_a_new_env_cell)
{
	struct ag_error e2;

	ag_engine_keep_compiled(eng);
	load("swap.lua", "local mark = 0\n"
	     "rule{ id = 'swap', check = function()\n"
	     "  mark = mark + 1\n"
	     "  note(('swapped=%s mark=%d'):format(tostring(swapped), mark))\n"
	     "  _ENV = setmetatable({ swapped = true }, { __index = _ENV })\n"
	     "end }\n");
	evaluate();
	ck_assert_str_eq(only_finding()->message, "swapped=nil mark=1");
	ag_verdict_free(&v);
	ag_verdict_init(&v);
	evaluate();
	ck_assert_str_eq(only_finding()->message, "swapped=true mark=2");
	ag_verdict_free(&v);
	ag_verdict_init(&v);
	ck_assert_msg(ag_engine_renew(eng, &e2) == 0, "%s", e2.msg);
	evaluate();
	ck_assert_str_eq(only_finding()->message, "swapped=nil mark=1");
}
END_TEST

/* ag_engine_share_source_views: the same source gets the same view, a
 * different source its own, and the target is never taken for it. */
START_TEST(shared_source_views)
{
	struct ag_descriptor *other = test_descriptor_from_text(
		"apgate-descriptor: 1\nhost: lpar-b.example.com\nmdev:\n"
		"  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n"
		"  adapters: [5]\n  domains: [4]\n");
	static const char *const want[] = {
		"src=lpar-a.example.com tgt=lpar-b.example.com same=false",
		"src=lpar-a.example.com tgt=lpar-b.example.com same=true",
		"src=lpar-b.example.com tgt=lpar-a.example.com same=false",
		"src=lpar-a.example.com tgt=lpar-a.example.com same=false",
	};
	const struct ag_descriptor *pairs[][2] = {
		{ src, other }, { src, other }, { other, src }, { src, src },
	};
	size_t i;

	ag_engine_share_source_views(eng);
	load("share.lua", "rule{ id = 'share', check = function(s, t)\n"
	     "  note(('src=%s tgt=%s same=%s'):format(s.host, t.host,\n"
	     "       tostring(rawequal(s, last))))\n"
	     "  last = s\n"
	     "end }\n");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(ag_engine_evaluate(eng, pairs[i][0],
						    pairs[i][1], 1795348800,
						    &v), 0);
		ag_verdict_finish(&v);
		ck_assert_str_eq(only_finding()->message, want[i]);
		ag_verdict_free(&v);
		ag_verdict_init(&v);
	}
	ag_descriptor_free(other);
}
END_TEST

/* ag_engine_drop_evidence: findings keep no evidence, and evidence is
 * still checked: a bad value fails the rule with the same message. */
START_TEST(dropped_evidence_is_still_checked)
{
	static const char *const bodies[] = {
		"note('n', { evidence = { a = 1, b = { 'x', true } } })",
		"note('n', { evidence = { a = 1, b = { f = print } } })",
	};
	char with[AG_ERROR_MAX];
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		ag_engine_free(eng);
		eng = ag_engine_new(&(struct ag_limits){ .instructions = 1000000,
			.memory = 32u * 1024 * 1024, .timeout_ms = 5000 }, &err);
		ck_assert_ptr_nonnull(eng);
		if (pass == 1)
			ag_engine_drop_evidence(eng);
		for (i = 0; i < 2; i++) {
			char code[256];

			snprintf(code, sizeof(code), "rule{ id = 'e%zu', check = "
				 "function() %s end }\n", i, bodies[i]);
			load(i ? "e1.lua" : "e0.lua", code);
		}
		evaluate();
		/* one note from e0, one error from e1 */
		ck_assert_uint_eq(v.n_findings, 2);
		ck_assert_int_ne(v.findings[0].severity, v.findings[1].severity);
		for (i = 0; i < 2; i++) {
			const struct ag_finding *f = &v.findings[i];

			if (f->severity == AG_SEV_NOTE) {
				ck_assert_str_eq(f->message, "n");
				ck_assert(pass == 0 ? f->evidence != NULL :
					  f->evidence == NULL);
				continue;
			}
			ck_assert_int_eq(f->severity, AG_SEV_ERROR);
			ck_assert_msg(strstr(f->message, "evidence cannot hold a "
					     "function value"), "%s", f->message);
			if (pass == 0)
				snprintf(with, sizeof(with), "%s", f->message);
			else
				ck_assert_str_eq(f->message, with);
		}
		ag_verdict_free(&v);
		ag_verdict_init(&v);
	}
}
END_TEST

/* A renewed instance reports failures like the first one: same file,
 * same line. */
START_TEST(renewed_policies_fail_the_same_way)
{
	struct ag_error e2;

	ag_engine_keep_compiled(eng);
	load("f.lua", "rule{ id = 'f', check = function()\n"
	     "  error('boom')\nend }\n");
	evaluate();
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_str_eq(only_finding()->message, "f.lua:2: boom");
	ag_verdict_free(&v);
	ag_verdict_init(&v);
	ck_assert_msg(ag_engine_renew(eng, &e2) == 0, "%s", e2.msg);
	evaluate();
	ck_assert_str_eq(only_finding()->message, "f.lua:2: boom");
}
END_TEST

START_TEST(views_are_read_only)
{
	static const char *const writes[] = {
		"src.host = 'x'",
		"src.mdev.adapters[1] = 9",
		"src.cards[1].mode = 'ep11'",
		"src:queue('05.0004').mkvps.aes.cur.mkvp = '0x0'",
		"table.insert(src.queues, {})",
		"tgt.blocks[1] = nil",
		"ctx.params.x = 1",
		"ctx.now = 'x'",
	};
	size_t i;

	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		teardown();
		setup();
		check_body(writes[i]);
		ck_assert_msg(v.kind == AG_VERDICT_ERROR, "%s was allowed",
			      writes[i]);
		ck_assert_ptr_nonnull(strstr(only_finding()->message, "read-only"));
	}
}
END_TEST

START_TEST(ctx_params_and_time)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "zone", json_object_new_string("a"));
	json_object_object_add(p, "strict", json_object_new_boolean(1));
	ck_assert_int_eq(ag_engine_set_params(eng, p, &err), 0);
	json_object_put(p);
	check_body(
		"assert(ctx.params.zone == 'a' and ctx.params.strict == true)\n"
		"assert(ctx.params.missing == nil)\n"
		"assert(ctx.now == '2026-11-22T12:00:00Z', ctx.now)\n"
		"assert(ctx.now_epoch == 1795348800)\n"
		"assert(ctx.time('2026-11-22T18:00:00Z') == ctx.now_epoch + 6 * 3600)\n"
		"assert(ctx.time('yesterday') == nil)\n"
		"note('ok')");
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

START_TEST(spairs_sorted)
{
	check_body(
		"local t = { b = 1, a = 2, [3] = 'x', [1] = 'y', c = 3 }\n"
		"local keys = {}\n"
		"for k in spairs(t) do keys[#keys + 1] = tostring(k) end\n"
		"assert(table.concat(keys, ',') == '1,3,a,b,c', table.concat(keys, ','))\n"
		"local n = 0 for k, card in spairs(src:card(5)) do n = n + 1 end\n"
		"assert(n == 6, n)\n"
		"note('ok')");
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

START_TEST(apqn_helpers)
{
	check_body(
		"local a, d = apqn.parse('0a.00ff')\n"
		"assert(a == 10 and d == 255)\n"
		"local x, e = apqn.parse('10.4')\n"
		"assert(x == nil and e:find('not an APQN'))\n"
		"assert(apqn.format(5, 171) == '05.00ab')\n"
		"assert(not pcall(apqn.format, 256, 0))\n"
		"note('ok')");
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

START_TEST(policy_error_names_file_and_rule)
{
	check_body("local q = src:queue('07.0004')\nreturn q.driver");
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_str_eq(only_finding()->rule, "t");
	ck_assert_msg(strncmp(only_finding()->message, "t.lua:3:", 8) == 0,
		      "%s", only_finding()->message);
	ck_assert_int_eq(v.rules[0].result, AG_RESULT_ERROR);
}
END_TEST

START_TEST(runaway_rule_is_error_and_others_still_run)
{
	load("loop.lua", "rule{ id = 'loop', check = function() "
	     "while true do pcall(function() while true do end end) end end }\n"
	     "rule{ id = 'after', check = function() warn('still ran') end }");
	evaluate();
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_uint_eq(v.n_findings, 2);
	ck_assert_str_eq(v.findings[0].rule, "loop");
	ck_assert_ptr_nonnull(strstr(v.findings[0].message, "instruction budget"));
	ck_assert_ptr_nonnull(strstr(v.findings[0].message, "loop.lua:1:"));
	ck_assert_str_eq(v.findings[1].rule, "after");
}
END_TEST

START_TEST(too_many_findings)
{
	check_body("for i = 1, 20000 do note('n') end");
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
}
END_TEST

START_TEST(no_rules_is_never_accept)
{
	evaluate();
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_str_eq(only_finding()->message, "no policy rules were evaluated");
}
END_TEST

START_TEST(output_is_deterministic)
{
	static const char code[] =
		"rule{ id = 'many', check = function(src)\n"
		"  local t = {}\n"
		"  for i = 1, 50 do t['k' .. i] = i end\n"
		"  for _, a in ipairs(src:apqns()) do\n"
		"    warn('w', { apqn = a, evidence = t }) end\n"
		"end }";
	json_object *first, *o;
	struct ag_verdict v2;
	int i;

	load("many.lua", code);
	evaluate();
	first = ag_verdict_to_json(&v);
	for (i = 0; i < 3; i++) {
		struct ag_engine *e2;
		struct ag_limits lim = { .instructions = 1000000,
		.memory = 32u * 1024 * 1024, .timeout_ms = 5000 };

		/* A fresh state gets a fresh string hash seed. */
		e2 = ag_engine_new(&lim, &err);
		ck_assert_int_eq(ag_engine_load(e2, "many.lua", code,
						strlen(code), &err), 0);
		ag_verdict_init(&v2);
		ag_engine_evaluate(e2, src, src, 1795348800, &v2);
		ag_verdict_finish(&v2);
		o = ag_verdict_to_json(&v2);
		ck_assert_str_eq(json_object_to_json_string(o),
				 json_object_to_json_string(first));
		json_object_put(o);
		ag_verdict_free(&v2);
		ag_engine_free(e2);
	}
	json_object_put(first);
}
END_TEST

/* A remedy comes out as given: text, commands in order with their host;
 * fix.mdev_attr builds exact mdevctl and sysfs commands. */
START_TEST(remedy_is_recorded)
{
	const struct ag_finding *f;
	json_object *j;

	check_body("reject('gone', { apqn = '05.0004', remedy = { text = 'add it', "
		   "commands = fix.mdev_attr('target', { uuid = "
		   "'62177883-f1bb-47f0-914d-32a22e3a8804', state = 'active' }, "
		   "'assign_domain', 0x47) } })\n"
		   "warn('w', { remedy = { text = 'only text' } })\n"
		   "note('n', { remedy = { text = 'q', commands = { { on = 'source', "
		   "command = 'echo ' .. fix.quote(\"it's\") .. ' ' .. fix.quote('a-b') } } } })");
	ck_assert_uint_eq(v.n_findings, 3);
	f = &v.findings[0];
	ck_assert_ptr_nonnull(f->remedy);
	ck_assert_str_eq(f->remedy->text, "add it");
	ck_assert_uint_eq(f->remedy->n_cmds, 2);
	ck_assert_int_eq(f->remedy->cmds[0].on, AG_ON_TARGET);
	ck_assert_str_eq(f->remedy->cmds[0].command, "mdevctl modify --uuid "
			 "62177883-f1bb-47f0-914d-32a22e3a8804 --addattr "
			 "assign_domain --value 0x0047");
	ck_assert_str_eq(f->remedy->cmds[1].command, "echo 0x0047 > "
			 "/sys/devices/vfio_ap/matrix/"
			 "62177883-f1bb-47f0-914d-32a22e3a8804/assign_domain");
	ck_assert_uint_eq(v.findings[1].remedy->n_cmds, 0);
	ck_assert_int_eq(v.findings[2].remedy->cmds[0].on, AG_ON_SOURCE);
	ck_assert_str_eq(v.findings[2].remedy->cmds[0].command,
			 "echo 'it'\\''s' a-b");
	j = ag_remedy_to_json(v.findings[1].remedy);
	ck_assert_str_eq(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
			 "{\"commands\":[],\"text\":\"only text\"}");
	json_object_put(j);
}
END_TEST

/* A defined mdev gets no sysfs write; an unassignment only the sysfs
 * write of a started mdev (the definition needs --delattr --index). */
START_TEST(mdev_attr_follows_state)
{
	check_body("local d = fix.mdev_attr('target', { uuid = "
		   "'62177883-f1bb-47f0-914d-32a22e3a8804', state = 'defined' }, "
		   "'assign_adapter', 6)\n"
		   "local u = fix.mdev_attr('source', { uuid = "
		   "'62177883-f1bb-47f0-914d-32a22e3a8804', state = 'active' }, "
		   "'unassign_control_domain', 255)\n"
		   "local x = fix.mdev_attr('source', { uuid = "
		   "'62177883-f1bb-47f0-914d-32a22e3a8804', state = 'defined' }, "
		   "'unassign_adapter', 1)\n"
		   "note(#d .. ' ' .. d[1].command .. ' | ' .. #u .. ' ' .. u[1].on .. ' ' .. u[1].command .. ' | ' .. #x)");
	ck_assert_str_eq(only_finding()->message, "1 mdevctl modify --uuid "
			 "62177883-f1bb-47f0-914d-32a22e3a8804 --addattr "
			 "assign_adapter --value 0x06 | 1 source echo 0x00ff > "
			 "/sys/devices/vfio_ap/matrix/"
			 "62177883-f1bb-47f0-914d-32a22e3a8804/"
			 "unassign_control_domain | 0");
}
END_TEST

/* Every way a remedy can be malformed is an error naming what is wrong. */
START_TEST(bad_remedies_are_errors)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		{ "reject('x', { remedy = 'do it' })", "'remedy' must be a table" },
		{ "reject('x', { remedy = { } })", "'text' must be a non-empty string" },
		{ "reject('x', { remedy = { text = 1 } })", "'text' must be a non-empty" },
		{ "reject('x', { remedy = { text = 't', cmd = {} } })",
		  "unknown field 'cmd'" },
		{ "reject('x', { remedy = { text = 't', commands = 'ls' } })",
		  "'commands' must be a list" },
		{ "reject('x', { remedy = { text = 't', commands = { x = 1 } } })",
		  "'commands' must be a list" },
		{ "reject('x', { remedy = { text = 't', commands = { 'ls' } } })",
		  "command 1 must be a table" },
		{ "reject('x', { remedy = { text = 't', commands = { { on = 'both', command = 'ls' } } } })",
		  "'on' must be \"target\" or \"source\"" },
		{ "reject('x', { remedy = { text = 't', commands = { { on = 'target', command = 'ls\\nrm -rf /' } } } })",
		  "must be one line" },
		{ "reject('x', { remedy = { text = 't', commands = { { on = 'target' } } } })",
		  "'command' must be a non-empty string" },
		{ "reject('x', { remedy = { text = 't', commands = { { on = 'target', command = 'ls', sudo = true } } } })",
		  "unknown field 'sudo'" },
		{ "local c = {} for i = 1, 33 do c[i] = { on = 'target', command = 'ls' } end\n"
		  "reject('x', { remedy = { text = 't', commands = c } })", "more than 32 commands" },
		{ "reject('x', { remedy = { text = ('a'):rep(5000) } })", "more than 4096 bytes" },
		{ "fix.quote(1)", "fix.quote(): expected a string" },
		{ "fix.quote('a\\tb')", "control characters" },
		{ "fix.mdev_attr('target', { uuid = 'x' }, 'assign_adapter', 1)",
		  "no valid lowercase uuid" },
		{ "fix.mdev_attr('target', { uuid = '62177883-f1bb-47f0-914d-32a22e3a8804' }, 'remove', 1)",
		  "unknown attribute 'remove'" },
		{ "fix.mdev_attr('target', { uuid = '62177883-f1bb-47f0-914d-32a22e3a8804' }, 'assign_adapter', 256)",
		  "from 0 to 255" },
		{ "fix.mdev_attr('target', { uuid = '62177883-f1bb-47f0-914d-32a22e3a8804' }, 'assign_adapter', '1')",
		  "from 0 to 255" },
		{ "fix.mdev_attr('host', {}, 'assign_adapter', 1)", "'on' must be" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown();
		setup();
		check_body(cases[i].body);
		ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
		ck_assert_msg(strstr(only_finding()->message, cases[i].want),
			      "case %zu: got \"%s\", want \"%s\"", i,
			      only_finding()->message, cases[i].want);
	}
}
END_TEST

/* Remedies count against limits.output like messages and evidence. */
START_TEST(remedy_counts_against_output_limit)
{
	struct ag_limits lim = { .instructions = 1000000,
		.memory = 32u * 1024 * 1024, .timeout_ms = 5000,
		.output = 64 * 1024 };

	ag_engine_free(eng);
	eng = ag_engine_new(&lim, &err);
	ck_assert_ptr_nonnull(eng);
	check_body("for i = 1, 100 do warn('w', { remedy = { text = ('a'):rep(4000) } }) end");
	ck_assert_int_eq(v.kind, AG_VERDICT_ERROR);
	ck_assert_ptr_nonnull(strstr(v.findings[0].message, "output limit"));
}
END_TEST

/* The policy set's digest is sha256 over "DIGEST  PATH" lines; the last
 * one is remembered, so a verdict with another list must not get it. */
static void set_digest(const char *const *paths, size_t n, char *out)
{
	static const char *const sha[] = {
		"1111111111111111111111111111111111111111111111111111111111111111",
		"2222222222222222222222222222222222222222222222222222222222222222",
	};
	struct ag_verdict vd;
	char want[AG_SHA256_HEX_LEN], text[512] = "";
	size_t i;

	ag_verdict_init(&vd);
	ag_verdict_add_rule(&vd, "r", "d", "f.lua", 1, AG_RESULT_PASS, NULL);
	for (i = 0; i < n; i++) {
		ag_verdict_add_policy(&vd, paths[i], sha[i % 2]);
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "%s  %s\n", sha[i % 2], paths[i]);
	}
	ag_verdict_finish(&vd);
	ag_sha256_hex(text, strlen(text), want);
	ck_assert_str_eq(vd.policy_set_sha256, want);
	strcpy(out, vd.policy_set_sha256);
	ag_verdict_free(&vd);
}

START_TEST(policy_set_digest_follows_the_list)
{
	static const char *const two[] = { "p/10-a.lua", "p/20-b.lua" };
	static const char *const other[] = { "p/10-a.lua", "p/20-c.lua" };
	char a[AG_SHA256_HEX_LEN], b[AG_SHA256_HEX_LEN], c[AG_SHA256_HEX_LEN];
	char d[AG_SHA256_HEX_LEN];

	set_digest(two, 2, a);
	set_digest(two, 1, b);
	set_digest(other, 2, c);
	set_digest(two, 2, d);
	ck_assert_str_ne(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_str_eq(a, d);
}
END_TEST

Suite *suite_engine(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, rule_registers_with_file_and_line);
	tcase_add_test(tc, rule_replacement_and_disable_are_recorded);
	tcase_add_test(tc, bad_registrations_fail_the_load);
	tcase_add_test(tc, findings_with_details);
	tcase_add_test(tc, bad_details_are_errors);
	tcase_add_test(tc, evidence_refuses_functions);
	tcase_add_test(tc, severity_ordering_and_verdict);
	tcase_add_test(tc, views_expose_descriptor);
	tcase_add_test(tc, views_are_read_only);
	tcase_add_test(tc, ctx_params_and_time);
	tcase_add_test(tc, spairs_sorted);
	tcase_add_test(tc, apqn_helpers);
	tcase_add_test(tc, policy_error_names_file_and_rule);
	tcase_add_test(tc, runaway_rule_is_error_and_others_still_run);
	tcase_add_test(tc, too_many_findings);
	tcase_add_test(tc, no_rules_is_never_accept);
	tcase_add_test(tc, output_is_deterministic);
	tcase_add_test(tc, renewed_policies_keep_no_state);
	tcase_add_test(tc, renewed_policies_fail_the_same_way);
	tcase_add_test(tc, renewed_policies_get_a_new_env_cell);
	tcase_add_test(tc, shared_source_views);
	tcase_add_test(tc, dropped_evidence_is_still_checked);
	tcase_add_test(tc, remedy_is_recorded);
	tcase_add_test(tc, mdev_attr_follows_state);
	tcase_add_test(tc, bad_remedies_are_errors);
	tcase_add_test(tc, remedy_counts_against_output_limit);
	tcase_add_test(tc, policy_set_digest_follows_the_list);
	suite_add_tcase(s, tc);
	return s;
}
