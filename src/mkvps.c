/* mkvps.c - the strict parser of the sysfs `mkvps` attribute (see
 * mkvps.h).  One line at a time against the fixed order the kernel prints;
 * every deviation is refused with the line number and text. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mkvps.h"
#include "util.h"

/* The line sequences the kernel prints, in order. */
struct mk_line {
	enum ag_key_type kt;
	enum ag_mk_reg reg;
};

static const struct mk_line cca_lines[] = {
	{ AG_KT_AES, AG_REG_NEW }, { AG_KT_AES, AG_REG_CUR },
	{ AG_KT_AES, AG_REG_OLD }, { AG_KT_APKA, AG_REG_NEW },
	{ AG_KT_APKA, AG_REG_CUR }, { AG_KT_APKA, AG_REG_OLD },
	{ AG_KT_ASYM, AG_REG_NEW }, { AG_KT_ASYM, AG_REG_CUR },
	{ AG_KT_ASYM, AG_REG_OLD },
};

static const struct mk_line ep11_lines[] = {
	{ AG_KT_WK, AG_REG_CUR }, { AG_KT_WK, AG_REG_NEW },
};

/* Spelling in sysfs; index = enum value.  The kernel never prints SYM
 * (DOMAIN.md 3.1): no word matches it. */
static const char *const kt_sysfs[] = {
	[AG_KT_AES] = "AES", [AG_KT_APKA] = "APKA", [AG_KT_ASYM] = "ASYM",
	[AG_KT_SYM] = NULL, [AG_KT_WK] = "WK",
};
static const char *const reg_sysfs[] = { "NEW", "CUR", "OLD" };

/* Longest line the kernel prints is "ASYM NEW: empty 0x" + 32 digits (50)
 * or "WK NEW: uncommitted 0x" + 64 (86); anything far longer is not a
 * line we could parse, and quoting it whole would drown the message. */
#define LINE_QUOTE_MAX 100

static int line_error(struct ag_error *err, unsigned lineno,
		      const char *line, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int line_error(struct ag_error *err, unsigned lineno,
		      const char *line, size_t len, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ag_error_set(err, "line %u \"%.*s%s\": %s", lineno,
		     (int)(len > LINE_QUOTE_MAX ? LINE_QUOTE_MAX : len), line,
		     len > LINE_QUOTE_MAX ? "..." : "", what);
	return -1;
}

static bool tok_is(const char *t, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(t, word, n) == 0;
}

static int find_word(const char *t, size_t n, const char *const *words,
		     size_t nwords)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		if (words[i] && tok_is(t, n, words[i]))
			return (int)i;
	return -1;
}

/* Allowed states of a register as a readable list, for messages. */
static void allowed_states(enum ag_key_type kt, enum ag_mk_reg reg,
			   char *buf, size_t size)
{
	int st;

	buf[0] = '\0';
	for (st = AG_MK_EMPTY; st < AG_MK_UNKNOWN; st++) {
		size_t used = strlen(buf);

		if (ag_mk_state_allowed(kt, reg, st))
			snprintf(buf + used, size - used, "%s%s",
				 used ? ", " : "", ag_mk_state_name(st));
	}
}

static int parse_line(const char *line, size_t len, unsigned lineno,
		      const struct mk_line *want, struct ag_mkvps *out,
		      struct ag_error *err)
{
	const char *tok[4];
	size_t tlen[4], i, ntok = 0, digits;
	const char *p = line, *end = line + len;
	struct ag_mk_register *r;
	enum ag_mk_state st;
	char allowed[96];
	int kt, reg;

