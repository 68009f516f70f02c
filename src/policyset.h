/* policyset.h - placeholder. */
