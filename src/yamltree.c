/* yamltree.c - placeholder until implemented. */
