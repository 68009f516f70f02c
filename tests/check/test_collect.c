/* test_collect.c - the parsers behind live collection: sysfs mkvps (every
 * format the kernel prints and every malformed line class), the vfio_ap
 * matrix / guest_matrix / control_domains / ap_config attributes,
 * mdevctl definitions (json-c) and master-key files (yamltree). */
#include "config.h"

#define _GNU_SOURCE 1	/* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmatrix.h"
#include "keys.h"
#include "mdevctl.h"
#include "mkvps.h"
#include "sysfs_collect.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"

#define Z16 "0x0000000000000000"
#define Z32 "0x00000000000000000000000000000000"
#define WK64 "0xdb3c3b3c3f097dd55ec7eb0e7fdbcb933b773619640a1a75a9161cec00000000"

#define AES3 "AES NEW: empty " Z16 "\nAES CUR: valid 0x8f3a6c21d07be419\n" \
	"AES OLD: invalid " Z16 "\n"
#define APKA3 "APKA NEW: full 0x2c5e91b7a04d3f68\nAPKA CUR: valid " \
	"0x77b10e4d9a3c5f21\nAPKA OLD: valid 0x0a9c4e6b2d8f1357\n"
#define ASYM3 "ASYM NEW: partial " Z32 "\nASYM CUR: valid " \
	"0x5b0e7d13c9a24f8e61d3a7c05e9b2f14\nASYM OLD: invalid " Z32 "\n"

static int parse(const char *s, struct ag_mkvps *m, struct ag_error *err)
{
	return ag_mkvps_parse(s, strlen(s), m, err);
}

/* --- mkvps: what the kernel prints --- */

