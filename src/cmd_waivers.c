/* cmd_waivers.c - `apgate waive`, `unwaive` and `waivers`: time-limited
 * exceptions to one rule for one guest (waivers.h). */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apqn.h"
#include "blocks.h"
#include "cli.h"
#include "commands.h"
#include "exitcode.h"
#include "jsonsort.h"
#include "util.h"
#include "waivers.h"

enum { OPT_STATE_DIR = 3000, OPT_BY, OPT_HOST, OPT_FORCE, OPT_APQN,
       OPT_REASON };

static const char waive_help[] =
"Usage: apgate waive --mdev UUID --rule ID --until TIME --reason TEXT\n"
"                    [--apqn APQN] [--host NAME] [--by NAME] [OPTION]...\n"
"Let the guest using mdev UUID through rule ID until TIME: its rejects of\n"
"that rule (of that APQN, on that target host, when given) become warns\n"
"that name the waiver.  Never for migration.blocked or for errors.  The\n"
"waiver is kept in STATE_DIR/waivers.json and ends at TIME.\n"
"\n"
"  -m, --mdev UUID        the guest's mdev\n"
"  -r, --rule ID          the rule whose rejects are waived\n"
"      --apqn APQN        only findings about this APQN (e.g. 05.0047)\n"
"      --host NAME        only migrations to this target host\n"
"  -u, --until TIME       end: RFC 3339, or +N with unit s, m, h or d; at\n"
"                         most 90 days ahead\n"
"      --force            allow an end more than 90 days ahead\n"
"      --reason TEXT      why (shown in every decision it changes)\n"
"      --by NAME          who (default: $SUDO_USER, else the user name)\n"
"      --state-dir DIR    where waivers are kept (default " AG_STATE_DIR ")\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"      --now TIME         take TIME (RFC 3339) as the current time\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 recorded, 2 error.\n";

static const char unwaive_help[] =
"Usage: apgate unwaive [OPTION]... ID\n"
"Withdraw waiver ID from this host's store.  Waivers of waivers.d are\n"
"withdrawn by removing them from their file.\n"
"\n"
"      --state-dir DIR    where waivers are kept (default " AG_STATE_DIR ")\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 withdrawn, 1 no such waiver in the store, 2 error.\n";

static const char waivers_help[] =
"Usage: apgate waivers [--all] [--format text|json] [OPTION]...\n"
"List the waivers in force on this host, from the store and from\n"
"waivers.d, with where each comes from.\n"
"\n"
"  -a, --all              include expired waivers\n"
"  -f, --format FORMAT    text (default) or json\n"
"      --state-dir DIR    where waivers are kept (default " AG_STATE_DIR ")\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"      --now TIME         take TIME (RFC 3339) as the current time\n"
"  -h, --help             show this help\n";

#define WAIVER_CONFIG_OPTIONS \
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR }, \
	{ "help", no_argument, NULL, 'h' }, \
	AG_CLI_POLICY_OPTIONS

/* The configuration with --state-dir applied; *now as for every command. */
static int config_of(struct ag_cli_policy *pol, const char *state_dir,
		     struct ag_config *cfg, time_t *now)
{
	struct ag_error err;

	if (ag_cli_policy_finish(pol, cfg, now, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		ag_config_free(cfg);
		return -1;
	}
	if (state_dir) {
		free(cfg->state_dir);
		cfg->state_dir = xstrdup(state_dir);
	}
	return 0;
}

static char *default_user(void)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo && *sudo)
		return xstrdup(sudo);
	pw = getpwuid(geteuid());
	return xstrdup(pw ? pw->pw_name : "unknown");
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

