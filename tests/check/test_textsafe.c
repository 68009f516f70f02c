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

/* The validator reads ASCII eight bytes at a time: a bad byte (or a NUL,
 * or a byte of 0x7f or 0x80 at a word's edge) is found at every offset of
 * a long text, and a good multi-byte character is accepted there too. */
START_TEST(utf8_valid_every_offset)
{
	static const char *const bad[] = { "\x80", "\xff", "\xc3", "\0" };
	char buf[64];
	size_t at, i;

	for (at = 0; at < 40; at++) {
		memset(buf, 'a', sizeof(buf));
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			buf[at] = bad[i][0];
			ck_assert_msg(!ag_utf8_valid(buf, 48),
				      "byte %02x at %zu accepted",
				      (unsigned char)bad[i][0], at);
		}
		buf[at] = 0x7f;
		ck_assert_msg(ag_utf8_valid(buf, 48), "0x7f at %zu refused", at);
		memcpy(buf + at, "\xe2\x82\xac", 3);
		ck_assert_msg(ag_utf8_valid(buf, 48), "euro at %zu refused", at);
		buf[at] = 0x01;
		buf[at + 1] = 0x7f;
		buf[at + 2] = 0x80;
		ck_assert_msg(!ag_utf8_valid(buf, 48), "0x80 at %zu accepted",
			      at + 2);
		/* and a length that ends before the bad byte */
		ck_assert(ag_utf8_valid(buf, at + 2));
	}
}
END_TEST

Suite *suite_textsafe(void)
{
	Suite *s = suite_create("textsafe");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, utf8_valid_accepts_text);
	tcase_add_test(tc, utf8_valid_refuses_bad_bytes);
	tcase_add_test(tc, utf8_valid_every_offset);
	suite_add_tcase(s, tc);
	return s;
}
