/* test_yamltree.c - the strict YAML tree: refused constructs, positions,
 * core-schema typing, typed accessors and descriptions. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "textsafe.h"
#include "util.h"
#include "yamltree.h"

static struct ag_ynode *parse_ok(const char *text)
{
	struct ag_ynode *root = NULL;
	struct ag_error err = { "" };

	if (ag_yaml_parse("t", text, strlen(text), &root, &err) < 0)
		ck_abort_msg("parse failed: %s", err.msg);
	ck_assert_ptr_nonnull(root);
	return root;
}

/* Parse must fail with exactly this message. */
static void parse_err(const char *text, const char *want)
{
	struct ag_ynode *root = (struct ag_ynode *)1;
	struct ag_error err = { "" };

	ck_assert_msg(ag_yaml_parse("t", text, strlen(text), &root, &err) == -1,
		      "parsed: %s", text);
	ck_assert_ptr_null(root);
	ck_assert_str_eq(err.msg, want);
}

START_TEST(test_positions)
{
	struct ag_ynode *r = parse_ok("a: 1\nb:\n  - x\n  - {c: \"y\"}\n");
	const struct ag_ynode *b, *c;

	ck_assert_int_eq(r->kind, AG_YMAP);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_uint_eq(r->line, 1);
	ck_assert_uint_eq(r->col, 1);
	ck_assert_str_eq(r->keys[0]->value, "a");
	ck_assert_uint_eq(r->items[0]->line, 1);
	ck_assert_uint_eq(r->items[0]->col, 4);
	b = ag_ymap_get(r, "b");
	ck_assert_int_eq(b->kind, AG_YSEQ);
	ck_assert_uint_eq(b->n, 2);
	ck_assert_uint_eq(b->line, 3);
	ck_assert_uint_eq(b->col, 3);
	ck_assert_uint_eq(b->items[0]->line, 3);
	ck_assert_uint_eq(b->items[0]->col, 5);
	ck_assert(b->items[0]->plain);
	c = ag_ymap_get(b->items[1], "c");
	ck_assert_str_eq(c->value, "y");
	ck_assert(!c->plain);
	ck_assert_uint_eq(c->line, 4);
	ck_assert_uint_eq(c->col, 9);
	ck_assert_ptr_null(ag_ymap_get(r, "missing"));
	ck_assert_ptr_null(ag_ymap_get(b, "a"));	/* not a mapping */
	ck_assert_ptr_null(ag_ymap_get(NULL, "a"));
	ag_ynode_free(r);
}
END_TEST

START_TEST(test_empty_document)
{
	static const char *const texts[] = { "", "# only a comment\n",
					     "---\n", "---\n...\n" };
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(texts); i++) {
		struct ag_ynode *r = parse_ok(texts[i]);

		ck_assert_int_eq(r->kind, AG_YSCALAR);
		ck_assert_int_eq(ag_yscalar_type(r), AG_YT_NULL);
		ck_assert_uint_ge(r->line, 1);
		ag_ynode_free(r);
	}
}
END_TEST

START_TEST(test_aliases_anchors)
{
	parse_err("a: &x 1\nb: *x\n",
		  "t:1:4: aliases and anchors are not allowed");
	parse_err("a: &x 1\n", "t:1:4: aliases and anchors are not allowed");
	parse_err("a: &x [1, 2]\n",
		  "t:1:4: aliases and anchors are not allowed");
	parse_err("a: *x\n", "t:1:4: aliases and anchors are not allowed");
	/* billion laughs stops at the first anchor, before any expansion */
	parse_err("a: &a [\"lol\", \"lol\"]\nb: &b [*a, *a, *a]\n"
		  "c: [*b, *b, *b]\n",
		  "t:1:4: aliases and anchors are not allowed");
}
END_TEST

START_TEST(test_tags)
{
	parse_err("a: !!str 1\n",
		  "t:1:4: tags are not allowed (found \"tag:yaml.org,2002:str\")");
	parse_err("a: !!map {b: 1}\n",
		  "t:1:4: tags are not allowed (found \"tag:yaml.org,2002:map\")");
	parse_err("a: !local [1]\n",
		  "t:1:4: tags are not allowed (found \"!local\")");
	parse_err("a: ! x\n", "t:1:4: tags are not allowed (found \"!\")");
}
END_TEST

