/* cli.c - shared command-line plumbing. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "textsafe.h"
#include "timeutil.h"
#include "util.h"

const char ag_cli_policy_help[] =
"Policy options:\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file and no site policy\n"
"                         directory, and write no decision record (built-in\n"
"                         defaults only; for tests and policy development)\n"
"      --policy-dir DIR   load the rules in DIR instead of the default rules\n"
"                         (" AG_POLICY_DIR "); repeatable, in order\n"
"      --param NAME=VALUE set a site parameter for ctx.params (repeatable;\n"
"                         true/false and numbers are typed, empty is null,\n"
"                         anything else is the text as given)\n"
"      --now TIME         evaluate as of TIME (RFC 3339) instead of the clock\n"
"      --audit-log FILE   append the decision record to FILE instead of the\n"
"                         configured log (" AG_AUDIT_LOG ")\n"
"      --no-audit         write no decision record\n"
"      --time-limit MS    wall-clock limit of each policy file load and rule\n"
"                         check, 1..600000 (default limits.timeout_ms of\n"
"                         apgate.yaml: 10000, in the hook 2000)\n"
"      --insecure-policies  skip the ownership and permission checks of\n"
"                         policy and configuration files (development only;\n"
"                         recorded in the verdict)\n"
"      --insecure-audit-log  skip the ownership and permission checks of the\n"
"                         decision log and its directories (development\n"
"                         only; recorded in the decision record)\n";

void ag_cli_msg(const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("apgate: ", stderr);
	/* Messages quote file names, descriptor values and policy text:
	 * one line, no control sequence reaches the terminal. */
	ag_fput_safe(stderr, n < 0 ? fmt : msg);
	fputc('\n', stderr);
	if (n >= 0)
		free(msg);
}

int ag_cli_flush_stdout(const char *what)
{
	static bool reported;
	int e = 0;

	if (fflush(stdout) != 0)
		e = errno;
	if (!e && !ferror(stdout))
		return 0;
	/* Once: main's final check must not repeat a command's message. */
	if (!reported)
		ag_cli_msg("cannot write %s to standard output: %s", what,
			   e ? strerror(e) : "output error");
	reported = true;
	return -1;
}

int ag_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "apgate %s: ", cmd);
	ag_fput_safe(stderr, n < 0 ? fmt : msg);
	if (n >= 0)
		free(msg);
	fprintf(stderr, "\nTry 'apgate %s --help'.\n", cmd);
	return AG_EXIT_ERROR;
}

/* Edit distance (adjacent swaps count one), for "did you mean". */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), i, j, *d, r;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	d = xmalloc((la + 1) * (lb + 1) * sizeof(*d));
#define D(x, y) d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t best = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);

			if (D(i - 1, j) + 1 < best)
				best = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < best)
				best = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < best)
				best = D(i - 2, j - 2) + 1;
			D(i, j) = best;
		}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

static const struct option *long_option_by_val(const struct option *opts,
					       int val)
{
	for (; opts->name; opts++)
		if (!opts->flag && opts->val == val)
			return opts;
	return NULL;
}

int ag_cli_option_error(const char *cmd, char *const argv[],
			const struct option *opts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const struct option *o, *best = NULL;
	size_t len, d, best_d = (size_t)-1, n_prefix = 0;

	if (optopt != 0) {
		/* A known option used wrongly, or an unknown short one. */
		o = long_option_by_val(opts, optopt);
		if (!strncmp(arg, "--", 2) && o && strchr(arg, '=') &&
		    o->has_arg == no_argument)
			fprintf(stderr, "apgate %s: option --%s takes no value; "
				"see 'apgate %s --help'\n", cmd, o->name, cmd);
		else if (!strncmp(arg, "--", 2) && o)
			fprintf(stderr, "apgate %s: option --%s needs a value; "
				"see 'apgate %s --help'\n", cmd, o->name, cmd);
		else if (optopt > 0 && optopt < 0x80 &&
			 o && o->has_arg == required_argument)
			fprintf(stderr, "apgate %s: option -%c (--%s) needs a "
				"value; see 'apgate %s --help'\n", cmd,
				optopt, o->name, cmd);
		else if (optopt > 0x20 && optopt < 0x7f)
			fprintf(stderr, "apgate %s: unknown option -%c; see "
				"'apgate %s --help'\n", cmd, optopt, cmd);
		else
			fprintf(stderr, "apgate %s: invalid option; see "
				"'apgate %s --help'\n", cmd, cmd);
		return AG_EXIT_ERROR;
	}
	/* An unknown or ambiguous long option: the name as typed, without
	 * any "=VALUE". */
	if (!strncmp(arg, "--", 2))
		arg += 2;
	len = strcspn(arg, "=");
	for (o = opts; o->name; o++) {
		if (!strncmp(o->name, arg, len))
			n_prefix++;
		d = edit_distance(arg, len, o->name);
		if (d < best_d) {
			best_d = d;
			best = o;
		}
	}
	if (n_prefix > 1) {
		fprintf(stderr, "apgate %s: option --%.*s is ambiguous:", cmd,
			(int)len, arg);
		for (o = opts; o->name; o++)
			if (!strncmp(o->name, arg, len))
				fprintf(stderr, " --%s", o->name);
		fputc('\n', stderr);
	} else if (best && best_d <= (len < 6 ? 1 : len / 3 + 1)) {
		/* Close enough to be a typo, not a different word. */
		fprintf(stderr, "apgate %s: unknown option --%.*s; did you "
			"mean --%s?\n", cmd, (int)len, arg, best->name);
	} else {
		fprintf(stderr, "apgate %s: unknown option --%.*s; see "
			"'apgate %s --help'\n", cmd, (int)len, arg, cmd);
	}
	return AG_EXIT_ERROR;
}

