/* render.c - text and JSON renderings of a verdict. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "jsonsort.h"
#include "render.h"
#include "textsafe.h"
#include "util.h"

static void add_str(json_object *o, const char *key, const char *val)
{
	if (val)
		json_object_object_add(o, key, json_object_new_string(val));
}

static json_object *side_json(const struct ag_side *s)
{
	json_object *o = json_object_new_object();

	/* keys in sorted order */
	add_str(o, "host", s->known ? s->host : NULL);
	add_str(o, "mdev_uuid", s->known ? s->uuid : NULL);
	add_str(o, "path", s->path);
	add_str(o, "sha256", s->known ? s->sha256 : NULL);
	return o;
}

json_object *ag_verdict_to_json(const struct ag_verdict *v)
{
	json_object *o = json_object_new_object();
	json_object *arr;
	size_t i;

	/* Keys are added in sorted order: json-c keeps insertion order. */
	json_object_object_add(o, "apgate-verdict",
			       json_object_new_int(AG_VERDICT_FORMAT_VERSION));
	add_str(o, "decision_id", v->decision_id[0] ? v->decision_id : NULL);
	json_object_object_add(o, "duration_us",
			       json_object_new_int64((int64_t)v->duration_us));
	/* Only a dry run's reject is not enforced: enforced verdicts stay
	 * as they always were. */
	if (!ag_verdict_enforced(v))
		json_object_object_add(o, "enforced",
				       json_object_new_boolean(false));

	arr = json_object_new_array();
	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];
		json_object *fo = json_object_new_object();

		add_str(fo, "apqn", f->apqn);
		if (f->not_enforced)
			json_object_object_add(fo, "enforced",
					       json_object_new_boolean(false));
		if (f->evidence)
			json_object_object_add(fo, "evidence",
					       ag_json_sorted(f->evidence));
		add_str(fo, "message", f->message);
		if (f->original_severity != f->severity)
			add_str(fo, "original_severity",
				ag_severity_name(f->original_severity));
		if (f->remedy)
			json_object_object_add(fo, "remedy",
					       ag_remedy_to_json(f->remedy));
		add_str(fo, "rule", f->rule);
		add_str(fo, "severity", ag_severity_name(f->severity));
		if (f->waived)
			json_object_object_add(fo, "waived",
					       ag_json_sorted(f->waived));
		json_object_array_add(arr, fo);
	}
	json_object_object_add(o, "findings", arr);
	json_object_object_add(o, "insecure_policies",
			       json_object_new_boolean(v->insecure_policies));
	add_str(o, "lua", LUA_RELEASE);
	add_str(o, "now", v->now[0] ? v->now : NULL);
	json_object_object_add(o, "params", v->params ?
			       ag_json_sorted(v->params) :
			       json_object_new_object());

	arr = json_object_new_array();
	for (i = 0; i < v->n_policies; i++) {
		json_object *po = json_object_new_object();

		add_str(po, "path", v->policies[i].path);
		add_str(po, "sha256", v->policies[i].sha256);
		json_object_array_add(arr, po);
	}
	json_object_object_add(o, "policies", arr);
	add_str(o, "policy_set_sha256", v->policy_set_sha256);

	arr = json_object_new_array();
	for (i = 0; i < v->n_rules; i++) {
		const struct ag_rule_outcome *r = &v->rules[i];
		json_object *ro = json_object_new_object();

		add_str(ro, "description", r->description);
		add_str(ro, "file", r->file);
		add_str(ro, "id", r->id);
		json_object_object_add(ro, "line", json_object_new_int(r->line));
		add_str(ro, "result", ag_rule_result_name(r->result));
		add_str(ro, "why", r->why);
		json_object_array_add(arr, ro);
	}
	json_object_object_add(o, "rules", arr);
	json_object_object_add(o, "source", side_json(&v->source));
	json_object_object_add(o, "target", side_json(&v->target));
	add_str(o, "timestamp", v->timestamp[0] ? v->timestamp : NULL);
	add_str(o, "tool", PACKAGE_NAME " " PACKAGE_VERSION);
	add_str(o, "verdict", ag_verdict_kind_name(v->kind));
	if (v->waivers)
		json_object_object_add(o, "waivers", ag_json_sorted(v->waivers));
	return o;
}

