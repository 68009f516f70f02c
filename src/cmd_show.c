/* cmd_show.c - placeholder until implemented. */
