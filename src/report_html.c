/* report_html.c - the report as one self-contained HTML page: inline CSS
 * and SVG charts, no scripts, no external resources. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report_escape.h"
#include "report_model.h"

static const char *const colors[NK] = { "#2e7d32", "#e0a000", "#c62828", "#6a1b9a" };
static const char *const note_color = "#78909c";

/* A round tick step (1, 2, 5 x 10^k) giving at most about 5 ticks. */
static long tick_step(long max)
{
	long step = 1;

	for (;;) {
		if (max <= step * 5)
			return step;
		if (max <= step * 10)
			return step * 2;
		if (max <= step * 25)
			return step * 5;
		step *= 10;
	}
}

static const char css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
"Arial,'Liberation Sans',sans-serif;color:#1f2933;background:#f4f6f8}\n"
"main{max-width:1100px;margin:0 auto;padding:24px 28px 40px;background:#fff;"
"min-height:100vh}\n"
"header{border-bottom:3px solid #1f3a5f;padding-bottom:14px;margin-bottom:8px}\n"
"h1{font-size:24px;margin:0 0 4px;color:#1f3a5f}\n"
"h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid #d9e0e6;"
"color:#1f3a5f}\n"
"h3{font-size:14px;margin:16px 0 6px}\n"
"article h3{margin-top:0}\n"
".sub{color:#52606d;margin:0}\n"
".mono,code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}\n"
"code{word-break:break-all}\n"
".chain{margin:12px 0 0;padding:8px 12px;border-radius:4px;font-weight:600}\n"
".chain.ok{background:#e8f5e9;color:#1b5e20;border:1px solid #a5d6a7}\n"
".chain.bad{background:#ffebee;color:#b71c1c;border:1px solid #ef9a9a}\n"
".chain.warn{background:#fff8e1;color:#7a5600;border:1px solid #ffe082}\n"
".cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}\n"
".card{flex:1 1 150px;border:1px solid #d9e0e6;border-radius:6px;padding:10px 14px;"
"border-top:4px solid #9aa5b1}\n"
".card .n{font-size:26px;font-weight:700}\n"
".card .l{color:#52606d;text-transform:uppercase;font-size:11px;letter-spacing:.06em}\n"
".card.accept{border-top-color:#2e7d32}.card.warn{border-top-color:#e0a000}\n"
".card.reject{border-top-color:#c62828}.card.error{border-top-color:#6a1b9a}\n"
"table{border-collapse:collapse;width:100%;margin:6px 0 4px}\n"
"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}\n"
"th{background:#f0f3f6;font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
"color:#3e4c59}\n"
"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
"tbody tr:nth-child(even){background:#fafbfc}\n"
".pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;"
"font-weight:700;color:#fff;text-transform:uppercase;letter-spacing:.04em}\n"
".pill.accept{background:#2e7d32}.pill.warn{background:#e0a000}"
".pill.reject{background:#c62828}.pill.error{background:#6a1b9a}"
".pill.note{background:#78909c}\n"
".legend{display:flex;gap:16px;font-size:12px;color:#3e4c59;margin:4px 0}\n"
".legend span::before{content:'';display:inline-block;width:10px;height:10px;"
"margin-right:5px;vertical-align:-1px;background:var(--c)}\n"
"svg{display:block;width:100%;height:auto}\n"
"svg text{font:11px sans-serif;fill:#3e4c59}\n"
"article.decision{border:1px solid #e4e7eb;border-left:4px solid #9aa5b1;"
"border-radius:4px;padding:8px 12px;margin:10px 0}\n"
"article.decision.warn{border-left-color:#e0a000}"
"article.decision.reject{border-left-color:#c62828}"
"article.decision.error{border-left-color:#6a1b9a}\n"
"article .meta{color:#52606d;font-size:12px;margin-bottom:4px}\n"
"ul.findings{margin:4px 0 0;padding-left:18px}\n"
"ul.findings li{margin:3px 0}\n"
".ev{color:#52606d;display:block;margin-top:1px}\n"
".fix{color:#1f4e79;margin-top:1px}\n"
".empty{color:#52606d;font-style:italic}\n"
".enf{color:#52606d;font-style:italic}\n"
".card.dryrun{border-top-color:#c62828;border-top-style:dashed}\n"
"article.decision.dryrun{border-left-style:dashed}\n"
"footer{margin-top:32px;padding-top:8px;border-top:1px solid #d9e0e6;color:#7b8794;"
"font-size:12px}\n"
"@page{size:A4;margin:14mm}\n"
"@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}"
"section{break-inside:auto}h2{break-after:avoid}tr,article.decision,figure,.cards"
"{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void html_pill(FILE *out, int k, const char *const names[NK])
{
	fprintf(out, "<span class=\"pill %s\">%s</span>", names[k], names[k]);
}