int cmd_waive(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mdev", required_argument, NULL, 'm' },
		{ "rule", required_argument, NULL, 'r' },
		{ "apqn", required_argument, NULL, OPT_APQN },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "until", required_argument, NULL, 'u' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "by", required_argument, NULL, OPT_BY },
		WAIVER_CONFIG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *uuid = NULL, *rule = NULL, *apqn = NULL, *host = NULL;
	const char *until = NULL, *reason = NULL, *by = NULL, *dir = NULL;
	struct ag_cli_policy pol = { 0 };
	struct ag_waiver w = { 0 };
	struct ag_config cfg;
	struct ag_error err;
	unsigned a, d;
	bool force = false;
	char *user = NULL;
	time_t now, end;
	int opt, rc = AG_EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "m:r:u:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'm': uuid = optarg; break;
		case 'r': rule = optarg; break;
		case OPT_APQN: apqn = optarg; break;
		case OPT_HOST: host = optarg; break;
		case 'u': until = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_REASON: reason = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_STATE_DIR: dir = optarg; break;
		case 'h': fputs(waive_help, stdout); ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default: ag_cli_policy_free(&pol);
			return ag_cli_usage_error("waive", "invalid option");
		}
	}
	if (optind < argc || !uuid || !rule || !until || !reason || !*reason) {
		ag_cli_usage_error("waive", "--mdev UUID, --rule ID, --until TIME "
				   "and a non-empty --reason TEXT are required "
				   "(no open-ended waivers)");
		goto out_pol;
	}
	if (!ag_uuid_valid(uuid, true)) {
		ag_cli_usage_error("waive", "--mdev %s: not a UUID", uuid);
		goto out_pol;
	}
	if (strcmp(rule, "migration.blocked") == 0) {
		ag_cli_usage_error("waive", "--rule migration.blocked: a migration "
				   "block is never waived; lift it with apgate "
				   "unblock");
		goto out_pol;
	}
	if (apqn && ag_apqn_parse(apqn, &a, &d) < 0) {
		ag_cli_usage_error("waive", "--apqn %s: expected an APQN like "
				   "05.0047", apqn);
		goto out_pol;
	}
	if (by && !*by) {
		ag_cli_usage_error("waive", "--by: expected a name");
		goto out_pol;
	}
	if (host && !*host) {
		ag_cli_usage_error("waive", "--host: expected a host name");
		goto out_pol;
	}
	if (config_of(&pol, dir, &cfg, &now) < 0)
		goto out_pol;
	if (ag_parse_until(until, now, &end) < 0 || end <= now) {
		ag_cli_usage_error("waive", "--until %s: expected a future RFC "
				   "3339 time or +N with unit s, m, h or d", until);
		goto out;
	}
	if (end - now > (time_t)AG_WAIVER_MAX_DAYS * 86400 && !force) {
		ag_cli_usage_error("waive", "--until %s: more than %d days ahead; "
				   "a waiver is a temporary exception (renew it, "
				   "or give --force)", until, AG_WAIVER_MAX_DAYS);
		goto out;
	}
	snprintf(w.mdev, sizeof(w.mdev), "%s", uuid);
	lower(w.mdev);
	w.rule = (char *)rule;
	w.apqn = (char *)apqn;
	w.host = (char *)host;
	w.until_t = end;
	ag_time_format(end, w.until);
	ag_time_format(now, w.created);
	w.reason = (char *)reason;
	user = by ? xstrdup(by) : default_user();
	w.by = user;
	/* The record must be one that loading accepts: same checks. */
	if (ag_waivers_add(cfg.state_dir, cfg.insecure_policies, &w, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		goto out;
	}
	printf("waiver %s: %s for mdev %s%s%s%s%s until %s: %s\n", w.id, rule,
	       w.mdev, apqn ? ", APQN " : "", apqn ? apqn : "",
	       host ? ", to host " : "", host ? host : "", w.until, reason);
	rc = fflush(stdout) == 0 ? AG_EXIT_OK : AG_EXIT_ERROR;
out:
	free(user);
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return rc;
}

