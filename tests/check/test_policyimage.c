/* test_policyimage.c - the default rules built into the binary stand in
 * for their files exactly: same bytes and digest, same rules, same
 * findings and lines, messages naming the file as loaded. */
#include "config.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "engine.h"
#include "policyimage.h"
#include "sandbox.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

static char *read_policy(const char *name, size_t *len)
{
	char rel[256], *buf;
	struct ag_error err = { "" };

	snprintf(rel, sizeof(rel), "policies/%s", name);
	ck_assert_msg(ag_read_file(test_path(rel), 1 << 20, &buf, len,
				   &err) == 0, "%s", err.msg);
	return buf;
}

START_TEST(every_default_rule_file_has_its_image)
{
	DIR *d = opendir(test_path("policies"));
	struct dirent *de;
	size_t files = 0, i;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), len;
		const struct ag_policy_image *img;
		char hex[AG_SHA256_HEX_LEN], *buf;

		if (n < 5 || strcmp(de->d_name + n - 4, ".lua"))
			continue;
		files++;
		buf = read_policy(de->d_name, &len);
		img = ag_policy_image_find(buf, len);
		ck_assert_msg(img, "%s: no built-in image", de->d_name);
		ck_assert_str_eq(img->name, de->d_name);
		ag_sha256_hex(buf, len, hex);
		ck_assert_str_eq(img->sha256, hex);
		ag_policy_digest(buf, len, hex);
		ck_assert_str_eq(hex, img->sha256);
		free(buf);
	}
	closedir(d);
	ck_assert_uint_eq(files, ag_n_policy_images);
	for (i = 0; i < ag_n_policy_images; i++)
		ck_assert_uint_gt(ag_policy_images[i].tail_len, 0);
}
END_TEST

START_TEST(other_bytes_are_hashed_not_imaged)
{
	size_t len;
	char *buf = read_policy("10-apqn.lua", &len), hex[AG_SHA256_HEX_LEN];
	char want[AG_SHA256_HEX_LEN];

	buf = xrealloc(buf, len + 1);
	buf[len] = '\n';
	ck_assert_ptr_null(ag_policy_image_find(buf, len + 1));
	ck_assert_ptr_null(ag_policy_image_find(buf, len - 1));
	ag_sha256_hex(buf, len + 1, want);
	ag_policy_digest(buf, len + 1, hex);
	ck_assert_str_eq(hex, want);
	free(buf);
}
END_TEST

/* The spliced name is the chunk's source, for the main function and for
 * the functions inside it (rule checks report through those). */
START_TEST(image_names_the_file_as_loaded)
{
	struct ag_sandbox_limits lim = { 0 };
	struct ag_error err = { "" };
	struct ag_sandbox *s = ag_sandbox_new(&lim, &err);
	const char *name = "/etc/somewhere/else/10-apqn.lua";
	lua_State *L;
	lua_Debug ar;
	size_t len;
	char *buf = read_policy("10-apqn.lua", &len);

	ck_assert_ptr_nonnull(s);
	L = ag_sandbox_state(s);
	ck_assert_int_eq(ag_sandbox_load(s, name, buf, len, &err), AG_SBX_OK);
	lua_pushvalue(L, -1);
	ck_assert(lua_getinfo(L, ">S", &ar));
	ck_assert_str_eq(ar.source + 1, name);
	ck_assert_int_eq(ar.source[0], '@');
	lua_pop(L, 1);
	/* The sandbox falls back to compiling a text whose image does not
	 * load; the image itself must load as bytecode, not fall back. */
	{
		const struct ag_policy_image *img = ag_policy_image_find(buf, len);
		char *chunk = xasprintf("@%s", name);
		size_t clen;
		unsigned char *code = ag_policy_image_code(img, chunk, &clen);
		lua_State *B = luaL_newstate();

		ck_assert_int_eq(luaL_loadbufferx(B, (const char *)code, clen,
						  chunk, "b"), LUA_OK);
		ck_assert(lua_getinfo(B, ">S", &ar));
		ck_assert_str_eq(ar.source, chunk);
		lua_close(B);
		free(code);
		free(chunk);
	}
	free(buf);
	ag_sandbox_free(s);
}
END_TEST

