/* test_rules.c - the default policy rules in policies/, one test per
 * path: pass, warn, reject and note of every rule, and the site parameters
 * allow_generation_upgrade and require_mkvps.
 *
 * Each test starts from a matching pair of descriptors (inline YAML below,
 * one line per card and queue), edits the lines it is about, evaluates the
 * real policy files from the source tree and checks the exact findings:
 * rule id, severity, APQN and a message substring.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "engine.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "verdict.h"

static const char *const POLICIES[] = {
	"policies/10-apqn.lua",
	"policies/20-control-domains.lua",
	"policies/30-card.lua",
	"policies/40-mkvp.lua",
	"policies/50-mdev.lua",
	"policies/60-blocks.lua",
};

/* Every default rule, in registration order. */
static const char *const RULES[] = {
	"apqn.match", "apqn.available", "apqn.guest", "apqn.free",
	"control-domains.match",
	"card.mode", "card.generation", "card.capabilities", "ep11.properties",
	"mkvp.match", "mdev.uuid", "mdev.state", "guest.secure-execution",
	"migration.blocked",
};

#define NOW 1795348800		/* 2026-11-22T12:00:00Z */

/* A CCA guest: CEX8C adapters 05 and 06 x usage domains 04 and 47.  Both
 * domains hold the same master keys on both adapters (a domain group). */
static const char CCA[] =
	"apgate-descriptor: 1\n"
	"host: @HOST@\n"
	"mdev:\n"
	"  uuid: 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93\n"
	"  type: vfio_ap-passthrough\n"
	"  adapters: [0x05, 0x06]\n"
	"  domains: [0x04, 0x47]\n"
	"  control_domains: [0x04, 0x47]\n"
	"lpar: {adapters: [0x05, 0x06], usage_domains: [0x04, 0x47], control_domains: [0x04, 0x47]}\n"
	"cards:\n"
	"  - {adapter: 0x05, type: CEX8C, hwtype: 14, raw_hwtype: 14, mode: cca, functions: \"0x92800000\", config: true, online: true, chkstop: false}\n"
	"  - {adapter: 0x06, type: CEX8C, hwtype: 14, raw_hwtype: 14, mode: cca, functions: \"0x92800000\", config: true, online: true, chkstop: false}\n"
	"queues:\n"
	"  - {apqn: \"05.0004\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: declared,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}, old: {state: valid, mkvp: \"0x1d94e7a03c5b2f86\"}},"
	" asym: {new: {state: empty}, cur: {state: valid, mkvp: \"0x5b0e7d13c9a24f8e61d3a7c05e9b2f14\"}, old: {state: invalid}},"
	" sym: {cur: {state: valid, mkvp: \"0x3e91d7a5c0b24f68\"}}}}\n"
	"  - {apqn: \"05.0047\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: declared,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x4e7b2d90a1c3f586\"}, old: {state: valid, mkvp: \"0xb3a8d5172e64c09f\"}},"
	" asym: {new: {state: empty}, cur: {state: valid, mkvp: \"0xa27c5e0d94b1f36887e2c4a0d5b93f61\"}, old: {state: invalid}},"
	" sym: {cur: {state: valid, mkvp: \"0x3e91d7a5c0b24f68\"}}}}\n"
	"  - {apqn: \"06.0004\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: declared,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}, old: {state: valid, mkvp: \"0x1d94e7a03c5b2f86\"}},"
	" asym: {new: {state: empty}, cur: {state: valid, mkvp: \"0x5b0e7d13c9a24f8e61d3a7c05e9b2f14\"}, old: {state: invalid}},"
	" sym: {cur: {state: valid, mkvp: \"0x3e91d7a5c0b24f68\"}}}}\n"
	"  - {apqn: \"06.0047\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: declared,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x4e7b2d90a1c3f586\"}, old: {state: valid, mkvp: \"0xb3a8d5172e64c09f\"}},"
	" asym: {new: {state: empty}, cur: {state: valid, mkvp: \"0xa27c5e0d94b1f36887e2c4a0d5b93f61\"}, old: {state: invalid}},"
	" sym: {cur: {state: valid, mkvp: \"0x3e91d7a5c0b24f68\"}}}}\n";

/* An EP11 guest: CEX8P adapter 03, domain 41 (the Kata guide's queue and
 * wrapping key). */
#define WK_KATA "0xdb3c3b3c3f097dd55ec7eb0e7fdbcb933b773619640a1a75a9161cec00000000"
#define WK_OTHER "0x5f2a8c1e7d3b9046e1c7a5f3b2d8e0947c61d2a9e05b3f88a4d70c1900000000"
static const char EP11[] =
	"apgate-descriptor: 1\n"
	"host: @HOST@\n"
	"mdev:\n"
	"  uuid: 0b6f3e52-91d4-4c8a-a7e3-5d2f1c9b8e04\n"
	"  adapters: [0x03]\n"
	"  domains: [0x41]\n"
	"  control_domains: [0x41]\n"
	"lpar: {adapters: [0x03], usage_domains: [0x41], control_domains: [0x41]}\n"
	"cards:\n"
	"  - {adapter: 0x03, type: CEX8P, hwtype: 14, raw_hwtype: 14, mode: ep11, functions: \"0x06800000\", config: true, online: true, chkstop: false}\n"
	"queues:\n"
	"  - {apqn: \"03.0041\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: guest,"
	" wk: {cur: {state: valid, mkvp: \"" WK_KATA "\"}, new: {state: empty}}}}\n";

#define SRC_HOST "lpar-a.example.com"
#define TGT_HOST "lpar-b.example.com"

/* --- descriptors as editable YAML text --- */

struct doc {
	char *text;
};

static char *replace_range(const char *s, size_t from, size_t to,
			   const char *with)
{
	return xasprintf("%.*s%s%s", (int)from, s, with, s + to);
}

static void doc_init(struct doc *d, const char *yaml, const char *host)
{
	const char *p = strstr(yaml, "@HOST@");

	ck_assert_ptr_nonnull(p);
	d->text = replace_range(yaml, (size_t)(p - yaml),
				(size_t)(p - yaml) + 6, host);
}

