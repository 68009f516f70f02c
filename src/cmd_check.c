/* cmd_check.c - `apgate check`: may this guest move from source to target? */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "decide.h"
#include "exitcode.h"
#include "render.h"

static const char check_help[] =
"Usage: apgate check --source FILE --target FILE [OPTION]...\n"
"Decide whether the guest whose AP configuration is described by the source\n"
"descriptor may migrate to the target, and explain why.\n"
"\n"
"  -s, --source FILE      source-side descriptor (YAML or JSON; - = stdin)\n"
"  -t, --target FILE      target-side descriptor\n"
"  -f, --format FORMAT    text (default) or json\n"
"  -e, --explain          with text: evidence, inputs, policies and the\n"
"                         result of every rule\n"
"      --fail-on-warn     exit 3 on a warn verdict\n"
"  -h, --help             show this help\n"
"\n"
"%s"
"\n"
"Exit status: 0 accept or warn, 1 reject, 2 error (bad input, policy\n"
"failure), 3 warn with --fail-on-warn.\n";

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "target", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "explain", no_argument, NULL, 'e' },
		{ "fail-on-warn", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		AG_CLI_POLICY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *src_path = NULL, *tgt_path = NULL, *format = "text";
	struct ag_descriptor *src = NULL, *tgt = NULL;
	struct ag_cli_policy pol = { 0 };
	struct ag_decide_input in = { 0 };
	bool explain = false, fail_on_warn = false, json;
	struct ag_verdict v;
	struct ag_config cfg;
	struct ag_error err;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "s:t:f:eh", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 's': src_path = optarg; break;
		case 't': tgt_path = optarg; break;
		case 'f': format = optarg; break;
		case 'e': explain = true; break;
		case 'W': fail_on_warn = true; break;
		case 'h':
			printf(check_help, ag_cli_policy_help);
			ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default:
			ag_cli_policy_free(&pol);
			return ag_cli_usage_error("check", "invalid option");
		}
	}
	status = AG_EXIT_ERROR;
	if (optind < argc) {
		ag_cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
		goto out_pol;
	}
	if (!src_path || !tgt_path) {
		ag_cli_usage_error("check", "both --source and --target are required");
		goto out_pol;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		ag_cli_usage_error("check", "--format must be text or json, not '%s'",
				   format);
		goto out_pol;
	}
	if (strcmp(src_path, "-") == 0 && strcmp(tgt_path, "-") == 0) {
		ag_cli_usage_error("check", "only one of --source and --target can "
				   "be read from stdin");
		goto out_pol;
	}
	json = strcmp(format, "json") == 0;

	ag_verdict_init(&v);
	if (ag_cli_policy_finish(&pol, &cfg, &in.now, &err) < 0) {
		/* A broken configuration is an error verdict, not a usage
		 * error: the hook path must fail closed the same way. */
		ag_verdict_add_error(&v, "config", "%s", err.msg);
	}
	if (ag_descriptor_load_file(src_path, &src, &err) < 0)
		ag_verdict_add_error(&v, "input", "%s", err.msg);
	if (ag_descriptor_load_file(tgt_path, &tgt, &err) < 0)
		ag_verdict_add_error(&v, "input", "%s", err.msg);

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
	if (json)
		ag_render_json(&v, stdout);
	else
		ag_render_text(&v, stdout, explain);
	status = ag_exit_status(v.kind, fail_on_warn);
	if (fflush(stdout) != 0) {
		ag_cli_msg("cannot write the verdict: output error");
		status = AG_EXIT_ERROR;
	}

	ag_verdict_free(&v);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return status;
}
