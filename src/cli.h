/* cli.h - placeholder. */
