/* cmd_hook.c - the libvirt side of apgate: `hook` (refuse incompatible
 * incoming migrations on the target) and the migration blocks (`block`,
 * `unblock`, `blocks`); `export` (the source descriptor as domain
 * metadata) is cmd_export.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "blocks.h"
#include "cli.h"
#include "collect.h"
#include "commands.h"
#include "decide.h"
#include "domxml.h"
#include "exitcode.h"
#include "render.h"
#include "sandbox.h"
#include "textsafe.h"
#include "util.h"

/* libvirt only tells zero from non-zero. */
#define HOOK_ALLOW 0
#define HOOK_REFUSE 1
/* The hook's address space beyond the Lua cap: XML, descriptors, verdict. */
#define HOOK_MEMORY_LIMIT (512ul * 1024 * 1024)

/* Options every command here shares besides the policy options. */
enum { OPT_STATE_DIR = 2000, OPT_MDEV, OPT_REASON, OPT_UNTIL, OPT_BY,
       OPT_ALL, OPT_ENFORCEMENT };

/* --- the hook --- */

static const char hook_help[] =
"Usage: apgate hook [OPTION]... GUEST OPERATION SUB-OPERATION [EXTRA]\n"
"The libvirt qemu hook.  Installed as /etc/libvirt/hooks/qemu.d/00-apgate\n"
"(make install-libvirt-hook), libvirt runs it with the domain XML on stdin.\n"
"For 'GUEST migrate begin' on the target host it takes the source descriptor\n"
"from the domain <metadata>, collects the target side live for the guest's\n"
"vfio-ap mdev (with the declared master keys of keys_file, this host's\n"
"migration blocks and its labels, tgt.labels), evaluates the policies and\n"
"records the decision.\n"
"Every other operation, and guests without a vfio-ap device, exit 0 at once.\n"
"Nothing is ever written to stdout (libvirt reads it as replacement XML).\n"
"\n"
"      --state-dir DIR    migration blocks of this host (default from\n"
"                         apgate.yaml, " AG_STATE_DIR ")\n"
"      --enforcement MODE enforce or dryrun for this run (libvirt passes no\n"
"                         options: set enforcement in apgate.yaml)\n"
"  -h, --help             show this help\n"
"\n"
"%s"
"\n"
"Exit status: 0 accept or warn (libvirt proceeds), 1 reject or error\n"
"(libvirt aborts the migration and shows the one stderr line).  In a dry\n"
"run a reject exits 0 and the stderr line says what would have been\n"
"refused; an error still exits 1.\n";

static volatile sig_atomic_t hook_timeout_ms;

static void on_hook_timeout(int sig)
{
	static const char msg[] =
		"apgate: error: hook: time limit exceeded; migration refused "
		"(raise hook.timeout_ms in apgate.yaml if the host is slow)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(HOOK_REFUSE);
}

/* Stopped from outside (libvirtd going down, an administrator's kill):
 * refuse with the same one line and status as any other way out, rather
 * than die with a signal status and say nothing. */
static void on_stop_signal(int sig)
{
	static const char msg[] =
		"apgate: error: hook: stopped by a signal; migration refused\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(HOOK_REFUSE);
}

static void refuse_on_stop_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	struct sigaction sa = { 0 };
	size_t i;

	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* A hung hook hangs the migration (libvirt waits without a timeout), so
 * the whole run is bounded; a separate signal from the sandbox's. */
static void arm_hook_timer(unsigned ms)
{
	struct sigevent sev = { 0 };
	struct itimerspec its = { 0 };
	struct sigaction sa = { 0 };
	timer_t timer;

	hook_timeout_ms = (sig_atomic_t)ms;
	sa.sa_handler = on_hook_timeout;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		return;
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	timer_settime(timer, 0, &its, NULL);
}

static void limit_memory(void)
{
#if !defined(__SANITIZE_ADDRESS__)
	/* ASan reserves terabytes of shadow memory: no limit under it. */
	struct rlimit rl = { HOOK_MEMORY_LIMIT, HOOK_MEMORY_LIMIT };

	setrlimit(RLIMIT_DATA, &rl);
#endif
}

/* libvirt treats stdout as replacement domain XML: make sure nothing,
 * not even a stray message from a library, can reach it.  An O_PATH
 * descriptor fails every write (EBADF), and unlike /dev/null opening it
 * touches no device node. */
static void silence_stdout(void)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	fflush(stdout);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

