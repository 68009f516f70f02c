/* report_escape.h - untrusted record text made safe for the report:
 * HTML content and attributes, Markdown text and code spans, and evidence
 * cut to a readable size.  Invalid UTF-8 and control characters never
 * reach the output. */
#ifndef APGATE_REPORT_ESCAPE_H
#define APGATE_REPORT_ESCAPE_H

#include <stdio.h>

#include <json-c/json.h>

/* Text for HTML element content and attribute values alike. */
void report_html(FILE *out, const char *s);

/* Markdown text: markup characters escaped, line breaks as spaces. */
void report_md(FILE *out, const char *s);

/* A code span when s can be one, else escaped text. */
void report_md_code(FILE *out, const char *s);

/* Compact sorted JSON of ev, cut on a character boundary; caller frees. */
char *report_evidence_text(json_object *ev);

#endif
