/* config_file.c - placeholder until implemented. */
