/* policyset.h - which policy files are in force, in which order, and the
 * exact bytes (and digests) that get compiled.
 *
 * Load order: each default directory in turn (the installed rules, or the
 * --policy-dir list), then the site directory; within a directory the
 * *.lua files in bytewise lexical order.  Each file is read once, hashed,
 * and that same buffer is handed to the engine, so the digest recorded in a
 * verdict is the digest of what ran.
 */
#ifndef APGATE_POLICYSET_H
#define APGATE_POLICYSET_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "engine.h"
#include "error.h"
#include "verdict.h"

/* A policy file larger than this is not a policy. */
#define AG_POLICY_MAX_BYTES (1024u * 1024)

struct ag_policy_file {
	char *path;
	char sha256[AG_SHA256_HEX_LEN];
};

struct ag_policyset {
	struct ag_policy_file *files;
	size_t n, cap;
	bool insecure;		/* skip the trust checks (trust.h) */
};

void ag_policyset_init(struct ag_policyset *ps);
void ag_policyset_free(struct ag_policyset *ps);

/* Add the *.lua files of dir.  A missing directory is an error when
 * required, else silently nothing (an optional site directory).  The
 * directory and, on loading, each file must pass the trust checks of
 * trust.h unless ps->insecure. */
int ag_policyset_add_dir(struct ag_policyset *ps, const char *dir,
			 bool required, struct ag_error *err);

/* Add one file. */
void ag_policyset_add_file(struct ag_policyset *ps, const char *path);

/* Read, hash and load every file into e, in order; the digests are filled
 * in as files are read.  Stops at the first failure. */
int ag_policyset_load(struct ag_policyset *ps, struct ag_engine *e,
		      struct ag_error *err);

/* Record the files (path and digest) in a verdict. */
void ag_policyset_record(const struct ag_policyset *ps, struct ag_verdict *v);

#endif
