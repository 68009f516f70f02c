/* report_md.c - the report as Markdown (GitHub flavour tables). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "report_escape.h"
#include "report_model.h"

static void md_counts_head(FILE *out, const char *first, const char *second)
{
	int k;

	fprintf(out, "| %s |", first);
	if (second)
		fprintf(out, " %s |", second);
	for (k = 0; k < NK; k++)
		fprintf(out, " %s |", verdict_names[k]);
	fputs(" total |\n|---|", out);
	if (second)
		fputs("---|", out);
	for (k = 0; k <= NK; k++)
		fputs("---:|", out);
	fputc('\n', out);
}

static void md_counts(FILE *out, const struct report_entry *e)
{
	int k;

	for (k = 0; k < NK; k++)
		fprintf(out, " %ld |", e->n[k]);
	fprintf(out, " **%ld** |\n", e->total);
}

/* Why a finding did not count as its rule reported it. */
static void md_enforcement(FILE *out, json_object *f)
{
	json_object *w = report_member(f, "waived"), *enf;

	if (w) {
		fputs(" (", out);
		report_md(out, report_str_or(f, "original_severity", "reject"));
		fputs(" waived: ", out);
		report_md_code(out, report_str_or(w, "id", "?"));
		fputs(" by ", out);
		report_md(out, report_str_or(w, "by", "?"));
		fputs(" until ", out);
		report_md(out, report_str_or(w, "until", "?"));
		fputs(": ", out);
		report_md(out, report_str_or(w, "reason", ""));
		fputc(')', out);
	} else if (report_str(f, "original_severity")) {
		fputs(" (", out);
		report_md(out, report_str(f, "original_severity"));
		fputs("; rule enforcement: warn)", out);
	}
	enf = report_member(f, "enforced");
	if (json_object_is_type(enf, json_type_boolean) &&
	    !json_object_get_boolean(enf))
		fputs(" (dry run: not enforced)", out);
}

/* A finding's remedy: " - fix: TEXT (on target: `CMD`; ...)". */
static void md_remedy(FILE *out, json_object *r)
{
	json_object *cmds = report_member(r, "commands");
	size_t i, n;

	if (!report_str(r, "text"))
		return;
	fputs(" - fix: ", out);
	report_md(out, report_str(r, "text"));
	n = json_object_is_type(cmds, json_type_array) ?
	    json_object_array_length(cmds) : 0;
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cmds, i);

		fputs(i ? "; on " : " (on ", out);
		report_md(out, report_str_or(c, "on", "?"));
		fputs(": ", out);
		report_md_code(out, report_str_or(c, "command", ""));
	}
	if (n)
		fputc(')', out);
}

