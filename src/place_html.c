/* place_html.c - the placement result as one self-contained HTML page: a
 * guest x host heatmap (inline SVG) and a table per guest.  Inline CSS,
 * no scripts, no external resources (the Content-Security-Policy says
 * so); every name and message is escaped (report_escape.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "place.h"
#include "report_escape.h"

static const char *const kind_class[] = { "accept", "warn", "reject", "error" };
static const char *const kind_color[] = { "#2e7d32", "#e0a000", "#c62828",
					  "#6a1b9a" };

static const char css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
"Arial,'Liberation Sans',sans-serif;color:#1f2933;background:#f4f6f8}\n"
"main{max-width:1200px;margin:0 auto;padding:24px 28px 40px;background:#fff;"
"min-height:100vh}\n"
"header{border-bottom:3px solid #1f3a5f;padding-bottom:14px;margin-bottom:8px}\n"
"h1{font-size:24px;margin:0 0 4px;color:#1f3a5f}\n"
"h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;"
"border-bottom:1px solid #d9e0e6;color:#1f3a5f}\n"
"h3{font-size:14px;margin:18px 0 6px}\n"
".sub{color:#52606d;margin:0}\n"
".cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}\n"
".card{flex:1 1 120px;border:1px solid #d9e0e6;border-radius:6px;"
"padding:10px 14px;border-top:4px solid #9aa5b1}\n"
".card .n{font-size:26px;font-weight:700}\n"
".card .l{color:#52606d;text-transform:uppercase;font-size:11px}\n"
".card.accept{border-top-color:#2e7d32}.card.warn{border-top-color:#e0a000}\n"
".card.reject{border-top-color:#c62828}.card.error{border-top-color:#6a1b9a}\n"
"table{border-collapse:collapse;width:100%;margin:6px 0 4px}\n"
"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7eb;"
"vertical-align:top}\n"
"th{background:#f0f3f6;font-size:12px;text-transform:uppercase;color:#3e4c59}\n"
"td:first-child{white-space:nowrap}\n"
".fix{color:#52606d}\n"
".pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;"
"font-weight:700;color:#fff;text-transform:uppercase}\n"
".pill.accept{background:#2e7d32}.pill.warn{background:#e0a000}"
".pill.reject{background:#c62828}.pill.error{background:#6a1b9a}\n"
".legend{display:flex;gap:16px;font-size:12px;color:#3e4c59;margin:4px 0}\n"
".legend span::before{content:'';display:inline-block;width:10px;height:10px;"
"margin-right:5px;vertical-align:-1px;background:var(--c)}\n"
".heat{overflow-x:auto}\n"
"svg text{font:11px sans-serif;fill:#3e4c59}\n"
"rect.accept{fill:#2e7d32}rect.warn{fill:#e0a000}rect.reject{fill:#c62828}"
"rect.error{fill:#6a1b9a}rect.self{fill:#e4e7eb}\n"
".mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}\n"
".none{color:#c62828;font-weight:600}\n"
"footer{margin-top:32px;padding-top:8px;border-top:1px solid #d9e0e6;"
"color:#7b8794;font-size:12px}\n"
"@media print{body{background:#fff}main{max-width:none;padding:0}"
"tr{break-inside:avoid}*{-webkit-print-color-adjust:exact;"
"print-color-adjust:exact}}\n";

static void heatmap(const struct ag_place_result *r, FILE *out)
{
	/* Cells shrink with the fleet so that 50 hosts still fit a page. */
	int cell = r->n_hosts > 60 ? 10 : r->n_hosts > 30 ? 14 : 22;
	int left = 220, top = 150;
	/* room on the right for the last host's slanted name */
	int w = left + cell * (int)r->n_hosts + 140;
	int h = top + cell * (int)r->n_guests + 10;
	size_t g, hi;

	fprintf(out, "<div class=\"heat\"><svg role=\"img\" "
		"aria-label=\"placement heatmap\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		w, h, w, h);
	for (hi = 0; hi < r->n_hosts; hi++) {
		int x = left + cell * (int)hi + cell / 2 + 4;

		fprintf(out, "<text transform=\"translate(%d,%d) rotate(-60)\">",
			x, top - 6);
		report_html(out, r->hosts[hi]);
		fputs("</text>\n", out);
	}
	for (g = 0; g < r->n_guests; g++) {
		int y = top + cell * (int)g;

		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			left - 6, y + cell / 2 + 4);
		report_html(out, r->guests[g]);
		fputs("</text>\n", out);
		for (hi = 0; hi < r->n_hosts; hi++) {
			long i = ag_place_result_find(r, g, hi);
			const char *cls = i >= 0 ?
				kind_class[r->pairs[i].verdict] : "self";

			fprintf(out, "<rect class=\"%s\" x=\"%d\" y=\"%d\" "
				"width=\"%d\" height=\"%d\"><title>", cls,
				left + cell * (int)hi, y, cell - 1, cell - 1);
			report_html(out, r->guests[g]);
			fputs(" \xe2\x86\x92 ", out);
			report_html(out, r->hosts[hi]);
			fprintf(out, ": %s</title></rect>\n", i >= 0 ? cls :
				"the guest's own host, not evaluated");
		}
	}
	fputs("</svg></div>\n<div class=\"legend\">", out);
	for (g = 0; g < 4; g++)
		fprintf(out, "<span style=\"--c:%s\">%s</span>", kind_color[g],
			kind_class[g]);
	fputs("<span style=\"--c:#e4e7eb\">own host</span></div>\n", out);
}

