/* place_run.c - evaluate every guest x host pair of one shard, in this
 * process or in --jobs worker processes.
 *
 * Policies are prepared once (ag_decider: read, trust-checked, hashed,
 * compiled) before any worker starts, so workers inherit them; each pair
 * then runs a fresh instance of them (no policy state crosses pairs).
 * Workers hand their pairs back as JSON lines through a pipe and end with
 * a count; a worker that dies, is killed or falls short is an error of
 * the whole run, never a pair quietly missing.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decide.h"
#include "inventory.h"
#include "place.h"
#include "util.h"

/* A worker's line: one pair, its findings capped (AG_PLACE_MAX_FINDINGS
 * of at most AG_PLACE_MAX_MESSAGE bytes each). */
#define MAX_LINE (2u * 1024 * 1024)

static void eval_pair(struct ag_decider *dc, const struct ag_place_run_opts *o,
		      const struct ag_place_guest *g,
		      const struct ag_place_host *h, struct ag_verdict *v)
{
	struct ag_decide_input di = { 0 };
	struct ag_descriptor *tgt = NULL;
	struct ag_error err;

	ag_verdict_init(v);
	if (ag_place_target(g->d, h->inv, &tgt, &err) < 0)
		ag_verdict_add_error(v, "input", "%s: cannot build the target "
				     "for guest %s: %s", h->path, g->name,
				     err.msg);
	di.cfg = o->cfg;
	di.src = g->d;
	di.tgt = tgt;
	di.src_path = g->path;
	di.tgt_path = h->path;
	di.now = o->now;
	di.caller = "place";
	di.guest = g->name;
	di.sides_unrecorded = true;
	ag_decider_decide(dc, &di, v);
	ag_descriptor_free(tgt);
}

/* The guests of this shard, as indexes into in->guests. */
static size_t *shard_guests(const struct ag_place_inputs *in,
			    const struct ag_place_run_opts *o, size_t *n)
{
	size_t *idx = xcalloc(in->n_guests ? in->n_guests : 1, sizeof(*idx));
	size_t i;

	*n = 0;
	for (i = 0; i < in->n_guests; i++)
		if (!o->shard_count || i % o->shard_count == o->shard_index - 1)
			idx[(*n)++] = i;
	return idx;
}

/* Run pairs of the shard's guests whose position modulo jobs is worker;
 * each result goes to emit(). */
typedef int (*emit_fn)(void *ud, size_t guest, size_t host,
		       const struct ag_verdict *v);