/* The one line containing needle: [*start, *end) including its newline. */
static void doc_line(const struct doc *d, const char *needle, size_t *start,
		     size_t *end)
{
	const char *hit = strstr(d->text, needle), *s, *e;

	ck_assert_msg(hit, "no line contains \"%s\"", needle);
	for (s = hit; s > d->text && s[-1] != '\n'; s--)
		;
	e = strchr(hit, '\n');
	e = e ? e + 1 : hit + strlen(hit);
	ck_assert_msg(!strstr(e, needle), "more than one line contains \"%s\"",
		      needle);
	*start = (size_t)(s - d->text);
	*end = (size_t)(e - d->text);
}

/* In the line containing needle, replace the first "old" by "new". */
static void doc_set(struct doc *d, const char *needle, const char *old,
		    const char *new)
{
	size_t start, end, at;
	char *line, *hit, *text;

	doc_line(d, needle, &start, &end);
	line = xstrndup(d->text + start, end - start);
	hit = strstr(line, old);
	ck_assert_msg(hit, "line with \"%s\" has no \"%s\"", needle, old);
	at = start + (size_t)(hit - line);
	free(line);
	text = replace_range(d->text, at, at + strlen(old), new);
	free(d->text);
	d->text = text;
}

static void doc_drop(struct doc *d, const char *needle)
{
	size_t start, end;
	char *text;

	doc_line(d, needle, &start, &end);
	text = replace_range(d->text, start, end, "");
	free(d->text);
	d->text = text;
}

static void doc_append(struct doc *d, const char *lines)
{
	char *text = xasprintf("%s%s", d->text, lines);

	free(d->text);
	d->text = text;
}

/* --- evaluation --- */

static struct doc S, T;		/* source, target of the current test */
static json_object *params;
static struct ag_verdict v;
static bool evaluated;

static void setup_cca(void)
{
	doc_init(&S, CCA, SRC_HOST);
	doc_init(&T, CCA, TGT_HOST);
	params = NULL;
	evaluated = false;
}

static void setup_ep11(void)
{
	doc_init(&S, EP11, SRC_HOST);
	doc_init(&T, EP11, TGT_HOST);
	params = NULL;
	evaluated = false;
}

static void teardown(void)
{
	free(S.text);
	free(T.text);
	json_object_put(params);
	if (evaluated)
		ag_verdict_free(&v);
}

static void set_param(const char *name, json_object *val)
{
	if (!params)
		params = json_object_new_object();
	json_object_object_add(params, name, val);
}

static void evaluate(void)
{
	struct ag_limits limits = {
		.instructions = AG_DEFAULT_INSTRUCTIONS,
		.memory = AG_DEFAULT_MEMORY,
		.timeout_ms = AG_DEFAULT_TIMEOUT_MS,
	};
	struct ag_error err = { "" };
	struct ag_descriptor *src, *tgt;
	struct ag_engine *e;
	size_t i;

	e = ag_engine_new(&limits, &err);
	ck_assert_msg(e, "engine: %s", err.msg);
	for (i = 0; i < AG_ARRAY_SIZE(POLICIES); i++) {
		char *buf;
		size_t len;

		ck_assert_msg(ag_read_file(test_path(POLICIES[i]), 1 << 20,
					   &buf, &len, &err) == 0, "%s", err.msg);
		ck_assert_msg(ag_engine_load(e, POLICIES[i], buf, len, &err) == 0,
			      "%s: %s", POLICIES[i], err.msg);
		free(buf);
	}
	ck_assert_msg(ag_engine_set_params(e, params, &err) == 0, "%s", err.msg);
	src = test_descriptor_from_text(S.text);
	tgt = test_descriptor_from_text(T.text);
	ag_verdict_init(&v);
	evaluated = true;
	ck_assert_int_eq(ag_engine_evaluate(e, src, tgt, NOW, &v), 0);
	ag_verdict_finish(&v);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	ag_engine_free(e);
	for (i = 0; i < v.n_findings; i++)
		ck_assert_msg(v.findings[i].severity != AG_SEV_ERROR,
			      "policy error: %s", v.findings[i].message);
}

/* All findings, one per line, for failure messages. */
static const char *dump(void)
{
	static char buf[8192];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < v.n_findings && n < sizeof(buf); i++) {
		const struct ag_finding *f = &v.findings[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\n  %s %s %s: %s",
				      ag_severity_name(f->severity), f->rule,
				      f->apqn ? f->apqn : "-", f->message);
	}
	return n ? buf : " (none)";
}

static size_t count(const char *rule)
{
	size_t i, n = 0;

	for (i = 0; i < v.n_findings; i++)
		n += strcmp(v.findings[i].rule, rule) == 0;
	return n;
}

static void expect_count(const char *rule, size_t n)
{
	ck_assert_msg(count(rule) == n, "%s: expected %zu findings, got %zu:%s",
		      rule, n, count(rule), dump());
}

/* The finding of rule with this severity and APQN (NULL: none) whose
 * message contains text. */
static const struct ag_finding *expect(const char *rule, enum ag_severity sev,
				       const char *apqn, const char *text)
{
	size_t i;

	for (i = 0; i < v.n_findings; i++) {
		const struct ag_finding *f = &v.findings[i];

		if (strcmp(f->rule, rule) == 0 && f->severity == sev &&
		    (apqn ? f->apqn && strcmp(f->apqn, apqn) == 0 : !f->apqn) &&
		    strstr(f->message, text))
			return f;
	}
	ck_abort_msg("no %s %s %s finding with \"%s\"; findings:%s",
		     ag_severity_name(sev), rule, apqn ? apqn : "-", text, dump());
	return NULL;
}

static void expect_result(const char *rule, enum ag_rule_result res)
{
	size_t i;

	for (i = 0; i < v.n_rules; i++)
		if (strcmp(v.rules[i].id, rule) == 0) {
			ck_assert_msg(v.rules[i].result == res,
				      "%s: result %s, expected %s;%s", rule,
				      ag_rule_result_name(v.rules[i].result),
				      ag_rule_result_name(res), dump());
			return;
		}
	ck_abort_msg("rule %s did not run", rule);
}

