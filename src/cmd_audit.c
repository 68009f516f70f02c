/* cmd_audit.c - `apgate audit verify|show|rotate` and `apgate report`:
 * the decision log for auditors. */
#include "config.h"

#include <getopt.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "auditlog.h"
#include "auditsyslog.h"
#include "cli.h"
#include "commands.h"
#include "exitcode.h"
#include "report.h"
#include "textsafe.h"
#include "timeutil.h"
#include "util.h"

static const char verify_help[] =
"Usage: apgate audit verify [OPTION]... [LOG]...\n"
"Recompute the hash chain of the decision log and report the first record\n"
"that was edited, deleted, inserted or reordered, by line number.  Give\n"
"rotated files oldest first and the live log last to check them as one\n"
"chain.  Without LOG, verify the configured log (" AG_AUDIT_LOG ").\n"
"\n"
"  -q, --quiet            print only problems\n"
"      --against FILE     also compare the records with an off-host copy:\n"
"                         a file of the \"@cee:\" messages apgate sent to\n"
"                         syslog (audit: syslog: true), e.g. what rsyslog\n"
"                         wrote; names the first record that is missing\n"
"                         locally or differs\n"
"      --config FILE      read the log's location from FILE instead of\n"
"                         " AG_CONFIG_FILE "\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 intact (crashes the log recovered from are noted), 1 broken\n"
"(tampering or damage, or a record missing or different from the copy\n"
"--against names), 2 error (a log cannot be read or is not a decision\n"
"log, usage), 3 intact up to an incomplete final line (a crash or a\n"
"truncation; the next decision recorded chains over it).\n";

static const char show_help[] =
"Usage: apgate audit show [OPTION]... [LOG]...\n"
"Print the decision records that match every given filter, oldest first.\n"
"Without LOG, read the configured log (" AG_AUDIT_LOG ").\n"
"\n"
"      --since TIME       records at or after TIME (RFC 3339)\n"
"      --until TIME       records before TIME\n"
"      --verdict LIST     only these verdicts (accept, warn, reject, error;\n"
"                         comma-separated)\n"
"      --mdev UUID        decisions about this mdev (source or target)\n"
"      --host HOST        decisions made on, or migrating from or to, HOST\n"
"      --id UUID          the decision with this decision_id\n"
"  -f, --format FORMAT    text (default; one decision per line and its\n"
"                         findings) or json (the records' lines unchanged,\n"
"                         one per line)\n"
"      --config FILE      read the log's location from FILE\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 success (also when nothing matches), 2 error.  show does\n"
"not judge the chain: use apgate audit verify.\n";

static const char rotate_help[] =
"Usage: apgate audit rotate [OPTION]... [LOG]\n"
"Start a new decision log that continues the hash chain: the current file\n"
"is kept, read-only, as LOG.YYYYMMDDTHHMMSSZ (UTC; -01, -02, ... appended\n"
"when rotated again within that second) and a new LOG starts with a\n"
"rotation record carrying the digest of the old file's last record.\n"
"Concurrent decisions wait for the rotation and then append to the new\n"
"file.  Without LOG, rotate the configured log (" AG_AUDIT_LOG ").\n"
"\n"
"      --config FILE      read the log's location from FILE\n"
"      --insecure-audit-log  skip the ownership and permission checks of the\n"
"                         log and its directories (development only)\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 rotated, 2 error.\n";

static const char report_help[] =
"Usage: apgate report --format FORMAT [OPTION]... [LOG]...\n"
"Render the decision log for auditors: totals per verdict, rule, host pair\n"
"and mdev, a timeline, the policy versions in force, every reject, warn\n"
"and error with its explanation, and the state of the hash chain.  The\n"
"HTML is one self-contained file (inline CSS and SVG, no scripts) that\n"
"prints well.  Without LOG, read the configured log (" AG_AUDIT_LOG ");\n"
"give rotated files oldest first.\n"
"\n"
"  -f, --format FORMAT    html or md (Markdown); required\n"
"  -o, --output FILE      write to FILE (replaced atomically) instead of\n"
"                         standard output\n"
"      --since TIME       decisions at or after TIME (RFC 3339)\n"
"      --until TIME       decisions before TIME\n"
"      --config FILE      read the log's location from FILE\n"
"  -h, --help             show this help\n"
"\n"
"The chain is verified over the whole of every file whatever the period.\n"
"Exit status: 0 report written (whatever the chain's state, which the\n"
"report shows), 2 error.\n";

