/* descriptor_load_hw.c - the hardware part of the descriptor loader:
 * cards (with their EP11 properties), queues and their master-key
 * registers.  Shared with the inventory loader through descriptor_ld.h,
 * so that a card or queue reads and fails alike in both formats.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.h"
#include "descriptor_ld.h"
#include "util.h"
#include "yamltree.h"

/* A list of EP11 op-mode words (DOMAIN.md 2.4), each once. */
static int load_op_modes(struct loader *ld, const struct ag_ynode *n,
			 const char *path, struct ag_op_modes *m)
{
	const char *what = "an op mode word like \"FIPS2021\" (A-Z, 0-9, "
			   "'-')";
	char ipath[PATH_MAX_LEN];
	size_t i, j;

	if (ld_want_seq(ld, n, path, "a list of op mode strings") < 0)
		return -1;
	if (n->n > AG_OP_MODES_MAX)
		return ld_fail(ld, n, "%s: more than %d op modes", path,
			    AG_OP_MODES_MAX);
	m->present = true;
	for (i = 0; i < n->n; i++) {
		const struct ag_ynode *it = n->items[i];
		const char *s;

		snprintf(ipath, sizeof(ipath), "%.120s[%u]", path, (unsigned)i);
		if (ld_get_str(ld, it, ipath, what, &s) < 0)
			return -1;
		if (!ag_op_mode_valid(s))
			return ld_expected(ld, it, ipath, what, NULL);
		for (j = 0; j < m->n; j++)
			if (strcmp(m->names[j], s) == 0)
				return ld_fail(ld, it, "%s: op mode %s is listed "
					    "twice", ipath, s);
		ag_op_modes_add(m, s);
	}
	return 0;
}

/* "0x" + 8 hex digits, as the kernel prints ap_functions. */
static int load_functions(struct loader *ld, const struct ag_ynode *v,
			  const char *fpath, bool *has, uint32_t *out)
{
	const char *fn_what = "a string \"0x\" + 8 hex digits like "
			      "\"0x92800000\"";
	const char *s;

	if (ld_get_str(ld, v, fpath, fn_what, &s) < 0)
		return -1;
	if (strlen(s) != 10 || s[0] != '0' || s[1] != 'x' ||
	    !ld_all_hex(s + 2, 8))
		return ld_expected(ld, v, fpath, fn_what, NULL);
	*out = (uint32_t)strtoul(s + 2, NULL, 16);
	*has = true;
	return 0;
}

static int load_ep11(struct loader *ld, const struct ag_ynode *n,
		     const char *cpath, struct ag_card *c)
{
	static const char *const keys[] = {
		"api_ordinal", "firmware", "op_modes", NULL,
	};
	const char *fw_what = "a firmware version string like \"7.4\"";
	char path[PATH_MAX_LEN], fpath[PATH_MAX_LEN];
	const struct ag_ynode *v;
	int64_t ord;

	ld_join(path, cpath, "ep11");
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	if (c->mode != AG_MODE_UNSET && c->mode != AG_MODE_EP11)
		return ld_fail(ld, n, "%s: only EP11 cards have EP11 "
			    "properties, this card's mode is %s", path,
			    ag_card_mode_name(c->mode));
	c->ep11.present = true;
	v = ag_ymap_get(n, "api_ordinal");
	if (v) {
		ld_join(fpath, path, "api_ordinal");
		if (v->kind != AG_YSCALAR || ag_yscalar_type(v) != AG_YT_INT ||
		    ag_yint(v, &ord) < 0 || ord < 0 || ord > 0xffffffffLL)
			return ld_expected(ld, v, fpath,
					     "an integer 0..4294967295", NULL);
		c->ep11.api_ordinal = (long)ord;
	}
	v = ag_ymap_get(n, "firmware");
	if (v) {
		unsigned maj, min;
		const char *s;
		int used = 0;

		ld_join(fpath, path, "firmware");
		if (ld_get_str(ld, v, fpath, fw_what, &s) < 0)
			return -1;
		if (sscanf(s, "%3u.%3u%n", &maj, &min, &used) != 2 ||
		    (size_t)used != strlen(s) || s[0] < '0' || s[0] > '9' ||
		    strchr(s, '+') || strchr(s, ' '))
			return ld_expected(ld, v, fpath, fw_what, NULL);
		c->ep11.firmware = xstrdup(s);
	}
	v = ag_ymap_get(n, "op_modes");
	ld_join(fpath, path, "op_modes");
	return v ? load_op_modes(ld, v, fpath, &c->ep11.op_modes) : 0;
}

