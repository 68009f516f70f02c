/* test_labels.c - host labels: the key and value rule, the reader's
 * messages (apgate.yaml and descriptors), canonical form and digests,
 * the YAML writer, and the Lua view (src.labels / tgt.labels). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"
#include "engine.h"
#include "labels.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "yamltree.h"

#define DOC(labels) \
	"apgate-descriptor: 1\nhost: h\n" labels \
	"mdev:\n  uuid: 62177883-f1bb-47f0-914d-32a22e3a8804\n" \
	"  adapters: [5]\n  domains: [4]\n"

START_TEST(test_key_value_rule)
{
	static const char *const good_keys[] = {
		"zone", "a", "0", "tenant-id", "example.com/zone", "a_b.c",
		"123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad_keys[] = {
		"", "Zone", "-a", ".a", "/a", "_a", "a b", "a:b", "zöne",
		"1234567890123456789012345678901234567890123456789012345678901234",
	};
	char big[300];
	size_t i;

	for (i = 0; i < sizeof(good_keys) / sizeof(*good_keys); i++)
		ck_assert_msg(ag_label_key_valid(good_keys[i],
						 strlen(good_keys[i])), "%s",
			      good_keys[i]);
	for (i = 0; i < sizeof(bad_keys) / sizeof(*bad_keys); i++)
		ck_assert_msg(!ag_label_key_valid(bad_keys[i],
						  strlen(bad_keys[i])), "%s",
			      bad_keys[i]);
	ck_assert(!ag_label_key_valid("a\0b", 3));
	ck_assert(ag_label_value_valid("acme corp <&> \xc3\xbc", 16));
	ck_assert(!ag_label_value_valid("", 0));
	ck_assert(!ag_label_value_valid("a\tb", 3));
	ck_assert(!ag_label_value_valid("a\x7f", 2));
	ck_assert(!ag_label_value_valid("a\xc2\x85", 3));	/* NEL, C1 */
	ck_assert(!ag_label_value_valid("a\xff", 2));		/* not UTF-8 */
	ck_assert(ag_label_value_valid("\xc2\xa0", 2));	/* NBSP is text */
	memset(big, 'x', sizeof(big));
	ck_assert(ag_label_value_valid(big, 255));
	ck_assert(!ag_label_value_valid(big, 256));
}
END_TEST

static void load_err(const char *text, const char *want)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err = { "" };

	ck_assert_msg(ag_descriptor_load_buffer("t.yaml", text, strlen(text),
						&d, &err) == -1,
		      "loaded: %s", text);
	ck_assert_str_eq(err.msg, want);
}

START_TEST(test_descriptor_refusals)
{
	load_err(DOC("host_labels: {zone: a, Zone: b}\n"),
		 "t.yaml:3:24: host_labels: expected a label key: 1..63 "
		 "characters of a-z, 0-9, '.', '_', '/', '-', starting with "
		 "a-z or 0-9, found \"Zone\"");
	load_err(DOC("host_labels: {zone: true}\n"),
		 "t.yaml:3:21: host_labels.zone: expected a label value: a "
		 "string of 1..255 bytes without control characters, found "
		 "the boolean true (quote it to make it a string)");
	load_err(DOC("host_labels: {zone: {a: b}}\n"),
		 "t.yaml:3:21: host_labels.zone: expected a label value: a "
		 "string of 1..255 bytes without control characters, found a "
		 "mapping");
	load_err(DOC("host_labels: zone=a\n"),
		 "t.yaml:3:14: host_labels: expected a mapping of labels like "
		 "{zone: a, tenant: acme}, found the string \"zone=a\"");
	load_err(DOC("host_labels: {zone: a, zone: b}\n"),
		 "t.yaml:3:24: duplicate key \"zone\" (first at line 3)");
}
END_TEST

/* apgate.yaml `labels:` is read by the same reader: its messages name
 * the configuration file, line and column. */
static int config_from(const char *text, struct ag_config *cfg,
		       struct ag_error *err, char *path)
{
	int fd = mkstemp(path);
	int rc;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ag_config_defaults(cfg);
	cfg->insecure_policies = true;
	rc = ag_config_load(cfg, path, true, err);
	unlink(path);
	return rc;
}

