/* descriptor_load.c - placeholder until implemented. */
