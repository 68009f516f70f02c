/* remedy.c - remedies: the model, its JSON, the policy side and `fix`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "descriptor.h"
#include "engine.h"
#include "remedy.h"
#include "util.h"

const char *ag_remedy_on_name(enum ag_remedy_on on)
{
	return on == AG_ON_SOURCE ? "source" : "target";
}

void ag_remedy_free(struct ag_remedy *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_cmds; i++)
		free(r->cmds[i].command);
	free(r->cmds);
	free(r->text);
	free(r);
}

bool ag_remedy_command_ok(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

json_object *ag_remedy_to_json(const struct ag_remedy *r)
{
	json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < r->n_cmds; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "command",
				       json_object_new_string(r->cmds[i].command));
		json_object_object_add(c, "on", json_object_new_string(
					       ag_remedy_on_name(r->cmds[i].on)));
		json_object_array_add(arr, c);
	}
	json_object_object_add(o, "commands", arr);
	json_object_object_add(o, "text", json_object_new_string(r->text));
	return o;
}

/* The first key of the table at idx (absolute) outside allowed, in sorted
 * order, or NULL; non-string keys read "?". */
static const char *unknown_key(lua_State *L, int idx,
			       const char *const *allowed)
{
	const char *unknown = NULL;
	size_t i;

	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *k;
		bool ok = false;

		lua_pop(L, 1);
		k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
		for (i = 0; allowed[i]; i++)
			ok = ok || strcmp(k, allowed[i]) == 0;
		if (!ok && (!unknown || strcmp(k, unknown) < 0))
			unknown = k;	/* a key of the table: stays valid */
	}
	return unknown;
}

static int parse_on(const char *s, enum ag_remedy_on *on)
{
	if (strcmp(s, "source") == 0)
		*on = AG_ON_SOURCE;
	else if (strcmp(s, "target") == 0)
		*on = AG_ON_TARGET;
	else
		return -1;
	return 0;
}

/* Validates first, pushing the strings on the stack, and copies them out
 * only then: a Lua error (memory) never leaves C memory behind. */
