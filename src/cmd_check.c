/* cmd_check.c - `apgate check`: may this guest move from source to target? */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "cli.h"
#include "collect.h"
#include "notes.h"
#include "commands.h"
#include "decide.h"
#include "domxml.h"
#include "exitcode.h"
#include "fixscript.h"
#include "render.h"
#include "util.h"

static const char check_help[] =
"Usage: apgate check (--source FILE|--source-xml FILE) --target FILE [OPTION]...\n"
"Decide whether the guest whose AP configuration is described by the source\n"
"descriptor may migrate to the target, and explain why.\n"
"\n"
"  -s, --source FILE      source-side descriptor (YAML or JSON; - = stdin),\n"
"                         or 'live' to collect it on this host (--mdev)\n"
"  -x, --source-xml FILE  take the source descriptor from a libvirt domain\n"
"                         XML's apgate <metadata> (e.g. virsh dumpxml)\n"
"  -t, --target FILE      target-side descriptor, or 'live' to collect the\n"
"                         target on this host (--mdev)\n"
"  -m, --mdev UUID        the mdev to collect for a 'live' side (with\n"
"                         --source-xml: defaults to the guest's vfio-ap mdev)\n"
"  -f, --format FORMAT    text (default) or json\n"
"  -e, --explain          with text: evidence, remedies (fix: lines),\n"
"                         inputs, policies and the result of every rule\n"
"      --fix-script       print the remedies' commands as a shell script\n"
"                         for review (grouped by host, never run by\n"
"                         apgate) instead of the verdict; excludes\n"
"                         --format json and --explain\n"
"      --fail-on-warn     exit 3 on a warn verdict\n"
"      --enforcement MODE enforce, or dryrun: decide and record as usual,\n"
"                         but exit as if every reject were a warn\n"
"                         (default: enforcement of apgate.yaml)\n"
"  -h, --help             show this help\n"
"\n"
"%s"
"\n"
"Exit status: 0 accept or warn, 1 reject, 2 error (bad input, policy\n"
"failure; in a dry run too), 3 warn with --fail-on-warn.  A reject that is\n"
"not enforced (dry run) exits like a warn.\n";

/* A side collected on this host, with this host's migration blocks. */
static int load_live(const struct ag_config *cfg, const char *uuid, time_t now,
		     struct ag_descriptor **out, struct ag_error *err)
{
	struct ag_collect_opts co = { 0 };
	struct ag_notes notes = { 0 };
	struct ag_blockstore bs;
	size_t i;
	int rc;

	if (!uuid) {
		ag_error_set(err, "a 'live' side needs --mdev UUID");
		return -1;
	}
	co.uuid = uuid;
	co.source = AG_COLLECT_AUTO;
	co.keys_file = cfg->keys_file;
	co.insecure = cfg->insecure_policies;
	co.now = now;
	co.labels = &cfg->labels;	/* a live side is this host */
	rc = ag_collect_notes(&co, out, &notes, err);
	/* What collection noticed (keys not visible, guest_matrix narrower
	 * than matrix...) explains findings to come. */
	for (i = 0; i < notes.n; i++)
		ag_cli_msg("%s", notes.lines[i]);
	ag_notes_free(&notes);
	if (rc < 0)
		return -1;
	if (ag_blocks_load(cfg->state_dir, &bs, err) < 0) {
		ag_descriptor_free(*out);
		*out = NULL;
		return -1;
	}
	ag_blocks_apply(&bs, (*out)->mdev.uuid, now, *out);
	ag_blockstore_free(&bs);
	return 0;
}

