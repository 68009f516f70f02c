/* fixscript.c - the remedies of a verdict as a script for review. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fixscript.h"
#include "textsafe.h"

/* Findings worth fixing: warns and rejects (also waived or not enforced
 * ones: the problem is still there). */
static bool fixable(const struct ag_finding *f)
{
	return f->remedy && (f->original_severity == AG_SEV_WARN ||
			     f->original_severity == AG_SEV_REJECT);
}

static bool has_cmds_on(const struct ag_finding *f, enum ag_remedy_on on)
{
	size_t i;

	for (i = 0; f->remedy && i < f->remedy->n_cmds; i++)
		if (f->remedy->cmds[i].on == on)
			return true;
	return false;
}

/* "# REJECT rule APQN: message" and "#   fix: text", escaped. */
static void finding_comment(FILE *out, const struct ag_finding *f)
{
	const char *sev = ag_severity_name(f->original_severity);
	size_t i;

	fputs("# ", out);
	for (i = 0; sev[i]; i++)
		fputc(sev[i] - 32, out);
	fputc(' ', out);
	ag_fput_safe(out, f->rule);
	if (f->apqn) {
		fputc(' ', out);
		ag_fput_safe(out, f->apqn);
	}
	fputs(": ", out);
	ag_fput_safe(out, f->message);
	if (f->original_severity != f->severity)
		fprintf(out, " (now %s)", ag_severity_name(f->severity));
	if (f->not_enforced)
		fputs(" (dry run: not enforced)", out);
	fputs("\n#   fix: ", out);
	ag_fput_safe(out, f->remedy->text);
	fputc('\n', out);
}

/* Was this command written earlier in the same host's block? */
static bool written_before(const struct ag_verdict *v, size_t upto,
			   size_t upto_cmd, enum ag_remedy_on on,
			   const char *cmd)
{
	size_t i, k;

	for (i = 0; i <= upto; i++) {
		const struct ag_finding *f = &v->findings[i];

		if (!fixable(f))
			continue;
		for (k = 0; k < f->remedy->n_cmds; k++) {
			if (i == upto && k >= upto_cmd)
				break;
			if (f->remedy->cmds[k].on == on &&
			    strcmp(f->remedy->cmds[k].command, cmd) == 0)
				return true;
		}
	}
	return false;
}

static void host_block(FILE *out, const struct ag_verdict *v,
		       enum ag_remedy_on on, const struct ag_side *side)
{
	const char *name = ag_remedy_on_name(on);
	size_t i, k;

	fprintf(out, "\n# === on the %s host ", name);
	ag_fput_safe(out, side->known ? side->host : "(unknown)");
	fprintf(out, " ===\nif [ \"$1\" = %s ]; then\n", name);
	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];

		if (!fixable(f) || !has_cmds_on(f, on))
			continue;
		finding_comment(out, f);
		for (k = 0; k < f->remedy->n_cmds; k++) {
			const struct ag_remedy_cmd *c = &f->remedy->cmds[k];

			if (c->on != on)
				continue;
			if (written_before(v, i, k, on, c->command)) {
				fputs("#   (already above) ", out);
				ag_fput_safe(out, c->command);
				fputc('\n', out);
			} else {
				/* one line, no control characters (remedy.c) */
				fprintf(out, "%s\n", c->command);
			}
		}
	}
	fputs("fi\n", out);
}

static void side_line(FILE *out, const char *label, const struct ag_side *s)
{
	fprintf(out, "# %s: ", label);
	if (!s->known) {
		fputs("(not loaded)\n", out);
		return;
	}
	ag_fput_safe(out, s->host);
	fprintf(out, ", mdev %s\n", s->uuid);
}

int ag_render_fix_script(const struct ag_verdict *v, FILE *out)
{
	bool on[2] = { false, false }, text_only = false, any = false;
	const struct ag_side *sides[2] = { &v->source, &v->target };
	size_t i;
	int h;

	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];

		if (!fixable(f))
			continue;
		any = true;
		on[AG_ON_SOURCE] |= has_cmds_on(f, AG_ON_SOURCE);
		on[AG_ON_TARGET] |= has_cmds_on(f, AG_ON_TARGET);
		text_only |= f->remedy->n_cmds == 0;
	}
	fprintf(out, "#!/bin/sh\n# apgate fix script for decision %s "
		"(verdict %s, %s)\n",
		v->decision_id[0] ? v->decision_id : "(none)",
		ag_verdict_kind_name(v->kind), v->timestamp[0] ? v->timestamp :
		"no time");
	side_line(out, "source", &v->source);
	side_line(out, "target", &v->target);
	if (!any) {
		fputs("#\n# Nothing to fix: no warn or reject finding of this "
		      "decision has a remedy.\nexit 0\n", out);
		return ferror(out) ? -1 : 0;
	}
	fputs("#\n# Written by apgate check --fix-script for review; apgate "
	      "never runs it.\n# Read every step first; run the commands as "
	      "root on the host they name,\n# then collect the descriptors "
	      "again and check again.\n", out);
	if (on[AG_ON_SOURCE] || on[AG_ON_TARGET]) {
		fputs("# Usage:\n", out);
		for (h = AG_ON_TARGET; h >= AG_ON_SOURCE; h--) {
			if (!on[h])
				continue;
			fprintf(out, "#   sh THIS-SCRIPT %-6s  on ",
				ag_remedy_on_name((enum ag_remedy_on)h));
			ag_fput_safe(out, sides[h]->known ? sides[h]->host :
				     "(unknown)");
			fputc('\n', out);
		}
		fputs("set -eu\n\ncase \"${1:-}\" in\n", out);
		fprintf(out, "%s) ;;\n", on[AG_ON_SOURCE] && on[AG_ON_TARGET] ?
			"target|source" : on[AG_ON_TARGET] ? "target" : "source");
		fprintf(out, "*) echo \"usage: sh $0 %s\" >&2; exit 2 ;;\n"
			"esac\n", on[AG_ON_SOURCE] && on[AG_ON_TARGET] ?
			"target|source" : on[AG_ON_TARGET] ? "target" :
			"source");
		for (h = AG_ON_TARGET; h >= AG_ON_SOURCE; h--)
			if (on[h])
				host_block(out, v, (enum ag_remedy_on)h, sides[h]);
	}
	if (text_only) {
		fputs("\n# === steps without a command (no safe command exists) "
		      "===\n", out);
		for (i = 0; i < v->n_findings; i++)
			if (fixable(&v->findings[i]) &&
			    v->findings[i].remedy->n_cmds == 0)
				finding_comment(out, &v->findings[i]);
	}
	fputs("exit 0\n", out);
	return ferror(out) ? -1 : 0;
}