/* Evidence value at a dotted path, as a string ("" when absent). */
static const char *ev(const struct ag_finding *f, const char *path)
{
	char *copy = xstrdup(path), *save = NULL, *key;
	json_object *o = f->evidence, *next;
	static char buf[256];

	for (key = strtok_r(copy, ".", &save); key && o;
	     key = strtok_r(NULL, ".", &save))
		o = json_object_object_get_ex(o, key, &next) ? next : NULL;
	free(copy);
	snprintf(buf, sizeof(buf), "%s", o ? json_object_get_string(o) : "");
	return buf;
}

#define R AG_SEV_REJECT
#define W AG_SEV_WARN
#define N AG_SEV_NOTE

/* --- the baseline: matching descriptors pass every rule --- */

START_TEST(test_cca_match_accepts)
{
	size_t i;

	evaluate();
	ck_assert_msg(v.n_findings == 0, "findings:%s", dump());
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
	for (i = 0; i < AG_ARRAY_SIZE(RULES); i++)
		expect_result(RULES[i], AG_RESULT_PASS);
	ck_assert_uint_eq(v.n_rules, AG_ARRAY_SIZE(RULES));
}
END_TEST

START_TEST(test_ep11_match_accepts)
{
	evaluate();
	ck_assert_msg(v.n_findings == 0, "findings:%s", dump());
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

/* --- apqn.match --- */

START_TEST(test_apqn_match_missing)
{
	const struct ag_finding *f;

	doc_set(&T, "  adapters:", "[0x05, 0x06]", "[0x05]");
	doc_drop(&T, "adapter: 0x06");
	doc_drop(&T, "\"06.0004\"");
	doc_drop(&T, "\"06.0047\"");
	evaluate();
	expect_count("apqn.match", 2);
	f = expect("apqn.match", R, "06.0004", "assigned on source, missing on target");
	ck_assert_str_eq(ev(f, "source_apqns"), "4");
	ck_assert_str_eq(ev(f, "target_apqns"), "2");
	expect("apqn.match", R, "06.0047", "assigned on source, missing on target");
	/* the per-APQN rules leave the missing APQNs to apqn.match */
	ck_assert_uint_eq(v.n_findings, 2);
	ck_assert_int_eq(v.kind, AG_VERDICT_REJECT);
}
END_TEST

START_TEST(test_apqn_match_extra)
{
	doc_set(&T, "  domains:", "[0x04, 0x47]", "[0x04, 0x05, 0x47]");
	evaluate();
	expect_count("apqn.match", 2);
	expect("apqn.match", R, "05.0005", "assigned on target only");
	expect("apqn.match", R, "06.0005", "assigned on target only");
	/* no queue devices behind them on the target either */
	expect_count("apqn.available", 2);
	expect("apqn.available", R, "05.0005", "not available at all");
}
END_TEST

/* --- apqn.available --- */

START_TEST(test_apqn_available_absent)
{
	const struct ag_finding *f;

	doc_drop(&T, "\"06.0047\"");
	evaluate();
	expect_count("apqn.available", 1);
	f = expect("apqn.available", R, "06.0047", "not available at all on target host");
	ck_assert_str_eq(ev(f, "card"), "present");
	ck_assert_str_eq(ev(f, "queue"), "absent");
	ck_assert_str_eq(ev(f, "host"), TGT_HOST);
	expect_count("apqn.match", 0);
	expect_count("mkvp.match", 0);
}
END_TEST

START_TEST(test_apqn_available_card_absent)
{
	doc_drop(&T, "adapter: 0x06");
	evaluate();
	expect_count("apqn.available", 2);
	expect("apqn.available", R, "06.0004", "not available at all");
	expect("apqn.available", R, "06.0047", "not available at all");
	/* card rules skip APQNs without a target card */
	expect_count("card.mode", 0);
	expect_count("card.generation", 0);
	expect_count("card.capabilities", 0);
}
END_TEST

START_TEST(test_apqn_available_wrong_driver)
{
	const struct ag_finding *f;

	doc_set(&T, "\"05.0047\"", "driver: vfio_ap", "driver: cex4queue");
	doc_set(&T, "\"06.0004\"", "driver: vfio_ap", "driver: none");
	evaluate();
	expect_count("apqn.available", 2);
	f = expect("apqn.available", R, "05.0047", "bound to cex4queue, not vfio_ap");
	ck_assert_str_eq(ev(f, "driver"), "cex4queue");
	expect("apqn.available", R, "06.0004", "bound to no driver, not vfio_ap");
}
END_TEST

START_TEST(test_apqn_available_unusable_warns)
{
	const struct ag_finding *f;

	doc_set(&T, "adapter: 0x06", "chkstop: false", "chkstop: true");
	doc_set(&T, "\"05.0004\"", "config: true", "config: false");
	evaluate();
	expect_count("apqn.available", 3);
	f = expect("apqn.available", W, "06.0004", "not usable now (card checkstopped)");
	ck_assert_str_eq(ev(f, "host"), TGT_HOST);
	expect("apqn.available", W, "06.0047", "vfio_ap hot-plugs it when it returns");
	expect("apqn.available", W, "05.0004", "not usable now (queue deconfigured)");
	expect_result("apqn.available", AG_RESULT_WARN);
	ck_assert_int_eq(v.kind, AG_VERDICT_WARN);
}
END_TEST

START_TEST(test_apqn_available_card_offline_warns)
{
	doc_set(&T, "adapter: 0x05", "config: true, online: true",
		"config: false, online: false");
	evaluate();
	expect_count("apqn.available", 2);
	expect("apqn.available", W, "05.0004", "(card deconfigured, card offline)");
	expect("apqn.available", W, "05.0047", "(card deconfigured, card offline)");
}
END_TEST

/* The source host's state does not matter: the guest runs there now. */
START_TEST(test_apqn_available_ignores_source)
{
	doc_set(&S, "\"05.0004\"", "driver: vfio_ap", "driver: cex4queue");
	doc_set(&S, "adapter: 0x05", "chkstop: false", "chkstop: true");
	evaluate();
	expect_count("apqn.available", 0);
}
END_TEST

/* --- control-domains.match --- */

START_TEST(test_control_domains_differ)
{
	const struct ag_finding *f;

	doc_set(&T, "  control_domains:", "[0x04, 0x47]", "[0x04, 0x05]");
	evaluate();
	expect_count("control-domains.match", 2);
	f = expect("control-domains.match", R, NULL, "control domain 0047 assigned on source only");
	ck_assert_str_eq(ev(f, "domain"), "0047");
	ck_assert_str_eq(ev(f, "source"), "true");
	ck_assert_str_eq(ev(f, "target"), "false");
	f = expect("control-domains.match", R, NULL, "control domain 0005 assigned on target only");
	ck_assert_str_eq(ev(f, "source"), "false");
	ck_assert_str_eq(ev(f, "target"), "true");
	expect_count("apqn.match", 0);
}
END_TEST

START_TEST(test_control_domains_none_on_target)
{
	doc_set(&T, "  control_domains:", "[0x04, 0x47]", "[]");
	evaluate();
	expect_count("control-domains.match", 2);
	expect("control-domains.match", R, NULL, "control domain 0004 assigned on source only");
}
END_TEST

/* --- card.mode --- */

START_TEST(test_card_mode_differs)
{
	const struct ag_finding *f;

	doc_set(&T, "adapter: 0x06", "type: CEX8C", "type: CEX8P");
	doc_set(&T, "adapter: 0x06", "mode: cca", "mode: ep11");
	doc_set(&T, "adapter: 0x06", "0x92800000", "0x06800000");
	evaluate();
	expect_count("card.mode", 2);
	f = expect("card.mode", R, "06.0004", "card mode cca on source, ep11 on target");
	ck_assert_str_eq(ev(f, "source"), "cca");
	ck_assert_str_eq(ev(f, "target"), "ep11");
	expect("card.mode", R, "06.0047", "card mode cca on source, ep11 on target");
	/* the facility word says the same, bit by bit */
	expect("card.capabilities", R, "06.0004", "CCA missing on target (source 0x92800000, target 0x06800000)");
	expect("card.capabilities", R, "06.0004", "EP11 only on target");
}
END_TEST

START_TEST(test_card_mode_unknown_warns)
{
	doc_set(&T, "adapter: 0x05", "type: CEX8C, ", "");
	doc_set(&T, "adapter: 0x05", "mode: cca, ", "");
	doc_set(&T, "adapter: 0x05", "functions: \"0x92800000\", ", "");
	evaluate();
	expect_count("card.mode", 2);
	expect("card.mode", W, "05.0004", "card mode unknown on target");
	expect("card.mode", W, "05.0047", "card mode unknown on target");
	expect("card.capabilities", W, "05.0004", "ap_functions unknown on target");
	expect_count("card.generation", 0);	/* still known from hwtype */
	expect_result("card.mode", AG_RESULT_WARN);
}
END_TEST

/* Without `mode`, the mode bits of ap_functions or the type letter say it. */
START_TEST(test_card_mode_derived)
{
	doc_set(&S, "adapter: 0x05", "mode: cca, ", "");
	doc_set(&T, "adapter: 0x05", "mode: cca, ", "");
	doc_set(&T, "adapter: 0x05", "functions: \"0x92800000\", ", "");
	evaluate();
	expect_count("card.mode", 0);
}
END_TEST

/* --- card.generation --- */

START_TEST(test_card_generation_older_rejects)
{
	const struct ag_finding *f;

	doc_set(&T, "adapter: 0x06", "type: CEX8C", "type: CEX7C");
	doc_set(&T, "adapter: 0x06", "hwtype: 14, raw_hwtype: 14", "hwtype: 13, raw_hwtype: 13");
	evaluate();
	expect_count("card.generation", 2);
	f = expect("card.generation", R, "06.0004", "target card CEX7 is older than source card CEX8");
	ck_assert_str_eq(ev(f, "source"), "8");
	ck_assert_str_eq(ev(f, "target"), "7");
	ck_assert_str_eq(ev(f, "target_type"), "CEX7C");
	expect("card.generation", R, "06.0047", "older than source");
	ck_assert_uint_eq(v.n_findings, 2);
}
END_TEST

START_TEST(test_card_generation_newer_notes)
{
	doc_set(&S, "adapter: 0x05", "type: CEX8C", "type: CEX7C");
	doc_set(&S, "adapter: 0x05", "hwtype: 14, raw_hwtype: 14", "hwtype: 13, raw_hwtype: 13");
	evaluate();
	expect_count("card.generation", 2);
	expect("card.generation", N, "05.0004", "target card CEX8 is newer than source card CEX7");
	expect("card.generation", N, "05.0047", "newer");
	expect_result("card.generation", AG_RESULT_PASS);
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

START_TEST(test_card_generation_upgrade_disallowed)
{
	const struct ag_finding *f;

	doc_set(&S, "adapter: 0x05", "hwtype: 14, raw_hwtype: 14", "hwtype: 13, raw_hwtype: 13");
	set_param("allow_generation_upgrade", json_object_new_boolean(0));
	evaluate();
	expect_count("card.generation", 2);
	f = expect("card.generation", R, "05.0004",
		   "target card CEX8 is newer than source card CEX7 and upgrades are not allowed");
	ck_assert_str_eq(ev(f, "allow_generation_upgrade"), "false");
}
END_TEST

/* Parameters given on a command line may arrive as strings. */
START_TEST(test_card_generation_upgrade_disallowed_string)
{
	doc_set(&S, "adapter: 0x06", "hwtype: 14, raw_hwtype: 14", "hwtype: 13, raw_hwtype: 13");
	set_param("allow_generation_upgrade", json_object_new_string("false"));
	evaluate();
	expect("card.generation", R, "06.0004", "upgrades are not allowed");
}
END_TEST

START_TEST(test_card_generation_upgrade_allowed)
{
	doc_set(&S, "adapter: 0x05", "hwtype: 14, raw_hwtype: 14", "hwtype: 13, raw_hwtype: 13");
	set_param("allow_generation_upgrade", json_object_new_boolean(1));
	evaluate();
	expect("card.generation", N, "05.0004", "newer");
	expect_result("card.generation", AG_RESULT_PASS);
}
END_TEST

/* A card newer than CEX8 runs CEX8-compatible: hwtype 14, type CEX8x; only
 * raw_hwtype tells (DOMAIN.md §4.1). */
START_TEST(test_card_generation_uses_raw_hwtype)
{
	doc_set(&T, "adapter: 0x05", "raw_hwtype: 14", "raw_hwtype: 15");
	evaluate();
	expect_count("card.generation", 2);
	expect("card.generation", N, "05.0004", "target card CEX9 is newer than source card CEX8");
}
END_TEST

START_TEST(test_card_generation_unknown_warns)
{
	doc_set(&S, "adapter: 0x06", "type: CEX8C, hwtype: 14, raw_hwtype: 14, ", "");
	evaluate();
	expect_count("card.generation", 2);
	expect("card.generation", W, "06.0004", "card generation unknown on source");
	expect("card.generation", W, "06.0047", "card generation unknown on source");
	expect_result("card.generation", AG_RESULT_WARN);
}
END_TEST

/* --- card.capabilities --- */

START_TEST(test_card_capabilities_apxa_rejects)
{
	const struct ag_finding *f;

	doc_set(&T, "adapter: 0x06", "0x92800000", "0x90800000");
	evaluate();
	expect_count("card.capabilities", 2);
	f = expect("card.capabilities", R, "06.0004", "APXA missing on target (source 0x92800000, target 0x90800000): the kernel requires equal facility bits");
	ck_assert_str_eq(ev(f, "source"), "0x92800000");
	ck_assert_str_eq(ev(f, "target"), "0x90800000");
	ck_assert_str_eq(ev(f, "bit"), "APXA");
	ck_assert_str_eq(ev(f, "basis"), "card");
	expect("card.capabilities", R, "06.0047", "APXA missing on target");
}
END_TEST

START_TEST(test_card_capabilities_apsc_and_class)
{
	/* target: no APSC, restricted instead of full */
	doc_set(&T, "adapter: 0x05", "0x92800000", "0x12400000");
	evaluate();
	expect_count("card.capabilities", 4);
	expect("card.capabilities", R, "05.0004", "APSC missing on target");
	expect("card.capabilities", R, "05.0004",
	       "full native function set on source, not on target");
}
END_TEST

/* A non-native source goes anywhere (classes_compatible() tests only the
 * full-native bit). */
START_TEST(test_card_capabilities_restricted_source)
{
	doc_set(&S, "adapter: 0x05", "0x92800000", "0x92400000");
	doc_set(&S, "adapter: 0x06", "0x92800000", "0x92400000");
	doc_set(&T, "adapter: 0x06", "0x92800000", "0x92400000");
	evaluate();
	expect_count("card.capabilities", 0);

	teardown();
	setup_cca();
	doc_set(&S, "adapter: 0x05", "0x92800000", "0x92400000");
	doc_set(&T, "adapter: 0x05", "0x92800000", "0x92000000");	/* no class */
	evaluate();
	expect_count("card.capabilities", 0);
}
END_TEST

START_TEST(test_card_capabilities_4k)
{
	/* the kernel compares MEX4K and CRT4K for equality: missing and
	 * added ones reject alike, one finding per bit */
	doc_set(&S, "adapter: 0x05", "0x92800000", "0xF2800000");
	doc_set(&T, "adapter: 0x06", "0x92800000", "0xD2800000");
	evaluate();
	expect_count("card.capabilities", 6);
	expect("card.capabilities", R, "05.0004", "MEX4K missing on target (source 0xF2800000, target 0x92800000)");
	expect("card.capabilities", R, "05.0004", "CRT4K missing on target");
	expect("card.capabilities", R, "06.0047", "MEX4K only on target (source 0x92800000, target 0xD2800000)");
	expect_result("card.capabilities", AG_RESULT_REJECT);
}
END_TEST

START_TEST(test_card_capabilities_slcf_warns)
{
	const struct ag_finding *f;

	doc_set(&T, "adapter: 0x05", "0x92800000", "0x93800000");
	doc_set(&S, "adapter: 0x06", "0x92800000", "0x93800000");
	evaluate();
	expect_count("card.capabilities", 4);
	f = expect("card.capabilities", W, "05.0004", "SLCF only on target in card ap_functions");
	ck_assert_str_eq(ev(f, "target"), "0x93800000");
	expect("card.capabilities", W, "06.0004", "SLCF missing on target");
	expect_result("card.capabilities", AG_RESULT_WARN);
}
END_TEST

/* The artifact exception holds only for card values of equal generations:
 * CEX7 has no SLCF, and queue values are never masked. */
START_TEST(test_card_capabilities_slcf_rejects)
{
	doc_set(&S, "adapter: 0x05", "type: CEX8C, hwtype: 14, raw_hwtype: 14",
		"type: CEX7C, hwtype: 13, raw_hwtype: 13");
	doc_set(&T, "adapter: 0x05", "0x92800000", "0x93800000");
	doc_set(&S, "\"06.0004\"", "driver: vfio_ap,", "driver: vfio_ap, functions: \"0x93800000\",");
	doc_set(&T, "\"06.0004\"", "driver: vfio_ap,", "driver: vfio_ap, functions: \"0x92800000\",");
	evaluate();
	expect_count("card.capabilities", 3);
	expect("card.capabilities", R, "05.0004", "SLCF only on target (source 0x92800000, target 0x93800000): the kernel requires equal facility bits");
	expect("card.capabilities", R, "05.0047", "SLCF only on target");
	expect("card.capabilities", R, "06.0004", "SLCF missing on target (source 0x93800000, target 0x92800000)");
}
END_TEST

START_TEST(test_card_capabilities_bind_state)
{
	const struct ag_finding *f;

	doc_set(&T, "\"05.0047\"", "driver: vfio_ap,", "driver: vfio_ap, functions: \"0x92808000\",");
	doc_set(&S, "\"05.0047\"", "driver: vfio_ap,", "driver: vfio_ap, functions: \"0x92800000\",");
	evaluate();
	expect_count("card.capabilities", 1);
	f = expect("card.capabilities", R, "05.0047", "SE bind state 2 (unbound) on target");
	ck_assert_str_eq(ev(f, "basis"), "queue");
}
END_TEST

/* --- card.generation: one basis for both sides --- */

START_TEST(test_card_generation_one_basis)
{
	/* a CEX9 running as CEX8 against a CEX8 whose raw type is not known:
	 * compare hwtype with hwtype, never raw with hwtype */
	doc_set(&S, "adapter: 0x05", "raw_hwtype: 14", "raw_hwtype: 15");
	doc_set(&T, "adapter: 0x05", "raw_hwtype: 14, ", "");
	evaluate();
	expect_count("card.generation", 0);
}
END_TEST

/* --- apqn.guest, mdev.state, guest.secure-execution, ep11.properties,
 * the LPAR --- */

START_TEST(test_new_rules)
{
	doc_set(&S, "  control_domains:", "[0x04, 0x47]",
		"[0x04, 0x47]\n  guest_apqns: [\"05.0004\", \"05.0047\"]");
	doc_set(&T, "lpar:", "control_domains: [0x04, 0x47]", "control_domains: [0x04]");
	doc_set(&T, "lpar:", "usage_domains: [0x04, 0x47]", "usage_domains: [0x04]");
	doc_set(&T, "  control_domains:", "[0x04, 0x47]", "[0x04, 0x47]\n  state: defined");
	doc_append(&S, "guest:\n  secure_execution: true\n");
	evaluate();
	expect("apqn.guest", W, "06.0004", "assigned on source but not in the guest now (guest_matrix)");
	expect_count("apqn.guest", 2);
	expect("control-domains.match", R, NULL, "control domain 0047 not in the target LPAR's AP configuration");
	expect("apqn.available", R, "06.0047", "not in the target LPAR's AP configuration (usage domain missing)");
	expect_count("apqn.available", 2);
	expect("mdev.state", W, NULL, "target mdev is defined but not started; start it before migrating");
	expect("guest.secure-execution", R, NULL, "protected guests are not migratable");
}
END_TEST

START_TEST(test_card_capabilities_unknown_warns)
{
	doc_set(&S, "adapter: 0x06", "functions: \"0x92800000\", ", "");
	doc_set(&T, "adapter: 0x06", "functions: \"0x92800000\", ", "");
	evaluate();
	expect_count("card.capabilities", 2);
	expect("card.capabilities", W, "06.0004", "ap_functions unknown on source and target");
	expect_count("card.mode", 0);
}
END_TEST

/* --- mkvp.match --- */

START_TEST(test_mkvp_differs_rejects)
{
	const struct ag_finding *f;

	doc_set(&T, "\"05.0047\"", "0x4e7b2d90a1c3f586", "0x6a0f3b82c4d9e571");
	evaluate();
	expect_count("mkvp.match", 1);
	f = expect("mkvp.match", R, "05.0047", "current AES master key differs on target");
	ck_assert_str_eq(ev(f, "key_type"), "aes");
	ck_assert_str_eq(ev(f, "source.cur"), "valid 0x4e7b2d90a1c3f586");
	ck_assert_str_eq(ev(f, "target.cur"), "valid 0x6a0f3b82c4d9e571");
}
END_TEST

START_TEST(test_mkvp_asym_differs_rejects)
{
	doc_set(&T, "\"06.0004\"", "0x5b0e7d13c9a24f8e61d3a7c05e9b2f14",
		"0x5b0e7d13c9a24f8e61d3a7c05e9b2f15");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "06.0004", "current ASYM master key differs on target");
}
END_TEST

START_TEST(test_mkvp_no_target_key_rejects)
{
	doc_set(&T, "\"05.0004\"", "cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}",
		"cur: {state: invalid}");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "05.0004", "no current AES master key on target");
}
END_TEST

