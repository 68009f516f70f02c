/* keys.c - master-key files (see keys.h): the strict loader (yamltree,
 * "FILE:LINE:COL: path: what was expected"), the merge into a collected
 * descriptor, and the YAML/JSON writers used by `apgate collect --guest`.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "keys.h"
#include "yamlemit.h"
#include "trust.h"
#include "timeutil.h"
#include "util.h"
#include "yamltree.h"

/* --- loading --- */

struct kload {
	const char *name;
	struct ag_error *err;
};

static int kfail(struct kload *ld, const struct ag_ynode *n, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

static int kfail(struct kload *ld, const struct ag_ynode *n, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	ag_vyerror(ld->err, ld->name, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int kexpected(struct kload *ld, const struct ag_ynode *n,
		     const char *path, const char *what)
{
	char found[256];

	return kfail(ld, n, "%s: expected %s, found %s", path, what,
		     ag_ynode_describe(n, found, sizeof(found)));
}

static int want_map(struct kload *ld, const struct ag_ynode *n,
		    const char *path, const char *const *allowed)
{
	size_t i, j;

	if (n->kind != AG_YMAP)
		return kexpected(ld, n, path, "a mapping");
	for (i = 0; i < n->n; i++) {
		const struct ag_ynode *k = n->keys[i];
		char list[200] = "";
		bool ok = false;

		for (j = 0; allowed[j]; j++) {
			size_t used = strlen(list);

			if (strcmp(k->value, allowed[j]) == 0 &&
			    strlen(k->value) == k->len)
				ok = true;
			snprintf(list + used, sizeof(list) - used, "%s%s",
				 j ? ", " : "", allowed[j]);
		}
		if (!ok)
			return kfail(ld, k, "unknown key \"%.*s\" in %s "
				     "(allowed: %s)", (int)(k->len > 40 ? 40 :
				     k->len), k->value, path, list);
	}
	return 0;
}

static int get_str(struct kload *ld, const struct ag_ynode *n,
		   const char *path, const char *what, const char **out)
{
	if (n->kind != AG_YSCALAR || ag_yscalar_type(n) != AG_YT_STR ||
	    strlen(n->value) != n->len)
		return kexpected(ld, n, path, what);
	*out = n->value;
	return 0;
}

static bool hex_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

static int load_register(struct kload *ld, const struct ag_ynode *n,
			 const char *path, enum ag_key_type kt,
			 enum ag_mk_reg r, struct ag_mk_register *reg)
{
	static const char *const keys[] = { "state", "mkvp", NULL };
	unsigned digits = ag_key_type_hex_digits(kt);
	const struct ag_ynode *v, *p;
	char fpath[128], what[160], allowed[96];
	const char *s;
	size_t i;

	if (want_map(ld, n, path, keys) < 0)
		return -1;
	v = ag_ymap_get(n, "state");
	if (!v)
		return kfail(ld, n, "%s: missing required key \"state\"",
			     path);
	ag_mk_states_allowed_text(kt, r, allowed, sizeof(allowed));
	snprintf(fpath, sizeof(fpath), "%.120s.state", path);
	snprintf(what, sizeof(what), "one of %s", allowed);
	if (get_str(ld, v, fpath, what, &s) < 0)
		return -1;
	if (ag_mk_state_parse(s, &reg->state) < 0 ||
	    !ag_mk_state_allowed(kt, r, reg->state))
		return kexpected(ld, v, fpath, what);
	p = ag_ymap_get(n, "mkvp");
	snprintf(fpath, sizeof(fpath), "%.120s.mkvp", path);
	if (!ag_mk_state_has_pattern(reg->state)) {
		if (p)
			return kfail(ld, p, "%s: not allowed with state %s, "
				     "which carries no pattern", fpath, s);
		return 0;
	}
	if (!p)
		return kfail(ld, n, "%s: missing required key \"mkvp\" (state "
			     "%s carries a pattern)", path, s);
	/* zkey and opencryptoki print EP11 patterns with 32 digits */
	if (kt == AG_KT_WK)
		snprintf(what, sizeof(what), "a string \"0x\" + 64 or 32 hex "
			 "digits");
	else
		snprintf(what, sizeof(what), "a string \"0x\" + %u hex "
			 "digits", digits);
	if (get_str(ld, p, fpath, what, &s) < 0)
		return -1;
	if (strlen(s) < 2 || !ag_key_type_digits_ok(kt, strlen(s) - 2) ||
	    s[0] != '0' || s[1] != 'x' || !hex_ok(s + 2, strlen(s) - 2))
		return kexpected(ld, p, fpath, what);
	for (i = 0; i < strlen(s); i++)
		reg->mkvp[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ?
				      s[i] - 'A' + 'a' : s[i]);
	reg->mkvp[i] = '\0';
	return 0;
}

static int load_entry(struct kload *ld, const struct ag_ynode *n, size_t idx,
		      struct ag_keys *k)
{
	static const char *const keys[] = {
		"apqn", "domain", "aes", "apka", "asym", "sym", "wk", NULL,
	};
	const struct ag_ynode *a = NULL, *dn = NULL;
	struct ag_keys_entry *e;
	char path[64], kpath[96], rpath[128];
	unsigned ad = 0, dom = 0;
	bool cca = false, wk = false;
	int kt;

	snprintf(path, sizeof(path), "keys[%zu]", idx);
	if (want_map(ld, n, path, keys) < 0)
		return -1;
	a = ag_ymap_get(n, "apqn");
	dn = ag_ymap_get(n, "domain");
	if ((a != NULL) == (dn != NULL))
		return kfail(ld, n, "%s: expected exactly one of \"apqn\" "
			     "and \"domain\"", path);
	if (a) {
		const char *s;

		snprintf(kpath, sizeof(kpath), "%s.apqn", path);
		if (get_str(ld, a, kpath, "an APQN string like \"05.0004\"",
			    &s) < 0)
			return -1;
		if (ag_apqn_parse(s, &ad, &dom) < 0)
			return kexpected(ld, a, kpath,
					 "an APQN string like \"05.0004\"");
	} else {
		int64_t v;

		snprintf(kpath, sizeof(kpath), "%s.domain", path);
		if (dn->kind != AG_YSCALAR || ag_yint(dn, &v) < 0 || v < 0 ||
		    v > AG_MAX_ID)
			return kexpected(ld, dn, kpath,
					 "a domain 0..255 (decimal or 0x hex)");
		dom = (unsigned)v;
	}
	for (kt = 0; kt < AG_KT_COUNT; kt++)
		if (ag_ymap_get(n, ag_key_type_name(kt)))
			*(kt == AG_KT_WK ? &wk : &cca) = true;
	if (wk && cca)
		return kfail(ld, ag_ymap_get(n, "wk"), "%s: wk (EP11) cannot "
			     "be combined with CCA key types (aes, apka, "
			     "asym, sym)", path);
	if (!wk && !cca)
		return kfail(ld, n, "%s: expected at least one key type (aes, "
			     "apka, asym, sym or wk)", path);

	e = ag_keys_add(k, a != NULL, ad, dom);
	e->line = n->line;
	e->col = n->col;
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		static const char *const cca_regs[] = {
			"new", "cur", "old", NULL,
		};
		static const char *const wk_regs[] = { "cur", "new", NULL };
		const char *const *regs = kt == AG_KT_WK ? wk_regs : cca_regs;
		const struct ag_ynode *t = ag_ymap_get(n, ag_key_type_name(kt));
		size_t i;

		if (!t)
			continue;
		snprintf(kpath, sizeof(kpath), "%s.%s", path,
			 ag_key_type_name(kt));
		if (want_map(ld, t, kpath, regs) < 0)
			return -1;
		if (t->n == 0)
			return kfail(ld, t, "%s: expected at least one "
				     "register (%s)", kpath, kt == AG_KT_WK ?
				     "cur, new" : "new, cur, old");
		for (i = 0; regs[i]; i++) {
			const struct ag_ynode *r = ag_ymap_get(t, regs[i]);
			enum ag_mk_reg reg;

			if (!r)
				continue;
			ag_mk_reg_parse(regs[i], &reg);
			snprintf(rpath, sizeof(rpath), "%s.%s", kpath,
				 regs[i]);
			if (load_register(ld, r, rpath, kt, reg,
					  &e->mkvps.reg[kt][reg]) < 0)
				return -1;
		}
	}
	return 0;
}

static int load_root(struct kload *ld, const struct ag_ynode *root,
		     struct ag_keys *k)
{
	static const char *const keys[] = {
		"apgate-keys", "origin", "host", "at", "tool", "guest", "keys",
		NULL,
	};
	const struct ag_ynode *v, *list;
	const char *s;
	int64_t ver;
	size_t i, j;

	if (root->kind != AG_YMAP)
		return kexpected(ld, root, "the document",
				 "a mapping with \"apgate-keys: 1\"");
	if (want_map(ld, root, "the document", keys) < 0)
		return -1;
	v = ag_ymap_get(root, "apgate-keys");
	if (!v)
		return kfail(ld, root, "missing required key \"apgate-keys\" "
			     "(format version; this apgate reads 1)");
	if (v->kind != AG_YSCALAR || ag_yint(v, &ver) < 0 ||
	    ver != AG_KEYS_VERSION)
		return kexpected(ld, v, "apgate-keys", "the format version 1");
	v = ag_ymap_get(root, "origin");
	if (!v)
		return kfail(ld, root, "missing required key \"origin\" "
			     "(declared or guest)");
	if (get_str(ld, v, "origin", "one of declared, guest", &s) < 0)
		return -1;
	if (strcmp(s, "declared") == 0)
		k->origin = AG_MK_ORIGIN_DECLARED;
	else if (strcmp(s, "guest") == 0)
		k->origin = AG_MK_ORIGIN_GUEST;
	else
		return kexpected(ld, v, "origin", "one of declared, guest");
	if ((v = ag_ymap_get(root, "host"))) {
		if (get_str(ld, v, "host", "a string", &s) < 0)
			return -1;
		k->host = xstrdup(s);
	}
	if ((v = ag_ymap_get(root, "at"))) {
		char buf[AG_TIME_LEN];
		time_t t;

		if (get_str(ld, v, "at", "an RFC 3339 date-time string",
			    &s) < 0)
			return -1;
		if (ag_time_parse(s, &t) < 0)
			return kexpected(ld, v, "at",
					 "an RFC 3339 date-time string");
		ag_time_format(t, buf);
		k->at = xstrdup(buf);
	}
	if ((v = ag_ymap_get(root, "tool"))) {
		if (get_str(ld, v, "tool", "a string", &s) < 0)
			return -1;
		k->tool = xstrdup(s);
	}
	if ((v = ag_ymap_get(root, "guest"))) {
		static const char *const gkeys[] = { "secure_execution", NULL };
		const struct ag_ynode *se;
		bool b;

		if (want_map(ld, v, "guest", gkeys) < 0)
			return -1;
		se = ag_ymap_get(v, "secure_execution");
		if (se && ag_ybool(se, &b) < 0)
			return kexpected(ld, se, "guest.secure_execution",
					 "a boolean (true or false)");
		if (se)
			k->secure_execution = b ? AG_TRI_TRUE : AG_TRI_FALSE;
	}
	list = ag_ymap_get(root, "keys");
	if (!list)
		return kfail(ld, root, "missing required key \"keys\" (a "
			     "list, may be empty)");
	if (list->kind != AG_YSEQ)
		return kexpected(ld, list, "keys", "a list of entries");
	for (i = 0; i < list->n; i++) {
		if (load_entry(ld, list->items[i], i, k) < 0)
			return -1;
		/* an APQN or domain twice is a conflict nobody can settle */
		for (j = 0; j + 1 < k->n; j++) {
			const struct ag_keys_entry *a = &k->entries[j],
						   *b = &k->entries[k->n - 1];
			char apqn[AG_APQN_LEN];

			if (a->is_apqn != b->is_apqn || a->domain != b->domain ||
			    (a->is_apqn && a->adapter != b->adapter))
				continue;
			ag_apqn_format(b->adapter, b->domain, apqn);
			return kfail(ld, list->items[i], "keys[%zu]: %s %s "
				     "already declared at line %u", i,
				     b->is_apqn ? "APQN" : "domain",
				     b->is_apqn ? apqn :
				     (snprintf(apqn, sizeof(apqn), "0x%02x",
					       b->domain), apqn), a->line);
		}
	}
	for (i = 0; i < k->n; i++) {
		k->entries[i].mkvps.present = true;
		k->entries[i].mkvps.origin = k->origin;
	}
	return 0;
}

int ag_keys_load_buffer(const char *name, const char *buf, size_t len,
			struct ag_keys **out, struct ag_error *err)
{
	struct kload ld = { name, err };
	struct ag_ynode *root;
	struct ag_keys *k;

	*out = NULL;
	if (ag_yaml_parse(name, buf, len, &root, err) < 0)
		return -1;
	k = ag_keys_new(AG_MK_ORIGIN_DECLARED);
	k->name = xstrdup(name);
	if (load_root(&ld, root, k) < 0) {
		ag_ynode_free(root);
		ag_keys_free(k);
		return -1;
	}
	ag_ynode_free(root);
	*out = k;
	return 0;
}

int ag_keys_load_file(const char *path, bool insecure, struct ag_keys **out,
		      struct ag_error *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	/* Declared keys decide verdicts: as root, only a file nobody else
	 * can write is believed. */
	if (ag_trust_read_file(path, AG_TRUST_KEYS, insecure, AG_KEYS_MAX_BYTES,
			       &buf, &len, err) < 0)
		return -1;
	rc = ag_keys_load_buffer(path, buf, len, out, err);
	free(buf);
	return rc;
}

struct ag_keys *ag_keys_new(enum ag_mk_origin origin)
{
	struct ag_keys *k = xcalloc(1, sizeof(*k));

	k->origin = origin;
	return k;
}

struct ag_keys_entry *ag_keys_add(struct ag_keys *k, bool is_apqn,
				  unsigned adapter, unsigned domain)
{
	struct ag_keys_entry *e;

	k->entries = xrealloc(k->entries, (k->n + 1) * sizeof(*k->entries));
	e = &k->entries[k->n++];
	memset(e, 0, sizeof(*e));
	e->is_apqn = is_apqn;
	e->adapter = is_apqn ? adapter : 0;
	e->domain = domain;
	e->mkvps.present = true;
	e->mkvps.origin = k->origin;
	return e;
}

void ag_keys_free(struct ag_keys *k)
{
	if (!k)
		return;
	free(k->name);
	free(k->host);
	free(k->at);
	free(k->tool);
	free(k->entries);
	free(k);
}

const struct ag_keys_entry *ag_keys_lookup(const struct ag_keys *k,
					   unsigned adapter, unsigned domain)
{
	const struct ag_keys_entry *dom = NULL;
	size_t i;

	for (i = 0; i < k->n; i++) {
		const struct ag_keys_entry *e = &k->entries[i];

		if (e->domain != domain)
			continue;
		if (e->is_apqn && e->adapter == adapter)
			return e;
		if (!e->is_apqn)
			dom = e;
	}
	return dom;
}

/* --- merging --- */

static bool mkvps_equal_except_sym(const struct ag_mkvps *a,
				   const struct ag_mkvps *b)
{
	int kt, r;

	for (kt = 0; kt < AG_KT_COUNT; kt++)
		if (kt != AG_KT_SYM)
		for (r = 0; r < AG_REG_COUNT; r++)
			if (a->reg[kt][r].state != b->reg[kt][r].state ||
			    strcmp(a->reg[kt][r].mkvp, b->reg[kt][r].mkvp))
				return false;
	return true;
}

static const char *where(const struct ag_keys *k,
			 const struct ag_keys_entry *e, char *buf, size_t n)
{
	if (e->line)
		snprintf(buf, n, "%s:%u:%u", k->name ? k->name : "keys",
			 e->line, e->col);
	else
		snprintf(buf, n, "%s", k->name ? k->name : "keys");
	return buf;
}

/* Every queue of d takes the keys of its entry (see ag_keys_merge). */
static int merge_queues(const struct ag_keys *k, struct ag_descriptor *d,
			struct ag_notes *notes, struct ag_error *err)
{
	const char *origin = ag_mk_origin_name(k->origin);
	char apqn[AG_APQN_LEN], pos[300];
	size_t i;

	for (i = 0; i < d->n_queues; i++) {
		struct ag_queue *q = &d->queues[i];
		const struct ag_keys_entry *e =
			ag_keys_lookup(k, q->adapter, q->domain);
		const struct ag_card *c;
		bool wk;

		if (!e)
			continue;
		ag_apqn_format(q->adapter, q->domain, apqn);
		where(k, e, pos, sizeof(pos));
		wk = ag_mkvps_has_key_type(&e->mkvps, AG_KT_WK);
		c = ag_descriptor_card(d, q->adapter);
		if (c && c->mode != AG_MODE_UNSET &&
		    c->mode != (wk ? AG_MODE_EP11 : AG_MODE_CCA)) {
			ag_error_set(err, "%s: %s %s master keys for %s, but "
				     "card %02x is in %s mode", pos,
				     origin, wk ? "EP11 (wk)" : "CCA", apqn,
				     c->adapter, ag_card_mode_name(c->mode));
			return -1;
		}
		if (q->mkvps.present &&
		    q->mkvps.origin == AG_MK_ORIGIN_SYSFS) {
			/* sysfs never shows SYM (DOMAIN.md 7.5a): a
			 * declared SYM completes what sysfs shows */
			if (ag_mkvps_has_key_type(&e->mkvps, AG_KT_SYM))
				memcpy(q->mkvps.reg[AG_KT_SYM],
				       e->mkvps.reg[AG_KT_SYM],
				       sizeof(q->mkvps.reg[AG_KT_SYM]));
			if (!mkvps_equal_except_sym(&q->mkvps, &e->mkvps))
				ag_notes_add(notes, "warning: %s: %s master "
					     "keys for %s differ from what "
					     "sysfs shows; keeping sysfs", pos,
					     origin, apqn);
			continue;
		}
		q->mkvps = e->mkvps;
	}
	return 0;
}

int ag_keys_merge_host(const struct ag_keys *k, struct ag_descriptor *d,
		       struct ag_notes *notes, struct ag_error *err)
{
	char apqn[AG_APQN_LEN], pos[300];
	size_t i, j;

	/* entries that cannot apply: say so, they are likely typos */
	for (i = 0; i < k->n; i++) {
		const struct ag_keys_entry *e = &k->entries[i];
		bool any = false;

		where(k, e, pos, sizeof(pos));
		if (e->is_apqn) {
			if (ag_descriptor_queue(d, e->adapter, e->domain))
				continue;
			ag_apqn_format(e->adapter, e->domain, apqn);
			ag_notes_add(notes, "note: %s: queue %s does not exist "
				     "on this host; entry ignored", pos, apqn);
			continue;
		}
		for (j = 0; j < d->n_queues && !any; j++)
			any = d->queues[j].domain == e->domain;
		if (!any)
			ag_notes_add(notes, "note: %s: no queue of domain %02x "
				     "on this host; entry ignored", pos,
				     e->domain);
	}
	return merge_queues(k, d, notes, err);
}

int ag_keys_merge(const struct ag_keys *k, struct ag_descriptor *d,
		  struct ag_notes *notes, struct ag_error *err)
{
	const char *origin = ag_mk_origin_name(k->origin);
	char apqn[AG_APQN_LEN], pos[300];
	size_t i;

	/* entries that cannot apply: say so, they are likely typos */
	for (i = 0; i < k->n; i++) {
		const struct ag_keys_entry *e = &k->entries[i];

		where(k, e, pos, sizeof(pos));
		if (!ag_idset_has(&d->mdev.domains, e->domain)) {
			ag_notes_add(notes, "note: %s: domain %02x is not a "
				     "usage domain of mdev %s; entry ignored",
				     pos, e->domain, d->mdev.uuid);
			continue;
		}
		if (e->is_apqn && !ag_idset_has(&d->mdev.adapters,
						  e->adapter)) {
			ag_apqn_format(e->adapter, e->domain, apqn);
			ag_notes_add(notes, "note: %s: APQN %s is not an APQN "
				     "of mdev %s; entry ignored", pos, apqn,
				     d->mdev.uuid);
			continue;
		}
		if (e->is_apqn &&
		    !ag_descriptor_queue(d, e->adapter, e->domain)) {
			ag_apqn_format(e->adapter, e->domain, apqn);
			ag_notes_add(notes, "note: %s: queue %s does not exist "
				     "on this host; its %s keys are not "
				     "recorded", pos, apqn, origin);
		}
	}
	if (merge_queues(k, d, notes, err) < 0)
		return -1;
	if (k->secure_execution != AG_TRI_UNSET)
		d->guest.secure_execution = k->secure_execution;
	return 0;
}

/* --- writing --- */

static void kv(struct ag_yemit *e, const char *key, const char *val,
	       bool quoted)
{
	if (!val)
		return;
	ag_yemit_scalar(e, key, false);
	ag_yemit_scalar(e, val, quoted);
}

static const enum ag_mk_reg cca_order[] = { AG_REG_NEW, AG_REG_CUR,
					    AG_REG_OLD };
static const enum ag_mk_reg wk_order[] = { AG_REG_CUR, AG_REG_NEW };

static void emit_entry(struct ag_yemit *e, const struct ag_keys_entry *en)
{
	char buf[AG_APQN_LEN];
	int kt;
	size_t i;

	ag_yemit_map_start(e, false);
	if (en->is_apqn) {
		ag_apqn_format(en->adapter, en->domain, buf);
		kv(e, "apqn", buf, true);
	} else {
		snprintf(buf, sizeof(buf), "0x%02x", en->domain);
		kv(e, "domain", buf, false);
	}
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		const enum ag_mk_reg *order = kt == AG_KT_WK ? wk_order :
					      cca_order;
		size_t n = kt == AG_KT_WK ? 2 : 3;

		if (!ag_mkvps_has_key_type(&en->mkvps, kt))
			continue;
		ag_yemit_scalar(e, ag_key_type_name(kt), false);
		ag_yemit_map_start(e, true);
		for (i = 0; i < n; i++) {
			const struct ag_mk_register *r =
				&en->mkvps.reg[kt][order[i]];

			if (r->state == AG_MK_ABSENT)
				continue;
			ag_yemit_scalar(e, ag_mk_reg_name(order[i]), false);
			ag_yemit_map_start(e, true);
			kv(e, "state", ag_mk_state_name(r->state), false);
			if (r->mkvp[0])
				kv(e, "mkvp", r->mkvp, true);
			ag_yemit_map_end(e);
		}
		ag_yemit_map_end(e);
	}
	ag_yemit_map_end(e);
}

int ag_keys_emit_yaml(const struct ag_keys *k, FILE *out,
		      struct ag_error *err)
{
	struct ag_yemit e;
	char ver[8];
	size_t i;

	if (ag_yemit_open(&e, out, err) < 0)
		return -1;
	ag_yemit_map_start(&e, false);
	snprintf(ver, sizeof(ver), "%d", AG_KEYS_VERSION);
	kv(&e, "apgate-keys", ver, false);
	kv(&e, "origin", ag_mk_origin_name(k->origin), false);
	kv(&e, "host", k->host, true);
	kv(&e, "at", k->at, true);
	kv(&e, "tool", k->tool, true);
	if (k->secure_execution != AG_TRI_UNSET) {
		ag_yemit_scalar(&e, "guest", false);
		ag_yemit_map_start(&e, false);
		kv(&e, "secure_execution", ag_tri_name(k->secure_execution),
		   false);
		ag_yemit_map_end(&e);
	}
	ag_yemit_scalar(&e, "keys", false);
	ag_yemit_seq_start(&e, k->n == 0);
	for (i = 0; i < k->n; i++)
		emit_entry(&e, &k->entries[i]);
	ag_yemit_seq_end(&e);
	ag_yemit_map_end(&e);
	return ag_yemit_close(&e, err);
}

json_object *ag_keys_to_json(const struct ag_keys *k)
{
	json_object *o = json_object_new_object(), *list;
	size_t i;

	json_object_object_add(o, "apgate-keys",
			       json_object_new_int(AG_KEYS_VERSION));
	json_object_object_add(o, "origin", json_object_new_string(
				       ag_mk_origin_name(k->origin)));
	if (k->host)
		json_object_object_add(o, "host",
				       json_object_new_string(k->host));
	if (k->at)
		json_object_object_add(o, "at", json_object_new_string(k->at));
	if (k->tool)
		json_object_object_add(o, "tool",
				       json_object_new_string(k->tool));
	if (k->secure_execution != AG_TRI_UNSET) {
		json_object *g = json_object_new_object();

		json_object_object_add(g, "secure_execution",
			json_object_new_boolean(k->secure_execution ==
						AG_TRI_TRUE));
		json_object_object_add(o, "guest", g);
	}
	list = json_object_new_array();
	for (i = 0; i < k->n; i++) {
		const struct ag_keys_entry *en = &k->entries[i];
		json_object *eo = json_object_new_object();
		char buf[AG_APQN_LEN];
		int kt, r;

		if (en->is_apqn) {
			ag_apqn_format(en->adapter, en->domain, buf);
			json_object_object_add(eo, "apqn",
					       json_object_new_string(buf));
		} else {
			json_object_object_add(eo, "domain",
				json_object_new_int((int)en->domain));
		}
		for (kt = 0; kt < AG_KT_COUNT; kt++) {
			json_object *ko;

			if (!ag_mkvps_has_key_type(&en->mkvps, kt))
				continue;
			ko = json_object_new_object();
			for (r = 0; r < AG_REG_COUNT; r++) {
				const struct ag_mk_register *reg =
					&en->mkvps.reg[kt][r];
				json_object *ro;

				if (reg->state == AG_MK_ABSENT)
					continue;
				ro = json_object_new_object();
				json_object_object_add(ro, "state",
					json_object_new_string(
						ag_mk_state_name(reg->state)));
				if (reg->mkvp[0])
					json_object_object_add(ro, "mkvp",
						json_object_new_string(
							reg->mkvp));
				json_object_object_add(ko, ag_mk_reg_name(r),
						       ro);
			}
			json_object_object_add(eo, ag_key_type_name(kt), ko);
		}
		json_object_array_add(list, eo);
	}
	json_object_object_add(o, "keys", list);
	return o;
}
