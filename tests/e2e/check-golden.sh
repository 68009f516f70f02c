#!/bin/sh
# check-golden.sh - `apgate check` against recorded verdicts.
#
# Each directory tests/data/golden/CASE/ holds source.yaml, target.yaml, an
# optional `args` file (extra command-line arguments on one line, split on
# white space) and the expected results:
#   expected.json    the --format json verdict, keys sorted, without the
#                    volatile decision_id, timestamp and duration_us
#   expected.txt     the --format text --explain output, byte for byte
#   expected.status  the exit status (0 accept/warn, 1 reject, 2 error)
# Every case runs from $SRCDIR with the default rules (--policy-dir
# policies), no configuration file and a fixed --now, so verdicts do not
# depend on the machine or the date.
#
# Regenerate the expected files after an intended change of rules, messages
# or output format, then review the diff before committing:
#   UPDATE_GOLDEN=1 APGATE=$PWD/src/apgate SRCDIR=$PWD sh tests/e2e/check-golden.sh
# Policy digests are part of the output: any edit of policies/*.lua needs
# this too.
#
# Environment: APGATE (the built binary), SRCDIR (the source root).

set -u

: "${APGATE:?APGATE must name the apgate binary}"
: "${SRCDIR:?SRCDIR must name the source root}"
NOW=2026-11-22T12:00:00Z

if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq is not installed (apt-get install jq)" >&2
	exit 77
fi

cd "$SRCDIR" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

# run CASE FORMAT-ARGS...: the verdict on stdout of the run, its exit
# status in $tmp/status.
run() {
	dir=tests/data/golden/$1
	shift
	extra=
	[ -f "$dir/args" ] && extra=$(cat "$dir/args")
	# $extra is split on white space on purpose: one line of arguments
	# shellcheck disable=SC2086
	"$APGATE" check --no-config --policy-dir policies --now "$NOW" \
		--source "$dir/source.yaml" --target "$dir/target.yaml" \
		$extra "$@" 2>"$tmp/stderr"
	echo $? >"$tmp/status"
}

for dir in tests/data/golden/*/; do
	case=$(basename "$dir")
	dir=${dir%/}
	problems=
	: >"$tmp/diffs"

	run "$case" --format json >"$tmp/raw.json"
	status=$(cat "$tmp/status")
	if ! jq -S 'del(.decision_id, .timestamp, .duration_us)' \
		"$tmp/raw.json" >"$tmp/got.json" 2>"$tmp/jq.err"; then
		problems="$problems json-unparsable"
		cp "$tmp/raw.json" "$tmp/got.json"
	fi
	run "$case" --format text --explain >"$tmp/got.txt"
	text_status=$(cat "$tmp/status")
	if [ "$text_status" != "$status" ]; then
		problems="$problems text-status($text_status)"
	fi

	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/got.json" "$dir/expected.json"
		cp "$tmp/got.txt" "$dir/expected.txt"
		echo "$status" >"$dir/expected.status"
		echo "updated $case (exit $status)"
	else
		if ! cmp -s "$tmp/got.json" "$dir/expected.json"; then
			problems="$problems json"
			diff -u "$dir/expected.json" "$tmp/got.json" >>"$tmp/diffs"
		fi
		if ! cmp -s "$tmp/got.txt" "$dir/expected.txt"; then
			problems="$problems text"
			diff -u "$dir/expected.txt" "$tmp/got.txt" >>"$tmp/diffs"
		fi
		expected_status=$(cat "$dir/expected.status" 2>/dev/null)
		if [ "$status" != "$expected_status" ]; then
			problems="$problems status($status, expected ${expected_status:-none})"
		fi
	fi

	if [ -n "$problems" ]; then
		echo "FAIL: $case:$problems"
		sed 's/^/    /' "$tmp/diffs"
		sed 's/^/    stderr: /' "$tmp/stderr"
		failed=$((failed + 1))
	else
		[ "${UPDATE_GOLDEN:-}" = 1 ] || echo "ok: $case"
		passed=$((passed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