int ag_cli_policy_option(struct ag_cli_policy *p, int opt, const char *arg)
{
	switch (opt) {
	case AG_OPT_CONFIG:
		p->config_path = arg;
		return 1;
	case AG_OPT_NO_CONFIG:
		p->no_config = true;
		return 1;
	case AG_OPT_POLICY_DIR:
		p->dirs = xrealloc(p->dirs, (p->n_dirs + 1) * sizeof(*p->dirs));
		p->dirs[p->n_dirs++] = (char *)arg;
		return 1;
	case AG_OPT_PARAM:
		p->params = xrealloc(p->params,
				     (p->n_params + 1) * sizeof(*p->params));
		p->params[p->n_params++] = arg;
		return 1;
	case AG_OPT_NOW:
		p->now = arg;
		return 1;
	case AG_OPT_AUDIT_LOG:
		p->audit_log = arg;
		return 1;
	case AG_OPT_NO_AUDIT:
		p->no_audit = true;
		return 1;
	case AG_OPT_INSECURE_POLICIES:
		p->insecure_policies = true;
		return 1;
	case AG_OPT_INSECURE_AUDIT_LOG:
		p->insecure_audit_log = true;
		return 1;
	case AG_OPT_TIME_LIMIT:
		p->time_limit = arg;
		return 1;
	default:
		return 0;
	}
}

/* Where the decision record goes is the caller's word even when the
 * configuration is broken: the error verdict is recorded there. */
static void apply_audit_options(const struct ag_cli_policy *p,
				struct ag_config *cfg)
{
	if (p->no_config || p->audit_log || p->no_audit) {
		free(cfg->audit.log);
		cfg->audit.log = p->audit_log ? xstrdup(p->audit_log) : NULL;
	}
}

int ag_cli_policy_finish(struct ag_cli_policy *p, struct ag_config *cfg,
			 time_t *now, struct ag_error *err)
{
	size_t i;

	ag_config_defaults(cfg);
	*now = time(NULL);
	/* Before the configuration file is read: it is checked too. */
	cfg->insecure_policies = p->insecure_policies;
	cfg->audit.insecure = p->insecure_audit_log;
	if (p->audit_log && p->no_audit) {
		ag_error_set(err, "--audit-log and --no-audit exclude each other");
		return -1;
	}
	apply_audit_options(p, cfg);
	if (p->config_path && p->no_config) {
		ag_error_set(err, "--config and --no-config exclude each other");
		return -1;
	}
	if (p->no_config) {
		free(cfg->site_policy_dir);
		cfg->site_policy_dir = NULL;
	} else if (ag_config_load(cfg, p->config_path ? p->config_path :
				  AG_CONFIG_FILE, p->config_path != NULL,
				  err) < 0) {
		apply_audit_options(p, cfg);
		return -1;
	}
	apply_audit_options(p, cfg);
	if (p->n_dirs)
		ag_config_set_policy_dirs(cfg, p->dirs, p->n_dirs);
	for (i = 0; i < p->n_params; i++)
		if (ag_config_set_param(cfg, p->params[i], err) < 0)
			return -1;
	if (p->time_limit) {
		char *end;
		unsigned long ms;

		errno = 0;
		ms = strtoul(p->time_limit, &end, 10);
		if (errno || end == p->time_limit || *end || ms < 1 ||
		    ms > 600000 || p->time_limit[0] == '-') {
			ag_error_set(err, "--time-limit %s: expected milliseconds, "
				     "1 .. 600000", p->time_limit);
			return -1;
		}
		cfg->limits.timeout_ms = (unsigned)ms;
		cfg->timeout_set = true;
	}
	if (p->now && ag_time_parse(p->now, now) < 0) {
		ag_error_set(err, "--now %s: expected an RFC 3339 time like "
			     "2026-11-22T12:00:00Z", p->now);
		return -1;
	}
	return 0;
}

void ag_cli_policy_free(struct ag_cli_policy *p)
{
	free(p->dirs);
	free(p->params);
	memset(p, 0, sizeof(*p));
}
