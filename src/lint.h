/* lint.h - `apgate lint`: mistakes in policy files, found before they
 * decide anything.
 *
 * Checks (name in brackets, as printed; see apgate-policy(5), LINT):
 *   errors    [syntax]          the file does not compile
 *             [load]            loading it fails (rule{} misuse, disable()
 *                               of an unknown rule, a runtime error)
 *             [undefined-global] it reads a global no built-in provides and
 *                               the file never sets (a typo, or a helper of
 *                               another file: files share no globals)
 *             [duplicate-id]    a file registers the same id twice
 *   warnings  [global-assignment] it creates a global instead of a local
 *             [no-description]  a rule without description
 *             [unreachable]     a rule replaced or disabled later in the
 *                               load order: it never runs
 *             [never-reports]   a rule with no reject() or warn() call in
 *                               its check or the helpers it reaches
 *             [check-fails]     a check raises an error on a sample input
 *             [no-remedy]       a reject() call that passes no remedy
 *                               (neither written in its arguments nor
 *                               passed on a sample input)
 * Files are taken in the order given (directories: their *.lua files in
 * lexical order), as the engine would load them.
 */
#ifndef APGATE_LINT_H
#define APGATE_LINT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

enum ag_lint_level {
	AG_LINT_WARNING,
	AG_LINT_ERROR,
};

struct ag_lint_problem {
	char *file;
	int line;		/* 0: the file as a whole */
	enum ag_lint_level level;
	const char *check;	/* "syntax", "undefined-global", ... */
	char *message;
};

struct ag_lint_result {
	struct ag_lint_problem *problems;	/* in file order, then line */
	size_t n, cap;
	size_t files;				/* files examined */
	bool unreadable;			/* a path could not be read */
};

/* Lint the files and directories in paths; params (may be NULL) are what
 * the checks see as ctx.params on the sample inputs. */
void ag_lint_run(char *const *paths, size_t n, json_object *params,
		 struct ag_lint_result *res);

void ag_lint_result_free(struct ag_lint_result *res);

/* "FILE:LINE: error: MESSAGE [check]" lines and a summary line. */
int ag_lint_print(const struct ag_lint_result *res, FILE *out);

#endif