static const char audit_help[] =
"Usage: apgate audit COMMAND [OPTION]... [LOG]...\n"
"The decision log: one hash-chained JSON record per decision.\n"
"\n"
"Commands:\n"
"  verify    check the hash chain; exit 0 only for an intact log\n"
"  show      print matching records as text or JSON\n"
"  rotate    start a new log file that continues the chain\n"
"\n"
"Run 'apgate audit COMMAND --help' for details.  The commands' options:\n"
"  verify [-q|--quiet] [--config FILE] [LOG]...\n"
"  show [--since TIME] [--until TIME] [--verdict LIST] [--mdev UUID]\n"
"       [--host HOST] [--id UUID] [-f|--format text|json] [--config FILE]\n"
"       [LOG]...\n"
"  rotate [--config FILE] [--insecure-audit-log] [LOG]\n"
"See also apgate report.\n";

enum {
	OPT_CONFIG = 2000,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_VERDICT,
	OPT_MDEV,
	OPT_HOST,
	OPT_ID,
	OPT_AGAINST,
	OPT_INSECURE,
};

/* The logs to read: the arguments, else the configured log. */
static int log_paths(int argc, char **argv, const char *config_path,
		     char ***paths, size_t *n, struct ag_error *err)
{
	struct ag_config cfg;
	int i;

	if (optind < argc) {
		*n = (size_t)(argc - optind);
		*paths = xcalloc(*n, sizeof(**paths));
		for (i = optind; i < argc; i++)
			(*paths)[i - optind] = xstrdup(argv[i]);
		return 0;
	}
	ag_config_defaults(&cfg);
	if (ag_config_load(&cfg, config_path ? config_path : AG_CONFIG_FILE,
			   config_path != NULL, err) < 0) {
		ag_config_free(&cfg);
		return -1;
	}
	if (!cfg.audit.log) {
		ag_error_set(err, "%s sets no decision log (audit: log: null); "
			     "name the log to read", cfg.path ? cfg.path :
			     AG_CONFIG_FILE);
		ag_config_free(&cfg);
		return -1;
	}
	*paths = xcalloc(1, sizeof(**paths));
	(*paths)[0] = xstrdup(cfg.audit.log);
	*n = 1;
	ag_config_free(&cfg);
	return 0;
}

