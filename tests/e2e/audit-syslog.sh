#!/bin/sh
# audit-syslog.sh - decision records in syslog, with a real rsyslogd: in a
# private mount namespace, /dev is a fresh tmpfs whose /dev/log belongs to
# an rsyslogd started here and writing to a file.  Records arrive as one
# "@cee: {...}" message each, parse as JSON, carry seq and the chain hash;
# `audit verify --against` passes on that copy, then names the first record
# after the local log is truncated or rewritten; a missing /dev/log never
# changes a verdict and is reported once.
# Needs root (mount namespace, mounts) and rsyslogd; skipped otherwise.
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# lib.sh's skip (not sourced yet: its temporary directory would outlive
# the exec below).
skip_early() {
	[ "${APGATE_REQUIRE_ALL:-}" = 1 ] &&
		{ echo "FAIL: cannot run ($1), and APGATE_REQUIRE_ALL=1 requires it"; exit 1; }
	echo "SKIP: $1"
	exit 77
}
if [ -z "${APGATE_SYSLOG_NS:-}" ]; then
	command -v rsyslogd > /dev/null 2>&1 || command -v /usr/sbin/rsyslogd > /dev/null 2>&1 ||
		skip_early "rsyslogd not installed"
	unshare -m --propagation private true 2> /dev/null ||
		skip_early "cannot make a mount namespace (needs root)"
	APGATE_SYSLOG_NS=1 exec unshare -m --propagation private "$self"
fi
. "$(dirname "$self")/lib.sh"
PATH=$PATH:/usr/sbin:/sbin

RSYSLOG_PID=
cleanup() {
	[ -n "$RSYSLOG_PID" ] && kill "$RSYSLOG_PID" 2> /dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# A /dev of our own: the device nodes the tools need, bound from the host's,
# and no /dev/log until rsyslogd makes one.  The host's /dev is unmounted
# from $TMP at once, so removing $TMP can never reach it.
mkdir "$TMP/hostdev"
mount --rbind /dev "$TMP/hostdev" || { echo "cannot bind /dev"; exit 99; }
mount -t tmpfs -o mode=0755 apgate-dev /dev || { umount -l "$TMP/hostdev"; exit 99; }
for n in null zero full random urandom; do
	: > "/dev/$n" && mount --bind "$TMP/hostdev/$n" "/dev/$n"
done
umount -l "$TMP/hostdev" && rmdir "$TMP/hostdev" || exit 99
ln -s /proc/self/fd /dev/fd
mkdir /dev/shm

P="--policy-dir policies"
S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml
RS=examples/missing-apqn/source.yaml
RT=examples/missing-apqn/target.yaml
LOG="$TMP/log/decisions.jsonl"
MSGS="$TMP/messages"
cat > "$TMP/apgate.yaml" <<EOF
audit:
  log: $LOG
  syslog: true
  syslog_facility: local3
EOF
chmod 0644 "$TMP/apgate.yaml"
C="--config $TMP/apgate.yaml"

# --- without a syslog daemon: the decision stands, reported once ---
"$APGATE" check $C $P -s $S -t $T > "$TMP/out" 2> "$TMP/err"
expect_status "no /dev/log: the verdict stands (accept)" 0 $?
expect_contains "no /dev/log: reported on stderr" "$TMP/err" \
	"apgate: warning: cannot send decision records to syslog (/dev/log: No such file or directory); they are still in the local decision log"
[ "$(wc -l < "$TMP/err")" -eq 1 ] && pass "no /dev/log: one stderr line" ||
	fail "no /dev/log: one stderr line" "$(cat "$TMP/err")"
[ "$(wc -l < "$LOG")" -eq 1 ] && pass "no /dev/log: the record is in the local log" ||
	fail "no /dev/log: the record is in the local log"
rm -rf "$TMP/log"

# --- a real rsyslogd on the private /dev/log ---
cat > "$TMP/rsyslog.conf" <<EOF
global(workDirectory="$TMP")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.Unlink="on")
template(name="apgate" type="string"
	string="%timereported% %syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\n")