static void html_counts_head(FILE *out)
{
	int k;

	for (k = 0; k < NK; k++)
		fprintf(out, "<th class=\"num\">%s</th>", verdict_names[k]);
	fputs("<th class=\"num\">total</th>", out);
}

static void html_counts(FILE *out, const struct report_entry *e)
{
	int k;

	for (k = 0; k < NK; k++)
		fprintf(out, "<td class=\"num\">%ld</td>", e->n[k]);
	fprintf(out, "<td class=\"num\"><b>%ld</b></td>", e->total);
}

static void svg_timeline(FILE *out, const struct report_timeline *tl)
{
	const double W = 1000, H = 260, ml = 46, mr = 10, mt = 12, mb = 40;
	double pw = W - ml - mr, ph = H - mt - mb, slot, bw;
	long step = tick_step(tl->max), ymax, y;
	size_t b, every;
	char label[32];

	ymax = (tl->max + step - 1) / step * step;
	if (ymax == 0)
		ymax = step;
	slot = pw / (double)tl->n;
	bw = slot * 0.78 < 1 ? 1 : slot * 0.78 > 56 ? 56 : slot * 0.78;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\""
		"Decisions per %s by verdict\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		W, H, report_unit_name(tl->unit));
	for (y = 0; y <= ymax; y += step) {
		double yy = mt + ph - ph * (double)y / (double)ymax;

		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"1\"/>", ml, yy, W - mr, yy,
			y ? "#e4e7eb" : "#9aa5b1");
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%ld"
			"</text>\n", ml - 6, yy + 4, y);
	}
	for (b = 0; b < tl->n; b++) {
		double x = ml + slot * (double)b + (slot - bw) / 2, base = mt + ph;
		int k;

		report_bucket_label(tl->start[b], tl->unit, label, sizeof(label));
		for (k = 0; k < NK; k++) {
			double h = ph * (double)tl->c[b][k] / (double)ymax;

			if (!tl->c[b][k])
				continue;
			base -= h;
			fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: "
				"%ld %s</title></rect>\n", x, base, bw, h, colors[k],
				label, tl->c[b][k], verdict_names[k]);
		}
	}
	every = (tl->n + 7) / 8;
	for (b = 0; b < tl->n; b += every) {
		double x = ml + slot * ((double)b + 0.5);

		report_bucket_label(tl->start[b], tl->unit, label, sizeof(label));
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
			"</text>\n", x, H - mb + 18, label);
	}
	fputs("</svg>\n", out);
}

