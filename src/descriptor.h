/* descriptor.h - the AP descriptor (format v1): one vfio-ap mdev as seen on
 * one host, with every card and queue behind its APQNs.
 *
 * This is the contract between hosts and the single data model that flows
 * collect -> descriptor -> policy evaluation.  Loaders and collectors build
 * it; views, serialisers and digests read it.  Everything optional in the
 * format has an explicit "unset" value here, because "not known" must never
 * be mistaken for "equal" or "false".
 *
 * Invariants after ag_descriptor_normalize() (which every producer calls):
 * cards sorted by adapter, queues by (adapter, domain), blocks by (since,
 * reason); no duplicates.
 */
#ifndef APGATE_DESCRIPTOR_H
#define APGATE_DESCRIPTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "apqn.h"
#include "digest.h"
#include "error.h"
#include "labels.h"

#define AG_DESCRIPTOR_VERSION 1
/* Largest descriptor file accepted: a full 16 x 85 host with master keys is
 * well under 1 MiB; anything near this limit is not a descriptor. */
#define AG_DESCRIPTOR_MAX_BYTES (16u * 1024 * 1024)
/* Longest text fields, in bytes: a host name (a DNS name is at most 253),
 * names and words (mdev type, card type and serial, queue status,
 * collected.tool, a block's "by"), and a block's reason.  Longer values are
 * refused at load: they would only be copied into every finding and record
 * that names them. */
#define AG_HOST_MAX 255
#define AG_NAME_MAX 255
#define AG_REASON_MAX 1024
#define AG_UUID_LEN 37		/* 36 characters plus NUL */
#define AG_MKVP_LEN 67		/* "0x" + up to 64 hex digits plus NUL */

enum ag_tri {
	AG_TRI_UNSET = 0,	/* not known: key absent */
	AG_TRI_FALSE,
	AG_TRI_TRUE,
};

enum ag_collected_from {
	AG_FROM_UNSET = 0,
	AG_FROM_SYSFS,
	AG_FROM_MDEVCTL,
	AG_FROM_GUEST,
	AG_FROM_FILE,
};

enum ag_mdev_state {
	AG_MDEV_STATE_UNSET = 0,
	AG_MDEV_ACTIVE,
	AG_MDEV_DEFINED,
	AG_MDEV_PLANNED,	/* not on the host yet: what `apgate place`
				 * would create there */
};

enum ag_card_mode {
	AG_MODE_UNSET = 0,
	AG_MODE_CCA,
	AG_MODE_EP11,
	AG_MODE_ACCEL,
};

enum ag_queue_driver {
	AG_DRIVER_UNSET = 0,
	AG_DRIVER_VFIO_AP,
	AG_DRIVER_CEX4QUEUE,
	AG_DRIVER_NONE,
};

enum ag_mk_origin {
	AG_MK_ORIGIN_UNSET = 0,
	AG_MK_ORIGIN_SYSFS,
	AG_MK_ORIGIN_GUEST,
	AG_MK_ORIGIN_DECLARED,
};

/* Master-key register states as the kernel prints them, plus "unknown"
 * for a "- -" line.  Which states a register may take: CCA NEW
 * empty|partial|full, CCA CUR/OLD invalid|valid, EP11 (WK) CUR
 * invalid|valid, EP11 NEW empty|uncommitted|committed. */
enum ag_mk_state {
	AG_MK_ABSENT = 0,	/* register not described */
	AG_MK_EMPTY,
	AG_MK_PARTIAL,
	AG_MK_FULL,
	AG_MK_INVALID,
	AG_MK_VALID,
	AG_MK_UNCOMMITTED,
	AG_MK_COMMITTED,
	AG_MK_UNKNOWN,
};

enum ag_key_type {
	AG_KT_AES,		/* CCA, 16 hex digits */
	AG_KT_APKA,		/* CCA, 16 hex digits */
	AG_KT_ASYM,		/* CCA, 32 hex digits */
	AG_KT_SYM,		/* CCA SYM (DES), 16 hex digits; declared
				 * only: the kernel does not show it */
	AG_KT_WK,		/* EP11 wrapping key, 64 hex digits (32
				 * accepted where declared, DOMAIN.md 7.5a) */
	AG_KT_COUNT,
};

enum ag_mk_reg {
	AG_REG_NEW,
	AG_REG_CUR,
	AG_REG_OLD,		/* not for AG_KT_WK */
	AG_REG_COUNT,
};

struct ag_mk_register {
	enum ag_mk_state state;
	/* "0x" + lowercase hex of the key type's width when the state carries
	 * a pattern (full, valid, uncommitted, committed); "" otherwise. */
	char mkvp[AG_MKVP_LEN];
};

struct ag_mkvps {
	bool present;		/* false: master keys not visible */
	enum ag_mk_origin origin;
	struct ag_mk_register reg[AG_KT_COUNT][AG_REG_COUNT];
};

