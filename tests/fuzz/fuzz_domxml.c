/* fuzz_domxml - libvirt domain XML and the descriptor in its metadata.
 *
 * Uses domxml.h only (the XML library behind it may change).  A descriptor
 * that loads from the metadata is wrapped again with
 * ag_domxml_metadata_element() into a domain and must come back
 * canonical-equal: that is the path `apgate export` -> virsh -> hook.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "domxml.h"
#include "fuzz.h"
#include "util.h"

static void round_trip(const struct ag_descriptor *d)
{
	struct ag_domxml dx = { 0 };
	struct ag_descriptor *d2 = NULL;
	struct ag_error err;
	char *elem, *doc, *c1, *c2;

	elem = ag_domxml_metadata_element(d, &err);
	FUZZ_ASSERT(elem, "cannot export a loaded descriptor: %s", err.msg);
	doc = xasprintf("<domain type='kvm'><name>g</name><metadata>%s"
			"</metadata><devices><hostdev mode='subsystem' "
			"type='mdev' model='vfio-ap'><source><address "
			"uuid='%s'/></source></hostdev></devices></domain>",
			elem, d->mdev.uuid);
	if (ag_domxml_parse("exported", doc, strlen(doc), &dx, &err) < 0)
		FUZZ_FAIL("exported metadata does not parse: %s\n%s", err.msg,
			  doc);
	FUZZ_ASSERT(dx.metadata, "exported metadata not found\n%s", doc);
	if (ag_domxml_descriptor(&dx, "exported", &d2, &err) < 0)
		FUZZ_FAIL("exported descriptor does not load: %s\n%s", err.msg,
			  doc);
	c1 = ag_descriptor_canonical(d);
	c2 = ag_descriptor_canonical(d2);
	FUZZ_ASSERT(strcmp(c1, c2) == 0, "metadata round trip changed the "
		    "descriptor\n--- before:\n%s\n--- after:\n%s", c1, c2);
	free(c1);
	free(c2);
	ag_descriptor_free(d2);
	ag_domxml_free(&dx);
	free(doc);
	free(elem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_domxml dx = { 0 };
	struct ag_descriptor *d = NULL;
	struct ag_error err;

	if (ag_domxml_parse("fuzz.xml", (const char *)data, size, &dx,
			    &err) < 0) {
		ag_domxml_free(&dx);
		return 0;
	}
	if (dx.has_vfio_ap)
		FUZZ_ASSERT(ag_uuid_valid(dx.uuid, false),
			    "hostdev UUID \"%s\" not canonical", dx.uuid);
	if (dx.metadata &&
	    ag_domxml_descriptor(&dx, "fuzz.xml", &d, &err) == 0) {
		round_trip(d);
		ag_descriptor_free(d);
	}
	ag_domxml_free(&dx);
	return 0;
}
