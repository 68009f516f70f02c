#!/bin/sh
# file-types.sh - a FIFO (or directory) where apgate expects one of its
# files is refused with a message, never waited on (issue 10): a policy
# file in a policy directory, the configuration, the block store, the
# decision log.  Descriptors named on the command line may be pipes.
# Each run is under timeout(1): a hang fails with status 124.
. "$(dirname "$0")/lib.sh"
require_tool timeout
require_tool mkfifo

S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml
P="--no-config --policy-dir policies"
# $TMP is mktemp -d under /tmp: the caller's, 0700, in a sticky directory.
chmod 755 "$TMP"
t() { timeout 20 "$@"; }

# --- a FIFO named a.lua in a policy directory ---
mkdir -m 755 "$TMP/pol"
cp policies/*.lua "$TMP/pol/"
chmod 644 "$TMP/pol"/*.lua
mkfifo -m 644 "$TMP/pol/a.lua"
t "$APGATE" check --no-config --no-audit --policy-dir "$TMP/pol" -s $S -t $T \
	> "$TMP/out" 2> "$TMP/err"
expect_status "FIFO policy file: error, no hang" 2 $?
expect_contains "FIFO policy file named" "$TMP/err" \
	"$TMP/pol/a.lua: refusing policy file: not a regular file (it is a FIFO)"
t "$APGATE" check --no-config --no-audit --insecure-policies --policy-dir "$TMP/pol" \
	-s $S -t $T > "$TMP/out" 2> "$TMP/err"
expect_status "FIFO policy file, --insecure-policies: error, no hang" 2 $?
expect_contains "FIFO policy file named (insecure)" "$TMP/err" "it is a FIFO"

# --- the configuration file ---
mkfifo -m 644 "$TMP/apgate.yaml"
t "$APGATE" check --config "$TMP/apgate.yaml" --no-audit --policy-dir policies \
	-s $S -t $T > "$TMP/out" 2> "$TMP/err"
expect_status "FIFO configuration: error, no hang" 2 $?
expect_contains "FIFO configuration named" "$TMP/err" \
	"$TMP/apgate.yaml: refusing configuration file: not a regular file (it is a FIFO)"

# --- the block store (state) ---
mkdir -m 755 "$TMP/state"
mkfifo -m 644 "$TMP/state/blocks.json"
t "$APGATE" blocks --state-dir "$TMP/state" > "$TMP/out" 2> "$TMP/err"
expect_status "FIFO block store: error, no hang" 2 $?
expect_contains "FIFO block store named" "$TMP/err" \
	"$TMP/state/blocks.json: not a regular file (it is a FIFO)"

# --- the decision log ---
mkfifo -m 600 "$TMP/log.jsonl"
t "$APGATE" check $P --audit-log "$TMP/log.jsonl" -s $S -t $T \
	> "$TMP/out" 2> "$TMP/err"
expect_status "FIFO decision log: error, no hang" 2 $?
expect_contains "FIFO decision log named" "$TMP/err" \
	"cannot open the decision log $TMP/log.jsonl: it is a FIFO, not a regular file"
for sub in verify show; do
	t "$APGATE" audit $sub "$TMP/log.jsonl" > "$TMP/out" 2>&1
	expect_status "audit $sub of a FIFO: error, no hang" 2 $?
	expect_contains "audit $sub names the FIFO" "$TMP/out" \
		"$TMP/log.jsonl: not a regular file (a FIFO), so not a decision log"
done
t "$APGATE" audit rotate "$TMP/log.jsonl" > "$TMP/out" 2>&1
expect_status "audit rotate of a FIFO: error, no hang" 2 $?
expect_contains "audit rotate names the FIFO" "$TMP/out" "it is a FIFO"
t "$APGATE" report --format md "$TMP/log.jsonl" > "$TMP/out" 2>&1
expect_status "report of a FIFO: error, no hang" 2 $?
mkdir "$TMP/dirlog"
t "$APGATE" check $P --audit-log "$TMP/dirlog" -s $S -t $T \
	> "$TMP/out" 2> "$TMP/err"
expect_contains "a directory as the decision log: refused" "$TMP/err" \
	"cannot open the decision log $TMP/dirlog: "

# --- descriptors named on the command line may be pipes ---
# what `--source <(ssh host apgate collect ...)` gives: /dev/fd/N, a pipe
cat $S | t "$APGATE" check $P --no-audit --source /dev/stdin --target $T \
	> "$TMP/out" 2> "$TMP/err"
expect_status "a pipe as --source is read" 0 $?
expect_contains "a pipe as --source gives a verdict" "$TMP/out" "verdict: accept"
mkfifo "$TMP/src.fifo"
cat $S > "$TMP/src.fifo" &
t "$APGATE" validate "$TMP/src.fifo" > "$TMP/out" 2> "$TMP/err"
expect_status "a named FIFO given as a descriptor is read" 0 $?
wait
expect_contains "the FIFO descriptor validates" "$TMP/out" "$TMP/src.fifo: ok"
t "$APGATE" validate "$TMP" > "$TMP/out" 2> "$TMP/err"
expect_contains "a directory as a descriptor: refused" "$TMP/err" \
	"$TMP: not a regular file (it is a directory)"

finish
