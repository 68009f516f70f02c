/* cmd_policytools.c - `apgate test`, `apgate lint` and `apgate policies`:
 * the command lines of the policy author's tools (policytest.c, lint.c;
 * the policy set as check would load it for `policies`). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "engine.h"
#include "exitcode.h"
#include "jsonsort.h"
#include "lint.h"
#include "policyset.h"
#include "policytest.h"
#include "trust.h"
#include "util.h"
#include "verdict.h"

/* The shared policy options that make sense without a decision: no audit
 * options, since these commands write no decision record. */
#define POLICY_TOOL_OPTIONS \
	{ "config", required_argument, NULL, AG_OPT_CONFIG }, \
	{ "no-config", no_argument, NULL, AG_OPT_NO_CONFIG }, \
	{ "policy-dir", required_argument, NULL, AG_OPT_POLICY_DIR }, \
	{ "param", required_argument, NULL, AG_OPT_PARAM }, \
	{ "insecure-policies", no_argument, NULL, AG_OPT_INSECURE_POLICIES }

static const char policy_tool_help[] =
"Policy options:\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file and no site policy\n"
"                         directory (built-in defaults only)\n"
"      --policy-dir DIR   load the rules in DIR instead of the default rules\n"
"                         (" AG_POLICY_DIR "); repeatable, in order\n"
"      --param NAME=VALUE set a site parameter for ctx.params (repeatable)\n"
"      --insecure-policies  skip the ownership and permission checks of\n"
"                         policy and configuration files (development only)\n";

/* --- apgate test --- */

static const char test_help[] =
"Usage: apgate test [OPTION]... TESTS...\n"
"Run policy test cases: YAML files (or directories, searched recursively for\n"
"*.yaml and *.yml) that give a source and a target descriptor and the\n"
"verdict and findings the policies must produce.  Prints one PASS or FAIL\n"
"line per case and ends with \"N passed, N failed\".\n"
"\n"
"  -f, --format FORMAT    text (default), junit or json\n"
"      --coverage         report the rules that no case made report and the\n"
"                         reject/warn/note calls no case reached\n"
"      --now TIME         evaluation time of cases that set no `now`\n"
"                         (RFC 3339; default: the clock)\n"
"  -h, --help             show this help\n"
"\n"
"%s"
"\n"
"A test file's own `policies` list replaces the configured policy set.\n"
"Exit status: 0 every case passed, 1 a case failed or no case ran,\n"
"2 usage error, bad configuration, or the report could not be written.\n";

int cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "coverage", no_argument, NULL, 'C' },
		{ "now", required_argument, NULL, AG_OPT_NOW },
		{ "help", no_argument, NULL, 'h' },
		POLICY_TOOL_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct ag_test_options o = { 0 };
	struct ag_cli_policy pol = { 0 };
	struct ag_test_summary sum;
	const char *format = "text";
	struct ag_config cfg;
	struct ag_error err;
	int opt, status = AG_EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'f': format = optarg; break;
		case 'C': o.coverage = true; break;
		case 'h':
			printf(test_help, policy_tool_help);
			ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default:
			ag_cli_policy_free(&pol);
			return ag_cli_option_error("test", argv, opts);
		}
	}
	if (strcmp(format, "text") == 0) {
		o.format = AG_TEST_TEXT;
	} else if (strcmp(format, "junit") == 0) {
		o.format = AG_TEST_JUNIT;
	} else if (strcmp(format, "json") == 0) {
		o.format = AG_TEST_JSON;
	} else {
		ag_cli_usage_error("test", "--format must be text, junit or "
				   "json, not '%s'", format);
		goto out_pol;
	}
	if (optind >= argc) {
		ag_cli_usage_error("test", "no test files or directories given");
		goto out_pol;
	}
	if (ag_cli_policy_finish(&pol, &cfg, &o.now, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		ag_config_free(&cfg);
		goto out_pol;
	}
	o.cfg = &cfg;
	if (ag_test_run(argv + optind, (size_t)(argc - optind), &o, stdout,
			&sum) < 0 || ag_cli_flush_stdout("the test report") < 0) {
		status = AG_EXIT_ERROR;
	} else if (sum.failed || sum.passed == 0) {
		if (sum.passed + sum.failed == 0)
			ag_cli_msg("no test case ran");
		status = AG_EXIT_REJECT;
	} else {
		status = AG_EXIT_OK;
	}
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return status;
}

/* --- apgate lint --- */

static const char lint_help[] =
"Usage: apgate lint [OPTION]... FILE|DIR...\n"
"Check policy files for mistakes before they decide anything.  Files load in\n"
"the order given; a directory stands for its *.lua files in lexical order.\n"
"Give the default rules first when linting site rules that replace or\n"
"disable them:  apgate lint " AG_POLICY_DIR " site/\n"
"\n"
"Errors: syntax, load (the file fails to load), undefined-global,\n"
"duplicate-id.  Warnings: global-assignment, no-description, unreachable\n"
"(replaced or disabled later), never-reports (no reject or warn call),\n"
"check-fails (a check fails on one of lint's sample inputs).\n"
"\n"
"      --strict           warnings count as errors for the exit status\n"
"      --param NAME=VALUE site parameter the checks see on the sample inputs\n"
"                         (repeatable)\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 no errors (and no warnings with --strict), 1 errors (or\n"
"warnings with --strict), 2 usage error or a file could not be read.\n";

