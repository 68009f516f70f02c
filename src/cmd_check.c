/* cmd_check.c - placeholder until implemented. */
