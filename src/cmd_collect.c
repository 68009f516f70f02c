/* cmd_collect.c - placeholder until implemented. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "exitcode.h"

int cmd_collect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("collect: not implemented yet");
	return AG_EXIT_ERROR;
}
