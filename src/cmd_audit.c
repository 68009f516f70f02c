/* cmd_audit.c - placeholder until implemented. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "exitcode.h"

int cmd_audit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("audit: not implemented yet");
	return AG_EXIT_ERROR;
}

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ag_cli_msg("report: not implemented yet");
	return AG_EXIT_ERROR;
}
