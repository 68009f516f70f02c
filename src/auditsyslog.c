/* auditsyslog.c - decision records to syslog(3), and the local chain
 * checked against a copy of them (see auditsyslog.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "auditlog_int.h"
#include "auditsyslog.h"
#include "digest.h"
#include "util.h"

#ifndef _PATH_LOG
#define _PATH_LOG "/dev/log"
#endif

/* Lines of an exported copy longer than this are not apgate's: skipped. */
#define AG_AGAINST_MAX_LINE (64u * 1024)
/* In an anchors-only message, strings longer than this are left out, so
 * the message stays bounded whatever a record holds. */
#define AG_CEE_ANCHOR_MAX 256u

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int ag_syslog_facility(const char *name, int *facility)
{
	size_t i;

	for (i = 0; i < AG_ARRAY_SIZE(facilities); i++) {
		if (strcmp(name, facilities[i].name) == 0) {
			*facility = facilities[i].facility;
			return 0;
		}
	}
	return -1;
}

/* The members that let a copy anchor the chain and name the decision. */
static const char *const anchors[] = {
	"apgate-audit", "caller", "decision_id", "guest", "host", "prev",
	"seq", "timestamp", "type", "verdict",
};

static char *serialize_with_cookie(json_object *msg)
{
	char *body = ag_audit_serialize(msg);
	char *out = xasprintf("%s%s", AG_CEE_COOKIE, body);

	free(body);
	return out;
}

char *ag_audit_cee(json_object *rec)
{
	char sha[AG_SHA256_HEX_LEN];
	char *line = ag_audit_serialize(rec);
	json_object *msg = json_object_new_object();
	char *out;
	size_t i;

	if (ag_sha256_hex(line, strlen(line), sha) < 0)
		sha[0] = '\0';
	free(line);
	json_object_object_foreach(rec, key, val)
		json_object_object_add(msg, key, json_object_get(val));
	json_object_object_add(msg, "sha256", json_object_new_string(sha));
	out = serialize_with_cookie(msg);
	json_object_put(msg);
	if (strlen(out) <= AG_CEE_MAX)
		return out;

	free(out);
	msg = json_object_new_object();
	for (i = 0; i < AG_ARRAY_SIZE(anchors); i++) {
		json_object *v;

		if (!json_object_object_get_ex(rec, anchors[i], &v))
			continue;
		if (json_object_is_type(v, json_type_string) &&
		    json_object_get_string_len(v) > (int)AG_CEE_ANCHOR_MAX)
			continue;
		json_object_object_add(msg, anchors[i], json_object_get(v));
	}
	json_object_object_add(msg, "sha256", json_object_new_string(sha));
	json_object_object_add(msg, "truncated", json_object_new_boolean(1));
	out = serialize_with_cookie(msg);
	json_object_put(msg);
	return out;
}

/* syslog(3) reports nothing: try the socket it will use, the way it
 * does (datagram first, then stream), to know whether anything listens. */
static int log_socket_error(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int types[] = { SOCK_DGRAM, SOCK_STREAM };
	int e = 0;
	size_t i;

	strncpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path) - 1);
	for (i = 0; i < AG_ARRAY_SIZE(types); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return errno;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			return 0;
		}
		e = errno;
		close(fd);
		if (e != EPROTOTYPE)
			break;
	}
	return e;
}

static int severity(json_object *rec)
{
	const char *v = ag_audit_get_str(rec, "verdict");

	if (!v)
		return LOG_INFO;	/* a rotation record */
	if (strcmp(v, "error") == 0)
		return LOG_ERR;
	if (strcmp(v, "reject") == 0)
		return LOG_WARNING;
	if (strcmp(v, "warn") == 0)
		return LOG_NOTICE;
	return LOG_INFO;
}

void ag_audit_syslog(json_object *rec, int facility)
{
	static bool reported;
	char *msg;
	int e = log_socket_error();

	if (e != 0) {
		if (!reported)
			fprintf(stderr, "apgate: warning: cannot send decision "
				"records to syslog (%s: %s); they are still in "
				"the local decision log\n", _PATH_LOG,
				strerror(e));
		reported = true;
		return;
	}
	msg = ag_audit_cee(rec);
	openlog("apgate", LOG_PID | LOG_NDELAY, facility);
	syslog(facility | severity(rec), "%s", msg);
	closelog();
	free(msg);
}

/* --- audit verify --against --- */

struct chain_rec {
	uint64_t seq;
	char sha256[AG_SHA256_HEX_LEN];
	char *decision_id;	/* NULL for rotation records */
};

struct chain {
	struct chain_rec *v;
	size_t n, cap;
};

static void chain_add(struct chain *c, uint64_t seq, const char *sha,
		      const char *id)
{
	struct chain_rec *r;

	c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof(*c->v));
	r = &c->v[c->n++];
	r->seq = seq;
	snprintf(r->sha256, sizeof(r->sha256), "%s", sha);
	r->decision_id = id ? xstrdup(id) : NULL;
}

static void chain_free(struct chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].decision_id);
	free(c->v);
}

