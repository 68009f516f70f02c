/* xmlout.h - escaping text for the little XML apgate writes (the metadata
 * element, JUnit reports).  Writing is a few escaped strings; reading XML
 * is expat's job (domxml.c).
 *
 * The documents are UTF-8 (no encoding declaration) and escaped as libxml2
 * escaped them when apgate wrote through it: '&' '<' '>' as entities, CR
 * as a character reference (parsers would turn a raw one into LF), in
 * attributes also '"', TAB and LF, which attribute-value normalisation
 * would otherwise turn into spaces.  Everything else is written as is.
 */
#ifndef APGATE_XMLOUT_H
#define APGATE_XMLOUT_H

#include <stdio.h>

#include "error.h"

/* Append s as element content / as a double-quoted attribute value to f.
 * Returns 0, or -1 (err set, naming what) when s is not UTF-8 or holds a
 * character XML 1.0 cannot carry (control characters other than TAB, LF,
 * CR). */
int ag_xml_put_text(FILE *f, const char *s, const char *what,
		    struct ag_error *err);
int ag_xml_put_attr(FILE *f, const char *s, const char *what,
		    struct ag_error *err);

#endif