/* Load one side: a file, "live", or (source only) a domain XML. */
static void load_side(struct ag_verdict *v, const struct ag_config *cfg,
		      const char *path, const char *xml, const char *uuid,
		      time_t now, struct ag_descriptor **out,
		      char xml_uuid[AG_UUID_LEN])
{
	struct ag_error err;
	int rc;

	if (xml)
		rc = ag_domxml_load_source(xml, out, xml_uuid, NULL, &err);
	else if (strcmp(path, "live") == 0)
		rc = load_live(cfg, uuid, now, out, &err);
	else
		rc = ag_descriptor_load_file(path, out, &err);
	if (rc < 0)
		ag_verdict_add_error(v, "input", "%s", err.msg);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "source-xml", required_argument, NULL, 'x' },
		{ "mdev", required_argument, NULL, 'm' },
		{ "target", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "explain", no_argument, NULL, 'e' },
		{ "fail-on-warn", no_argument, NULL, 'W' },
		{ "enforcement", required_argument, NULL, 'E' },
		{ "fix-script", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		AG_CLI_POLICY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *src_path = NULL, *tgt_path = NULL, *format = "text";
	const char *src_xml = NULL, *mdev = NULL, *enforcement = NULL;
	enum ag_enforcement mode = AG_ENFORCE;
	char xml_uuid[AG_UUID_LEN] = "";
	bool config_ok;
	struct ag_descriptor *src = NULL, *tgt = NULL;
	struct ag_cli_policy pol = { 0 };
	struct ag_decide_input in = { 0 };
	bool explain = false, fail_on_warn = false, json, fix_script = false;
	struct ag_verdict v;
	struct ag_config cfg;
	struct ag_error err;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "s:x:m:t:f:eh", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 's': src_path = optarg; break;
		case 'x': src_xml = optarg; break;
		case 'm': mdev = optarg; break;
		case 't': tgt_path = optarg; break;
		case 'f': format = optarg; break;
		case 'e': explain = true; break;
		case 'W': fail_on_warn = true; break;
		case 'E': enforcement = optarg; break;
		case 'F': fix_script = true; break;
		case 'h':
			printf(check_help, ag_cli_policy_help);
			ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default:
			ag_cli_policy_free(&pol);
			return ag_cli_option_error("check", argv, opts);
		}
	}
	status = AG_EXIT_ERROR;
	if (optind < argc) {
		ag_cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
		goto out_pol;
	}
	if (src_path && src_xml) {
		ag_cli_usage_error("check", "--source and --source-xml exclude each "
				   "other");
		goto out_pol;
	}
	if (src_xml)
		src_path = src_xml;
	if (!src_path || !tgt_path) {
		ag_cli_usage_error("check", "both --source and --target are required");
		goto out_pol;
	}
	if (mdev && !ag_uuid_valid(mdev, true)) {
		ag_cli_usage_error("check", "--mdev %s: not a UUID", mdev);
		goto out_pol;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		ag_cli_usage_error("check", "--format must be text or json, not '%s'",
				   format);
		goto out_pol;
	}
	/* The script replaces the verdict on stdout: one document there. */
	if (fix_script && (strcmp(format, "text") || explain)) {
		ag_cli_usage_error("check", "--fix-script prints a shell script "
				   "instead of the verdict: it excludes --format "
				   "json and --explain");
		goto out_pol;
	}
	if (enforcement && ag_enforcement_parse(enforcement, false, &mode) < 0) {
		ag_cli_usage_error("check", "--enforcement must be enforce or "
				   "dryrun, not '%s'", enforcement);
		goto out_pol;
	}
	if (strcmp(src_path, "-") == 0 && strcmp(tgt_path, "-") == 0) {
		ag_cli_usage_error("check", "only one of --source and --target can "
				   "be read from stdin");
		goto out_pol;
	}
	json = strcmp(format, "json") == 0;

	ag_verdict_init(&v);
	config_ok = ag_cli_policy_finish(&pol, &cfg, &in.now, &err) == 0;
	if (!config_ok) {
		/* A broken configuration is an error verdict, not a usage
		 * error: the hook path must fail closed the same way. */
		ag_verdict_add_error(&v, "config", "%s", err.msg);
	} else {
		if (enforcement)
			cfg.enforcement = mode;
		load_side(&v, &cfg, src_path, src_xml, mdev, in.now, &src,
			  xml_uuid);
		/* The guest's own mdev is the natural target of a pre-flight
		 * "can this guest go to this host?". */
		load_side(&v, &cfg, tgt_path, NULL,
			  mdev ? mdev : xml_uuid[0] ? xml_uuid : NULL, in.now,
			  &tgt, NULL);
	}

	in.cfg = &cfg;
	in.caller = "check";
	in.src = v.n_findings ? NULL : src;
	in.tgt = v.n_findings ? NULL : tgt;
	in.src_path = src_path;
	in.tgt_path = tgt_path;
	ag_decide(&in, &v);
	/* Sides that did load are still worth naming in the verdict. */
	if (!in.src && src)
		ag_verdict_set_side(&v.source, src_path, src);
	if (!in.tgt && tgt)
		ag_verdict_set_side(&v.target, tgt_path, tgt);

	if (!json && v.kind == AG_VERDICT_ERROR) {
		size_t i;

		for (i = 0; i < v.n_findings; i++)
			if (v.findings[i].severity == AG_SEV_ERROR)
				ag_cli_msg("%s", v.findings[i].message);
	}
	if (fix_script)
		ag_render_fix_script(&v, stdout);
	else if (json)
		ag_render_json(&v, stdout);
	else
		ag_render_text(&v, stdout, explain);
	status = ag_exit_status(v.enforced_kind, fail_on_warn);
	if (ag_cli_flush_stdout("the verdict") < 0)
		status = AG_EXIT_ERROR;

	ag_verdict_free(&v);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return status;
}
