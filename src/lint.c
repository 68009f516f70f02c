/* lint.c - `apgate lint`: the real engine says what loads and which rules
 * are replaced or disabled; policyscan.c says which globals are read and
 * where rules can report (see lint.h for the checks). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>

#include "descriptor.h"
#include "engine.h"
#include "lint.h"
#include "policyscan.h"
#include "policyset.h"
#include "timeutil.h"
#include "util.h"

/* Sample inputs for running checks: a matching CCA pair, the same guest
 * against a target where nearly everything differs, a matching EP11 pair,
 * CCA against EP11, and two descriptors that leave everything optional
 * unset.  They exist to walk as many paths of a check as cheaply possible,
 * not to be realistic. */
#define CCA_HEAD \
	"apgate-descriptor: 1\n" \
	"host: %s\n" \
	"mdev:\n" \
	"  uuid: %s\n" \
	"  type: vfio_ap-passthrough\n" \
	"  state: active\n" \
	"  adapters: [0x05, 0x06]\n" \
	"  domains: [0x04, 0x47]\n" \
	"  control_domains: [%s]\n"
static const char CCA_BODY[] =
	"cards:\n"
	"  - {adapter: 0x05, type: CEX8C, hwtype: 14, raw_hwtype: 14, mode: cca, functions: \"0x92800000\", serial: S1, config: true, online: true, chkstop: false}\n"
	"  - {adapter: 0x06, type: CEX8C, hwtype: 14, raw_hwtype: 14, mode: cca, functions: \"0x92800000\", serial: S2, config: true, online: true, chkstop: false}\n"
	"queues:\n"
	"  - {apqn: \"05.0004\", config: true, online: true, chkstop: false, driver: vfio_ap, status: in use, mkvps: {origin: sysfs,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}, old: {state: valid, mkvp: \"0x1d94e7a03c5b2f86\"}},"
	" apka: {new: {state: empty}, cur: {state: valid, mkvp: \"0x2c5e91b7a04d3f68\"}, old: {state: invalid}},"
	" asym: {new: {state: empty}, cur: {state: valid, mkvp: \"0x5b0e7d13c9a24f8e61d3a7c05e9b2f14\"}, old: {state: invalid}}}}\n"
	"  - {apqn: \"05.0047\", config: true, online: true, chkstop: false, driver: vfio_ap, mkvps: {origin: declared,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x4e7b2d90a1c3f586\"}, old: {state: valid, mkvp: \"0xb3a8d5172e64c09f\"}}}}\n"
	"  - {apqn: \"06.0004\", config: true, online: true, chkstop: false, driver: vfio_ap, mkvps: {origin: guest,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x8f3a6c21d07be419\"}, old: {state: valid, mkvp: \"0x1d94e7a03c5b2f86\"}}}}\n"
	"  - {apqn: \"06.0047\", config: true, online: true, chkstop: false, driver: vfio_ap, mkvps: {origin: declared,"
	" aes: {new: {state: empty}, cur: {state: valid, mkvp: \"0x4e7b2d90a1c3f586\"}, old: {state: valid, mkvp: \"0xb3a8d5172e64c09f\"}}}}\n";
static const char CCA_OTHER_BODY[] =
	"cards:\n"
	"  - {adapter: 0x05, type: CEX6A, hwtype: 12, raw_hwtype: 12, mode: accel, functions: \"0x68400000\", config: false, online: false, chkstop: true}\n"
	"  - {adapter: 0x06, type: CEX7P, hwtype: 13, mode: ep11, functions: \"0x05000000\", config: true, online: true, chkstop: false}\n"
	"queues:\n"
	"  - {apqn: \"05.0004\", config: false, online: false, chkstop: true, driver: cex4queue}\n"
	"  - {apqn: \"05.0047\", config: true, chkstop: false, driver: none}\n"
	"  - {apqn: \"06.0004\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: sysfs,"
	" wk: {new: {state: committed, mkvp: \"0x5f2a8c1e7d3b9046e1c7a5f3b2d8e0947c61d2a9e05b3f88a4d70c1900000000\"}, cur: {state: unknown}}}}\n"
	"blocks:\n"
	"  - {reason: card replacement, since: \"2026-11-20T00:00:00Z\", until: \"2026-11-29T00:00:00Z\", by: ops@example.com}\n"
	"  - {reason: old block, until: \"2026-01-01T00:00:00Z\"}\n"
	"  - {reason: later block, since: \"2027-01-01T00:00:00Z\"}\n";