START_TEST(test_config_labels)
{
	char path[] = "/tmp/apgate-labels-XXXXXX", want[512];
	struct ag_config cfg;
	struct ag_error err = { "" };

	ck_assert_int_eq(config_from("labels:\n  zone: a\n  tenant: acme\n",
				     &cfg, &err, path), 0);
	ck_assert_uint_eq(cfg.labels.n, 2);
	ck_assert_str_eq(cfg.labels.items[0].key, "tenant");	/* sorted */
	ck_assert_str_eq(ag_labels_get(&cfg.labels, "zone"), "a");
	ck_assert_ptr_null(ag_labels_get(&cfg.labels, "rack"));
	ag_config_free(&cfg);

	strcpy(path, "/tmp/apgate-labels-XXXXXX");
	ck_assert_int_eq(config_from("params: {}\nlabels:\n  zone: 7\n", &cfg,
				     &err, path), -1);
	snprintf(want, sizeof(want), "%s:3:9: labels.zone: expected a label "
		 "value: a string of 1..255 bytes without control "
		 "characters, found the integer 7 (quote it to make it a "
		 "string)", path);
	ck_assert_str_eq(err.msg, want);
	ag_config_free(&cfg);

	strcpy(path, "/tmp/apgate-labels-XXXXXX");
	ck_assert_int_eq(config_from("labels:\n", &cfg, &err, path), -1);
	snprintf(want, sizeof(want), "%s:1:8: labels: expected a mapping of "
		 "labels like {zone: a, tenant: acme}, found null", path);
	ck_assert_str_eq(err.msg, want);
	ag_config_free(&cfg);
}
END_TEST

static char *digest_of_text(const char *text)
{
	struct ag_descriptor *d = test_descriptor_from_text(text);
	char *out = xcalloc(1, AG_SHA256_HEX_LEN);

	ck_assert_int_eq(ag_descriptor_digest(d, out), 0);
	ag_descriptor_free(d);
	return out;
}

START_TEST(test_canonical_and_digest)
{
	struct ag_descriptor *d = test_load_descriptor(
		"tests/data/descriptors/good/host-labels.yaml");
	json_object *o = ag_descriptor_to_json(d);
	char *s = ag_descriptor_canonical(d);
	char *a, *b;

	/* the direct writer and json-c agree byte for byte */
	ck_assert_str_eq(s, json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	ck_assert_ptr_nonnull(strstr(s, "\"host\":\"lpar-a.example.com\","
		"\"host_labels\":{\"1\":\"one\",\"example.com/rack\":"
		"\"r12 <&> \xc3\xbc\",\"tenant\":\"acme corp\",\"yes\":\"y\","
		"\"zone\":\"a\"},\"mdev\""));
	json_object_put(o);
	free(s);
	ag_descriptor_free(d);

	/* order of writing does not matter; an empty map is no labels */
	a = digest_of_text(DOC("host_labels: {zone: a, tenant: b}\n"));
	b = digest_of_text(DOC("host_labels:\n  tenant: b\n  zone: a\n"));
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	a = digest_of_text(DOC("host_labels: {}\n"));
	b = digest_of_text(DOC(""));
	ck_assert_str_eq(a, b);
	free(b);
	b = digest_of_text(DOC("host_labels: {zone: a}\n"));
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_yaml_round_trip)
{
	struct ag_descriptor *d = test_load_descriptor(
		"tests/data/descriptors/good/host-labels.yaml"), *back;
	char *buf = NULL, *text = NULL;
	size_t len = 0;
	struct ag_error err;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(ag_descriptor_emit_yaml(d, f, &err), 0);
	fclose(f);
	/* plain where every YAML reader keeps it text, else quoted */
	ck_assert_ptr_nonnull(strstr(buf, "host_labels:\n  \"1\": \"one\"\n"
				     "  example.com/rack: \"r12 <&> \xc3\xbc\"\n"
				     "  tenant: \"acme corp\"\n  \"yes\": \"y\"\n"
				     "  zone: \"a\"\nmdev:"));
	back = test_descriptor_from_text(buf);
	text = ag_descriptor_canonical(back);
	{
		char *orig = ag_descriptor_canonical(d);

		ck_assert_str_eq(text, orig);
		free(orig);
	}
	free(text);
	free(buf);
	ag_descriptor_free(back);
	ag_descriptor_free(d);

	/* no labels: no key at all (descriptors and goldens unchanged) */
	d = test_descriptor_from_text(DOC("host_labels: {}\n"));
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(ag_descriptor_emit_yaml(d, f, &err), 0);
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "labels"));
	free(buf);
	ag_descriptor_free(d);
}
END_TEST

