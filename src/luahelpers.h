/* luahelpers.h - the helper library of the policy sandbox: apqn.parse and
 * apqn.format, spairs (sorted pairs), the ap_functions bit names, and
 * ctx.time. */
#ifndef APGATE_LUAHELPERS_H
#define APGATE_LUAHELPERS_H

#include <lua.h>

#include "sandbox.h"

/* ctx.time(s): an RFC 3339 string as epoch seconds, or nil. */
int ag_luaview_ctx_time(lua_State *L);

/* Register apqn, spairs and ap_functions as sandbox globals. */
void ag_luaview_register_helpers(struct ag_sandbox *s);

#endif