/* EP11 compliance modes (`op_modes`), sorted bytewise, no duplicates.
 * Kept as words: newer kernels know modes this apgate does not. */
#define AG_OP_MODES_MAX 32
#define AG_OP_MODE_LEN 32
struct ag_op_modes {
	bool present;		/* false: unknown */
	char **names;
	size_t n;
};

struct ag_card {
	unsigned adapter;
	char *type;		/* sysfs `type`, e.g. "CEX8C"; NULL unset */
	int hwtype;		/* -1 unset */
	int raw_hwtype;		/* -1 unset */
	enum ag_card_mode mode;
	bool has_functions;
	uint32_t functions;	/* sysfs ap_functions */
	char *serial;		/* NULL unset */
	enum ag_tri config, online, chkstop;
	struct {		/* EP11 cards only */
		bool present;
		long api_ordinal;	/* API_ordinalnr; -1 unset */
		char *firmware;		/* FW_version "7.4"; NULL unset */
		struct ag_op_modes op_modes;
	} ep11;
};

struct ag_queue {
	unsigned adapter, domain;
	enum ag_tri config, online, chkstop;
	enum ag_queue_driver driver;
	char *status;		/* vfio_ap `status` text; NULL unset */
	bool has_functions;
	uint32_t functions;	/* queue ap_functions (unmasked TAPQ) */
	struct ag_op_modes op_modes;	/* EP11 queue op_modes */
	struct ag_mkvps mkvps;
	/* The mdev on this host the queue is assigned to (lowercase UUID);
	 * "" = not known or none. */
	char assigned_to[AG_UUID_LEN];
};

struct ag_block {
	char *reason;		/* required */
	char *since;		/* RFC 3339; NULL unset */
	char *until;		/* RFC 3339; NULL = no end */
	char *by;		/* NULL unset */
};

struct ag_descriptor {
	int version;		/* AG_DESCRIPTOR_VERSION */
	char *host;		/* required */
	/* host_labels: the writing host's labels (labels.h); empty when
	 * the format's optional key is absent */
	struct ag_labels host_labels;
	struct {
		char *at;	/* RFC 3339; NULL unset */
		enum ag_collected_from from;
		char *tool;	/* NULL unset */
	} collected;
	struct {
		char uuid[AG_UUID_LEN];	/* required, lowercase */
		char *type;		/* NULL unset */
		enum ag_mdev_state state;
		struct ag_idset adapters, domains, control_domains;
		/* guest_matrix: the APQNs in the guest now (active mdevs);
		 * a*256+d, sorted, unique */
		bool has_guest_apqns;
		uint16_t *guest_apqns;
		size_t n_guest_apqns;
	} mdev;
	struct {		/* the LPAR's AP configuration (QCI masks) */
		bool present;
		struct ag_idset adapters, usage_domains, control_domains;
	} lpar;
	struct {
		enum ag_tri secure_execution;
	} guest;
	struct ag_card *cards;
	size_t n_cards;
	struct ag_queue *queues;
	size_t n_queues;
	struct ag_block *blocks;
	size_t n_blocks;
};

/* --- lifecycle (descriptor.c) --- */
struct ag_descriptor *ag_descriptor_new(void);
void ag_descriptor_free(struct ag_descriptor *d);
/* Append an initialised (all unset) card / queue / block; returns it. */
struct ag_card *ag_descriptor_add_card(struct ag_descriptor *d, unsigned adapter);
struct ag_queue *ag_descriptor_add_queue(struct ag_descriptor *d,
					 unsigned adapter, unsigned domain);
struct ag_block *ag_descriptor_add_block(struct ag_descriptor *d,
					 const char *reason);
/* Add an APQN to mdev.guest_apqns (kept unsorted until normalize). */
void ag_descriptor_add_guest_apqn(struct ag_descriptor *d, unsigned adapter,
				  unsigned domain);
/* Add a word to a set of op modes (no check; normalize sorts). */
void ag_op_modes_add(struct ag_op_modes *m, const char *name);
void ag_op_modes_free(struct ag_op_modes *m);
/* Whether s is an op-mode word: 1..31 of A-Z 0-9 '-'. */
bool ag_op_mode_valid(const char *s);
/* Sort cards, queues, blocks, guest APQNs and op modes into canonical
 * order. */
void ag_descriptor_normalize(struct ag_descriptor *d);
/* Semantic rules that hold for every descriptor, whatever produced it:
 * required fields, no duplicate cards/queues, every queue's APQN in
 * adapters x domains, every card's adapter assigned, register states and
 * pattern widths fitting their key type.  name prefixes messages. */
int ag_descriptor_check(const struct ag_descriptor *d, const char *name,
			struct ag_error *err);