START_TEST(test_multi_document)
{
	struct ag_ynode *r;

	parse_err("a: 1\n---\nb: 2\n", "t:2:1: more than one YAML document");
	parse_err("---\na: 1\n...\n---\nb: 2\n",
		  "t:4:1: more than one YAML document");
	r = parse_ok("---\na: 1\n...\n");
	ck_assert_uint_eq(r->n, 1);
	ag_ynode_free(r);
}
END_TEST

START_TEST(test_duplicate_keys)
{
	parse_err("a: 1\nb: 2\na: 3\n",
		  "t:3:1: duplicate key \"a\" (first at line 1)");
	parse_err("{a: 1, b: 2, a: 3}",
		  "t:1:14: duplicate key \"a\" (first at line 1)");
	/* the key's text counts, not its quoting */
	parse_err("a: 1\n\"a\": 2\n",
		  "t:2:1: duplicate key \"a\" (first at line 1)");
	parse_err("{\"x\\\"y\": 1, \"x\\\"y\": 2}",
		  "t:1:13: duplicate key \"x\\\"y\" (first at line 1)");
	parse_err("top:\n  inner:\n    k: 1\n    k: 2\n",
		  "t:4:5: duplicate key \"k\" (first at line 3)");
}
END_TEST

/* A scalar keeps all its bytes, NULs included: readers see one as
 * strlen(value) < len, and keys that differ only after it are different
 * keys (their bytes are compared in full, within the value). */
START_TEST(test_nul_in_scalars)
{
	struct ag_ynode *r = parse_ok("{\"a\\0b\": \"x\\0y\", \"a\\0c\": 2}");

	ck_assert_int_eq(r->kind, AG_YMAP);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_uint_eq(r->keys[0]->len, 3);
	ck_assert_uint_eq(strlen(r->keys[0]->value), 1);
	ck_assert_int_eq(memcmp(r->keys[0]->value, "a\0b", 4), 0);
	ck_assert_int_eq(memcmp(r->keys[1]->value, "a\0c", 4), 0);
	ck_assert_uint_eq(r->items[0]->len, 3);
	ck_assert_int_eq(memcmp(r->items[0]->value, "x\0y", 4), 0);
	ag_ynode_free(r);
	parse_err("{\"a\\0b\": 1, \"a\\0b\": 2}",
		  "t:1:13: duplicate key \"a\" (first at line 1)");
}
END_TEST

START_TEST(test_many_keys)
{
	/* the duplicate check must not be quadratic: 50000 keys */
	size_t n = 50000, i, cap = 16 * n + 64, len = 0;
	char *buf = xmalloc(cap);
	struct ag_ynode *r;
	struct ag_error err = { "" };

	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "k%zu: %zu\n", i,
					i);
	r = parse_ok(buf);
	ck_assert_uint_eq(r->n, n);
	ck_assert_str_eq(ag_ymap_get(r, "k49999")->value, "49999");
	ag_ynode_free(r);
	len += (size_t)snprintf(buf + len, cap - len, "k123: dup\n");
	ck_assert_int_eq(ag_yaml_parse("t", buf, len, &r, &err), -1);
	ck_assert_str_eq(err.msg,
			 "t:50001:1: duplicate key \"k123\" (first at line 124)");
	free(buf);
}
END_TEST

START_TEST(test_nonscalar_keys)
{
	parse_err("? [a]\n: 1\n",
		  "t:1:3: mapping keys must be scalars, found a list");
	parse_err("{{a: 1}: 2}\n",
		  "t:1:2: mapping keys must be scalars, found a mapping");
	parse_err("? {a: 1}\n: 2\n",
		  "t:1:3: mapping keys must be scalars, found a mapping");
}
END_TEST

START_TEST(test_depth)
{
	char buf[4096];
	struct ag_ynode *r;
	int i;

	/* 64 nested lists are fine */
	for (i = 0; i < 64; i++) {
		buf[i] = '[';
		buf[64 + i] = ']';
	}
	buf[128] = '\0';
	r = parse_ok(buf);
	ag_ynode_free(r);
	/* 65 are not */
	for (i = 0; i < 65; i++) {
		buf[i] = '[';
		buf[65 + i] = ']';
	}
	buf[130] = '\0';
	parse_err(buf, "t:1:65: nesting deeper than 64 levels");
	/* block mappings count the same way; the partial tree is freed */
	buf[0] = '\0';
	for (i = 0; i < 70; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, sizeof(buf) - l, "%*sk:\n", i, "");
	}
	{
		struct ag_error err = { "" };

		ck_assert_int_eq(ag_yaml_parse("t", buf, strlen(buf), &r,
					       &err), -1);
		ck_assert_msg(strstr(err.msg, ": nesting deeper than 64 levels")
			      != NULL, "%s", err.msg);
	}
}
END_TEST

