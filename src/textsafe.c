/* textsafe.c - the shared escaping of untrusted text (see textsafe.h). */
#include "config.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "textsafe.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the byte at p
 * does not start one (overlong forms, surrogates and > U+10FFFF are
 * invalid, as RFC 3629 says). */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* The escape for the character at p (n bytes; n == 0: an invalid
 * byte), or NULL when it passes as it is. */
static const char *escape_of(const unsigned char *p, size_t n, char buf[8])
{
	if (n == 0) {
		snprintf(buf, 8, "\\x%02x", p[0]);
		return buf;
	}
	if (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) {
		switch (p[0]) {
		case '\t': return "\\t";
		case '\n': return "\\n";
		case '\r': return "\\r";
		default:
			snprintf(buf, 8, "\\x%02x", p[0]);
			return buf;
		}
	}
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {	/* C1: U+0080..U+009F */
		snprintf(buf, 8, "\\u%04x", p[1]);
		return buf;
	}
	return NULL;
}

void ag_fput_safe(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	size_t avail = s ? strlen(s) : 0;
	char buf[8];

	if (!s)
		return;
	run = p;
	while (avail) {
		size_t n = utf8_seq(p, avail);
		const char *esc = escape_of(p, n, buf);

		if (esc) {
			fwrite(run, 1, (size_t)(p - run), out);
			fputs(esc, out);
			n = n ? n : 1;
			run = p + n;
		} else if (n == 0) {
			n = 1;
		}
		p += n;
		avail -= n;
	}
	fwrite(run, 1, (size_t)(p - run), out);
}

char *ag_str_safe(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return xstrdup("(out of memory)");
	ag_fput_safe(f, s);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return xstrdup("(out of memory)");
	}
	return buf;
}

void ag_quote_safe(const char *s, size_t max_chars, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t avail = strlen((const char *)p), o = 0, chars = 0;
	char buf[8];

	if (size == 0)
		return;
	while (avail && chars < max_chars) {
		size_t n = utf8_seq(p, avail), tl;
		const char *esc = escape_of(p, n, buf);
		char tmp[8];

		if (!esc && (p[0] == '"' || p[0] == '\\')) {
			snprintf(tmp, sizeof(tmp), "\\%c", p[0]);
			esc = tmp;
		}
		tl = esc ? strlen(esc) : n;
		if (o + tl + 4 >= size)
			break;
		memcpy(out + o, esc ? esc : (const char *)p, tl);
		o += tl;
		n = n ? n : 1;
		p += n;
		avail -= n;
		chars++;
	}
	if (avail && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

bool ag_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (len) {
		size_t n;

		/* ASCII, the common case: eight bytes at a time while each is
		 * 0x01..0x7f (a byte's top bit is set in w when it is 0x80 or
		 * more, and in w - 0x01..01 when it is 0), then byte by byte */
		while (len >= 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			if ((w | (w - UINT64_C(0x0101010101010101))) &
			    UINT64_C(0x8080808080808080))
				break;
			p += 8;
			len -= 8;
		}
		if (len == 0)
			break;
		if (p[0] - 1u < 0x7fu) {
			p++;
			len--;
			continue;
		}
		n = utf8_seq(p, len);
		if (n == 0 || p[0] == 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

char *ag_utf8_repair(const char *s, size_t len, bool *changed)
{
	const unsigned char *p = (const unsigned char *)s;
	char *res = xmalloc(len * 3 + 1), *o = res;

	if (changed)
		*changed = false;
	while (len) {
		size_t n = utf8_seq(p, len);

		if (n == 0 || p[0] == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			n = 1;
			if (changed)
				*changed = true;
		} else {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
		len -= n;
	}
	*o = '\0';
	return res;
}
