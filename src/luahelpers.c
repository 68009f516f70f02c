/* luahelpers.c - the helper library policies get besides the views
 * (apqn.parse/format, spairs, ap_functions) and ctx.time; split from
 * luaview.c, which keeps the data crossing the boundary. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "apqn.h"
#include "luahelpers.h"
#include "sandbox.h"
#include "timeutil.h"
#include "util.h"

/* --- helper library --- */

static int l_apqn_parse(lua_State *L)
{
	unsigned a, d;

	if (lua_type(L, 1) != LUA_TSTRING ||
	    ag_apqn_parse(lua_tostring(L, 1), &a, &d) < 0) {
		const char *given = luaL_tolstring(L, 1, NULL);

		lua_pushnil(L);
		lua_pushfstring(L, "not an APQN like \"05.0004\": %s", given);
		return 2;
	}
	lua_pushinteger(L, a);
	lua_pushinteger(L, d);
	return 2;
}

static int l_apqn_format(lua_State *L)
{
	lua_Integer a = luaL_checkinteger(L, 1);
	lua_Integer d = luaL_checkinteger(L, 2);
	char buf[AG_APQN_LEN];

	luaL_argcheck(L, a >= 0 && a <= AG_MAX_ID, 1, "adapter out of 0..255");
	luaL_argcheck(L, d >= 0 && d <= AG_MAX_ID, 2, "domain out of 0..255");
	ag_apqn_format((unsigned)a, (unsigned)d, buf);
	lua_pushstring(L, buf);
	return 1;
}

/* Sort order of spairs: numbers ascending, then strings bytewise. */
struct skey {
	int is_num, key_is_int;
	lua_Number num;
	lua_Integer ival;
	const char *str;
	size_t len;
};

static int cmp_skey(const void *pa, const void *pb)
{
	const struct skey *a = pa, *b = pb;
	int c;

	if (a->is_num != b->is_num)
		return a->is_num ? -1 : 1;
	if (a->is_num && a->key_is_int && b->key_is_int)
		return (a->ival > b->ival) - (a->ival < b->ival);
	if (a->is_num)
		return (a->num > b->num) - (a->num < b->num);
	c = memcmp(a->str, b->str, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Upvalues: 1 the sorted keys, 2 the table as given, 3 the position.
 * Like next, it is called as it(t, key): t must be that table. */
static int spairs_next(lua_State *L)
{
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;

	if (!lua_rawequal(L, 1, lua_upvalueindex(2)))
		return luaL_argerror(L, 1, "not the table this spairs iterator "
				     "walks");
	lua_pushinteger(L, i);
	lua_replace(L, lua_upvalueindex(3));
	if (lua_rawgeti(L, lua_upvalueindex(1), i) == LUA_TNIL)
		return 1;
	lua_pushvalue(L, -1);
	lua_gettable(L, lua_upvalueindex(2));
	return 2;
}

static int l_spairs(lua_State *L)
{
	struct skey *keys;
	size_t n = 0, i;
	int t;

	luaL_checktype(L, 1, LUA_TTABLE);
	ag_sandbox_push_unwrapped(L, 1);
	t = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		int kt = lua_type(L, -2);

		lua_pop(L, 1);
		if (kt != LUA_TNUMBER && kt != LUA_TSTRING)
			return luaL_error(L, "spairs: cannot order a %s key",
					  lua_typename(L, kt));
		n++;
	}
	/* The key array is Lua memory: counted against the cap, and freed
	 * by the collector when an allocation below raises an error. */
	keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof(*keys), 0);
	i = 0;
	lua_pushnil(L);
	while (lua_next(L, t) && i < n) {
		int kt = lua_type(L, -2);

		lua_pop(L, 1);
		/* t holds its keys (and no Lua code runs here), so the
		 * string pointers stay valid. */
		keys[i].is_num = kt == LUA_TNUMBER;
		keys[i].num = keys[i].is_num ? lua_tonumber(L, -1) : 0;
		keys[i].str = keys[i].is_num ? NULL :
			lua_tolstring(L, -1, &keys[i].len);
		keys[i].key_is_int = lua_isinteger(L, -1);
		keys[i].ival = keys[i].key_is_int ? lua_tointeger(L, -1) : 0;
		i++;
	}
	lua_settop(L, t + 1);
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_skey);
	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		if (!keys[i].is_num)
			lua_pushlstring(L, keys[i].str, keys[i].len);
		else if (keys[i].key_is_int)
			lua_pushinteger(L, keys[i].ival);
		else
			lua_pushnumber(L, keys[i].num);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_pushvalue(L, 1);	/* read through the original (proxy) */
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, spairs_next, 3);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

int ag_luaview_ctx_time(lua_State *L)
{
	time_t t;

	if (lua_type(L, 1) != LUA_TSTRING ||
	    ag_time_parse(lua_tostring(L, 1), &t) < 0) {
		lua_pushnil(L);
		return 1;
	}
	lua_pushinteger(L, (lua_Integer)t);
	return 1;
}

void ag_luaview_register_helpers(struct ag_sandbox *s)
{
	static const struct {
		const char *name;
		lua_Integer mask;
	} bits[] = {
		{ "APSC", 0x80000000 }, { "MEX4K", 0x40000000 },
		{ "CRT4K", 0x20000000 }, { "CCA", 0x10000000 },
		{ "ACCEL", 0x08000000 }, { "EP11", 0x04000000 },
		{ "APXA", 0x02000000 }, { "SLCF", 0x01000000 },
		{ "FULL", 0x00800000 }, { "RESTRICTED", 0x00400000 },
		{ "MODE_MASK", 0x1C000000 }, { "BS_MASK", 0x0000C000 },
	};
	static const luaL_Reg apqn_lib[] = {
		{ "parse", l_apqn_parse },
		{ "format", l_apqn_format },
		{ NULL, NULL },
	};
	lua_State *L = ag_sandbox_state(s);
	size_t i;

	luaL_newlib(L, apqn_lib);
	ag_sandbox_push_readonly(L);
	ag_sandbox_set_global(s, "apqn");

	lua_pushcfunction(L, l_spairs);
	ag_sandbox_set_global(s, "spairs");

	lua_createtable(L, 0, (int)AG_ARRAY_SIZE(bits));
	for (i = 0; i < AG_ARRAY_SIZE(bits); i++) {
		lua_pushinteger(L, bits[i].mask);
		lua_setfield(L, -2, bits[i].name);
	}
	ag_sandbox_push_readonly(L);
	ag_sandbox_set_global(s, "ap_functions");
}
