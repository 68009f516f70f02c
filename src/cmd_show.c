/* cmd_show.c - `apgate show`: one descriptor or host inventory, readably. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "descriptor.h"
#include "exitcode.h"
#include "inventory.h"
#include "textsafe.h"

static const char show_help[] =
"Usage: apgate show [--format text|yaml|json] FILE\n"
"Print an AP descriptor: as a readable summary with its sha256 digest\n"
"(text, the default), or normalised as YAML or as JSON (the canonical form's\n"
"keys and order, pretty-printed).  A host inventory (apgate-inventory: 1)\n"
"is printed the same ways, without a digest.\n"
"\n"
"  -f, --format FORMAT   text, yaml or json\n"
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 shown, 1 invalid descriptor or inventory, 2 usage error.\n";

static const char *tri(enum ag_tri t)
{
	return t == AG_TRI_TRUE ? "yes" : t == AG_TRI_FALSE ? "no" : "-";
}

/* Descriptor text escaped for the terminal (textsafe.h): a block reason
 * may hold ESC[2J.  Eight results stay alive, enough for one printf. */
static const char *esc(const char *s)
{
	static char *ring[8];
	static unsigned next;
	char **slot = &ring[next++ % 8];

	free(*slot);
	*slot = ag_str_safe(s);
	return *slot;
}

static const char *or_dash(const char *s)
{
	return esc(s && *s ? s : "-");
}

static void print_ids(const char *label, const struct ag_idset *set,
		      int width)
{
	int id;

	printf("%-16s", label);
	if (!ag_idset_count(set))
		fputs("(none)", stdout);
	for (id = ag_idset_next(set, 0); id >= 0;
	     id = ag_idset_next(set, (unsigned)id + 1))
		printf("%0*x ", width, (unsigned)id);
	putchar('\n');
}

static void print_op_modes(const struct ag_op_modes *m)
{
	size_t i;

	if (!m->present) {
		fputs("-", stdout);
		return;
	}
	if (!m->n)
		fputs("(none)", stdout);
	for (i = 0; i < m->n; i++)
		printf("%s%s", i ? " " : "", m->names[i]);
}

static void print_mkvps(const struct ag_mkvps *m)
{
	int kt, r;

	if (!m->present) {
		printf("           master keys: not visible\n");
		return;
	}
	printf("           master keys (%s):\n", ag_mk_origin_name(m->origin));
	for (kt = 0; kt < AG_KT_COUNT; kt++) {
		if (!ag_mkvps_has_key_type(m, kt))
			continue;
		for (r = 0; r < AG_REG_COUNT; r++) {
			const struct ag_mk_register *reg = &m->reg[kt][r];
			char name[16];

			if (reg->state == AG_MK_ABSENT)
				continue;
			snprintf(name, sizeof(name), "%s %s",
				 ag_key_type_name(kt), ag_mk_reg_name(r));
			for (char *p = name; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 32);
			printf("             %-9s %-11s %s\n", name,
			       ag_mk_state_name(reg->state), or_dash(reg->mkvp));
		}
	}
}

static void print_hw(const struct ag_descriptor *d);
static void print_blocks(const struct ag_descriptor *d);

static void print_text(const char *path, const struct ag_descriptor *d)
{
	char sha[AG_SHA256_HEX_LEN], apqn[AG_APQN_LEN];
	size_t i;

	ag_descriptor_digest(d, sha);
	printf("%-16s%s\n", "descriptor", esc(path));
	printf("%-16s%s\n", "sha256", sha);
	printf("%-16s%s\n", "host", esc(d->host));
	/* one per line: values may hold spaces */
	for (i = 0; i < d->host_labels.n; i++)
		printf("%-16s%s=%s\n", i ? "" : "labels",
		       d->host_labels.items[i].key,
		       esc(d->host_labels.items[i].value));
	if (d->collected.at || d->collected.from || d->collected.tool)
		printf("%-16s%s from %s by %s\n", "collected",
		       or_dash(d->collected.at),
		       d->collected.from ?
		       ag_collected_from_name(d->collected.from) : "-",
		       or_dash(d->collected.tool));
	printf("%-16s%s (%s, %s)\n", "mdev", esc(d->mdev.uuid),
	       or_dash(d->mdev.type),
	       d->mdev.state ? ag_mdev_state_name(d->mdev.state) : "state unknown");
	print_ids("adapters", &d->mdev.adapters, 2);
	print_ids("usage domains", &d->mdev.domains, 4);
	print_ids("control domains", &d->mdev.control_domains, 4);
	printf("%-16s%zu\n", "apqns", ag_descriptor_apqn_count(d));
	if (d->mdev.has_guest_apqns) {
		printf("%-16s", "in guest now");
		if (!d->mdev.n_guest_apqns)
			fputs("(none)", stdout);
		for (i = 0; i < d->mdev.n_guest_apqns; i++) {
			ag_apqn_format(d->mdev.guest_apqns[i] / 256u,
				       d->mdev.guest_apqns[i] % 256u, apqn);
			printf("%s ", apqn);
		}
		putchar('\n');
	}
	if (d->lpar.present) {
		print_ids("lpar adapters", &d->lpar.adapters, 2);
		print_ids("lpar usage", &d->lpar.usage_domains, 4);
		print_ids("lpar control", &d->lpar.control_domains, 4);
	}
	if (d->guest.secure_execution != AG_TRI_UNSET)
		printf("%-16s%s\n", "secure exec", tri(d->guest.secure_execution));
	print_hw(d);
	print_blocks(d);
}