static void md_decision(FILE *out, json_object *rec, bool dry)
{
	json_object *src = report_member(rec, "source"), *tgt = report_member(rec, "target");
	json_object *fs = report_member(rec, "findings");
	size_t j;
	int k;

	k = report_kind(report_str(rec, "verdict"), verdict_names);
	fprintf(out, "### %s%s: ", verdict_names[k < 0 ? 3 : k],
		dry ? " (dry run)" : "");
	report_md_code(out, report_str_or(rec, "timestamp", "?"));
	fputs(", ", out);
	report_md(out, report_str_or(src, "host", "?"));
	fputs(" to ", out);
	report_md(out, report_str_or(tgt, "host", "?"));
	fputs("\n\n- decision ", out);
	report_md_code(out, report_str_or(rec, "decision_id", "?"));
	fputs(", mdev ", out);
	report_md_code(out, report_str_or(src, "mdev_uuid", report_str_or(tgt, "mdev_uuid", "?")));
	if (report_str(rec, "guest")) {
		fputs(", guest ", out);
		report_md(out, report_str(rec, "guest"));
	}
	fputs(", by ", out);
	report_md(out, report_str_or(rec, "caller", "?"));
	fputs(" on ", out);
	report_md(out, report_str_or(rec, "host", "?"));
	fputs("\n", out);
	for (j = 0; fs && json_object_is_type(fs, json_type_array) &&
	     j < json_object_array_length(fs); j++) {
		json_object *f = json_object_array_get_idx(fs, j);
		int s = report_kind(report_str(f, "severity"), sev_names);

		fprintf(out, "- **%s** ", sev_names[s < 0 ? 3 : s]);
		report_md(out, report_str_or(f, "rule", "?"));
		if (report_str(f, "apqn")) {
			fputc(' ', out);
			report_md(out, report_str(f, "apqn"));
		}
		fputs(": ", out);
		report_md(out, report_str_or(f, "message", ""));
		md_enforcement(out, f);
		if (report_member(f, "evidence")) {
			char *t = report_evidence_text(report_member(f, "evidence"));

			fputs(" (evidence: ", out);
			report_md_code(out, t);
			fputc(')', out);
			free(t);
		}
		md_remedy(out, report_member(f, "remedy"));
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void md_dryruns_waivers(FILE *out, struct ag_report *r)
{
	static const char *const cols[] = { "rule", "mdev", "apqn", "host",
					     "by", "reason", "until" };
	size_t i, c;

	if (r->dryrun) {
		fprintf(out, "## Would have been rejected (dry run)\n\n%ld "
			"decision(s) rejected by the policies were not enforced: "
			"the migrations went ahead.\n\n", r->dryrun);
		for (i = 0; i < json_object_array_length(r->dryruns); i++)
			md_decision(out, json_object_array_get_idx(r->dryruns, i),
				    true);
	}
	if (!r->waivers.n)
		return;
	report_sort(&r->waivers, report_cmp_total);
	fprintf(out, "## Waivers\n\n%ld decision(s) had rejects turned into "
		"warns by a waiver.\n\n| waiver | rule | mdev | apqn | host | "
		"by | why | until | decisions changed |\n"
		"|---|---|---|---|---|---|---|---|---:|\n", r->waived);
	for (i = 0; i < r->waivers.n; i++) {
		const struct report_entry *e = &r->waivers.v[i];

		fputs("| ", out);
		report_md_code(out, e->key);
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			fputs(" | ", out);
			report_md(out, report_str_or(e->extra, cols[c], "-"));
		}
		fprintf(out, " | %ld |\n", e->total);
	}
	fputc('\n', out);
}

void report_render_md(struct ag_report *r, FILE *out)
{
	struct report_timeline tl;
	char period[128], label[32];
	size_t i, j;
	int k;

	report_period_text(r, period, sizeof(period));
	fputs("# Migration decisions: vfio-ap crypto passthrough\n\n", out);
	fputs("apgate decision report, ", out);
	report_md(out, period);
	fprintf(out, ", %ld decision(s).\n\n", r->decisions);
	if (r->chain_set) {
		const struct ag_audit_check *bad = NULL;

		for (i = 0; i < r->n_files; i++)
			if (r->files[i].status != AG_AUDIT_INTACT && !bad)
				bad = &r->files[i];
		fprintf(out, "**Hash chain: %s**, %zu record(s) verified",
			report_chain_word(r->chain), report_chain_records(r));
		if (bad) {
			fputs(": ", out);
			report_md(out, bad->path);
			if (bad->line)
				fprintf(out, " line %zu", bad->line);
			fputs(": ", out);
			report_md(out, bad->msg);
		}
		fputs(".\n\n", out);
	}

	fputs("## Verdicts\n\n| verdict | decisions |\n|---|---:|\n", out);
	for (k = 0; k < NK; k++)
		fprintf(out, "| %s | %ld |\n", verdict_names[k], r->totals[k]);
	if (r->dryrun)
		fprintf(out, "| would have rejected (dry run) | %ld |\n", r->dryrun);
	fputc('\n', out);
	if (r->insecure)
		fprintf(out, "**%ld decision(s) were made with policy trust checks "
			"skipped (\\-\\-insecure\\-policies).**\n\n", r->insecure);
	if (r->unknown_kind)
		fprintf(out, "**%ld record(s) carry no known verdict; counted as "
			"error.**\n\n", r->unknown_kind);
	report_sort(&r->callers, report_cmp_total);
	md_counts_head(out, "decided by", NULL);
	for (i = 0; i < r->callers.n; i++) {
		fputs("| ", out);
		report_md(out, r->callers.v[i].key);
		fputs(" |", out);
		md_counts(out, &r->callers.v[i]);
	}
	fputc('\n', out);

	report_timeline_build(r, &tl);
	fputs("## Decisions over time\n\n", out);
	if (tl.n) {
		fprintf(out, "| %s (UTC) |", report_unit_name(tl.unit));
		for (k = 0; k < NK; k++)
			fprintf(out, " %s |", verdict_names[k]);
		fputs("\n|---|", out);
		for (k = 0; k < NK; k++)
			fputs("---:|", out);
		fputc('\n', out);
		for (i = 0; i < tl.n; i++) {
			if (!(tl.c[i][0] + tl.c[i][1] + tl.c[i][2] + tl.c[i][3]))
				continue;
			report_bucket_label(tl.start[i], tl.unit, label, sizeof(label));
			fprintf(out, "| %s |", label);
			for (k = 0; k < NK; k++)
				fprintf(out, " %ld |", tl.c[i][k]);
			fputc('\n', out);
		}
	} else {
		fputs("No decisions in this period.\n", out);
	}
	fputc('\n', out);
	report_timeline_free(&tl);

	report_sort(&r->rules, report_cmp_total);
	fputs("## Findings per rule\n\n", out);
	if (r->rules.n) {
		fputs("| rule |", out);
		for (k = 0; k < NK; k++)
			fprintf(out, " %s |", sev_names[k]);
		fputs(" total | last seen |\n|---|", out);
		for (k = 0; k <= NK; k++)
			fputs("---:|", out);
		fputs("---|\n", out);
		for (i = 0; i < r->rules.n; i++) {
			fputs("| ", out);
			report_md(out, r->rules.v[i].key);
			fputs(" |", out);
			for (k = 0; k < NK; k++)
				fprintf(out, " %ld |", r->rules.v[i].n[k]);
			fprintf(out, " **%ld** | ", r->rules.v[i].total);
			report_md(out, r->rules.v[i].last);
			fputs(" |\n", out);
		}
	} else {
		fputs("No findings in this period.\n", out);
	}
	fputc('\n', out);

	report_sort(&r->pairs, report_cmp_total);
	fputs("## Host pairs\n\n", out);
	md_counts_head(out, "source", "target");
	for (i = 0; i < r->pairs.n; i++) {
		fputs("| ", out);
		report_md(out, r->pairs.v[i].a);
		fputs(" | ", out);
		report_md(out, r->pairs.v[i].b);
		fputs(" |", out);
		md_counts(out, &r->pairs.v[i]);
	}
	fputc('\n', out);

	report_sort(&r->mdevs, report_cmp_total);
	fputs("## Mediated devices\n\n", out);
	md_counts_head(out, "mdev UUID", NULL);
	for (i = 0; i < r->mdevs.n; i++) {
		fputs("| ", out);
		report_md_code(out, r->mdevs.v[i].key);
		fputs(" |", out);
		md_counts(out, &r->mdevs.v[i]);
	}
	fputc('\n', out);

	report_sort(&r->policysets, report_cmp_first);
	fputs("## Policy versions in force\n\n", out);
	for (i = 0; i < r->policysets.n; i++) {
		const struct report_entry *e = &r->policysets.v[i];

		fputs("### Policy set ", out);
		report_md_code(out, e->key);
		fprintf(out, "\n\n%ld decision(s), ", e->total);
		report_md(out, e->first);
		fputs(" to ", out);
		report_md(out, e->last);
		fputs(".\n\n| file | sha256 |\n|---|---|\n", out);
		for (j = 0; e->extra && json_object_is_type(e->extra, json_type_array) &&
		     j < json_object_array_length(e->extra); j++) {
			json_object *p = json_object_array_get_idx(e->extra, j);

			fputs("| ", out);
			report_md(out, report_str_or(p, "path", "?"));
			fputs(" | ", out);
			report_md_code(out, report_str_or(p, "sha256", "?"));
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
	report_sort(&r->tools, report_cmp_first);
	if (r->tools.n) {
		fputs("| apgate version | decisions | first | last |\n"
		      "|---|---:|---|---|\n", out);
		for (i = 0; i < r->tools.n; i++) {
			fputs("| ", out);
			report_md(out, r->tools.v[i].key);
			fprintf(out, " | %ld | ", r->tools.v[i].total);
			report_md(out, r->tools.v[i].first);
			fputs(" | ", out);
			report_md(out, r->tools.v[i].last);
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}

	fputs("## Rejects, warnings and errors\n\n", out);
	for (i = 0; i < json_object_array_length(r->notable); i++)
		md_decision(out, json_object_array_get_idx(r->notable, i), false);
	if (!json_object_array_length(r->notable))
		fputs("Every decision in this period was an accept.\n\n", out);
	md_dryruns_waivers(out, r);

	if (r->chain_set) {
		fputs("## Chain verification\n\n| log file | status | records | "
		      "seq | last record sha256 |\n|---|---|---:|---|---|\n", out);
		for (i = 0; i < r->n_files; i++) {
			const struct ag_audit_check *c = &r->files[i];

			fputs("| ", out);
			report_md(out, c->path);
			fprintf(out, " | %s", report_chain_word(c->status));
			if (c->msg[0]) {
				fputs(": ", out);
				if (c->line)
					fprintf(out, "line %zu: ", c->line);
				report_md(out, c->msg);
			}
			fprintf(out, " | %zu | %llu\\-%llu | ", c->records,
				(unsigned long long)c->first_seq,
				(unsigned long long)c->last_seq);
			report_md_code(out, c->last_sha256);
			fputs(" |\n", out);
		}
		fputc('\n', out);
		for (i = 0; i < r->n_files; i++)
			for (j = 0; j < r->files[i].n_notes; j++) {
				fputs("- ", out);
				report_md(out, r->files[i].path);
				fputs(": ", out);
				report_md(out, r->files[i].notes[j]);
				fputc('\n', out);
			}
	}
	fprintf(out, "\n_Generated by " PACKAGE_NAME " " PACKAGE_VERSION
		" from %ld decision record(s). Times are UTC._\n", r->decisions);
}
