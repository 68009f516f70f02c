/* place.h - fleet placement (`apgate place`): which hosts could take each
 * guest, for every guest and host at once.
 *
 * Modules:
 *   place_input.c   guests (descriptors, directories, domain XML) and hosts
 *                   (inventories), loaded and refused file by file; bounds
 *   place_pair.c    the target descriptor a guest would get on a host
 *   place_run.c     evaluation of every pair, in this process or in --jobs
 *                   worker processes, for one --shard
 *   place_result.c  the placement result: pairs, summary, JSON (output,
 *                   worker transport and --merge input)
 *   place_render.c  text matrix and CSV;  place_html.c  the HTML page
 *
 * Output never depends on jobs, shards or merge order: guests and hosts
 * are sorted by name, pairs by (guest, host), findings as in verdicts.
 */
#ifndef APGATE_PLACE_H
#define APGATE_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "config_file.h"
#include "descriptor.h"
#include "error.h"
#include "verdict.h"

struct ag_inventory;
struct ag_place_result;

/* Bounds on what one run holds: beyond them the run is refused, not
 * slowed to a crawl or killed by the OOM killer. */
#define AG_PLACE_MAX_GUESTS 100000u
#define AG_PLACE_MAX_HOSTS 10000u
#define AG_PLACE_MAX_PAIRS 2000000u
#define AG_PLACE_MAX_JOBS 256u
/* Findings kept per pair (the rest are counted): a pair's verdict needs
 * its worst findings, not 20,000 notes. */
#define AG_PLACE_MAX_FINDINGS 64u
/* A finding's message is cut to this many bytes in the result. */
#define AG_PLACE_MAX_MESSAGE 4096u
/* Largest placement JSON --merge reads. */
#define AG_PLACE_MAX_JSON_BYTES (128u * 1024 * 1024)

struct ag_place_guest {
	char *name;		/* domain name, else the file's base name */
	char *path;
	struct ag_descriptor *d;
};

struct ag_place_host {
	char *name;		/* the inventory's host */
	char *path;
	struct ag_inventory *inv;
};

struct ag_place_inputs {
	struct ag_place_guest *guests;	/* sorted by name */
	size_t n_guests, cap_guests;
	struct ag_place_host *hosts;	/* sorted by name */
	size_t n_hosts, cap_hosts;
	size_t refused;			/* files refused (with --keep-going) */
};

/* --- place_input.c --- */
/* Load every guest path (a file, or a directory of YAML, JSON, XML files)
 * and host path (inventory file or directory).  Every bad file is named
 * on stderr; returns -1 when any was refused and !keep_going, or when the
 * bounds are exceeded or nothing is left to place. */
int ag_place_load_inputs(char **guest_paths, size_t n_guest_paths,
			 char **host_paths, size_t n_host_paths,
			 bool keep_going, struct ag_place_inputs *in,
			 struct ag_error *err);
void ag_place_inputs_free(struct ag_place_inputs *in);

/* --- place_pair.c --- */
/* The target side guest g would get on host h: the host's mdev with the
 * guest's UUID when it has one (its real assignment and state), else a
 * planned mdev with the guest's APQNs and control domains; cards, queues,
 * lpar, host labels and the blocks of that mdev from the inventory. */
int ag_place_target(const struct ag_descriptor *guest,
		    const struct ag_inventory *inv, struct ag_descriptor **out,
		    struct ag_error *err);

/* --- place_run.c --- */
struct ag_place_run_opts {
	const struct ag_config *cfg;	/* audit.log NULL unless --audit */
	time_t now;
	unsigned jobs;			/* worker processes; <= 1: none */
	unsigned shard_index, shard_count;	/* 1..count; count 0: all */
};
/* Evaluate every pair of the shard's guests (never a guest against its
 * own host) into r (sorted).  -1 with err set when the policies cannot
 * be prepared or a worker fails: then r must not be printed. */
int ag_place_run(const struct ag_place_inputs *in,
		 const struct ag_place_run_opts *o, struct ag_place_result *r,
		 struct ag_error *err);