static void free_paths(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* A file with no record at all whose first line is none is not a decision
 * log (a wrong path), as `audit verify` says: show and report refuse it
 * (exit 2) instead of reading it as a damaged log with one "skipped" line
 * per line. */
static bool not_a_log(const struct ag_audit_check *r)
{
	return r->status == AG_AUDIT_FAILED && r->line == 1 && r->records == 0;
}

static void say_not_a_log(const struct ag_audit_check *r)
{
	ag_cli_msg("%s:%zu: %s", r->path, r->line, r->msg);
}

/* Whether path starts with a record (or is empty, or unreadable: the
 * reader reports that), so that only a doubtful file costs a verify. */
static bool starts_with_record(const char *path)
{
	enum { FIRST_MAX = 64 * 1024 };
	char *buf = xmalloc(FIRST_MAX);
	struct ag_error why;
	json_object *rec = NULL;
	struct ag_error err;
	/* never block on a FIFO: anything but a regular file is left to
	 * the reader, which refuses it by name */
	int fd = ag_open_regular(path, O_RDONLY, 0, NULL, &err);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	bool ok = true;
	size_t len;

	if (f && fgets(buf, FIRST_MAX, f)) {
		len = strlen(buf);
		ok = len > 0 && buf[len - 1] == '\n' &&
		     (rec = ag_audit_parse_record(buf, len - 1, &why)) != NULL;
		json_object_put(rec);
	}
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

/* --- verify --- */

static const char *status_word(enum ag_audit_status s)
{
	switch (s) {
	case AG_AUDIT_INTACT: return "intact";
	case AG_AUDIT_BROKEN: return "BROKEN";
	case AG_AUDIT_FAILED: return "error";
	case AG_AUDIT_TORN: return "incomplete final line";
	}
	return "?";
}

/* The overall status of two verifications, as ag_auditlog_verify ranks
 * them: broken, else failed, else torn, else intact. */
static enum ag_audit_status worse(enum ag_audit_status a,
				  enum ag_audit_status b)
{
	static const enum ag_audit_status rank[] = {
		AG_AUDIT_BROKEN, AG_AUDIT_FAILED, AG_AUDIT_TORN,
	};
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(rank); i++)
		if (a == rank[i] || b == rank[i])
			return rank[i];
	return AG_AUDIT_INTACT;
}

static enum ag_audit_status verify_against(const char *const *paths,
					   size_t n, const char *copy,
					   bool quiet)
{
	struct ag_against_result r;

	ag_auditlog_verify_against(paths, n, copy, &r);
	if (r.status != AG_AUDIT_INTACT) {
		printf("%s: %s: %s\n", copy, status_word(r.status), r.msg);
		return r.status;
	}
	if (!quiet) {
		printf("%s: intact: %zu exported record(s) match the local log",
		       copy, r.matched);
		if (r.unchecked)
			printf(", %zu older than the files given", r.unchecked);
		putchar('\n');
		if (r.local_only)
			printf("%s: note: %zu local record(s) have no exported "
			       "copy (not sent, or not yet written there)\n",
			       copy, r.local_only);
	}
	return AG_AUDIT_INTACT;
}

static int audit_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "against", required_argument, NULL, OPT_AGAINST },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *against = NULL;
	struct ag_audit_check *res;
	enum ag_audit_status st;
	bool quiet = false;
	struct ag_error err;
	char **paths;
	size_t n, i, j;
	int opt;

	while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': quiet = true; break;
		case OPT_AGAINST: against = optarg; break;
		case OPT_CONFIG: config_path = optarg; break;
		case 'h':
			fputs(verify_help, stdout);
			return AG_EXIT_OK;
		default:
			return ag_cli_option_error("audit verify", argv, opts);
		}
	}
	if (log_paths(argc, argv, config_path, &paths, &n, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_ERROR;
	}
	res = xcalloc(n, sizeof(*res));
	st = ag_auditlog_verify((const char *const *)paths, n, res);
	for (i = 0; i < n; i++) {
		const struct ag_audit_check *r = &res[i];

		if (r->status == AG_AUDIT_INTACT) {
			if (!quiet) {
				printf("%s: intact: %zu record(s)", r->path,
				       r->records);
				if (r->records)
					printf(" (seq %llu-%llu), last record sha256 %s",
					       (unsigned long long)r->first_seq,
					       (unsigned long long)r->last_seq,
					       r->last_sha256);
				putchar('\n');
			}
		} else if (r->line && r->status == AG_AUDIT_TORN) {
			/* the message names it: "incomplete final line (N bytes)" */
			printf("%s:%zu: %s\n", r->path, r->line, r->msg);
		} else if (r->line) {
			printf("%s:%zu: %s: %s\n", r->path, r->line,
			       status_word(r->status), r->msg);
		} else {
			printf("%s: %s: %s\n", r->path, status_word(r->status),
			       r->msg);
		}
		for (j = 0; j < r->n_notes && (!quiet || r->status); j++)
			printf("%s: note: %s\n", r->path, r->notes[j]);
	}
	if (against)
		st = worse(st, verify_against((const char *const *)paths, n,
					      against, quiet));
	if (fflush(stdout) != 0)
		st = AG_AUDIT_FAILED;
	ag_audit_check_free(res, n);
	free(res);
	free_paths(paths, n);
	return (int)st;
}

/* --- show --- */

struct filter {
	bool has_since, has_until;
	time_t since, until;
	unsigned verdicts;	/* bit per verdict; 0 = all */
	const char *mdev, *host, *id;
};

static const char *const verdicts[] = { "accept", "warn", "reject", "error" };

static int parse_verdicts(const char *list, unsigned *mask)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	int rc = 0;
	size_t i;

	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < AG_ARRAY_SIZE(verdicts); i++)
			if (strcmp(tok, verdicts[i]) == 0)
				break;
		if (i == AG_ARRAY_SIZE(verdicts)) {
			rc = -1;
			break;
		}
		*mask |= 1u << i;
	}
	free(copy);
	return *mask ? rc : -1;
}

