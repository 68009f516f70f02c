/* test_textsafe.c - UTF-8 validation and the quoting of untrusted text. */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "textsafe.h"

static bool valid(const char *s)
{
	return ag_utf8_valid(s, strlen(s));
}

START_TEST(utf8_valid_accepts_text)
{
	ck_assert(valid(""));
	ck_assert(valid("05.0004 plain ASCII, tabs\tand\nnewlines"));
	ck_assert(valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"));
	ck_assert(valid("\x7f"));
}
END_TEST

START_TEST(utf8_valid_refuses_bad_bytes)
{
	static const char *const bad[] = {
		"\x80",			/* lone continuation */
		"ab\xc3",		/* truncated at the end */
		"\xc0\xaf",		/* overlong "/" */
		"\xe0\x80\xaf",		/* overlong, 3 bytes */
		"\xed\xa0\x80",		/* surrogate U+D800 */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xff",
		"ok \xc3\x28 then",	/* bad continuation mid-text */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!valid(bad[i]), "case %zu accepted", i);
	/* an embedded NUL is not text */
	ck_assert(!ag_utf8_valid("a\0b", 3));
	ck_assert(!ag_utf8_valid("\0", 1));
}
END_TEST

Suite *suite_textsafe(void)
{
	Suite *s = suite_create("textsafe");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, utf8_valid_accepts_text);
	tcase_add_test(tc, utf8_valid_refuses_bad_bytes);
	suite_add_tcase(s, tc);
	return s;
}
