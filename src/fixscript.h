/* fixscript.h - a verdict's remedies as a shell script for review
 * (`apgate check --fix-script`).
 *
 * apgate never runs the script.  It is POSIX sh, `bash -n` clean, and
 * takes the host it runs on as its one argument ("target" or "source"):
 * the commands of each host are in their own block, so that running it on
 * the wrong host does nothing.  Every finding (warn and reject) with a
 * remedy is a comment block (severity, rule, APQN, message, the remedy's
 * text) followed by its commands; a command already written for the same
 * host is written once (a comment says so).  Remedies without commands are
 * listed as comments at the end.  All text that is not a command is
 * escaped (textsafe.h) and stays on its comment line; commands are single
 * lines by construction (remedy.h).  A verdict without any remedy gives a
 * script that says there is nothing to fix and exits 0.
 */
#ifndef APGATE_FIXSCRIPT_H
#define APGATE_FIXSCRIPT_H

#include <stdio.h>

#include "verdict.h"

int ag_render_fix_script(const struct ag_verdict *v, FILE *out);

#endif
