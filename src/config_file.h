/* config_file.h - placeholder. */