int ag_remedy_from_lua(lua_State *L, int idx, struct ag_remedy **out,
		       size_t *bytes, struct ag_error *err)
{
	static const char *const rkeys[] = { "text", "commands", NULL };
	static const char *const ckeys[] = { "on", "command", NULL };
	const char *bad;
	struct ag_remedy *r;
	size_t n = 0, i, cost, len;
	int base, top = lua_gettop(L);

	*out = NULL;
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE) {
		ag_error_set(err, "'remedy' must be a table {text = ..., "
			     "commands = {...}}");
		return -1;
	}
	if ((bad = unknown_key(L, idx, rkeys))) {
		ag_error_set(err, "remedy: unknown field '%s' (expected text, "
			     "commands)", bad);
		return -1;
	}
	luaL_checkstack(L, 2 * AG_REMEDY_MAX_COMMANDS + 8, "remedy");
	base = lua_gettop(L) + 1;
	if (lua_getfield(L, idx, "text") != LUA_TSTRING ||
	    lua_rawlen(L, -1) == 0) {
		ag_error_set(err, "remedy: 'text' must be a non-empty string "
			     "saying the step in one sentence");
		goto fail;
	}
	if (lua_rawlen(L, -1) > AG_REMEDY_MAX_TEXT) {
		ag_error_set(err, "remedy: 'text' has more than %d bytes",
			     AG_REMEDY_MAX_TEXT);
		goto fail;
	}
	cost = lua_rawlen(L, -1) + AG_FINDING_OVERHEAD;
	switch (lua_getfield(L, idx, "commands")) {
	case LUA_TNIL:
		break;
	case LUA_TTABLE: {
		int cidx = lua_gettop(L);

		n = (size_t)lua_rawlen(L, cidx);
		lua_pushnil(L);
		while (lua_next(L, cidx)) {
			lua_pop(L, 1);
			if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
			    (size_t)lua_tointeger(L, -1) > n) {
				lua_pop(L, 1);
				ag_error_set(err, "remedy: 'commands' must be a "
					     "list {{on = ..., command = ...}, "
					     "...}");
				goto fail;
			}
		}
		if (n > AG_REMEDY_MAX_COMMANDS) {
			ag_error_set(err, "remedy: more than %d commands",
				     AG_REMEDY_MAX_COMMANDS);
			goto fail;
		}
		for (i = 1; i <= n; i++) {
			int c;
			enum ag_remedy_on on;

			if (lua_rawgeti(L, cidx, (lua_Integer)i) != LUA_TTABLE) {
				ag_error_set(err, "remedy: command %zu must be a "
					     "table {on = \"target\"|\"source\", "
					     "command = \"...\"}", i);
				goto fail;
			}
			c = lua_gettop(L);
			if ((bad = unknown_key(L, c, ckeys))) {
				ag_error_set(err, "remedy: command %zu: unknown "
					     "field '%s' (expected on, command)",
					     i, bad);
				goto fail;
			}
			if (lua_getfield(L, c, "on") != LUA_TSTRING ||
			    parse_on(lua_tostring(L, -1), &on) < 0) {
				ag_error_set(err, "remedy: command %zu: 'on' must "
					     "be \"target\" or \"source\" (the "
					     "host it runs on)", i);
				goto fail;
			}
			if (lua_getfield(L, c, "command") != LUA_TSTRING ||
			    lua_rawlen(L, -1) == 0) {
				ag_error_set(err, "remedy: command %zu: 'command' "
					     "must be a non-empty string", i);
				goto fail;
			}
			len = lua_rawlen(L, -1);
			if (len > AG_REMEDY_MAX_COMMAND ||
			    strlen(lua_tostring(L, -1)) != len ||
			    !ag_remedy_command_ok(lua_tostring(L, -1))) {
				ag_error_set(err, "remedy: command %zu must be one "
					     "line of at most %d bytes without "
					     "control characters (quote "
					     "arguments with fix.quote)", i,
					     AG_REMEDY_MAX_COMMAND);
				goto fail;
			}
			cost += len + AG_FINDING_OVERHEAD;
			lua_remove(L, c);	/* keep on, command */
		}
		break;
	}
	default:
		ag_error_set(err, "remedy: 'commands' must be a list of "
			     "{on = ..., command = ...}");
		goto fail;
	}
	if (cost > *bytes) {
		ag_error_set(err, "remedy: the text policies hand to apgate "
			     "would exceed the output limit (limits.output_mb "
			     "in apgate.yaml)");
		goto fail;
	}
	*bytes -= cost;

	/* Stack from base: text, commands (or nil), then (on, command) per
	 * command.  Nothing below raises a Lua error. */
	r = xcalloc(1, sizeof(*r));
	r->text = xstrdup(lua_tostring(L, base));
	r->cmds = xcalloc(n + 1, sizeof(*r->cmds));
	for (i = 0; i < n; i++) {
		parse_on(lua_tostring(L, base + 2 + 2 * (int)i), &r->cmds[i].on);
		r->cmds[i].command = xstrdup(lua_tostring(L, base + 3 +
							  2 * (int)i));
	}
	r->n_cmds = n;
	lua_settop(L, top);
	*out = r;
	return 0;
fail:
	lua_settop(L, top);
	return -1;
}

/* --- the fix helper table --- */

/* Characters a shell word may hold unquoted. */
static bool plain_word(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_./:=@%+,-", s[i])))
			return false;
	return true;
}

/* fix.quote(s): s as one POSIX shell word ('...' with ' as '\''). */
static int l_quote(lua_State *L)
{
	luaL_Buffer b;
	size_t len, i;
	const char *s;

	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "fix.quote(): expected a string, not %s",
				  luaL_typename(L, 1));
	s = lua_tolstring(L, 1, &len);
	if (strlen(s) != len || !ag_remedy_command_ok(s))
		return luaL_error(L, "fix.quote(): the text holds control "
				  "characters; a command must be one line");
	if (plain_word(s, len)) {
		lua_settop(L, 1);
		return 1;
	}
	luaL_buffinit(L, &b);
	luaL_addchar(&b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			luaL_addstring(&b, "'\\''");
		else
			luaL_addchar(&b, s[i]);
	}
	luaL_addchar(&b, '\'');
	luaL_pushresult(&b);
	return 1;
}

