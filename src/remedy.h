/* remedy.h - what to do about a finding: one sentence and, where a safe,
 * well-defined one exists, the exact shell commands, each for the host it
 * must run on.
 *
 * Owns the remedy model, its JSON form (the "remedy" member of a finding in
 * schemas/verdict-v1.schema.json), the policy side (the remedy option of
 * reject/warn/note, checked and bounded like evidence) and the `fix` helper
 * table policies build commands with (fix.quote, fix.mdev_attr).  apgate
 * never runs a command: it shows them (--explain, --fix-script, JSON).
 *
 * A command is one line of text without control characters, so that it
 * cannot break out of the line it is printed on (a fix script, a log
 * line); quoting its arguments is the policy's job (fix.quote).
 */
#ifndef APGATE_REMEDY_H
#define APGATE_REMEDY_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <lua.h>

#include "error.h"
#include "sandbox.h"

#define AG_REMEDY_MAX_COMMANDS 32	/* per remedy */
#define AG_REMEDY_MAX_COMMAND 1024	/* bytes per command */
#define AG_REMEDY_MAX_TEXT 4096		/* bytes of text */

enum ag_remedy_on {
	AG_ON_SOURCE,
	AG_ON_TARGET,
};

struct ag_remedy_cmd {
	enum ag_remedy_on on;
	char *command;
};

struct ag_remedy {
	char *text;
	struct ag_remedy_cmd *cmds;	/* in the order they must run */
	size_t n_cmds;
};

const char *ag_remedy_on_name(enum ag_remedy_on on);	/* "source" ... */

void ag_remedy_free(struct ag_remedy *r);	/* r may be NULL */

/* Whether s is one line without control characters (C0, DEL). */
bool ag_remedy_command_ok(const char *s);

/* {"commands": [{"command", "on"}...], "text"}: keys sorted, commands in
 * their order (the order they run in). */
json_object *ag_remedy_to_json(const struct ag_remedy *r);

/* The Lua table at idx ({text = ..., commands = {{on = ..., command =
 * ...}, ...}}) as a remedy.  *bytes is what may still be copied out of
 * Lua (limits.output); the text and commands are charged against it.
 * Returns 0, or -1 with err saying what is wrong (for "fname(): ..."). */
int ag_remedy_from_lua(lua_State *L, int idx, struct ag_remedy **out,
		       size_t *bytes, struct ag_error *err);

/* Register the `fix` helper table as a sandbox global. */
void ag_remedy_register_helpers(struct ag_sandbox *s);

#endif