/* Cards and queues: the same tables for a descriptor and an inventory. */
static void print_hw(const struct ag_descriptor *d)
{
	char apqn[AG_APQN_LEN], fn[16];
	size_t i;

	printf("\ncards (%zu)\n", d->n_cards);
	if (d->n_cards)
		printf("  %-4s %-7s %-6s %-4s %-5s %-10s %-17s %-6s %-6s %s\n",
		       "CARD", "TYPE", "HWTYPE", "RAW", "MODE", "FUNCTIONS",
		       "SERIAL", "CONFIG", "ONLINE", "CHKSTOP");
	for (i = 0; i < d->n_cards; i++) {
		const struct ag_card *c = &d->cards[i];
		char hw[12] = "-", raw[12] = "-";

		if (c->hwtype >= 0)
			snprintf(hw, sizeof(hw), "%d", c->hwtype);
		if (c->raw_hwtype >= 0)
			snprintf(raw, sizeof(raw), "%d", c->raw_hwtype);
		snprintf(fn, sizeof(fn), "0x%08X", (unsigned)c->functions);
		printf("  %02x   %-7s %-6s %-4s %-5s %-10s %-17s %-6s %-6s %s\n",
		       c->adapter, or_dash(c->type), hw, raw,
		       c->mode ? ag_card_mode_name(c->mode) : "-",
		       c->has_functions ? fn : "-", or_dash(c->serial),
		       tri(c->config), tri(c->online), tri(c->chkstop));
		if (c->ep11.present) {
			if (c->ep11.api_ordinal >= 0)
				printf("       ep11: api ordinal %ld",
				       c->ep11.api_ordinal);
			else
				printf("       ep11: api ordinal -");
			printf(", firmware %s, op modes ",
			       or_dash(c->ep11.firmware));
			print_op_modes(&c->ep11.op_modes);
			putchar('\n');
		}
	}

	printf("\nqueues (%zu)\n", d->n_queues);
	if (d->n_queues)
		printf("  %-8s %-10s %-11s %-6s %-6s %s\n", "APQN", "DRIVER",
		       "STATUS", "CONFIG", "ONLINE", "CHKSTOP");
	for (i = 0; i < d->n_queues; i++) {
		const struct ag_queue *q = &d->queues[i];

		ag_apqn_format(q->adapter, q->domain, apqn);
		printf("  %-8s %-10s %-11s %-6s %-6s %s\n", apqn,
		       q->driver ? ag_queue_driver_name(q->driver) : "-",
		       or_dash(q->status), tri(q->config), tri(q->online),
		       tri(q->chkstop));
		if (q->has_functions || q->op_modes.present) {
			snprintf(fn, sizeof(fn), "0x%08X",
				 (unsigned)q->functions);
			printf("           functions %s",
			       q->has_functions ? fn : "-");
			if (q->op_modes.present) {
				fputs(", op modes ", stdout);
				print_op_modes(&q->op_modes);
			}
			putchar('\n');
		}
		if (q->assigned_to[0])
			printf("           assigned to mdev %s\n",
			       q->assigned_to);
		print_mkvps(&q->mkvps);
	}
}

static void print_blocks(const struct ag_descriptor *d)
{
	size_t i;

	printf("\nblocks (%zu)\n", d->n_blocks);
	for (i = 0; i < d->n_blocks; i++) {
		const struct ag_block *b = &d->blocks[i];

		printf("  %s (by %s, since %s, until %s)\n", esc(b->reason),
		       or_dash(b->by), or_dash(b->since),
		       b->until ? esc(b->until) : "further notice");
	}
}