static const char EP11_DESC[] =
	"apgate-descriptor: 1\n"
	"host: %s\n"
	"mdev:\n"
	"  uuid: 0b6f3e52-91d4-4c8a-a7e3-5d2f1c9b8e04\n"
	"  adapters: [0x03]\n"
	"  domains: [0x41]\n"
	"  control_domains: [0x41]\n"
	"cards:\n"
	"  - {adapter: 0x03, type: CEX8P, hwtype: 14, raw_hwtype: 14, mode: ep11, functions: \"0x06800000\", config: true, online: true, chkstop: false}\n"
	"queues:\n"
	"  - {apqn: \"03.0041\", config: true, chkstop: false, driver: vfio_ap, mkvps: {origin: guest,"
	" wk: {new: {state: %s}, cur: {state: valid, mkvp: \"0xdb3c3b3c3f097dd55ec7eb0e7fdbcb933b773619640a1a75a9161cec00000000\"}}}}\n";
static const char BARE_DESC[] =
	"apgate-descriptor: 1\n"
	"host: %s\n"
	"mdev:\n"
	"  uuid: 11111111-2222-4333-8444-555555555555\n"
	"  adapters: [0x01]\n"
	"  domains: [0x02]\n"
	"  control_domains: []\n";

#define N_SAMPLES 5

static struct ag_descriptor *sample(const char *text)
{
	struct ag_descriptor *d = NULL;
	struct ag_error err;

	/* Built in: a failure here is a bug, caught by the unit tests. */
	if (ag_descriptor_load_buffer("<lint sample>", text, strlen(text), &d,
				      &err) < 0)
		return NULL;
	return d;
}

static void make_samples(struct ag_descriptor **src, struct ag_descriptor **tgt)
{
	char *a, *b;

	a = xasprintf(CCA_HEAD "%s", "lpar-a.example.com",
		      "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93", "0x04, 0x47",
		      CCA_BODY);
	b = xasprintf(CCA_HEAD "%s", "lpar-b.example.com",
		      "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93", "0x04, 0x47",
		      CCA_BODY);
	src[0] = sample(a);
	tgt[0] = sample(b);
	src[1] = sample(a);
	free(a);
	free(b);
	b = xasprintf(CCA_HEAD "%s", "lpar-c.example.com",
		      "e1a7c3d5-2f4b-4869-8d0e-6b1a9c7f3e25", "0x05",
		      CCA_OTHER_BODY);
	tgt[1] = sample(b);
	free(b);
	a = xasprintf(EP11_DESC, "lpar-a.example.com", "empty");
	b = xasprintf(EP11_DESC, "lpar-b.example.com", "uncommitted, mkvp: "
		      "\"0x5f2a8c1e7d3b9046e1c7a5f3b2d8e0947c61d2a9e05b3f88a4d70c1900000000\"");
	src[2] = sample(a);
	tgt[2] = sample(b);
	tgt[3] = sample(b);
	free(a);
	free(b);
	a = xasprintf(CCA_HEAD "%s", "lpar-a.example.com",
		      "5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93", "0x04",
		      CCA_BODY);
	src[3] = sample(a);
	free(a);
	a = xasprintf(BARE_DESC, "lpar-a.example.com");
	b = xasprintf(BARE_DESC, "lpar-b.example.com");
	src[4] = sample(a);
	tgt[4] = sample(b);
	free(a);
	free(b);
}

