# lib.sh - shared helpers of the end-to-end test scripts (sourced).
#
# Every script runs the real binary ($APGATE) from the source root
# ($SRCDIR), counts its cases with pass/fail, and ends with `finish`, which
# prints the "N passed, N failed" line and sets the exit status.  Exit 77
# means "skipped" to automake's test driver; with APGATE_REQUIRE_ALL=1
# (set by .ci/run) a skip is a failure, since CI must run every script.

: "${APGATE:?APGATE must name the apgate binary}"
: "${SRCDIR:?SRCDIR must name the source root}"
cd "$SRCDIR" || exit 99

passed=0
failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/apgate-e2e.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT

pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; shift; [ $# -gt 0 ] && printf '     %s\n' "$@"; }

# expect_status NAME WANT GOT
expect_status() {
	if [ "$3" -eq "$2" ]; then pass "$1"; else fail "$1" "exit status $3, expected $2"; fi
}

# expect_contains NAME FILE TEXT: FILE contains TEXT (fixed string)
expect_contains() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else
		fail "$1" "expected to find: $3" "in: $(head -c 600 "$2")"; fi
}

# expect_empty NAME FILE
expect_empty() {
	if [ ! -s "$2" ]; then pass "$1"; else fail "$1" "expected no output, got: $(head -c 300 "$2")"; fi
}

# A crash (signal) is never an acceptable way to refuse input.
no_crash() {
	if [ "$2" -ge 128 ]; then fail "$1" "killed by signal $(($2 - 128))"; return 1; fi
	return 0
}

# skip REASON: the script cannot run here.
skip() {
	if [ "${APGATE_REQUIRE_ALL:-}" = 1 ]; then
		echo "FAIL: cannot run ($1), and APGATE_REQUIRE_ALL=1 requires it"
		exit 1
	fi
	echo "SKIP: $1"
	exit 77
}

require_tool() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 not installed"
}

finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