START_TEST(test_node_limit)
{
	/* one list of AG_YAML_MAX_NODES scalars: one node too many */
	size_t n = AG_YAML_MAX_NODES, i, len = 0;
	char *buf = xmalloc(2 * n + 8);
	struct ag_ynode *r = NULL;
	struct ag_error err = { "" };

	buf[len++] = '[';
	for (i = 0; i < n; i++) {
		buf[len++] = '0';
		buf[len++] = ',';
	}
	buf[len - 1] = ']';
	buf[len] = '\0';
	ck_assert_int_eq(ag_yaml_parse("t", buf, len, &r, &err), -1);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err.msg, "t:1:4000000: more than 2000000 nodes");
	free(buf);
}
END_TEST

START_TEST(test_parse_errors)
{
	parse_err("a: [1, 2\n", "t:2:1: did not find expected ',' or ']' "
		  "while parsing a flow sequence");
	parse_err("a: b: c\n", "t:1:5: mapping values are not allowed in "
		  "this context");
	parse_err("a:\n\tb: 1\n", "t:2:1: found character that cannot start "
		  "any token while scanning for the next token");
	parse_err("a: \"unterminated\n", "t:2:1: found unexpected end of "
		  "stream while scanning a quoted scalar");
	parse_err("a: 1\nb: \xff\n", "t:2:4: invalid leading UTF-8 octet "
		  "(byte 0xff)");
}
END_TEST

START_TEST(test_binary_input)
{
	static const char bin[] = { 'a', ':', ' ', 0, 1, 2, 3 };
	struct ag_ynode *r = NULL;
	struct ag_error err = { "" };

	ck_assert_int_eq(ag_yaml_parse("t", bin, sizeof(bin), &r, &err), -1);
	ck_assert_str_eq(err.msg, "t:1:4: control characters are not allowed "
			 "(byte 0x00)");
}
END_TEST

START_TEST(test_core_schema)
{
	static const struct {
		const char *text;
		enum ag_ytype type;
	} cases[] = {
		{ "~", AG_YT_NULL }, { "null", AG_YT_NULL },
		{ "Null", AG_YT_NULL }, { "NULL", AG_YT_NULL },
		{ "", AG_YT_NULL },
		{ "true", AG_YT_BOOL }, { "True", AG_YT_BOOL },
		{ "TRUE", AG_YT_BOOL }, { "false", AG_YT_BOOL },
		{ "False", AG_YT_BOOL }, { "FALSE", AG_YT_BOOL },
		/* YAML 1.1 words are plain strings in 1.2 */
		{ "yes", AG_YT_STR }, { "no", AG_YT_STR }, { "on", AG_YT_STR },
		{ "y", AG_YT_STR }, { "tRUE", AG_YT_STR },
		{ "0", AG_YT_INT }, { "12", AG_YT_INT }, { "-3", AG_YT_INT },
		{ "+4", AG_YT_INT }, { "007", AG_YT_INT },
		{ "0x1F", AG_YT_INT }, { "0xab", AG_YT_INT },
		{ "0o17", AG_YT_INT },
		{ "1.5", AG_YT_FLOAT }, { "05.0004", AG_YT_FLOAT },
		{ ".5", AG_YT_FLOAT }, { "1.", AG_YT_FLOAT },
		{ "1e3", AG_YT_FLOAT }, { "-2.5E-3", AG_YT_FLOAT },
		{ ".inf", AG_YT_FLOAT }, { "-.Inf", AG_YT_FLOAT },
		{ "+.INF", AG_YT_FLOAT }, { ".nan", AG_YT_FLOAT },
		{ ".NaN", AG_YT_FLOAT },
		{ "0x", AG_YT_STR }, { "0xg", AG_YT_STR },
		{ "0X1F", AG_YT_STR }, { "0o8", AG_YT_STR },
		{ "1.2.3", AG_YT_STR }, { "05.00ab", AG_YT_STR },
		{ "12abc", AG_YT_STR }, { "+", AG_YT_STR },
		{ ".", AG_YT_STR }, { "1e", AG_YT_STR }, { "-.nan", AG_YT_STR },
		{ "2026-11-22T10:15:00Z", AG_YT_STR },
		{ "62177883-f1bb-47f0-914d-32a22e3a8804", AG_YT_STR },
		{ "in use", AG_YT_STR },
	};
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(cases); i++) {
		char *text = xasprintf("v: %s\n", cases[i].text);
		struct ag_ynode *r = parse_ok(text);

		ck_assert_msg(ag_yscalar_type(ag_ymap_get(r, "v")) ==
			      cases[i].type, "\"%s\": type %d, expected %d",
			      cases[i].text, ag_yscalar_type(ag_ymap_get(r, "v")),
			      cases[i].type);
		ag_ynode_free(r);
		free(text);
	}
}
END_TEST

