/* cli.h - what the subcommands share: messages, usage errors and the
 * policy options (--config, --no-config, --policy-dir, --param, --now). */
#ifndef APGATE_CLI_H
#define APGATE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <time.h>

#include "config_file.h"

/* "apgate: MESSAGE" on stderr. */
void ag_cli_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Flush stdout and check that everything printed reached it; otherwise
 * say "cannot write WHAT to standard output: REASON" (once per process)
 * and return -1.  main() makes the final check for every command. */
int ag_cli_flush_stdout(const char *what);

/* Print "apgate CMD: MESSAGE" and the --help hint; returns AG_EXIT_ERROR. */
int ag_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* After getopt_long returned '?' (main sets opterr = 0, so getopt itself
 * prints nothing): print one line saying what was wrong with the option
 * argv[optind - 1], with the nearest long option of opts when the name
 * looks mistyped.  Returns AG_EXIT_ERROR. */
int ag_cli_option_error(const char *cmd, char *const argv[],
			const struct option *opts);

/* Policy options collected while parsing, applied by ag_cli_policy_finish. */
struct ag_cli_policy {
	const char *config_path;	/* --config */
	bool no_config;			/* --no-config */
	char **dirs;			/* --policy-dir, in order */
	size_t n_dirs;
	const char **params;		/* --param NAME=VALUE, in order */
	size_t n_params;
	const char *now;		/* --now */
	const char *audit_log;		/* --audit-log */
	bool no_audit;			/* --no-audit */
	bool insecure_policies;		/* --insecure-policies */
	bool insecure_audit_log;	/* --insecure-audit-log */
	const char *time_limit;		/* --time-limit MS */
};

/* getopt_long option values of the shared options. */
enum {
	AG_OPT_CONFIG = 1000,
	AG_OPT_NO_CONFIG,
	AG_OPT_POLICY_DIR,
	AG_OPT_PARAM,
	AG_OPT_NOW,
	AG_OPT_AUDIT_LOG,
	AG_OPT_NO_AUDIT,
	AG_OPT_INSECURE_POLICIES,
	AG_OPT_INSECURE_AUDIT_LOG,
	AG_OPT_TIME_LIMIT,
};

#define AG_CLI_POLICY_OPTIONS \
	{ "config", required_argument, NULL, AG_OPT_CONFIG }, \
	{ "no-config", no_argument, NULL, AG_OPT_NO_CONFIG }, \
	{ "policy-dir", required_argument, NULL, AG_OPT_POLICY_DIR }, \
	{ "param", required_argument, NULL, AG_OPT_PARAM }, \
	{ "now", required_argument, NULL, AG_OPT_NOW }, \
	{ "audit-log", required_argument, NULL, AG_OPT_AUDIT_LOG }, \
	{ "no-audit", no_argument, NULL, AG_OPT_NO_AUDIT }, \
	{ "insecure-policies", no_argument, NULL, AG_OPT_INSECURE_POLICIES }, \
	{ "insecure-audit-log", no_argument, NULL, AG_OPT_INSECURE_AUDIT_LOG }, \
	{ "time-limit", required_argument, NULL, AG_OPT_TIME_LIMIT }

/* Help text lines for the shared options. */
extern const char ag_cli_policy_help[];

/* Take a shared option; returns 1 if opt was one, 0 if not. */
int ag_cli_policy_option(struct ag_cli_policy *p, int opt, const char *arg);

/* Load the configuration and apply the options over it; *now is the
 * evaluation time.  Returns 0, or -1 with err set. */
int ag_cli_policy_finish(struct ag_cli_policy *p, struct ag_config *cfg,
			 time_t *now, struct ag_error *err);

void ag_cli_policy_free(struct ag_cli_policy *p);

#endif
