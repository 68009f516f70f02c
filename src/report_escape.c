/* report_escape.c - escaping record text for HTML and Markdown. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonsort.h"
#include "report_escape.h"
#include "util.h"

/* Evidence longer than this is cut in the report (the record has it). */
#define EVIDENCE_MAX 2048

/* Length of the valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;	/* overlong, surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* Text for HTML element content and attribute values alike. */
void report_html(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("&#xfffd;", out);
			p++;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (*p < 0x20 && *p != '\n' && *p != '\t')
				fputs("&#xfffd;", out);
			else if (*p == 0x7f)
				fputs("&#xfffd;", out);
			else
				fwrite(p, 1, n, out);
		}
		p += n;
	}
}

/* Text for Markdown: every character that could start markup is
 * backslash-escaped, line breaks become spaces (a table row is one line),
 * so a policy's message can never inject links, HTML or table cells. */
void report_md(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *start = p;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			fputc(' ', out);
		else if (n == 1 && (strchr("\\`*_[]<>|#~!&{}()@", *p) ||
				    /* GFM autolinks: "scheme://" and "www." */
				    (*p == ':' && p[1] == '/' && p[2] == '/') ||
				    (*p == '.' && p - start >= 3 &&
				     strncasecmp((const char *)p - 3, "www", 3) == 0)))
			fprintf(out, "\\%c", *p);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
}

/* A value without backticks, pipes or control characters can go in a
 * code span, where Markdown interprets nothing. */
static bool plain_token(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s || !*s || *s == ' ' || s[strlen(s) - 1] == ' ')
		return false;
	while (*p) {
		size_t n = utf8_len(p);

		if (!n || *p < 0x20 || *p == 0x7f || *p == '`' || *p == '|')
			return false;
		p += n;
	}
	return true;
}

void report_md_code(FILE *out, const char *s)
{
	if (plain_token(s))
		fprintf(out, "`%s`", s);
	else
		report_md(out, s);
}

/* Compact evidence, cut at EVIDENCE_MAX on a character boundary. */
char *report_evidence_text(json_object *ev)
{
	json_object *sorted = ag_json_sorted(ev);
	const char *s = json_object_to_json_string_ext(sorted,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s), cut = len;
	char *res;

	if (len > EVIDENCE_MAX) {
		cut = EVIDENCE_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		res = xasprintf("%.*s \xe2\x80\xa6 (%zu more bytes in the record)",
				(int)cut, s, len - cut);
	} else {
		res = xstrdup(s);
	}
	json_object_put(sorted);
	return res;
}