int ag_render_json(const struct ag_verdict *v, FILE *out)
{
	json_object *o = ag_verdict_to_json(v);
	int rc;

	rc = fprintf(out, "%s\n", json_object_to_json_string_ext(o,
		     JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc < 0 ? -1 : 0;
}

static void upper(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	out[i] = '\0';
}

/* Text of inputs and policies (hosts, paths, messages) is escaped with
 * the shared rule of textsafe.h: it may hold terminal control sequences. */
static void print_side(FILE *out, const char *label, const struct ag_side *s)
{
	fprintf(out, "%s: ", label);
	if (!s->known) {
		ag_fput_safe(out, s->path ? s->path : "-");
		fputs(" (not loaded)\n", out);
		return;
	}
	ag_fput_safe(out, s->host);
	fprintf(out, ", mdev %s, sha256 %s", s->uuid, s->sha256);
	if (s->path) {
		fputs(", from ", out);
		ag_fput_safe(out, s->path);
	}
	fputc('\n', out);
}

/* Why a finding's severity is not what its rule said, or why it did not
 * count: after the finding's message. */
static void print_enforcement(FILE *out, const struct ag_finding *f)
{
	if (f->waived) {
		json_object *o;
		const char *k[4] = { "id", "by", "until", "reason" };
		const char *s[4];
		int i;

		for (i = 0; i < 4; i++)
			s[i] = json_object_object_get_ex(f->waived, k[i], &o) ?
			       json_object_get_string(o) : "?";
		/* waiver fields are free text: escaped */
		fprintf(out, " (%s waived: ",
			ag_severity_name(f->original_severity));
		ag_fput_safe(out, s[0]);
		fputs(" by ", out);
		ag_fput_safe(out, s[1]);
		fputs(" until ", out);
		ag_fput_safe(out, s[2]);
		fputs(": ", out);
		ag_fput_safe(out, s[3]);
		fputc(')', out);
	} else if (f->original_severity != f->severity) {
		fprintf(out, " (%s; rule enforcement: warn)",
			ag_severity_name(f->original_severity));
	}
	if (f->not_enforced)
		fputs(" (dry run: not enforced)", out);
}

/* With --explain: the waivers in force for this decision. */
static void print_waivers(FILE *out, const struct ag_verdict *v)
{
	size_t i, n = v->waivers ? json_object_array_length(v->waivers) : 0;

	if (!n)
		return;
	fprintf(out, "waivers in force:\n");
	for (i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(v->waivers, i), *o;
		static const char *const k[] = { "id", "rule", "mdev", "apqn",
						  "host", "until", "by",
						  "origin", "reason" };
		const char *s[9];
		size_t j;

		for (j = 0; j < 9; j++)
			s[j] = json_object_object_get_ex(w, k[j], &o) ?
			       json_object_get_string(o) : NULL;
		fprintf(out, "  %s %s mdev %s%s%s%s%s until %s by %s (%lld "
			"finding(s) waived; %s): %s\n", s[0], s[1], s[2],
			s[3] ? " apqn " : "", s[3] ? s[3] : "",
			s[4] ? " host " : "", s[4] ? s[4] : "", s[5], s[6],
			json_object_object_get_ex(w, "findings", &o) ?
			(long long)json_object_get_int64(o) : 0LL, s[7], s[8]);
	}
}

/* With --explain: "    fix: TEXT" and the commands, each with its host. */
static void print_remedy(FILE *out, const struct ag_remedy *r)
{
	size_t i;

	fputs("    fix: ", out);
	ag_fput_safe(out, r->text);
	fputc('\n', out);
	for (i = 0; i < r->n_cmds; i++) {
		fprintf(out, "      on %s: ", ag_remedy_on_name(r->cmds[i].on));
		ag_fput_safe(out, r->cmds[i].command);
		fputc('\n', out);
	}
}

char *ag_verdict_summary(const struct ag_verdict *v)
{
	const struct ag_finding *f;
	size_t i, more = 0;
	char *line, *safe;

	/* Findings are sorted worst first: the first one decides. */
	if (v->n_findings == 0 || v->kind == AG_VERDICT_ACCEPT)
		return xasprintf("%s", ag_verdict_kind_name(v->kind));
	f = &v->findings[0];
	for (i = 1; i < v->n_findings; i++)
		if (v->findings[i].severity == f->severity)
			more++;
	if (more)
		line = xasprintf("%s: %s: %s%s%s (%zu more)",
				 ag_verdict_kind_name(v->kind), f->rule,
				 f->apqn ? f->apqn : "", f->apqn ? " " : "",
				 f->message, more);
	else
		line = xasprintf("%s: %s: %s%s%s",
				 ag_verdict_kind_name(v->kind), f->rule,
				 f->apqn ? f->apqn : "", f->apqn ? " " : "",
				 f->message);
	/* One line on a terminal and in syslog, whatever the message holds. */
	safe = ag_str_safe(line);
	free(line);
	return safe;
}

int ag_render_text(const struct ag_verdict *v, FILE *out, bool explain)
{
	size_t i;

	fprintf(out, "verdict: %s%s\n", ag_verdict_kind_name(v->kind),
		ag_verdict_enforced(v) ? "" : " (dry run: not enforced)");
	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];
		char sev[16];

		upper(ag_severity_name(f->severity), sev, sizeof(sev));
		fprintf(out, "%s ", sev);
		ag_fput_safe(out, f->rule);
		if (f->apqn) {
			fputc(' ', out);
			ag_fput_safe(out, f->apqn);
		}
		fputs(": ", out);
		ag_fput_safe(out, f->message);
		print_enforcement(out, f);
		fputc('\n', out);
		if (explain && f->evidence) {
			json_object *ev = ag_json_sorted(f->evidence);

			fputs("    evidence: ", out);
			ag_fput_safe(out, json_object_to_json_string_ext(ev,
					JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE));
			fputc('\n', out);
			json_object_put(ev);
		}
		if (explain && f->remedy)
			print_remedy(out, f->remedy);
	}
	if (!explain)
		return ferror(out) ? -1 : 0;

	fputc('\n', out);
	print_side(out, "source", &v->source);
	print_side(out, "target", &v->target);
	if (v->now[0])
		fprintf(out, "evaluated as of: %s\n", v->now);
	if (v->insecure_policies)
		fprintf(out, "policy file checks: skipped (--insecure-policies)\n");
	if (v->params && json_object_object_length(v->params) > 0) {
		json_object *p = ag_json_sorted(v->params);

		fputs("params: ", out);
		ag_fput_safe(out, json_object_to_json_string_ext(p,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		fputc('\n', out);
		json_object_put(p);
	}
	fprintf(out, "policies (set sha256 %s):\n", v->policy_set_sha256);
	for (i = 0; i < v->n_policies; i++) {
		fprintf(out, "  %s  ", v->policies[i].sha256);
		ag_fput_safe(out, v->policies[i].path);
		fputc('\n', out);
	}
	fprintf(out, "rules:\n");
	for (i = 0; i < v->n_rules; i++) {
		const struct ag_rule_outcome *r = &v->rules[i];

		/* rule ids are checked (a-z0-9._-) when registered */
		fprintf(out, "  %-8s %-24s ", ag_rule_result_name(r->result),
			r->id);
		ag_fput_safe(out, r->file);
		fprintf(out, ":%d%s", r->line, r->why ? "  " : "");
		ag_fput_safe(out, r->why);
		fputc('\n', out);
	}
	print_waivers(out, v);
	return ferror(out) ? -1 : 0;
}
