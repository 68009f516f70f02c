/* place_render.c - the placement result as text (a guest x host matrix,
 * then per guest the hosts that take it and why the others do not) and
 * as CSV (one row per pair, RFC 4180).
 *
 * Every name and message came from inputs or policies: text goes through
 * textsafe's escaping; CSV cells are escaped the same way, quoted by RFC
 * 4180, and a cell a spreadsheet would run as a formula gets a leading
 * apostrophe.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "place.h"
#include "textsafe.h"
#include "util.h"

/* Longest guest name shown in the matrix; the per-guest part has it all. */
#define NAME_COL_MAX 40

static char symbol(enum ag_verdict_kind k)
{
	switch (k) {
	case AG_VERDICT_ACCEPT: return '+';
	case AG_VERDICT_WARN: return '~';
	case AG_VERDICT_REJECT: return 'x';
	case AG_VERDICT_ERROR: break;
	}
	return '!';
}

/* The finding that decided a pair: its first one of the verdict's
 * severity (findings are worst first); NULL for accept. */
const struct ag_place_finding *ag_place_deciding(const struct ag_place_pair *p)
{
	enum ag_severity want;

	switch (p->verdict) {
	case AG_VERDICT_ACCEPT:
		return NULL;
	case AG_VERDICT_WARN:
		want = AG_SEV_WARN;
		break;
	case AG_VERDICT_REJECT:
		want = AG_SEV_REJECT;
		break;
	default:
		want = AG_SEV_ERROR;
		break;
	}
	for (size_t i = 0; i < p->n_findings; i++)
		if (p->findings[i].severity == want)
			return &p->findings[i];
	/* a dry-run reject counts as warn: its reject explains it */
	return p->n_findings ? &p->findings[0] : NULL;
}

static void put_finding(FILE *out, const struct ag_place_finding *f)
{
	fputs(ag_severity_name(f->severity), out);
	fputs(": ", out);
	ag_fput_safe(out, f->rule);
	if (f->apqn[0])
		fprintf(out, " %s", f->apqn);
	fputs(": ", out);
	ag_fput_safe(out, f->message);
}

static void matrix(const struct ag_place_result *r, FILE *out)
{
	size_t g, h, width = 5, cw = 2, n;
	char buf[32];

	for (g = 0; g < r->n_guests; g++) {
		char *s = ag_str_safe(r->guests[g]);

		n = strlen(s);
		free(s);
		if (n > width)
			width = n > NAME_COL_MAX ? NAME_COL_MAX : n;
	}
	cw = (size_t)snprintf(buf, sizeof(buf), "%zu", r->n_hosts) + 1;
	fprintf(out, "%-*s", (int)width, "GUEST");
	for (h = 0; h < r->n_hosts; h++)
		fprintf(out, "%*zu", (int)cw, h + 1);
	fputc('\n', out);
	for (g = 0; g < r->n_guests; g++) {
		char *s = ag_str_safe(r->guests[g]);

		if (strlen(s) > width)
			fprintf(out, "%.*s...", (int)width - 3, s);
		else
			fprintf(out, "%-*s", (int)width, s);
		free(s);
		for (h = 0; h < r->n_hosts; h++) {
			long i = ag_place_result_find(r, g, h);

			fprintf(out, "%*c", (int)cw,
				i >= 0 ? symbol(r->pairs[i].verdict) : '-');
		}
		fputc('\n', out);
	}
	fputs("\nhosts:", out);
	for (h = 0; h < r->n_hosts; h++) {
		fprintf(out, "%s%zu ", h % 4 ? "   " : "\n  ", h + 1);
		ag_fput_safe(out, r->hosts[h]);
	}
	fputs("\n+ accept   ~ warn   x reject   ! error   - the guest's own "
	      "host (not evaluated)\n", out);
}

