/* xmlout.c - XML escaping of element content and attribute values. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xmlout.h"

/* Decode one UTF-8 sequence at s; returns its length, or 0 when invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	*cp = c;
	return n;
}

static int put(FILE *f, const char *s, bool attr, const char *what,
	       struct ag_error *err)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n;

	while (*p) {
		n = utf8_decode(p, &c);
		if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
			ag_error_set(err, "%s: %s at byte %zu cannot be written "
				     "as XML", what, n == 0 ? "invalid UTF-8" :
				     "a control character",
				     (size_t)(p - (const unsigned char *)s));
			return -1;
		}
		p += n;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"':
			fputs(attr ? "&quot;" : "\"", f);
			break;
		case '\n':
			fputs(attr ? "&#10;" : "\n", f);
			break;
		case '\t':
			fputs(attr ? "&#9;" : "\t", f);
			break;
		case '\r':
			fputs("&#13;", f);
			break;
		default:
			fwrite(p - n, 1, n, f);	/* UTF-8 as it came */
		}
	}
	return 0;
}

int ag_xml_put_text(FILE *f, const char *s, const char *what,
		    struct ag_error *err)
{
	return put(f, s, false, what, err);
}

int ag_xml_put_attr(FILE *f, const char *s, const char *what,
		    struct ag_error *err)
{
	return put(f, s, true, what, err);
}
