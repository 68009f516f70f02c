/* render.c - placeholder until implemented. */
