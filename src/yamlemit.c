/* yamlemit.c - libyaml emitter frame and event helpers. */
#include "config.h"

#include <string.h>

#include "yamlemit.h"

static void emit(struct ag_yemit *e, int ok)
{
	if (e->failed)
		return;
	if (!ok || !yaml_emitter_emit(&e->em, &e->ev))
		e->failed = true;
}

int ag_yemit_open(struct ag_yemit *e, FILE *out, struct ag_error *err)
{
	memset(e, 0, sizeof(*e));
	if (!yaml_emitter_initialize(&e->em)) {
		ag_error_set(err, "cannot initialise the YAML emitter");
		return -1;
	}
	yaml_emitter_set_output_file(&e->em, out);
	yaml_emitter_set_unicode(&e->em, 1);
	yaml_emitter_set_width(&e->em, -1);	/* never fold long lines */
	yaml_emitter_set_indent(&e->em, 2);
	emit(e, yaml_stream_start_event_initialize(&e->ev, YAML_UTF8_ENCODING));
	emit(e, yaml_document_start_event_initialize(&e->ev, NULL, NULL, NULL, 1));
	return 0;
}

int ag_yemit_close(struct ag_yemit *e, struct ag_error *err)
{
	bool failed;

	emit(e, yaml_document_end_event_initialize(&e->ev, 1));
	emit(e, yaml_stream_end_event_initialize(&e->ev));
	if (!e->failed && !yaml_emitter_flush(&e->em))
		e->failed = true;
	if (e->failed)
		ag_error_set(err, "cannot write YAML: %s",
			     e->em.problem ? e->em.problem : "write error");
	failed = e->failed;
	yaml_emitter_delete(&e->em);
	return failed ? -1 : 0;
}

void ag_yemit_scalar(struct ag_yemit *e, const char *s, bool quoted)
{
	if (e->failed)
		return;
	emit(e, yaml_scalar_event_initialize(&e->ev, NULL, NULL,
					     (yaml_char_t *)s, (int)strlen(s),
					     1, 1, quoted ?
					     YAML_DOUBLE_QUOTED_SCALAR_STYLE :
					     YAML_PLAIN_SCALAR_STYLE));
}

void ag_yemit_map_start(struct ag_yemit *e, bool flow)
{
	if (e->failed)
		return;
	emit(e, yaml_mapping_start_event_initialize(&e->ev, NULL, NULL, 1,
		flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

void ag_yemit_map_end(struct ag_yemit *e)
{
	if (!e->failed)
		emit(e, yaml_mapping_end_event_initialize(&e->ev));
}

void ag_yemit_seq_start(struct ag_yemit *e, bool flow)
{
	if (e->failed)
		return;
	emit(e, yaml_sequence_start_event_initialize(&e->ev, NULL, NULL, 1,
		flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

void ag_yemit_seq_end(struct ag_yemit *e)
{
	if (!e->failed)
		emit(e, yaml_sequence_end_event_initialize(&e->ev));
}
