/* cmd_export.c - `apgate export`: this host's descriptor of a vfio-ap
 * mdev (with its labels and migration blocks) as the libvirt <metadata>
 * element the target's hook reads.  Split from cmd_hook.c. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocks.h"
#include "cli.h"
#include "collect.h"
#include "commands.h"
#include "domxml.h"
#include "exitcode.h"
#include "util.h"

enum { OPT_STATE_DIR = 2000, OPT_FROM, OPT_KEYS, OPT_MDEVCTL, OPT_DOMAIN,
       OPT_VIRSH, OPT_NO_BLOCKS };

static const char export_help[] =
"Usage: apgate export (--mdev UUID | --from FILE) [OPTION]...\n"
"Print this host's descriptor of a vfio-ap mdev as the libvirt <metadata>\n"
"element that the target's hook reads, including the mdev's migration\n"
"blocks in force here.  Set it on the source guest with:\n"
"  virsh metadata GUEST --uri " AG_XMLNS_URI " \\\n"
"        --key " AG_XMLNS_KEY " --set \"$(apgate export --mdev UUID)\" --live --config\n"
"and refresh it after every reassignment or master-key change.  A live\n"
"descriptor carries this host's labels (labels: of apgate.yaml) as\n"
"host_labels, which the target's policies see as src.labels; --from FILE\n"
"keeps the file's own.\n"
"\n"
"  -m, --mdev UUID        collect the mdev live (sysfs, or its mdevctl\n"
"                         definition when it is not started)\n"
"      --from FILE        use a descriptor file instead of collecting\n"
"      --mdevctl          collect from the mdevctl definition\n"
"      --keys FILE        merge declared master keys (default: keys_file of\n"
"                         apgate.yaml)\n"
"      --no-blocks        leave this host's migration blocks out\n"
"      --domain NAME      with --virsh: the guest's libvirt name\n"
"      --virsh            print the complete virsh command instead\n"
"      --state-dir DIR    where migration blocks are kept\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 printed, 2 error.\n";

/* Quote for a POSIX shell: '...' with embedded quotes as '\''. */
static void print_shell_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mdev", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "mdevctl", no_argument, NULL, OPT_MDEVCTL },
		{ "keys", required_argument, NULL, OPT_KEYS },
		{ "no-blocks", no_argument, NULL, OPT_NO_BLOCKS },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "virsh", no_argument, NULL, OPT_VIRSH },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "config", required_argument, NULL, AG_OPT_CONFIG },
		{ "no-config", no_argument, NULL, AG_OPT_NO_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *uuid = NULL, *from = NULL, *keys = NULL, *domain = NULL;
	const char *state_dir = NULL;
	bool mdevctl = false, no_blocks = false, virsh = false;
	struct ag_collect_opts co = { 0 };
	struct ag_cli_policy pol = { 0 };
	struct ag_descriptor *d = NULL;
	struct ag_blockstore bs;
	struct ag_config cfg;
	struct ag_error err;
	time_t now;
	char *elem;
	int opt, status = AG_EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'm': uuid = optarg; break;
		case OPT_FROM: from = optarg; break;
		case OPT_MDEVCTL: mdevctl = true; break;
		case OPT_KEYS: keys = optarg; break;
		case OPT_NO_BLOCKS: no_blocks = true; break;
		case OPT_DOMAIN: domain = optarg; break;
		case OPT_VIRSH: virsh = true; break;
		case OPT_STATE_DIR: state_dir = optarg; break;
		case 'h':
			fputs(export_help, stdout);
			ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default:
			ag_cli_policy_free(&pol);
			return ag_cli_option_error("export", argv, opts);
		}
	}
	/* --virsh prints a command that runs `apgate export --mdev` on the
	 * source host; a file cannot be named there. */
	if (virsh && from) {
		ag_cli_policy_free(&pol);
		return ag_cli_usage_error("export", "--virsh and --from FILE do "
					  "not combine: --virsh prints a command "
					  "that collects --mdev UUID live");
	}
	if (optind < argc || !uuid == !from) {
		ag_cli_policy_free(&pol);
		return ag_cli_usage_error("export", "give exactly one of --mdev "
					  "UUID and --from FILE");
	}
	if (virsh && (!domain || !uuid)) {
		ag_cli_policy_free(&pol);
		return ag_cli_usage_error("export", "--virsh needs --domain NAME "
					  "and --mdev UUID");
	}
	if (uuid && !ag_uuid_valid(uuid, true)) {
		ag_cli_policy_free(&pol);
		return ag_cli_usage_error("export", "--mdev %s: not a UUID", uuid);
	}
	if (ag_cli_policy_finish(&pol, &cfg, &now, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		goto out;
	}
	if (virsh) {
		/* The command re-runs export where virsh runs: no collection
		 * now, and the element is never pasted by hand. */
		printf("virsh metadata ");
		print_shell_quoted(domain);
		printf(" --uri %s --key %s --set \"$(apgate export --mdev %s)\" "
		       "--live --config\n", AG_XMLNS_URI, AG_XMLNS_KEY, uuid);
		status = AG_EXIT_OK;
		goto out;
	}
	if (from) {
		if (ag_descriptor_load_file(from, &d, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			goto out;
		}
	} else {
		co.uuid = uuid;
		co.source = mdevctl ? AG_COLLECT_MDEVCTL : AG_COLLECT_AUTO;
		co.keys_file = keys ? keys : cfg.keys_file;
		co.insecure = cfg.insecure_policies;
		co.now = now;
		co.labels = &cfg.labels;
		if (ag_collect(&co, &d, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			goto out;
		}
	}
	if (!no_blocks) {
		if (ag_blocks_load(state_dir ? state_dir : cfg.state_dir, &bs,
				   &err) < 0) {
			ag_cli_msg("%s", err.msg);
			goto out;
		}
		ag_blocks_apply(&bs, d->mdev.uuid, now, d);
		ag_blockstore_free(&bs);
	}
	elem = ag_domxml_metadata_element(d, &err);
	if (!elem) {
		ag_cli_msg("%s", err.msg);
		goto out;
	}
	puts(elem);
	free(elem);
	status = ag_cli_flush_stdout("the metadata element") == 0 ?
		AG_EXIT_OK : AG_EXIT_ERROR;
out:
	ag_descriptor_free(d);
	ag_config_free(&cfg);
	ag_cli_policy_free(&pol);
	return status;
}
