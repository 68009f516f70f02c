/* collect.h - live AP descriptors of this host: one vfio-ap mdev as sysfs
 * (through libudev) or its mdevctl definition shows it, with declared
 * master keys merged in.  Reads only the devices the mdev needs.  Also the
 * whole host as an inventory (every device once). */
#ifndef APGATE_COLLECT_H
#define APGATE_COLLECT_H

#include <stdbool.h>
#include <time.h>

#include "descriptor.h"
#include "error.h"
#include "keys.h"
#include "notes.h"
#include "sysfs_collect.h"

enum ag_collect_source {
	AG_COLLECT_AUTO,	/* sysfs when the mdev is active, else mdevctl */
	AG_COLLECT_SYSFS,
	AG_COLLECT_MDEVCTL,
};

struct ag_collect_opts {
	const char *uuid;		/* the mdev */
	enum ag_collect_source source;
	const char *keys_file;		/* declared MKVPs to merge; NULL none */
	const char *host;		/* NULL: this host's name */
	time_t now;			/* collected.at */
	bool insecure;			/* skip the trust checks of keys_file */
	/* this host's labels (apgate.yaml labels) for host_labels; NULL
	 * or empty: none */
	const struct ag_labels *labels;
};

/* Collect one mdev.  Errors say what is missing and how to fix it (no AP
 * bus, no vfio_ap, unknown UUID, mdev defined but not started). */
int ag_collect(const struct ag_collect_opts *o, struct ag_descriptor **out,
	       struct ag_error *err);

/* ag_collect, handing back the warnings and notes of the collection (one
 * line each: matrix vs guest_matrix, absent cards or queues, master keys
 * not visible, mdev defined but not started...); notes may be NULL. */
int ag_collect_notes(const struct ag_collect_opts *o,
		     struct ag_descriptor **out, struct ag_notes *notes,
		     struct ag_error *err);

/* Read mdevctl definitions below dir instead of /etc/mdevctl.d (tests,
 * offline analysis of a copied /etc); NULL restores the default. */
void ag_collect_set_mdevctl_dir(const char *dir);

/* Every vfio_ap mdev of this host: active ones from sysfs, defined ones
 * from mdevctl definitions, sorted by UUID. */
int ag_collect_list(struct ag_mdev_info **list, size_t *n,
		    struct ag_notes *notes, struct ag_error *err);
void ag_collect_list_free(struct ag_mdev_info *list, size_t n);

/* The whole host as an inventory (inventory.h). */
struct ag_inventory;
struct ag_labels;
struct ag_inventory_opts {
	const char *keys_file;		/* declared MKVPs to merge; NULL none */
	bool insecure;			/* skip the trust checks of keys_file */
	const char *host;		/* NULL: this host's name */
	time_t now;			/* collected.at; blocks in force then */
	const char *state_dir;		/* blocks.json's directory; NULL none */
	const struct ag_labels *labels;	/* host_labels; NULL none */
};

/* Every card and queue of the AP bus (read once; each vfio_ap queue with
 * the mdev it is assigned to: active mdevs' matrix first, then mdevctl
 * definitions), every vfio_ap mdev (active and defined), the LPAR masks,
 * the blocks in force and the declared keys merged. */
int ag_collect_inventory(const struct ag_inventory_opts *o,
			 struct ag_inventory **out, struct ag_notes *notes,
			 struct ag_error *err);

/* Inside a guest: the master keys of the queues it sees, as a keys file
 * (origin guest) for `apgate collect --keys` on the host.  host NULL =
 * this system's name. */
int ag_collect_guest(const char *host, time_t now, struct ag_keys **out,
		     struct ag_notes *notes, struct ag_error *err);

#endif
