/* statefile.c - locked, atomically replaced JSON state documents. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"
#include "util.h"

int ag_state_lock(const char *state_dir, const char *name,
		  struct ag_error *err)
{
	char *path;
	int fd;

	if (mkdir(state_dir, 0755) < 0 && errno != EEXIST) {
		ag_error_set(err, "%s: cannot create: %s", state_dir,
			     strerror(errno));
		return -1;
	}
	path = xasprintf("%s/%s.lock", state_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		ag_error_set(err, "%s: cannot lock: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

int ag_state_read(const char *path, size_t max, bool trust,
		  enum ag_trust_kind kind, bool insecure, json_object **out,
		  struct ag_error *err)
{
	struct json_tokener *tok;
	json_object *root;
	size_t len;
	char *buf;
	int rc;

	*out = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	rc = trust ? ag_trust_read_file(path, kind, insecure, max, &buf, &len,
					err) :
		     ag_read_file(path, max, &buf, &len, err);
	if (rc < 0)
		return -1;
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		ag_error_set(err, "%s: not valid JSON: %s", path,
			     json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	*out = root;
	return root ? 0 : -1;
}

int ag_state_write(const char *path, json_object *root, struct ag_error *err)
{
	const char *text = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE);

	return ag_write_file_atomic(path, text, strlen(text), err);
}