static int by_seq(const void *a, const void *b)
{
	const struct chain_rec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct chain_rec *find_seq(const struct chain *c, uint64_t seq)
{
	struct chain_rec key = { .seq = seq };

	return bsearch(&key, c->v, c->n, sizeof(*c->v), by_seq);
}

static int local_visit(void *ctx, const struct ag_audit_entry *e)
{
	char sha[AG_SHA256_HEX_LEN];
	uint64_t seq;

	if (!ag_audit_get_u64(e->rec, "seq", &seq) ||
	    ag_sha256_hex(e->text, e->len, sha) < 0)
		return 0;
	chain_add(ctx, seq, sha, ag_audit_get_str(e->rec, "decision_id"));
	return 0;
}

/* One line of the copy: an apgate record, or nothing (1 = taken). */
static int exported_record(const char *line, struct chain *c)
{
	const char *p = strstr(line, AG_CEE_COOKIE);
	json_object *o;
	uint64_t seq, version;
	const char *sha;
	int taken = 0;

	if (!p)
		return 0;
	o = json_tokener_parse(p + strlen(AG_CEE_COOKIE));
	if (!o)
		return 0;
	sha = ag_audit_get_str(o, "sha256");
	if (json_object_is_type(o, json_type_object) &&
	    ag_audit_get_u64(o, "apgate-audit", &version) &&
	    ag_audit_get_u64(o, "seq", &seq) && sha &&
	    ag_audit_is_sha256_hex(sha)) {
		chain_add(c, seq, sha, ag_audit_get_str(o, "decision_id"));
		taken = 1;
	}
	json_object_put(o);
	return taken;
}

/* Read the copy's apgate records, bounded per line. */
static int read_export(const char *path, struct chain *c, char *msg,
		       size_t msgsz)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t len = 0;
	bool oversized = false;
	int ch;

	if (!f) {
		snprintf(msg, msgsz, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(AG_AGAINST_MAX_LINE + 1);
	while ((ch = getc(f)) != EOF) {
		if (ch != '\n') {
			if (len < AG_AGAINST_MAX_LINE)
				buf[len++] = (char)ch;
			else
				oversized = true;
			continue;
		}
		buf[len] = '\0';
		if (!oversized)
			exported_record(buf, c);
		len = 0;
		oversized = false;
	}
	if (len && !oversized) {
		buf[len] = '\0';
		exported_record(buf, c);
	}
	free(buf);
	if (ferror(f)) {
		snprintf(msg, msgsz, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static const char *id_of(const struct chain_rec *r)
{
	return r->decision_id ? r->decision_id : "a rotation record";
}

enum ag_audit_status ag_auditlog_verify_against(const char *const *paths,
						size_t n,
						const char *export_path,
						struct ag_against_result *res)
{
	struct chain local = { 0 }, exp = { 0 };
	struct ag_error err;
	size_t i;

	memset(res, 0, sizeof(*res));
	res->status = AG_AUDIT_FAILED;
	if (read_export(export_path, &exp, res->msg, sizeof(res->msg)) < 0)
		goto out;
	if (exp.n == 0) {
		snprintf(res->msg, sizeof(res->msg), "%s holds no apgate "
			 "decision records (no \"%s{...}\" messages)",
			 export_path, AG_CEE_COOKIE);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (ag_auditlog_read(paths[i], local_visit, &local, &err) < 0) {
			snprintf(res->msg, sizeof(res->msg), "%s", err.msg);
			goto out;
		}
	}
	qsort(local.v, local.n, sizeof(*local.v), by_seq);
	qsort(exp.v, exp.n, sizeof(*exp.v), by_seq);
	res->exported = exp.n;
	res->status = AG_AUDIT_INTACT;
	for (i = 0; i < exp.n; i++) {
		const struct chain_rec *x = &exp.v[i];
		const struct chain_rec *l = find_seq(&local, x->seq);

		if (i > 0 && exp.v[i - 1].seq == x->seq &&
		    strcmp(exp.v[i - 1].sha256, x->sha256) != 0) {
			res->status = AG_AUDIT_BROKEN;
			snprintf(res->msg, sizeof(res->msg), "%s holds two "
				 "different records with seq %llu", export_path,
				 (unsigned long long)x->seq);
			break;
		}
		if (!l && local.n && x->seq < local.v[0].seq) {
			res->unchecked++;	/* in a rotated file not given */
			continue;
		}
		if (!l) {
			res->status = AG_AUDIT_BROKEN;
			snprintf(res->msg, sizeof(res->msg), "record seq %llu "
				 "(%s) is in the exported copy but missing from "
				 "the local log: the local log was truncated or "
				 "records were deleted",
				 (unsigned long long)x->seq, id_of(x));
			break;
		}
		if (strcmp(l->sha256, x->sha256) != 0) {
			res->status = AG_AUDIT_BROKEN;
			snprintf(res->msg, sizeof(res->msg), "record seq %llu "
				 "(%s) differs from the exported copy (local "
				 "sha256 %s, exported %s): the local record was "
				 "rewritten", (unsigned long long)x->seq, id_of(x),
				 l->sha256, x->sha256);
			break;
		}
		res->matched++;
	}
	for (i = 0; i < local.n; i++)
		if (!find_seq(&exp, local.v[i].seq))
			res->local_only++;
out:
	chain_free(&local);
	chain_free(&exp);
	return res->status;
}
