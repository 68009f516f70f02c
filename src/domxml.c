/* domxml.c - reading domain XML and writing apgate's metadata element with
 * libxml2. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "domxml.h"
#include "util.h"

/* libxml2 reports through a global handler; keep the first error of the
 * current parse instead of letting it print to stderr. */
struct xml_errors {
	char msg[512];
	int line;
};

static void collect_error(void *ctx, xmlErrorPtr e)
{
	struct xml_errors *x = ctx;
	size_t n;

	if (x->msg[0] || !e || !e->message)
		return;
	snprintf(x->msg, sizeof(x->msg), "%s", e->message);
	n = strlen(x->msg);
	while (n > 0 && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
		x->msg[--n] = '\0';
	x->line = e->line;
}

static bool is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	       xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static bool attr_is(xmlNode *n, const char *attr, const char *value)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST attr);
	bool eq = v && xmlStrcmp(v, BAD_CAST value) == 0;

	xmlFree(v);
	return eq;
}

static xmlNode *child(xmlNode *parent, const char *name)
{
	xmlNode *c;

	for (c = parent ? parent->children : NULL; c; c = c->next)
		if (is_element(c, name))
			return c;
	return NULL;
}

static int find_hostdev(const char *name, xmlNode *devices,
			struct ag_domxml *out, struct ag_error *err)
{
	xmlNode *h, *found = NULL;
	xmlChar *uuid;
	size_t i;

	for (h = devices ? devices->children : NULL; h; h = h->next) {
		if (!is_element(h, "hostdev") || !attr_is(h, "mode", "subsystem") ||
		    !attr_is(h, "type", "mdev") || !attr_is(h, "model", "vfio-ap"))
			continue;
		/* libvirt allows one; two would make "the" device ambiguous. */
		if (found) {
			ag_error_set(err, "%s:%d: a second vfio-ap hostdev (first at "
				     "line %d); libvirt supports only one", name,
				     h->line, found->line);
			return -1;
		}
		found = h;
	}
	if (!found)
		return 0;
	uuid = xmlGetNoNsProp(child(child(found, "source"), "address"),
			      BAD_CAST "uuid");
	if (!uuid || !ag_uuid_valid((const char *)uuid, true)) {
		ag_error_set(err, "%s:%d: the vfio-ap hostdev has %s; expected "
			     "<source><address uuid='UUID'/></source>", name,
			     found->line, uuid ? "an invalid mdev UUID" :
			     "no mdev UUID");
		xmlFree(uuid);
		return -1;
	}
	for (i = 0; i < AG_UUID_LEN - 1; i++)
		out->uuid[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ?
				      uuid[i] + 32 : uuid[i]);
	out->uuid[AG_UUID_LEN - 1] = '\0';
	xmlFree(uuid);
	out->has_vfio_ap = true;
	return 0;
}

static int find_metadata(const char *name, xmlNode *metadata,
			 struct ag_domxml *out, struct ag_error *err)
{
	xmlNode *m, *found = NULL;
	xmlChar *text;

	for (m = metadata ? metadata->children : NULL; m; m = m->next) {
		if (m->type != XML_ELEMENT_NODE || !m->ns || !m->ns->href ||
		    xmlStrcmp(m->ns->href, BAD_CAST AG_XMLNS_URI) != 0)
			continue;	/* other applications' metadata */
		if (xmlStrcmp(m->name, BAD_CAST "descriptor") != 0) {
			ag_error_set(err, "%s:%d: unexpected <%s> in apgate's "
				     "metadata namespace; expected <descriptor>",
				     name, m->line, (const char *)m->name);
			return -1;
		}
		if (found) {
			ag_error_set(err, "%s:%d: a second apgate descriptor in "
				     "<metadata> (first at line %d)", name,
				     m->line, found->line);
			return -1;
		}
		found = m;
	}
	if (!found)
		return 0;
	text = xmlNodeGetContent(found);
	out->metadata = xstrdup(text ? (const char *)text : "");
	xmlFree(text);
	return 0;
}

