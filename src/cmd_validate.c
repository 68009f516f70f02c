/* cmd_validate.c - `apgate validate`: are these descriptors and host
 * inventories well-formed? */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "descriptor.h"
#include "exitcode.h"
#include "inventory.h"

static const char validate_help[] =
"Usage: apgate validate [-q] FILE...\n"
"Check AP descriptor files and host inventories (format v1, YAML or JSON;\n"
"- = stdin; an inventory starts with apgate-inventory: 1) against their\n"
"format's rules.  Prints 'FILE: ok' for each valid file and the first\n"
"violation of each invalid one as 'apgate: FILE:LINE:COL: message'.\n"
"\n"
"  -q, --quiet   print nothing for valid files\n"
"  -h, --help    show this help\n"
"\n"
"Exit status: 0 all valid, 1 some file invalid, 2 usage error.\n";

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, status = AG_EXIT_OK;
	bool quiet = false;

	while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': quiet = true; break;
		case 'h': fputs(validate_help, stdout); return AG_EXIT_OK;
		default: return ag_cli_option_error("validate", argv, opts);
		}
	}
	if (optind >= argc)
		return ag_cli_usage_error("validate", "no descriptor file given");
	for (; optind < argc; optind++) {
		struct ag_descriptor *d = NULL;
		struct ag_inventory *inv = NULL;
		struct ag_error err;

		if (ag_document_load_file(argv[optind], &d, &inv, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			status = AG_EXIT_REJECT;
			continue;
		}
		if (!quiet)
			printf("%s: ok\n", argv[optind]);
		ag_descriptor_free(d);
		ag_inventory_free(inv);
	}
	return status;
}
