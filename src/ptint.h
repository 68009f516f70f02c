/* ptint.h - what the policy-test modules share (not a public interface).
 *
 * policytest.c loads test files and runs their cases; ptyaml.c holds the
 * YAML helpers and positioned messages; ptpatch.c the descriptor patches;
 * ptpolicy.c the policy sets and coverage; ptexpect.c the expectations and
 * the comparison with a verdict; ptreport.c the results and the reports.
 */
#ifndef APGATE_PTINT_H
#define APGATE_PTINT_H

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "error.h"
#include "policyscan.h"
#include "policyset.h"
#include "policytest.h"
#include "verdict.h"
#include "yamltree.h"

struct ag_engine;

struct rule_ref {
	char *id, *file;
	int line;
	bool active;
};

struct pset {
	char *key;			/* the file list, for reuse */
	struct ag_policyset ps;
	char **bufs;
	size_t *lens;
	char *error;			/* could not be read: why */
	struct rule_ref *rules;		/* as the engine registered them */
	size_t n_rules;
	bool scanned;
};

struct cov_rule {
	char *id, *file;
	int line;
	bool fired;
	struct ag_scan_site *sites;
	bool *hit;
	size_t n_sites;
};

struct report_case {
	char *file, *name;
	bool pass;
	double secs;
	char **problems;
	size_t n_problems, cap_problems;
	char **expected;		/* the expectations, one line each */
	size_t n_expected, cap_expected;
	char *verdict;			/* NULL when the case did not run */
	json_object *findings;		/* array, NULL when it did not run */
};

struct run {
	const struct ag_test_options *o;
	FILE *out;
	struct pset *sets;
	size_t n_sets, cap_sets;
	struct {
		char *path;
		struct ag_ynode *root;
		char *error;
	} *trees;
	size_t n_trees, cap_trees;
	struct cov_rule *cov;
	size_t n_cov, cap_cov;
	struct report_case *cases;
	size_t n_cases, cap_cases;
	struct ag_test_summary *sum;
};

struct matcher {
	char *rule, *apqn, *message, *pattern;
	int severity;			/* -1: any */
	bool apqn_given;		/* apqn: null means "no APQN" */
	bool has_re;
	regex_t re;
	unsigned count;
	char *text;			/* how it is shown */
	bool remedy_given;		/* remedy: null means "no remedy" */
	char *remedy;			/* a substring of the remedy's text */
	bool commands_given;
	char **commands;		/* exactly these, "on: command" */
	size_t n_commands;
};

struct tcase {
	const char *name;
	const struct ag_ynode *node, *source, *target, *params, *now;
	int verdict;			/* -1: not checked */
	struct matcher *m, *absent;
	size_t n_m, n_absent;
	bool allow_other;
	const struct ag_ynode *results;
};

/* --- ptyaml.c --- */
struct ag_ynode *pt_ycopy(const struct ag_ynode *n);
bool pt_is_str(const struct ag_ynode *n);
bool pt_is_null(const struct ag_ynode *n);
/* Set err to "name:line:col: ..." at n; return -1. */
int pt_fail_at(struct ag_error *err, const char *name,
	       const struct ag_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "name:line:col: expected WHAT, found ..."; return -1. */
int pt_expected(struct ag_error *err, const char *name,
		const struct ag_ynode *n, const char *what);
/* Keys of map outside the NULL-terminated allowed list are errors. */
int pt_only_keys(const struct ag_ynode *map, const char *const *allowed,
		 const char *name, const char *where, struct ag_error *err);

/* --- ptpolicy.c --- */
/* path as written in file: relative to file's directory. */
char *pt_relative_to(const char *file, const char *path);
/* The policy set of a test file (its own list, else the configuration);
 * NULL with err set on a bad list.  Owned by r. */
struct pset *pt_pset_for(struct run *r, const char *tfile,
			 const struct ag_ynode *list, struct ag_error *err);
struct ag_engine *pt_pset_engine(const struct run *r, const struct pset *p,
				 struct ag_error *err);
void pt_pset_free(struct pset *p);
void pt_cov_scan(struct run *r, struct pset *p);
void pt_cov_mark(struct run *r, const struct pset *p,
		 const struct ag_verdict *v);
void pt_cov_free(struct run *r);

/* --- ptexpect.c --- */
int pt_parse_case(const char *name, const struct ag_ynode *n,
		  struct tcase *c, struct ag_error *err);
void pt_matchers_free(struct matcher *m, size_t n);
/* Add to rc a problem for every expectation of c that v does not meet. */
/* remedies: required - every warn and reject finding carries a remedy. */
void pt_check_remedies(const struct ag_verdict *v, struct report_case *rc);
void pt_compare(const struct tcase *c, const struct ag_verdict *v,
		struct report_case *rc);

/* --- ptreport.c --- */
void pt_add_problem(struct report_case *rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pt_add_expected(struct report_case *rc, char *s);
json_object *pt_findings_json(const struct ag_verdict *v);
/* Count rc, print it (text format) and keep it for the final report. */
void pt_record(struct run *r, struct report_case *rc);
/* A test file that could not be used counts as one failed case. */
void pt_file_error(struct run *r, const char *path, const char *msg);
/* The closing report in r->o->format; -1 when it could not be written. */
int pt_report(struct run *r);
void pt_cases_free(struct run *r);

#endif
