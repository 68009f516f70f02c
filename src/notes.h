/* notes.h - warnings and notes a collection hands back to its caller.
 *
 * Collection must not print: the libvirt hook owns its stderr (one short
 * line reaches the user), `apgate collect` prints every note.  Each note
 * is one line starting with "warning: " or "note: ".
 */
#ifndef APGATE_NOTES_H
#define APGATE_NOTES_H

#include <stddef.h>

struct ag_notes {
	char **lines;
	size_t n;
};

/* Append a line; a NULL list ignores it. */
void ag_notes_add(struct ag_notes *notes, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ag_notes_free(struct ag_notes *notes);

#endif