int load_card(struct loader *ld, const struct ag_ynode *n,
		     size_t idx)
{
	static const char *const keys[] = {
		"adapter", "type", "hwtype", "raw_hwtype", "mode",
		"functions", "serial", "config", "online", "chkstop", "ep11",
		NULL,
	};
	char path[PATH_MAX_LEN], fpath[PATH_MAX_LEN];
	const struct ag_ynode *v;
	struct ag_card *c;
	const char *s;
	unsigned adapter;

	ld_index(path, "cards", idx);
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	v = ld_require(ld, n, "adapter", path);
	ld_join(fpath, path, "adapter");
	if (!v || ld_get_u8(ld, v, fpath, &adapter) < 0)
		return -1;
	if (ld->card_pos[adapter])
		return ld_fail(ld, v, "%s: card %02x is listed twice (first at "
			    "line %u, column %u)", fpath, adapter,
			    ld->card_pos[adapter]->line,
			    ld->card_pos[adapter]->col);
	ld->card_pos[adapter] = v;
	ld->card_nodes[idx] = v;
	c = ag_descriptor_add_card(ld->d, adapter);
	if (ld_str_opt(ld, n, "type", path, AG_NAME_MAX, &c->type) < 0 ||
	    ld_int_opt(ld, n, "hwtype", path, &c->hwtype) < 0 ||
	    ld_int_opt(ld, n, "raw_hwtype", path, &c->raw_hwtype) < 0)
		return -1;
	v = ag_ymap_get(n, "mode");
	if (v) {
		ld_join(fpath, path, "mode");
		if (ld_get_str(ld, v, fpath, "a string", &s) < 0)
			return -1;
		if (ag_card_mode_parse(s, &c->mode) < 0)
			return ld_fail_enum(ld, v, fpath, "cca, ep11, accel");
	}
	v = ag_ymap_get(n, "functions");
	ld_join(fpath, path, "functions");
	if (v && load_functions(ld, v, fpath, &c->has_functions,
				&c->functions) < 0)
		return -1;
	if (ld_str_opt(ld, n, "serial", path, AG_NAME_MAX, &c->serial) < 0 ||
	    ld_tri_opt(ld, n, "config", path, &c->config) < 0 ||
	    ld_tri_opt(ld, n, "online", path, &c->online) < 0 ||
	    ld_tri_opt(ld, n, "chkstop", path, &c->chkstop) < 0)
		return -1;
	v = ag_ymap_get(n, "ep11");
	return v ? load_ep11(ld, v, path, c) : 0;
}