START_TEST(test_mkvps_cca)
{
	struct ag_mkvps m;
	struct ag_error err;

	/* 3 lines (AES only, before 5.10) */
	ck_assert_msg(parse(AES3, &m, &err) == 0, "%s", err.msg);
	ck_assert(m.present);
	ck_assert_int_eq(m.origin, AG_MK_ORIGIN_SYSFS);
	ck_assert_int_eq(m.reg[AG_KT_AES][AG_REG_NEW].state, AG_MK_EMPTY);
	ck_assert_str_eq(m.reg[AG_KT_AES][AG_REG_NEW].mkvp, "");
	ck_assert_int_eq(m.reg[AG_KT_AES][AG_REG_CUR].state, AG_MK_VALID);
	ck_assert_str_eq(m.reg[AG_KT_AES][AG_REG_CUR].mkvp,
			 "0x8f3a6c21d07be419");
	ck_assert_int_eq(m.reg[AG_KT_AES][AG_REG_OLD].state, AG_MK_INVALID);
	ck_assert(!ag_mkvps_has_key_type(&m, AG_KT_APKA));

	/* 6 lines (AES, APKA; 5.10 to 5.18), without the trailing newline
	 * (libudev strips it) */
	ck_assert_msg(ag_mkvps_parse(AES3 APKA3, strlen(AES3 APKA3) - 1, &m,
				     &err) == 0, "%s", err.msg);
	ck_assert_int_eq(m.reg[AG_KT_APKA][AG_REG_NEW].state, AG_MK_FULL);
	ck_assert_str_eq(m.reg[AG_KT_APKA][AG_REG_NEW].mkvp,
			 "0x2c5e91b7a04d3f68");
	ck_assert_str_eq(m.reg[AG_KT_APKA][AG_REG_OLD].mkvp,
			 "0x0a9c4e6b2d8f1357");
	ck_assert(!ag_mkvps_has_key_type(&m, AG_KT_ASYM));

	/* 9 lines (5.19+) */
	ck_assert_msg(parse(AES3 APKA3 ASYM3, &m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(m.reg[AG_KT_ASYM][AG_REG_NEW].state, AG_MK_PARTIAL);
	ck_assert_str_eq(m.reg[AG_KT_ASYM][AG_REG_NEW].mkvp, "");
	ck_assert_str_eq(m.reg[AG_KT_ASYM][AG_REG_CUR].mkvp,
			 "0x5b0e7d13c9a24f8e61d3a7c05e9b2f14");
}
END_TEST

START_TEST(test_mkvps_unknown_lines)
{
	struct ag_mkvps m;
	struct ag_error err;
	int kt, r;

	/* STATICSA failed: all nine "- -" */
	ck_assert_msg(parse("AES NEW: - -\nAES CUR: - -\nAES OLD: - -\n"
			    "APKA NEW: - -\nAPKA CUR: - -\nAPKA OLD: - -\n"
			    "ASYM NEW: - -\nASYM CUR: - -\nASYM OLD: - -\n",
			    &m, &err) == 0, "%s", err.msg);
	for (kt = AG_KT_AES; kt <= AG_KT_ASYM; kt++)
		for (r = 0; r < AG_REG_COUNT; r++) {
			ck_assert_int_eq(m.reg[kt][r].state, AG_MK_UNKNOWN);
			ck_assert_str_eq(m.reg[kt][r].mkvp, "");
		}
	/* only STATICSB failed: APKA unknown, AES and ASYM real */
	ck_assert_msg(parse(AES3 "APKA NEW: - -\nAPKA CUR: - -\nAPKA OLD: - -\n"
			    ASYM3, &m, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(m.reg[AG_KT_APKA][AG_REG_CUR].state, AG_MK_UNKNOWN);
	ck_assert_int_eq(m.reg[AG_KT_ASYM][AG_REG_CUR].state, AG_MK_VALID);
}
END_TEST

START_TEST(test_mkvps_ep11)
{
	static const struct {
		const char *text;
		enum ag_mk_state cur, new;
		bool cur_pat, new_pat;
	} cases[] = {
		{ "WK CUR: valid " WK64 "\nWK NEW: empty -\n",
		  AG_MK_VALID, AG_MK_EMPTY, true, false },
		{ "WK CUR: invalid -\nWK NEW: uncommitted " WK64 "\n",
		  AG_MK_INVALID, AG_MK_UNCOMMITTED, false, true },
		{ "WK CUR: valid " WK64 "\nWK NEW: committed " WK64,
		  AG_MK_VALID, AG_MK_COMMITTED, true, true },
		{ "WK CUR: - -\nWK NEW: - -\n",
		  AG_MK_UNKNOWN, AG_MK_UNKNOWN, false, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ag_mkvps m;
		struct ag_error err;

		ck_assert_msg(parse(cases[i].text, &m, &err) == 0, "%zu: %s",
			      i, err.msg);
		ck_assert_int_eq(m.reg[AG_KT_WK][AG_REG_CUR].state,
				 cases[i].cur);
		ck_assert_int_eq(m.reg[AG_KT_WK][AG_REG_NEW].state,
				 cases[i].new);
		ck_assert_str_eq(m.reg[AG_KT_WK][AG_REG_CUR].mkvp,
				 cases[i].cur_pat ? WK64 : "");
		ck_assert_str_eq(m.reg[AG_KT_WK][AG_REG_NEW].mkvp,
				 cases[i].new_pat ? WK64 : "");
		ck_assert(!ag_mkvps_has_key_type(&m, AG_KT_AES));
	}
}
END_TEST

/* --- mkvps: every malformed line class --- */

START_TEST(test_mkvps_malformed)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		/* empty */
		{ "", "empty" },
		{ "\n", "empty" },
		/* wrong token count, spacing */
		{ "AES NEW: empty\n", "line 1 \"AES NEW: empty\": expected four tokens" },
		{ "AES NEW: empty " Z16 " x\n", "found trailing text" },
		{ "AES  NEW: empty " Z16 "\n", "single spaces" },
		{ " AES NEW: empty " Z16 "\n", "single spaces" },
		{ "AES NEW: empty " Z16 " \n", "trailing space" },
		{ "AES NEW:\tempty " Z16 "\n", "expected four tokens" },
		{ "AES NEW: empty\x01 " Z16 "\n", "control or non-ASCII character in token 3" },
		/* unknown key type / register, missing colon */
		{ "DES NEW: empty " Z16 "\n", "unknown key type \"DES\"" },
		{ "SYM NEW: empty " Z16 "\n", "unknown key type \"SYM\"" },
		{ "AES NOW: empty " Z16 "\n", "unknown register \"NOW\" for AES" },
		{ "WK OLD: invalid -\nWK NEW: empty -\n", "unknown register \"OLD\" for WK" },
		{ "AES NEW empty " Z16 "\n", "register \"NEW\" lacks its ':'" },
		/* state not valid for its register */
		{ "AES NEW: valid 0x8f3a6c21d07be419\n", "state \"valid\" is not a AES NEW state (empty, partial, full" },
		{ AES3 APKA3 "ASYM NEW: empty " Z32 "\nASYM CUR: empty -\nASYM OLD: invalid " Z32 "\n",
		  "line 8 \"ASYM CUR: empty -\": state \"empty\" is not a ASYM CUR state" },
		{ "WK CUR: empty -\nWK NEW: empty -\n", "state \"empty\" is not a WK CUR state" },
		{ "WK CUR: valid " WK64 "\nWK NEW: full " WK64 "\n", "state \"full\" is not a WK NEW state" },
		{ "AES NEW: unknown " Z16 "\n", "state \"unknown\" is not a AES NEW state" },
		{ "AES NEW: - " Z16 "\n", "state \"-\" must be followed by \"-\"" },
		/* the impossible lines of public test data (DOMAIN.md 3.4) */
		{ AES3 APKA3 "ASYM NEW: empty -\n", "line 7 \"ASYM NEW: empty -\": expected \"0x\" + 32 hex digits" },
		{ AES3 APKA3 "ASYM NEW: empty " Z32 "\nASYM CUR: valid 0x5b0e7d13c9a24f8e61d3a7c05e9b2f14\nASYM OLD: empty -\n",
		  "state \"empty\" is not a ASYM OLD state" },
		/* hex width, case, digits, zeros */
		{ "AES NEW: empty 0x000000000000000\n", "AES patterns have 16 hex digits, found 15" },
		{ "AES NEW: full 0x8f3a6c21d07be4190\n", "found 17" },
		{ AES3 APKA3 "ASYM NEW: full 0x8f3a6c21d07be419\n", "ASYM patterns have 32 hex digits, found 16" },
		{ "WK CUR: valid 0xdb3c3b3c3f097dd55ec7eb0e7fdbcb93\nWK NEW: empty -\n", "WK patterns have 64 hex digits, found 32" },
		{ "AES NEW: full 0x8F3A6C21D07BE419\n", "uppercase hex digit 'F': the kernel prints lowercase" },
		{ "AES NEW: full 0X8f3a6c21d07be419\n", "expected \"0x\" + 16 hex digits" },
		{ "AES NEW: full 8f3a6c21d07be419\n", "expected \"0x\" + 16 hex digits" },
		{ "AES NEW: full 0x8f3a6c21d07be41g\n", "'g' is not a hex digit" },
		{ "AES NEW: empty 0x8f3a6c21d07be419\n", "state empty carries no pattern: expected all zeros" },
		{ "WK CUR: invalid " WK64 "\nWK NEW: empty -\n", "state invalid carries no pattern: expected \"-\"" },
		{ "WK CUR: valid -\nWK NEW: empty -\n", "expected \"0x\" + 64 hex digits" },
		/* order */
		{ "AES CUR: valid 0x8f3a6c21d07be419\nAES NEW: empty " Z16 "\nAES OLD: invalid " Z16 "\n",
		  "line 1 \"AES CUR: valid 0x8f3a6c21d07be419\": expected AES NEW here (the kernel's fixed order), found AES CUR" },
		{ AES3 ASYM3, "line 4 \"ASYM NEW: partial " Z32 "\": expected APKA NEW here" },
		{ AES3 AES3, "expected APKA NEW here (the kernel's fixed order), found AES NEW" },
		{ "WK NEW: empty -\nWK CUR: valid " WK64 "\n", "expected WK CUR here" },
		{ AES3 "WK CUR: - -\n", "expected APKA NEW here (the kernel's fixed order), found WK CUR" },
		/* line counts, trailing garbage, empty lines */
		{ "AES NEW: empty " Z16 "\nAES CUR: valid 0x8f3a6c21d07be419\n", "2 lines: the kernel prints 3, 6 or 9 CCA lines" },
		{ AES3 "APKA NEW: empty " Z16 "\n", "4 lines" },
		{ "WK CUR: valid " WK64 "\n", "1 line: EP11 prints two lines" },
		{ AES3 APKA3 ASYM3 "AES NEW: empty " Z16 "\n", "line 10 \"AES NEW: empty " Z16 "\": unexpected line after the 9 CCA lines" },
		{ "WK CUR: - -\nWK NEW: - -\nWK CUR: - -\n", "unexpected line after the 2 EP11 lines" },
		{ AES3 "\n", "line 4 \"\": empty line" },
		{ "AES NEW: empty " Z16 "\n\nAES CUR: valid 0x8f3a6c21d07be419\n", "line 2 \"\": empty line" },
		{ AES3 "garbage", "line 4 \"garbage\": expected four tokens" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ag_mkvps m;
		struct ag_error err = { "" };

		ck_assert_msg(parse(cases[i].text, &m, &err) == -1,
			      "case %zu accepted", i);
		ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL,
			      "case %zu: \"%s\" lacks \"%s\"", i, err.msg,
			      cases[i].msg);
		ck_assert(!m.present);
	}
	/* a NUL byte inside the attribute */
	{
		struct ag_mkvps m;
		struct ag_error err;

		ck_assert_int_eq(ag_mkvps_parse("AES NEW: empty\0x", 16, &m,
						&err), -1);
		ck_assert_str_eq(err.msg, "contains a NUL byte");
	}
}
END_TEST

/* --- matrix, guest_matrix, control_domains, ap_config --- */

START_TEST(test_matrix)
{
	struct ag_idset a, d, c;
	struct ag_error err;

	ck_assert_int_eq(ag_matrix_parse("", 0, &a, &d, &err), 0);
	ck_assert_uint_eq(ag_idset_count(&a) + ag_idset_count(&d), 0);
	ck_assert_int_eq(ag_matrix_parse("05.0004\n05.0047\n06.0004\n06.0047\n",
					 32, &a, &d, &err), 0);
	ck_assert(ag_idset_has(&a, 5) && ag_idset_has(&a, 6));
	ck_assert(ag_idset_has(&d, 4) && ag_idset_has(&d, 0x47));
	ck_assert_uint_eq(ag_idset_count(&a), 2);
	/* adapters only, domains only; without the final newline */
	ck_assert_int_eq(ag_matrix_parse("05.\nff.", 7, &a, &d, &err), 0);
	ck_assert(ag_idset_has(&a, 255) && ag_idset_count(&d) == 0);
	ck_assert_int_eq(ag_matrix_parse(".0004\n.00ff\n", 12, &a, &d, &err), 0);
	ck_assert(ag_idset_has(&d, 255) && ag_idset_count(&a) == 0);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "05.0004\n05.0047\n06.0004\n", "3 APQN lines do not form the full product of 2 adapters x 2 domains" },
		{ "05.0047\n05.0004\n", "line 2 \"05.0004\": not in ascending order" },
		{ "05.0004\n05.0004\n", "not in ascending order (or repeated)" },
		{ "05.0004\n06.\n", "line 2 \"06.\": mixes APQN, adapter-only and domain-only lines" },
		{ "5.0004\n", "expected \"aa.dddd\", \"aa.\" or \".dddd\" (lowercase hex)" },
		{ "05.004\n", "expected \"aa.dddd\"" },
		{ "0A.0004\n", "expected \"aa.dddd\"" },
		{ "05.0100\n", "domain out of range 0..255" },
		{ "05.0004 \n", "expected \"aa.dddd\"" },
		{ "05.0004\n\n", "line 2 \"\"" },
		{ "05:0004\n", "expected \"aa.dddd\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ag_matrix_parse(bad[i].text, strlen(bad[i].text),
					      &a, &d, &err) == -1, "%zu", i);
		ck_assert_msg(strstr(err.msg, bad[i].msg), "%zu: %s", i,
			      err.msg);
	}

	ck_assert_int_eq(ag_control_domains_parse("0004\n0047\n", 10, &c,
						  &err), 0);
	ck_assert(ag_idset_has(&c, 4) && ag_idset_has(&c, 0x47) &&
		  ag_idset_count(&c) == 2);
	ck_assert_int_eq(ag_control_domains_parse("", 0, &c, &err), 0);
	ck_assert_uint_eq(ag_idset_count(&c), 0);
	ck_assert_int_eq(ag_control_domains_parse("0047\n0004\n", 10, &c,
						  &err), -1);
	ck_assert(strstr(err.msg, "line 2 \"0004\": not in ascending order"));
	ck_assert_int_eq(ag_control_domains_parse("004\n", 4, &c, &err), -1);
	ck_assert(strstr(err.msg, "expected a domain \"dddd\""));
	ck_assert_int_eq(ag_control_domains_parse("004A\n", 5, &c, &err), -1);
	ck_assert_int_eq(ag_control_domains_parse("0100\n", 5, &c, &err), -1);
	ck_assert(strstr(err.msg, "domain out of range"));
	ck_assert_int_eq(ag_control_domains_parse("05.0004\n", 8, &c, &err),
			 -1);
}
END_TEST

