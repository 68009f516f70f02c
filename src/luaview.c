/* luaview.c - descriptor views, parameters and evidence (the helper
 * library is luahelpers.c). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "luaview.h"
#include "timeutil.h"
#include "util.h"

/* --- small setters for the table at the top of the stack --- */

static void set_str(lua_State *L, const char *key, const char *val)
{
	if (!val)
		return;
	lua_pushstring(L, val);
	lua_setfield(L, -2, key);
}

static void set_int(lua_State *L, const char *key, lua_Integer val)
{
	lua_pushinteger(L, val);
	lua_setfield(L, -2, key);
}

static void set_tri(lua_State *L, const char *key, enum ag_tri t)
{
	if (t == AG_TRI_UNSET)
		return;
	lua_pushboolean(L, t == AG_TRI_TRUE);
	lua_setfield(L, -2, key);
}

/* Make the table on top read-only and store it as t[key] one below. */
static void set_readonly(lua_State *L, const char *key)
{
	ag_sandbox_push_readonly(L);
	lua_setfield(L, -2, key);
}

static void push_idset(lua_State *L, const struct ag_idset *set)
{
	lua_Integer i = 1;
	int id;

	lua_createtable(L, (int)ag_idset_count(set), 0);
	for (id = ag_idset_next(set, 0); id >= 0; id = ag_idset_next(set, (unsigned)id + 1))
		lua_pushinteger(L, id), lua_rawseti(L, -2, i++);
	ag_sandbox_push_readonly(L);
}

/* --- descriptor parts --- */

