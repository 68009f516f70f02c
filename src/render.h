/* render.h - placeholder. */