int cmd_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 'S' },
		{ "param", required_argument, NULL, AG_OPT_PARAM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ag_lint_result res;
	struct ag_config cfg;
	struct ag_error err;
	bool strict = false;
	int opt, status;
	size_t i;

	ag_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'S': strict = true; break;
		case AG_OPT_PARAM:
			if (ag_config_set_param(&cfg, optarg, &err) < 0) {
				ag_config_free(&cfg);
				return ag_cli_usage_error("lint", "%s", err.msg);
			}
			break;
		case 'h':
			fputs(lint_help, stdout);
			ag_config_free(&cfg);
			return AG_EXIT_OK;
		default:
			ag_config_free(&cfg);
			return ag_cli_option_error("lint", argv, opts);
		}
	}
	if (optind >= argc) {
		ag_config_free(&cfg);
		return ag_cli_usage_error("lint", "no policy files given");
	}
	ag_lint_run(argv + optind, (size_t)(argc - optind), cfg.params, &res);
	status = AG_EXIT_OK;
	for (i = 0; i < res.n; i++)
		if (res.problems[i].level == AG_LINT_ERROR || strict)
			status = AG_EXIT_REJECT;
	if (res.unreadable)
		status = AG_EXIT_ERROR;
	if (ag_lint_print(&res, stdout) < 0 ||
	    ag_cli_flush_stdout("the lint report") < 0) {
		status = AG_EXIT_ERROR;
	}
	ag_lint_result_free(&res);
	ag_config_free(&cfg);
	return status;
}

/* --- apgate policies --- */

static const char policies_help[] =
"Usage: apgate policies [OPTION]...\n"
"Show the policy set a decision would use, in evaluation order: every rule\n"
"with its description, file and line, the file's sha256, and whether it is\n"
"active, replaced or disabled (by which file and line, and why); the policy\n"
"files with their digests, the policy set's digest, and the site parameters\n"
"in force.  The files are read as apgate check reads them, trust checks\n"
"included.\n"
"\n"
"  -f, --format FORMAT    text (default) or json\n"
"  -h, --help             show this help\n"
"\n"
"%s"
"\n"
"Exit status: 0 shown, 2 usage error, or the policy set could not be read or\n"
"loaded (the message says why).\n";

static const char *state_name(enum ag_rule_state s)
{
	switch (s) {
	case AG_RULE_ACTIVE: return "active";
	case AG_RULE_REPLACED: return "replaced";
	case AG_RULE_DISABLED: return "disabled";
	}
	return "?";
}

static const char *file_digest(const struct ag_policyset *ps, const char *path)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->files[i].path, path) == 0)
			return ps->files[i].sha256;
	return "";
}

static json_object *policies_json(const struct ag_config *cfg,
				  const struct ag_policyset *ps,
				  const struct ag_engine *e, const char *set)
{
	json_object *o = json_object_new_object(), *arr, *sorted;
	const struct ag_rule_info *r;
	size_t i, n;

	json_object_object_add(o, "apgate-policies", json_object_new_int(1));
	json_object_object_add(o, "config", cfg->path ?
			       json_object_new_string(cfg->path) : NULL);
	json_object_object_add(o, "insecure_policies",
			       json_object_new_boolean(cfg->insecure_policies));
	json_object_object_add(o, "trust_checks", json_object_new_boolean(
		ag_trust_enforced(cfg->insecure_policies)));
	json_object_object_add(o, "params", json_object_get(cfg->params));
	arr = json_object_new_array();
	for (i = 0; i < ps->n; i++) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "path",
				       json_object_new_string(ps->files[i].path));
		json_object_object_add(p, "sha256",
				       json_object_new_string(ps->files[i].sha256));
		json_object_array_add(arr, p);
	}
	json_object_object_add(o, "policies", arr);
	json_object_object_add(o, "policy_set_sha256",
			       json_object_new_string(set));
	arr = json_object_new_array();
	r = ag_engine_rules(e, &n);
	for (i = 0; i < n; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "id", json_object_new_string(r[i].id));
		if (r[i].description)
			json_object_object_add(x, "description",
				json_object_new_string(r[i].description));
		json_object_object_add(x, "file", json_object_new_string(r[i].file));
		json_object_object_add(x, "line", json_object_new_int(r[i].line));
		json_object_object_add(x, "file_sha256", json_object_new_string(
			file_digest(ps, r[i].file)));
		json_object_object_add(x, "state", json_object_new_string(
			state_name(r[i].state)));
		if (r[i].by_file) {
			json_object *by = json_object_new_object();

			json_object_object_add(by, "file",
					       json_object_new_string(r[i].by_file));
			json_object_object_add(by, "line",
					       json_object_new_int(r[i].by_line));
			json_object_object_add(x, "by", by);
		}
		if (r[i].reason)
			json_object_object_add(x, "reason",
					       json_object_new_string(r[i].reason));
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "rules", arr);
	sorted = ag_json_sorted(o);
	json_object_put(o);
	return sorted;
}