/* --- place_result.c --- */
struct ag_place_finding {
	char *rule;
	enum ag_severity severity;
	char apqn[8];		/* "" when not about one APQN */
	char *message;
	char *remedy;		/* the remedy's text; NULL when none */
};

struct ag_place_pair {
	size_t guest, host;	/* indexes into the result's names */
	enum ag_verdict_kind verdict;	/* enforced: what check acts on */
	struct ag_place_finding *findings;	/* worst first */
	size_t n_findings;
	size_t more_findings;	/* beyond AG_PLACE_MAX_FINDINGS */
};

struct ag_place_result {
	char **guests;		/* names, sorted */
	size_t n_guests;
	char **hosts;		/* names, sorted */
	size_t n_hosts;
	/* the source host of each guest (a host never takes its own guest) */
	char **guest_hosts;
	struct ag_place_pair *pairs;	/* sorted by (guest, host) */
	size_t n_pairs, cap_pairs;
	char now[AG_TIME_LEN];
	char policy_set_sha256[AG_SHA256_HEX_LEN];
	struct ag_policy_ref *policies;
	size_t n_policies;
	/* set for one shard of a larger run; 0 = the whole fleet */
	unsigned shard_index, shard_count;
	size_t shard_guests_total;
};

void ag_place_result_init(struct ag_place_result *r);
void ag_place_result_free(struct ag_place_result *r);
/* Take a finished verdict's outcome for pair (guest, host). */
void ag_place_result_add(struct ag_place_result *r, size_t guest, size_t host,
			 const struct ag_verdict *v);
void ag_place_result_sort(struct ag_place_result *r);
/* Drop the pairs (a worker's, once handed on). */
void ag_place_result_free_pairs(struct ag_place_result *r);
/* The policies (paths, digests, set digest) of a finished verdict. */
void ag_place_result_set_policies(struct ag_place_result *r,
				  const struct ag_verdict *v);
/* Index of the pair (guest, host), -1 when not evaluated (same host, or
 * another shard's guest).  r must be sorted. */
long ag_place_result_find(const struct ag_place_result *r, size_t guest,
			  size_t host);
/* Whether guest is evaluated in this result (its shard). */
bool ag_place_result_has_guest(const struct ag_place_result *r, size_t guest);

struct ag_place_summary {
	size_t pairs, by_kind[4], self;
	size_t guests_evaluated, guests_without_host;
};
void ag_place_result_summary(const struct ag_place_result *r,
			     struct ag_place_summary *s);
/* Whether a guest has an accept or warn host; only for evaluated guests. */
bool ag_place_guest_placed(const struct ag_place_result *r, size_t guest);

/* One pair as JSON (worker transport and output) and back. */
json_object *ag_place_pair_to_json(const struct ag_place_result *r,
				   const struct ag_place_pair *p);
/* The same pair as the text json-c makes of ag_place_pair_to_json with
 * JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE, written without
 * building the tree (a fleet's result has ten thousand pairs); buf, a
 * json-c string object the caller reuses, escapes each string. */
void ag_place_pair_write_json(const struct ag_place_result *r,
			      const struct ag_place_pair *p, json_object *buf,
			      FILE *out);
int ag_place_pair_from_json(struct ag_place_result *r, json_object *o,
			    const char *where, struct ag_error *err);
/* Join shard outputs into one result; refuses inputs that do not belong
 * together (other hosts, policies or time; a guest twice; a shard missing
 * or repeated). */
int ag_place_merge_files(char **paths, size_t n, struct ag_place_result *r,
			 struct ag_error *err);

/* --- place_render.c, place_html.c --- */
/* The finding that decided a pair (its first of the verdict's severity);
 * NULL for accept. */
const struct ag_place_finding *ag_place_deciding(const struct ag_place_pair *p);
int ag_place_render_text(const struct ag_place_result *r, FILE *out);
int ag_place_render_csv(const struct ag_place_result *r, FILE *out);
int ag_place_render_html(const struct ag_place_result *r, FILE *out);
/* The whole result (schemas/placement-v1.schema.json), streamed. */
int ag_place_render_json(const struct ag_place_result *r, FILE *out);

#endif
