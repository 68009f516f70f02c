/* descriptor.c - placeholder until implemented. */