static void svg_rules(FILE *out, const struct report_table *rules)
{
	const double W = 1000, row = 24, lw = 230, rw = 60, mt = 6;
	double bar = W - lw - rw, H = mt + row * (double)rules->n + 8;
	long max = 1;
	size_t i;

	for (i = 0; i < rules->n; i++)
		if (rules->v[i].total > max)
			max = rules->v[i].total;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\""
		"Findings per rule by severity\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		W, H);
	for (i = 0; i < rules->n; i++) {
		const struct report_entry *e = &rules->v[i];
		double y = mt + row * (double)i, x = lw;
		static const int order[NK] = { 3, 2, 1, 0 };
		int j;

		fputs("<g class=\"rule\"><title>", out);
		report_html(out, e->key);
		fprintf(out, ": %ld finding(s)</title>", e->total);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			lw - 8, y + row / 2 + 4);
		if (strlen(e->key) > 34) {
			char cut[40];
			size_t n = 31;

			while (n > 0 && ((unsigned char)e->key[n] & 0xc0) == 0x80)
				n--;
			snprintf(cut, sizeof(cut), "%.*s", (int)n, e->key);
			report_html(out, cut);
			fputs("\xe2\x80\xa6", out);
		} else {
			report_html(out, e->key);
		}
		fputs("</text>", out);
		for (j = 0; j < NK; j++) {
			int k = order[j];
			double w = bar * (double)e->n[k] / (double)max;

			if (!e->n[k])
				continue;
			fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%ld "
				"%s</title></rect>", x, y + 4, w, row - 8,
				k ? colors[k] : note_color, e->n[k], sev_names[k]);
			x += w;
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%ld</text></g>\n",
			x + 6, y + row / 2 + 4, e->total);
	}
	fputs("</svg>\n", out);
}

static const char *chain_class(enum ag_audit_status s)
{
	return s == AG_AUDIT_INTACT ? "ok" : s == AG_AUDIT_TORN ? "warn" : "bad";
}

static void html_chain_line(FILE *out, const struct ag_report *r)
{
	const struct ag_audit_check *bad = NULL;
	size_t i;

	for (i = 0; i < r->n_files; i++)
		if (r->files[i].status != AG_AUDIT_INTACT && !bad)
			bad = &r->files[i];
	fprintf(out, "<p class=\"chain %s\" id=\"chain-status\">Hash chain: %s"
		" &#8212; %zu record(s) verified", chain_class(r->chain),
		report_chain_word(r->chain), report_chain_records(r));
	if (bad) {
		fputs(" &#8212; ", out);
		report_html(out, bad->path);
		if (bad->line)
			fprintf(out, ":%zu", bad->line);
		fputs(": ", out);
		report_html(out, bad->msg);
	}
	fputs("</p>\n", out);
}

/* Why a finding did not count as its rule reported it. */
static void html_enforcement(FILE *out, json_object *f)
{
	json_object *w = report_member(f, "waived"), *enf;

	if (w) {
		fputs(" <span class=\"enf\">(", out);
		report_html(out, report_str_or(f, "original_severity", "reject"));
		fputs(" waived: ", out);
		report_html(out, report_str_or(w, "id", "?"));
		fputs(" by ", out);
		report_html(out, report_str_or(w, "by", "?"));
		fputs(" until ", out);
		report_html(out, report_str_or(w, "until", "?"));
		fputs(": ", out);
		report_html(out, report_str_or(w, "reason", ""));
		fputs(")</span>", out);
	} else if (report_str(f, "original_severity")) {
		fputs(" <span class=\"enf\">(", out);
		report_html(out, report_str(f, "original_severity"));
		fputs("; rule enforcement: warn)</span>", out);
	}
	enf = report_member(f, "enforced");
	if (json_object_is_type(enf, json_type_boolean) &&
	    !json_object_get_boolean(enf))
		fputs(" <span class=\"enf\">(dry run: not enforced)</span>", out);
}

/* A finding's remedy: the step, then each command with its host. */
static void html_remedy(FILE *out, json_object *r)
{
	json_object *cmds = report_member(r, "commands");
	size_t i, n;

	if (!report_str(r, "text"))
		return;
	fputs("<div class=\"fix\">fix: ", out);
	report_html(out, report_str(r, "text"));
	n = json_object_is_type(cmds, json_type_array) ?
	    json_object_array_length(cmds) : 0;
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cmds, i);

		fputs("<br>on ", out);
		report_html(out, report_str_or(c, "on", "?"));
		fputs(": <code>", out);
		report_html(out, report_str_or(c, "command", ""));
		fputs("</code>", out);
	}
	fputs("</div>", out);
}