START_TEST(test_quoted_and_block_are_strings)
{
	struct ag_ynode *r = parse_ok("a: \"12\"\nb: 'true'\nc: |\n  12\n"
				      "d: >\n  null\ne: \"\"\n");
	const char *keys[] = { "a", "b", "c", "d", "e" };
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(keys); i++) {
		const struct ag_ynode *n = ag_ymap_get(r, keys[i]);

		ck_assert_int_eq(ag_yscalar_type(n), AG_YT_STR);
		ck_assert(!n->plain);
	}
	ck_assert_str_eq(ag_ymap_get(r, "c")->value, "12\n");
	ck_assert_int_eq(ag_yscalar_type(r), AG_YT_STR);	/* a mapping */
	ag_ynode_free(r);
}
END_TEST

START_TEST(test_yint)
{
	static const struct {
		const char *text;
		int64_t v;
	} good[] = {
		{ "0", 0 }, { "12", 12 }, { "-5", -5 }, { "+7", 7 },
		{ "0x0c", 12 }, { "0xFF", 255 },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
		{ "0x7fffffffffffffff", INT64_MAX },
	};
	static const char *const bad[] = {
		"007", "00", "-01", "0o17", "9223372036854775808",
		"-9223372036854775809", "0x8000000000000000", "1.0", "'12'",
		"true", "abc", "~",
	};
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(good); i++) {
		char *text = xasprintf("v: %s\n", good[i].text);
		struct ag_ynode *r = parse_ok(text);
		int64_t v = 42;

		ck_assert_msg(ag_yint(ag_ymap_get(r, "v"), &v) == 0, "%s",
			      good[i].text);
		ck_assert(v == good[i].v);
		ag_ynode_free(r);
		free(text);
	}
	for (i = 0; i < AG_ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("v: %s\n", bad[i]);
		struct ag_ynode *r = parse_ok(text);
		int64_t v = 42;

		ck_assert_msg(ag_yint(ag_ymap_get(r, "v"), &v) == -1, "%s",
			      bad[i]);
		ck_assert(v == 42);
		ag_ynode_free(r);
		free(text);
	}
}
END_TEST