static void push_op_modes(lua_State *L, const struct ag_op_modes *m)
{
	size_t i;

	lua_createtable(L, (int)m->n, 0);
	for (i = 0; i < m->n; i++) {
		lua_pushstring(L, m->names[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	ag_sandbox_push_readonly(L);
}

static void push_card(lua_State *L, const struct ag_card *c)
{
	char buf[16];

	lua_createtable(L, 0, 10);
	set_int(L, "adapter", c->adapter);
	set_str(L, "type", c->type);
	if (c->hwtype >= 0)
		set_int(L, "hwtype", c->hwtype);
	if (c->raw_hwtype >= 0)
		set_int(L, "raw_hwtype", c->raw_hwtype);
	set_str(L, "mode", c->mode ? ag_card_mode_name(c->mode) : NULL);
	if (c->has_functions) {
		snprintf(buf, sizeof(buf), "0x%08X", (unsigned)c->functions);
		set_str(L, "functions", buf);
	}
	set_str(L, "serial", c->serial);
	set_tri(L, "config", c->config);
	set_tri(L, "online", c->online);
	set_tri(L, "chkstop", c->chkstop);
	if (c->ep11.present) {
		lua_createtable(L, 0, 3);
		if (c->ep11.api_ordinal >= 0)
			set_int(L, "api_ordinal", c->ep11.api_ordinal);
		set_str(L, "firmware", c->ep11.firmware);
		if (c->ep11.op_modes.present) {
			push_op_modes(L, &c->ep11.op_modes);
			lua_setfield(L, -2, "op_modes");
		}
		set_readonly(L, "ep11");
	}
	ag_sandbox_push_readonly(L);
}

static void push_mkvps(lua_State *L, const struct ag_mkvps *m)
{
	int kt, r;

	lua_createtable(L, 0, 5);
	set_str(L, "origin", ag_mk_origin_name(m->origin));
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		if (!ag_mkvps_has_key_type(m, kt))
			continue;
		lua_createtable(L, 0, 3);
		for (r = 0; r < AG_REG_COUNT; r++) {
			const struct ag_mk_register *reg = &m->reg[kt][r];

			if (reg->state == AG_MK_ABSENT)
				continue;
			lua_createtable(L, 0, 2);
			set_str(L, "state", ag_mk_state_name(reg->state));
			if (reg->mkvp[0])
				set_str(L, "mkvp", reg->mkvp);
			set_readonly(L, ag_mk_reg_name(r));
		}
		set_readonly(L, ag_key_type_name(kt));
	}
	ag_sandbox_push_readonly(L);
}

static void push_queue(lua_State *L, const struct ag_queue *q)
{
	char apqn[AG_APQN_LEN];

	ag_apqn_format(q->adapter, q->domain, apqn);
	lua_createtable(L, 0, 11);
	set_str(L, "apqn", apqn);
	set_int(L, "adapter", q->adapter);
	set_int(L, "domain", q->domain);
	set_tri(L, "config", q->config);
	set_tri(L, "online", q->online);
	set_tri(L, "chkstop", q->chkstop);
	set_str(L, "driver", q->driver ? ag_queue_driver_name(q->driver) : NULL);
	set_str(L, "status", q->status);
	set_str(L, "assigned_to", q->assigned_to[0] ? q->assigned_to : NULL);
	if (q->has_functions) {
		char buf[16];

		snprintf(buf, sizeof(buf), "0x%08X", (unsigned)q->functions);
		set_str(L, "functions", buf);
	}
	if (q->op_modes.present) {
		push_op_modes(L, &q->op_modes);
		lua_setfield(L, -2, "op_modes");
	}
	if (q->mkvps.present) {
		push_mkvps(L, &q->mkvps);
		lua_setfield(L, -2, "mkvps");
	}
	ag_sandbox_push_readonly(L);
}

static void push_block(lua_State *L, const struct ag_block *b)
{
	lua_createtable(L, 0, 4);
	set_str(L, "reason", b->reason);
	set_str(L, "since", b->since);
	set_str(L, "until", b->until);
	set_str(L, "by", b->by);
	ag_sandbox_push_readonly(L);
}

/* --- view methods; upvalue 1 is the view's index table, upvalue 2 the
 * view itself --- */

enum { IDX_BY_APQN = 1, IDX_BY_ADAPTER, IDX_GEN, IDX_FUNCS, IDX_QFUNCS,
       IDX_APQNS, IDX_APQN_SET };

/* Every method starts here: self must be the very view the method was
 * read from (src.queue(tgt, ...) would silently answer for src). */
static void check_self(lua_State *L)
{
	if (!lua_rawequal(L, 1, lua_upvalueindex(2)))
		luaL_argerror(L, 1, "not the descriptor view this method "
			      "belongs to (call it as view:method(...))");
}

static void push_index(lua_State *L, int which)
{
	lua_rawgeti(L, lua_upvalueindex(1), which);
}

/* Argument 2 as an adapter: an integer, or an APQN string. */
static lua_Integer adapter_arg(lua_State *L)
{
	unsigned a, d;

	check_self(L);
	if (lua_type(L, 2) == LUA_TSTRING) {
		if (ag_apqn_parse(lua_tostring(L, 2), &a, &d) < 0)
			return luaL_argerror(L, 2, "not an APQN like \"05.0004\"");
		return a;
	}
	return luaL_checkinteger(L, 2);
}

static int view_apqns(lua_State *L)
{
	lua_Integer i, n;

	check_self(L);
	push_index(L, IDX_APQNS);
	n = (lua_Integer)lua_rawlen(L, -1);
	lua_createtable(L, (int)n, 0);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -2, i);
		lua_rawseti(L, -2, i);
	}
	return 1;
}

static int view_lookup(lua_State *L, int which, lua_Integer key)
{
	push_index(L, which);
	lua_rawgeti(L, -1, key);
	return 1;
}

static int view_queue(lua_State *L)
{
	check_self(L);
	luaL_checktype(L, 2, LUA_TSTRING);
	push_index(L, IDX_BY_APQN);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	return 1;
}

static int view_has_apqn(lua_State *L)
{
	/* Membership in adapters x domains, whether or not a queue exists. */
	check_self(L);
	luaL_checktype(L, 2, LUA_TSTRING);
	push_index(L, IDX_APQN_SET);
	lua_pushvalue(L, 2);
	lua_pushboolean(L, lua_rawget(L, -2) == LUA_TBOOLEAN);
	return 1;
}