static void html_finding(FILE *out, json_object *f)
{
	int s = report_kind(report_str(f, "severity"), sev_names);
	json_object *ev = report_member(f, "evidence");

	fputs("<li>", out);
	html_pill(out, s < 0 ? 3 : s, sev_names);
	fputs(" <code>", out);
	report_html(out, report_str_or(f, "rule", "?"));
	fputs("</code>", out);
	if (report_str(f, "apqn")) {
		fputs(" <code>", out);
		report_html(out, report_str(f, "apqn"));
		fputs("</code>", out);
	}
	fputs(": ", out);
	report_html(out, report_str_or(f, "message", ""));
	html_enforcement(out, f);
	if (ev) {
		char *t = report_evidence_text(ev);

		fputs("<code class=\"ev\">evidence: ", out);
		report_html(out, t);
		fputs("</code>", out);
		free(t);
	}
	html_remedy(out, report_member(f, "remedy"));
	fputs("</li>\n", out);
}

static void html_notable(FILE *out, json_object *rec, bool dry)
{
	int k = report_kind(report_str(rec, "verdict"), verdict_names);
	json_object *src = report_member(rec, "source"), *tgt = report_member(rec, "target");
	json_object *findings = report_member(rec, "findings");
	size_t i;

	if (k < 0)
		k = 3;
	fprintf(out, "<article class=\"decision %s%s\"><h3>", verdict_names[k],
		dry ? " dryrun" : "");
	html_pill(out, k, verdict_names);
	if (dry)
		fputs(" <span class=\"pill note\">dry run</span>", out);
	fputc(' ', out);
	report_html(out, report_str_or(rec, "timestamp", "?"));
	fputs(" &#183; ", out);
	report_html(out, report_str_or(src, "host", "?"));
	fputs(" &#8594; ", out);
	report_html(out, report_str_or(tgt, "host", "?"));
	if (report_str(rec, "guest")) {
		fputs(" &#183; guest ", out);
		report_html(out, report_str(rec, "guest"));
	}
	fputs("</h3>\n<div class=\"meta\">decision <code>", out);
	report_html(out, report_str_or(rec, "decision_id", "?"));
	fputs("</code> &#183; mdev <code>", out);
	report_html(out, report_str_or(src, "mdev_uuid", report_str_or(tgt, "mdev_uuid", "?")));
	fputs("</code> &#183; by ", out);
	report_html(out, report_str_or(rec, "caller", "?"));
	fputs(" on ", out);
	report_html(out, report_str_or(rec, "host", "?"));
	fputs(" &#183; policy set <code>", out);
	report_html(out, report_str_or(rec, "policy_set_sha256", "?"));
	fputs("</code></div>\n<ul class=\"findings\">\n", out);
	for (i = 0; findings && json_object_is_type(findings, json_type_array) &&
	     i < json_object_array_length(findings); i++)
		html_finding(out, json_object_array_get_idx(findings, i));
	fputs("</ul></article>\n", out);
}

static void html_legend(FILE *out, const char *const names[NK], bool notes)
{
	int k;

	fputs("<div class=\"legend\">", out);
	for (k = 0; k < NK; k++)
		fprintf(out, "<span style=\"--c:%s\">%s</span>",
			k == 0 && notes ? note_color : colors[k], names[k]);
	fputs("</div>\n", out);
}

/* The closing "Last decision" cell of a pairs or mdevs row. */
static void html_last_decision(FILE *out, const struct report_entry *e)
{
	fputs("<td>", out);
	report_html(out, e->last);
	if (e->last_kind >= 0) {
		fputc(' ', out);
		html_pill(out, e->last_kind, verdict_names);
	}
	fputs("</td></tr>\n", out);
}

/* Rejects a dry run let pass: apart from the enforced ones. */
static void html_dryruns(FILE *out, const struct ag_report *r)
{
	size_t i;

	if (!r->dryrun)
		return;
	fprintf(out, "<section id=\"dryrun\">\n<h2>Would have been rejected "
		"(dry run)</h2>\n<p class=\"sub\">%ld decision(s) rejected by "
		"the policies were not enforced: the migrations went ahead.</p>\n",
		r->dryrun);
	for (i = 0; i < json_object_array_length(r->dryruns); i++)
		html_notable(out, json_object_array_get_idx(r->dryruns, i), true);
	fputs("</section>\n", out);
}