static struct ag_engine *engine_with(const char *const *names, size_t n,
				     bool as_image)
{
	struct ag_limits lim = { .instructions = 10000000,
		.memory = 32u * 1024 * 1024, .timeout_ms = 10000 };
	struct ag_error err = { "" };
	struct ag_engine *e = ag_engine_new(&lim, &err);
	size_t i, len;

	ck_assert_msg(e, "%s", err.msg);
	for (i = 0; i < n; i++) {
		char *buf = read_policy(names[i], &len), path[128];

		if (!as_image) {	/* one more newline: compiled from text */
			buf = xrealloc(buf, len + 1);
			buf[len++] = '\n';
		}
		ck_assert((ag_policy_image_find(buf, len) != NULL) == as_image);
		snprintf(path, sizeof(path), "policies/%s", names[i]);
		ck_assert_msg(ag_engine_load(e, path, buf, len, &err) == 0,
			      "%s: %s", path, err.msg);
		free(buf);
	}
	return e;
}

static void evaluate(struct ag_engine *e, const char *example,
		     struct ag_verdict *v)
{
	char rel[256];
	struct ag_descriptor *src, *tgt;
	struct ag_error err = { "" };

	snprintf(rel, sizeof(rel), "examples/%s/source.yaml", example);
	ck_assert_msg(ag_descriptor_load_file(test_path(rel), &src, &err) == 0,
		      "%s", err.msg);
	snprintf(rel, sizeof(rel), "examples/%s/target.yaml", example);
	ck_assert_msg(ag_descriptor_load_file(test_path(rel), &tgt, &err) == 0,
		      "%s", err.msg);
	ag_verdict_init(v);
	ck_assert_int_eq(ag_engine_evaluate(e, src, tgt, 1795000000, v), 0);
	ag_verdict_finish(v);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
}

START_TEST(image_runs_like_compiled_text)
{
	static const char *const examples[] = {
		"cca-match", "cca-mkvp-mismatch", "generation-downgrade",
		"missing-apqn", "blocked", "ep11-match", "key-change-pending",
	};
	const char **names = xcalloc(ag_n_policy_images, sizeof(*names));
	struct ag_engine *img, *txt;
	const struct ag_rule_info *ri, *rt;
	size_t i, ni, nt;

	for (i = 0; i < ag_n_policy_images; i++)
		names[i] = ag_policy_images[i].name;
	img = engine_with(names, ag_n_policy_images, true);
	txt = engine_with(names, ag_n_policy_images, false);
	ri = ag_engine_rules(img, &ni);
	rt = ag_engine_rules(txt, &nt);
	ck_assert_uint_eq(ni, nt);
	ck_assert_uint_gt(ni, 0);
	for (i = 0; i < ni; i++) {
		ck_assert_str_eq(ri[i].id, rt[i].id);
		ck_assert_str_eq(ri[i].file, rt[i].file);
		ck_assert_int_eq(ri[i].line, rt[i].line);
	}
	for (i = 0; i < AG_ARRAY_SIZE(examples); i++) {
		struct ag_verdict vi, vt;
		size_t f;

		evaluate(img, examples[i], &vi);
		evaluate(txt, examples[i], &vt);
		ck_assert_int_eq(vi.kind, vt.kind);
		ck_assert_uint_eq(vi.n_findings, vt.n_findings);
		for (f = 0; f < vi.n_findings; f++) {
			ck_assert_str_eq(vi.findings[f].rule, vt.findings[f].rule);
			ck_assert_str_eq(vi.findings[f].message,
					 vt.findings[f].message);
			ck_assert_int_eq(vi.findings[f].line,
					 vt.findings[f].line);
		}
		ag_verdict_free(&vi);
		ag_verdict_free(&vt);
	}
	ag_engine_free(img);
	ag_engine_free(txt);
	free(names);
}
END_TEST

Suite *suite_policyimage(void)
{
	Suite *s = suite_create("policyimage");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_default_rule_file_has_its_image);
	tcase_add_test(tc, other_bytes_are_hashed_not_imaged);
	tcase_add_test(tc, image_names_the_file_as_loaded);
	tcase_add_test(tc, image_runs_like_compiled_text);
	suite_add_tcase(s, tc);
	return s;
}
