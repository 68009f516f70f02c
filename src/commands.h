/* commands.h - placeholder. */