#define M0 "0x0600000000000000000000000000000000000000000000000000000000000000"
#define M1 "0x0800000000000000010000000000000000000000000000000000000000000000"
#define M2 "0x8000000000000000000000000000000000000000000000000000000000000001"

START_TEST(test_ap_config)
{
	struct ag_idset apm, aqm, adm;
	struct ag_error err;

	ck_assert_msg(ag_ap_config_parse(M0 "," M1 "," M2 "\n",
					 strlen(M0) * 3 + 3, false, &apm, &aqm,
					 &adm, &err) == 0, "%s", err.msg);
	ck_assert(ag_idset_has(&apm, 5) && ag_idset_has(&apm, 6) &&
		  ag_idset_count(&apm) == 2);
	ck_assert(ag_idset_has(&aqm, 4) && ag_idset_has(&aqm, 0x47) &&
		  ag_idset_count(&aqm) == 2);
	ck_assert(ag_idset_has(&adm, 0) && ag_idset_has(&adm, 255) &&
		  ag_idset_count(&adm) == 2);

	ck_assert_int_eq(ag_ap_config_parse(M0 "," M1, strlen(M0) * 2 + 1,
					    false, &apm, &aqm, &adm, &err), -1);
	ck_assert(strstr(err.msg, "expected three masks"));
	ck_assert_int_eq(ag_ap_config_parse(M0 "," M1 ",0x06", strlen(M0) * 2
					    + 6, false, &apm, &aqm, &adm,
					    &err), -1);
	ck_assert_msg(strstr(err.msg, "ADM (mask 3 of 3): expected a mask "
			     "\"0x\" + 64 hex digits"), "%s", err.msg);
	/* upper case: people may write it, the kernel does not print it */
	{
		const char *up = "0x0A00000000000000000000000000000000000000000000000000000000000000";
		char *s = xasprintf("%s,%s,%s", up, M1, M2);

		ck_assert_int_eq(ag_ap_config_parse(s, strlen(s), false, &apm,
						    &aqm, &adm, &err), -1);
		ck_assert(strstr(err.msg, "APM (mask 1 of 3): mask digit 2 "
				 "'A' is not a lowercase hex digit"));
		ck_assert_int_eq(ag_ap_config_parse(s, strlen(s), true, &apm,
						    &aqm, &adm, &err), 0);
		ck_assert(ag_idset_has(&apm, 4) && ag_idset_has(&apm, 6));
		free(s);
	}
}
END_TEST

