/* apmatrix.c - parsers of the vfio_ap mdev's matrix, guest_matrix,
 * control_domains and ap_config attributes (see apmatrix.h).  The kernel
 * prints them with fixed formats ("%02lx.%04lx", "%04lx", "0x" + %02x per
 * byte); anything else is refused so that a format change is noticed. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apmatrix.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n lowercase hex digits at s into *out. */
static bool lowhex(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int h = hexval((unsigned char)s[i]);

		if (h < 0 || (s[i] >= 'A' && s[i] <= 'F'))
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static int bad_line(struct ag_error *err, unsigned lineno, const char *line,
		    size_t len, const char *what)
{
	ag_error_set(err, "line %u \"%.*s%s\": %s", lineno,
		     (int)(len > 40 ? 40 : len), line, len > 40 ? "..." : "",
		     what);
	return -1;
}

/* Iterate over the lines of text; returns the number of lines, with the
 * text stripped of one trailing newline.  Empty text has no lines. */
struct lines {
	const char *p, *end;
	unsigned no;
};

static void lines_init(struct lines *l, const char *text, size_t len)
{
	l->p = text;
	l->end = text + len;
	if (len && text[len - 1] == '\n')
		l->end--;
	l->no = 0;
}

static bool lines_next(struct lines *l, const char **line, size_t *len)
{
	const char *nl;

	if (!l->p)
		return false;
	if (l->no == 0 && l->p == l->end) {
		l->p = NULL;
		return false;
	}
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	*line = l->p;
	*len = nl ? (size_t)(nl - l->p) : (size_t)(l->end - l->p);
	l->p = nl ? nl + 1 : NULL;
	l->no++;
	return true;
}

int ag_matrix_parse(const char *text, size_t len, struct ag_idset *adapters,
		    struct ag_idset *domains, struct ag_error *err)
{
	enum { NONE, FULL, ADAPTERS, DOMAINS };
	int form = NONE;
	const char *line;
	size_t l, n = 0;
	struct lines it;
	int last = -1;

	ag_idset_clear(adapters);
	ag_idset_clear(domains);
	if (memchr(text, '\0', len)) {
		ag_error_set(err, "contains a NUL byte");
		return -1;
	}
	lines_init(&it, text, len);
	while (lines_next(&it, &line, &l)) {
		unsigned a = 0, d = 0;
		int key, f;

		if (l == 7 && line[2] == '.' && lowhex(line, 2, &a) &&
		    lowhex(line + 3, 4, &d))
			f = FULL;
		else if (l == 3 && line[2] == '.' && lowhex(line, 2, &a))
			f = ADAPTERS;
		else if (l == 5 && line[0] == '.' && lowhex(line + 1, 4, &d))
			f = DOMAINS;
		else
			return bad_line(err, it.no, line, l,
					"expected \"aa.dddd\", \"aa.\" or "
					"\".dddd\" (lowercase hex)");
		if (d > AG_MAX_ID)
			return bad_line(err, it.no, line, l,
					"domain out of range 0..255");
		if (form != NONE && f != form)
			return bad_line(err, it.no, line, l,
					"mixes APQN, adapter-only and "
					"domain-only lines");
		form = f;
		key = (int)(a * 256 + d);
		if (key <= last)
			return bad_line(err, it.no, line, l,
					"not in ascending order (or repeated)");
		last = key;
		if (f != DOMAINS)
			ag_idset_add(adapters, a);
		if (f != ADAPTERS)
			ag_idset_add(domains, d);
		n++;
	}
	/* the kernel prints every adapter x every domain */
	if (form == FULL &&
	    n != (size_t)ag_idset_count(adapters) * ag_idset_count(domains)) {
		ag_error_set(err, "%zu APQN lines do not form the full product "
			     "of %u adapters x %u domains", n,
			     ag_idset_count(adapters), ag_idset_count(domains));
		return -1;
	}
	return 0;
}

int ag_control_domains_parse(const char *text, size_t len,
			     struct ag_idset *cdoms, struct ag_error *err)
{
	const char *line;
	struct lines it;
	int last = -1;
	size_t l;

	ag_idset_clear(cdoms);
	if (memchr(text, '\0', len)) {
		ag_error_set(err, "contains a NUL byte");
		return -1;
	}
	lines_init(&it, text, len);
	while (lines_next(&it, &line, &l)) {
		unsigned d;

		if (l != 4 || !lowhex(line, 4, &d))
			return bad_line(err, it.no, line, l,
					"expected a domain \"dddd\" (4 "
					"lowercase hex digits)");
		if (d > AG_MAX_ID)
			return bad_line(err, it.no, line, l,
					"domain out of range 0..255");
		if ((int)d <= last)
			return bad_line(err, it.no, line, l,
					"not in ascending order (or repeated)");
		last = (int)d;
		ag_idset_add(cdoms, d);
	}
	return 0;
}

int ag_apmask_parse(const char *s, size_t len, bool allow_upper,
		    struct ag_idset *set, struct ag_error *err)
{
	size_t i;

	ag_idset_clear(set);
	if (len != 66 || s[0] != '0' || s[1] != 'x') {
		ag_error_set(err, "expected a mask \"0x\" + 64 hex digits, "
			     "found \"%.*s%s\"", (int)(len > 70 ? 70 : len), s,
			     len > 70 ? "..." : "");
		return -1;
	}
	for (i = 0; i < 64; i++) {
		int c = (unsigned char)s[2 + i], h = hexval(c);

		if (h < 0 || (!allow_upper && c >= 'A' && c <= 'F')) {
			ag_error_set(err, "mask digit %zu '%c' is not a "
				     "%shex digit", i + 1, c,
				     allow_upper ? "" : "lowercase ");
			return -1;
		}
		/* ID 0 is the most significant bit of the first digit */
		for (int b = 0; b < 4; b++)
			if (h & (8 >> b))
				ag_idset_add(set, (unsigned)(i * 4 + (size_t)b));
	}
	return 0;
}

int ag_ap_config_parse(const char *text, size_t len, bool allow_upper,
		       struct ag_idset *apm, struct ag_idset *aqm,
		       struct ag_idset *adm, struct ag_error *err)
{
	static const char *const names[] = { "APM", "AQM", "ADM" };
	struct ag_idset *sets[] = { apm, aqm, adm };
	const char *p = text, *end = text + len;
	int i;

	if (len && text[len - 1] == '\n')
		end--;
	for (i = 0; i < 3; i++) {
		const char *comma = i < 2 ? memchr(p, ',', (size_t)(end - p)) :
				    end;

		if (!comma) {
			ag_error_set(err, "expected three masks "
				     "\"0x...,0x...,0x...\" (APM, AQM, ADM), "
				     "found %d", i + 1);
			return -1;
		}
		if (ag_apmask_parse(p, (size_t)(comma - p), allow_upper,
				    sets[i], err) < 0) {
			ag_error_prefix(err, "%s (mask %d of 3)", names[i],
					i + 1);
			return -1;
		}
		p = comma + 1;
	}
	return 0;
}