int ag_domxml_parse(const char *name, const char *buf, size_t len,
		    struct ag_domxml *out, struct ag_error *err)
{
	struct xml_errors xe = { "", 0 };
	xmlNode *root;
	xmlChar *dname;
	xmlDoc *doc;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > AG_DOMXML_MAX_BYTES) {
		ag_error_set(err, "%s: larger than the limit of %u bytes", name,
			     AG_DOMXML_MAX_BYTES);
		return -1;
	}
	xmlSetStructuredErrorFunc(&xe, collect_error);
	/* No NOENT (entity substitution), no DTDLOAD, no network: external
	 * entities and DTDs are never fetched. */
	doc = xmlReadMemory(buf, (int)len, name, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc) {
		ag_error_set(err, "%s:%d: not well-formed XML: %s", name,
			     xe.line, xe.msg[0] ? xe.msg : "parse error");
		return -1;
	}
	if (doc->intSubset || doc->extSubset) {
		/* libvirt never writes one; entity declarations are the tool
		 * of billion-laughs and external-entity attacks. */
		ag_error_set(err, "%s: a DOCTYPE or entity declaration is not "
			     "allowed in domain XML", name);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !is_element(root, "domain")) {
		ag_error_set(err, "%s: not a libvirt domain definition (root "
			     "element <%s>, expected <domain>)", name,
			     root ? (const char *)root->name : "none");
		goto out;
	}
	dname = xmlNodeGetContent(child(root, "name"));
	if (dname && *dname)
		out->name = xstrdup((const char *)dname);
	xmlFree(dname);
	if (find_hostdev(name, child(root, "devices"), out, err) < 0 ||
	    find_metadata(name, child(root, "metadata"), out, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		ag_domxml_free(out);
	xmlFreeDoc(doc);
	return rc;
}

void ag_domxml_free(struct ag_domxml *dx)
{
	free(dx->name);
	free(dx->metadata);
	memset(dx, 0, sizeof(*dx));
}

int ag_domxml_descriptor(const struct ag_domxml *dx, const char *name,
			 struct ag_descriptor **out, struct ag_error *err)
{
	char *where = xasprintf("%s <metadata>", name);
	int rc;

	rc = ag_descriptor_load_buffer(where, dx->metadata,
				       strlen(dx->metadata), out, err);
	free(where);
	return rc;
}

char *ag_domxml_metadata_element(const struct ag_descriptor *d,
				 struct ag_error *err)
{
	xmlBuffer *xbuf;
	xmlNode *node;
	xmlDoc *doc;
	char *yaml = NULL, *res;
	size_t ylen = 0;
	FILE *f;

	f = open_memstream(&yaml, &ylen);
	if (!f) {
		ag_error_set(err, "cannot allocate the descriptor text");
		return NULL;
	}
	if (ag_descriptor_emit_yaml(d, f, err) < 0) {
		fclose(f);
		free(yaml);
		return NULL;
	}
	fclose(f);

	/* No prefix of its own: virsh --set puts it into --uri with --key as
	 * prefix and refuses an element that declares that prefix itself. */
	doc = xmlNewDoc(BAD_CAST "1.0");
	node = xmlNewDocNode(doc, NULL, BAD_CAST "descriptor", NULL);
	xmlDocSetRootElement(doc, node);
	xmlSetNs(node, xmlNewNs(node, BAD_CAST AG_XMLNS_URI, NULL));
	xmlNewProp(node, BAD_CAST "format", BAD_CAST "yaml");
	/* A leading newline keeps the YAML readable in `virsh dumpxml`. */
	xmlNodeAddContent(node, BAD_CAST "\n");
	xmlNodeAddContent(node, BAD_CAST yaml);
	free(yaml);
	xbuf = xmlBufferCreate();
	xmlNodeDump(xbuf, doc, node, 0, 0);
	res = xstrdup((const char *)xmlBufferContent(xbuf));
	xmlBufferFree(xbuf);
	xmlFreeDoc(doc);
	return res;
}