static void html_waivers(FILE *out, struct ag_report *r)
{
	size_t i;

	if (!r->waivers.n)
		return;
	report_sort(&r->waivers, report_cmp_total);
	fprintf(out, "<section id=\"waivers\">\n<h2>Waivers</h2>\n<p class=\"sub\">"
		"%ld decision(s) had rejects turned into warns by a waiver.</p>\n"
		"<table id=\"waivers-table\"><thead><tr><th>Waiver</th><th>Rule</th>"
		"<th>mdev</th><th>APQN</th><th>Host</th><th>By</th><th>Why</th>"
		"<th>Until</th><th class=\"num\">decisions changed</th></tr>"
		"</thead><tbody>\n", r->waived);
	for (i = 0; i < r->waivers.n; i++) {
		const struct report_entry *e = &r->waivers.v[i];
		static const char *const cols[] = { "rule", "mdev", "apqn",
						     "host", "by", "reason",
						     "until" };
		size_t c;

		fputs("<tr><td><code>", out);
		report_html(out, e->key);
		fputs("</code></td>", out);
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			fputs("<td>", out);
			report_html(out, report_str_or(e->extra, cols[c], "-"));
			fputs("</td>", out);
		}
		fprintf(out, "<td class=\"num\">%ld</td></tr>\n", e->total);
	}
	fputs("</tbody></table>\n</section>\n", out);
}