/* The one stderr line libvirt shows, and the same in syslog. */
static void report(const struct ag_verdict *v, const char *guest)
{
	char *line = ag_verdict_summary(v), *who = ag_str_safe(guest);
	int prio = v->kind == AG_VERDICT_ACCEPT ? LOG_INFO :
		   v->kind == AG_VERDICT_WARN ? LOG_WARNING : LOG_ERR;

	const char *dry = ag_verdict_enforced(v) ? "" :
			  "dry run, not enforced: would refuse: ";

	if (v->kind != AG_VERDICT_ACCEPT)
		fprintf(stderr, "apgate: %s%s\n", dry, line);
	openlog("apgate", LOG_PID, LOG_DAEMON);
	syslog(prio, "migration of %s to this host: %s%s (decision %s)", who,
	       dry, line, v->decision_id);
	closelog();
	free(who);
	free(line);
}

static const char no_metadata_hint[] =
	"no apgate descriptor in the domain <metadata>: on the source host run "
	"'virsh metadata GUEST --uri " AG_XMLNS_URI " --key " AG_XMLNS_KEY
	" --set \"$(apgate export --mdev UUID)\" --live --config'";

/* Nothing but white space: libvirt gave no domain XML at all. */
static bool blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

int cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "enforcement", required_argument, NULL, OPT_ENFORCEMENT },
		{ "help", no_argument, NULL, 'h' },
		AG_CLI_POLICY_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	enum ag_enforcement mode = AG_ENFORCE;
	const char *enforcement = NULL;
	struct ag_descriptor *src = NULL, *tgt = NULL;
	struct ag_collect_opts co = { 0 };
	struct ag_decide_input in = { 0 };
	struct ag_cli_policy pol = { 0 };
	const char *state_dir = NULL, *guest, *op, *subop;
	struct ag_blockstore bs;
	struct ag_domxml dx;
	struct ag_verdict v;
	struct ag_config cfg;
	struct ag_error err;
	size_t len;
	char *xml;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case OPT_STATE_DIR: state_dir = optarg; break;
		case OPT_ENFORCEMENT: enforcement = optarg; break;
		case 'h':
			printf(hook_help, ag_cli_policy_help);
			ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default:
			ag_cli_policy_free(&pol);
			ag_cli_option_error("hook", argv, opts);
			return HOOK_REFUSE;
		}
	}
	silence_stdout();
	if (argc - optind < 3) {
		ag_cli_policy_free(&pol);
		ag_cli_msg("hook: expected GUEST OPERATION SUB-OPERATION [EXTRA] "
			   "as libvirt passes them");
		return HOOK_REFUSE;
	}
	guest = argv[optind];
	op = argv[optind + 1];
	subop = argv[optind + 2];
	/* Only the target's incoming migration is ours; a failing
	 * "reconnect" would even kill a running guest. */
	if (strcmp(op, "migrate") != 0 || strcmp(subop, "begin") != 0) {
		ag_cli_policy_free(&pol);
		return HOOK_ALLOW;
	}

	ag_verdict_init(&v);
	if (ag_cli_policy_finish(&pol, &cfg, &in.now, &err) < 0)
		ag_verdict_add_error(&v, "config", "%s", err.msg);
	else if (enforcement &&
		 ag_enforcement_parse(enforcement, false, &mode) < 0)
		ag_verdict_add_error(&v, "config", "--enforcement must be "
				     "enforce or dryrun, not '%s'", enforcement);
	else if (enforcement)
		cfg.enforcement = mode;
	ag_cli_policy_free(&pol);
	if (!cfg.timeout_set)
		cfg.limits.timeout_ms = AG_DEFAULT_HOOK_CALL_TIMEOUT_MS;
	arm_hook_timer(cfg.hook.timeout_ms);
	refuse_on_stop_signals();
	limit_memory();
	ag_sandbox_set_fatal_exit(HOOK_REFUSE);
	if (state_dir) {
		free(cfg.state_dir);
		cfg.state_dir = xstrdup(state_dir);
	}

	if (ag_read_file("-", AG_DOMXML_MAX_BYTES, &xml, &len, &err) < 0) {
		ag_verdict_add_error(&v, "input", "domain XML on stdin: %s", err.msg);
		memset(&dx, 0, sizeof(dx));
	} else if (blank(xml, len)) {
		/* Said plainly: an XML parser would only report line 0. */
		ag_verdict_add_error(&v, "input", "domain XML on stdin is empty "
				     "(libvirt passes the guest's XML there)");
		free(xml);
		memset(&dx, 0, sizeof(dx));
	} else {
		if (ag_domxml_parse("domain XML", xml, len, &dx, &err) < 0)
			ag_verdict_add_error(&v, "input", "%s", err.msg);
		free(xml);
		if (!v.n_findings && !dx.has_vfio_ap) {
			/* Not our guest: nothing to decide, nothing touched. */
			ag_domxml_free(&dx);
			ag_verdict_free(&v);
			ag_config_free(&cfg);
			return HOOK_ALLOW;
		}
	}

	if (!v.n_findings && !dx.metadata) {
		if (cfg.hook.accept_without_metadata) {
			ag_cli_msg("warning: %s allowed without a check "
				   "(hook.on_missing_metadata: accept): %s", guest,
				   no_metadata_hint);
			char *who = ag_str_safe(guest);

			openlog("apgate", LOG_PID, LOG_DAEMON);
			syslog(LOG_WARNING, "migration of %s allowed unchecked: no "
			       "apgate metadata (fail-open by configuration)",
			       who);
			closelog();
			free(who);
			ag_domxml_free(&dx);
			ag_verdict_free(&v);
			ag_config_free(&cfg);
			return HOOK_ALLOW;
		}
		ag_verdict_add_error(&v, "input", "%s", no_metadata_hint);
	}
	if (!v.n_findings &&
	    ag_domxml_descriptor(&dx, "domain XML", &src, &err) < 0)
		ag_verdict_add_error(&v, "input", "%s", err.msg);

	if (!v.n_findings) {
		co.uuid = dx.uuid;
		/* libvirt needs the mdev started: a definition alone is not
		 * a target (collect says how to start it). */
		co.source = AG_COLLECT_SYSFS;
		co.keys_file = cfg.keys_file;
		co.insecure = cfg.insecure_policies;
		co.now = in.now;
		/* the target's labels: this host's configuration, now */
		co.labels = &cfg.labels;
		if (ag_collect(&co, &tgt, &err) < 0)
			ag_verdict_add_error(&v, "target", "mdev %s on this host: "
					     "%s (the guest's mdev must exist and "
					     "be started here before it migrates)",
					     dx.uuid, err.msg);
	}
	if (!v.n_findings) {
		if (ag_blocks_load(cfg.state_dir, &bs, &err) < 0) {
			ag_verdict_add_error(&v, "target", "%s", err.msg);
		} else {
			ag_blocks_apply(&bs, dx.uuid, in.now, tgt);
			ag_blockstore_free(&bs);
		}
	}

	in.cfg = &cfg;
	in.caller = "hook";
	in.guest = guest;
	in.src = v.n_findings ? NULL : src;
	in.tgt = v.n_findings ? NULL : tgt;
	in.src_path = "domain metadata";
	ag_decide(&in, &v);
	report(&v, guest);
	status = v.enforced_kind == AG_VERDICT_ACCEPT ||
		 v.enforced_kind == AG_VERDICT_WARN ? HOOK_ALLOW : HOOK_REFUSE;

	ag_verdict_free(&v);
	ag_descriptor_free(src);
	ag_descriptor_free(tgt);
	ag_domxml_free(&dx);
	ag_config_free(&cfg);
	return status;
}

