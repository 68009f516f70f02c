/* luaview.h - placeholder. */
