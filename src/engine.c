/* engine.c - placeholder until implemented. */
