/* fuzz_sysfs - the strict sysfs attribute parsers (mkvps.h, apmatrix.h).
 *
 * The first byte picks the parser, the rest is the attribute text (for the
 * card attributes, up to a NUL, as libudev hands them over).  The
 * parsers promise to accept exactly what the kernel prints, so whatever
 * they accept is printed again the kernel's way (vfio_ap_ops.c formats,
 * DOMAIN.md 5.2) and must give back the input, less one trailing newline.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmatrix.h"
#include "descriptor.h"
#include "fuzz.h"
#include "mkvps.h"
#include "sysfs_collect.h"

enum { P_MKVPS, P_MATRIX, P_CDOMS, P_MASK, P_MASK_UPPER, P_AP_CONFIG,
       P_TYPE, P_FUNCTIONS, P_COUNT };

struct out {
	char buf[256 * 256 * 9 + 1];
	size_t len;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);

	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(o->buf) - o->len, "overflow");
	o->len += (size_t)n;
}

static void print_matrix(struct out *o, const struct ag_idset *ad,
			 const struct ag_idset *dom)
{
	int a, d;

	if (ag_idset_count(ad) && ag_idset_count(dom)) {
		for (a = ag_idset_next(ad, 0); a >= 0; a = ag_idset_next(ad, (unsigned)a + 1))
			for (d = ag_idset_next(dom, 0); d >= 0; d = ag_idset_next(dom, (unsigned)d + 1))
				put(o, "%02x.%04x\n", (unsigned)a, (unsigned)d);
	} else if (ag_idset_count(ad)) {
		for (a = ag_idset_next(ad, 0); a >= 0; a = ag_idset_next(ad, (unsigned)a + 1))
			put(o, "%02x.\n", (unsigned)a);
	} else {
		for (d = ag_idset_next(dom, 0); d >= 0; d = ag_idset_next(dom, (unsigned)d + 1))
			put(o, ".%04x\n", (unsigned)d);
	}
}

static void print_mask(struct out *o, const struct ag_idset *s)
{
	unsigned nib, bit, v;

	put(o, "0x");
	for (nib = 0; nib < 64; nib++) {
		v = 0;
		for (bit = 0; bit < 4; bit++)
			if (ag_idset_has(s, nib * 4 + bit))
				v |= 8u >> bit;
		put(o, "%x", v);
	}
}

/* text == printed, ignoring one trailing newline on either side and, for
 * masks people write, the case of the hex digits. */
static void same(const char *text, size_t len, struct out *o, bool nocase,
		 const char *what)
{
	size_t i;

	if (len && text[len - 1] == '\n')
		len--;
	if (o->len && o->buf[o->len - 1] == '\n')
		o->len--;
	for (i = 0; i < len && i < o->len; i++) {
		char c = text[i];

		if (nocase && c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (c != o->buf[i])
			break;
	}
	FUZZ_ASSERT(i == len && i == o->len, "%s accepted text the kernel "
		    "would not print\n--- input:\n%.*s\n--- kernel form:\n%.*s",
		    what, (int)len, text, (int)o->len, o->buf);
}

static void check_mkvps(const struct ag_mkvps *m)
{
	unsigned kt, r;

	FUZZ_ASSERT(m->present && m->origin == AG_MK_ORIGIN_SYSFS,
		    "mkvps parsed but not marked present from sysfs");
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		for (r = 0; r < AG_REG_COUNT; r++) {
			const struct ag_mk_register *g = &m->reg[kt][r];

			if (g->state == AG_MK_ABSENT)
				continue;
			FUZZ_ASSERT(ag_mk_state_allowed(kt, r, g->state),
				    "state %s not allowed for %s %s",
				    ag_mk_state_name(g->state),
				    ag_key_type_name(kt), ag_mk_reg_name(r));
			if (ag_mk_state_has_pattern(g->state))
				FUZZ_ASSERT(strlen(g->mkvp) == 2 +
					    ag_key_type_hex_digits(kt),
					    "pattern \"%s\" of the wrong width",
					    g->mkvp);
			else
				FUZZ_ASSERT(g->mkvp[0] == '\0',
					    "pattern \"%s\" on a state without",
					    g->mkvp);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct out o;
	struct ag_idset a, b, c;
	struct ag_mkvps m;
	struct ag_error err;
	const char *text;
	size_t len;
	unsigned which;

	if (size < 1)
		return 0;
	which = data[0] % P_COUNT;
	text = (const char *)data + 1;
	len = size - 1;
	o.len = 0;
	memset(&m, 0, sizeof(m));
	switch (which) {
	case P_MKVPS:
		if (ag_mkvps_parse(text, len, &m, &err) == 0)
			check_mkvps(&m);
		break;
	case P_MATRIX:
		if (ag_matrix_parse(text, len, &a, &b, &err) == 0) {
			print_matrix(&o, &a, &b);
			same(text, len, &o, false, "matrix");
		}
		break;
	case P_CDOMS:
		if (ag_control_domains_parse(text, len, &a, &err) == 0) {
			int d;

			for (d = ag_idset_next(&a, 0); d >= 0;
			     d = ag_idset_next(&a, (unsigned)d + 1))
				put(&o, "%04x\n", (unsigned)d);
			same(text, len, &o, false, "control_domains");
		}
		break;
	case P_MASK:
	case P_MASK_UPPER:
		if (ag_apmask_parse(text, len, which == P_MASK_UPPER, &a,
				    &err) == 0) {
			print_mask(&o, &a);
			same(text, len, &o, which == P_MASK_UPPER, "mask");
		}
		break;
	case P_AP_CONFIG:
		if (ag_ap_config_parse(text, len, data[0] & 0x80, &a, &b, &c,
				       &err) == 0) {
			print_mask(&o, &a);
			put(&o, ",");
			print_mask(&o, &b);
			put(&o, ",");
			print_mask(&o, &c);
			same(text, len, &o, data[0] & 0x80, "ap_config");
		}
		break;
	case P_TYPE:
	case P_FUNCTIONS: {
		char *v = strndup(text, len);
		uint32_t fn;
		int t;

		FUZZ_ASSERT(v, "oom");
		if (which == P_TYPE && ag_sysfs_parse_type(v, &t) == 0) {
			FUZZ_ASSERT(t >= 0 && t <= 255, "type %d", t);
			put(&o, "%d", t);
			FUZZ_ASSERT(strcmp(v, o.buf) == 0, "type \"%s\" is "
				    "not what the kernel prints (%s)", v, o.buf);
		} else if (which == P_FUNCTIONS &&
			   ag_sysfs_parse_functions(v, &fn) == 0) {
			put(&o, "0x%08X", fn);
			FUZZ_ASSERT(strcmp(v, o.buf) == 0, "ap_functions \"%s\" "
				    "is not what the kernel prints (%s)", v,
				    o.buf);
		}
		free(v);
		break;
	}
	}
	return 0;
}
