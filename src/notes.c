/* notes.c - the list of warnings and notes of a collection (notes.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "notes.h"
#include "util.h"

void ag_notes_add(struct ag_notes *notes, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!notes)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	notes->lines = xrealloc(notes->lines,
				(notes->n + 1) * sizeof(*notes->lines));
	notes->lines[notes->n++] = xstrdup(buf);
}

void ag_notes_free(struct ag_notes *notes)
{
	size_t i;

	if (!notes)
		return;
	for (i = 0; i < notes->n; i++)
		free(notes->lines[i]);
	free(notes->lines);
	notes->lines = NULL;
	notes->n = 0;
}