static int run_part(struct ag_decider *dc, const struct ag_place_inputs *in,
		    const struct ag_place_run_opts *o, const size_t *gidx,
		    size_t ng, unsigned worker, unsigned jobs, emit_fn emit,
		    void *ud)
{
	size_t i, h;

	for (i = worker; i < ng; i += jobs) {
		const struct ag_place_guest *g = &in->guests[gidx[i]];

		for (h = 0; h < in->n_hosts; h++) {
			struct ag_verdict v;
			int rc;

			/* A guest's own host is no placement. */
			if (strcmp(in->hosts[h].name, g->d->host) == 0)
				continue;
			eval_pair(dc, o, g, &in->hosts[h], &v);
			rc = emit(ud, i, h, &v);
			ag_verdict_free(&v);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

static int emit_local(void *ud, size_t guest, size_t host,
		      const struct ag_verdict *v)
{
	ag_place_result_add(ud, guest, host, v);
	return 0;
}

struct worker_out {
	struct ag_place_result *r;	/* for names */
	FILE *f;
	size_t n;
};

static int emit_pipe(void *ud, size_t guest, size_t host,
		     const struct ag_verdict *v)
{
	struct worker_out *w = ud;
	struct ag_place_result *r = w->r;
	json_object *o;
	int rc;

	/* Through the result's own conversion: the parent reads exactly
	 * what a single process would have recorded. */
	ag_place_result_add(r, guest, host, v);
	o = ag_place_pair_to_json(r, &r->pairs[r->n_pairs - 1]);
	rc = fprintf(w->f, "%s\n", json_object_to_json_string_ext(o,
		     JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	ag_place_result_free_pairs(r);
	w->n++;
	return rc < 0 ? -1 : 0;
}

struct worker {
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	bool done;		/* the final count line arrived and matched */
	size_t pairs;
};

static int take_line(struct ag_place_result *r, struct worker *w,
		     unsigned id, char *line, struct ag_error *err)
{
	json_object *o;
	char where[64];
	int rc;

	if (w->done) {
		ag_error_set(err, "worker %u wrote past its end", id);
		return -1;
	}
	if (strncmp(line, "end ", 4) == 0) {
		if (strtoull(line + 4, NULL, 10) != w->pairs) {
			ag_error_set(err, "worker %u lost pairs", id);
			return -1;
		}
		w->done = true;
		return 0;
	}
	o = json_tokener_parse(line);
	snprintf(where, sizeof(where), "worker %u", id);
	rc = o ? ag_place_pair_from_json(r, o, where, err) : -1;
	if (!o)
		ag_error_set(err, "worker %u wrote a malformed pair", id);
	json_object_put(o);
	w->pairs++;
	return rc;
}

/* Read what the workers write until every pipe is closed. */
static int collect(struct ag_place_result *r, struct worker *ws,
		   unsigned jobs, struct ag_error *err)
{
	struct pollfd *pf = xcalloc(jobs, sizeof(*pf));
	unsigned open_ = jobs, i;
	int rc = 0;

	while (open_ && rc == 0) {
		for (i = 0; i < jobs; i++) {
			pf[i].fd = ws[i].fd;
			pf[i].events = POLLIN;
		}
		if (poll(pf, jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			ag_error_set(err, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		for (i = 0; i < jobs && rc == 0; i++) {
			struct worker *w = &ws[i];
			char *nl;
			ssize_t got;

			if (w->fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP |
							     POLLERR)))
				continue;
			w->buf = xgrow(w->buf, &w->cap, w->len + 65536, 1);
			got = read(w->fd, w->buf + w->len, 65536);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(w->fd);
				w->fd = -1;
				open_--;
				continue;
			}
			w->len += (size_t)got;
			while (rc == 0 && (nl = memchr(w->buf, '\n', w->len))) {
				size_t used = (size_t)(nl - w->buf) + 1;

				*nl = '\0';
				rc = take_line(r, w, i + 1, w->buf, err);
				memmove(w->buf, w->buf + used, w->len - used);
				w->len -= used;
			}
			if (rc == 0 && w->len > MAX_LINE) {
				ag_error_set(err, "worker %u wrote a line of "
					     "more than %u bytes", i + 1,
					     MAX_LINE);
				rc = -1;
			}
		}
	}
	free(pf);
	return rc;
}

static int run_workers(struct ag_decider *dc, const struct ag_place_inputs *in,
		       const struct ag_place_run_opts *o, const size_t *gidx,
		       size_t ng, struct ag_place_result *r,
		       struct ag_error *err)
{
	unsigned jobs = o->jobs, i;
	struct worker *ws = xcalloc(jobs, sizeof(*ws));
	int rc = 0, status;

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < jobs; i++) {
		int p[2];

		ws[i].fd = -1;
		if (pipe(p) < 0 || (ws[i].pid = fork()) < 0) {
			ag_error_set(err, "cannot start worker %u: %s", i + 1,
				     strerror(errno));
			rc = -1;
			break;
		}
		if (ws[i].pid == 0) {
			struct worker_out wo = { r, fdopen(p[1], "w"), 0 };
			unsigned j;

			close(p[0]);
			for (j = 0; j < i; j++)
				if (ws[j].fd >= 0)
					close(ws[j].fd);
			if (!wo.f ||
			    run_part(dc, in, o, gidx, ng, i, jobs, emit_pipe,
				     &wo) < 0 ||
			    fprintf(wo.f, "end %zu\n", wo.n) < 0 ||
			    fclose(wo.f) != 0)
				_exit(2);
			_exit(0);
		}
		close(p[1]);
		ws[i].fd = p[0];
	}
	if (rc == 0)
		rc = collect(r, ws, jobs, err);
	for (i = 0; i < jobs; i++) {
		if (ws[i].fd >= 0)
			close(ws[i].fd);
		if (ws[i].pid <= 0)
			continue;
		if (rc < 0)
			kill(ws[i].pid, SIGTERM);
		while (waitpid(ws[i].pid, &status, 0) < 0 && errno == EINTR)
			;
		if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			if (WIFSIGNALED(status))
				ag_error_set(err, "worker %u of %u died (signal "
					     "%d); no result", i + 1, jobs,
					     WTERMSIG(status));
			else
				ag_error_set(err, "worker %u of %u failed (exit "
					     "%d); no result", i + 1, jobs,
					     WEXITSTATUS(status));
			rc = -1;
		}
		if (rc == 0 && !ws[i].done) {
			ag_error_set(err, "worker %u of %u ended early; no "
				     "result", i + 1, jobs);
			rc = -1;
		}
		free(ws[i].buf);
	}
	free(ws);
	return rc;
}

int ag_place_run(const struct ag_place_inputs *in,
		 const struct ag_place_run_opts *o, struct ag_place_result *r,
		 struct ag_error *err)
{
	struct ag_decider *dc;
	size_t ng, i, *gidx = shard_guests(in, o, &ng);
	int rc = -1;

	ag_place_result_init(r);
	ag_time_format(o->now, r->now);
	r->shard_index = o->shard_index;
	r->shard_count = o->shard_count;
	r->shard_guests_total = o->shard_count ? in->n_guests : 0;
	r->n_guests = ng;
	r->guests = xcalloc(ng ? ng : 1, sizeof(*r->guests));
	r->guest_hosts = xcalloc(ng ? ng : 1, sizeof(*r->guest_hosts));
	for (i = 0; i < ng; i++) {
		r->guests[i] = xstrdup(in->guests[gidx[i]].name);
		r->guest_hosts[i] = xstrdup(in->guests[gidx[i]].d->host);
	}
	r->n_hosts = in->n_hosts;
	r->hosts = xcalloc(in->n_hosts ? in->n_hosts : 1, sizeof(*r->hosts));
	for (i = 0; i < in->n_hosts; i++)
		r->hosts[i] = xstrdup(in->hosts[i].name);

	dc = ag_decider_new(o->cfg);
	if (ag_decider_failure(dc)) {
		ag_error_set(err, "%s", ag_decider_failure(dc));
		goto out;
	}
	if (o->jobs <= 1 || ng <= 1)
		rc = run_part(dc, in, o, gidx, ng, 0, 1, emit_local, r);
	else
		rc = run_workers(dc, in, o, gidx, ng, r, err);
	if (rc == 0) {
		struct ag_verdict v;

		/* The policies every pair ran, for the result's header. */
		ag_verdict_init(&v);
		ag_decider_record(dc, &v);
		ag_verdict_finish(&v);
		ag_place_result_set_policies(r, &v);
		ag_verdict_free(&v);
	}
	ag_place_result_sort(r);
out:
	ag_decider_free(dc);
	free(gidx);
	return rc;
}
