/* cmd_hook.c - placeholder until implemented. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "exitcode.h"

int cmd_hook(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("hook: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("export: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_block(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("block: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_unblock(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("unblock: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_blocks(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("blocks: not implemented yet");
	return AG_EXIT_ERROR;
}