static void add(struct ag_lint_result *res, const char *file, int line,
		enum ag_lint_level level, const char *check,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add(struct ag_lint_result *res, const char *file, int line,
		enum ag_lint_level level, const char *check,
		const char *fmt, ...)
{
	struct ag_lint_problem *p;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup(fmt);
	va_end(ap);
	res->problems = xgrow(res->problems, &res->cap, res->n + 1,
			      sizeof(*res->problems));
	p = &res->problems[res->n++];
	p->file = xstrdup(file);
	p->line = line;
	p->level = level;
	p->check = check;
	p->message = msg;
}

/* "FILE:LINE: text" from Lua -> line and text.  Lua shortens long file
 * names to "...tail" (LUA_IDSIZE); that form is recognised too. */
static const char *split_position(const char *file, const char *msg, int *line)
{
	size_t n = strlen(file), tail;
	const char *pos = NULL, *colon;
	char *end;
	long l;

	*line = 0;
	if (strncmp(msg, file, n) == 0 && msg[n] == ':') {
		pos = msg + n;
	} else if (strncmp(msg, "...", 3) == 0 &&
		   (colon = strchr(msg + 3, ':')) != NULL) {
		tail = (size_t)(colon - (msg + 3));
		if (tail <= n && memcmp(file + n - tail, msg + 3, tail) == 0)
			pos = colon;
	}
	if (!pos)
		return msg;
	l = strtol(pos + 1, &end, 10);
	if (end == pos + 1 || *end != ':')
		return pos + 1 + (pos[1] == ' ');
	*line = (int)l;
	return end + 1 + (end[1] == ' ');
}

/* Compile only: a plain state, no libraries, nothing runs. */
static bool compiles(const char *path, const char *buf, size_t len,
		     struct ag_lint_result *res)
{
	lua_State *L = luaL_newstate();
	char *name = xasprintf("@%s", path);
	bool ok;
	int line;

	if (!L) {
		free(name);
		return true;	/* the engine will say */
	}
	ok = luaL_loadbufferx(L, buf, len, name, "t") == LUA_OK;
	if (!ok) {
		const char *text = split_position(path, lua_tostring(L, -1), &line);

		add(res, path, line, AG_LINT_ERROR, "syntax", "%s", text);
	}
	lua_close(L);
	free(name);
	return ok;
}

struct lint_file {
	char *path;
	char *buf;
	size_t len;
	bool loaded;
};

static long file_index(const struct lint_file *f, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].path, path) == 0)
			return (long)i;
	return -1;
}

static void check_rules(const struct ag_engine *e, struct ag_lint_result *res)
{
	const struct ag_rule_info *r;
	size_t n, i;

	r = ag_engine_rules(e, &n);
	for (i = 0; i < n; i++) {
		if (!r[i].description || !r[i].description[0])
			add(res, r[i].file, r[i].line, AG_LINT_WARNING,
			    "no-description", "rule '%s' has no description; "
			    "verdicts show it to whoever reads them", r[i].id);
		if (r[i].state == AG_RULE_REPLACED &&
		    strcmp(r[i].by_file, r[i].file) == 0)
			add(res, r[i].file, r[i].line, AG_LINT_ERROR,
			    "duplicate-id", "rule id '%s' is registered again "
			    "at line %d of the same file; only the last one runs",
			    r[i].id, r[i].by_line);
		else if (r[i].state == AG_RULE_REPLACED)
			add(res, r[i].file, r[i].line, AG_LINT_WARNING,
			    "unreachable", "rule '%s' never runs: replaced by "
			    "%s:%d", r[i].id, r[i].by_file, r[i].by_line);
		else if (r[i].state == AG_RULE_DISABLED)
			add(res, r[i].file, r[i].line, AG_LINT_WARNING,
			    "unreachable", "rule '%s' never runs: disabled by "
			    "%s:%d (%s)", r[i].id, r[i].by_file, r[i].by_line,
			    r[i].reason);
	}
}

