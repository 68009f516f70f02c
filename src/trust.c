/* trust.c - ownership and permission checks of the files that steer
 * decisions, made on the descriptor that is then read (see trust.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust.h"
#include "util.h"

static int test_enforce = -1;
static uid_t test_owner;

/* Directories found sound in this process together with every ancestor,
 * so that the next file in one of them needs no second walk up to /: a
 * walk costs a realpath and a stat per level, and the default rules are
 * six files of one directory.  Only their owners (root) can have changed
 * them since; the directory's own owner and mode are compared again all
 * the same, from the stat that finds it. */
#define VERIFIED_DIRS_MAX 8
static struct verified_dir {
	dev_t dev;
	ino_t ino;
	uid_t uid;
	mode_t mode;
} verified_dirs[VERIFIED_DIRS_MAX];
static size_t n_verified_dirs;

void ag_trust_set_test_mode(int enforce, uid_t owner)
{
	test_enforce = enforce;
	test_owner = owner;
	n_verified_dirs = 0;	/* they were judged for another owner */
}

static bool dir_verified(const struct stat *st)
{
	size_t i;

	for (i = 0; i < n_verified_dirs; i++)
		if (verified_dirs[i].dev == st->st_dev &&
		    verified_dirs[i].ino == st->st_ino &&
		    verified_dirs[i].uid == st->st_uid &&
		    verified_dirs[i].mode == st->st_mode)
			return true;
	return false;
}

static void remember_dir(const struct stat *st)
{
	if (!S_ISDIR(st->st_mode) || dir_verified(st) ||
	    n_verified_dirs == VERIFIED_DIRS_MAX)
		return;
	verified_dirs[n_verified_dirs].dev = st->st_dev;
	verified_dirs[n_verified_dirs].ino = st->st_ino;
	verified_dirs[n_verified_dirs].uid = st->st_uid;
	verified_dirs[n_verified_dirs].mode = st->st_mode;
	n_verified_dirs++;
}

const char *ag_trust_kind_name(enum ag_trust_kind kind)
{
	switch (kind) {
	case AG_TRUST_POLICY_FILE: return "policy file";
	case AG_TRUST_POLICY_DIR: return "policy directory";
	case AG_TRUST_CONFIG: return "configuration file";
	case AG_TRUST_KEYS: return "keys file";
	case AG_TRUST_WAIVERS: return "waiver file";
	case AG_TRUST_AUDIT_LOG: return "decision log";
	}
	return "file";
}

bool ag_trust_enforced(bool insecure)
{
	static int root = -1;	/* apgate never changes its uid */

	if (insecure)
		return false;
	if (test_enforce >= 0)
		return test_enforce > 0;
	if (root < 0)
		root = geteuid() == 0;
	return root;
}

static uid_t expected_owner(void)
{
	return test_enforce >= 0 ? test_owner : 0;
}

static int refuse(struct ag_error *err, const char *path,
		  enum ag_trust_kind kind, const char *culprit,
		  const char *what)
{
	bool parent = strcmp(culprit, path) != 0;

	ag_error_set(err, "%s: refusing %s: %s%s %s; fix: chown root:root %s "
		     "&& chmod go-w %s (or %s while developing)", path,
		     ag_trust_kind_name(kind),
		     parent ? "parent directory " : "it",
		     parent ? culprit : "", what, culprit, culprit,
		     kind == AG_TRUST_AUDIT_LOG ? "--insecure-audit-log" :
		     "--insecure-policies");
	return -1;
}

/* Owner and write bits of one object. */
static int check_stat(const struct stat *st, const char *path,
		      enum ag_trust_kind kind, const char *culprit,
		      bool parent, struct ag_error *err)
{
	char what[128];

	if (st->st_uid != expected_owner() && !(parent && st->st_uid == 0)) {
		snprintf(what, sizeof(what), "is owned by uid %lu, not by root",
			 (unsigned long)st->st_uid);
		return refuse(err, path, kind, culprit, what);
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		/* /tmp: anyone may create entries, nobody may replace
		 * another's, and root owns the directory itself. */
		if (parent && (st->st_mode & S_ISVTX) && st->st_uid == 0)
			return 0;
		snprintf(what, sizeof(what), "is writable by %s",
			 (st->st_mode & S_IWOTH) ? "others" : "its group");
		return refuse(err, path, kind, culprit, what);
	}
	return 0;
}