static int view_card(lua_State *L)
{
	return view_lookup(L, IDX_BY_ADAPTER, adapter_arg(L));
}

static int view_generation(lua_State *L)
{
	return view_lookup(L, IDX_GEN, adapter_arg(L));
}

static int view_functions(lua_State *L)
{
	return view_lookup(L, IDX_FUNCS, adapter_arg(L));
}

/* The queue's own ap_functions (unmasked TAPQ word) as an integer. */
static int view_queue_functions(lua_State *L)
{
	luaL_checkstring(L, 2);
	push_index(L, IDX_QFUNCS);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	return 1;
}

void ag_luaview_push_descriptor(lua_State *L, const struct ag_descriptor *d)
{
	static const luaL_Reg methods[] = {
		{ "apqns", view_apqns },
		{ "has_apqn", view_has_apqn },
		{ "queue", view_queue },
		{ "card", view_card },
		{ "generation", view_generation },
		{ "functions", view_functions },
		{ "queue_functions", view_queue_functions },
		{ NULL, NULL },
	};
	char apqn[AG_APQN_LEN];
	lua_Integer n;
	int data, index, a, dom;
	size_t i;

	lua_createtable(L, 0, 8);
	data = lua_gettop(L);
	lua_createtable(L, IDX_APQN_SET, 0);
	index = lua_gettop(L);
	for (i = IDX_BY_APQN; i <= IDX_APQN_SET; i++) {
		lua_newtable(L);
		lua_rawseti(L, index, (lua_Integer)i);
	}

	lua_pushvalue(L, data);
	set_int(L, "apgate-descriptor", d->version);
	set_str(L, "host", d->host);
	/* always a table, so that `src.labels.zone` is nil, not an error */
	lua_createtable(L, 0, (int)d->host_labels.n);
	for (i = 0; i < d->host_labels.n; i++)
		set_str(L, d->host_labels.items[i].key,
			d->host_labels.items[i].value);
	set_readonly(L, "labels");
	if (d->collected.at || d->collected.from || d->collected.tool) {
		lua_createtable(L, 0, 3);
		set_str(L, "at", d->collected.at);
		set_str(L, "from", d->collected.from ?
			ag_collected_from_name(d->collected.from) : NULL);
		set_str(L, "tool", d->collected.tool);
		set_readonly(L, "collected");
	}

	lua_createtable(L, 0, 6);
	set_str(L, "uuid", d->mdev.uuid);
	set_str(L, "type", d->mdev.type);
	set_str(L, "state", d->mdev.state ?
		ag_mdev_state_name(d->mdev.state) : NULL);
	push_idset(L, &d->mdev.adapters);
	lua_setfield(L, -2, "adapters");
	push_idset(L, &d->mdev.domains);
	lua_setfield(L, -2, "domains");
	push_idset(L, &d->mdev.control_domains);
	lua_setfield(L, -2, "control_domains");
	if (d->mdev.has_guest_apqns) {
		lua_createtable(L, (int)d->mdev.n_guest_apqns, 0);
		for (i = 0; i < d->mdev.n_guest_apqns; i++) {
			ag_apqn_format(d->mdev.guest_apqns[i] / 256u,
				       d->mdev.guest_apqns[i] % 256u, apqn);
			lua_pushstring(L, apqn);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		set_readonly(L, "guest_apqns");
	}
	set_readonly(L, "mdev");

	if (d->lpar.present) {
		lua_createtable(L, 0, 3);
		push_idset(L, &d->lpar.adapters);
		lua_setfield(L, -2, "adapters");
		push_idset(L, &d->lpar.usage_domains);
		lua_setfield(L, -2, "usage_domains");
		push_idset(L, &d->lpar.control_domains);
		lua_setfield(L, -2, "control_domains");
		set_readonly(L, "lpar");
	}
	if (d->guest.secure_execution != AG_TRI_UNSET) {
		lua_createtable(L, 0, 1);
		set_tri(L, "secure_execution", d->guest.secure_execution);
		set_readonly(L, "guest");
	}

	lua_createtable(L, (int)d->n_cards, 0);
	for (i = 0; i < d->n_cards; i++) {
		const struct ag_card *c = &d->cards[i];
		int gen = ag_card_generation(c);

		push_card(L, c);
		lua_pushvalue(L, -1);
		lua_rawseti(L, -3, (lua_Integer)i + 1);
		lua_rawgeti(L, index, IDX_BY_ADAPTER);
		lua_insert(L, -2);
		lua_rawseti(L, -2, c->adapter);
		lua_pop(L, 1);
		if (gen >= 0) {
			lua_rawgeti(L, index, IDX_GEN);
			lua_pushinteger(L, gen);
			lua_rawseti(L, -2, c->adapter);
			lua_pop(L, 1);
		}
		if (c->has_functions) {
			lua_rawgeti(L, index, IDX_FUNCS);
			lua_pushinteger(L, c->functions);
			lua_rawseti(L, -2, c->adapter);
			lua_pop(L, 1);
		}
	}
	set_readonly(L, "cards");

	lua_createtable(L, (int)d->n_queues, 0);
	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];

		push_queue(L, q);
		lua_pushvalue(L, -1);
		lua_rawseti(L, -3, (lua_Integer)i + 1);
		ag_apqn_format(q->adapter, q->domain, apqn);
		lua_rawgeti(L, index, IDX_BY_APQN);
		lua_insert(L, -2);
		lua_setfield(L, -2, apqn);
		lua_pop(L, 1);
		if (q->has_functions) {
			lua_rawgeti(L, index, IDX_QFUNCS);
			lua_pushinteger(L, q->functions);
			lua_setfield(L, -2, apqn);
			lua_pop(L, 1);
		}
	}
	set_readonly(L, "queues");

	lua_createtable(L, (int)d->n_blocks, 0);
	for (i = 0; i < d->n_blocks; i++) {
		push_block(L, &d->blocks[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	set_readonly(L, "blocks");
	lua_pop(L, 1);

	/* The APQN list and set: adapters x usage domains, in sysfs order. */
	lua_rawgeti(L, index, IDX_APQNS);
	lua_rawgeti(L, index, IDX_APQN_SET);
	n = 0;
	for (a = ag_idset_next(&d->mdev.adapters, 0); a >= 0;
	     a = ag_idset_next(&d->mdev.adapters, (unsigned)a + 1)) {
		for (dom = ag_idset_next(&d->mdev.domains, 0); dom >= 0;
		     dom = ag_idset_next(&d->mdev.domains, (unsigned)dom + 1)) {
			ag_apqn_format((unsigned)a, (unsigned)dom, apqn);
			lua_pushstring(L, apqn);
			lua_rawseti(L, -3, ++n);
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, apqn);
		}
	}
	lua_pop(L, 2);

	/* Methods are found through the data table's own metatable, so the
	 * proxy's reads reach them; they close over the index and the proxy
	 * (to check self). */
	lua_pushvalue(L, data);
	ag_sandbox_push_readonly(L);
	lua_replace(L, data);	/* data's slot now holds the proxy */
	ag_sandbox_push_unwrapped(L, data);
	lua_createtable(L, 0, 2);
	lua_newtable(L);
	lua_pushvalue(L, index);
	lua_pushvalue(L, data);
	luaL_setfuncs(L, methods, 2);
	lua_setfield(L, -2, "__index");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pop(L, 2);		/* the table behind the proxy, index */
}

/* --- JSON -> Lua (parameters) --- */

void ag_luaview_push_json(lua_State *L, json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		lua_pushnil(L);
		return;
	case json_type_boolean:
		lua_pushboolean(L, json_object_get_boolean(o));
		return;
	case json_type_int:
		lua_pushinteger(L, json_object_get_int64(o));
		return;
	case json_type_double:
		lua_pushnumber(L, json_object_get_double(o));
		return;
	case json_type_string:
		lua_pushlstring(L, json_object_get_string(o),
				(size_t)json_object_get_string_len(o));
		return;
	case json_type_array:
		n = json_object_array_length(o);
		lua_createtable(L, (int)n, 0);
		for (i = 0; i < n; i++) {
			ag_luaview_push_json(L, json_object_array_get_idx(o, i));
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		ag_sandbox_push_readonly(L);
		return;
	case json_type_object:
		lua_newtable(L);
		json_object_object_foreach(o, key, val) {
			ag_luaview_push_json(L, val);
			lua_setfield(L, -2, key);
		}
		ag_sandbox_push_readonly(L);
		return;
	}
	lua_pushnil(L);
}

/* --- Lua -> JSON (evidence) --- */

struct keyed {
	const char *key;
	int pos;
};

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key,
		      ((const struct keyed *)b)->key);
}

