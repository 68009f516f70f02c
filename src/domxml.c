/* domxml.c - reading domain XML with expat (one streaming pass, nothing
 * kept but the few facts apgate needs) and writing apgate's metadata
 * element as escaped text. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "domxml.h"
#include "util.h"
#include "xmlout.h"

/* Expat reports a namespaced name as "URI<NS_SEP>local".  A local name
 * never holds a newline, so the last separator splits unambiguously even
 * when a hostile URI holds one. */
#define NS_SEP '\n'

/* Belt and braces: a DOCTYPE is refused before any entity is declared,
 * but should that ever change, expat's own amplification guard stays
 * tight (libvirt's XML expands nothing). */
#define MAX_AMPLIFICATION 4.0f
#define AMPLIFICATION_THRESHOLD (1024ull * 1024)

struct text {
	char *s;
	size_t len, cap;
};

/* Where the parse is: the elements apgate reads are identified by their
 * depth (root = 1) and by being the first of their name under their
 * parent, which is what a tree walk taking the first match would see. */
struct px {
	XML_Parser p;
	bool doctype;			/* a DOCTYPE or entity declaration */
	unsigned depth;
	bool root_domain;		/* root is a no-namespace <domain> */
	char *root_name;		/* local name of the root, for messages */
	/* first <name> under the root */
	bool name_seen, in_name;
	struct text name;
	/* first <devices> under the root, its vfio-ap hostdevs */
	bool devices_seen, in_devices;
	bool hostdev, in_hostdev;	/* first vfio-ap hostdev */
	unsigned long hostdev_line, second_line;
	bool source_seen, in_source, address_seen;
	char *uuid;			/* of the first source's first address */
	/* first <metadata> under the root, apgate's <descriptor> in it */
	bool metadata_seen, in_metadata;
	bool descriptor, in_descriptor;
	unsigned descriptor_depth;
	unsigned long descriptor_line;
	struct text meta;
	char *meta_err;			/* first problem in <metadata> */
	bool pv;			/* <launchSecurity type='s390-pv'/> */
};

