/* cmd_policytools.c - placeholder until implemented. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "exitcode.h"

int cmd_test(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("test: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_lint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("lint: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_policies(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("policies: not implemented yet");
	return AG_EXIT_ERROR;
}
