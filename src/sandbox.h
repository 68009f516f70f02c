/* sandbox.h - placeholder. */
