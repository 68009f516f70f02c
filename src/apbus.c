/* apbus.c - AP bus masks and the protected-guest flag as plain files (see
 * apbus.h).  The kernel formats are the contract: a mask is "0x" + 64
 * hex digits (ap_bus.c), prot_virt_guest is "%d".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "apbus.h"
#include "apmatrix.h"

/* Read a small sysfs text file into buf without its trailing newline.
 * Returns 1 when the file does not exist, -1 on other errors. */
static int read_small(const char *path, char *buf, size_t size,
		      struct ag_error *err)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		ag_error_set(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	/* an attribute is one line; anything longer is not one */
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ag_error_set(err, "%s: cannot read: %s", path,
				     strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len + 1 >= size) {
		ag_error_set(err, "%s: longer than %zu bytes, not an AP "
			     "attribute", path, size - 2);
		return -1;
	}
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (strlen(buf) != len) {
		ag_error_set(err, "%s: contains a NUL byte", path);
		return -1;
	}
	return 0;
}

int ag_apbus_read_lpar(struct ag_descriptor *d, struct ag_notes *notes,
		       struct ag_error *err)
{
	static const char *const names[3] = {
		"ap_adapter_mask", "ap_usage_domain_mask",
		"ap_control_domain_mask",
	};
	struct ag_idset *sets[3] = {
		&d->lpar.adapters, &d->lpar.usage_domains,
		&d->lpar.control_domains,
	};
	char path[64], buf[96];
	int i, rc;

	d->lpar.present = false;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", AG_SYSFS_AP_BUS,
			 names[i]);
		rc = read_small(path, buf, sizeof(buf), err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 0;	/* kernel without QCI masks */
		if (strcmp(buf, "not supported") == 0) {
			ag_notes_add(notes, "note: %s says \"not supported\" "
				     "(no QCI): the LPAR's AP configuration is "
				     "unknown", path);
			return 0;
		}
		if (ag_apmask_parse(buf, strlen(buf), false, sets[i],
				    err) < 0) {
			ag_error_prefix(err, "%s", path);
			return -1;
		}
	}
	d->lpar.present = true;
	return 0;
}

int ag_apbus_read_pv_guest(enum ag_tri *out, struct ag_error *err)
{
	char buf[16];
	int rc = read_small(AG_SYSFS_PV_GUEST, buf, sizeof(buf), err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (strcmp(buf, "0") == 0)
		*out = AG_TRI_FALSE;
	else if (strcmp(buf, "1") == 0)
		*out = AG_TRI_TRUE;
	else {
		ag_error_set(err, "%s: expected 0 or 1, found \"%.8s\"",
			     AG_SYSFS_PV_GUEST, buf);
		return -1;
	}
	return 0;
}