	/* exactly four tokens separated by single spaces */
	while (p < end) {
		const char *s = p;

		while (p < end && *p != ' ')
			p++;
		if (p == s)
			return line_error(err, lineno, line, len,
					  "expected four tokens separated by "
					  "single spaces");
		if (ntok == 4)
			return line_error(err, lineno, line, len,
					  "expected four tokens, found "
					  "trailing text");
		tok[ntok] = s;
		tlen[ntok++] = (size_t)(p - s);
		if (p < end && ++p == end)
			return line_error(err, lineno, line, len,
					  "trailing space");
	}
	if (ntok != 4)
		return line_error(err, lineno, line, len,
				  "expected four tokens \"TYPE REG: STATE "
				  "VALUE\", found %zu", ntok);
	for (i = 0; i < 4; i++)
		for (p = tok[i]; p < tok[i] + tlen[i]; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
				return line_error(err, lineno, line, len,
						  "control or non-ASCII "
						  "character in token %zu",
						  i + 1);

	kt = find_word(tok[0], tlen[0], kt_sysfs, AG_ARRAY_SIZE(kt_sysfs));
	if (kt < 0)
		return line_error(err, lineno, line, len,
				  "unknown key type \"%.*s\" (AES, APKA, "
				  "ASYM or WK)", (int)tlen[0], tok[0]);
	if (tok[1][tlen[1] - 1] != ':')
		return line_error(err, lineno, line, len,
				  "register \"%.*s\" lacks its ':'",
				  (int)tlen[1], tok[1]);
	reg = find_word(tok[1], tlen[1] - 1, reg_sysfs,
			AG_ARRAY_SIZE(reg_sysfs));
	if (reg < 0 || (kt == AG_KT_WK && reg == AG_REG_OLD))
		return line_error(err, lineno, line, len,
				  "unknown register \"%.*s\" for %s (%s)",
				  (int)tlen[1] - 1, tok[1], kt_sysfs[kt],
				  kt == AG_KT_WK ? "CUR, NEW" :
				  "NEW, CUR, OLD");
	if ((enum ag_key_type)kt != want->kt ||
	    (enum ag_mk_reg)reg != want->reg)
		return line_error(err, lineno, line, len,
				  "expected %s %s here (the kernel's fixed "
				  "order), found %s %s", kt_sysfs[want->kt],
				  reg_sysfs[want->reg], kt_sysfs[kt],
				  reg_sysfs[reg]);
	r = &out->reg[kt][reg];

	/* "- -": the kernel had no usable answer (DOMAIN.md 3.1) */
	if (tok_is(tok[2], tlen[2], "-")) {
		if (!tok_is(tok[3], tlen[3], "-"))
			return line_error(err, lineno, line, len,
					  "state \"-\" must be followed by "
					  "\"-\"");
		r->state = AG_MK_UNKNOWN;
		return 0;
	}
	allowed_states(kt, reg, allowed, sizeof(allowed));
	{
		char sname[16];

		if (tlen[2] >= sizeof(sname) ||
		    (snprintf(sname, sizeof(sname), "%.*s", (int)tlen[2],
			      tok[2]),
		     ag_mk_state_parse(sname, &st) < 0) ||
		    st == AG_MK_UNKNOWN || !ag_mk_state_allowed(kt, reg, st))
			return line_error(err, lineno, line, len,
					  "state \"%.*s\" is not a %s %s "
					  "state (%s, or \"- -\")",
					  (int)tlen[2], tok[2], kt_sysfs[kt],
					  reg_sysfs[reg], allowed);
	}
	r->state = st;

	digits = ag_key_type_hex_digits(kt);
	if (kt == AG_KT_WK && !ag_mk_state_has_pattern(st)) {
		/* EP11 prints "-" where there is no pattern */
		if (!tok_is(tok[3], tlen[3], "-"))
			return line_error(err, lineno, line, len,
					  "state %s carries no pattern: "
					  "expected \"-\"",
					  ag_mk_state_name(st));
		return 0;
	}
	if (tlen[3] < 2 || tok[3][0] != '0' || tok[3][1] != 'x')
		return line_error(err, lineno, line, len,
				  "expected \"0x\" + %zu hex digits", digits);
	for (p = tok[3] + 2; p < tok[3] + tlen[3]; p++) {
		if (*p >= 'A' && *p <= 'F')
			return line_error(err, lineno, line, len,
					  "uppercase hex digit '%c': the "
					  "kernel prints lowercase", *p);
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return line_error(err, lineno, line, len,
					  "'%c' is not a hex digit", *p);
	}
	if (tlen[3] - 2 != digits)
		return line_error(err, lineno, line, len,
				  "%s patterns have %zu hex digits, found %zu",
				  kt_sysfs[kt], digits, tlen[3] - 2);
	if (!ag_mk_state_has_pattern(st)) {
		/* the kernel copies a pattern only in full/valid states and
		 * prints zeros otherwise (zcrypt_ccamisc.c fetch_cca_info) */
		for (p = tok[3] + 2; p < tok[3] + tlen[3]; p++)
			if (*p != '0')
				return line_error(err, lineno, line, len,
						  "state %s carries no "
						  "pattern: expected all "
						  "zeros",
						  ag_mk_state_name(st));
		return 0;
	}
	memcpy(r->mkvp, tok[3], tlen[3]);
	r->mkvp[tlen[3]] = '\0';
	return 0;
}

int ag_mkvps_parse(const char *text, size_t len, struct ag_mkvps *out,
		   struct ag_error *err)
{
	const struct mk_line *seq;
	size_t nseq, nlines = 0;
	const char *p = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	if (len && text[len - 1] == '\n')
		end--;
	if (end == text) {
		ag_error_set(err, "empty (expected CCA or EP11 master-key "
			     "lines)");
		return -1;
	}
	if (memchr(text, '\0', len)) {
		ag_error_set(err, "contains a NUL byte");
		return -1;
	}
	if (end - text >= 3 && memcmp(text, "WK ", 3) == 0) {
		seq = ep11_lines;
		nseq = AG_ARRAY_SIZE(ep11_lines);
	} else {
		seq = cca_lines;
		nseq = AG_ARRAY_SIZE(cca_lines);
	}
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (nlines == nseq)
			return line_error(err, (unsigned)nlines + 1, p, l,
					  "unexpected line after the %zu %s "
					  "lines", nseq,
					  seq == ep11_lines ? "EP11" : "CCA");
		if (l == 0)
			return line_error(err, (unsigned)nlines + 1, p, l,
					  "empty line");
		if (parse_line(p, l, (unsigned)nlines + 1, &seq[nlines], out,
			       err) < 0)
			return -1;
		nlines++;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (seq == cca_lines && nlines % 3 != 0) {
		ag_error_set(err, "%zu lines: the kernel prints 3, 6 or 9 CCA "
			     "lines (AES; AES, APKA; AES, APKA, ASYM)", nlines);
		return -1;
	}
	if (seq == ep11_lines && nlines != nseq) {
		ag_error_set(err, "%zu line: EP11 prints two lines (WK CUR, "
			     "WK NEW)", nlines);
		return -1;
	}
	out->present = true;
	out->origin = AG_MK_ORIGIN_SYSFS;
	return 0;
}

void ag_mkvps_set_unknown(struct ag_mkvps *out, bool ep11)
{
	static const enum ag_key_type cca[] = {
		AG_KT_AES, AG_KT_APKA, AG_KT_ASYM,
	};
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	out->present = true;
	out->origin = AG_MK_ORIGIN_SYSFS;
	if (ep11) {
		out->reg[AG_KT_WK][AG_REG_CUR].state = AG_MK_UNKNOWN;
		out->reg[AG_KT_WK][AG_REG_NEW].state = AG_MK_UNKNOWN;
		return;
	}
	for (i = 0; i < sizeof(cca) / sizeof(cca[0]); i++)
		for (r = 0; r < AG_REG_COUNT; r++)
			out->reg[cca[i]][r].state = AG_MK_UNKNOWN;
}
