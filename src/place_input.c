/* place_input.c - the guests and hosts of a placement run.
 *
 * Guests are source descriptors or libvirt domain XML with apgate
 * metadata; hosts are inventories.  Either may be given as files or as
 * directories (their *.yaml, *.yml, *.json and, for guests, *.xml files,
 * in bytewise order; no recursion).  Every file that cannot be used is
 * named on stderr with the reason, file by file; the run goes on without
 * it only with --keep-going.  Two guests (or hosts) with the same name
 * are refused: the name is how the output tells them apart.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "domxml.h"
#include "inventory.h"
#include "place.h"
#include "textsafe.h"
#include "util.h"

/* More files than this in the guest and host lists together is not a
 * fleet apgate is meant to plan in one run. */
#define MAX_FILES (AG_PLACE_MAX_GUESTS + AG_PLACE_MAX_HOSTS)

struct file_list {
	char **paths;
	size_t n, cap;
};

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static bool wanted(const char *name, bool xml)
{
	return name[0] != '.' &&
	       (has_suffix(name, ".yaml") || has_suffix(name, ".yml") ||
		has_suffix(name, ".json") || (xml && has_suffix(name, ".xml")));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(struct file_list *fl, char *path, struct ag_error *err)
{
	if (fl->n >= MAX_FILES) {
		free(path);
		ag_error_set(err, "more than %u input files: split the fleet "
			     "(--shard) or place it in parts", MAX_FILES);
		return -1;
	}
	fl->paths = xgrow(fl->paths, &fl->cap, fl->n + 1, sizeof(*fl->paths));
	fl->paths[fl->n++] = path;
	return 0;
}

/* Expand a directory into its input files, sorted; a file stays itself.
 * An unreadable directory is a refused input like a bad file. */
static int expand(const char *path, bool xml, struct file_list *fl,
		  bool *refused, struct ag_error *err)
{
	struct file_list dir = { 0 };
	struct dirent *de;
	struct stat st;
	size_t i;
	DIR *d;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return add_path(fl, xstrdup(path), err);
	d = opendir(path);
	if (!d) {
		ag_cli_msg("place: %s: cannot read the directory: %s", path,
			   strerror(errno));
		*refused = true;
		return 0;
	}
	while ((de = readdir(d))) {
		if (!wanted(de->d_name, xml))
			continue;
		if (add_path(&dir, xasprintf("%s/%s", path, de->d_name),
			     err) < 0) {
			closedir(d);
			goto fail;
		}
	}
	closedir(d);
	if (dir.n)
		qsort(dir.paths, dir.n, sizeof(*dir.paths), cmp_str);
	for (i = 0; i < dir.n; i++) {
		if (add_path(fl, dir.paths[i], err) < 0) {
			dir.paths[i] = NULL;
			for (i++; i < dir.n; i++)
				free(dir.paths[i]);
			free(dir.paths);
			return -1;
		}
	}
	free(dir.paths);
	return 0;
fail:
	for (i = 0; i < dir.n; i++)
		free(dir.paths[i]);
	free(dir.paths);
	return -1;
}

/* The guest's name: the domain's, else the file name without its
 * extension. */
static char *name_of_file(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dot && dot > base ? xstrndup(base, (size_t)(dot - base)) :
		xstrdup(base);
}

static bool looks_like_xml(const char *path)
{
	FILE *f;
	int c;

	if (has_suffix(path, ".xml"))
		return true;
	if (strcmp(path, "-") == 0 || !(f = fopen(path, "r")))
		return false;
	while ((c = fgetc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	fclose(f);
	return c == '<';
}

static void refuse(const char *what, const char *msg)
{
	char *safe = ag_str_safe(msg);

	ag_cli_msg("place: refused %s: %s", what, safe);
	free(safe);
}

static int load_guest(const char *path, struct ag_place_inputs *in)
{
	struct ag_descriptor *d = NULL;
	struct ag_place_guest *g;
	struct ag_error err;
	char *name = NULL;
	int rc;

	if (looks_like_xml(path))
		rc = ag_domxml_load_source(path, &d, NULL, &name, &err);
	else
		rc = ag_descriptor_load_file(path, &d, &err);
	if (rc < 0) {
		refuse("guest", err.msg);
		return -1;
	}
	in->guests = xgrow(in->guests, &in->cap_guests, in->n_guests + 1,
			   sizeof(*in->guests));
	g = &in->guests[in->n_guests++];
	g->name = name ? name : name_of_file(path);
	g->path = xstrdup(path);
	g->d = d;
	return 0;
}

static int load_host(const char *path, struct ag_place_inputs *in)
{
	struct ag_inventory *inv = NULL;
	struct ag_place_host *h;
	struct ag_error err;

	if (ag_inventory_load_file(path, &inv, &err) < 0) {
		refuse("host", err.msg);
		return -1;
	}
	in->hosts = xgrow(in->hosts, &in->cap_hosts, in->n_hosts + 1,
			  sizeof(*in->hosts));
	h = &in->hosts[in->n_hosts++];
	h->name = xstrdup(inv->hw->host);
	h->path = xstrdup(path);
	h->inv = inv;
	return 0;
}

static int guest_cmp(const void *a, const void *b)
{
	const struct ag_place_guest *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int host_cmp(const void *a, const void *b)
{
	const struct ag_place_host *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void free_guest(struct ag_place_guest *g)
{
	free(g->name);
	free(g->path);
	ag_descriptor_free(g->d);
}

static void free_host(struct ag_place_host *h)
{
	free(h->name);
	free(h->path);
	ag_inventory_free(h->inv);
}

/* Sort and drop every later file whose name an earlier one took; returns
 * how many were dropped. */
static size_t unique_guests(struct ag_place_inputs *in)
{
	size_t i, o = 0, dropped = 0;

	if (in->n_guests)
		qsort(in->guests, in->n_guests, sizeof(*in->guests), guest_cmp);
	for (i = 0; i < in->n_guests; i++) {
		if (o && strcmp(in->guests[o - 1].name, in->guests[i].name) == 0) {
			char *m = xasprintf("%s: guest name %s is taken by %s",
					    in->guests[i].path, in->guests[i].name,
					    in->guests[o - 1].path);

			refuse("guest", m);
			free(m);
			free_guest(&in->guests[i]);
			dropped++;
			continue;
		}
		in->guests[o++] = in->guests[i];
	}
	in->n_guests = o;
	return dropped;
}

static size_t unique_hosts(struct ag_place_inputs *in)
{
	size_t i, o = 0, dropped = 0;

	if (in->n_hosts)
		qsort(in->hosts, in->n_hosts, sizeof(*in->hosts), host_cmp);
	for (i = 0; i < in->n_hosts; i++) {
		if (o && strcmp(in->hosts[o - 1].name, in->hosts[i].name) == 0) {
			char *m = xasprintf("%s: host %s is also described by %s",
					    in->hosts[i].path, in->hosts[i].name,
					    in->hosts[o - 1].path);

			refuse("host", m);
			free(m);
			free_host(&in->hosts[i]);
			dropped++;
			continue;
		}
		in->hosts[o++] = in->hosts[i];
	}
	in->n_hosts = o;
	return dropped;
}

int ag_place_load_inputs(char **guest_paths, size_t n_guest_paths,
			 char **host_paths, size_t n_host_paths,
			 bool keep_going, struct ag_place_inputs *in,
			 struct ag_error *err)
{
	struct file_list gl = { 0 }, hl = { 0 };
	bool refused = false;
	size_t i;
	int rc = -1;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < n_guest_paths; i++)
		if (expand(guest_paths[i], true, &gl, &refused, err) < 0)
			goto out;
	for (i = 0; i < n_host_paths; i++)
		if (expand(host_paths[i], false, &hl, &refused, err) < 0)
			goto out;
	if (gl.n > AG_PLACE_MAX_GUESTS || hl.n > AG_PLACE_MAX_HOSTS) {
		ag_error_set(err, "%zu guests and %zu hosts: at most %u guests "
			     "and %u hosts per run (--shard splits a fleet)",
			     gl.n, hl.n, AG_PLACE_MAX_GUESTS, AG_PLACE_MAX_HOSTS);
		goto out;
	}
	if ((size_t)gl.n * hl.n > AG_PLACE_MAX_PAIRS) {
		ag_error_set(err, "%zu guests x %zu hosts is more than %u "
			     "pairs per run (--shard splits a fleet)", gl.n,
			     hl.n, AG_PLACE_MAX_PAIRS);
		goto out;
	}
	/* Every file is tried, so that one run names every bad one. */
	for (i = 0; i < gl.n; i++)
		if (load_guest(gl.paths[i], in) < 0)
			in->refused++;
	for (i = 0; i < hl.n; i++)
		if (load_host(hl.paths[i], in) < 0)
			in->refused++;
	in->refused += unique_guests(in) + unique_hosts(in) + (refused ? 1 : 0);
	if (in->refused && !keep_going) {
		ag_error_set(err, "%zu input file%s refused; nothing evaluated "
			     "(--keep-going places the rest)", in->refused,
			     in->refused == 1 ? "" : "s");
		goto out;
	}
	if (!in->n_guests || !in->n_hosts) {
		ag_error_set(err, "no %s to place%s", !in->n_guests ?
			     "guests" : "hosts", in->refused ?
			     " (every one was refused)" : "");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < gl.n; i++)
		free(gl.paths[i]);
	free(gl.paths);
	for (i = 0; i < hl.n; i++)
		free(hl.paths[i]);
	free(hl.paths);
	return rc;
}

void ag_place_inputs_free(struct ag_place_inputs *in)
{
	size_t i;

	for (i = 0; i < in->n_guests; i++)
		free_guest(&in->guests[i]);
	free(in->guests);
	for (i = 0; i < in->n_hosts; i++)
		free_host(&in->hosts[i]);
	free(in->hosts);
	memset(in, 0, sizeof(*in));
}