/* --- migration blocks --- */

static const char block_help[] =
"Usage: apgate block --mdev UUID --reason TEXT [--until TIME] [OPTION]...\n"
"Hold migrations of the guest using mdev UUID to and from this host, e.g.\n"
"during a master-key change.  The block is kept in STATE_DIR/blocks.json;\n"
"`apgate export` carries it to the target, and the hook honours the\n"
"target's own blocks.\n"
"\n"
"  -m, --mdev UUID        the mdev\n"
"  -r, --reason TEXT      why (shown in every refusal)\n"
"  -u, --until TIME       end of the block: RFC 3339, or +N with unit s, m,\n"
"                         h or d (default: until 'apgate unblock')\n"
"      --by NAME          who (default: $SUDO_USER, else the user name)\n"
"      --state-dir DIR    where blocks are kept (default " AG_STATE_DIR ")\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 blocked, 2 error.\n";

static const char unblock_help[] =
"Usage: apgate unblock --mdev UUID [OPTION]...\n"
"Lift every migration block of mdev UUID on this host.\n"
"\n"
"  -m, --mdev UUID        the mdev\n"
"      --state-dir DIR    where blocks are kept (default " AG_STATE_DIR ")\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 lifted, 1 there was no block, 2 error.\n";

static const char blocks_help[] =
"Usage: apgate blocks [--all] [--format text|json] [OPTION]...\n"
"List the migration blocks in force on this host: mdev, since, until, by\n"
"whom and why.\n"
"\n"
"  -a, --all              include blocks that ended or have not started\n"
"  -f, --format FORMAT    text (default) or json\n"
"      --state-dir DIR    where blocks are kept (default " AG_STATE_DIR ")\n"
"      --config FILE      read FILE instead of " AG_CONFIG_FILE "\n"
"      --no-config        read no configuration file\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 listed (also when there is none), 2 error.\n";