/* What evidence may still take: values (AG_EVIDENCE_MAX_NODES) and bytes
 * copied out of Lua (the engine's output limit). */
struct jbudget {
	size_t nodes;
	size_t bytes;
	/* checking only (no JSON built): an object's keys in any order */
	bool any_order;
};

static int charge_bytes(struct jbudget *b, size_t n, struct ag_error *err)
{
	if (n > b->bytes) {
		ag_error_set(err, "evidence would exceed the output limit "
			     "(limits.output_mb in apgate.yaml)");
		return -1;
	}
	b->bytes -= n;
	return 0;
}

static int to_json(lua_State *L, int idx, int depth, struct jbudget *budget,
		   json_object **out, struct ag_error *err);

static int table_to_json(lua_State *L, int t, int depth, struct jbudget *budget,
			 json_object **out, struct ag_error *err)
{
	lua_Integer count = 0, maxint = 0;
	bool all_int = true;
	struct keyed *keys = NULL;
	size_t nkeys = 0, cap = 0, i;
	json_object *res;
	int keytab;

	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		count++;
		if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0) {
			if (lua_tointeger(L, -1) > maxint)
				maxint = lua_tointeger(L, -1);
		} else {
			all_int = false;
		}
	}
	if (count > 0 && all_int && maxint == count) {
		res = out ? json_object_new_array_ext((int)count) : NULL;
		for (i = 1; i <= (size_t)count; i++) {
			json_object *item = NULL;

			lua_rawgeti(L, t, (lua_Integer)i);
			if (to_json(L, -1, depth + 1, budget, out ? &item : NULL,
				    err) < 0) {
				lua_pop(L, 1);
				json_object_put(res);
				return -1;
			}
			lua_pop(L, 1);
			if (res)
				json_object_array_add(res, item);
		}
		if (out)
			*out = res;
		return 0;
	}

	if (budget->any_order) {
		/* Checking only: keys in Lua's order.  A refusal is made
		 * again in sorted order (ag_luaview_to_json), so that it
		 * names the same key as when the JSON is built. */
		lua_pushnil(L);
		while (lua_next(L, t)) {
			if (lua_type(L, -2) != LUA_TSTRING ||
			    nkeys++ >= budget->nodes ||
			    charge_bytes(budget, strlen(lua_tostring(L, -2)),
					 err) < 0 ||
			    to_json(L, -1, depth + 1, budget, NULL, err) < 0) {
				lua_pop(L, 2);
				ag_error_set(err, "refused");
				return -1;
			}
			lua_pop(L, 1);
		}
		return 0;
	}

	/* An object: string keys only, emitted in sorted order so that the
	 * output never depends on Lua's randomised hash order. */
	lua_newtable(L);
	keytab = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			ag_error_set(err, "evidence keys must be strings (found "
				     "a %s key in a table that is not a list)",
				     luaL_typename(L, -1));
			lua_pop(L, 2);
			free(keys);
			return -1;
		}
		if (nkeys >= budget->nodes) {
			/* before the key array grows past what can be kept */
			ag_error_set(err, "evidence larger than %d values",
				     AG_EVIDENCE_MAX_NODES);
			lua_pop(L, 2);
			free(keys);
			return -1;
		}
		keys = xgrow(keys, &cap, nkeys + 1, sizeof(*keys));
		lua_pushvalue(L, -1);
		lua_rawseti(L, keytab, (lua_Integer)nkeys + 1);	/* anchor */
		keys[nkeys].key = lua_tostring(L, -1);
		keys[nkeys].pos = (int)nkeys + 1;
		nkeys++;
	}
	if (nkeys > 1)
		qsort(keys, nkeys, sizeof(*keys), cmp_keyed);
	res = out ? json_object_new_object() : NULL;
	for (i = 0; i < nkeys; i++) {
		json_object *val = NULL;

		lua_getfield(L, t, keys[i].key);
		if (charge_bytes(budget, strlen(keys[i].key), err) < 0 ||
		    to_json(L, -1, depth + 1, budget, out ? &val : NULL,
			    err) < 0) {
			ag_error_prefix(err, "evidence key \"%s\"", keys[i].key);
			lua_pop(L, 2);
			json_object_put(res);
			free(keys);
			return -1;
		}
		lua_pop(L, 1);
		if (res)
			json_object_object_add(res, keys[i].key, val);
	}
	lua_pop(L, 1);		/* key anchors */
	free(keys);
	if (out)
		*out = res;
	return 0;
}