/* Card attributes: exactly the kernel's "%d" and "0x%08X". */
START_TEST(test_card_attrs)
{
	static const char *const bad_types[] = {
		"", "-1", "+1", "014", "256", "0x0e", "0X0E", "0XA", "14\n",
		" 14", NULL,
	};
	static const char *const bad_functions[] = {
		"", "0x9280000", "0x928000000", "0x92800000\n", "0X92800000",
		"0x92800a00", " 0x9280000", "92800000", NULL,
	};
	uint32_t f;
	size_t i;
	int t;

	ck_assert_int_eq(ag_sysfs_parse_type("14", &t), 0);
	ck_assert_int_eq(t, 14);
	ck_assert_int_eq(ag_sysfs_parse_type("0", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(ag_sysfs_parse_type("255", &t), 0);
	ck_assert_int_eq(t, 255);
	for (i = 0; bad_types[i]; i++)
		ck_assert_msg(ag_sysfs_parse_type(bad_types[i], &t) == -1,
			      "type \"%s\" accepted", bad_types[i]);
	ck_assert_int_eq(ag_sysfs_parse_functions("0x92800000", &f), 0);
	ck_assert_uint_eq(f, 0x92800000u);
	ck_assert_int_eq(ag_sysfs_parse_functions("0xAC0000FF", &f), 0);
	ck_assert_uint_eq(f, 0xac0000ffu);
	for (i = 0; bad_functions[i]; i++)
		ck_assert_msg(ag_sysfs_parse_functions(bad_functions[i], &f) == -1,
			      "ap_functions \"%s\" accepted", bad_functions[i]);
}
END_TEST

/* --- mdevctl definitions --- */

static int mdef(const char *json, struct ag_mdevctl_def *def,
		struct ag_notes *notes, struct ag_error *err)
{
	return ag_mdevctl_parse("def", json, strlen(json), def, notes, err);
}

START_TEST(test_mdevctl_good)
{
	struct ag_mdevctl_def def;
	struct ag_notes notes = { 0 };
	struct ag_error err;

	/* mdevctl testdata/define/defined.json */
	ck_assert_msg(mdef("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":"
			   "\"manual\",\"attrs\":[{\"assign_adapter\":\"5\"},"
			   "{\"assign_adapter\":\"6\"},{\"assign_domain\":"
			   "\"0xab\"},{\"assign_control_domain\":\"0xab\"},"
			   "{\"assign_domain\":\"4\"},{\"assign_control_domain"
			   "\":\"4\"}]}", &def, &notes, &err) == 0, "%s",
		      err.msg);
	ck_assert_str_eq(def.mdev_type, "vfio_ap-passthrough");
	ck_assert_str_eq(def.start, "manual");
	ck_assert(ag_idset_has(&def.adapters, 5) &&
		  ag_idset_has(&def.adapters, 6));
	ck_assert(ag_idset_has(&def.domains, 0xab) &&
		  ag_idset_has(&def.domains, 4));
	ck_assert_uint_eq(ag_idset_count(&def.control_domains), 2);
	ck_assert_uint_eq(notes.n, 0);
	ag_mdevctl_def_free(&def);

	/* comma lists (noted), unassign, 0X, ap_config replacing all, no
	 * attrs key at all */
	ck_assert_msg(mdef("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":"
			   "\"auto\",\"attrs\":[{\"assign_adapter\":\"1,2,"
			   "0X03\"},{\"unassign_adapter\":\"2\"},"
			   "{\"assign_domain\":\"0\"},{\"assign_control_domain"
			   "\":\"255\"}],\"extra\":1}\n", &def, &notes,
			   &err) == 0, "%s", err.msg);
	ck_assert(ag_idset_has(&def.adapters, 1) &&
		  !ag_idset_has(&def.adapters, 2) &&
		  ag_idset_has(&def.adapters, 3));
	ck_assert(ag_idset_has(&def.domains, 0));
	ck_assert(ag_idset_has(&def.control_domains, 255));
	ck_assert_uint_eq(notes.n, 2);
	ck_assert(strstr(notes.lines[0], "attrs[0] (assign_adapter) \"1,2,"
			 "0X03\" is a comma list"));
	ck_assert(strstr(notes.lines[1], "key \"extra\" ignored"));
	ag_notes_free(&notes);
	ag_mdevctl_def_free(&def);

	ck_assert_msg(mdef("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":"
			   "\"manual\",\"attrs\":[{\"assign_adapter\":\"9\"},"
			   "{\"ap_config\":\"" M0 "," M1 "," M2 "\"}]}", &def,
			   NULL, &err) == 0, "%s", err.msg);
	ck_assert(!ag_idset_has(&def.adapters, 9));
	ck_assert_uint_eq(ag_idset_count(&def.adapters), 2);
	ck_assert(ag_idset_has(&def.control_domains, 255));
	ag_mdevctl_def_free(&def);

	ck_assert_int_eq(mdef("{\"mdev_type\":\"vfio_ap-passthrough\","
			      "\"start\":\"manual\"}", &def, NULL, &err), 0);
	ck_assert_uint_eq(ag_idset_count(&def.adapters), 0);
	ag_mdevctl_def_free(&def);
}
END_TEST

START_TEST(test_mdevctl_bad)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		/* mdevctl testdata/invalid-files and friends */
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"attrs\":[]}", "def: missing \"start\"" },
		{ "{\"start\":\"manual\",\"attrs\":[]}", "def: missing \"mdev_type\"" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[{\"assign_adapter\":\"5\",\"assign_domain\":\"4\"}]}",
		  "def: attrs[0]: expected exactly one attribute per object, found 2" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[{\"assign_adapter\":5}]}",
		  "def: attrs[0] (assign_adapter): expected a string value, found a number" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[{}]}", "found 0" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[\"assign_adapter\"]}",
		  "attrs[0]: expected an object with one attribute, found a string" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":{}}", "\"attrs\" must be an array, found an object" },
		{ "{\"mdev_type\":5,\"start\":\"manual\"}", "\"mdev_type\" must be a string, found a number" },
		{ "[]", "expected a JSON object (an mdevctl definition), found an array" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\"", "invalid JSON at byte" },
		{ "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\"} x", "invalid JSON at byte 53" },
		{ "{'mdev_type':'x'}", "invalid JSON" },
		{ "", "invalid JSON" },
		/* values */
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_domain\":\"012\"}]}",
		  "def: attrs[0] (assign_domain): \"012\" has a leading zero, which the kernel reads as octal; write it in decimal or as 0x hex" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_domain\":\"256\"}]}", "\"256\" is not an ID 0..255 (decimal or 0x hex)" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_domain\":\"4,\"}]}", "empty ID" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_domain\":\" 4\"}]}", "\" 4\" is not an ID" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_domain\":\"4\\n\"}]}", "is not an ID" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_domain\":\"-1\"}]}", "is not an ID" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"assign_adapters\":\"4\"}]}", "attrs[0]: \"assign_adapters\" is not a vfio_ap attribute" },
		{ "{\"mdev_type\":\"v\",\"start\":\"m\",\"attrs\":[{\"ap_config\":\"0x06\"}]}", "attrs[0] (ap_config): expected three masks" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ag_mdevctl_def def;
		struct ag_error err = { "" };

		ck_assert_msg(mdef(cases[i].json, &def, NULL, &err) == -1,
			      "case %zu accepted", i);
		ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL,
			      "case %zu: \"%s\" lacks \"%s\"", i, err.msg,
			      cases[i].msg);
		ck_assert_ptr_null(def.mdev_type);
	}
}
END_TEST

/* --- master-key files --- */

static int kload(const char *yaml, struct ag_keys **k, struct ag_error *err)
{
	return ag_keys_load_buffer("k.yaml", yaml, strlen(yaml), k, err);
}

START_TEST(test_keys_good)
{
	struct ag_keys *k;
	struct ag_error err;
	const struct ag_keys_entry *e;

	ck_assert_msg(kload("apgate-keys: 1\norigin: declared\nat: "
			    "2026-11-22T11:00:00+01:00\nkeys:\n"
			    "  - domain: 0x47\n    aes: {cur: {state: valid, "
			    "mkvp: \"0x4E7B2D90A1C3F586\"}}\n"
			    "  - apqn: \"05.0047\"\n    aes: {new: {state: "
			    "empty}, cur: {state: valid, mkvp: "
			    "\"0x1111111111111111\"}}\n    asym: {cur: {state: "
			    "unknown}}\n"
			    "  - domain: 4\n    wk: {cur: {state: valid, mkvp: "
			    "\"" WK64 "\"}, new: {state: committed, mkvp: \""
			    WK64 "\"}}\n", &k, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(k->origin, AG_MK_ORIGIN_DECLARED);
	ck_assert_str_eq(k->at, "2026-11-22T10:00:00Z");
	ck_assert_uint_eq(k->n, 3);
	/* the APQN's own entry wins over its domain's */
	e = ag_keys_lookup(k, 5, 0x47);
	ck_assert(e && e->is_apqn);
	ck_assert_str_eq(e->mkvps.reg[AG_KT_AES][AG_REG_CUR].mkvp,
			 "0x1111111111111111");
	ck_assert_int_eq(e->mkvps.reg[AG_KT_ASYM][AG_REG_CUR].state,
			 AG_MK_UNKNOWN);
	ck_assert_int_eq(e->mkvps.origin, AG_MK_ORIGIN_DECLARED);
	ck_assert_uint_eq(e->line, 7);
	e = ag_keys_lookup(k, 6, 0x47);
	ck_assert(e && !e->is_apqn);
	ck_assert_str_eq(e->mkvps.reg[AG_KT_AES][AG_REG_CUR].mkvp,
			 "0x4e7b2d90a1c3f586");
	e = ag_keys_lookup(k, 9, 4);
	ck_assert(e && ag_mkvps_has_key_type(&e->mkvps, AG_KT_WK));
	ck_assert_ptr_null(ag_keys_lookup(k, 5, 5));
	ag_keys_free(k);

	/* JSON, origin guest, empty list */
	ck_assert_msg(kload("{\"apgate-keys\": 1, \"origin\": \"guest\", "
			    "\"host\": \"g1\", \"keys\": []}", &k, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(k->origin, AG_MK_ORIGIN_GUEST);
	ck_assert_str_eq(k->host, "g1");
	ck_assert_uint_eq(k->n, 0);
	ag_keys_free(k);
}
END_TEST

START_TEST(test_keys_bad)
{
	static const struct {
		const char *yaml, *msg;
	} cases[] = {
		{ "", "k.yaml:1:1: the document: expected a mapping with \"apgate-keys: 1\"" },
		{ "origin: declared\nkeys: []\n", "k.yaml:1:1: missing required key \"apgate-keys\"" },
		{ "apgate-keys: 2\norigin: declared\nkeys: []\n", "k.yaml:1:14: apgate-keys: expected the format version 1" },
		{ "apgate-keys: 1\nkeys: []\n", "missing required key \"origin\" (declared or guest)" },
		{ "apgate-keys: 1\norigin: sysfs\nkeys: []\n", "k.yaml:2:9: origin: expected one of declared, guest" },
		{ "apgate-keys: 1\norigin: declared\n", "missing required key \"keys\"" },
		{ "apgate-keys: 1\norigin: declared\nkeys: {}\n", "k.yaml:3:7: keys: expected a list of entries" },
		{ "apgate-keys: 1\norigin: declared\nkeys: []\nextra: 1\n", "k.yaml:4:1: unknown key \"extra\" in the document" },
		{ "apgate-keys: 1\norigin: declared\nat: yesterday\nkeys: []\n", "k.yaml:3:5: at: expected an RFC 3339 date-time string" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - aes: {cur: {state: invalid}}\n", "k.yaml:4:5: keys[0]: expected exactly one of \"apqn\" and \"domain\"" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {apqn: \"05.0004\", domain: 4, aes: {cur: {state: invalid}}}\n", "expected exactly one of \"apqn\" and \"domain\"" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {apqn: 05.0004, aes: {cur: {state: invalid}}}\n", "k.yaml:4:12: keys[0].apqn: expected an APQN string like \"05.0004\"" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {apqn: \"5.0004\", aes: {cur: {state: invalid}}}\n", "keys[0].apqn: expected an APQN string" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 012, aes: {cur: {state: invalid}}}\n", "keys[0].domain: expected a domain 0..255 (decimal or 0x hex)" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 256, aes: {cur: {state: invalid}}}\n", "keys[0].domain: expected a domain 0..255" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4}\n", "keys[0]: expected at least one key type (aes, apka, asym, sym or wk)" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {cur: {state: invalid}}, wk: {cur: {state: invalid}}}\n", "keys[0]: wk (EP11) cannot be combined with CCA key types" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, des: {}}\n", "unknown key \"des\" in keys[0]" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {}}\n", "keys[0].aes: expected at least one register (new, cur, old)" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, wk: {old: {state: valid}}}\n", "unknown key \"old\" in keys[0].wk (allowed: cur, new)" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {cur: {state: empty}}}\n", "keys[0].aes.cur.state: expected one of invalid, valid, unknown" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {cur: {state: valid}}}\n", "keys[0].aes.cur: missing required key \"mkvp\" (state valid carries a pattern)" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {cur: {state: invalid, mkvp: \"0x1111111111111111\"}}}\n", "keys[0].aes.cur.mkvp: not allowed with state invalid" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, asym: {cur: {state: valid, mkvp: \"0x1111111111111111\"}}}\n", "keys[0].asym.cur.mkvp: expected a string \"0x\" + 32 hex digits" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {cur: {state: valid, mkvp: 0x1111111111111111}}}\n", "keys[0].aes.cur.mkvp: expected a string \"0x\" + 16 hex digits" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {domain: 4, aes: {cur: {state: invalid}}}\n  - {domain: 0x04, aes: {cur: {state: invalid}}}\n", "k.yaml:5:5: keys[1]: domain 0x04 already declared at line 4" },
		{ "apgate-keys: 1\norigin: declared\nkeys:\n  - {apqn: \"05.0004\", aes: {cur: {state: invalid}}}\n  - {apqn: \"05.0004\", aes: {cur: {state: invalid}}}\n", "keys[1]: APQN 05.0004 already declared at line 4" },
		{ "apgate-keys: 1\napgate-keys: 1\n", "duplicate" },
		{ "apgate-keys: &a 1\norigin: declared\nkeys: []\n", "k.yaml:1:" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ag_keys *k = (struct ag_keys *)1;
		struct ag_error err = { "" };

		ck_assert_msg(kload(cases[i].yaml, &k, &err) == -1,
			      "case %zu accepted", i);
		ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL,
			      "case %zu: \"%s\" lacks \"%s\"", i, err.msg,
			      cases[i].msg);
		ck_assert_ptr_null(k);
	}
}
END_TEST

START_TEST(test_keys_merge)
{
	struct ag_descriptor *d = test_descriptor_from_text(
		"apgate-descriptor: 1\nhost: h\nmdev:\n"
		"  uuid: 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93\n"
		"  adapters: [5, 6]\n  domains: [4]\n"
		"cards:\n  - {adapter: 5, mode: cca}\n  - {adapter: 6, mode: ep11}\n"
		"queues:\n  - {apqn: \"05.0004\", driver: vfio_ap}\n"
		"  - {apqn: \"06.0004\", driver: cex4queue, mkvps: {origin: "
		"sysfs, wk: {cur: {state: unknown}}}}\n");
	struct ag_notes notes = { 0 };
	struct ag_keys *k;
	struct ag_error err;

	ck_assert_msg(kload("apgate-keys: 1\norigin: guest\nkeys:\n"
			    "  - {apqn: \"05.0004\", aes: {cur: {state: valid, "
			    "mkvp: \"0x1111111111111111\"}}}\n"
			    "  - {apqn: \"06.0004\", wk: {cur: {state: invalid}}}\n"
			    "  - {domain: 9, aes: {cur: {state: invalid}}}\n",
			    &k, &err) == 0, "%s", err.msg);
	ck_assert_msg(ag_keys_merge(k, d, &notes, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(d->queues[0].mkvps.origin, AG_MK_ORIGIN_GUEST);
	ck_assert_str_eq(d->queues[0].mkvps.reg[AG_KT_AES][AG_REG_CUR].mkvp,
			 "0x1111111111111111");
	/* sysfs keeps its own view; the difference is a warning */
	ck_assert_int_eq(d->queues[1].mkvps.origin, AG_MK_ORIGIN_SYSFS);
	ck_assert_uint_eq(notes.n, 2);
	ck_assert(strstr(notes.lines[0], "k.yaml:6:5: domain 09 is not a "
			 "usage domain of mdev"));
	ck_assert(strstr(notes.lines[1], "warning: k.yaml:5:5: guest master "
			 "keys for 06.0004 differ from what sysfs shows; "
			 "keeping sysfs"));
	ck_assert_int_eq(ag_descriptor_check(d, "d", &err), 0);
	ag_notes_free(&notes);
	ag_keys_free(k);

	/* keys of the wrong family for the card's mode */
	ck_assert_int_eq(kload("apgate-keys: 1\norigin: declared\nkeys:\n"
			       "  - {domain: 4, wk: {cur: {state: invalid}}}\n",
			       &k, &err), 0);
	ck_assert_int_eq(ag_keys_merge(k, d, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "k.yaml:4:5: declared EP11 (wk) master keys "
			 "for 05.0004, but card 05 is in cca mode");
	ag_keys_free(k);
	ag_descriptor_free(d);
}
END_TEST

/* SYM is never in sysfs: a declared SYM completes sysfs keys; a 32-digit
 * EP11 pattern and a guest's Secure Execution flag load and merge. */
START_TEST(test_keys_sym_wk32_guest)
{
	struct ag_descriptor *d = test_descriptor_from_text(
		"apgate-descriptor: 1\nhost: h\nmdev:\n"
		"  uuid: 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93\n"
		"  adapters: [5, 6]\n  domains: [4]\n"
		"cards:\n  - {adapter: 5, mode: cca}\n  - {adapter: 6, mode: ep11}\n"
		"queues:\n  - {apqn: \"05.0004\", driver: cex4queue, mkvps: "
		"{origin: sysfs, aes: {cur: {state: valid, mkvp: "
		"\"0x1111111111111111\"}}}}\n"
		"  - {apqn: \"06.0004\", driver: vfio_ap}\n");
	struct ag_notes notes = { 0 };
	struct ag_keys *k;
	struct ag_error err;
	const struct ag_queue *q;

	ck_assert_msg(kload("apgate-keys: 1\norigin: declared\n"
			    "guest: {secure_execution: true}\nkeys:\n"
			    "  - {apqn: \"05.0004\", aes: {cur: {state: valid, "
			    "mkvp: \"0x1111111111111111\"}}, sym: {cur: {state: "
			    "valid, mkvp: \"0x2222222222222222\"}}}\n"
			    "  - {apqn: \"06.0004\", wk: {cur: {state: valid, "
			    "mkvp: \"0xDB3C3B3C3F097DD55EC7EB0E7FDBCB93\"}}}\n",
			    &k, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(k->secure_execution, AG_TRI_TRUE);
	ck_assert_msg(ag_keys_merge(k, d, &notes, &err) == 0, "%s", err.msg);
	/* agreeing AES: no warning, and SYM joins the sysfs view */
	ck_assert_uint_eq(notes.n, 0);
	q = ag_descriptor_queue(d, 5, 4);
	ck_assert_int_eq(q->mkvps.origin, AG_MK_ORIGIN_SYSFS);
	ck_assert_str_eq(q->mkvps.reg[AG_KT_SYM][AG_REG_CUR].mkvp,
			 "0x2222222222222222");
	q = ag_descriptor_queue(d, 6, 4);
	ck_assert_str_eq(q->mkvps.reg[AG_KT_WK][AG_REG_CUR].mkvp,
			 "0xdb3c3b3c3f097dd55ec7eb0e7fdbcb93");
	ck_assert_int_eq(d->guest.secure_execution, AG_TRI_TRUE);
	ck_assert_int_eq(ag_descriptor_check(d, "d", &err), 0);
	ag_notes_free(&notes);
	ag_keys_free(k);
	ag_descriptor_free(d);

	ck_assert_int_eq(kload("apgate-keys: 1\norigin: declared\nkeys:\n"
			       "  - {domain: 4, wk: {cur: {state: valid, mkvp: "
			       "\"0x0123456789\"}}}\n", &k, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "expected a string \"0x\" + 64 "
				     "or 32 hex digits"));
	ck_assert_int_eq(kload("apgate-keys: 1\norigin: declared\n"
			       "guest: {secure_execution: 1}\nkeys: []\n", &k,
			       &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "guest.secure_execution: "
				     "expected a boolean"));
}
END_TEST

/* A malformed mkvps marks the queue's keys unknown (collection goes on). */
START_TEST(test_mkvps_unknown_fill)
{
	struct ag_mkvps m;

	ag_mkvps_set_unknown(&m, false);
	ck_assert(m.present);
	ck_assert_int_eq(m.origin, AG_MK_ORIGIN_SYSFS);
	ck_assert_int_eq(m.reg[AG_KT_ASYM][AG_REG_OLD].state, AG_MK_UNKNOWN);
	ck_assert(!ag_mkvps_has_key_type(&m, AG_KT_SYM));
	ck_assert(!ag_mkvps_has_key_type(&m, AG_KT_WK));
	ag_mkvps_set_unknown(&m, true);
	ck_assert_int_eq(m.reg[AG_KT_WK][AG_REG_NEW].state, AG_MK_UNKNOWN);
	ck_assert(!ag_mkvps_has_key_type(&m, AG_KT_AES));
}
END_TEST

START_TEST(test_keys_roundtrip)
{
	struct ag_keys *k = ag_keys_new(AG_MK_ORIGIN_GUEST), *back;
	struct ag_keys_entry *e;
	struct ag_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_object *o;

	k->host = xstrdup("g");
	e = ag_keys_add(k, true, 3, 0x41);
	e->mkvps.reg[AG_KT_WK][AG_REG_CUR].state = AG_MK_VALID;
	strcpy(e->mkvps.reg[AG_KT_WK][AG_REG_CUR].mkvp, WK64);
	e->mkvps.reg[AG_KT_WK][AG_REG_NEW].state = AG_MK_EMPTY;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(ag_keys_emit_yaml(k, f, &err), 0);
	fclose(f);
	ck_assert_msg(kload(buf, &back, &err) == 0, "%s\n%s", err.msg, buf);
	ck_assert_uint_eq(back->n, 1);
	ck_assert(back->entries[0].is_apqn);
	ck_assert_str_eq(back->entries[0].mkvps.reg[AG_KT_WK][AG_REG_CUR].mkvp,
			 WK64);
	ag_keys_free(back);
	free(buf);
	o = ag_keys_to_json(k);
	buf = xstrdup(json_object_to_json_string(o));
	json_object_put(o);
	ck_assert_msg(kload(buf, &back, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(back->origin, AG_MK_ORIGIN_GUEST);
	ck_assert_int_eq(back->entries[0].mkvps.reg[AG_KT_WK][AG_REG_NEW].state,
			 AG_MK_EMPTY);
	ag_keys_free(back);
	free(buf);
	ag_keys_free(k);
}
END_TEST

Suite *suite_collect(void)
{
	Suite *s = suite_create("collect");
	TCase *tc = tcase_create("parsers");

	tcase_add_test(tc, test_mkvps_cca);
	tcase_add_test(tc, test_mkvps_unknown_lines);
	tcase_add_test(tc, test_mkvps_ep11);
	tcase_add_test(tc, test_mkvps_malformed);
	tcase_add_test(tc, test_matrix);
	tcase_add_test(tc, test_ap_config);
	tcase_add_test(tc, test_card_attrs);
	tcase_add_test(tc, test_mdevctl_good);
	tcase_add_test(tc, test_mdevctl_bad);
	tcase_add_test(tc, test_keys_good);
	tcase_add_test(tc, test_keys_bad);
	tcase_add_test(tc, test_keys_merge);
	tcase_add_test(tc, test_keys_roundtrip);
	tcase_add_test(tc, test_keys_sym_wk32_guest);
	tcase_add_test(tc, test_mkvps_unknown_fill);
	suite_add_tcase(s, tc);
	return s;
}
