/* cmd_collect.c - `apgate collect`: the live descriptor of one vfio-ap
 * mdev of this host (--mdev), every mdev of the host (--all), the whole
 * host as an inventory (--inventory), or the master keys a guest sees
 * (--guest). */
#include "config.h"

#define _GNU_SOURCE 1	/* open_memstream */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collect.h"
#include "commands.h"
#include "config_file.h"
#include "exitcode.h"
#include "inventory.h"
#include "timeutil.h"
#include "util.h"

static const char collect_help[] =
"Usage: apgate collect --mdev UUID [OPTION]...\n"
"   or: apgate collect --all [--format text|json]\n"
"   or: apgate collect --inventory [OPTION]...\n"
"   or: apgate collect --guest [OPTION]...\n"
"Describe a vfio-ap mediated device of this host as an AP descriptor: its\n"
"assignment (matrix, control_domains; guest_matrix and ap_config are\n"
"compared with it), and every card and queue behind its APQNs, read\n"
"through libudev.  Only the devices the mdev needs are read, and nothing\n"
"is ever written to sysfs.  An mdev that is defined but not started is\n"
"described from its mdevctl definition (state: defined).\n"
"\n"
"The host cannot see the master keys of queues bound to vfio_ap: the\n"
"descriptor then has no mkvps for them, and a note says so.  Merge keys\n"
"declared by the security team, or read inside the guest with --guest,\n"
"with --keys.\n"
"\n"
"  -m, --mdev UUID        the mdev to describe\n"
"      --mdevctl          describe the mdevctl definition\n"
"                         (/etc/mdevctl.d/matrix/UUID), even when active\n"
"      --sysfs            describe the active mdev only; an mdev that is\n"
"                         not started is an error\n"
"  -k, --keys FILE        merge master keys from FILE (apgate-keys format,\n"
"                         origin declared or guest) into queues whose keys\n"
"                         the host cannot see\n"
"  -H, --host NAME        host name to record (default: this host's name)\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"                         (its labels become the descriptor's or\n"
"                         inventory's host_labels)\n"
"      --no-config        read no configuration file (no host_labels)\n"
"      --now TIME         record TIME (RFC 3339) as the collection time\n"
"                         instead of the clock\n"
"  -a, --all              list every vfio_ap mdev of this host (active and\n"
"                         defined) with its APQNs\n"
"  -I, --inventory        the whole host as an inventory (apgate-inventory:\n"
"                         1): every card and queue of the AP bus (read\n"
"                         once) with driver and assigned mdev, every\n"
"                         vfio_ap mdev, the LPAR masks, the blocks in force\n"
"                         and the labels of apgate.yaml; --keys (default:\n"
"                         keys_file of apgate.yaml) merges declared keys\n"
"      --state-dir DIR    with --inventory: blocks from DIR/blocks.json\n"
"                         (default: state_dir of apgate.yaml)\n"
"  -g, --guest            inside a guest: print the master keys of the\n"
"                         queues it sees, as a keys file (origin guest)\n"
"      --mdevctl-dir DIR  read mdevctl definitions below DIR instead of\n"
"                         /etc/mdevctl.d\n"
"  -f, --format FORMAT    yaml (default) or json; with --all text (default)\n"
"                         or json\n"
"  -o, --output FILE      write to FILE atomically instead of stdout\n"
"  -q, --quiet            print no warnings or notes\n"
"  -h, --help             show this help\n"
"\n"
"With --mdev and --inventory the configuration is read as by check: a\n"
"broken file is an error, a missing default file means no labels.\n"
"\n"
"Warnings and notes (matrix and guest_matrix differ, a card or queue is\n"
"absent, master keys are not visible) go to stderr.\n"
"\n"
"Exit status: 0 collected, 2 error (no AP bus, no vfio_ap, unknown mdev,\n"
"a malformed apgate.yaml or blocks.json with --inventory,\n"
"mdev not started with --sysfs, a malformed sysfs attribute, mdevctl\n"
"definition or keys file, usage error).\n";

enum {
	OPT_MDEVCTL = 1100,
	OPT_SYSFS,
	OPT_NOW,
	OPT_MDEVCTL_DIR,
	OPT_STATE_DIR,
};

static void print_notes(const struct ag_notes *notes, bool quiet)
{
	size_t i;

	for (i = 0; !quiet && i < notes->n; i++)
		ag_cli_msg("%s", notes->lines[i]);
}

/* Emit into memory, then write atomically (or to stdout for "-"). */
static int write_out(const char *path, const char *data, size_t len)
{
	struct ag_error err;

	if (ag_write_file_atomic(path ? path : "-", data, len, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_ERROR;
	}
	return AG_EXIT_OK;
}

static int write_json(const char *path, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE);
	char *buf = xasprintf("%s\n", s);
	int rc = write_out(path, buf, strlen(buf));

	free(buf);
	return rc;
}

typedef int (*yaml_writer)(const void *obj, FILE *out, struct ag_error *err);

/* A collected document: its JSON form when json is given, else the YAML
 * that emit writes; either way written atomically (stdout for NULL). */
static int write_doc(const char *path, json_object *json, yaml_writer emit,
		     const void *obj)
{
	struct ag_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (json) {
		rc = write_json(path, json);
		json_object_put(json);
		return rc;
	}
	mem = open_memstream(&buf, &len);
	if (!mem) {
		ag_cli_msg("cannot allocate the output buffer");
		return AG_EXIT_ERROR;
	}
	rc = emit(obj, mem, &err);
	if (fclose(mem) != 0 || rc < 0) {
		ag_cli_msg("%s", rc < 0 ? err.msg : "cannot write YAML");
		free(buf);
		return AG_EXIT_ERROR;
	}
	rc = write_out(path, buf, len);
	free(buf);
	return rc;
}

static int emit_descriptor(const void *d, FILE *out, struct ag_error *err)
{
	return ag_descriptor_emit_yaml(d, out, err);
}

static int emit_keys(const void *k, FILE *out, struct ag_error *err)
{
	return ag_keys_emit_yaml(k, out, err);
}

static int write_descriptor(const char *path, bool json,
			    const struct ag_descriptor *d)
{
	return write_doc(path, json ? ag_descriptor_to_json(d) : NULL,
			 emit_descriptor, d);
}

static int emit_inventory(const void *inv, FILE *out, struct ag_error *err)
{
	return ag_inventory_emit_yaml(inv, out, err);
}

/* --inventory: the configuration gives labels, the state directory and
 * the keys file; options override the last two. */
static int collect_inventory(struct ag_inventory_opts *io,
			     struct ag_cli_policy *pol, const char *output,
			     bool json, bool quiet)
{
	struct ag_notes notes = { 0 };
	struct ag_inventory *inv;
	struct ag_config cfg;
	struct ag_error err;
	time_t ignored;
	int rc;

	/* read like check reads it (as --mdev does) */
	if (ag_cli_policy_finish(pol, &cfg, &ignored, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		ag_config_free(&cfg);
		return AG_EXIT_ERROR;
	}
	if (!io->state_dir)
		io->state_dir = cfg.state_dir;
	if (!io->keys_file)
		io->keys_file = cfg.keys_file;
	io->labels = &cfg.labels;
	rc = ag_collect_inventory(io, &inv, &notes, &err);
	print_notes(&notes, quiet);
	ag_notes_free(&notes);
	if (rc < 0) {
		ag_cli_msg("%s", err.msg);
		ag_config_free(&cfg);
		return AG_EXIT_ERROR;
	}
	rc = write_doc(output, json ? ag_inventory_to_json(inv) : NULL,
		       emit_inventory, inv);
	ag_inventory_free(inv);
	ag_config_free(&cfg);
	return rc;
}

static int write_keys(const char *path, bool json, const struct ag_keys *k)
{
	return write_doc(path, json ? ag_keys_to_json(k) : NULL, emit_keys, k);
}

/* "05,06" / "0001-0054": runs of three or more as ranges; "-" when
 * empty. */
static void id_list(FILE *f, const struct ag_idset *s, int w)
{
	int id, first = 1;

	if (!ag_idset_count(s))
		fputc('-', f);
	for (id = ag_idset_next(s, 0); id >= 0;
	     id = ag_idset_next(s, (unsigned)id + 1), first = 0) {
		int end = id;

		while (end < AG_MAX_ID && ag_idset_has(s, (unsigned)end + 1))
			end++;
		fprintf(f, "%s%0*x", first ? "" : ",", w, (unsigned)id);
		if (end - id >= 2) {
			fprintf(f, "-%0*x", w, (unsigned)end);
			id = end;
		}
	}
}

static json_object *ids_json(const struct ag_idset *s)
{
	json_object *a = json_object_new_array();
	int id;

	for (id = ag_idset_next(s, 0); id >= 0;
	     id = ag_idset_next(s, (unsigned)id + 1))
		json_object_array_add(a, json_object_new_int(id));
	return a;
}

static int list_all(const char *path, bool json, bool quiet)
{
	struct ag_notes notes = { 0 };
	struct ag_mdev_info *list;
	struct ag_error err;
	size_t n, i;
	int rc;

	if (ag_collect_list(&list, &n, &notes, &err) < 0) {
		print_notes(&notes, quiet);
		ag_notes_free(&notes);
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_ERROR;
	}
	print_notes(&notes, quiet);
	ag_notes_free(&notes);
	if (json) {
		json_object *root = json_object_new_object();
		json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			const struct ag_mdev_info *mi = &list[i];
			json_object *o = json_object_new_object();
			json_object *apqns = json_object_new_array();
			int a, d;

			json_object_object_add(o, "uuid",
					       json_object_new_string(mi->uuid));
			if (mi->type)
				json_object_object_add(o, "type",
					json_object_new_string(mi->type));
			json_object_object_add(o, "state",
				json_object_new_string(mi->active ? "active" :
						       "defined"));
			json_object_object_add(o, "defined",
				json_object_new_boolean(mi->defined));
			if (mi->start)
				json_object_object_add(o, "start",
					json_object_new_string(mi->start));
			json_object_object_add(o, "adapters",
					       ids_json(&mi->adapters));
			json_object_object_add(o, "domains",
					       ids_json(&mi->domains));
			json_object_object_add(o, "control_domains",
					       ids_json(&mi->control_domains));
			for (a = ag_idset_next(&mi->adapters, 0); a >= 0;
			     a = ag_idset_next(&mi->adapters, (unsigned)a + 1))
				for (d = ag_idset_next(&mi->domains, 0); d >= 0;
				     d = ag_idset_next(&mi->domains,
						       (unsigned)d + 1)) {
					char q[AG_APQN_LEN];

					ag_apqn_format((unsigned)a, (unsigned)d,
						       q);
					json_object_array_add(apqns,
						json_object_new_string(q));
				}
			json_object_object_add(o, "apqns", apqns);
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, "mdevs", arr);
		rc = write_json(path, root);
		json_object_put(root);
	} else {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f) {
			ag_collect_list_free(list, n);
			ag_cli_msg("cannot allocate the output buffer");
			return AG_EXIT_ERROR;
		}
		fprintf(f, "%-36s  %-7s  %-6s  %5s  %s\n", "UUID", "STATE",
			"START", "APQNS", "ADAPTERS x DOMAINS; CONTROL DOMAINS");
		for (i = 0; i < n; i++) {
			const struct ag_mdev_info *mi = &list[i];

			fprintf(f, "%-36s  %-7s  %-6s  %5zu  ", mi->uuid,
				mi->active ? "active" : "defined",
				mi->start ? mi->start : "-",
				(size_t)ag_idset_count(&mi->adapters) *
				ag_idset_count(&mi->domains));
			id_list(f, &mi->adapters, 2);
			fputs(" x ", f);
			id_list(f, &mi->domains, 4);
			fputs("; ", f);
			id_list(f, &mi->control_domains, 4);
			fputc('\n', f);
		}
		if (!n)
			fputs("(no vfio_ap mdevs)\n", f);
		if (fclose(f) != 0) {
			free(buf);
			ag_collect_list_free(list, n);
			ag_cli_msg("cannot write the table");
			return AG_EXIT_ERROR;
		}
		rc = write_out(path, buf, len);
		free(buf);
	}
	ag_collect_list_free(list, n);
	return rc;
}

