/* ptreport.c - collecting case results and reporting them: text, JSON or
 * JUnit XML, with the optional coverage summary. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptint.h"
#include "util.h"
#include "xmlout.h"

void pt_add_problem(struct report_case *rc, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup(fmt);
	va_end(ap);
	rc->problems = xgrow(rc->problems, &rc->cap_problems,
			     rc->n_problems + 1, sizeof(*rc->problems));
	rc->problems[rc->n_problems++] = s;
	rc->pass = false;
}

void pt_add_expected(struct report_case *rc, char *s)
{
	rc->expected = xgrow(rc->expected, &rc->cap_expected,
			     rc->n_expected + 1, sizeof(*rc->expected));
	rc->expected[rc->n_expected++] = s;
}

json_object *pt_findings_json(const struct ag_verdict *v)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < v->n_findings; i++) {
		const struct ag_finding *f = &v->findings[i];
		json_object *o = json_object_new_object();

		if (f->apqn)
			json_object_object_add(o, "apqn",
					       json_object_new_string(f->apqn));
		json_object_object_add(o, "message",
				       json_object_new_string(f->message));
		json_object_object_add(o, "rule", json_object_new_string(f->rule));
		json_object_object_add(o, "severity", json_object_new_string(
			ag_severity_name(f->severity)));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* --- reporting --- */

static void print_case_text(struct run *r, const struct report_case *rc)
{
	size_t i, n;

	fprintf(r->out, "%s %s: %s\n", rc->pass ? "PASS" : "FAIL", rc->file,
		rc->name);
	if (rc->pass)
		return;
	for (i = 0; i < rc->n_problems; i++)
		fprintf(r->out, "     %s\n", rc->problems[i]);
	if (!rc->findings)
		return;
	fprintf(r->out, "     expected (verdict aside):%s\n",
		rc->n_expected ? "" : " no findings");
	for (i = 0; i < rc->n_expected; i++)
		fprintf(r->out, "       %s\n", rc->expected[i]);
	n = json_object_array_length(rc->findings);
	fprintf(r->out, "     actual: verdict %s%s\n", rc->verdict,
		n ? "" : ", no findings");
	for (i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(rc->findings, i), *x;
		const char *apqn = json_object_object_get_ex(f, "apqn", &x) ?
				   json_object_get_string(x) : NULL;
		char sev[8];
		size_t j;

		json_object_object_get_ex(f, "severity", &x);
		snprintf(sev, sizeof(sev), "%s", json_object_get_string(x));
		for (j = 0; sev[j]; j++)
			sev[j] = (char)(sev[j] - 32);
		json_object_object_get_ex(f, "rule", &x);
		fprintf(r->out, "       %s %s%s%s: ", sev,
			json_object_get_string(x), apqn ? " " : "",
			apqn ? apqn : "");
		json_object_object_get_ex(f, "message", &x);
		fprintf(r->out, "%s\n", json_object_get_string(x));
	}
}

void pt_record(struct run *r, struct report_case *rc)
{
	if (rc->pass)
		r->sum->passed++;
	else
		r->sum->failed++;
	if (r->o->format == AG_TEST_TEXT)
		print_case_text(r, rc);
	r->cases = xgrow(r->cases, &r->cap_cases, r->n_cases + 1,
			 sizeof(*r->cases));
	r->cases[r->n_cases++] = *rc;
}

void pt_file_error(struct run *r, const char *path, const char *msg)
{
	struct report_case rc = { 0 };

	rc.file = xstrdup(path);
	rc.name = xstrdup("(test file)");
	pt_add_problem(&rc, "%s", msg);
	pt_record(r, &rc);
}

static void cov_text(struct run *r)
{
	size_t i, s, fired = 0, sites = 0, hit = 0;

	for (i = 0; i < r->n_cov; i++) {
		fired += r->cov[i].fired;
		sites += r->cov[i].n_sites;
		for (s = 0; s < r->cov[i].n_sites; s++)
			hit += r->cov[i].hit[s];
	}
	fprintf(r->out, "coverage: %zu of %zu rules reported a finding; "
		"%zu of %zu reject/warn/note calls reached\n", fired, r->n_cov,
		hit, sites);
	for (i = 0; i < r->n_cov; i++) {
		const struct cov_rule *c = &r->cov[i];

		if (!c->fired)
			fprintf(r->out, "  never reported: %s (%s:%d)\n", c->id,
				c->file, c->line);
		for (s = 0; s < c->n_sites; s++)
			if (!c->hit[s])
				fprintf(r->out, "  not reached: %s:%d %s() in %s\n",
					c->file, c->sites[s].line,
					ag_severity_name(c->sites[s].kind), c->id);
	}
}