static void text_add(struct text *t, const char *s, size_t n)
{
	t->s = xgrow(t->s, &t->cap, t->len + n + 1, 1);
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* The local name when el is in namespace uri (NULL: in no namespace),
 * else NULL. */
static const char *local_in(const char *el, const char *uri)
{
	const char *sep = strrchr(el, NS_SEP);

	if (!uri)
		return sep ? NULL : el;
	if (!sep || (size_t)(sep - el) != strlen(uri) ||
	    strncmp(el, uri, (size_t)(sep - el)) != 0)
		return NULL;
	return sep + 1;
}

static bool is(const char *el, const char *name)
{
	return strcmp(el, name) == 0;	/* no namespace: no separator */
}

/* A no-namespace attribute (prefixed ones carry the separator). */
static const char *attr(const char **atts, const char *name)
{
	for (; atts[0]; atts += 2)
		if (strcmp(atts[0], name) == 0)
			return atts[1];
	return NULL;
}

static bool attr_is(const char **atts, const char *name, const char *value)
{
	const char *v = attr(atts, name);

	return v && strcmp(v, value) == 0;
}

static void start_hostdev(struct px *x, const char **atts, unsigned long line)
{
	if (!attr_is(atts, "mode", "subsystem") || !attr_is(atts, "type", "mdev") ||
	    !attr_is(atts, "model", "vfio-ap"))
		return;
	if (x->hostdev) {
		if (!x->second_line)
			x->second_line = line;
		return;
	}
	x->hostdev = x->in_hostdev = true;
	x->hostdev_line = line;
}

static void start_metadata_child(struct px *x, const char *el,
				 const char *name, unsigned long line)
{
	const char *local = local_in(el, AG_XMLNS_URI);

	if (!local || x->meta_err)
		return;		/* other applications' metadata */
	if (strcmp(local, "descriptor") != 0)
		x->meta_err = xasprintf("%s:%lu: unexpected <%s> in apgate's "
					"metadata namespace; expected "
					"<descriptor>", name, line, local);
	else if (x->descriptor)
		x->meta_err = xasprintf("%s:%lu: a second apgate descriptor in "
					"<metadata> (first at line %lu)", name,
					line, x->descriptor_line);
	else {
		x->descriptor = x->in_descriptor = true;
		x->descriptor_depth = x->depth;
		x->descriptor_line = line;
		text_add(&x->meta, "", 0);
	}
}

struct px_user {
	struct px *x;
	const char *name;
};

static void XMLCALL on_start(void *ud, const char *el, const char **atts)
{
	struct px_user *u = ud;
	struct px *x = u->x;
	unsigned long line = XML_GetCurrentLineNumber(x->p);
	const char *sep;

	x->depth++;
	if (x->depth == 1) {
		sep = strrchr(el, NS_SEP);
		x->root_name = xstrdup(sep ? sep + 1 : el);
		x->root_domain = is(el, "domain");
		return;
	}
	if (!x->root_domain)
		return;
	switch (x->depth) {
	case 2:
		if (is(el, "name") && !x->name_seen) {
			x->name_seen = x->in_name = true;
			text_add(&x->name, "", 0);
		} else if (is(el, "devices") && !x->devices_seen) {
			x->devices_seen = x->in_devices = true;
		} else if (is(el, "metadata") && !x->metadata_seen) {
			x->metadata_seen = x->in_metadata = true;
		} else if (is(el, "launchSecurity")) {
			/* a Secure Execution guest: not migratable */
			const char *v = attr(atts, "type");

			x->pv = x->pv || (v && strcmp(v, "s390-pv") == 0);
		}
		break;
	case 3:
		if (x->in_devices && is(el, "hostdev"))
			start_hostdev(x, atts, line);
		else if (x->in_metadata)
			start_metadata_child(x, el, u->name, line);
		break;
	case 4:
		if (x->in_hostdev && is(el, "source") && !x->source_seen)
			x->source_seen = x->in_source = true;
		break;
	case 5:
		if (x->in_source && is(el, "address") && !x->address_seen) {
			const char *v = attr(atts, "uuid");

			x->address_seen = true;
			x->uuid = v ? xstrdup(v) : NULL;
		}
		break;
	default:
		break;
	}
}

static void XMLCALL on_end(void *ud, const char *el)
{
	struct px *x = ((struct px_user *)ud)->x;

	switch (x->depth) {
	case 2:
		x->in_name = x->in_devices = x->in_metadata = false;
		break;
	case 3:
		x->in_hostdev = false;
		break;
	case 4:
		x->in_source = false;
		break;
	default:
		break;
	}
	if (x->in_descriptor && x->depth == x->descriptor_depth)
		x->in_descriptor = false;
	x->depth--;
}

static void XMLCALL on_text(void *ud, const char *s, int len)
{
	struct px *x = ((struct px_user *)ud)->x;

	if (x->in_name)
		text_add(&x->name, s, (size_t)len);
	else if (x->in_descriptor)
		text_add(&x->meta, s, (size_t)len);
}

/* libvirt never writes a DOCTYPE; entity declarations are the tool of
 * billion-laughs and external-entity attacks.  Stop at the first sign. */
static void XMLCALL on_doctype(void *ud, const char *n, const char *sys,
			       const char *pub, int has_internal)
{
	struct px *x = ((struct px_user *)ud)->x;

	x->doctype = true;
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_entity(void *ud, const char *n, int pe, const char *v,
			      int vlen, const char *base, const char *sys,
			      const char *pub, const char *notation)
{
	struct px *x = ((struct px_user *)ud)->x;

	x->doctype = true;
	XML_StopParser(x->p, XML_FALSE);
}

/* The facts, checked in the order a reader of the whole tree would. */
static int conclude(const char *name, struct px *x, struct ag_domxml *out,
		    struct ag_error *err)
{
	size_t i;

	if (!x->root_domain) {
		ag_error_set(err, "%s: not a libvirt domain definition (root "
			     "element <%s>, expected <domain>)", name,
			     x->root_name ? x->root_name : "none");
		return -1;
	}
	if (x->name.s && *x->name.s) {
		out->name = x->name.s;
		x->name.s = NULL;
	}
	if (x->second_line) {
		/* libvirt allows one; two would make "the" device ambiguous. */
		ag_error_set(err, "%s:%lu: a second vfio-ap hostdev (first at "
			     "line %lu); libvirt supports only one", name,
			     x->second_line, x->hostdev_line);
		return -1;
	}
	if (x->hostdev) {
		if (!x->uuid || !ag_uuid_valid(x->uuid, true)) {
			ag_error_set(err, "%s:%lu: the vfio-ap hostdev has %s; "
				     "expected <source><address uuid='UUID'/>"
				     "</source>", name, x->hostdev_line,
				     x->uuid ? "an invalid mdev UUID" :
				     "no mdev UUID");
			return -1;
		}
		for (i = 0; i < AG_UUID_LEN - 1; i++)
			out->uuid[i] = (char)(x->uuid[i] >= 'A' &&
					      x->uuid[i] <= 'F' ?
					      x->uuid[i] + 32 : x->uuid[i]);
		out->uuid[AG_UUID_LEN - 1] = '\0';
		out->has_vfio_ap = true;
	}
	if (x->meta_err) {
		ag_error_set(err, "%s", x->meta_err);
		return -1;
	}
	if (x->descriptor) {
		out->metadata = x->meta.s;
		x->meta.s = NULL;
	}
	out->secure_execution = x->pv;
	return 0;
}

static XML_Parser new_parser(struct px_user *u)
{
	XML_Parser p = XML_ParserCreateNS(NULL, NS_SEP);

	if (!p)
		return NULL;
	XML_SetUserData(p, u);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	/* No external entity handler: expat then never loads one. */
#ifdef XML_DTD
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, MAX_AMPLIFICATION);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(p, AMPLIFICATION_THRESHOLD);
#endif
#endif
	return p;
}

int ag_domxml_parse(const char *name, const char *buf, size_t len,
		    struct ag_domxml *out, struct ag_error *err)
{
	struct px x;
	struct px_user u = { &x, name };
	enum XML_Status st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	if (len > AG_DOMXML_MAX_BYTES) {
		ag_error_set(err, "%s: larger than the limit of %u bytes", name,
			     AG_DOMXML_MAX_BYTES);
		return -1;
	}
	x.p = new_parser(&u);
	if (!x.p) {
		ag_error_set(err, "%s: cannot allocate an XML parser", name);
		return -1;
	}
	st = XML_Parse(x.p, buf, (int)len, XML_TRUE);
	if (x.doctype) {
		ag_error_set(err, "%s: a DOCTYPE or entity declaration is not "
			     "allowed in domain XML", name);
	} else if (st != XML_STATUS_OK) {
		ag_error_set(err, "%s:%lu: not well-formed XML: %s", name,
			     XML_GetCurrentLineNumber(x.p),
			     XML_ErrorString(XML_GetErrorCode(x.p)));
	} else {
		rc = conclude(name, &x, out, err);
	}
	if (rc < 0)
		ag_domxml_free(out);
	XML_ParserFree(x.p);
	free(x.root_name);
	free(x.name.s);
	free(x.uuid);
	free(x.meta.s);
	free(x.meta_err);
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
	/* the domain XML, not the source's claim, says the guest is
	 * protected; it can only add that fact, never take it away */
	if (rc == 0 && dx->secure_execution)
		(*out)->guest.secure_execution = AG_TRI_TRUE;
	return rc;
}

char *ag_domxml_metadata_element(const struct ag_descriptor *d,
				 struct ag_error *err)
{
	char *yaml = NULL, *res = NULL;
	size_t ylen = 0, rlen = 0;
	FILE *f;
	int rc;

	f = open_memstream(&yaml, &ylen);
	if (!f) {
		ag_error_set(err, "cannot allocate the descriptor text");
		return NULL;
	}
	rc = ag_descriptor_emit_yaml(d, f, err);
	fclose(f);
	if (rc < 0) {
		free(yaml);
		return NULL;
	}
	f = open_memstream(&res, &rlen);
	if (!f) {
		free(yaml);
		ag_error_set(err, "cannot allocate the metadata element");
		return NULL;
	}
	/* No prefix of its own: virsh --set puts it into --uri with --key as
	 * prefix and refuses an element that declares that prefix itself.  A
	 * leading newline keeps the YAML readable in `virsh dumpxml`. */
	fputs("<descriptor xmlns=\"" AG_XMLNS_URI "\" format=\"yaml\">\n", f);
	rc = ag_xml_put_text(f, yaml, "the descriptor", err);
	fputs("</descriptor>", f);
	fclose(f);
	free(yaml);
	if (rc < 0) {
		free(res);
		return NULL;
	}
	return res;
}

int ag_domxml_load_source(const char *path, struct ag_descriptor **out,
			  char uuid[AG_UUID_LEN], char **name,
			  struct ag_error *err)
{
	struct ag_domxml dx;
	size_t len;
	char *buf;
	int rc;

	*out = NULL;
	if (name)
		*name = NULL;
	if (ag_read_input(path, AG_DOMXML_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	rc = ag_domxml_parse(path, buf, len, &dx, err);
	free(buf);
	if (rc < 0)
		return -1;
	rc = -1;
	if (!dx.has_vfio_ap)
		ag_error_set(err, "%s: the guest has no vfio-ap hostdev", path);
	else if (!dx.metadata)
		ag_error_set(err, "%s: no apgate descriptor in <metadata> (see "
			     "apgate export --help)", path);
	else
		rc = ag_domxml_descriptor(&dx, path, out, err);
	if (rc == 0) {
		if (uuid)
			memcpy(uuid, dx.uuid, AG_UUID_LEN);
		if (name && dx.name)
			*name = xstrdup(dx.name);
	}
	ag_domxml_free(&dx);
	return rc;
}
