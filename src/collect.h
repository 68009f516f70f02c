/* collect.h - live AP descriptors of this host: one vfio-ap mdev as sysfs
 * (through libudev) or its mdevctl definition shows it, with declared
 * master keys merged in.  Reads only the devices the mdev needs. */
#ifndef APGATE_COLLECT_H
#define APGATE_COLLECT_H

#include <time.h>

#include "descriptor.h"
#include "error.h"

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
};

/* Collect one mdev.  Errors say what is missing and how to fix it (no AP
 * bus, no vfio_ap, unknown UUID, mdev defined but not started). */
int ag_collect(const struct ag_collect_opts *o, struct ag_descriptor **out,
	       struct ag_error *err);

#endif