/* Nothing to protect: no valid current key on the source. */
START_TEST(test_mkvp_source_without_key_passes)
{
	doc_set(&S, "\"05.0004\"", "cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}",
		"cur: {state: invalid}");
	doc_set(&T, "\"05.0004\"", "0x8f3a6c21d07be419", "0x6a0f3b82c4d9e571");
	evaluate();
	expect_count("mkvp.match", 0);
}
END_TEST

START_TEST(test_mkvp_equals_target_old_warns)
{
	const struct ag_finding *f;

	/* the target domain got a new AES key; the source's is now OLD there */
	doc_set(&T, "\"06.0004\"",
		"cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}, old: {state: valid, mkvp: \"0x1d94e7a03c5b2f86\"}",
		"cur: {state: valid, mkvp: \"0xc5e8a1f03b7d2946\"}, old: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}");
	evaluate();
	expect_count("mkvp.match", 1);
	f = expect("mkvp.match", W, "06.0004",
		   "current AES master key is OLD on target: secure keys need re-enciphering");
	ck_assert_str_eq(ev(f, "target.old"), "valid 0x8f3a6c21d07be419");
	expect_result("mkvp.match", AG_RESULT_WARN);
}
END_TEST

START_TEST(test_mkvp_equals_target_new_rejects)
{
	/* the target has the source's key loaded as NEW, not yet set */
	doc_set(&T, "\"05.0004\"",
		"new: {state: empty}, cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}",
		"new: {state: full, mkvp: \"0x8f3a6c21d07be419\"}, cur: {state: valid, mkvp: \"0x1d94e7a03c5b2f86\"}");
	evaluate();
	/* one finding: the pending change is the same news; loaded but not
	 * set is not usable, every secure-key operation would fail */
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "05.0004",
	       "current AES master key is only NEW (full) on target: loaded but not set on the target; set it first");
}
END_TEST

