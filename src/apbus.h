/* apbus.h - the AP facts that are not devices: the AP bus attributes
 * /sys/bus/ap/ap_{adapter,usage_domain,control_domain}_mask (the LPAR's AP
 * configuration from QCI, DOMAIN.md 2.3) and, inside a guest,
 * /sys/firmware/uv/prot_virt_guest.  libudev has no view of bus
 * attributes, so they are read as plain files, once, never written.
 */
#ifndef APGATE_APBUS_H
#define APGATE_APBUS_H

#include "descriptor.h"
#include "error.h"
#include "notes.h"

#define AG_SYSFS_AP_BUS "/sys/bus/ap"
#define AG_SYSFS_PV_GUEST "/sys/firmware/uv/prot_virt_guest"

/* Fill d->lpar from the three bus masks.  Absent attributes (older
 * kernels) leave it unset silently; "not supported" (no QCI) leaves it
 * unset with a note; anything else that does not parse is an error naming
 * the file. */
int ag_apbus_read_lpar(struct ag_descriptor *d, struct ag_notes *notes,
		       struct ag_error *err);

/* prot_virt_guest: "1" a Secure Execution guest, "0" not; absent leaves
 * *out unset.  Other text is an error naming the file. */
int ag_apbus_read_pv_guest(enum ag_tri *out, struct ag_error *err);

#endif
