/* waivers.h - time-limited exceptions: load, store and match waivers.
 *
 * A waiver lets one guest through one rule for a while: it turns the
 * matching reject findings of a decision into warns (enforce.h applies
 * it).  It matches a reject of its rule about its mdev (the source's or
 * the target's), of its APQN when it names one, on its target host when
 * it names one.  It never matches migration.blocked, an error, or after
 * its `until` second.
 *
 * Waivers live in STATE_DIR/waivers.json (apgate waive/unwaive: changed
 * under a lock and replaced atomically, statefile.h) and in
 * WAIVERS_DIR/NAME.yaml (distributed by configuration management).  Both
 * have one format, schemas/waiver-v1.schema.json, and since a waiver
 * loosens the gate both are trust-checked like policies (trust.h).
 */
#ifndef APGATE_WAIVERS_H
#define APGATE_WAIVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"
#include "timeutil.h"
#include "verdict.h"

#define AG_WAIVERS_FILE "waivers.json"
#define AG_WAIVERS_FORMAT_VERSION 1
#define AG_WAIVER_MAX_DAYS 90
#define AG_WAIVER_ID_LEN 65	/* up to 64 characters */

struct ag_waiver {
	char id[AG_WAIVER_ID_LEN];
	char mdev[AG_UUID_LEN];
	char *rule;
	char *apqn;		/* NULL: any APQN */
	char *host;		/* NULL: any target host */
	char until[AG_TIME_LEN];
	time_t until_t;
	char *reason;
	char *by;
	char created[AG_TIME_LEN];	/* "" when not known */
	char *origin;		/* the file it came from */
};

struct ag_waiverset {
	struct ag_waiver *items;
	size_t n, cap;
};

void ag_waiverset_free(struct ag_waiverset *ws);

/* Read the store of state_dir and the *.yaml files of dir (NULL or a
 * missing directory: none), in that order.  Any unreadable, untrusted or
 * invalid file is an error naming it; so is an id given twice. */
int ag_waivers_load(const char *state_dir, const char *dir, bool insecure,
		    struct ag_waiverset *ws, struct ag_error *err);

/* Add w to the store under the lock; w->id gets a fresh id. */
int ag_waivers_add(const char *state_dir, bool insecure, struct ag_waiver *w,
		   struct ag_error *err);

/* Remove waiver id from the store: 1 removed, 0 no such waiver there. */
int ag_waivers_remove(const char *state_dir, bool insecure, const char *id,
		      struct ag_error *err);

/* In force at now: up to and including its until second. */
bool ag_waiver_active(const struct ag_waiver *w, time_t now);

/* Whether w, ignoring time, covers finding f of verdict v. */
bool ag_waiver_matches(const struct ag_waiver *w, const struct ag_finding *f,
		       const struct ag_verdict *v);

/* Whether w concerns the decision of v at all (its mdev and host). */
bool ag_waiver_concerns(const struct ag_waiver *w, const struct ag_verdict *v);

/* w as a JSON object (the store's and the schema's fields). */
json_object *ag_waiver_to_json(const struct ag_waiver *w);

#endif
