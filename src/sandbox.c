/* sandbox.c - placeholder until implemented. */
