#!/bin/sh
# hook-failclosed.sh - every way out of the hook that is not a verdict
# still refuses the migration.  A site policy stuck in C pattern
# backtracking (string.find, where no instruction hook fires) meets the
# hook's whole-run timer or the sandbox's fatal backstop; a bloating policy
# meets the memory cap; a signal ends a stuck hook.  The refusals exit 1
# (libvirt aborts the migration on any non-zero status, DOMAIN.md 7.2) with
# exactly one stderr line and nothing on stdout.  A control run with a
# harmless site policy accepts, so each refusal is the stuck or bloated
# policy's doing, not the setup's.  The target is the recorded CCA host
# under umockdev-run, as in hook-live.sh; each case has its own state
# directory, decision log and configuration.
. "$(dirname "$0")/lib.sh"
require_tool umockdev-run

UUID=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
HOST=tests/sysfs/cca-host.umockdev
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

umockdev-run -d $HOST -- "$APGATE" collect --mdev $UUID --host lpar-a.example.com \
	--keys tests/data/hook/target-keys.yaml > "$TMP/same.yaml" 2> "$TMP/collect.err"
expect_status "collect the target under umockdev" 0 $?
"$APGATE" export --no-config --no-blocks --from "$TMP/same.yaml" > "$TMP/elem" ||
	fail "export the source descriptor"
awk -v f="$TMP/elem" '/<devices>/ { print "  <metadata>"; while ((getline l < f) > 0) print l; print "  </metadata>" } 1' \
	tests/data/hook/guest-s390x.xml > "$TMP/guest.xml"

# setup NAME POLICY-BODY CONFIG-LINES: a case directory with its own
# configuration (CONFIG-LINES appended), state, log and site policy.
setup() {
	d="$TMP/$1"
	mkdir -p "$d/state" "$d/site"
	printf '%s\n' "$2" > "$d/site/90-site.lua"
	{ printf 'keys_file: %s/tests/data/hook/target-keys.yaml\n' "$SRCDIR"
	  printf 'site_policy_dir: %s/site\n' "$d"
	  printf 'audit: {log: %s/audit.jsonl}\n' "$d"
	  printf '%s\n' "$3"; } > "$d/apgate.yaml"
}

# hook NAME: run the hook of case NAME under umockdev; status in $d/rc.
hook() {
	d="$TMP/$1"
	umockdev-run -d $HOST -- "$APGATE" hook --config "$d/apgate.yaml" \
		--policy-dir policies --state-dir "$d/state" \
		zguest1 migrate begin - < "$TMP/guest.xml" > "$d/out" 2> "$d/err"
	echo $? > "$d/rc"
}

# refused NAME STDERR-TEXT: exit 1, stdout empty, one stderr line holding
# STDERR-TEXT.
refused() {
	d="$TMP/$1"
	expect_status "$1: exit status" 1 "$(cat "$d/rc")"
	expect_empty "$1: stdout empty" "$d/out"
	expect_contains "$1: stderr says why" "$d/err" "$2"
	if [ "$(wc -l < "$d/err")" -eq 1 ]; then pass "$1: one stderr line"
	else fail "$1: one stderr line" "$(cat "$d/err")"; fi
}

STUCK='rule{ id = "site.stuck", check = function()
  string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40) .. "b")
end }'
BLOAT='rule{ id = "site.bloat", check = function()
  local s = "x" while true do s = s .. s end
end }'

# The control: the same setup with a harmless site rule lets it through.
setup control 'rule{ id = "site.fine", check = function() end }' ''
hook control
expect_status "control: exit status" 0 "$(cat "$TMP/control/rc")"
expect_empty "control: stdout empty" "$TMP/control/out"
expect_empty "control: stderr empty" "$TMP/control/err"
expect_contains "control: the site rule ran" "$TMP/control/audit.jsonl" '"site.fine"'

# The whole-run timer (hook.timeout_ms) fires while the policy is stuck in
# C; the per-call backstop is far away.
setup timer "$STUCK" 'hook: {timeout_ms: 300}
limits: {timeout_ms: 60000}'
hook timer
refused timer "apgate: error: hook: time limit exceeded; migration refused"

# The sandbox's backstop fires, the matcher ignores it for the grace
# period: the process leaves through the fatal exit, with the hook's
# refusal status.
setup fatal "$STUCK" 'hook: {timeout_ms: 60000}
limits: {timeout_ms: 200}'
hook fatal
refused fatal "apgate: error: policy evaluation exceeded its time limit of 200 ms inside a library call"

# The memory cap stops a bloating policy: verdict error, refused.
setup memory "$BLOAT" 'limits: {memory_mb: 8}'
hook memory
refused memory "apgate: error: "
expect_contains "memory: names the cap" "$TMP/memory/err" "memory limit"
expect_contains "memory: names the file" "$TMP/memory/err" "90-site.lua"

# A signal ends a stuck hook: refused like every other way out (exit 1,
# one stderr line) and nothing on stdout.
setup signal "$STUCK" 'hook: {timeout_ms: 60000}
limits: {timeout_ms: 60000}'
d="$TMP/signal"
umockdev-run -d $HOST -- /bin/sh -c '
	"$0" hook --config "$1/apgate.yaml" --policy-dir policies \
		--state-dir "$1/state" zguest1 migrate begin - \
		< "$2" > "$1/out" 2> "$1/err" &
	echo $! > "$1/pid"
	wait $!
	echo $? > "$1/rc"' "$APGATE" "$d" "$TMP/guest.xml" &
runner=$!
# Wait until the hook is in the policy (or 10 s), then stop it.
i=0
while [ $i -lt 100 ] && ! [ -s "$d/pid" ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
[ -s "$d/pid" ] && kill -TERM "$(cat "$d/pid")"
wait $runner
st=$(cat "$d/rc" 2>/dev/null || echo 0)
expect_status "signal: refused (exit 1)" 1 "$st"
expect_contains "signal: says so" "$d/err" \
	"apgate: error: hook: stopped by a signal; migration refused"
if [ "$(wc -l < "$d/err")" -eq 1 ]; then pass "signal: one stderr line"
else fail "signal: one stderr line" "$(cat "$d/err")"; fi
expect_empty "signal: stdout empty" "$d/out"

finish
