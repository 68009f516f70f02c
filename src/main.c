/* main.c - apgate(1): dispatch to subcommands. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lua.h>

#include "cli.h"
#include "commands.h"
#include "exitcode.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "decide whether a guest may migrate (source vs target)" },
	{ "validate", cmd_validate, "check descriptor files against format v1" },
	{ "show", cmd_show, "print a descriptor readably, or normalised" },
	{ "collect", cmd_collect, "describe a vfio-ap mdev of this host (sysfs, mdevctl)" },
	{ "export", cmd_export, "print the source descriptor as libvirt domain metadata" },
	{ "place", cmd_place, "which hosts could take each guest (a whole fleet)" },
	{ "hook", cmd_hook, "libvirt qemu hook: refuse incompatible incoming migrations" },
	{ "block", cmd_block, "hold migrations of an mdev (e.g. during a key change)" },
	{ "unblock", cmd_unblock, "lift a migration block" },
	{ "blocks", cmd_blocks, "list migration blocks" },
	{ "waive", cmd_waive, "let one guest through one rule until a time" },
	{ "unwaive", cmd_unwaive, "withdraw a waiver" },
	{ "waivers", cmd_waivers, "list waivers and where they come from" },
	{ "audit", cmd_audit, "verify or search the decision log" },
	{ "report", cmd_report, "render decisions as an HTML or Markdown report" },
	{ "test", cmd_test, "run policy test cases" },
	{ "lint", cmd_lint, "check policy files for mistakes" },
	{ "policies", cmd_policies, "list the rules and parameters in force" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: apgate COMMAND [OPTION]...\n"
	      "Decide whether a KVM guest on IBM Z with a vfio-ap crypto device\n"
	      "may migrate to another host, and explain why.\n\nCommands:\n",
	      out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("  help       show this help, or a command's: apgate help COMMAND\n"
	      "  version    show the version\n"
	      "\nRun 'apgate COMMAND --help' for a command's options; see apgate(1).\n"
	      "Exit status: 0 accept/warn/success, 1 reject/invalid input,\n"
	      "2 error, 3 warn with --fail-on-warn.\n", out);
}

/* What a command printed must have reached stdout: a full disk or a
 * closed pipe is an error with a message, never a silent success. */
static int close_stdout(int status)
{
	if (ag_cli_flush_stdout("the output") < 0)
		return AG_EXIT_ERROR;
	if (fclose(stdout) != 0) {
		ag_cli_msg("cannot write the output to standard output: %s",
			   strerror(errno));
		return AG_EXIT_ERROR;
	}
	return status;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	return close_stdout(run(argc, argv));
}

static int run(int argc, char **argv)
{
	const char *cmd;
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return AG_EXIT_ERROR;
	}
	cmd = argv[1];
	/* Option errors are reported by the command, in one line. */
	opterr = 0;
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    (!strcmp(cmd, "help") && argc == 2)) {
		usage(stdout);
		return AG_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("%s %s (%s)\n", PACKAGE_NAME, PACKAGE_VERSION, LUA_RELEASE);
		return AG_EXIT_OK;
	}
	if (!strcmp(cmd, "help")) {
		/* "apgate help check" is "apgate check --help" */
		static char help_opt[] = "--help";
		char *args[] = { argv[2], help_opt, NULL };

		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[2], commands[i].name))
				return commands[i].run(2, args);
		ag_cli_msg("no such command '%s'; try 'apgate --help'", argv[2]);
		return AG_EXIT_ERROR;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	ag_cli_msg("no such command '%s'; try 'apgate --help'", cmd);
	return AG_EXIT_ERROR;
}
