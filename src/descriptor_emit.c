/* descriptor_emit.c - placeholder until implemented. */
