/* timeutil.c - placeholder until implemented. */
