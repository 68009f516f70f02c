/* policyset.c - placeholder until implemented. */