START_TEST(test_copy_and_check)
{
	struct ag_labels a = { NULL, 0 }, b = { NULL, 0 };
	struct ag_descriptor *d = test_descriptor_from_text(
		DOC("host_labels: {zone: a, tenant: b}\n"));
	struct ag_error err;

	ag_labels_copy(&a, &d->host_labels);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_ptr_ne(a.items[0].key, d->host_labels.items[0].key);
	ck_assert_int_eq(ag_labels_check(&a, "x", &err), 0);
	ag_labels_copy(&b, &a);
	ag_labels_copy(&a, &b);	/* replaces, does not leak */
	/* out of order is refused: producers must keep the invariant */
	free(a.items[0].key);
	a.items[0].key = xstrdup("zzz");
	ck_assert_int_eq(ag_labels_check(&a, "x", &err), -1);
	ck_assert_str_eq(err.msg, "x: host label 2 is not a valid, sorted, "
			 "unique key with a value");
	ag_labels_free(&a);
	ag_labels_free(&b);
	ag_descriptor_free(d);
}
END_TEST

/* What policies see: src.labels / tgt.labels, read-only, and an empty
 * table (not nil) without labels. */
START_TEST(test_lua_view)
{
	static const char code[] =
		"rule{ id = 't', check = function(src, tgt)\n"
		"  local n = 0\n"
		"  for k, v in spairs(tgt.labels) do n = n + 1 end\n"
		"  local ok = pcall(function() src.labels.zone = 'b' end)\n"
		"  warn(('src zone=%s tenant=%s; tgt zone=%s, %d labels; "
		"write %s'):format(src.labels.zone, src.labels.tenant,\n"
		"    tostring(tgt.labels.zone), n, ok and 'allowed' or "
		"'refused'))\n"
		"end }\n";
	struct ag_limits lim = { .instructions = 1000000,
		.memory = 32u * 1024 * 1024, .timeout_ms = 5000 };
	struct ag_error err;
	struct ag_engine *eng = ag_engine_new(&lim, &err);
	struct ag_descriptor *src = test_descriptor_from_text(
		DOC("host_labels: {zone: a, tenant: acme}\n"));
	struct ag_descriptor *tgt = test_descriptor_from_text(DOC(""));
	struct ag_verdict v;

	ck_assert_ptr_nonnull(eng);
	ag_verdict_init(&v);
	ck_assert_msg(ag_engine_load(eng, "t.lua", code, strlen(code),
				     &err) == 0, "%s", err.msg);
	ck_assert_int_eq(ag_engine_evaluate(eng, src, tgt, 1795348800, &v), 0);
	ag_verdict_finish(&v);
	ck_assert_uint_eq(v.n_findings, 1);
	ck_assert_str_eq(v.findings[0].message, "src zone=a tenant=acme; tgt "
			 "zone=nil, 0 labels; write refused");
	ag_verdict_free(&v);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	ag_engine_free(eng);
}
END_TEST

Suite *suite_labels(void)
{
	Suite *s = suite_create("labels");
	TCase *tc = tcase_create("labels");

	tcase_add_test(tc, test_key_value_rule);
	tcase_add_test(tc, test_descriptor_refusals);
	tcase_add_test(tc, test_config_labels);
	tcase_add_test(tc, test_canonical_and_digest);
	tcase_add_test(tc, test_yaml_round_trip);
	tcase_add_test(tc, test_copy_and_check);
	tcase_add_test(tc, test_lua_view);
	suite_add_tcase(s, tc);
	return s;
}