static int load_register(struct loader *ld, const struct ag_ynode *n,
			 const char *path, enum ag_key_type kt,
			 enum ag_mk_reg r, struct ag_mk_register *reg)
{
	static const char *const keys[] = { "state", "mkvp", NULL };
	char fpath[PATH_MAX_LEN], what[256], allowed[128];
	const struct ag_ynode *v, *p;
	unsigned digits = ag_key_type_hex_digits(kt);
	const char *s;
	size_t i;

	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	v = ld_require(ld, n, "state", path);
	if (!v)
		return -1;
	ld_join(fpath, path, "state");
	if (ld_get_str(ld, v, fpath, "a string", &s) < 0)
		return -1;
	if (ag_mk_state_parse(s, &reg->state) < 0 ||
	    !ag_mk_state_allowed(kt, r, reg->state)) {
		char where[64];

		ag_mk_states_allowed_text(kt, r, allowed, sizeof(allowed));
		snprintf(where, sizeof(where), "the %s register of %s",
			 ag_mk_reg_name(r), ag_key_type_name(kt));
		snprintf(what, sizeof(what), "one of %s for %s", allowed,
			 where);
		return ld_expected(ld, v, fpath, what, NULL);
	}
	p = ag_ymap_get(n, "mkvp");
	ld_join(fpath, path, "mkvp");
	if (!ag_mk_state_has_pattern(reg->state)) {
		if (p)
			return ld_fail(ld, p, "%s: not allowed "
				    "with state %s, which carries no pattern",
				    fpath, s);
		return 0;
	}
	if (!p)
		return ld_fail(ld, n, "missing required key \"mkvp\" in %s "
			    "(state %s carries a pattern)", path, s);
	if (kt == AG_KT_WK)
		snprintf(what, sizeof(what), "\"0x\" + 64 or 32 hex digits");
	else
		snprintf(what, sizeof(what), "\"0x\" + %u hex digits",
			 digits);
	if (ld_get_str(ld, p, fpath, what, &s) < 0)
		return -1;
	if (strlen(s) < 2 || !ag_key_type_digits_ok(kt, strlen(s) - 2) ||
	    s[0] != '0' || s[1] != 'x' || !ld_all_hex(s + 2, strlen(s) - 2))
		return ld_expected(ld, p, fpath, what, NULL);
	for (i = 0; i < strlen(s); i++)
		reg->mkvp[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ?
				      s[i] - 'A' + 'a' : s[i]);
	reg->mkvp[i] = '\0';
	return 0;
}

static int load_key_type(struct loader *ld, const struct ag_ynode *n,
			 const char *path, enum ag_key_type kt,
			 struct ag_mkvps *m)
{
	static const char *const cca_regs[] = { "new", "cur", "old", NULL };
	static const char *const wk_regs[] = { "cur", "new", NULL };
	const char *const *regs = kt == AG_KT_WK ? wk_regs : cca_regs;
	char rpath[PATH_MAX_LEN];
	size_t i;

	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, regs) < 0)
		return -1;
	if (n->n == 0)
		return ld_fail(ld, n, "%s: expected at least one register (%s)",
			    path, kt == AG_KT_WK ? "cur, new" :
			    "new, cur, old");
	for (i = 0; regs[i]; i++) {
		const struct ag_ynode *v = ag_ymap_get(n, regs[i]);
		enum ag_mk_reg r;

		if (!v)
			continue;
		ag_mk_reg_parse(regs[i], &r);
		ld_join(rpath, path, regs[i]);
		if (load_register(ld, v, rpath, kt, r, &m->reg[kt][r]) < 0)
			return -1;
	}
	return 0;
}

static int load_mkvps(struct loader *ld, const struct ag_ynode *n,
		      const char *qpath, struct ag_mkvps *m)
{
	static const char *const keys[] = {
		"origin", "aes", "apka", "asym", "sym", "wk", NULL,
	};
	char path[PATH_MAX_LEN], kpath[PATH_MAX_LEN];
	const struct ag_ynode *v, *cca_key = NULL, *wk_key = NULL;
	const char *s;
	size_t i;

	ld_join(path, qpath, "mkvps");
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	/* EP11 and CCA domains never coexist: flag whichever comes second */
	for (i = 0; i < n->n; i++) {
		const struct ag_ynode *k = n->keys[i];

		if (ld_key_is(k, "wk"))
			wk_key = k;
		else if (!ld_key_is(k, "origin") && !cca_key)
			cca_key = k;
		if (wk_key && cca_key)
			return ld_fail(ld, k, "%s: wk (EP11) cannot be combined "
				    "with CCA key types (aes, apka, asym, "
				    "sym)", path);
	}
	m->present = true;
	v = ld_require(ld, n, "origin", path);
	ld_join(kpath, path, "origin");
	if (!v || ld_get_str(ld, v, kpath, "a string", &s) < 0)
		return -1;
	if (ag_mk_origin_parse(s, &m->origin) < 0)
		return ld_fail_enum(ld, v, kpath, "sysfs, guest, declared");
	if (!cca_key && !wk_key)
		return ld_fail(ld, n, "%s: expected at least one key type (aes, "
			    "apka, asym, sym or wk)", path);
	for (i = 0; i < AG_KT_COUNT; i++) {
		const char *kt = ag_key_type_name(i);

		v = ag_ymap_get(n, kt);
		if (!v)
			continue;
		ld_join(kpath, path, kt);
		if (load_key_type(ld, v, kpath, i, m) < 0)
			return -1;
	}
	return 0;
}