int cmd_unwaive(int argc, char **argv)
{
	static const struct option opts[] = {
		WAIVER_CONFIG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct ag_cli_policy pol = { 0 };
	struct ag_waiverset ws;
	struct ag_config cfg;
	struct ag_error err;
	const char *dir = NULL, *id;
	int opt, rc = AG_EXIT_ERROR, removed;
	size_t i;
	time_t now;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case OPT_STATE_DIR: dir = optarg; break;
		case 'h': fputs(unwaive_help, stdout); ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default: ag_cli_policy_free(&pol);
			return ag_cli_usage_error("unwaive", "invalid option");
		}
	}
	if (argc - optind != 1) {
		ag_cli_usage_error("unwaive", "expected one waiver ID");
		goto out_pol;
	}
	id = argv[optind];
	if (config_of(&pol, dir, &cfg, &now) < 0)
		goto out_pol;
	removed = ag_waivers_remove(cfg.state_dir, cfg.insecure_policies, id,
				    &err);
	if (removed < 0) {
		ag_cli_msg("%s", err.msg);
	} else if (removed) {
		printf("waiver %s withdrawn\n", id);
		rc = AG_EXIT_OK;
	} else {
		rc = AG_EXIT_REJECT;
		/* Say where it is when it comes from a distributed file. */
		if (cfg.waivers_dir &&
		    ag_waivers_load(cfg.state_dir, cfg.waivers_dir,
				    cfg.insecure_policies, &ws, &err) == 0) {
			for (i = 0; i < ws.n; i++)
				if (strcmp(ws.items[i].id, id) == 0)
					break;
			if (i < ws.n) {
				ag_cli_msg("waiver %s comes from %s: remove it "
					   "there", id, ws.items[i].origin);
				rc = AG_EXIT_ERROR;
			}
			ag_waiverset_free(&ws);
		}
		if (rc == AG_EXIT_REJECT)
			ag_cli_msg("no waiver %s in %s/%s", id, cfg.state_dir,
				   AG_WAIVERS_FILE);
	}
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return rc;
}

int cmd_waivers(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		WAIVER_CONFIG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *format = "text";
	struct ag_cli_policy pol = { 0 };
	struct ag_waiverset ws;
	struct ag_config cfg;
	struct ag_error err;
	bool all = false, json;
	size_t i, shown = 0;
	int opt, rc = AG_EXIT_ERROR;
	json_object *arr;
	time_t now;

	while ((opt = getopt_long(argc, argv, "af:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'a': all = true; break;
		case 'f': format = optarg; break;
		case OPT_STATE_DIR: dir = optarg; break;
		case 'h': fputs(waivers_help, stdout); ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default: ag_cli_policy_free(&pol);
			return ag_cli_usage_error("waivers", "invalid option");
		}
	}
	if (optind < argc || (strcmp(format, "text") && strcmp(format, "json"))) {
		ag_cli_usage_error("waivers", "--format must be text or json");
		goto out_pol;
	}
	json = strcmp(format, "json") == 0;
	if (config_of(&pol, dir, &cfg, &now) < 0)
		goto out_pol;
	if (ag_waivers_load(cfg.state_dir, cfg.waivers_dir,
			    cfg.insecure_policies, &ws, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		goto out;
	}
	arr = json_object_new_array();
	for (i = 0; i < ws.n; i++) {
		const struct ag_waiver *w = &ws.items[i];
		const char *state = ag_waiver_active(w, now) ? "active" : "expired";
		json_object *o;

		if (!all && !ag_waiver_active(w, now))
			continue;
		if (json) {
			o = ag_waiver_to_json(w);
			json_object_object_add(o, "origin",
					       json_object_new_string(w->origin));
			json_object_object_add(o, "state",
					       json_object_new_string(state));
			json_object_array_add(arr, o);
		} else {
			if (shown == 0)
				printf("%-10s %-7s %-20s %-36s %-20s %-7s %-12s %-10s "
				       "%s  %s\n", "ID", "STATE", "UNTIL", "MDEV",
				       "RULE", "APQN", "HOST", "BY", "ORIGIN",
				       "REASON");
			printf("%-10s %-7s %-20s %-36s %-20s %-7s %-12s %-10s "
			       "%s  %s\n", w->id, state, w->until, w->mdev,
			       w->rule, w->apqn ? w->apqn : "-",
			       w->host ? w->host : "-", w->by, w->origin,
			       w->reason);
		}
		shown++;
	}
	if (json) {
		json_object *s = ag_json_sorted(arr);

		puts(json_object_to_json_string_ext(s, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(s);
	} else if (shown == 0) {
		printf("no waivers%s\n", all ? "" : " in force");
	}
	json_object_put(arr);
	ag_waiverset_free(&ws);
	rc = fflush(stdout) == 0 ? AG_EXIT_OK : AG_EXIT_ERROR;
out:
	ag_config_free(&cfg);
out_pol:
	ag_cli_policy_free(&pol);
	return rc;
}