static const char *rec_str(json_object *o, const char *k1, const char *k2)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return NULL;
	return json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static bool eq(const char *a, const char *b, bool icase)
{
	return a && b && (icase ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

/* Whether the record's time is in the period; records without a valid
 * time match only when no period is asked for. */
static bool in_period(const struct filter *f, json_object *rec)
{
	time_t t;

	if (!f->has_since && !f->has_until)
		return true;
	if (ag_time_parse(rec_str(rec, "timestamp", NULL), &t) < 0)
		return false;
	return (!f->has_since || t >= f->since) && (!f->has_until || t < f->until);
}

static bool matches(const struct filter *f, json_object *rec)
{
	const char *type = rec_str(rec, "type", NULL);
	bool decision = type && strcmp(type, "decision") == 0;
	size_t i;

	if (!in_period(f, rec))
		return false;
	if (!decision)		/* rotations show only when nothing is asked */
		return !f->verdicts && !f->mdev && !f->host && !f->id;
	if (f->verdicts) {
		const char *v = rec_str(rec, "verdict", NULL);

		for (i = 0; i < AG_ARRAY_SIZE(verdicts); i++)
			if (eq(v, verdicts[i], false))
				break;
		if (i == AG_ARRAY_SIZE(verdicts) || !(f->verdicts & (1u << i)))
			return false;
	}
	if (f->mdev && !eq(rec_str(rec, "source", "mdev_uuid"), f->mdev, true) &&
	    !eq(rec_str(rec, "target", "mdev_uuid"), f->mdev, true))
		return false;
	if (f->host && !eq(rec_str(rec, "host", NULL), f->host, false) &&
	    !eq(rec_str(rec, "source", "host"), f->host, false) &&
	    !eq(rec_str(rec, "target", "host"), f->host, false))
		return false;
	if (f->id && !eq(rec_str(rec, "decision_id", NULL), f->id, true))
		return false;
	return true;
}

static const char *dflt(const char *s)
{
	return s ? s : "?";
}

/* Policy text on a terminal: control characters (escape sequences) are
 * shown, never obeyed (the shared rule of textsafe.h). */
static void put_safe(FILE *out, const char *s)
{
	ag_fput_safe(out, s);
}

struct show_ctx {
	const struct filter *f;
	bool json;
	size_t shown;
};

static void show_text(json_object *rec)
{
	const char *type = rec_str(rec, "type", NULL);
	json_object *fs, *v;
	size_t i;

	put_safe(stdout, dflt(rec_str(rec, "timestamp", NULL)));
	if (type && strcmp(type, "rotation") == 0) {
		fputs("  rotation  continues ", stdout);
		put_safe(stdout, dflt(rec_str(rec, "previous_log", NULL)));
		putchar('\n');
		return;
	}
	putchar(' ');
	printf(" %-6s  ", rec_str(rec, "verdict", NULL) &&
	       strlen(rec_str(rec, "verdict", NULL)) < 8 ?
	       rec_str(rec, "verdict", NULL) : "?");
	put_safe(stdout, dflt(rec_str(rec, "caller", NULL)));
	fputs("  ", stdout);
	put_safe(stdout, dflt(rec_str(rec, "source", "host")));
	fputs(" -> ", stdout);
	put_safe(stdout, dflt(rec_str(rec, "target", "host")));
	fputs("  mdev ", stdout);
	put_safe(stdout, dflt(rec_str(rec, "source", "mdev_uuid") ?
			      rec_str(rec, "source", "mdev_uuid") :
			      rec_str(rec, "target", "mdev_uuid")));
	if (rec_str(rec, "guest", NULL)) {
		fputs("  guest ", stdout);
		put_safe(stdout, rec_str(rec, "guest", NULL));
	}
	fputs("  decision ", stdout);
	put_safe(stdout, dflt(rec_str(rec, "decision_id", NULL)));
	putchar('\n');
	if (!json_object_object_get_ex(rec, "findings", &fs) ||
	    !json_object_is_type(fs, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		const char *sev = rec_str(f, "severity", NULL);
		char up[16];
		size_t k;

		for (k = 0; sev && sev[k] && k + 1 < sizeof(up); k++)
			up[k] = (char)(sev[k] >= 'a' && sev[k] <= 'z' ?
				       sev[k] - 32 : sev[k]);
		up[sev ? k : 0] = '\0';
		fputs("    ", stdout);
		put_safe(stdout, up);
		putchar(' ');
		put_safe(stdout, dflt(rec_str(f, "rule", NULL)));
		if (json_object_object_get_ex(f, "apqn", &v)) {
			putchar(' ');
			put_safe(stdout, json_object_get_string(v));
		}
		fputs(": ", stdout);
		put_safe(stdout, rec_str(f, "message", NULL));
		putchar('\n');
	}
}

static int show_visit(void *vctx, const struct ag_audit_entry *e)
{
	struct show_ctx *ctx = vctx;

	if (!matches(ctx->f, e->rec))
		return 0;
	ctx->shown++;
	if (ctx->json) {
		fwrite(e->text, 1, e->len, stdout);
		putchar('\n');
	} else {
		show_text(e->rec);
	}
	return 0;
}

static int parse_time_opt(const char *cmd, const char *opt, const char *arg,
			  time_t *out)
{
	if (ag_time_parse(arg, out) == 0)
		return 0;
	ag_cli_usage_error(cmd, "%s %s: expected an RFC 3339 time like "
			   "2026-11-22T12:00:00Z", opt, arg);
	return -1;
}

static int audit_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "verdict", required_argument, NULL, OPT_VERDICT },
		{ "mdev", required_argument, NULL, OPT_MDEV },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "id", required_argument, NULL, OPT_ID },
		{ "format", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *format = "text";
	struct filter f = { 0 };
	struct show_ctx ctx = { 0 };
	struct ag_error err;
	int opt, status = AG_EXIT_OK;
	char **paths;
	size_t n, i;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SINCE:
			if (parse_time_opt("audit show", "--since", optarg,
					   &f.since) < 0)
				return AG_EXIT_ERROR;
			f.has_since = true;
			break;
		case OPT_UNTIL:
			if (parse_time_opt("audit show", "--until", optarg,
					   &f.until) < 0)
				return AG_EXIT_ERROR;
			f.has_until = true;
			break;
		case OPT_VERDICT:
			if (parse_verdicts(optarg, &f.verdicts) < 0)
				return ag_cli_usage_error("audit show", "--verdict "
					"takes accept, warn, reject or error "
					"(comma-separated), not '%s'", optarg);
			break;
		case OPT_MDEV: f.mdev = optarg; break;
		case OPT_HOST: f.host = optarg; break;
		case OPT_ID: f.id = optarg; break;
		case 'f': format = optarg; break;
		case OPT_CONFIG: config_path = optarg; break;
		case 'h':
			fputs(show_help, stdout);
			return AG_EXIT_OK;
		default:
			return ag_cli_option_error("audit show", argv, opts);
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json"))
		return ag_cli_usage_error("audit show", "--format must be text or "
					  "json, not '%s'", format);
	if (log_paths(argc, argv, config_path, &paths, &n, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		struct ag_audit_check r;
		const char *one[1] = { paths[i] };
		bool wrong;

		if (starts_with_record(paths[i]))
			continue;
		ag_auditlog_verify(one, 1, &r);
		wrong = not_a_log(&r);
		if (wrong)
			say_not_a_log(&r);
		ag_audit_check_free(&r, 1);
		if (wrong) {
			free_paths(paths, n);
			return AG_EXIT_ERROR;
		}
	}
	ctx.f = &f;
	ctx.json = strcmp(format, "json") == 0;
	for (i = 0; i < n; i++)
		if (ag_auditlog_read(paths[i], show_visit, &ctx, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			status = AG_EXIT_ERROR;
		}
	if (fflush(stdout) != 0) {
		ag_cli_msg("cannot write the records: output error");
		status = AG_EXIT_ERROR;
	}
	free_paths(paths, n);
	return status;
}

/* --- rotate --- */

static void syslog_rotation(const char *config_path, json_object *rec)
{
	struct ag_config cfg;
	struct ag_error err;

	ag_config_defaults(&cfg);
	if (ag_config_load(&cfg, config_path ? config_path : AG_CONFIG_FILE,
			   config_path != NULL, &err) == 0 && cfg.audit.syslog)
		ag_audit_syslog(rec, cfg.audit.syslog_facility);
	ag_config_free(&cfg);
}

static int audit_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "insecure-audit-log", no_argument, NULL, OPT_INSECURE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	bool insecure = false;
	struct ag_error err;
	json_object *rec, *seq;
	char **paths, *rotated;
	size_t n;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_CONFIG: config_path = optarg; break;
		case OPT_INSECURE: insecure = true; break;
		case 'h':
			fputs(rotate_help, stdout);
			return AG_EXIT_OK;
		default:
			return ag_cli_option_error("audit rotate", argv, opts);
		}
	}
	if (argc - optind > 1)
		return ag_cli_usage_error("audit rotate", "one log at a time");
	if (log_paths(argc, argv, config_path, &paths, &n, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_ERROR;
	}
	rec = json_object_new_object();
	ag_audit_add_labels(rec);
	rc = ag_auditlog_rotate(paths[0], rec, insecure, &rotated, &err);
	if (rc < 0) {
		ag_cli_msg("%s", err.msg);
	} else {
		/* The rotation record is a link of the chain: the off-host
		 * copy gets it too. */
		syslog_rotation(config_path, rec);
		json_object_object_get_ex(rec, "seq", &seq);
		printf("%s: rotated; the records so far are in %s; the chain "
		       "continues at seq %lld\n", paths[0], rotated,
		       (long long)json_object_get_int64(seq));
		free(rotated);
	}
	json_object_put(rec);
	free_paths(paths, n);
	return rc < 0 ? AG_EXIT_ERROR : AG_EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return ag_cli_usage_error("audit", "a command is required "
					  "(verify, show or rotate)");
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") ||
	    !strcmp(sub, "help")) {
		fputs(audit_help, stdout);
		return AG_EXIT_OK;
	}
	/* the subcommand becomes argv[0] for getopt */
	if (!strcmp(sub, "verify"))
		return audit_verify(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return audit_show(argc - 1, argv + 1);
	if (!strcmp(sub, "rotate"))
		return audit_rotate(argc - 1, argv + 1);
	return ag_cli_usage_error("audit", "unknown command '%s' (verify, show "
				  "or rotate)", sub);
}

/* --- report --- */

struct report_ctx {
	const struct filter *f;
	struct ag_report *r;
};

static int report_visit(void *vctx, const struct ag_audit_entry *e)
{
	struct report_ctx *ctx = vctx;

	if (in_period(ctx->f, e->rec))
		ag_report_add(ctx->r, e->rec);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *format = NULL, *output = NULL;
	const char *since = NULL, *until = NULL;
	struct filter f = { 0 };
	struct report_ctx ctx;
	struct ag_audit_check *res;
	enum ag_audit_status st;
	enum ag_report_format fmt;
	struct ag_error err;
	int opt, status = AG_EXIT_ERROR;
	char **paths, *buf = NULL;
	size_t n, i, len = 0;
	FILE *out;

	while ((opt = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case OPT_SINCE:
			if (parse_time_opt("report", "--since", optarg, &f.since) < 0)
				return AG_EXIT_ERROR;
			f.has_since = true;
			since = optarg;
			break;
		case OPT_UNTIL:
			if (parse_time_opt("report", "--until", optarg, &f.until) < 0)
				return AG_EXIT_ERROR;
			f.has_until = true;
			until = optarg;
			break;
		case OPT_CONFIG: config_path = optarg; break;
		case 'h':
			fputs(report_help, stdout);
			return AG_EXIT_OK;
		default:
			return ag_cli_option_error("report", argv, opts);
		}
	}
	if (!format)
		return ag_cli_usage_error("report", "--format html or --format md "
					  "is required");
	if (!strcmp(format, "html"))
		fmt = AG_REPORT_HTML;
	else if (!strcmp(format, "md") || !strcmp(format, "markdown"))
		fmt = AG_REPORT_MD;
	else
		return ag_cli_usage_error("report", "--format must be html or md, "
					  "not '%s'", format);
	if (log_paths(argc, argv, config_path, &paths, &n, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_ERROR;
	}
	res = xcalloc(n, sizeof(*res));
	st = ag_auditlog_verify((const char *const *)paths, n, res);
	ctx.f = &f;
	ctx.r = ag_report_new();
	for (i = 0; i < n; i++)
		if (not_a_log(&res[i])) {
			say_not_a_log(&res[i]);
			goto out;
		}
	ag_report_set_period(ctx.r, since, until);
	ag_report_set_chain(ctx.r, st, res, n);
	for (i = 0; i < n; i++)
		if (ag_auditlog_read(paths[i], report_visit, &ctx, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			goto out;
		}
	/* Rendered in memory so that -o replaces the file only when whole. */
	out = open_memstream(&buf, &len);
	if (!out) {
		ag_cli_msg("cannot render the report: out of memory");
		goto out;
	}
	if (ag_report_render(ctx.r, fmt, out) < 0 || fclose(out) != 0) {
		ag_cli_msg("cannot render the report");
		goto out;
	}
	if (output && strcmp(output, "-")) {
		if (ag_write_file_atomic(output, buf, len, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			goto out;
		}
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		ag_cli_msg("cannot write the report: output error");
		goto out;
	}
	if (st != AG_AUDIT_INTACT)
		ag_cli_msg("warning: the decision log's hash chain is %s (see the "
			   "report's chain section)", st == AG_AUDIT_TORN ?
			   "intact only up to an incomplete final line" :
			   st == AG_AUDIT_BROKEN ? "broken" : "not verified");
	status = AG_EXIT_OK;
out:
	free(buf);
	ag_report_free(ctx.r);
	ag_audit_check_free(res, n);
	free(res);
	free_paths(paths, n);
	return status;
}