#define BLOCK_CONFIG_OPTIONS \
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR }, \
	{ "config", required_argument, NULL, AG_OPT_CONFIG }, \
	{ "no-config", no_argument, NULL, AG_OPT_NO_CONFIG }, \
	{ "help", no_argument, NULL, 'h' }

/* The state directory: --state-dir, else apgate.yaml, else built in. */
static char *state_dir_of(struct ag_cli_policy *pol, const char *override,
			  time_t *now)
{
	struct ag_config cfg;
	struct ag_error err;
	char *dir;

	if (ag_cli_policy_finish(pol, &cfg, now, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		ag_config_free(&cfg);
		return NULL;
	}
	dir = xstrdup(override ? override : cfg.state_dir);
	ag_config_free(&cfg);
	return dir;
}

static char *default_user(void)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo && *sudo)
		return xstrdup(sudo);
	pw = getpwuid(geteuid());
	return xasprintf("%s", pw ? pw->pw_name : "unknown");
}

int cmd_block(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mdev", required_argument, NULL, 'm' },
		{ "reason", required_argument, NULL, 'r' },
		{ "until", required_argument, NULL, 'u' },
		{ "by", required_argument, NULL, OPT_BY },
		BLOCK_CONFIG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *uuid = NULL, *reason = NULL, *until = NULL, *by = NULL;
	const char *override = NULL;
	struct ag_cli_policy pol = { 0 };
	struct ag_block_entry b = { 0 };
	struct ag_error err;
	time_t now, end;
	char *dir, *user;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "m:r:u:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'm': uuid = optarg; break;
		case 'r': reason = optarg; break;
		case 'u': until = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_STATE_DIR: override = optarg; break;
		case 'h': fputs(block_help, stdout); ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default: ag_cli_policy_free(&pol);
			return ag_cli_option_error("block", argv, opts);
		}
	}
	rc = AG_EXIT_ERROR;
	if (optind < argc || !uuid || !reason || !*reason) {
		ag_cli_usage_error("block", "--mdev UUID and a non-empty --reason "
				   "TEXT are required");
		goto out;
	}
	if (!ag_uuid_valid(uuid, true)) {
		ag_cli_usage_error("block", "--mdev %s: not a UUID", uuid);
		goto out;
	}
	if (strlen(reason) > AG_REASON_MAX || (by && strlen(by) > AG_NAME_MAX)) {
		ag_cli_usage_error("block", "--reason may have at most %u bytes, "
				   "--by at most %u", AG_REASON_MAX, AG_NAME_MAX);
		goto out;
	}
	dir = state_dir_of(&pol, override, &now);
	if (!dir)
		goto out;
	if (until && (ag_parse_until(until, now, &end) < 0 || end <= now)) {
		ag_cli_usage_error("block", "--until %s: expected a future RFC 3339 "
				   "time or +N with unit s, m, h or d", until);
		free(dir);
		goto out;
	}
	for (size_t i = 0; i < AG_UUID_LEN - 1; i++)
		b.uuid[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ?
				   uuid[i] + 32 : uuid[i]);
	b.reason = (char *)reason;
	ag_time_format(now, b.since);
	if (until)
		ag_time_format(end, b.until);
	user = by ? xstrdup(by) : default_user();
	b.by = user;
	if (ag_blocks_add(dir, &b, &err) < 0) {
		ag_cli_msg("%s", err.msg);
	} else {
		printf("blocked %s%s%s: ", b.uuid, until ? " until " : "",
		       until ? b.until : "");
		ag_fput_safe(stdout, reason);
		putchar('\n');
		rc = AG_EXIT_OK;
	}
	free(user);
	free(dir);
out:
	ag_cli_policy_free(&pol);
	return rc;
}

