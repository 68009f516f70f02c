#!/bin/sh
# malformed-descriptors.sh - `apgate validate` on the descriptor corpus.
#
# Every tests/data/descriptors/bad/NAME.yaml must be refused with exit
# status 1 and exactly one stderr line, "apgate: " + NAME.expected; every
# file in good/ must validate with exit status 0.  A status >= 128 (a
# signal: crash, sanitizer abort) always fails.  Self-contained on purpose:
# no tests/e2e/lib.sh.
#
# Environment: APGATE (the built binary), SRCDIR (the source tree).

: "${APGATE:?APGATE must name the apgate binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
cd "$SRCDIR" || exit 99

passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/apgate-malformed.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() {
	passed=$((passed + 1))
	echo "PASS: $1"
}

nok() {
	failed=$((failed + 1))
	echo "FAIL: $1: $2"
}

# expect_bad FILE EXPECTED-MESSAGE
expect_bad() {
	"$APGATE" validate "$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	printf 'apgate: %s\n' "$2" >"$tmp/want"
	if [ "$rc" -ge 128 ]; then
		nok "$1" "crashed (exit status $rc)"
	elif [ "$rc" -ne 1 ]; then
		nok "$1" "exit status $rc, expected 1"
	elif ! cmp -s "$tmp/err" "$tmp/want"; then
		nok "$1" "stderr differs: got '$(head -c 400 "$tmp/err")'," \
			"expected '$(cat "$tmp/want")'"
	else
		ok "$1"
	fi
}

expect_good() {
	"$APGATE" validate "$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		nok "$1" "exit status $rc, expected 0: $(head -c 400 "$tmp/err")"
	elif [ "$(cat "$tmp/out")" != "$1: ok" ]; then
		nok "$1" "stdout '$(head -c 200 "$tmp/out")', expected '$1: ok'"
	else
		ok "$1"
	fi
}

for f in tests/data/descriptors/bad/*.yaml; do
	exp=${f%.yaml}.expected
	if [ ! -f "$exp" ]; then
		nok "$f" "no $exp"
		continue
	fi
	expect_bad "$f" "$(cat "$exp")"
done

# Larger than AG_DESCRIPTOR_MAX_BYTES (16 MiB): generated, not committed.
big="$tmp/too-big.yaml"
{
	echo "apgate-descriptor: 1"
	echo "# padding"
} >"$big"
head -c 16777216 /dev/zero | tr '\0' '#' >>"$big"
expect_bad "$big" "$big: larger than the limit of 16777216 bytes"

# A missing file is a plain I/O error, still exit status 1.
expect_bad "$tmp/absent.yaml" \
	"$tmp/absent.yaml: cannot open: No such file or directory"

for f in tests/data/descriptors/good/*.yaml tests/data/descriptors/good/*.json
do
	[ -f "$f" ] || continue
	expect_good "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