static void check_scan(const struct ag_scan *s, struct ag_lint_result *res)
{
	size_t i, k;

	for (i = 0; i < s->n_globals; i++) {
		const struct ag_scan_global *g = &s->globals[i];

		if (g->write)
			add(res, g->file, g->line, AG_LINT_WARNING,
			    "global-assignment", "assigns global '%s'; declare "
			    "it local (globals are per file and outlive checks)",
			    g->name);
		else
			add(res, g->file, g->line, AG_LINT_ERROR,
			    "undefined-global", "reads undefined global '%s'%s%s%s",
			    g->name, g->rule ? " (in rule '" : "",
			    g->rule ? g->rule : "", g->rule ? "')" : "");
	}
	for (i = 0; i < s->n_rules; i++) {
		const struct ag_scan_rule *r = &s->rules[i];
		bool reports = r->reported;

		for (k = 0; k < r->n_sites && !reports; k++)
			reports = r->sites[k].kind != AG_SEV_NOTE;
		if (!reports)
			add(res, r->file, r->line, AG_LINT_WARNING,
			    "never-reports", "rule '%s' can never reject or "
			    "warn: its check calls neither reject() nor warn()",
			    r->id);
		/* The person on call needs to know what to do, not only
		 * what is wrong. */
		for (k = 0; k < r->n_sites; k++)
			if (r->sites[k].kind == AG_SEV_REJECT &&
			    !r->sites[k].remedy)
				add(res, r->file, r->sites[k].line,
				    AG_LINT_WARNING, "no-remedy", "reject() in "
				    "rule '%s' gives no remedy: say what to do "
				    "with remedy = { text = ..., commands = "
				    "... }", r->id);
	}
	for (i = 0; i < s->n_failures; i++) {
		const struct ag_scan_failure *f = &s->failures[i];
		const char *file = "";
		const char *text;
		int line;

		for (k = 0; k < s->n_rules; k++)
			if (strcmp(s->rules[k].id, f->rule) == 0)
				file = s->rules[k].file;
		text = split_position(file, f->message, &line);
		add(res, file, line, AG_LINT_WARNING, "check-fails",
		    "rule '%s' fails on a sample input: %s", f->rule, text);
	}
}

static int cmp_problems(const void *pa, const void *pb, void *ud)
{
	const struct ag_lint_problem *a = pa, *b = pb;
	const struct lint_file *files = ((void **)ud)[0];
	size_t n = *(size_t *)((void **)ud)[1];
	long fa = file_index(files, n, a->file), fb = file_index(files, n, b->file);

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->message, b->message);
}

void ag_lint_run(char *const *paths, size_t n, json_object *params,
		 struct ag_lint_result *res)
{
	struct ag_limits limits = {
		.instructions = AG_DEFAULT_INSTRUCTIONS,
		.memory = AG_DEFAULT_MEMORY,
		.timeout_ms = AG_DEFAULT_TIMEOUT_MS,
	};
	struct ag_descriptor *src[N_SAMPLES] = { 0 }, *tgt[N_SAMPLES] = { 0 };
	struct ag_scan_samples samples;
	struct ag_scan_file *sf;
	struct lint_file *files;
	struct ag_policyset ps;
	struct ag_engine *e;
	struct ag_error err;
	struct ag_scan scan;
	size_t i, nf = 0;
	void *ud[2];