*.* action(type="omfile" file="$MSGS" template="apgate")
EOF
rsyslogd -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" > "$TMP/rsyslogd.out" 2>&1 &
RSYSLOG_PID=$!
i=0
while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S /dev/log ] || { echo "rsyslogd did not start: $(cat "$TMP/rsyslogd.out")"; exit 99; }

# wait_records N: until the copy holds N apgate records (rsyslog writes
# asynchronously), at most 5 s.
wait_records() {
	i=0
	while [ "$(grep -c '@cee: ' "$MSGS" 2> /dev/null || echo 0)" -lt "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

"$APGATE" check $C $P -s $S -t $T > /dev/null 2> "$TMP/err"
expect_status "accept with syslog on" 0 $?
expect_empty "a reachable syslog: nothing on stderr" "$TMP/err"
"$APGATE" check $C $P -s $RS -t $RT > /dev/null 2>&1
expect_status "reject with syslog on" 1 $?
wait_records 2
[ "$(grep -c '@cee: ' "$MSGS")" -eq 2 ] && pass "both records arrive in syslog" ||
	fail "both records arrive in syslog" "$(cat "$MSGS")"
expect_contains "accept: facility local3, severity info, tag apgate[PID]" "$MSGS" "local3.info apgate["
expect_contains "reject: severity warning" "$MSGS" "local3.warning apgate["

# Each message is the record plus its chain hash, as JSON.
sed -n 's/^.*@cee: //p' "$MSGS" > "$TMP/cee"
if jq -e -s 'length == 2 and all(.[]; .["apgate-audit"] == 1 and (.seq | type) == "number"
	and (.sha256 | test("^[0-9a-f]{64}$")) and (.prev | test("^[0-9a-f]{64}$")))' \
	"$TMP/cee" > /dev/null; then
	pass "messages parse as JSON records with seq, prev and sha256"
else fail "messages parse as JSON records with seq, prev and sha256" "$(cat "$TMP/cee")"; fi
local_sha=$(head -n 1 "$LOG" | tr -d '\n' | sha256sum | cut -d' ' -f1)
cee_sha=$(head -n 1 "$TMP/cee" | jq -r .sha256)
[ "$local_sha" = "$cee_sha" ] && pass "sha256 is the digest of the local record's line" ||
	fail "sha256 is the digest of the local record's line" "local $local_sha, sent $cee_sha"
first_id=$(head -n 1 "$LOG" | jq -r .decision_id)
[ "$(head -n 1 "$TMP/cee" | jq -r '.decision_id + " " + .verdict')" = "$first_id accept" ] &&
	pass "the message carries the record's fields" ||
	fail "the message carries the record's fields" "$(head -n 1 "$TMP/cee")"

"$APGATE" audit verify --against "$MSGS" "$LOG" > "$TMP/out" 2>&1
expect_status "verify --against an intact copy" 0 $?
expect_contains "verify --against: every record matched" "$TMP/out" \
	"$MSGS: intact: 2 exported record(s) match the local log"

# A record too long for one syslog message goes as its chain anchors.
cat > "$TMP/big.yaml" <<EOF
audit:
  log: $LOG
  syslog: true
  syslog_facility: local3
  store_descriptors: true
EOF
chmod 0644 "$TMP/big.yaml"
"$APGATE" check --config "$TMP/big.yaml" $P -s $S -t $T > /dev/null 2>&1
expect_status "a large record (descriptors stored)" 0 $?
wait_records 3
big=$(sed -n 's/^.*@cee: //p' "$MSGS" | sed -n 3p)
if [ "$(tail -n 1 "$LOG" | wc -c)" -gt 7680 ] && [ "$(printf '%s' "$big" | wc -c)" -le 7680 ] &&
	printf '%s' "$big" | jq -e '.truncated == true and .seq == 3 and (has("descriptors") | not)
		and .verdict == "accept"' > /dev/null; then
	pass "an oversized record is sent as its chain anchors, within 7680 bytes"
else fail "an oversized record is sent as its chain anchors, within 7680 bytes" "$big"; fi

# The rotation record is a link of the chain: it is sent too.
"$APGATE" audit rotate $C > "$TMP/out" 2>&1
expect_status "audit rotate" 0 $?
wait_records 4
sed -n 's/^.*@cee: //p' "$MSGS" | sed -n 4p | jq -e '.type == "rotation" and .seq == 4' > /dev/null &&
	pass "the rotation record is sent" || fail "the rotation record is sent" "$(tail -n 2 "$MSGS")"
rotated=$(ls "$TMP"/log/decisions.jsonl.2*)
"$APGATE" audit verify --against "$MSGS" "$rotated" "$LOG" > "$TMP/out" 2>&1
expect_status "verify --against across a rotation" 0 $?
expect_contains "verify --against across a rotation: 4 matched" "$TMP/out" \
	"intact: 4 exported record(s) match the local log"
"$APGATE" audit verify --against "$MSGS" "$LOG" > "$TMP/out" 2>&1
expect_status "verify --against the live file alone" 0 $?
expect_contains "records in a rotated file not given are not judged" "$TMP/out" \
	"intact: 1 exported record(s) match the local log, 3 older than the files given"

# --- tampering that only an off-host copy shows ---
"$APGATE" check $C $P -s $S -t $T > /dev/null 2>&1
wait_records 5
last_id=$(tail -n 1 "$LOG" | jq -r .decision_id)
cp "$LOG" "$TMP/live.orig"
sed -i '$d' "$LOG"		# drop the newest record: the chain stays intact
"$APGATE" audit verify "$LOG" > "$TMP/out" 2>&1
expect_status "truncated: the chain alone still verifies" 0 $?
"$APGATE" audit verify --against "$MSGS" "$rotated" "$LOG" > "$TMP/out" 2>&1
expect_status "truncated: verify --against fails (exit 1)" 1 $?
expect_contains "truncated: names the missing record" "$TMP/out" \
	"$MSGS: BROKEN: record seq 5 ($last_id) is in the exported copy but missing from the local log: the local log was truncated or records were deleted"

cp "$TMP/live.orig" "$LOG"
sed -i '$s/"verdict":"accept"/"verdict":"reject"/' "$LOG"
"$APGATE" audit verify --against "$MSGS" "$rotated" "$LOG" > "$TMP/out" 2>&1
expect_status "rewritten: verify --against fails (exit 1)" 1 $?
expect_contains "rewritten: names the record that differs" "$TMP/out" \
	"$MSGS: BROKEN: record seq 5 ($last_id) differs from the exported copy"

printf 'Nov 30 05:00:00 local3.info other[1]: hello\n' > "$TMP/none"
"$APGATE" audit verify --against "$TMP/none" "$rotated" "$LOG" > "$TMP/out" 2>&1
expect_status "a copy without apgate records: error (exit 2)" 2 $?
expect_contains "a copy without apgate records: says so" "$TMP/out" \
	"$TMP/none: error: $TMP/none holds no apgate decision records"

# --- configuration ---
printf 'audit:\n  syslog: true\n  syslog_facility: kern\n' > "$TMP/bad.yaml"
chmod 0644 "$TMP/bad.yaml"
"$APGATE" check --config "$TMP/bad.yaml" --no-audit $P -s $S -t $T > "$TMP/out" 2>&1
expect_status "unknown facility: error" 2 $?
expect_contains "unknown facility: names the place and the choices" "$TMP/out" \
	"$TMP/bad.yaml:3:20: expected a syslog facility (auth, authpriv, daemon, user, local0 .. local7)"

finish
