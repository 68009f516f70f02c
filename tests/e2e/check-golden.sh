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
# Every SHA-256 digest (of policy files, the policy set and descriptors)
# is masked as <sha256> on both sides, so editing a policy does not fail
# every case on digest noise; the one case "digests" checks the digests
# themselves against sha256sum(1).
#
# Regenerate the expected files after an intended change of rules, messages
# or output format, then review the diff before committing:
#   UPDATE_GOLDEN=1 APGATE=$PWD/src/apgate SRCDIR=$PWD sh tests/e2e/check-golden.sh
# UPDATE_GOLDEN is refused when CI is set: CI compares, it never records.
#
# Environment: APGATE (the built binary), SRCDIR (the source root).

set -u

: "${APGATE:?APGATE must name the apgate binary}"
: "${SRCDIR:?SRCDIR must name the source root}"
NOW=2026-11-22T12:00:00Z

if ! command -v jq >/dev/null 2>&1; then
	# lib.sh's skip, which this script does not source.
	[ "${APGATE_REQUIRE_ALL:-}" = 1 ] &&
		{ echo "FAIL: jq is not installed, and APGATE_REQUIRE_ALL=1 requires it"; exit 1; }
	echo "SKIP: jq is not installed (apt-get install jq)" >&2
	exit 77
fi

if [ "${UPDATE_GOLDEN:-}" = 1 ] && [ -n "${CI:-}" ]; then
	echo "check-golden.sh: UPDATE_GOLDEN=1 is refused when CI is set" >&2
	exit 99
fi
if ! command -v sha256sum >/dev/null 2>&1; then
	echo "check-golden.sh: sha256sum is missing (coreutils)" >&2
	exit 99
fi

cd "$SRCDIR" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

# Digests vary with every policy edit; the case "digests" checks them.
mask() {
	sed -E 's/[0-9a-f]{64}/<sha256>/g'
}

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
		"$tmp/raw.json" >"$tmp/unmasked.json" 2>"$tmp/jq.err"; then
		problems="$problems json-unparsable"
		cp "$tmp/raw.json" "$tmp/unmasked.json"
	fi
	mask <"$tmp/unmasked.json" >"$tmp/got.json"
	run "$case" --format text --explain | mask >"$tmp/got.txt"
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

# digests: the masked digests.  Policy digests against sha256sum(1) of
# the files; the policy set digest is SHA-256 over their "DIGEST  PATH"
# lines in load order (apgate(1), VERDICT FORMAT); a descriptor's digest
# is over its canonical JSON form, pinned here for accept-cca (its
# descriptors change only with the descriptor format).
dir=tests/data/golden/accept-cca
problems=
run accept-cca --format json >"$tmp/raw.json"
run accept-cca --format text --explain >"$tmp/raw.txt"
sha256sum policies/*.lua >"$tmp/sums"
want_set=$(sha256sum <"$tmp/sums" | cut -d' ' -f1)
jq -r '.policies[] | "\(.sha256)  \(.path)"' "$tmp/raw.json" >"$tmp/got-sums" ||
	problems="$problems json-unparsable"
cmp -s "$tmp/sums" "$tmp/got-sums" || problems="$problems policies"
got_set=$(jq -r .policy_set_sha256 "$tmp/raw.json")
[ "$got_set" = "$want_set" ] || problems="$problems policy_set_sha256($got_set)"
for pair in source:8a20471bacb874cf4eaa7cfa08f6e32fda1bf2972c386b18fadd371f68ba4bdc \
	    target:28ce29dd1e51660c962608536510121f664c6fbcc68acfbe17da5799448741c0; do
	side=${pair%%:*}
	want=${pair#*:}
	got=$(jq -r ".$side.sha256" "$tmp/raw.json")
	[ "$got" = "$want" ] || problems="$problems $side($got)"
	grep -qF "sha256 $want, from $dir/$side.yaml" "$tmp/raw.txt" ||
		problems="$problems text-$side"
done
grep -qF "policies (set sha256 $want_set):" "$tmp/raw.txt" ||
	problems="$problems text-set"
while read -r sum path; do
	grep -qxF "  $sum  $path" "$tmp/raw.txt" || problems="$problems text-$path"
done <"$tmp/sums"
if [ -n "$problems" ]; then
	echo "FAIL: digests:$problems"
	diff -u "$tmp/sums" "$tmp/got-sums" | sed 's/^/    /'
	failed=$((failed + 1))
else
	echo "ok: digests"
	passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
