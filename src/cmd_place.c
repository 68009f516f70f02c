/* cmd_place.c - `apgate place`: which hosts could take each guest, for
 * every guest and host at once; and `apgate place --merge`. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "exitcode.h"
#include "place.h"
#include "textsafe.h"
#include "util.h"

static const char place_help[] =
"Usage: apgate place --guests PATH... --hosts PATH... [OPTION]...\n"
"       apgate place --merge FILE... [--format FORMAT] [-o FILE]\n"
"For every guest and every host, decide whether the guest could migrate\n"
"there, with the same policies, parameters, waivers and enforcement as\n"
"check.  The target is the host's mdev with the guest's UUID when it has\n"
"one, else a planned mdev with the guest's APQNs and control domains.\n"
"A guest is never evaluated against its own host.\n"
"\n"
"  -g, --guests PATH...   source descriptors or libvirt domain XML with\n"
"                         apgate metadata: files or directories of them\n"
"  -H, --hosts PATH...    host inventories (apgate collect --inventory):\n"
"                         files or directories of them\n"
"  -f, --format FORMAT    text (default), json, csv or html\n"
"  -o, --output FILE      write the result to FILE instead of stdout\n"
"  -j, --jobs N           evaluate in N worker processes (1..256)\n"
"      --shard I/N        evaluate only every Nth guest, starting with the\n"
"                         Ith (1 <= I <= N), for spreading a fleet over\n"
"                         machines; join the JSON results with --merge\n"
"      --merge FILE...    join placement JSON results (shards) into one\n"
"                         and write it in any format\n"
"      --keep-going       place the remaining guests and hosts when input\n"
"                         files are refused (exit status 2 all the same)\n"
"      --audit            record every pair's decision in the audit log\n"
"                         (off by default: a plan is not a migration)\n"
"  -h, --help             show this help\n"
"\n"
"%s"
"\n"
"Exit status: 0 every guest has at least one accept or warn host, 1 some\n"
"guest has none (named on stderr), 2 error (refused input, policy failure,\n"
"a pair ending in error, a worker lost).  The output is the same for any\n"
"--jobs, --shard and --merge.\n";

enum { OPT_SHARD = 2000, OPT_MERGE, OPT_KEEP_GOING, OPT_AUDIT };

struct place_args {
	char **guests, **hosts, **merge;
	size_t n_guests, n_hosts, n_merge;
	const char *format, *output;
	unsigned jobs, shard_index, shard_count;
	bool keep_going, audit, merging;
};

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_shard(const char *s, unsigned *i, unsigned *n)
{
	const char *slash = strchr(s, '/');
	char *a;
	int rc;

	if (!slash)
		return -1;
	a = xstrndup(s, (size_t)(slash - s));
	rc = parse_uint(a, 1, AG_PLACE_MAX_GUESTS, i) < 0 ||
	     parse_uint(slash + 1, 1, AG_PLACE_MAX_GUESTS, n) < 0 || *i > *n ?
	     -1 : 0;
	free(a);
	return rc;
}

static void push(char ***list, size_t *n, const char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = (char *)s;
}

static int render(const struct place_args *a, const struct ag_place_result *r)
{
	FILE *out = stdout;
	char *tmp = NULL;
	int rc;

	if (a->output) {
		/* a half-written result must never look like a whole one */
		tmp = xasprintf("%s.tmp.%ld", a->output, (long)getpid());
		out = fopen(tmp, "w");
		if (!out) {
			ag_cli_msg("place: cannot write %s: %s", tmp,
				   strerror(errno));
			free(tmp);
			return -1;
		}
	}
	/* A fleet's result runs to tens of MB: write it in large pieces. */
	setvbuf(out, NULL, _IOFBF, 1u << 16);
	if (!strcmp(a->format, "json"))
		rc = ag_place_render_json(r, out);
	else if (!strcmp(a->format, "csv"))
		rc = ag_place_render_csv(r, out);
	else if (!strcmp(a->format, "html"))
		rc = ag_place_render_html(r, out);
	else
		rc = ag_place_render_text(r, out);
	if (!a->output)
		return ag_cli_flush_stdout("the placement") < 0 || rc < 0 ? -1 : 0;
	if (fclose(out) != 0 || rc < 0 || rename(tmp, a->output) < 0) {
		ag_cli_msg("place: cannot write %s: %s", a->output,
			   strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* 2 when a pair ended in error, 1 when a guest has no host, else 0; the
 * guests and the first error are named on stderr. */
static int outcome(const struct ag_place_result *r)
{
	struct ag_place_summary s;
	size_t i;

	ag_place_result_summary(r, &s);
	for (i = 0; i < r->n_pairs; i++) {
		const struct ag_place_pair *p = &r->pairs[i];
		const struct ag_place_finding *f = ag_place_deciding(p);
		char *m;

		if (p->verdict != AG_VERDICT_ERROR)
			continue;
		m = ag_str_safe(f ? f->message : "error");
		ag_cli_msg("place: %zu pair%s ended in error; first: %s on %s: "
			   "%s", s.by_kind[AG_VERDICT_ERROR],
			   s.by_kind[AG_VERDICT_ERROR] == 1 ? "" : "s",
			   r->guests[p->guest], r->hosts[p->host], m);
		free(m);
		return AG_EXIT_ERROR;
	}
	for (i = 0; i < r->n_guests; i++)
		if (!ag_place_guest_placed(r, i)) {
			char *g = ag_str_safe(r->guests[i]);

			ag_cli_msg("place: no host can take guest %s", g);
			free(g);
		}
	return s.guests_without_host ? AG_EXIT_REJECT : AG_EXIT_OK;
}

static int place_merge(const struct place_args *a)
{
	struct ag_place_result r;
	struct ag_error err;
	int status;

	if (ag_place_merge_files(a->merge, a->n_merge, &r, &err) < 0) {
		char *m = ag_str_safe(err.msg);

		ag_cli_msg("place: %s", m);
		free(m);
		ag_place_result_free(&r);
		return AG_EXIT_ERROR;
	}
	status = outcome(&r);
	if (render(a, &r) < 0)
		status = AG_EXIT_ERROR;
	ag_place_result_free(&r);
	return status;
}

static int place_run(const struct place_args *a, struct ag_cli_policy *pol)
{
	struct ag_place_run_opts o = { 0 };
	struct ag_place_inputs in;
	struct ag_place_result r;
	struct ag_config cfg;
	struct ag_error err;
	int status = AG_EXIT_ERROR;

	if (ag_cli_policy_finish(pol, &cfg, &o.now, &err) < 0) {
		ag_cli_msg("place: %s", err.msg);
		return AG_EXIT_ERROR;
	}
	if (!a->audit) {
		free(cfg.audit.log);
		cfg.audit.log = NULL;
	}
	if (ag_place_load_inputs(a->guests, a->n_guests, a->hosts, a->n_hosts,
				 a->keep_going, &in, &err) < 0) {
		ag_cli_msg("place: %s", err.msg);
		ag_place_inputs_free(&in);
		ag_config_free(&cfg);
		return AG_EXIT_ERROR;
	}
	o.cfg = &cfg;
	o.jobs = a->jobs;
	o.shard_index = a->shard_index;
	o.shard_count = a->shard_count;
	if (ag_place_run(&in, &o, &r, &err) < 0) {
		char *m = ag_str_safe(err.msg);

		ag_cli_msg("place: %s", m);
		free(m);
	} else {
		status = outcome(&r);
		if (in.refused)
			status = AG_EXIT_ERROR;
		if (render(a, &r) < 0)
			status = AG_EXIT_ERROR;
	}
	ag_place_result_free(&r);
	ag_place_inputs_free(&in);
	ag_config_free(&cfg);
	return status;
}

int cmd_place(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guests", required_argument, NULL, 'g' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
		{ "audit", no_argument, NULL, OPT_AUDIT },
		{ "help", no_argument, NULL, 'h' },
		AG_CLI_POLICY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct place_args a = { .format = "text", .jobs = 1 };
	struct ag_cli_policy pol = { 0 };
	char ***list = NULL;
	size_t *count = NULL;
	int opt, status = AG_EXIT_ERROR;

	/* "-" first: the paths after --guests, --hosts and --merge come
	 * back in order as arguments of option 1. */
	while ((opt = getopt_long(argc, argv, "-g:H:f:o:j:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg)) {
			list = NULL;
			continue;
		}
		switch (opt) {
		case 1:
			if (!list) {
				ag_cli_usage_error("place", "unexpected argument "
						   "'%s'", optarg);
				goto out;
			}
			push(list, count, optarg);
			continue;
		case 'g':
			list = &a.guests;
			count = &a.n_guests;
			push(list, count, optarg);
			continue;
		case 'H':
			list = &a.hosts;
			count = &a.n_hosts;
			push(list, count, optarg);
			continue;
		case OPT_MERGE:
			a.merging = true;
			list = &a.merge;
			count = &a.n_merge;
			push(list, count, optarg);
			continue;
		case 'f': a.format = optarg; break;
		case 'o': a.output = optarg; break;
		case 'j':
			if (parse_uint(optarg, 1, AG_PLACE_MAX_JOBS, &a.jobs) < 0) {
				ag_cli_usage_error("place", "--jobs must be a "
						   "number 1..%u, not '%s'",
						   AG_PLACE_MAX_JOBS, optarg);
				goto out;
			}
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &a.shard_index,
					&a.shard_count) < 0) {
				ag_cli_usage_error("place", "--shard must be I/N "
						   "with 1 <= I <= N, not '%s'",
						   optarg);
				goto out;
			}
			break;
		case OPT_KEEP_GOING: a.keep_going = true; break;
		case OPT_AUDIT: a.audit = true; break;
		case 'h':
			printf(place_help, ag_cli_policy_help);
			status = AG_EXIT_OK;
			goto out;
		default:
			status = ag_cli_option_error("place", argv, opts);
			goto out;
		}
		list = NULL;
	}
	if (strcmp(a.format, "text") && strcmp(a.format, "json") &&
	    strcmp(a.format, "csv") && strcmp(a.format, "html")) {
		ag_cli_usage_error("place", "--format must be text, json, csv or "
				   "html, not '%s'", a.format);
		goto out;
	}
	if (a.merging) {
		if (a.n_guests || a.n_hosts || a.shard_count) {
			ag_cli_usage_error("place", "--merge takes placement "
					   "results only, not --guests, --hosts "
					   "or --shard");
			goto out;
		}
		status = place_merge(&a);
		goto out;
	}
	if (!a.n_guests || !a.n_hosts) {
		ag_cli_usage_error("place", "both --guests and --hosts are "
				   "required (or --merge)");
		goto out;
	}
	status = place_run(&a, &pol);
out:
	free(a.guests);
	free(a.hosts);
	free(a.merge);
	ag_cli_policy_free(&pol);
	return status;
}
