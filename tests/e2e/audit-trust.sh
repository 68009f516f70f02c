#!/bin/sh
# audit-trust.sh - as root, the decision log is trust-checked like policy
# files (issue 10): a log or a directory above it that someone other than
# root could write, or a symbolic link on its path, is refused with the
# fix; --insecure-audit-log overrides (recorded); an unprivileged user's
# own log in a temporary directory is accepted.  Needs root (chown,
# setpriv); skipped otherwise.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
require_tool setpriv

S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml
P="--no-config --policy-dir policies"
NOBODY=$(id -u nobody)
# $TMP is mktemp -d under /tmp: root's, 0700, in a sticky directory.
chmod 755 "$TMP"
run_check() { # LOG [OPTION]...
	log=$1; shift
	"$APGATE" check $P --audit-log "$log" -s $S -t $T "$@" \
		> "$TMP/out" 2> "$TMP/err"
}

mkdir -m 755 "$TMP/ok"
run_check "$TMP/ok/d.jsonl"
expect_status "root's log in root's directory: accepted" 0 $?
"$APGATE" audit verify "$TMP/ok/d.jsonl" > /dev/null 2>&1
expect_status "and written" 0 $?

# world-writable, not sticky
mkdir -m 755 "$TMP/ww"
chmod 777 "$TMP/ww"
run_check "$TMP/ww/d.jsonl"
expect_status "world-writable directory: error" 2 $?
expect_contains "world-writable directory named, with the fix" "$TMP/err" \
	"$TMP/ww/d.jsonl: refusing decision log: parent directory $TMP/ww is writable by others; fix: chown root:root $TMP/ww && chmod go-w $TMP/ww (or --insecure-audit-log while developing)"
if [ ! -e "$TMP/ww/d.jsonl" ]; then pass "no log left in a refused directory"
else fail "no log left in a refused directory"; fi
# ... also for a deeper log whose directories apgate creates
run_check "$TMP/ww/new/sub/d.jsonl"
expect_contains "created directories below a bad one: refused" "$TMP/err" \
	"parent directory $TMP/ww is writable by others"
run_check "$TMP/ww/d.jsonl" --insecure-audit-log
expect_status "--insecure-audit-log skips the checks" 0 $?
expect_contains "--insecure-audit-log is recorded" "$TMP/ww/d.jsonl" '"insecure_audit_log":true'

# sticky and root-owned, like /tmp: fine
mkdir -m 1777 "$TMP/sticky"
run_check "$TMP/sticky/d.jsonl"
expect_status "sticky root-owned directory: accepted" 0 $?

# a directory owned by another user
mkdir -m 755 "$TMP/other"
chown nobody "$TMP/other"
run_check "$TMP/other/d.jsonl"
expect_status "directory owned by nobody: error" 2 $?
expect_contains "foreign directory named" "$TMP/err" \
	"refusing decision log: parent directory $TMP/other is owned by uid $NOBODY, not by root; fix: chown root:root $TMP/other"

# a symbolic link among the directories
ln -s ok "$TMP/link"
run_check "$TMP/link/d.jsonl"
expect_status "symlinked parent: error" 2 $?
expect_contains "symlinked parent named, with its target" "$TMP/err" \
	"$TMP/link/d.jsonl: refusing decision log: parent directory $TMP/link is a symbolic link to $TMP/ok; name the real directory"

# a pre-created 0666 log owned by nobody
mkdir -m 755 "$TMP/pre"
: > "$TMP/pre/d.jsonl"
chown nobody "$TMP/pre/d.jsonl"
chmod 666 "$TMP/pre/d.jsonl"
run_check "$TMP/pre/d.jsonl"
expect_status "log owned by nobody, mode 0666: error" 2 $?
expect_contains "foreign log named, with the fix" "$TMP/err" \
	"$TMP/pre/d.jsonl: refusing decision log: it is owned by uid $NOBODY, not by root; fix: chown root:root $TMP/pre/d.jsonl && chmod go-w $TMP/pre/d.jsonl"
expect_contains "the verdict is error" "$TMP/out" "verdict: error"
if [ ! -s "$TMP/pre/d.jsonl" ]; then pass "nothing written to the foreign log"
else fail "nothing written to the foreign log"; fi
chown root "$TMP/pre/d.jsonl"
run_check "$TMP/pre/d.jsonl"
expect_contains "root's log writable by others: refused" "$TMP/err" \
	"refusing decision log: it is writable by others"

# rotate is checked too, and takes --insecure-audit-log
cp "$TMP/ok/d.jsonl" "$TMP/ww/r.jsonl"
"$APGATE" audit rotate "$TMP/ww/r.jsonl" > "$TMP/out" 2> "$TMP/err"
expect_status "rotate in a world-writable directory: error" 2 $?
expect_contains "rotate names the directory" "$TMP/err" \
	"parent directory $TMP/ww is writable by others"
"$APGATE" audit rotate --insecure-audit-log "$TMP/ww/r.jsonl" > "$TMP/out" 2>&1
expect_status "rotate --insecure-audit-log" 0 $?

# an unprivileged user: no checks, their own log in their own directory
mkdir -m 700 "$TMP/user"
chown nobody "$TMP/user"
# (its own state directory too: the default one is root's)
printf 'state_dir: %s\n' "$TMP/user" > "$TMP/user.yaml"
chmod 644 "$TMP/user.yaml"
setpriv --reuid nobody --regid nogroup --clear-groups \
	"$APGATE" check --config "$TMP/user.yaml" --policy-dir policies \
	--audit-log "$TMP/user/d.jsonl" -s $S -t $T > "$TMP/out" 2> "$TMP/err"
expect_status "non-root user's own log: accepted" 0 $?
expect_empty "non-root user's own log: no message" "$TMP/err"
setpriv --reuid nobody --regid nogroup --clear-groups \
	"$APGATE" audit verify "$TMP/user/d.jsonl" > "$TMP/out" 2>&1
expect_contains "non-root user's log verifies" "$TMP/out" "intact: 1 record(s)"

finish