static int to_json(lua_State *L, int idx, int depth, struct jbudget *budget,
		   json_object **out, struct ag_error *err)
{
	int rc;

	idx = lua_absindex(L, idx);
	if (depth > AG_EVIDENCE_MAX_DEPTH) {
		ag_error_set(err, "evidence nested deeper than %d levels",
			     AG_EVIDENCE_MAX_DEPTH);
		return -1;
	}
	if (budget->nodes-- == 0) {
		ag_error_set(err, "evidence larger than %d values",
			     AG_EVIDENCE_MAX_NODES);
		return -1;
	}
	if (charge_bytes(budget, AG_EVIDENCE_NODE_BYTES, err) < 0)
		return -1;
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		if (out)
			*out = json_object_new_boolean(lua_toboolean(L, idx));
		return 0;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			if (out)
				*out = json_object_new_int64(lua_tointeger(L, idx));
			return 0;
		}
		if (!isfinite(lua_tonumber(L, idx))) {
			ag_error_set(err, "evidence numbers must be finite");
			return -1;
		}
		if (out)
			*out = json_object_new_double(lua_tonumber(L, idx));
		return 0;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);

		if (charge_bytes(budget, len, err) < 0)
			return -1;
		if (out)
			*out = json_object_new_string_len(s, (int)len);
		return 0;
	}
	case LUA_TTABLE:
		if (!lua_checkstack(L, 8)) {
			ag_error_set(err, "evidence too deep");
			return -1;
		}
		ag_sandbox_push_unwrapped(L, idx);
		rc = table_to_json(L, lua_gettop(L), depth, budget, out, err);
		lua_pop(L, 1);
		return rc;
	default:
		ag_error_set(err, "evidence cannot hold a %s value",
			     luaL_typename(L, idx));
		return -1;
	}
}

int ag_luaview_to_json(lua_State *L, int idx, json_object **out,
		       size_t *bytes, struct ag_error *err)
{
	struct jbudget budget = { AG_EVIDENCE_MAX_NODES, *bytes, false };
	int rc;

	if (out)
		*out = NULL;
	else {
		/* Checking only: first in Lua's key order, without sorting;
		 * only a refusal is walked again in order, for its message.
		 * The sums charged do not depend on the order. */
		struct jbudget fast = budget;
		struct ag_error ignored;

		fast.any_order = true;
		if (to_json(L, idx, 0, &fast, NULL, &ignored) == 0) {
			*bytes = fast.bytes;
			return 0;
		}
	}
	rc = to_json(L, idx, 0, &budget, out, err);
	*bytes = budget.bytes;
	return rc;
}
