/* fuzz_audit - decision-log records: parse, read back, verify, append.
 *
 * Each line is parsed as a record; an accepted record's serialisation
 * must parse again to the same text.  The whole input is then a log file
 * (in a private directory, on tmpfs when there is one): verify and read
 * must not crash, and after one more append the log must verify intact
 * whenever it verified intact or torn before (the writer acknowledges an
 * interrupted write; it never disowns a record or breaks the chain).
 *
 * With the first byte odd, the "prev" of every line that is a record is
 * rewritten to the digest of the line before it, so the fuzzer reaches
 * the verifier's checks behind the hash chain.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auditlog.h"
#include "digest.h"
#include "fuzz.h"

static char *dir, *log_path;

static void cleanup(void)
{
	if (log_path)
		unlink(log_path);
	if (dir)
		rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/dev/shm/apgate-fuzz-audit-XXXXXX";
	char tmpl2[] = "/tmp/apgate-fuzz-audit-XXXXXX";

	(void)argc;
	(void)argv;
	dir = mkdtemp(tmpl) ? strdup(tmpl) : mkdtemp(tmpl2) ? strdup(tmpl2) : NULL;
	FUZZ_ASSERT(dir, "cannot make a temporary directory");
	FUZZ_ASSERT(asprintf(&log_path, "%s/decisions.jsonl", dir) > 0, "oom");
	atexit(cleanup);
	return 0;
}

static void check_serialize(json_object *rec)
{
	struct ag_error why;
	char *s1 = ag_audit_serialize(rec), *s2;
	json_object *again = ag_audit_parse_record(s1, strlen(s1), &why);

	FUZZ_ASSERT(again, "a serialised record does not parse: %s\n%s",
		    why.msg, s1);
	s2 = ag_audit_serialize(again);
	FUZZ_ASSERT(strcmp(s1, s2) == 0, "serialisation not stable\n%s\n%s",
		    s1, s2);
	json_object_put(again);
	free(s1);
	free(s2);
}

static int count(void *ctx, const struct ag_audit_entry *e)
{
	FUZZ_ASSERT(e->rec && e->line > 0, "entry without record");
	(*(size_t *)ctx)++;
	return 0;
}

static enum ag_audit_status verify(void)
{
	const char *paths[1] = { log_path };
	struct ag_audit_check res;
	enum ag_audit_status st;

	memset(&res, 0, sizeof(res));
	st = ag_auditlog_verify(paths, 1, &res);
	FUZZ_ASSERT(st == res.status, "overall status differs from the file's");
	FUZZ_ASSERT(st == AG_AUDIT_INTACT || res.msg[0],
		    "status %d without a message", (int)st);
	ag_audit_check_free(&res, 1);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *p, *end = text + size;
	bool fixup = size && (data[0] & 1);
	char prev[AG_SHA256_HEX_LEN] = AG_AUDIT_GENESIS;
	struct ag_error why;
	enum ag_audit_status before, after;
	json_object *rec;
	size_t records = 0;
	FILE *f;

	unlink(log_path);
	f = fopen(log_path, "we");
	FUZZ_ASSERT(f, "cannot write %s", log_path);
	fchmod(fileno(f), 0640);
	for (p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		rec = ag_audit_parse_record(p, len, &why);
		if (rec) {
			check_serialize(rec);
			if (fixup) {
				char *s;

				json_object_object_add(rec, "prev",
					json_object_new_string(prev));
				s = ag_audit_serialize(rec);
				fputs(s, f);
				ag_sha256_hex(s, strlen(s), prev);
				free(s);
			}
			json_object_put(rec);
		}
		if (!rec || !fixup) {
			fwrite(p, 1, len, f);
			ag_sha256_hex(p, len, prev);
		}
		if (nl)
			fputc('\n', f);
		p += len + (nl ? 1 : 0);
	}
	FUZZ_ASSERT(fclose(f) == 0, "cannot write %s", log_path);

	before = verify();
	FUZZ_ASSERT(ag_auditlog_read(log_path, count, &records, &why) == 0,
		    "cannot read back: %s", why.msg);
	rec = json_object_new_object();
	json_object_object_add(rec, "type", json_object_new_string("decision"));
	json_object_object_add(rec, "verdict", json_object_new_string("accept"));
	/* insecure: the harness is about records, not the log's location */
	if (ag_auditlog_append(log_path, rec, true, &why) == 0) {
		after = verify();
		if (before == AG_AUDIT_INTACT || before == AG_AUDIT_TORN)
			FUZZ_ASSERT(after == AG_AUDIT_INTACT, "log verified %d "
				    "before an append and %d after it",
				    (int)before, (int)after);
	}
	json_object_put(rec);
	return 0;
}