START_TEST(test_mkvp_change_in_progress_warns)
{
	const struct ag_finding *f;

	doc_set(&S, "\"05.0047\"", "aes: {new: {state: empty}",
		"aes: {new: {state: partial}");
	doc_set(&S, "\"06.0047\"", "aes: {new: {state: empty}",
		"aes: {new: {state: full, mkvp: \"0xc5e8a1f03b7d2946\"}");
	doc_set(&T, "\"06.0047\"", "aes: {new: {state: empty}",
		"aes: {new: {state: full, mkvp: \"0xc5e8a1f03b7d2946\"}");
	evaluate();
	expect_count("mkvp.match", 2);
	expect("mkvp.match", W, "05.0047", "master key change in progress for AES: NEW partial on source");
	f = expect("mkvp.match", W, "06.0047",
		   "master key change in progress for AES: NEW full on source, full on target");
	ck_assert_str_eq(ev(f, "target.new"), "full 0xc5e8a1f03b7d2946");
}
END_TEST

START_TEST(test_mkvp_not_visible_warns)
{
	const struct ag_finding *f;

	doc_drop(&T, "\"05.0004\"");
	doc_append(&T, "  - {apqn: \"05.0004\", config: true, chkstop: false, driver: vfio_ap}\n");
	evaluate();
	expect_count("mkvp.match", 1);
	f = expect("mkvp.match", W, "05.0004", "master keys not visible on target");
	ck_assert_str_eq(ev(f, "source_origin"), "declared");
	ck_assert_str_eq(ev(f, "require_mkvps"), "false");
	expect_result("mkvp.match", AG_RESULT_WARN);
}
END_TEST

