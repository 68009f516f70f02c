#!/bin/sh
# report-chromium.sh - the HTML report as a browser sees it: headless
# Chromium (Debian's `chromium`) renders the report of a month of sample
# decisions plus real records, one of them from a hostile site policy whose
# message is HTML and script; the page must show its charts and tables,
# log nothing to the console (the report has no scripts, and the policy's
# text must not become one), screenshot to a real image and print to PDF.
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "$CHROMIUM not installed (apt-get install chromium)"
require_tool jq

LOG="$TMP/decisions.jsonl"
cp tests/data/audit/sample.jsonl "$LOG"
mkdir -p "$TMP/site"
cat > "$TMP/site/90-hostile.lua" <<'EOF'
rule{
  id = "site.hostile",
  check = function(src, tgt, ctx)
    reject([[<script>console.error("INJECTED-SCRIPT")</script><img src=x onerror="console.error('INJECTED-IMG')"><a href="https://example.com/x">link</a> & "quotes"]],
           { evidence = { html = "<b>bold</b>" } })
  end,
}
EOF
"$APGATE" check --no-config --insecure-policies --policy-dir policies --policy-dir "$TMP/site" \
	--audit-log "$LOG" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > /dev/null
expect_status "hostile policy rejects" 1 $?
"$APGATE" check --no-config --policy-dir policies --audit-log "$LOG" \
	--source examples/ep11-match/source.yaml --target examples/ep11-match/target.yaml > /dev/null
"$APGATE" audit verify -q "$LOG"
expect_status "the combined log verifies" 0 $?

"$APGATE" report --format html -o "$TMP/report.html" "$LOG"
expect_status "report --format html" 0 $?

chrome() {
	# the flags keep a headless run offline and free of first-run work
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@"
}

chrome --dump-dom "file://$TMP/report.html" > "$TMP/dom.html" 2> "$TMP/console.txt"
expect_status "chromium renders the report" 0 $?
svgs=$(grep -o '<svg' "$TMP/dom.html" | wc -l)
bars=$(grep -o '<rect class="bar"' "$TMP/dom.html" | wc -l)
rows=$(grep -o '<tr>' "$TMP/dom.html" | wc -l)
notable=$(grep -o '<article class="decision' "$TMP/dom.html" | wc -l)
want=$(jq -r 'select(.type == "decision" and .verdict != "accept") | .decision_id' "$LOG" | wc -l)
if [ "$svgs" -ge 2 ]; then pass "both charts are in the DOM ($svgs svg)"; else fail "charts in the DOM" "$svgs svg"; fi
if [ "$bars" -ge 30 ]; then pass "charts have their bars ($bars)"; else fail "chart bars" "$bars"; fi
if [ "$rows" -ge 20 ]; then pass "tables have their rows ($rows)"; else fail "table rows" "$rows"; fi
if [ "$notable" -eq "$want" ]; then pass "every reject, warn and error is listed ($want)"
else fail "every reject, warn and error is listed" "$notable of $want"; fi
expect_contains "chain status shown" "$TMP/dom.html" "Hash chain: intact"
expect_contains "hostile message shown as text" "$TMP/dom.html" \
	'&lt;script&gt;console.error("INJECTED-SCRIPT")&lt;/script&gt;&lt;img src=x'
if grep -q '<script\|<img\|<a href' "$TMP/dom.html"; then
	fail "no element injected by the policy" "$(grep -o '<script[^>]*>\|<img[^>]*>\|<a href[^>]*>' "$TMP/dom.html" | head -3)"
else pass "no element injected by the policy"; fi
if grep -q 'INJECTED\|CONSOLE\|Uncaught\|Refused to' "$TMP/console.txt"; then
	fail "no console errors" "$(grep 'INJECTED\|CONSOLE\|Uncaught\|Refused' "$TMP/console.txt" | head -3)"
else pass "no console errors"; fi

chrome --screenshot="$TMP/report.png" --window-size=1200,2000 \
	"file://$TMP/report.html" > /dev/null 2>&1
expect_status "chromium screenshots the report" 0 $?
# A PNG of the window's size, and big enough to hold more than a blank page.
if /usr/bin/python3 - "$TMP/report.png" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1200, 2000), (w, h)
assert len(data) > 50000, len(data)
EOF
then pass "screenshot is a 1200x2000 PNG with content"
else fail "screenshot is a 1200x2000 PNG with content"; fi
[ -n "${APGATE_KEEP_SCREENSHOT:-}" ] && cp "$TMP/report.png" "$APGATE_KEEP_SCREENSHOT"

chrome --print-to-pdf="$TMP/report.pdf" --no-pdf-header-footer \
	"file://$TMP/report.html" > /dev/null 2>&1
pages=$(grep -a -o '/Type */Page[s]*' "$TMP/report.pdf" 2>/dev/null | grep -c 'Page$')
if head -c 5 "$TMP/report.pdf" | grep -q '%PDF' && [ "$pages" -ge 2 ]; then
	pass "prints to PDF ($pages pages)"
else fail "prints to PDF" "$pages pages"; fi

finish