/* --- lookups (descriptor.c); d must be normalised --- */
const struct ag_card *ag_descriptor_card(const struct ag_descriptor *d,
					 unsigned adapter);
const struct ag_queue *ag_descriptor_queue(const struct ag_descriptor *d,
					   unsigned adapter, unsigned domain);
/* Whether u is a UUID in the canonical 8-4-4-4-12 hex form (lowercase
 * only unless allow_upper). */
bool ag_uuid_valid(const char *u, bool allow_upper);
/* Number of APQNs (adapters x usage domains) of the mdev. */
size_t ag_descriptor_apqn_count(const struct ag_descriptor *d);
/* Card generation (CEX4 = 4 ...): from raw_hwtype (raw - 6), else hwtype,
 * else the digits of `type` ("CEX8C" -> 8); -1 when unknown. */
int ag_card_generation(const struct ag_card *c);

/* --- names of enum values as they appear in the format (descriptor.c);
 * *_parse return -1 for an unknown name --- */
const char *ag_tri_name(enum ag_tri t);	/* NULL for unset */
const char *ag_collected_from_name(enum ag_collected_from f);
int ag_collected_from_parse(const char *s, enum ag_collected_from *out);
const char *ag_mdev_state_name(enum ag_mdev_state s);
int ag_mdev_state_parse(const char *s, enum ag_mdev_state *out);
const char *ag_card_mode_name(enum ag_card_mode m);
int ag_card_mode_parse(const char *s, enum ag_card_mode *out);
const char *ag_queue_driver_name(enum ag_queue_driver d);
int ag_queue_driver_parse(const char *s, enum ag_queue_driver *out);
const char *ag_mk_origin_name(enum ag_mk_origin o);
int ag_mk_origin_parse(const char *s, enum ag_mk_origin *out);
const char *ag_mk_state_name(enum ag_mk_state s);
int ag_mk_state_parse(const char *s, enum ag_mk_state *out);
const char *ag_key_type_name(enum ag_key_type kt);	/* "aes" ... "wk" */
int ag_key_type_parse(const char *s, enum ag_key_type *out);
const char *ag_mk_reg_name(enum ag_mk_reg r);		/* "new" "cur" "old" */
int ag_mk_reg_parse(const char *s, enum ag_mk_reg *out);
/* Hex digits of a key type's pattern: 16, 16, 32, 16, 64. */
unsigned ag_key_type_hex_digits(enum ag_key_type kt);
/* Whether a pattern of this many hex digits fits the key type: the width
 * above, and for wk also 32 (what zkey and opencryptoki print). */
bool ag_key_type_digits_ok(enum ag_key_type kt, size_t digits);
/* Whether state is allowed for register reg of key type kt. */
bool ag_mk_state_allowed(enum ag_key_type kt, enum ag_mk_reg reg,
			 enum ag_mk_state state);
/* The states allowed for register reg of key type kt, as "a, b, c" for
 * messages (truncated to size). */
void ag_mk_states_allowed_text(enum ag_key_type kt, enum ag_mk_reg reg,
			       char *out, size_t size);
/* Whether a register in this state carries a real pattern. */
bool ag_mk_state_has_pattern(enum ag_mk_state state);
bool ag_mkvps_has_key_type(const struct ag_mkvps *m, enum ag_key_type kt);

/* --- loading (descriptor_load.c) --- */
/* Load a descriptor file ("-" = stdin), YAML or JSON.  Violations are
 * reported as "FILE:LINE:COL: what was expected". */
int ag_descriptor_load_file(const char *path, struct ag_descriptor **out,
			    struct ag_error *err);
int ag_descriptor_load_buffer(const char *name, const char *buf, size_t len,
			      struct ag_descriptor **out, struct ag_error *err);
struct ag_ynode;
/* Build from an already parsed tree (e.g. a descriptor embedded in another
 * document); name prefixes messages. */
int ag_descriptor_from_tree(const char *name, const struct ag_ynode *root,
			    struct ag_descriptor **out, struct ag_error *err);

/* --- serialising (descriptor_emit.c) --- */
/* JSON form with every object's keys in sorted order, lists in canonical
 * order, unset fields omitted.  Caller owns the reference. */
json_object *ag_descriptor_to_json(const struct ag_descriptor *d);
/* Canonical serialisation (descriptor_canon.c): the JSON above printed
 * without whitespace and without escaping '/'.  Caller frees. */
char *ag_descriptor_canonical(const struct ag_descriptor *d);
/* SHA-256 of the canonical serialisation. */
int ag_descriptor_digest(const struct ag_descriptor *d,
			 char out[AG_SHA256_HEX_LEN]);
/* YAML in the documented key order (the order of the format description),
 * through libyaml's emitter; flow style for mkvps registers and ID lists. */
int ag_descriptor_emit_yaml(const struct ag_descriptor *d, FILE *out,
			    struct ag_error *err);

#endif