START_TEST(test_mkvp_not_visible_required_rejects)
{
	doc_drop(&S, "\"06.0047\"");
	doc_append(&S, "  - {apqn: \"06.0047\", config: true, chkstop: false, driver: vfio_ap}\n");
	set_param("require_mkvps", json_object_new_boolean(1));
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "06.0047", "master keys not visible on source (require_mkvps)");
}
END_TEST

/* A "- -" line is "unknown": treated like a register nobody could read. */
START_TEST(test_mkvp_unknown_state_warns)
{
	doc_set(&T, "\"05.0047\"", "cur: {state: valid, mkvp: \"0x4e7b2d90a1c3f586\"}",
		"cur: {state: unknown}");
	doc_set(&S, "\"06.0047\"", "cur: {state: valid, mkvp: \"0xa27c5e0d94b1f36887e2c4a0d5b93f61\"}",
		"cur: {state: unknown}");
	evaluate();
	expect_count("mkvp.match", 2);
	expect("mkvp.match", W, "05.0047", "current AES master key not visible on target");
	expect("mkvp.match", W, "06.0047", "current ASYM master key not visible on source");

	teardown();
	setup_cca();
	doc_set(&T, "\"05.0047\"", "cur: {state: valid, mkvp: \"0x4e7b2d90a1c3f586\"}",
		"cur: {state: unknown}");
	set_param("require_mkvps", json_object_new_boolean(1));
	evaluate();
	expect("mkvp.match", R, "05.0047", "current AES master key not visible on target (require_mkvps)");
}
END_TEST