int load_queue(struct loader *ld, const struct ag_ynode *n,
		      size_t idx)
{
	static const char *const keys[] = {
		"apqn", "config", "online", "chkstop", "driver", "status",
		"functions", "op_modes", "mkvps", "assigned_to", NULL,
	};
	const char *apqn_what = "an APQN string like \"05.0004\"";
	char path[PATH_MAX_LEN], fpath[PATH_MAX_LEN], found[256];
	const struct ag_ynode *v;
	struct ag_queue *q;
	unsigned a, dom;
	const char *s;

	ld_index(path, "queues", idx);
	if (ld_want_map(ld, n, path) < 0 || ld_check_keys(ld, n, path, keys) < 0)
		return -1;
	v = ld_require(ld, n, "apqn", path);
	ld_join(fpath, path, "apqn");
	if (!v || ld_get_str(ld, v, fpath, apqn_what, &s) < 0)
		return -1;
	if (ag_apqn_parse(s, &a, &dom) < 0)
		return ld_fail(ld, v, "%s: expected an APQN \"aa.dddd\" in "
			    "lowercase hex (like \"05.0004\", domain <= "
			    "00ff), found %s", fpath,
			    ld_describe(v, found, sizeof(found)));
	if (ld->apqn_seen[(a * 256 + dom) / 8] & 1u << (dom % 8)) {
		const struct ag_ynode *first = NULL;
		size_t j;

		/* Queues so far are in file order: find the first one. */
		for (j = 0; j < ld->d->n_queues && !first; j++)
			if (ld->d->queues[j].adapter == a &&
			    ld->d->queues[j].domain == dom)
				first = ld->queue_nodes[j];
		return ld_fail(ld, v, "%s: queue %s is listed twice (first at "
			    "line %u, column %u)", fpath, s, first->line,
			    first->col);
	}
	ld->apqn_seen[(a * 256 + dom) / 8] |= 1u << (dom % 8);
	ld->queue_nodes[idx] = v;
	q = ag_descriptor_add_queue(ld->d, a, dom);
	if (ld_tri_opt(ld, n, "config", path, &q->config) < 0 ||
	    ld_tri_opt(ld, n, "online", path, &q->online) < 0 ||
	    ld_tri_opt(ld, n, "chkstop", path, &q->chkstop) < 0)
		return -1;
	v = ag_ymap_get(n, "driver");
	if (v) {
		ld_join(fpath, path, "driver");
		if (ld_get_str(ld, v, fpath, "a string", &s) < 0)
			return -1;
		if (ag_queue_driver_parse(s, &q->driver) < 0)
			return ld_fail_enum(ld, v, fpath,
					 "vfio_ap, cex4queue, none");
	}
	if (ld_str_opt(ld, n, "status", path, AG_NAME_MAX, &q->status) < 0)
		return -1;
	v = ag_ymap_get(n, "functions");
	ld_join(fpath, path, "functions");
	if (v && load_functions(ld, v, fpath, &q->has_functions,
				&q->functions) < 0)
		return -1;
	v = ag_ymap_get(n, "op_modes");
	ld_join(fpath, path, "op_modes");
	if (v && load_op_modes(ld, v, fpath, &q->op_modes) < 0)
		return -1;
	v = ag_ymap_get(n, "mkvps");
	if (v && load_mkvps(ld, v, path, &q->mkvps) < 0)
		return -1;
	v = ag_ymap_get(n, "assigned_to");
	ld_join(fpath, path, "assigned_to");
	return v ? ld_get_uuid(ld, v, fpath, q->assigned_to) : 0;
}