/* Every directory from dir (an absolute, resolved path) up to /; dir's
 * own stat is left in *dir_st. */
static int check_parents(const char *path, enum ag_trust_kind kind,
			 const char *dir, struct stat *dir_st,
			 struct ag_error *err)
{
	char *p = xstrdup(dir), *slash;
	struct stat st;
	bool first = true;
	int rc = 0;

	for (;;) {
		if (lstat(p, &st) < 0) {
			ag_error_set(err, "%s: refusing %s: cannot check parent "
				     "directory %s: %s", path,
				     ag_trust_kind_name(kind), p, strerror(errno));
			rc = -1;
			break;
		}
		if (check_stat(&st, path, kind, p, true, err) < 0) {
			rc = -1;
			break;
		}
		if (first)
			*dir_st = st;
		first = false;
		if (strcmp(p, "/") == 0)
			break;
		slash = strrchr(p, '/');
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(p);
	return rc;
}

/* The directory that holds path (for a file) or path's parent (for a
 * directory), as named: both are "the parents" of what was opened. */
static char *named_parent(const char *path)
{
	char *copy = xstrdup(path), *slash;
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (!slash)
		strcpy(copy, ".");
	else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	return copy;
}

/* The same, resolved. */
static char *resolved_parent(const char *path)
{
	char *copy = named_parent(path), *res;

	res = realpath(copy, NULL);
	free(copy);
	return res;
}

/* A symbolic link among the directories of path (as named, made
 * absolute): the checks would judge where it points today, and whoever
 * may change it could move the file elsewhere. */
static int check_no_symlinked_parent(const char *path,
				     enum ag_trust_kind kind,
				     struct ag_error *err)
{
	char *abs, *p, *end;
	struct stat st;
	int rc = 0;

