/* domxml.h - libvirt domain XML as apgate needs it: the guest's one vfio-ap
 * hostdev and the source descriptor carried in the domain <metadata>.
 *
 * The XML comes from libvirt (hook stdin) or an administrator (files), may
 * hold secrets and is untrusted: it is parsed with expat in one streaming
 * pass that never loads anything external, documents with a DOCTYPE (the
 * vehicle of entity declarations) are refused as soon as it appears, and
 * nothing of it is ever logged whole.
 */
#ifndef APGATE_DOMXML_H
#define APGATE_DOMXML_H

#include <stdbool.h>
#include <stddef.h>

#include "descriptor.h"
#include "error.h"

/* apgate's metadata namespace; the element is <descriptor> in it and holds
 * the descriptor as YAML text.  Matched by URI, never by prefix. */
#define AG_XMLNS_URI "https://github.com/apgate/apgate/xmlns/descriptor/1"
#define AG_XMLNS_KEY "apgate"
/* Domain XML larger than this is not a domain definition. */
#define AG_DOMXML_MAX_BYTES (8u * 1024 * 1024)

struct ag_domxml {
	char *name;			/* the domain's <name>, NULL if none */
	bool has_vfio_ap;		/* a vfio-ap mdev hostdev is present */
	char uuid[AG_UUID_LEN];		/* its mdev UUID (lowercase) */
	char *metadata;			/* apgate <descriptor> text, or NULL */
	bool secure_execution;		/* <launchSecurity type='s390-pv'/> */
};

/* Parse a domain XML document; name is used in messages. */
int ag_domxml_parse(const char *name, const char *buf, size_t len,
		    struct ag_domxml *out, struct ag_error *err);
void ag_domxml_free(struct ag_domxml *dx);

/* Load the descriptor carried in the metadata (dx->metadata must be set);
 * messages read "NAME <metadata>:LINE:COL: ...".  A Secure Execution
 * domain (launchSecurity s390-pv) sets guest.secure_execution. */
int ag_domxml_descriptor(const struct ag_domxml *dx, const char *name,
			 struct ag_descriptor **out, struct ag_error *err);

/* A domain XML file ("-" = stdin) as a migration source: the descriptor
 * in its apgate metadata; *uuid (may be NULL) gets the guest's vfio-ap
 * mdev, *name (may be NULL) the domain's name (NULL when it has none;
 * caller frees).  A domain without a vfio-ap hostdev or without apgate
 * metadata is an error naming the file. */
int ag_domxml_load_source(const char *path, struct ag_descriptor **out,
			  char uuid[AG_UUID_LEN], char **name,
			  struct ag_error *err);

/* The <descriptor xmlns="AG_XMLNS_URI"> element holding d as YAML, ready
 * for `virsh metadata --uri AG_XMLNS_URI --key apgate --set`.  Caller
 * frees. */
char *ag_domxml_metadata_element(const struct ag_descriptor *d,
				 struct ag_error *err);

#endif