/* An older target kernel prints AES lines only (DOMAIN.md §3.1). */
START_TEST(test_mkvp_key_type_missing_warns)
{
	doc_set(&T, "\"06.0004\"",
		", asym: {new: {state: empty}, cur: {state: valid, mkvp: \"0x5b0e7d13c9a24f8e61d3a7c05e9b2f14\"}, old: {state: invalid}}",
		"");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", W, "06.0004", "current ASYM master key not visible on target");
}
END_TEST

/* Accelerators have no master keys: nothing to compare. */
START_TEST(test_mkvp_skips_accelerators)
{
	struct doc *const sides[] = { &S, &T };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct doc *d = sides[i];

		doc_set(d, "adapter: 0x05", "type: CEX8C", "type: CEX8A");
		doc_set(d, "adapter: 0x05", "mode: cca", "mode: accel");
		doc_set(d, "adapter: 0x05", "0x92800000", "0x6A800000");
		doc_drop(d, "\"05.0004\"");
		doc_drop(d, "\"05.0047\"");
		doc_append(d, "  - {apqn: \"05.0004\", config: true, chkstop: false, driver: vfio_ap}\n"
			      "  - {apqn: \"05.0047\", config: true, chkstop: false, driver: vfio_ap}\n");
	}
	evaluate();
	ck_assert_msg(v.n_findings == 0, "findings:%s", dump());
}
END_TEST

START_TEST(test_mkvp_ep11_prefix)
{
	/* same first 16 bytes: the same wrapping key for EP11 tools */
	doc_set(&T, "\"03.0041\"", "640a1a75a9161cec00000000", "00000000000000000000ffff");
	evaluate();
	expect_count("mkvp.match", 0);

	teardown();
	setup_ep11();
	doc_set(&T, "\"03.0041\"", "0xdb3c3b3c3f097dd5", "0xdb3c3b3c3f097dd6");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "03.0041", "current WK master key differs on target");

	/* The prefix is exactly 16 bytes: byte 16 (hex digits 31-32) counts... */
	teardown();
	setup_ep11();
	doc_set(&T, "\"03.0041\"", "fdbcb933b7736", "fdbcb943b7736");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "03.0041", "current WK master key differs on target");

	/* ...byte 17 (hex digits 33-34) does not. */
	teardown();
	setup_ep11();
	doc_set(&T, "\"03.0041\"", "fdbcb933b7736", "fdbcb933c7736");
	evaluate();
	expect_count("mkvp.match", 0);
}
END_TEST

START_TEST(test_mkvp_ep11_committed_new)
{
	/* the target runs another wrapping key and has the source's
	 * committed as NEW */
	doc_set(&T, "\"03.0041\"",
		"wk: {cur: {state: valid, mkvp: \"" WK_KATA "\"}, new: {state: empty}}",
		"wk: {cur: {state: valid, mkvp: \"" WK_OTHER "\"}, new: {state: committed, mkvp: \"" WK_KATA "\"}}");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", R, "03.0041",
	       "current WK master key is only NEW (committed) on target: loaded but not set on the target; set it first");
}
END_TEST

START_TEST(test_mkvp_ep11_uncommitted_warns)
{
	doc_set(&S, "\"03.0041\"", "new: {state: empty}",
		"new: {state: uncommitted, mkvp: \"" WK_OTHER "\"}");
	evaluate();
	expect_count("mkvp.match", 1);
	expect("mkvp.match", W, "03.0041", "master key change in progress for WK: NEW uncommitted on source");
}
END_TEST

/* --- mdev.uuid --- */

START_TEST(test_mdev_uuid_differs_warns)
{
	const struct ag_finding *f;

	doc_set(&T, "uuid:", "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93",
		"e1a7c3d5-2f4b-4869-8d0e-6b1a9c7f3e25");
	evaluate();
	expect_count("mdev.uuid", 1);
	f = expect("mdev.uuid", W, NULL, "mdev UUID differs");
	ck_assert_str_eq(ev(f, "source"), "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93");
	ck_assert_str_eq(ev(f, "target"), "e1a7c3d5-2f4b-4869-8d0e-6b1a9c7f3e25");
	ck_assert_int_eq(v.kind, AG_VERDICT_WARN);
}
END_TEST

/* --- migration.blocked --- */