	if (path[0] == '/') {
		abs = xstrdup(path);
	} else {
		char *cwd = getcwd(NULL, 0);

		if (!cwd) {
			ag_error_set(err, "%s: refusing %s: cannot get the "
				     "working directory: %s", path,
				     ag_trust_kind_name(kind), strerror(errno));
			return -1;
		}
		abs = xasprintf("%s/%s", cwd, path);
		free(cwd);
	}
	end = strrchr(abs, '/');
	for (p = abs + 1; p && p <= end; p = strchr(p + 1, '/')) {
		char c;

		if (*p != '/')
			continue;
		c = *p;
		*p = '\0';
		if (lstat(abs, &st) == 0 && S_ISLNK(st.st_mode)) {
			char *to = realpath(abs, NULL);

			ag_error_set(err, "%s: refusing %s: parent directory %s "
				     "is a symbolic link%s%s; name the real "
				     "directory (or %s while developing)", path,
				     ag_trust_kind_name(kind), abs,
				     to ? " to " : "", to ? to : "",
				     kind == AG_TRUST_AUDIT_LOG ?
				     "--insecure-audit-log" :
				     "--insecure-policies");
			free(to);
			rc = -1;
			break;
		}
		*p = c;
	}
	free(abs);
	return rc;
}

int ag_trust_check_opened(const char *path, enum ag_trust_kind kind,
			  const struct stat *st, struct ag_error *err)
{
	struct stat dir_st;
	char *parent;
	int rc;

	if (kind == AG_TRUST_AUDIT_LOG &&
	    check_no_symlinked_parent(path, kind, err) < 0)
		goto refused;
	if (check_stat(st, path, kind, path, false, err) < 0)
		goto refused;
	/* The directory path names now, as the walk below would resolve
	 * it: when it was found sound already, so are its parents. */
	parent = named_parent(path);
	rc = stat(parent, &dir_st) == 0 && dir_verified(&dir_st);
	free(parent);
	if (!rc) {
		parent = resolved_parent(path);
		if (!parent) {
			ag_error_set(err, "%s: refusing %s: cannot resolve its "
				     "directory: %s", path,
				     ag_trust_kind_name(kind), strerror(errno));
			goto refused;
		}
		rc = check_parents(path, kind, parent, &dir_st, err);
		free(parent);
		if (rc < 0)
			goto refused;
		remember_dir(&dir_st);
	}
	/* A sound directory with sound parents is a sound parent itself. */
	remember_dir(st);
	return 0;
refused:
	errno = EPERM;
	return -1;
}

/* Open path with the checks applied to the opened object and its parents. */
static int open_checked(const char *path, enum ag_trust_kind kind,
			bool insecure, bool dir, struct ag_error *err)
{
	bool enforce = ag_trust_enforced(insecure);
	int nofollow = enforce ? O_NOFOLLOW : 0;
	struct stat st;
	char *bare;
	size_t n;
	int fd, saved;

	memset(&st, 0, sizeof(st));
	/* "link/" makes open() and lstat() resolve the link whatever
	 * O_NOFOLLOW says: look at the name without trailing slashes. */
	bare = xstrdup(path);
	for (n = strlen(bare); n > 1 && bare[n - 1] == '/'; )
		bare[--n] = '\0';
	if (dir)
		fd = open(bare, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_DIRECTORY |
			  nofollow);
	else	/* a FIFO neither blocks the open nor passes */
		fd = ag_open_regular(bare, O_RDONLY | nofollow, 0, &st, err);
	if (fd < 0) {
		saved = errno;
		/* O_NOFOLLOW fails with ELOOP, or ENOTDIR with O_DIRECTORY */
		if (enforce && lstat(bare, &st) == 0 && S_ISLNK(st.st_mode))
			saved = ELOOP;
		free(bare);
		if (saved == ELOOP && enforce)
			ag_error_set(err, "%s: refusing %s: it is a symbolic "
				     "link; name it directly", path,
				     ag_trust_kind_name(kind));
		else if (saved == EINVAL && !dir)
			ag_error_set(err, "%s: refusing %s: not a regular "
				     "file (it is %s)", path,
				     ag_trust_kind_name(kind),
				     ag_file_type_name(st.st_mode));
		else
			ag_error_set(err, "%s: cannot open: %s", path,
				     strerror(saved));
		errno = saved;
		return -1;
	}
	free(bare);
	if (dir && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		ag_error_set(err, "%s: not a directory", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (!enforce)
		return fd;
	if (ag_trust_check_opened(path, kind, &st, err) < 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int ag_trust_read_file(const char *path, enum ag_trust_kind kind,
		       bool insecure, size_t max, char **buf, size_t *len,
		       struct ag_error *err)
{
	size_t cap = 0, used = 0;
	char *data = NULL;
	int fd;

	if (strcmp(path, "-") == 0) {
		/* Nobody can vouch for a pipe's writer. */
		if (ag_trust_enforced(insecure)) {
			ag_error_set(err, "refusing to read a %s from standard "
				     "input as root", ag_trust_kind_name(kind));
			return -1;
		}
		return ag_read_file(path, max, buf, len, err);
	}
	fd = open_checked(path, kind, insecure, false, err);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n;

		data = xgrow(data, &cap, used + 4096 + 1, 1);
		n = read(fd, data + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ag_error_set(err, "%s: cannot read: %s", path,
				     strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			ag_error_set(err, "%s: larger than the limit of %zu "
				     "bytes", path, max);
			goto fail;
		}
	}
	close(fd);
	data[used] = '\0';
	*buf = data;
	*len = used;
	return 0;
fail:
	close(fd);
	free(data);
	return -1;
}

int ag_trust_open_dir(const char *path, bool insecure, struct ag_error *err)
{
	int fd = open_checked(path, AG_TRUST_POLICY_DIR, insecure, true, err);

	if (fd < 0 && errno == ENOENT)
		ag_error_set(err, "policy directory %s: %s", path,
			     strerror(ENOENT));
	return fd;
}