/* {on = on, command = <top of the stack>} appended to the list at list. */
static void push_cmd(lua_State *L, int list, lua_Integer n, const char *on)
{
	lua_createtable(L, 0, 2);
	lua_pushstring(L, on);
	lua_setfield(L, -2, "on");
	lua_rotate(L, -2, 1);
	lua_setfield(L, -2, "command");
	lua_rawseti(L, list, n);
}

/* fix.mdev_attr(on, mdev, attr, id): the commands that write attribute
 * attr (assign_adapter, unassign_domain, ...) with id into the mdev: for
 * an assignment the persistent definition (mdevctl modify), and for a
 * started mdev the sysfs attribute too (mdevctl leaves running devices
 * alone).  An unassignment gets only the sysfs write of a started mdev:
 * the definition's entry can only be removed by its index (mdevctl
 * modify --delattr --index N), which the descriptor does not know. */
static int l_mdev_attr(lua_State *L)
{
	static const char *const attrs[] = {
		"assign_adapter", "assign_domain", "assign_control_domain",
		"unassign_adapter", "unassign_domain", "unassign_control_domain",
		NULL,
	};
	const char *on, *uuid, *state, *attr;
	char value[8];
	lua_Integer id, n = 0;
	int list;
	enum ag_remedy_on side;
	size_t i;
	bool known = false, adapter, assign;

	if (lua_type(L, 1) != LUA_TSTRING ||
	    parse_on(lua_tostring(L, 1), &side) < 0)
		return luaL_error(L, "fix.mdev_attr(): 'on' must be \"target\" "
				  "or \"source\"");
	on = lua_tostring(L, 1);
	if (lua_type(L, 2) != LUA_TTABLE)
		return luaL_error(L, "fix.mdev_attr(): expected an mdev (e.g. "
				  "tgt.mdev) as argument 2, not %s",
				  luaL_typename(L, 2));
	if (lua_getfield(L, 2, "uuid") != LUA_TSTRING ||
	    !ag_uuid_valid(lua_tostring(L, -1), false))
		return luaL_error(L, "fix.mdev_attr(): the mdev has no valid "
				  "lowercase uuid");
	uuid = lua_tostring(L, -1);
	state = lua_getfield(L, 2, "state") == LUA_TSTRING ?
		lua_tostring(L, -1) : "";
	if (lua_type(L, 3) != LUA_TSTRING)
		return luaL_error(L, "fix.mdev_attr(): 'attr' must be a string");
	attr = lua_tostring(L, 3);
	for (i = 0; attrs[i]; i++)
		known = known || strcmp(attr, attrs[i]) == 0;
	if (!known)
		return luaL_error(L, "fix.mdev_attr(): unknown attribute '%s' "
				  "(expected [un]assign_adapter, [un]assign_domain "
				  "or [un]assign_control_domain)", attr);
	if (!lua_isinteger(L, 4) || (id = lua_tointeger(L, 4)) < 0 || id > 255)
		return luaL_error(L, "fix.mdev_attr(): 'id' must be an integer "
				  "from 0 to 255");
	adapter = strstr(attr, "adapter") != NULL;
	assign = strncmp(attr, "assign", 6) == 0;
	/* kstrtoul(..., 0) and mdevctl read 0x as hex; a leading 0 alone
	 * would be octal.  Widths as in APQNs: adapters 2, domains 4. */
	snprintf(value, sizeof(value), adapter ? "0x%02x" : "0x%04x",
		 (unsigned)id);
	lua_createtable(L, 2, 0);
	list = lua_gettop(L);
	if (assign) {
		lua_pushfstring(L, "mdevctl modify --uuid %s --addattr %s "
				"--value %s", uuid, attr, value);
		push_cmd(L, list, ++n, on);
	}
	if (strcmp(state, "active") == 0) {
		lua_pushfstring(L, "echo %s > /sys/devices/vfio_ap/matrix/%s/%s",
				value, uuid, attr);
		push_cmd(L, list, ++n, on);
	}
	return 1;
}

void ag_remedy_register_helpers(struct ag_sandbox *s)
{
	static const luaL_Reg fix_lib[] = {
		{ "quote", l_quote },
		{ "mdev_attr", l_mdev_attr },
		{ NULL, NULL },
	};
	lua_State *L = ag_sandbox_state(s);

	luaL_newlib(L, fix_lib);
	ag_sandbox_push_readonly(L);
	ag_sandbox_set_global(s, "fix");
}
