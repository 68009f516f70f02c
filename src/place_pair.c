/* place_pair.c - the target descriptor a guest would get on a host.
 *
 * Built from the host's inventory only: the mdev with the guest's UUID
 * when the host has one (its real assignment and state: what libvirt
 * would find there), else a planned mdev with the guest's APQNs and
 * control domains (what an operator would create).  Cards and queues
 * behind that mdev's APQNs, the LPAR masks, the host's labels and the
 * blocks of that mdev come from the inventory, so every rule sees the
 * host as it is.  Cards or queues the host lacks are left out: the rules
 * (apqn.available) say so.
 */
#include "config.h"

#include <string.h>

#include "inventory.h"
#include "place.h"
#include "util.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void copy_op_modes(struct ag_op_modes *dst,
			  const struct ag_op_modes *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		ag_op_modes_add(dst, src->names[i]);
	dst->present = src->present;
}

static void copy_card(struct ag_descriptor *d, const struct ag_card *src)
{
	struct ag_card *c = ag_descriptor_add_card(d, src->adapter);

	*c = *src;
	c->type = dup_or_null(src->type);
	c->serial = dup_or_null(src->serial);
	c->ep11.firmware = dup_or_null(src->ep11.firmware);
	copy_op_modes(&c->ep11.op_modes, &src->ep11.op_modes);
}

static void copy_queue(struct ag_descriptor *d, const struct ag_queue *src)
{
	struct ag_queue *q = ag_descriptor_add_queue(d, src->adapter,
						     src->domain);

	*q = *src;		/* mkvps and assigned_to are plain data */
	q->status = dup_or_null(src->status);
	copy_op_modes(&q->op_modes, &src->op_modes);
}

int ag_place_target(const struct ag_descriptor *guest,
		    const struct ag_inventory *inv, struct ag_descriptor **out,
		    struct ag_error *err)
{
	const struct ag_descriptor *hw = inv->hw;
	const struct ag_inv_mdev *m = ag_inventory_mdev(inv, guest->mdev.uuid);
	struct ag_descriptor *d = ag_descriptor_new();
	size_t i;
	int a, dom;

	*out = NULL;
	d->host = xstrdup(hw->host);
	d->collected.at = dup_or_null(hw->collected.at);
	d->collected.from = hw->collected.from;
	d->collected.tool = dup_or_null(hw->collected.tool);
	d->lpar = hw->lpar;
	ag_labels_copy(&d->host_labels, &hw->host_labels);
	memcpy(d->mdev.uuid, guest->mdev.uuid, AG_UUID_LEN);
	if (m) {
		d->mdev.type = dup_or_null(m->type);
		d->mdev.state = m->state;
		d->mdev.adapters = m->adapters;
		d->mdev.domains = m->domains;
		d->mdev.control_domains = m->control_domains;
	} else {
		d->mdev.type = dup_or_null(guest->mdev.type);
		d->mdev.state = AG_MDEV_PLANNED;
		d->mdev.adapters = guest->mdev.adapters;
		d->mdev.domains = guest->mdev.domains;
		d->mdev.control_domains = guest->mdev.control_domains;
	}
	for (a = ag_idset_next(&d->mdev.adapters, 0); a >= 0;
	     a = ag_idset_next(&d->mdev.adapters, (unsigned)a + 1)) {
		const struct ag_card *c = ag_inventory_card(inv, (unsigned)a);

		if (c)
			copy_card(d, c);
		for (dom = ag_idset_next(&d->mdev.domains, 0); dom >= 0;
		     dom = ag_idset_next(&d->mdev.domains, (unsigned)dom + 1)) {
			const struct ag_queue *q =
				ag_inventory_queue(inv, (unsigned)a,
						   (unsigned)dom);

			if (q)
				copy_queue(d, q);
		}
	}
	for (i = 0; i < inv->n_blocks; i++) {
		const struct ag_inv_block *ib = &inv->blocks[i];
		struct ag_block *b;

		if (strcmp(ib->mdev, d->mdev.uuid) != 0)
			continue;
		b = ag_descriptor_add_block(d, ib->b.reason);
		b->since = dup_or_null(ib->b.since);
		b->until = dup_or_null(ib->b.until);
		b->by = dup_or_null(ib->b.by);
	}
	ag_descriptor_normalize(d);
	/* Built, not read: still held to every descriptor's rules, so a
	 * builder mistake is an error verdict, never a silent accept. */
	if (ag_descriptor_check(d, d->host, err) < 0) {
		ag_descriptor_free(d);
		return -1;
	}
	*out = d;
	return 0;
}