	memset(res, 0, sizeof(*res));
	ag_policyset_init(&ps);
	/* lint reads what it is told to, as whoever runs it: no trust
	 * checks (it decides nothing). */
	ps.insecure = true;
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (ag_policyset_add_dir(&ps, paths[i], true, &err) < 0) {
				add(res, paths[i], 0, AG_LINT_ERROR, "read",
				    "%s", err.msg);
				res->unreadable = true;
			}
		} else {
			ag_policyset_add_file(&ps, paths[i]);
		}
	}
	files = xcalloc(ps.n + 1, sizeof(*files));
	sf = xcalloc(ps.n + 1, sizeof(*sf));
	e = ag_engine_new(&limits, &err);
	for (i = 0; i < ps.n; i++) {
		struct lint_file *f = &files[nf];

		f->path = xstrdup(ps.files[i].path);
		if (ag_read_file(f->path, AG_POLICY_MAX_BYTES, &f->buf, &f->len,
				 &err) < 0) {
			add(res, f->path, 0, AG_LINT_ERROR, "read", "%s",
			    strncmp(err.msg, f->path, strlen(f->path)) == 0 ?
			    err.msg + strlen(f->path) + 2 : err.msg);
			res->unreadable = true;
			free(f->path);
			continue;
		}
		nf++;
		res->files++;
		if (!compiles(f->path, f->buf, f->len, res))
			continue;
		sf[nf - 1].path = f->path;
		sf[nf - 1].buf = f->buf;
		sf[nf - 1].len = f->len;
		if (e && ag_engine_load(e, f->path, f->buf, f->len, &err) < 0) {
			int line;
			const char *text = split_position(f->path, err.msg, &line);

			add(res, f->path, line, AG_LINT_ERROR, "load", "%s", text);
		}
	}
	if (e) {
		check_rules(e, res);
		ag_engine_free(e);
	}

	make_samples(src, tgt);
	samples.src = (const struct ag_descriptor *const *)src;
	samples.tgt = (const struct ag_descriptor *const *)tgt;
	samples.n = N_SAMPLES;
	samples.params = params;
	ag_time_parse("2026-11-22T12:00:00Z", &samples.now);
	for (i = 0; i < N_SAMPLES; i++)
		if (!src[i] || !tgt[i])
			samples.n = 0;	/* see sample(): never in practice */
	/* Only the files that compile; the others were reported. */
	{
		struct ag_scan_file *ok = xcalloc(nf + 1, sizeof(*ok));
		size_t k = 0;

		for (i = 0; i < nf; i++)
			if (sf[i].path)
				ok[k++] = sf[i];
		if (ag_scan_files(ok, k, &samples, &scan, &err) == 0) {
			check_scan(&scan, res);
			ag_scan_free(&scan);
		}
		free(ok);
	}
	for (i = 0; i < N_SAMPLES; i++) {
		ag_descriptor_free(src[i]);
		ag_descriptor_free(tgt[i]);
	}

	ud[0] = files;
	ud[1] = &nf;
	if (res->n > 1)
		qsort_r(res->problems, res->n, sizeof(*res->problems),
			cmp_problems, ud);
	for (i = 0; i < nf; i++) {
		free(files[i].path);
		free(files[i].buf);
	}
	free(files);
	free(sf);
	ag_policyset_free(&ps);
}

void ag_lint_result_free(struct ag_lint_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		free(res->problems[i].file);
		free(res->problems[i].message);
	}
	free(res->problems);
	memset(res, 0, sizeof(*res));
}

int ag_lint_print(const struct ag_lint_result *res, FILE *out)
{
	size_t i, errors = 0, warnings = 0;

	for (i = 0; i < res->n; i++) {
		const struct ag_lint_problem *p = &res->problems[i];

		if (p->line > 0)
			fprintf(out, "%s:%d: ", p->file, p->line);
		else
			fprintf(out, "%s: ", p->file);
		fprintf(out, "%s: %s [%s]\n",
			p->level == AG_LINT_ERROR ? "error" : "warning",
			p->message, p->check);
		if (p->level == AG_LINT_ERROR)
			errors++;
		else
			warnings++;
	}
	fprintf(out, "%zu file%s, %zu error%s, %zu warning%s\n", res->files,
		res->files == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
		warnings, warnings == 1 ? "" : "s");
	return ferror(out) ? -1 : 0;
}
