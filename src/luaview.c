/* luaview.c - placeholder until implemented. */