static void print_inventory(const char *path, const struct ag_inventory *inv)
{
	const struct ag_descriptor *hw = inv->hw;
	size_t i;

	printf("%-16s%s\n", "inventory", esc(path));
	printf("%-16s%s\n", "host", esc(hw->host));
	for (i = 0; i < hw->host_labels.n; i++)
		printf("%-16s%s=%s\n", i ? "" : "labels",
		       hw->host_labels.items[i].key,
		       esc(hw->host_labels.items[i].value));
	if (hw->collected.at || hw->collected.from || hw->collected.tool)
		printf("%-16s%s from %s by %s\n", "collected",
		       or_dash(hw->collected.at),
		       hw->collected.from ?
		       ag_collected_from_name(hw->collected.from) : "-",
		       or_dash(hw->collected.tool));
	if (hw->lpar.present) {
		print_ids("lpar adapters", &hw->lpar.adapters, 2);
		print_ids("lpar usage", &hw->lpar.usage_domains, 4);
		print_ids("lpar control", &hw->lpar.control_domains, 4);
	}
	print_hw(hw);
	printf("\nmdevs (%zu)\n", inv->n_mdevs);
	for (i = 0; i < inv->n_mdevs; i++) {
		const struct ag_inv_mdev *m = &inv->mdevs[i];

		printf("  %s (%s, %s)\n", m->uuid, or_dash(m->type),
		       ag_mdev_state_name(m->state));
		printf("  ");
		print_ids("  adapters", &m->adapters, 2);
		printf("  ");
		print_ids("  usage domains", &m->domains, 4);
		printf("  ");
		print_ids("  control", &m->control_domains, 4);
	}
	printf("\nblocks (%zu)\n", inv->n_blocks);
	for (i = 0; i < inv->n_blocks; i++) {
		const struct ag_block *b = &inv->blocks[i].b;

		printf("  %s: %s (by %s, since %s, until %s)\n",
		       inv->blocks[i].mdev, esc(b->reason), or_dash(b->by),
		       or_dash(b->since),
		       b->until ? esc(b->until) : "further notice");
	}
}

/* --format yaml|json of an inventory; 0 or AG_EXIT_ERROR. */
static int emit_inventory(const struct ag_inventory *inv, bool yaml)
{
	struct ag_error err;
	json_object *o;

	if (yaml) {
		if (ag_inventory_emit_yaml(inv, stdout, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			return AG_EXIT_ERROR;
		}
		return AG_EXIT_OK;
	}
	o = ag_inventory_to_json(inv);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
		JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return AG_EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	struct ag_descriptor *d = NULL;
	struct ag_inventory *inv = NULL;
	struct ag_error err;
	int opt, status = AG_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': format = optarg; break;
		case 'h': fputs(show_help, stdout); return AG_EXIT_OK;
		default: return ag_cli_option_error("show", argv, opts);
		}
	}
	if (strcmp(format, "text") && strcmp(format, "yaml") &&
	    strcmp(format, "json"))
		return ag_cli_usage_error("show", "--format must be text, yaml "
					  "or json, not '%s'", format);
	if (argc - optind != 1)
		return ag_cli_usage_error("show", "expected exactly one FILE");
	if (ag_document_load_file(argv[optind], &d, &inv, &err) < 0) {
		ag_cli_msg("%s", err.msg);
		return AG_EXIT_REJECT;
	}
	if (inv) {
		if (strcmp(format, "text") == 0)
			print_inventory(argv[optind], inv);
		else
			status = emit_inventory(inv, !strcmp(format, "yaml"));
		if (ag_cli_flush_stdout("the inventory") < 0)
			status = AG_EXIT_ERROR;
		ag_inventory_free(inv);
		return status;
	}
	if (strcmp(format, "text") == 0) {
		print_text(argv[optind], d);
	} else if (strcmp(format, "yaml") == 0) {
		if (ag_descriptor_emit_yaml(d, stdout, &err) < 0) {
			ag_cli_msg("%s", err.msg);
			status = AG_EXIT_ERROR;
		}
	} else {
		json_object *o = ag_descriptor_to_json(d);

		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	if (ag_cli_flush_stdout("the descriptor") < 0)
		status = AG_EXIT_ERROR;
	ag_descriptor_free(d);
	return status;
}
