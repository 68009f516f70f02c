/* textsafe.h - untrusted text made harmless for terminals, single-line
 * messages and JSON.
 *
 * Owns the one escaping rule every text output and message of apgate
 * uses for text it did not write itself (descriptor fields, policy
 * messages, paths, error messages quoting them): control characters
 * (C0, DEL, C1) and bytes that are not UTF-8 are shown as escapes, never
 * passed to the terminal or the log line.  Tab, newline and carriage
 * return read \t \n \r, other bytes \xNN (C1 characters: \u0080..\u009f).
 * Printable text, backslashes included, passes unchanged.
 */
#ifndef APGATE_TEXTSAFE_H
#define APGATE_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Write s (NULL: nothing) escaped. */
void ag_fput_safe(FILE *out, const char *s);

/* s escaped, malloc'd (NULL: ""). */
char *ag_str_safe(const char *s);

/* Quote at most max_chars characters of s into out (size bytes) for a
 * message: escaped as above, '"' and '\' backslashed, "..." when cut
 * (never inside a UTF-8 sequence). */
void ag_quote_safe(const char *s, size_t max_chars, char *out, size_t size);

/* Whether s (len bytes) is valid UTF-8 without NUL bytes. */
bool ag_utf8_valid(const char *s, size_t len);

/* s (len bytes) as valid UTF-8: every byte that is not part of a valid
 * sequence becomes U+FFFD.  malloc'd, NUL-terminated; *changed (may be
 * NULL) says whether anything was replaced. */
char *ag_utf8_repair(const char *s, size_t len, bool *changed);

#endif
