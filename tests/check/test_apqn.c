/* test_apqn.c - ID and APQN parsing, APQN formatting, ID sets. */
#include "config.h"

#include <stddef.h>

#include "apqn.h"
#include "suites.h"

START_TEST(test_id_parse_good)
{
	static const struct {
		const char *s;
		unsigned v;
	} cases[] = {
		{ "0", 0 }, { "5", 5 }, { "12", 12 }, { "255", 255 },
		{ "0x0", 0 }, { "0x0c", 12 }, { "0xab", 171 }, { "0xAB", 171 },
		{ "0xff", 255 }, { "0x00ff", 255 }, { "0X10", 16 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned v = 999;

		ck_assert_msg(ag_id_parse(cases[i].s, &v) == 0, "%s",
			      cases[i].s);
		ck_assert_uint_eq(v, cases[i].v);
	}
}
END_TEST

START_TEST(test_id_parse_bad)
{
	static const char *const cases[] = {
		"", "012", "00", "0012", "256", "1000", "0x100", "0x", "-1",
		"+1", " 1", "1 ", "1a", "a", "0xg", "1.0", "0o7", "99999999999",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned v = 999;

		ck_assert_msg(ag_id_parse(cases[i], &v) == -1, "\"%s\"",
			      cases[i]);
		ck_assert_uint_eq(v, 999);
	}
	ck_assert_int_eq(ag_id_parse(NULL, &(unsigned){ 0 }), -1);
}
END_TEST

START_TEST(test_apqn_parse_good)
{
	unsigned a = 999, d = 999;

	ck_assert_int_eq(ag_apqn_parse("05.0004", &a, &d), 0);
	ck_assert_uint_eq(a, 5);
	ck_assert_uint_eq(d, 4);
	ck_assert_int_eq(ag_apqn_parse("ff.00ff", &a, &d), 0);
	ck_assert_uint_eq(a, 255);
	ck_assert_uint_eq(d, 255);
	ck_assert_int_eq(ag_apqn_parse("0a.00ab", &a, &d), 0);
	ck_assert_uint_eq(a, 10);
	ck_assert_uint_eq(d, 171);
	ck_assert_int_eq(ag_apqn_parse("00.0000", &a, &d), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(d, 0);
}
END_TEST

START_TEST(test_apqn_parse_bad)
{
	static const char *const cases[] = {
		"05.00AB",	/* uppercase: sysfs never prints it */
		"0A.0004", "5.0004", "05.004", "05.00004", "005.0004",
		"05.0100",	/* domain above 255 */
		"05-0004", "05:0004", "050004", "05.0004 ", " 05.0004",
		"0g.0004", "", "05.", ".0004", "5.4",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned a = 999, d = 999;

		ck_assert_msg(ag_apqn_parse(cases[i], &a, &d) == -1, "\"%s\"",
			      cases[i]);
	}
	ck_assert_int_eq(ag_apqn_parse(NULL, &(unsigned){ 0 },
				       &(unsigned){ 0 }), -1);
}
END_TEST

START_TEST(test_apqn_format)
{
	char buf[AG_APQN_LEN];
	unsigned a, d;

	ag_apqn_format(5, 4, buf);
	ck_assert_str_eq(buf, "05.0004");
	ag_apqn_format(0xab, 0xcd, buf);
	ck_assert_str_eq(buf, "ab.00cd");
	ag_apqn_format(255, 255, buf);
	ck_assert_str_eq(buf, "ff.00ff");
	/* format and parse are inverse over the whole range */
	for (a = 0; a <= AG_MAX_ID; a += 17)
		for (d = 0; d <= AG_MAX_ID; d += 5) {
			unsigned a2, d2;

			ag_apqn_format(a, d, buf);
			ck_assert_int_eq(ag_apqn_parse(buf, &a2, &d2), 0);
			ck_assert_uint_eq(a2, a);
			ck_assert_uint_eq(d2, d);
		}
}
END_TEST

START_TEST(test_idset)
{
	struct ag_idset s, t;
	static const unsigned ids[] = { 0, 1, 63, 64, 127, 128, 200, 255 };
	size_t i;
	int id, n;

	ag_idset_clear(&s);
	ck_assert_uint_eq(ag_idset_count(&s), 0);
	ck_assert_int_eq(ag_idset_next(&s, 0), -1);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ag_idset_add(&s, ids[i]);
	ag_idset_add(&s, 64);		/* idempotent */
	ag_idset_add(&s, 256);		/* out of range: ignored */
	ck_assert_uint_eq(ag_idset_count(&s), 8);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ck_assert(ag_idset_has(&s, ids[i]));
	ck_assert(!ag_idset_has(&s, 2));
	ck_assert(!ag_idset_has(&s, 65));
	ck_assert(!ag_idset_has(&s, 256));
	ck_assert(!ag_idset_has(&s, 100000));

	n = 0;
	for (id = ag_idset_next(&s, 0); id >= 0;
	     id = ag_idset_next(&s, (unsigned)id + 1))
		ck_assert_int_eq(id, (int)ids[n++]);
	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(ag_idset_next(&s, 129), 200);
	ck_assert_int_eq(ag_idset_next(&s, 256), -1);

	ag_idset_clear(&t);
	ck_assert(!ag_idset_equal(&s, &t));
	for (i = sizeof(ids) / sizeof(ids[0]); i-- > 0;)
		ag_idset_add(&t, ids[i]);
	ck_assert(ag_idset_equal(&s, &t));
	ag_idset_add(&t, 3);
	ck_assert(!ag_idset_equal(&s, &t));
}
END_TEST

Suite *suite_apqn(void)
{
	Suite *s = suite_create("apqn");
	TCase *tc = tcase_create("apqn");

	tcase_add_test(tc, test_id_parse_good);
	tcase_add_test(tc, test_id_parse_bad);
	tcase_add_test(tc, test_apqn_parse_good);
	tcase_add_test(tc, test_apqn_parse_bad);
	tcase_add_test(tc, test_apqn_format);
	tcase_add_test(tc, test_idset);
	suite_add_tcase(s, tc);
	return s;
}
