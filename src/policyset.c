/* policyset.c - finding, reading and loading policy files in order. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "policyimage.h"
#include "policyset.h"
#include "trust.h"
#include "util.h"

void ag_policyset_init(struct ag_policyset *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void ag_policyset_free(struct ag_policyset *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		free(ps->files[i].path);
	free(ps->files);
	memset(ps, 0, sizeof(*ps));
}

void ag_policyset_add_file(struct ag_policyset *ps, const char *path)
{
	ps->files = xgrow(ps->files, &ps->cap, ps->n + 1, sizeof(*ps->files));
	ps->files[ps->n].path = xstrdup(path);
	ps->files[ps->n].sha256[0] = '\0';
	ps->n++;
}

static bool is_policy_name(const char *name)
{
	size_t len = strlen(name);

	/* Hidden files are editor droppings and half-written copies. */
	return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".lua") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ag_policyset_add_dir(struct ag_policyset *ps, const char *dir,
			 bool required, struct ag_error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dh;
	int fd;

	/* Checked on the descriptor that is then listed (trust.h). */
	fd = ag_trust_open_dir(dir, ps->insecure, err);
	if (fd < 0) {
		if (!required && errno == ENOENT)
			return 0;
		/* The built-in rules are missing where apgate is not (yet)
		 * installed, e.g. in its source tree: name the way out. */
		if (errno == ENOENT && err && !strcmp(dir, AG_POLICY_DIR)) {
			char msg[AG_ERROR_MAX];

			memcpy(msg, err->msg, sizeof(msg));
			ag_error_set(err, "%s; name the rules with --policy-dir "
				     "DIR (in a source tree: --policy-dir "
				     "policies)", msg);
			errno = ENOENT;
		}
		return -1;
	}
	dh = fdopendir(fd);
	if (!dh) {
		ag_error_set(err, "policy directory %s: %s", dir,
			     strerror(errno));
		close(fd);
		return -1;
	}
	while ((de = readdir(dh))) {
		if (!is_policy_name(de->d_name))
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	/* readdir order is the file system's; load order must be ours. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s%s%s", dir,
				       dir[strlen(dir) - 1] == '/' ? "" : "/",
				       names[i]);

		ag_policyset_add_file(ps, path);
		free(path);
		free(names[i]);
	}
	free(names);
	return 0;
}

int ag_policyset_load(struct ag_policyset *ps, struct ag_engine *e,
		      struct ag_error *err)
{
	size_t i, len;
	char *buf;

	for (i = 0; i < ps->n; i++) {
		struct ag_policy_file *f = &ps->files[i];

		if (ag_trust_read_file(f->path, AG_TRUST_POLICY_FILE,
				       ps->insecure, AG_POLICY_MAX_BYTES, &buf,
				       &len, err) < 0)
			return -1;
		if (ag_policy_digest(buf, len, f->sha256) < 0) {
			ag_error_set(err, "%s: cannot compute its digest",
				     f->path);
			free(buf);
			return -1;
		}
		if (ag_engine_load(e, f->path, buf, len, err) < 0) {
			free(buf);
			return -1;
		}
		free(buf);
	}
	return 0;
}

void ag_policyset_record(const struct ag_policyset *ps, struct ag_verdict *v)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->files[i].sha256[0])
			ag_verdict_add_policy(v, ps->files[i].path,
					      ps->files[i].sha256);
}