START_TEST(test_ybool)
{
	struct ag_ynode *r = parse_ok("[true, False, TRUE, 'true', yes, 1]");
	bool b;

	ck_assert_int_eq(ag_ybool(r->items[0], &b), 0);
	ck_assert(b);
	ck_assert_int_eq(ag_ybool(r->items[1], &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(ag_ybool(r->items[2], &b), 0);
	ck_assert(b);
	ck_assert_int_eq(ag_ybool(r->items[3], &b), -1);
	ck_assert_int_eq(ag_ybool(r->items[4], &b), -1);
	ck_assert_int_eq(ag_ybool(r->items[5], &b), -1);
	ck_assert_int_eq(ag_ybool(r, &b), -1);
	ag_ynode_free(r);
}
END_TEST

START_TEST(test_describe)
{
	struct ag_ynode *r = parse_ok(
		"[{a: 1}, [1], ~, true, 12, 5.4, \"x\", 05.0004, 'say \"hi\"', "
		"\"0123456789012345678901234567890123456789overflow\", "
		"\"tab\\there\", \"\"]");
	static const char *const want[] = {
		"a mapping", "a list", "null", "the boolean true",
		"the integer 12", "the number 5.4", "the string \"x\"",
		"the number 05.0004", "the string \"say \\\"hi\\\"\"",
		"the string \"0123456789012345678901234567890123456789...\"",
		"the string \"tab\\there\"", "the string \"\"",
	};
	char buf[128], tiny[8];
	size_t i;

	ck_assert_uint_eq(r->n, AG_ARRAY_SIZE(want));
	for (i = 0; i < AG_ARRAY_SIZE(want); i++)
		ck_assert_str_eq(ag_ynode_describe(r->items[i], buf,
						   sizeof(buf)), want[i]);
	/* a small buffer truncates, never overflows */
	ck_assert_str_eq(ag_ynode_describe(r->items[6], tiny, sizeof(tiny)),
			 "the str");
	ag_ynode_free(r);
}
END_TEST

START_TEST(test_describe_utf8_truncation)
{
	/* 39 ASCII bytes then two-byte characters: quotes count
	 * characters (40), and never cut one in half */
	struct ag_ynode *r = parse_ok(
		"v: \"012345678901234567890123456789012345678\xc3\xa9\xc3\xa9tail\"\n");
	char buf[128], small[48];

	ck_assert_str_eq(ag_ynode_describe(ag_ymap_get(r, "v"), buf,
					   sizeof(buf)),
			 "the string \"012345678901234567890123456789012345678\xc3\xa9...\"");
	/* a buffer too small for the whole quote: still whole characters */
	ag_ynode_describe(ag_ymap_get(r, "v"), small, sizeof(small));
	ck_assert_msg(ag_utf8_valid(small, strlen(small)), "%s", small);
	ag_ynode_free(r);
}
END_TEST

START_TEST(test_json_input)
{
	struct ag_ynode *r = parse_ok(
		"{\"a\": [1, \"x\", true, null, -2.5e3], \"b\": {\"c\": \"05.0004\"},"
		" \"d\": \"0x1f\"}");
	const struct ag_ynode *a = ag_ymap_get(r, "a");
	int64_t v;

	ck_assert_int_eq(a->kind, AG_YSEQ);
	ck_assert_int_eq(ag_yscalar_type(a->items[0]), AG_YT_INT);
	ck_assert_int_eq(ag_yint(a->items[0], &v), 0);
	ck_assert(v == 1);
	ck_assert_int_eq(ag_yscalar_type(a->items[1]), AG_YT_STR);
	ck_assert_int_eq(ag_yscalar_type(a->items[2]), AG_YT_BOOL);
	ck_assert_int_eq(ag_yscalar_type(a->items[3]), AG_YT_NULL);
	ck_assert_int_eq(ag_yscalar_type(a->items[4]), AG_YT_FLOAT);
	/* JSON strings are quoted scalars: never numbers */
	ck_assert_int_eq(ag_yscalar_type(ag_ymap_get(ag_ymap_get(r, "b"), "c")),
			 AG_YT_STR);
	ck_assert_int_eq(ag_yscalar_type(ag_ymap_get(r, "d")), AG_YT_STR);
	ag_ynode_free(r);
	parse_err("{\"a\": 1, \"a\": 2}",
		  "t:1:10: duplicate key \"a\" (first at line 1)");
}
END_TEST

Suite *suite_yamltree(void)
{
	Suite *s = suite_create("yamltree");
	TCase *tc = tcase_create("yamltree");
	TCase *big = tcase_create("limits");

	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_empty_document);
	tcase_add_test(tc, test_aliases_anchors);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_multi_document);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_nonscalar_keys);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_binary_input);
	tcase_add_test(tc, test_core_schema);
	tcase_add_test(tc, test_quoted_and_block_are_strings);
	tcase_add_test(tc, test_yint);
	tcase_add_test(tc, test_ybool);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_utf8_truncation);
	tcase_add_test(tc, test_json_input);
	tcase_add_test(tc, test_nul_in_scalars);
	suite_add_tcase(s, tc);
	/* large inputs: generous under sanitizers */
	tcase_set_timeout(big, 120);
	tcase_add_test(big, test_many_keys);
	tcase_add_test(big, test_node_limit);
	suite_add_tcase(s, big);
	return s;
}