int cmd_unblock(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mdev", required_argument, NULL, 'm' },
		BLOCK_CONFIG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *uuid = NULL, *override = NULL;
	struct ag_cli_policy pol = { 0 };
	char lower[AG_UUID_LEN];
	struct ag_error err;
	size_t removed, i;
	int opt, rc = AG_EXIT_ERROR;
	time_t now;
	char *dir;

	while ((opt = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'm': uuid = optarg; break;
		case OPT_STATE_DIR: override = optarg; break;
		case 'h': fputs(unblock_help, stdout); ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default: ag_cli_policy_free(&pol);
			return ag_cli_option_error("unblock", argv, opts);
		}
	}
	if (optind < argc || !uuid || !ag_uuid_valid(uuid, true)) {
		ag_cli_usage_error("unblock", "--mdev UUID is required");
		goto out;
	}
	for (i = 0; i < AG_UUID_LEN; i++)
		lower[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ?
				  uuid[i] + 32 : uuid[i]);
	dir = state_dir_of(&pol, override, &now);
	if (!dir)
		goto out;
	if (ag_blocks_remove(dir, lower, &removed, &err) < 0) {
		ag_cli_msg("%s", err.msg);
	} else if (removed == 0) {
		ag_cli_msg("no migration block for mdev %s", lower);
		rc = AG_EXIT_REJECT;
	} else {
		printf("unblocked %s (%zu block%s lifted)\n", lower, removed,
		       removed == 1 ? "" : "s");
		rc = AG_EXIT_OK;
	}
	free(dir);
out:
	ag_cli_policy_free(&pol);
	return rc;
}

static const char *block_state(const struct ag_block_entry *b, time_t now)
{
	time_t t;

	if (ag_time_parse(b->since, &t) == 0 && t > now)
		return "pending";
	return ag_block_active(b, now) ? "active" : "expired";
}

int cmd_blocks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		BLOCK_CONFIG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *override = NULL, *format = "text";
	struct ag_cli_policy pol = { 0 };
	struct ag_blockstore bs;
	struct ag_error err;
	bool all = false;
	size_t i, shown = 0;
	int opt, rc = AG_EXIT_ERROR;
	json_object *arr;
	time_t now;
	char *dir;

	while ((opt = getopt_long(argc, argv, "af:h", opts, NULL)) != -1) {
		if (ag_cli_policy_option(&pol, opt, optarg))
			continue;
		switch (opt) {
		case 'a': all = true; break;
		case 'f': format = optarg; break;
		case OPT_STATE_DIR: override = optarg; break;
		case 'h': fputs(blocks_help, stdout); ag_cli_policy_free(&pol);
			return AG_EXIT_OK;
		default: ag_cli_policy_free(&pol);
			return ag_cli_option_error("blocks", argv, opts);
		}
	}
	if (optind < argc || (strcmp(format, "text") && strcmp(format, "json"))) {
		ag_cli_usage_error("blocks", "--format must be text or json");
		goto out;
	}
	dir = state_dir_of(&pol, override, &now);
	if (!dir)
		goto out;
	if (ag_blocks_load(dir, &bs, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		free(dir);
		goto out;
	}
	free(dir);
	arr = json_object_new_array();
	for (i = 0; i < bs.n; i++) {
		const struct ag_block_entry *b = &bs.items[i];
		const char *state = block_state(b, now);
		json_object *o;

		if (!all && strcmp(state, "active"))
			continue;
		if (strcmp(format, "json") == 0) {
			o = json_object_new_object();
			if (b->by)
				json_object_object_add(o, "by", json_object_new_string(b->by));
			json_object_object_add(o, "mdev", json_object_new_string(b->uuid));
			json_object_object_add(o, "reason", json_object_new_string(b->reason));
			json_object_object_add(o, "since", json_object_new_string(b->since));
			json_object_object_add(o, "state", json_object_new_string(state));
			if (b->until[0])
				json_object_object_add(o, "until",
						       json_object_new_string(b->until));
			json_object_array_add(arr, o);
		} else {
			/* by and reason are free text: escaped */
			char *by = ag_str_safe(b->by ? b->by : "-");

			if (shown == 0)
				printf("%-36s  %-7s  %-20s  %-20s  %-12s  %s\n", "MDEV",
				       "STATE", "SINCE", "UNTIL", "BY", "REASON");
			printf("%-36s  %-7s  %-20s  %-20s  %-12s  ", b->uuid,
			       state, b->since, b->until[0] ? b->until : "-", by);
			ag_fput_safe(stdout, b->reason);
			putchar('\n');
			free(by);
		}
		shown++;
	}
	if (strcmp(format, "json") == 0)
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (shown == 0)
		printf("no migration blocks%s\n", all ? "" : " in force");
	json_object_put(arr);
	ag_blockstore_free(&bs);
	rc = AG_EXIT_OK;
out:
	ag_cli_policy_free(&pol);
	return rc;
}