static json_object *cov_json(struct run *r)
{
	json_object *arr = json_object_new_array();
	size_t i, s;

	for (i = 0; i < r->n_cov; i++) {
		const struct cov_rule *c = &r->cov[i];
		json_object *o = json_object_new_object(), *calls;

		json_object_object_add(o, "file", json_object_new_string(c->file));
		json_object_object_add(o, "id", json_object_new_string(c->id));
		json_object_object_add(o, "line", json_object_new_int(c->line));
		json_object_object_add(o, "reported",
				       json_object_new_boolean(c->fired));
		calls = json_object_new_array();
		for (s = 0; s < c->n_sites; s++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "function", json_object_new_string(
				ag_severity_name(c->sites[s].kind)));
			json_object_object_add(x, "line",
					       json_object_new_int(c->sites[s].line));
			json_object_object_add(x, "reached",
					       json_object_new_boolean(c->hit[s]));
			json_object_array_add(calls, x);
		}
		json_object_object_add(o, "calls", calls);
		json_object_array_add(arr, o);
	}
	return arr;
}

static int report_json(struct run *r)
{
	json_object *o = json_object_new_object(), *arr;
	size_t i, k;
	int rc;

	json_object_object_add(o, "apgate-test-report",
			       json_object_new_int(AG_TEST_FORMAT_VERSION));
	arr = json_object_new_array();
	for (i = 0; i < r->n_cases; i++) {
		const struct report_case *c = &r->cases[i];
		json_object *co = json_object_new_object(), *pr;

		json_object_object_add(co, "file", json_object_new_string(c->file));
		if (c->findings)
			json_object_object_add(co, "findings",
					       json_object_get(c->findings));
		json_object_object_add(co, "name", json_object_new_string(c->name));
		pr = json_object_new_array();
		for (k = 0; k < c->n_problems; k++)
			json_object_array_add(pr, json_object_new_string(
				c->problems[k]));
		json_object_object_add(co, "problems", pr);
		json_object_object_add(co, "result", json_object_new_string(
			c->pass ? "pass" : "fail"));
		if (c->verdict)
			json_object_object_add(co, "verdict",
					       json_object_new_string(c->verdict));
		json_object_array_add(arr, co);
	}
	json_object_object_add(o, "cases", arr);
	if (r->o->coverage)
		json_object_object_add(o, "coverage", cov_json(r));
	json_object_object_add(o, "failed", json_object_new_int((int)r->sum->failed));
	json_object_object_add(o, "passed", json_object_new_int((int)r->sum->passed));
	rc = fprintf(r->out, "%s\n", json_object_to_json_string_ext(o,
		     JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc < 0 ? -1 : 0;
}

/* XML 1.0 cannot carry most control characters, whatever the escaping. */
static char *xml_text(const char *s)
{
	char *c = xstrdup(s), *p;

	for (p = c; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			*p = '?';
	return c;
}

/* ' NAME="VALUE"', the value escaped for an attribute. */
static int xml_attr(FILE *f, const char *name, const char *val,
		    struct ag_error *err)
{
	char *t = xml_text(val);
	int rc;

	fprintf(f, " %s=\"", name);
	rc = ag_xml_put_attr(f, t, name, err);
	fputc('"', f);
	free(t);
	return rc;
}

static char *failure_body(const struct report_case *c)
{
	char *body = xstrdup(""), *t;
	size_t k, j;

	for (k = 0; k < c->n_problems; k++) {
		t = xasprintf("%s%s\n", body, c->problems[k]);
		free(body);
		body = t;
	}
	if (c->findings) {
		t = xasprintf("%sactual verdict %s, findings:\n", body, c->verdict);
		free(body);
		body = t;
		for (j = 0; j < json_object_array_length(c->findings); j++) {
			json_object *fo = json_object_array_get_idx(c->findings, j);

			t = xasprintf("%s  %s\n", body,
				      json_object_to_json_string_ext(fo,
					JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE));
			free(body);
			body = t;
		}
	}
	return body;
}

/* One <testsuite> per test file, its cases in the order they ran; the
 * layout is the one libxml2's indenting writer produced. */
static int junit_suite(FILE *f, const struct report_case *c, size_t n,
		       struct ag_error *err)
{
	char num[32];
	size_t i, fails = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		fails += !c[i].pass;
	fputs("  <testsuite", f);
	rc |= xml_attr(f, "name", c[0].file, err);
	snprintf(num, sizeof(num), "%zu", n);
	rc |= xml_attr(f, "tests", num, err);
	snprintf(num, sizeof(num), "%zu", fails);
	rc |= xml_attr(f, "failures", num, err);
	fputs(">\n", f);
	for (i = 0; i < n && rc == 0; i++) {
		fputs("    <testcase", f);
		rc |= xml_attr(f, "classname", c[i].file, err);
		rc |= xml_attr(f, "name", c[i].name, err);
		snprintf(num, sizeof(num), "%.6f", c[i].secs);
		rc |= xml_attr(f, "time", num, err);
		if (c[i].pass) {
			fputs("/>\n", f);
			continue;
		}
		char *body = failure_body(&c[i]), *t = xml_text(body);

		fputs(">\n      <failure", f);
		rc |= xml_attr(f, "message", c[i].n_problems ?
			       c[i].problems[0] : "failed", err);
		fputc('>', f);
		rc |= ag_xml_put_text(f, t, "failure", err);
		fputs("</failure>\n    </testcase>\n", f);
		free(t);
		free(body);
	}
	fputs("  </testsuite>\n", f);
	return rc;
}

/* Test names and messages come from UTF-8-checked YAML, so escaping fails
 * only on a bug; the caller then reports an unwritable report. */
static int report_junit(struct run *r)
{
	struct ag_error err = { 0 };
	char num[32], *doc = NULL;
	size_t i, k, len = 0;
	int rc = 0;
	FILE *f;

	f = open_memstream(&doc, &len);
	if (!f)
		return -1;
	fputs("<?xml version=\"1.0\"?>\n<testsuites", f);
	rc |= xml_attr(f, "name", "apgate test", &err);
	snprintf(num, sizeof(num), "%u", r->sum->passed + r->sum->failed);
	rc |= xml_attr(f, "tests", num, &err);
	snprintf(num, sizeof(num), "%u", r->sum->failed);
	rc |= xml_attr(f, "failures", num, &err);
	fputs(r->n_cases ? ">\n" : "/>\n", f);
	for (i = 0; i < r->n_cases && rc == 0; i = k) {
		for (k = i + 1; k < r->n_cases &&
		     strcmp(r->cases[k].file, r->cases[i].file) == 0; k++)
			;
		rc |= junit_suite(f, &r->cases[i], k - i, &err);
	}
	if (r->n_cases)
		fputs("</testsuites>\n", f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && fwrite(doc, 1, len, r->out) != len)
		rc = -1;
	free(doc);
	return rc ? -1 : 0;
}

int pt_report(struct run *r)
{
	switch (r->o->format) {
	case AG_TEST_TEXT:
		if (r->o->coverage)
			cov_text(r);
		return fprintf(r->out, "%u passed, %u failed\n", r->sum->passed,
			       r->sum->failed) < 0 ? -1 : 0;
	case AG_TEST_JSON:
		return report_json(r);
	case AG_TEST_JUNIT:
		return report_junit(r);
	}
	return -1;
}

void pt_cases_free(struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->n_cases; i++) {
		struct report_case *c = &r->cases[i];

		free(c->file);
		free(c->name);
		for (k = 0; k < c->n_problems; k++)
			free(c->problems[k]);
		free(c->problems);
		for (k = 0; k < c->n_expected; k++)
			free(c->expected[k]);
		free(c->expected);
		free(c->verdict);
		json_object_put(c->findings);
	}
	free(r->cases);
}
