/* verdict.c - placeholder until implemented. */