int cmd_collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mdev", required_argument, NULL, 'm' },
		{ "mdevctl", no_argument, NULL, OPT_MDEVCTL },
		{ "sysfs", no_argument, NULL, OPT_SYSFS },
		{ "keys", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "all", no_argument, NULL, 'a' },
		{ "guest", no_argument, NULL, 'g' },
		{ "inventory", no_argument, NULL, 'I' },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "mdevctl-dir", required_argument, NULL, OPT_MDEVCTL_DIR },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "config", required_argument, NULL, AG_OPT_CONFIG },
		{ "no-config", no_argument, NULL, AG_OPT_NO_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ag_collect_opts o = { .source = AG_COLLECT_AUTO };
	struct ag_cli_policy pol = { 0 };
	const char *format = NULL, *output = NULL, *now = NULL;
	bool all = false, guest = false, quiet = false, mdevctl = false;
	bool sysfs = false, json, inventory = false;
	const char *state_dir = NULL;
	struct ag_notes notes = { 0 };
	struct ag_error err;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "m:k:H:agIf:o:qh", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'm': o.uuid = optarg; break;
		case OPT_MDEVCTL: mdevctl = true; break;
		case OPT_SYSFS: sysfs = true; break;
		case 'k': o.keys_file = optarg; break;
		case 'H': o.host = optarg; break;
		case OPT_NOW: now = optarg; break;
		case 'a': all = true; break;
		case 'g': guest = true; break;
		case 'I': inventory = true; break;
		case OPT_STATE_DIR: state_dir = optarg; break;
		case OPT_MDEVCTL_DIR: ag_collect_set_mdevctl_dir(optarg); break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case AG_OPT_CONFIG: pol.config_path = optarg; break;
		case AG_OPT_NO_CONFIG: pol.no_config = true; break;
		case 'h': fputs(collect_help, stdout); return AG_EXIT_OK;
		default: return ag_cli_option_error("collect", argv, opts);
		}
	}
	if (optind < argc)
		return ag_cli_usage_error("collect", "unexpected argument '%s'",
					  argv[optind]);
	if ((o.uuid != NULL) + all + guest + inventory != 1)
		return ag_cli_usage_error("collect", "give exactly one of "
					  "--mdev UUID, --all, --inventory and "
					  "--guest");
	if (mdevctl && sysfs)
		return ag_cli_usage_error("collect", "--mdevctl and --sysfs "
					  "exclude each other");
	if ((mdevctl || sysfs) && !o.uuid)
		return ag_cli_usage_error("collect", "--mdevctl and --sysfs go "
					  "with --mdev");
	if (o.keys_file && !o.uuid && !inventory)
		return ag_cli_usage_error("collect", "--keys goes with --mdev "
					  "or --inventory");
	if (state_dir && !inventory)
		return ag_cli_usage_error("collect", "--state-dir goes with "
					  "--inventory");
	if (all && (o.host || now))
		return ag_cli_usage_error("collect", "--host and --now do not "
					  "go with --all");
	if ((pol.config_path || pol.no_config) && !o.uuid && !inventory)
		return ag_cli_usage_error("collect", "--config and --no-config "
					  "go with --mdev or --inventory");
	if (!format)
		format = all ? "text" : "yaml";
	if (strcmp(format, "json") && strcmp(format, all ? "text" : "yaml"))
		return ag_cli_usage_error("collect", "--format must be %s or "
					  "json, not '%s'", all ? "text" :
					  "yaml", format);
	json = strcmp(format, "json") == 0;
	if (now && ag_time_parse(now, &o.now) < 0)
		return ag_cli_usage_error("collect", "--now: '%s' is not an "
					  "RFC 3339 date-time", now);
	if (o.uuid && !ag_uuid_valid(o.uuid, true))
		return ag_cli_usage_error("collect", "--mdev: '%s' is not a "
					  "UUID (8-4-4-4-12 hex digits)",
					  o.uuid);
	o.source = mdevctl ? AG_COLLECT_MDEVCTL : sysfs ? AG_COLLECT_SYSFS :
		   AG_COLLECT_AUTO;

	if (all)
		return list_all(output, json, quiet);
	if (inventory) {
		struct ag_inventory_opts io = {
			.keys_file = o.keys_file, .host = o.host, .now = o.now,
			.state_dir = state_dir,
		};

		return collect_inventory(&io, &pol, output, json, quiet);
	}
	if (guest) {
		struct ag_keys *k;

		rc = ag_collect_guest(o.host, o.now, &k, &notes, &err);
		print_notes(&notes, quiet);
		ag_notes_free(&notes);
		if (rc < 0) {
			ag_cli_msg("%s", err.msg);
			return AG_EXIT_ERROR;
		}
		rc = write_keys(output, json, k);
		ag_keys_free(k);
		return rc;
	}
	{
		struct ag_descriptor *d;
		struct ag_config cfg;
		time_t ignored;

		/* the labels, read like check reads the configuration */
		rc = ag_cli_policy_finish(&pol, &cfg, &ignored, &err);
		if (rc < 0) {
			ag_config_free(&cfg);
			ag_cli_msg("%s", err.msg);
			return AG_EXIT_ERROR;
		}
		o.labels = &cfg.labels;
		rc = ag_collect_notes(&o, &d, &notes, &err);
		ag_config_free(&cfg);
		print_notes(&notes, quiet);
		ag_notes_free(&notes);
		if (rc < 0) {
			ag_cli_msg("%s", err.msg);
			return AG_EXIT_ERROR;
		}
		rc = write_descriptor(output, json, d);
		ag_descriptor_free(d);
		return rc;
	}
}
