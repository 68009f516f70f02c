/* cmd_validate.c - placeholder until implemented. */