static void per_guest(const struct ag_place_result *r, size_t g, FILE *out)
{
	size_t h, taken = 0;

	fputc('\n', out);
	ag_fput_safe(out, r->guests[g]);
	fputs(" (on ", out);
	ag_fput_safe(out, r->guest_hosts[g]);
	fputs(")\n  hosts that take it:", out);
	for (h = 0; h < r->n_hosts; h++) {
		long i = ag_place_result_find(r, g, h);

		if (i < 0 || (r->pairs[i].verdict != AG_VERDICT_ACCEPT &&
			      r->pairs[i].verdict != AG_VERDICT_WARN))
			continue;
		fputs(taken++ ? ", " : " ", out);
		ag_fput_safe(out, r->hosts[h]);
		if (r->pairs[i].verdict == AG_VERDICT_WARN)
			fputs(" (warn)", out);
	}
	fputs(taken ? "\n" : " none\n", out);
	for (h = 0; h < r->n_hosts; h++) {
		long i = ag_place_result_find(r, g, h);
		const struct ag_place_finding *f;

		if (i < 0 || (r->pairs[i].verdict != AG_VERDICT_REJECT &&
			      r->pairs[i].verdict != AG_VERDICT_ERROR))
			continue;
		fputs("  ", out);
		ag_fput_safe(out, r->hosts[h]);
		fputs(": ", out);
		f = ag_place_deciding(&r->pairs[i]);
		if (f)
			put_finding(out, f);
		else
			fputs(ag_verdict_kind_name(r->pairs[i].verdict), out);
		fputc('\n', out);
		if (f && f->remedy) {
			fputs("    fix: ", out);
			ag_fput_safe(out, f->remedy);
			fputc('\n', out);
		}
	}
}

int ag_place_render_text(const struct ag_place_result *r, FILE *out)
{
	struct ag_place_summary s;
	size_t g;

	ag_place_result_summary(r, &s);
	fprintf(out, "placement of %zu guest%s on %zu host%s", r->n_guests,
		r->n_guests == 1 ? "" : "s", r->n_hosts,
		r->n_hosts == 1 ? "" : "s");
	if (r->shard_count)
		fprintf(out, " (shard %u/%u of %zu guests)", r->shard_index,
			r->shard_count, r->shard_guests_total);
	fprintf(out, ", now %s\n\n", r->now);
	matrix(r, out);
	for (g = 0; g < r->n_guests; g++)
		per_guest(r, g, out);
	fprintf(out, "\n%zu pairs: %zu accept, %zu warn, %zu reject, %zu "
		"error; %zu on the guest's own host not evaluated\n", s.pairs,
		s.by_kind[AG_VERDICT_ACCEPT], s.by_kind[AG_VERDICT_WARN],
		s.by_kind[AG_VERDICT_REJECT], s.by_kind[AG_VERDICT_ERROR],
		s.self);
	if (s.guests_without_host) {
		fprintf(out, "%zu guest%s without a host:", s.guests_without_host,
			s.guests_without_host == 1 ? "" : "s");
		for (g = 0; g < r->n_guests; g++)
			if (!ag_place_guest_placed(r, g)) {
				fputc(' ', out);
				ag_fput_safe(out, r->guests[g]);
			}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* --- CSV --- */

static void csv_cell(FILE *out, const char *s, bool last)
{
	char *safe = ag_str_safe(s ? s : "");
	const char *p;
	/* =, +, -, @ (and tab, CR: escaped already) start a formula in
	 * spreadsheets: the apostrophe keeps it text. */
	bool formula = strchr("=+-@", safe[0]) && safe[0];

	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (p = safe; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
	fputs(last ? "\r\n" : ",", out);
	free(safe);
}

int ag_place_render_csv(const struct ag_place_result *r, FILE *out)
{
	size_t i;

	fputs("guest,guest_host,host,verdict,findings,rule,severity,apqn,"
	      "message\r\n", out);
	for (i = 0; i < r->n_pairs; i++) {
		const struct ag_place_pair *p = &r->pairs[i];
		const struct ag_place_finding *f = ag_place_deciding(p);
		char n[32];

		snprintf(n, sizeof(n), "%zu", p->n_findings + p->more_findings);
		csv_cell(out, r->guests[p->guest], false);
		csv_cell(out, r->guest_hosts[p->guest], false);
		csv_cell(out, r->hosts[p->host], false);
		csv_cell(out, ag_verdict_kind_name(p->verdict), false);
		csv_cell(out, n, false);
		csv_cell(out, f ? f->rule : "", false);
		csv_cell(out, f ? ag_severity_name(f->severity) : "", false);
		csv_cell(out, f ? f->apqn : "", false);
		csv_cell(out, f ? f->message : "", true);
	}
	return ferror(out) ? -1 : 0;
}
