/* descriptor_yaml.h - the parts of the descriptor's YAML writer
 * (descriptor_emit.c) that the inventory writer (inventory_emit.c) shares,
 * so that cards, queues, lpar, collected and blocks print alike in both
 * formats.  Not an API for other modules.
 */
#ifndef APGATE_DESCRIPTOR_YAML_H
#define APGATE_DESCRIPTOR_YAML_H

#include "descriptor.h"
#include "yamlemit.h"

/* Each writes its key and value inside the current mapping; collected
 * and lpar write nothing when unset. */
void ag_yemit_desc_collected(struct ag_yemit *e, const struct ag_descriptor *d);
void ag_yemit_desc_lpar(struct ag_yemit *e, const struct ag_descriptor *d);
void ag_yemit_desc_cards(struct ag_yemit *e, const struct ag_descriptor *d);
void ag_yemit_desc_queues(struct ag_yemit *e, const struct ag_descriptor *d);
/* reason, since, until, by of one block. */
void ag_yemit_desc_block_fields(struct ag_yemit *e, const struct ag_block *b);
/* key: [0x05, 0x06] */
void ag_yemit_idlist(struct ag_yemit *e, const char *key,
		     const struct ag_idset *set);

#endif
