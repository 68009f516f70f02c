#!/bin/sh
# rollout-report.sh - dry-run and waived decisions in the decision log and
# in `apgate report`: the record keeps the real verdict with
# "enforced": false; the report counts and lists would-have-been-rejected
# decisions apart from enforced ones, and tables the waivers with who
# granted them, why, until when and how many decisions each changed.  The
# HTML is checked as headless Chromium renders
# it (DOM and a screenshot), like report-chromium.sh.
. "$(dirname "$0")/lib.sh"
require_tool jq

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
LOG="$TMP/decisions.jsonl"
D=examples/cca-mkvp-mismatch
A=examples/cca-match
NOW=2026-11-22T12:00:00Z
check() { # CONFIG PAIR [ARGS...]
	cfg=$1 pair=$2
	shift 2
	"$APGATE" check --config "$cfg" --audit-log "$LOG" --policy-dir policies \
		--now $NOW --source "$pair/source.yaml" --target "$pair/target.yaml" "$@" > /dev/null
}
: > "$TMP/plain.yaml"
printf 'rules:\n  mkvp.match: {enforcement: warn}\n' > "$TMP/warn.yaml"
check "$TMP/plain.yaml" $D                           # enforced reject
check "$TMP/plain.yaml" $D --enforcement dryrun      # would have rejected
check "$TMP/plain.yaml" $D --enforcement dryrun      # ... twice
check "$TMP/warn.yaml" $D                            # warn by rule enforcement
check "$TMP/plain.yaml" $A                           # accept
printf 'state_dir: %s/state\nwaivers_dir: null\n' "$TMP" > "$TMP/waived.yaml"
"$APGATE" waive --config "$TMP/waived.yaml" --now $NOW --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 \
	--rule mkvp.match --until +7d --by alice --reason "key ceremony, CHG-1234" > /dev/null
W=$(jq -r '.waivers[0].id' "$TMP/state/waivers.json")
check "$TMP/waived.yaml" $D                          # waived: warn
check "$TMP/waived.yaml" $D                          # ... twice

jq -r '[.verdict, (.enforced | tostring)] | join(" ")' "$LOG" > "$TMP/recs.txt"
printf 'reject null\nreject false\nreject false\nwarn null\naccept null\n' > "$TMP/want.txt"
if head -n 5 "$TMP/recs.txt" | cmp -s - "$TMP/want.txt"; then pass "records keep the real verdict, enforced false in a dry run"
else fail "records keep the real verdict" "$(cat "$TMP/recs.txt")"; fi

"$APGATE" report --format md "$LOG" > "$TMP/report.md"
expect_status "report --format md" 0 $?
expect_contains "md: enforced rejects counted alone" "$TMP/report.md" "| reject | 1 |"
expect_contains "md: dry-run rejects counted apart" "$TMP/report.md" "| would have rejected (dry run) | 2 |"
expect_contains "md: dry-run section" "$TMP/report.md" "## Would have been rejected (dry run)"
expect_contains "md: dry-run decision listed" "$TMP/report.md" "### reject (dry run): "
expect_contains "md: dry-run finding marked" "$TMP/report.md" "current AES master key differs on target (dry run: not enforced)"
expect_contains "md: warn-mode finding marked" "$TMP/report.md" "current AES master key differs on target (reject; rule enforcement: warn)"
expect_contains "md: waivers table" "$TMP/report.md" "## Waivers"
expect_contains "md: waiver row with who, why, until, count" "$TMP/report.md" \
	"| \`$W\` | mkvp.match | 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 | - | - | alice | key ceremony, CHG-1234 | 2026-11-29T12:00:00Z | 2 |"
expect_contains "md: waived finding marked" "$TMP/report.md" "current AES master key differs on target (reject waived: \`$W\` by alice until 2026-11-29T12:00:00Z: key ceremony, CHG-1234)"

"$APGATE" report --format html -o "$TMP/report.html" "$LOG"
expect_status "report --format html" 0 $?
[ -x "$CHROMIUM" ] || { fail "chromium is needed for the rendering checks (apt-get install chromium)"; finish; exit; }
chrome() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@"
}
chrome --dump-dom "file://$TMP/report.html" > "$TMP/dom.html" 2> "$TMP/console.txt"
expect_status "chromium renders the report" 0 $?
expect_contains "html: dry-run card" "$TMP/dom.html" \
	'<div class="card dryrun"><div class="n">2</div><div class="l">would have rejected (dry run)</div></div>'
expect_contains "html: enforced reject card" "$TMP/dom.html" \
	'<div class="card reject"><div class="n">1</div>'
dry=$(grep -o '<article class="decision reject dryrun">' "$TMP/dom.html" | wc -l)
expect_status "html: both dry-run decisions listed apart" 2 "$dry"
enforced=$(grep -o '<article class="decision reject">' "$TMP/dom.html" | wc -l)
expect_status "html: the enforced reject listed once" 1 "$enforced"
expect_contains "html: dry-run section" "$TMP/dom.html" '<section id="dryrun">'
expect_contains "html: dry-run finding marked" "$TMP/dom.html" '<span class="enf">(dry run: not enforced)</span>'
expect_contains "html: waivers table" "$TMP/dom.html" '<table id="waivers-table">'
expect_contains "html: waiver row" "$TMP/dom.html" \
	"<tr><td><code>$W</code></td><td>mkvp.match</td><td>5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93</td><td>-</td><td>-</td><td>alice</td><td>key ceremony, CHG-1234</td><td>2026-11-29T12:00:00Z</td><td class=\"num\">2</td></tr>"
expect_contains "html: waived finding says by whom and why" "$TMP/dom.html" \
	"<span class=\"enf\">(reject waived: $W by alice until 2026-11-29T12:00:00Z: key ceremony, CHG-1234)</span>"
chrome --screenshot="$TMP/report.png" --window-size=1200,2000 \
	"file://$TMP/report.html" > /dev/null 2>&1
expect_status "chromium screenshots the report" 0 $?
if /usr/bin/python3 - "$TMP/report.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert struct.unpack(">II", data[16:24]) == (1200, 2000)
assert len(data) > 30000, len(data)
PY
then pass "screenshot is a 1200x2000 PNG with content"
else fail "screenshot is a 1200x2000 PNG with content"; fi
[ -n "${APGATE_KEEP_SCREENSHOT:-}" ] && cp "$TMP/report.png" "$APGATE_KEEP_SCREENSHOT"

finish