static void policies_text(const struct ag_config *cfg,
			  const struct ag_policyset *ps,
			  const struct ag_engine *e, const char *set, FILE *out)
{
	const struct ag_rule_info *r;
	size_t i, n;

	fprintf(out, "policy set sha256 %s\n", set);
	fprintf(out, "configuration: %s\n", cfg->path ? cfg->path : "none");
	fprintf(out, "trust checks: %s\n", cfg->insecure_policies ?
		"skipped (--insecure-policies)" :
		ag_trust_enforced(false) ? "enforced (running as root)" :
		"not applied (not running as root)");
	fprintf(out, "files:\n");
	for (i = 0; i < ps->n; i++)
		fprintf(out, "  %s  %s\n", ps->files[i].sha256, ps->files[i].path);
	fprintf(out, "rules, in evaluation order:\n");
	r = ag_engine_rules(e, &n);
	for (i = 0; i < n; i++) {
		fprintf(out, "  %-9s %-24s %s:%d", state_name(r[i].state),
			r[i].id, r[i].file, r[i].line);
		if (r[i].state == AG_RULE_REPLACED)
			fprintf(out, "  replaced by %s:%d", r[i].by_file,
				r[i].by_line);
		else if (r[i].state == AG_RULE_DISABLED)
			fprintf(out, "  disabled by %s:%d: %s", r[i].by_file,
				r[i].by_line, r[i].reason);
		fprintf(out, "\n            %s\n", r[i].description ?
			r[i].description : "(no description)");
	}
	if (json_object_object_length(cfg->params) == 0) {
		fprintf(out, "params: none\n");
	} else {
		json_object *p = ag_json_sorted(cfg->params);

		fprintf(out, "params:\n");
		json_object_object_foreach(p, k, val)
			fprintf(out, "  %s = %s\n", k, json_object_to_json_string_ext(
				val, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(p);
	}
}

int cmd_policies(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		POLICY_TOOL_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct ag_cli_policy pol = { 0 };
	struct ag_engine *e = NULL;
	const char *format = "text";
	struct ag_policyset ps;
	struct ag_verdict v;
	struct ag_config cfg;
	struct ag_error err;
	int opt, status = AG_EXIT_ERROR;
	time_t now;
	size_t i;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'f': format = optarg; break;
		case 'h':
			printf(policies_help, policy_tool_help);
			ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default:
			ag_cli_policy_free(&pol);
			return ag_cli_option_error("policies", argv, opts);
		}
	}
	if (optind < argc) {
		ag_cli_usage_error("policies", "unexpected argument '%s'",
				   argv[optind]);
		goto out_pol;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		ag_cli_usage_error("policies", "--format must be text or json, "
				   "not '%s'", format);
		goto out_pol;
	}
	ag_policyset_init(&ps);
	ag_verdict_init(&v);
	if (ag_cli_policy_finish(&pol, &cfg, &now, &err) < 0)
		goto fail;
	/* The same policy set, in the same order, as a decision loads. */
	ps.insecure = cfg.insecure_policies;
	for (i = 0; i < cfg.n_policy_dirs; i++)
		if (ag_policyset_add_dir(&ps, cfg.policy_dirs[i], true, &err) < 0)
			goto fail;
	if (cfg.site_policy_dir &&
	    ag_policyset_add_dir(&ps, cfg.site_policy_dir, false, &err) < 0)
		goto fail;
	if (ps.n == 0) {
		ag_error_set(&err, "no policy files found");
		goto fail;
	}
	e = ag_engine_new(&cfg.limits, &err);
	if (!e)
		goto fail;
	if (ag_policyset_load(&ps, e, &err) < 0) {
		ag_error_prefix(&err, "policy failed to load");
		goto fail;
	}
	/* The digest a verdict would carry, computed the same way. */
	ag_policyset_record(&ps, &v);
	ag_verdict_finish(&v);
	if (strcmp(format, "json") == 0) {
		json_object *o = policies_json(&cfg, &ps, e, v.policy_set_sha256);

		printf("%s\n", json_object_to_json_string_ext(o,
		       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		policies_text(&cfg, &ps, e, v.policy_set_sha256, stdout);
	}
	status = AG_EXIT_OK;
	if (ag_cli_flush_stdout("the policy set") < 0)
		status = AG_EXIT_ERROR;
	goto out;
fail:
	ag_cli_msg("%s", err.msg);
out:
	ag_engine_free(e);
	ag_verdict_free(&v);
	ag_policyset_free(&ps);
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return status;
}