void report_render_html(struct ag_report *r, FILE *out)
{
	struct report_timeline tl;
	char period[128];
	size_t i, j;
	int k;

	report_period_text(r, period, sizeof(period));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	      "'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"" PACKAGE_NAME " " PACKAGE_VERSION
	      "\">\n<title>apgate decision report</title>\n<style>\n", out);
	fputs(css, out);
	fputs("</style>\n</head>\n<body>\n<main>\n<header>\n"
	      "<h1>Migration decisions: vfio-ap crypto passthrough</h1>\n"
	      "<p class=\"sub\">apgate decision report &#183; ", out);
	report_html(out, period);
	fprintf(out, " &#183; %ld decision(s)</p>\n", r->decisions);
	if (r->chain_set)
		html_chain_line(out, r);
	fputs("</header>\n", out);

	/* totals */
	fputs("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<div class=\"cards\">\n", out);
	for (k = 0; k < NK; k++)
		fprintf(out, "<div class=\"card %s\"><div class=\"n\">%ld</div>"
			"<div class=\"l\">%s</div></div>\n", verdict_names[k],
			r->totals[k], verdict_names[k]);
	if (r->dryrun)
		fprintf(out, "<div class=\"card dryrun\"><div class=\"n\">%ld</div>"
			"<div class=\"l\">would have rejected (dry run)</div></div>\n",
			r->dryrun);
	fputs("</div>\n", out);
	if (r->insecure)
		fprintf(out, "<p class=\"chain bad\">%ld decision(s) were made with "
			"policy trust checks skipped (--insecure-policies).</p>\n",
			r->insecure);
	if (r->unknown_kind)
		fprintf(out, "<p class=\"chain bad\">%ld record(s) carry no known "
			"verdict; counted as error.</p>\n", r->unknown_kind);
	report_sort(&r->callers, report_cmp_total);
	fputs("<table id=\"callers\"><thead><tr><th>Decided by</th>", out);
	html_counts_head(out);
	fputs("</tr></thead><tbody>\n", out);
	for (i = 0; i < r->callers.n; i++) {
		fputs("<tr><td>", out);
		report_html(out, r->callers.v[i].key);
		fputs("</td>", out);
		html_counts(out, &r->callers.v[i]);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n</section>\n", out);

	/* timeline */
	report_timeline_build(r, &tl);
	fputs("<section id=\"timeline\">\n<h2>Decisions over time</h2>\n", out);
	if (tl.n) {
		fprintf(out, "<figure style=\"margin:0\">\n");
		html_legend(out, verdict_names, false);
		svg_timeline(out, &tl);
		fprintf(out, "<figcaption class=\"sub\">Decisions per %s (UTC), "
			"stacked by verdict.</figcaption>\n</figure>\n",
			report_unit_name(tl.unit));
	} else {
		fputs("<p class=\"empty\">No decisions in this period.</p>\n", out);
	}
	fputs("</section>\n", out);
	report_timeline_free(&tl);

	/* rules */
	report_sort(&r->rules, report_cmp_total);
	fputs("<section id=\"rules\">\n<h2>Findings per rule</h2>\n", out);
	if (r->rules.n) {
		fputs("<figure style=\"margin:0\">\n", out);
		html_legend(out, sev_names, true);
		svg_rules(out, &r->rules);
		fputs("</figure>\n<table id=\"rules-table\"><thead><tr><th>Rule</th>",
		      out);
		for (k = 0; k < NK; k++)
			fprintf(out, "<th class=\"num\">%s</th>", sev_names[k]);
		fputs("<th class=\"num\">total</th><th>Last seen</th></tr></thead>"
		      "<tbody>\n", out);
		for (i = 0; i < r->rules.n; i++) {
			fputs("<tr><td><code>", out);
			report_html(out, r->rules.v[i].key);
			fputs("</code></td>", out);
			html_counts(out, &r->rules.v[i]);
			fputs("<td>", out);
			report_html(out, r->rules.v[i].last);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	} else {
		fputs("<p class=\"empty\">No findings in this period.</p>\n", out);
	}
	fputs("</section>\n", out);

	/* host pairs */
	report_sort(&r->pairs, report_cmp_total);
	fputs("<section id=\"pairs\">\n<h2>Host pairs</h2>\n<table id=\"pairs-table\">"
	      "<thead><tr><th>Source</th><th>Target</th>", out);
	html_counts_head(out);
	fputs("<th>Last decision</th></tr></thead><tbody>\n", out);
	for (i = 0; i < r->pairs.n; i++) {
		const struct report_entry *e = &r->pairs.v[i];

		fputs("<tr><td>", out);
		report_html(out, e->a);
		fputs("</td><td>", out);
		report_html(out, e->b);
		fputs("</td>", out);
		html_counts(out, e);
		html_last_decision(out, e);
	}
	fputs("</tbody></table>\n</section>\n", out);

	/* mdevs */
	report_sort(&r->mdevs, report_cmp_total);
	fputs("<section id=\"mdevs\">\n<h2>Mediated devices</h2>\n<table id=\"mdevs-table\">"
	      "<thead><tr><th>mdev UUID</th>", out);
	html_counts_head(out);
	fputs("<th>Last decision</th></tr></thead><tbody>\n", out);
	for (i = 0; i < r->mdevs.n; i++) {
		const struct report_entry *e = &r->mdevs.v[i];

		fputs("<tr><td><code>", out);
		report_html(out, e->key);
		fputs("</code></td>", out);
		html_counts(out, e);
		html_last_decision(out, e);
	}
	fputs("</tbody></table>\n</section>\n", out);

	/* policy versions */
	report_sort(&r->policysets, report_cmp_first);
	fputs("<section id=\"policies\">\n<h2>Policy versions in force</h2>\n", out);
	for (i = 0; i < r->policysets.n; i++) {
		const struct report_entry *e = &r->policysets.v[i];
		json_object *files = e->extra;

		fputs("<h3>Policy set <code>", out);
		report_html(out, e->key);
		fprintf(out, "</code></h3>\n<p class=\"sub\">%ld decision(s), ", e->total);
		report_html(out, e->first);
		fputs(" to ", out);
		report_html(out, e->last);
		fputs("</p>\n<table class=\"policy-files\"><thead><tr><th>File</th>"
		      "<th>SHA-256</th></tr></thead><tbody>\n", out);
		for (j = 0; files && json_object_is_type(files, json_type_array) &&
		     j < json_object_array_length(files); j++) {
			json_object *p = json_object_array_get_idx(files, j);

			fputs("<tr><td>", out);
			report_html(out, report_str_or(p, "path", "?"));
			fputs("</td><td><code>", out);
			report_html(out, report_str_or(p, "sha256", "?"));
			fputs("</code></td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (!r->policysets.n)
		fputs("<p class=\"empty\">No policy file was in force in this "
		      "period.</p>\n", out);
	report_sort(&r->tools, report_cmp_first);
	if (r->tools.n) {
		fputs("<table id=\"tools\"><thead><tr><th>apgate version</th>"
		      "<th class=\"num\">decisions</th><th>First</th><th>Last</th>"
		      "</tr></thead><tbody>\n", out);
		for (i = 0; i < r->tools.n; i++) {
			fputs("<tr><td>", out);
			report_html(out, r->tools.v[i].key);
			fprintf(out, "</td><td class=\"num\">%ld</td><td>",
				r->tools.v[i].total);
			report_html(out, r->tools.v[i].first);
			fputs("</td><td>", out);
			report_html(out, r->tools.v[i].last);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	fputs("</section>\n", out);

	/* every reject, warn and error */
	fputs("<section id=\"notable\">\n<h2>Rejects, warnings and errors</h2>\n",
	      out);
	for (i = 0; i < json_object_array_length(r->notable); i++)
		html_notable(out, json_object_array_get_idx(r->notable, i),
			     false);
	if (!json_object_array_length(r->notable))
		fputs("<p class=\"empty\">Every decision in this period was an "
		      "accept.</p>\n", out);
	fputs("</section>\n", out);

	html_dryruns(out, r);
	html_waivers(out, r);

	/* chain */
	fputs("<section id=\"chain\">\n<h2>Chain verification</h2>\n", out);
	if (r->chain_set) {
		fputs("<table id=\"chain-table\"><thead><tr><th>Log file</th>"
		      "<th>Status</th><th class=\"num\">records</th><th>seq</th>"
		      "<th>Last record SHA-256</th></tr></thead><tbody>\n", out);
		for (i = 0; i < r->n_files; i++) {
			const struct ag_audit_check *c = &r->files[i];

			fputs("<tr><td>", out);
			report_html(out, c->path);
			fprintf(out, "</td><td>%s", report_chain_word(c->status));
			if (c->msg[0]) {
				fputs(": ", out);
				if (c->line)
					fprintf(out, "line %zu: ", c->line);
				report_html(out, c->msg);
			}
			fprintf(out, "</td><td class=\"num\">%zu</td><td>%llu&#8211;"
				"%llu</td><td><code>", c->records,
				(unsigned long long)c->first_seq,
				(unsigned long long)c->last_seq);
			report_html(out, c->last_sha256);
			fputs("</code></td></tr>\n", out);
			for (j = 0; j < c->n_notes; j++) {
				fputs("<tr><td></td><td colspan=\"4\" class=\"sub\">", out);
				report_html(out, c->notes[j]);
				fputs("</td></tr>\n", out);
			}
		}
		fputs("</tbody></table>\n<p class=\"sub\">Each record carries the "
		      "SHA-256 of the line before it. A hash chain kept on one host "
		      "shows edits, deletions, insertions and reordering, but not "
		      "the removal of its newest records or its wholesale "
		      "replacement: compare the last digest with a copy kept "
		      "elsewhere.</p>\n", out);
	}
	fputs("</section>\n", out);
	fprintf(out, "<footer>Generated by " PACKAGE_NAME " " PACKAGE_VERSION
		" from %ld decision record(s)", r->decisions);
	if (r->rotations)
		fprintf(out, " and %ld rotation record(s)", r->rotations);
	fputs(". Times are UTC.</footer>\n</main>\n</body>\n</html>\n", out);
}
