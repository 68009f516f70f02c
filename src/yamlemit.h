/* yamlemit.h - writing YAML through libyaml's emitter: the stream and
 * document frame and the few event helpers apgate's writers need.
 *
 * Every helper is a no-op after the first failure, so a writer emits a
 * whole structure and checks once, in ag_yemit_close().
 */
#ifndef APGATE_YAMLEMIT_H
#define APGATE_YAMLEMIT_H

#include <stdbool.h>
#include <stdio.h>

#include <yaml.h>

#include "error.h"

struct ag_yemit {
	yaml_emitter_t em;
	yaml_event_t ev;
	bool failed;
};

/* Start a stream and a document on out (UTF-8, 2-space indent, long lines
 * never folded). */
int ag_yemit_open(struct ag_yemit *e, FILE *out, struct ag_error *err);
/* End document and stream, flush, release; reports the first failure. */
int ag_yemit_close(struct ag_yemit *e, struct ag_error *err);

/* A scalar: plain for keys and enum words, double-quoted for free text and
 * anything (APQNs, patterns, times) that could read back as a number. */
void ag_yemit_scalar(struct ag_yemit *e, const char *s, bool quoted);
void ag_yemit_map_start(struct ag_yemit *e, bool flow);
void ag_yemit_map_end(struct ag_yemit *e);
void ag_yemit_seq_start(struct ag_yemit *e, bool flow);
void ag_yemit_seq_end(struct ag_yemit *e);

#endif
