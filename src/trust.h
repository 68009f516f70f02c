/* trust.h - whether a file may decide migrations: policy-file trust.
 *
 * When apgate runs as root, the files that steer its decisions (policy
 * files, policy directories, the configuration file, the keys file) must be
 * owned by root and writable by nobody else, like sudo's sudoers and sshd's
 * StrictModes: otherwise anyone who can write one of them decides which
 * guests migrate.  The checks are made on the opened file descriptor
 * (open with O_NOFOLLOW, then fstat), so the file checked is the file read;
 * then every parent directory up to / is checked (a world-writable parent
 * is accepted only when it is sticky and owned by root, like /tmp).  The
 * file is read once; callers hash and compile that same buffer.
 *
 * The decision log gets the same checks before it is written (auditlog_
 * write.c calls ag_trust_check_opened), and no symbolic link may be a
 * directory on its path; --insecure-audit-log skips them.
 *
 * When apgate does not run as root the checks are skipped: an unprivileged
 * user can only decide for themselves.  --insecure-policies skips them for
 * root too (development only); verdicts record that.
 */
#ifndef APGATE_TRUST_H
#define APGATE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"

enum ag_trust_kind {
	AG_TRUST_POLICY_FILE,
	AG_TRUST_POLICY_DIR,
	AG_TRUST_CONFIG,
	AG_TRUST_KEYS,
	AG_TRUST_WAIVERS,	/* a waiver store or waivers.d file: loosens */
	AG_TRUST_AUDIT_LOG,	/* written, not read; see auditlog_write.c */
};

/* "policy file", "policy directory", "configuration file", "keys file",
 * "waiver file", "decision log". */
const char *ag_trust_kind_name(enum ag_trust_kind kind);

/* Whether the checks apply in this process: running as root and not
 * insecure. */
bool ag_trust_enforced(bool insecure);

/* Read a whole regular file of at most max bytes into a NUL-terminated
 * buffer, after the trust checks when they apply.  A refusal names the file,
 * what is wrong and the fix. */
int ag_trust_read_file(const char *path, enum ag_trust_kind kind,
		       bool insecure, size_t max, char **buf, size_t *len,
		       struct ag_error *err);

/* The checks on a file already opened (st: its fstat) at path: owner and
 * mode, then every parent directory up to / (resolved); for the decision
 * log also no symbolic link among its directories as named.  Callers ask
 * ag_trust_enforced() first.  Returns 0, or -1 with err filled (naming the
 * fix) and errno EPERM. */
int ag_trust_check_opened(const char *path, enum ag_trust_kind kind,
			  const struct stat *st, struct ag_error *err);

/* Open a directory for reading its entries, after the trust checks when
 * they apply.  Returns a file descriptor for fdopendir(), or -1 with errno
 * set and err filled (errno ENOENT for a missing directory). */
int ag_trust_open_dir(const char *path, bool insecure, struct ag_error *err);

/* For the unit tests: enforce the checks whatever the effective uid, and
 * expect owner instead of root.  enforce < 0 restores the default. */
void ag_trust_set_test_mode(int enforce, uid_t owner);

#endif
