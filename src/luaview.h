/* luaview.h - data crossing the C<->Lua boundary of the policy engine.
 *
 * Owns the shapes policies see: read-only views of descriptors (the
 * format's keys plus lookup helpers) and site parameters; and the way
 * back: evidence tables turned into deterministic JSON.  The helper
 * library (apqn, spairs, ap_functions, ctx.time) is luahelpers.h.
 */
#ifndef APGATE_LUAVIEW_H
#define APGATE_LUAVIEW_H

#include <json-c/json.h>
#include <lua.h>

#include "descriptor.h"
#include "error.h"
#include "sandbox.h"

/* Largest evidence value a finding may carry (nodes), and its depth. */
#define AG_EVIDENCE_MAX_NODES 10000
#define AG_EVIDENCE_MAX_DEPTH 16

/* Push a read-only view of d.  The view holds only Lua data (no pointers
 * into d), so it stays valid after d is freed. */
void ag_luaview_push_descriptor(lua_State *L, const struct ag_descriptor *d);

/* Push a JSON value as read-only Lua data (null becomes nil). */
void ag_luaview_push_json(lua_State *L, json_object *o);

/* Convert the Lua value at idx into JSON: strings, integers, finite
 * numbers, booleans and tables (a table whose keys are exactly 1..n is an
 * array; otherwise keys must be strings and come out sorted).  *bytes is
 * what may still be copied out of Lua (limits.output): each value costs
 * its text plus AG_EVIDENCE_NODE_BYTES, checked before it is copied.
 * With out NULL the value is only checked, with the same limits and
 * messages, and nothing is built. */
#define AG_EVIDENCE_NODE_BYTES 64
int ag_luaview_to_json(lua_State *L, int idx, json_object **out,
		       size_t *bytes, struct ag_error *err);

#endif
