/* sysfs_collect.h - the libudev side of collection: the vfio_ap matrix
 * device and its mdevs, and the cards and queues behind an assignment.
 * Reads only the devices asked for, by name (no enumeration of the AP
 * bus on a host, except for a whole-host inventory), and never writes to
 * sysfs.
 */
#ifndef APGATE_SYSFS_COLLECT_H
#define APGATE_SYSFS_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "descriptor.h"
#include "error.h"
#include "keys.h"
#include "notes.h"

struct udev;

#define AG_SYSFS_AP_ROOT "/sys/devices/ap"
#define AG_SYSFS_MATRIX "/sys/devices/vfio_ap/matrix"

bool ag_sysfs_has_ap_bus(struct udev *u);

/* Card attribute values as libudev returns them (no newline); 0 or -1.
 * `type`/`hwtype`/`raw_hwtype`: "%d", 0..255.  `ap_functions`: "0x%08X"
 * (upper-case hex, 8 digits). */
int ag_sysfs_parse_type(const char *v, int *out);
int ag_sysfs_parse_functions(const char *v, uint32_t *out);

bool ag_sysfs_has_matrix(struct udev *u);

/* The active mdev uuid: type, state active, assignment from `matrix`,
 * `control_domains`; `guest_matrix` and `ap_config` are compared with it
 * (differences are warnings).  Returns 1 when the mdev is not active. */
int ag_sysfs_read_mdev(struct udev *u, const char *uuid,
		       struct ag_descriptor *d, struct ag_notes *notes,
		       struct ag_error *err);

/* Cards of d->mdev.adapters and queues of adapters x domains. */
int ag_sysfs_read_devices(struct udev *u, struct ag_descriptor *d,
			  struct ag_notes *notes, struct ag_error *err);

/* Every card and queue of the AP bus (one enumeration, each device read
 * once): for host inventories. */
int ag_sysfs_read_bus(struct udev *u, struct ag_descriptor *d,
		      struct ag_notes *notes, struct ag_error *err);

/* Active mdevs of the matrix device with their assignment. */
struct ag_mdev_info {
	char uuid[AG_UUID_LEN];
	char *type;			/* NULL unset */
	bool active, defined;
	char *start;			/* mdevctl start mode; NULL */
	struct ag_idset adapters, domains, control_domains;
};

int ag_sysfs_list_mdevs(struct udev *u, struct ag_mdev_info **list,
			size_t *n, struct ag_notes *notes,
			struct ag_error *err);

/* Inside a guest: the master keys of every queue bound to cex4queue that
 * shows mkvps, as entries of k (origin guest). */
int ag_sysfs_guest_keys(struct udev *u, struct ag_keys *k,
			struct ag_notes *notes, struct ag_error *err);

#endif