START_TEST(test_blocked_rejects)
{
	const struct ag_finding *f;

	doc_append(&T, "blocks:\n"
		       "  - {reason: crypto card replacement scheduled, since: \"2026-11-20T00:00:00Z\","
		       " until: \"2026-11-29T00:00:00Z\", by: ops@example.com}\n");
	evaluate();
	expect_count("migration.blocked", 1);
	f = expect("migration.blocked", R, NULL,
		   "blocked on target host " TGT_HOST " by ops@example.com until "
		   "2026-11-29T00:00:00Z: crypto card replacement scheduled");
	ck_assert_str_eq(ev(f, "side"), "target");
	ck_assert_str_eq(ev(f, "host"), TGT_HOST);
	ck_assert_str_eq(ev(f, "since"), "2026-11-20T00:00:00Z");
	ck_assert_int_eq(v.kind, AG_VERDICT_REJECT);
}
END_TEST

START_TEST(test_blocked_without_end_rejects)
{
	doc_append(&S, "blocks:\n  - {reason: guest under investigation}\n");
	evaluate();
	expect_count("migration.blocked", 1);
	expect("migration.blocked", R, NULL,
	       "blocked on source host " SRC_HOST ": guest under investigation");
}
END_TEST

START_TEST(test_blocked_expired_notes)
{
	doc_append(&S, "blocks:\n"
		       "  - {reason: TKE master key ceremony, until: \"2026-11-22T11:59:59Z\","
		       " by: crypto-admin@example.com}\n");
	evaluate();
	expect_count("migration.blocked", 1);
	expect("migration.blocked", N, NULL,
	       "block expired; blocked on source host " SRC_HOST
	       " by crypto-admin@example.com until 2026-11-22T11:59:59Z: TKE master key ceremony");
	expect_result("migration.blocked", AG_RESULT_PASS);
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

START_TEST(test_blocked_future_notes)
{
	doc_append(&T, "blocks:\n"
		       "  - {reason: card swap, since: \"2026-11-23T08:00:00Z\"}\n");
	evaluate();
	expect_count("migration.blocked", 1);
	expect("migration.blocked", N, NULL,
	       "block not yet in force (from 2026-11-23T08:00:00Z); blocked on "
	       "target host " TGT_HOST ": card swap");
	ck_assert_int_eq(v.kind, AG_VERDICT_ACCEPT);
}
END_TEST

Suite *suite_rules(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("cca");
	tcase_add_checked_fixture(tc, setup_cca, teardown);
	tcase_add_test(tc, test_cca_match_accepts);
	tcase_add_test(tc, test_apqn_match_missing);
	tcase_add_test(tc, test_apqn_match_extra);
	tcase_add_test(tc, test_apqn_available_absent);
	tcase_add_test(tc, test_apqn_available_card_absent);
	tcase_add_test(tc, test_apqn_available_wrong_driver);
	tcase_add_test(tc, test_apqn_available_unusable_warns);
	tcase_add_test(tc, test_apqn_available_card_offline_warns);
	tcase_add_test(tc, test_apqn_available_ignores_source);
	tcase_add_test(tc, test_control_domains_differ);
	tcase_add_test(tc, test_control_domains_none_on_target);
	tcase_add_test(tc, test_card_mode_differs);
	tcase_add_test(tc, test_card_mode_unknown_warns);
	tcase_add_test(tc, test_card_mode_derived);
	tcase_add_test(tc, test_card_generation_older_rejects);
	tcase_add_test(tc, test_card_generation_newer_notes);
	tcase_add_test(tc, test_card_generation_upgrade_disallowed);
	tcase_add_test(tc, test_card_generation_upgrade_disallowed_string);
	tcase_add_test(tc, test_card_generation_upgrade_allowed);
	tcase_add_test(tc, test_card_generation_uses_raw_hwtype);
	tcase_add_test(tc, test_card_generation_unknown_warns);
	tcase_add_test(tc, test_card_capabilities_apxa_rejects);
	tcase_add_test(tc, test_card_capabilities_apsc_and_class);
	tcase_add_test(tc, test_card_capabilities_restricted_source);
	tcase_add_test(tc, test_card_capabilities_4k);
	tcase_add_test(tc, test_card_capabilities_slcf_warns);
	tcase_add_test(tc, test_card_capabilities_unknown_warns);
	tcase_add_test(tc, test_card_capabilities_slcf_rejects);
	tcase_add_test(tc, test_card_capabilities_bind_state);
	tcase_add_test(tc, test_card_generation_one_basis);
	tcase_add_test(tc, test_new_rules);
	tcase_add_test(tc, test_mkvp_differs_rejects);
	tcase_add_test(tc, test_mkvp_asym_differs_rejects);
	tcase_add_test(tc, test_mkvp_no_target_key_rejects);
	tcase_add_test(tc, test_mkvp_source_without_key_passes);
	tcase_add_test(tc, test_mkvp_equals_target_old_warns);
	tcase_add_test(tc, test_mkvp_equals_target_new_rejects);
	tcase_add_test(tc, test_mkvp_change_in_progress_warns);
	tcase_add_test(tc, test_mkvp_not_visible_warns);
	tcase_add_test(tc, test_mkvp_not_visible_required_rejects);
	tcase_add_test(tc, test_mkvp_unknown_state_warns);
	tcase_add_test(tc, test_mkvp_key_type_missing_warns);
	tcase_add_test(tc, test_mkvp_skips_accelerators);
	tcase_add_test(tc, test_mdev_uuid_differs_warns);
	tcase_add_test(tc, test_blocked_rejects);
	tcase_add_test(tc, test_blocked_without_end_rejects);
	tcase_add_test(tc, test_blocked_expired_notes);
	tcase_add_test(tc, test_blocked_future_notes);
	suite_add_tcase(s, tc);

	tc = tcase_create("ep11");
	tcase_add_checked_fixture(tc, setup_ep11, teardown);
	tcase_add_test(tc, test_ep11_match_accepts);
	tcase_add_test(tc, test_mkvp_ep11_prefix);
	tcase_add_test(tc, test_mkvp_ep11_committed_new);
	tcase_add_test(tc, test_mkvp_ep11_uncommitted_warns);
	suite_add_tcase(s, tc);
	return s;
}