static void guest_table(const struct ag_place_result *r, size_t g, FILE *out)
{
	size_t hi;

	fputs("<h3>", out);
	report_html(out, r->guests[g]);
	fputs(" <span class=\"sub\">on ", out);
	report_html(out, r->guest_hosts[g]);
	fputs("</span></h3>\n", out);
	if (!ag_place_guest_placed(r, g))
		fputs("<p class=\"none\">No host can take this guest.</p>\n", out);
	fputs("<table><thead><tr><th>host</th><th>verdict</th><th>rule</th>"
	      "<th>APQN</th><th>finding</th></tr></thead><tbody>\n", out);
	for (hi = 0; hi < r->n_hosts; hi++) {
		long i = ag_place_result_find(r, g, hi);
		const struct ag_place_finding *f;
		const char *k;

		if (i < 0)
			continue;
		k = kind_class[r->pairs[i].verdict];
		f = ag_place_deciding(&r->pairs[i]);
		fputs("<tr><td>", out);
		report_html(out, r->hosts[hi]);
		fprintf(out, "</td><td><span class=\"pill %s\">%s</span></td>"
			"<td class=\"mono\">", k, k);
		if (f)
			report_html(out, f->rule);
		fputs("</td><td class=\"mono\">", out);
		if (f)
			report_html(out, f->apqn);
		fputs("</td><td>", out);
		if (f)
			report_html(out, f->message);
		if (f && f->remedy) {
			fputs("<br><span class=\"fix\">fix: ", out);
			report_html(out, f->remedy);
			fputs("</span>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

int ag_place_render_html(const struct ag_place_result *r, FILE *out)
{
	struct ag_place_summary s;
	size_t g;
	int k;

	ag_place_result_summary(r, &s);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	      "'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"" PACKAGE_NAME " " PACKAGE_VERSION
	      "\">\n<title>apgate placement</title>\n<style>\n", out);
	fputs(css, out);
	fprintf(out, "</style>\n</head>\n<body>\n<main>\n<header>\n"
		"<h1>Placement: which hosts can take each vfio-ap guest</h1>\n"
		"<p class=\"sub\">%zu guest(s) &#183; %zu host(s) &#183; "
		"evaluated at %s", r->n_guests, r->n_hosts, r->now);
	if (r->shard_count)
		fprintf(out, " &#183; shard %u/%u", r->shard_index,
			r->shard_count);
	fputs("</p>\n<div class=\"cards\">", out);
	for (k = 0; k < 4; k++)
		fprintf(out, "<div class=\"card %s\"><div class=\"n\">%zu</div>"
			"<div class=\"l\">%s</div></div>", kind_class[k],
			s.by_kind[k], kind_class[k]);
	fprintf(out, "<div class=\"card\"><div class=\"n\">%zu</div>"
		"<div class=\"l\">guests without a host</div></div></div>\n"
		"</header>\n<section>\n<h2>Heatmap</h2>\n",
		s.guests_without_host);
	heatmap(r, out);
	fputs("</section>\n<section>\n<h2>Guests</h2>\n", out);
	for (g = 0; g < r->n_guests; g++)
		guest_table(r, g, out);
	fprintf(out, "</section>\n<footer>apgate %s &#183; policy set <span "
		"class=\"mono\">", PACKAGE_VERSION);
	report_html(out, r->policy_set_sha256);
	fputs("</span></footer>\n</main>\n</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}
