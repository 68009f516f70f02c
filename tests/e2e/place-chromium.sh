#!/bin/sh
# place-chromium.sh - the placement HTML as a browser sees it: headless
# Chromium renders the page of the small fleet plus a hostile site policy
# whose message is HTML and script; the heatmap has a cell per guest and
# host, every guest has its table, nothing reaches the console, and the
# screenshot is a real image.
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "$CHROMIUM not installed (apt-get install chromium)"

D=tests/data/place
mkdir -p "$TMP/site"
cat > "$TMP/site/90-hostile.lua" <<'EOF'
rule{
  id = "site.hostile",
  check = function(src, tgt, ctx)
    if tgt.host == "lpar-d.example.com" then
      reject([[<script>console.error("INJECTED-SCRIPT")</script><img src=x onerror="console.error('INJECTED-IMG')"> & "quotes"]])
    end
  end,
}
EOF
chmod 644 "$TMP/site/90-hostile.lua"
"$APGATE" place --no-config --insecure-policies --policy-dir policies --policy-dir "$TMP/site" \
	--now 2026-11-22T12:00:00Z --guests "$D/guests" --hosts "$D/hosts" \
	--format html -o "$TMP/place.html" 2> "$TMP/err"
expect_status "place --format html" 0 $?
expect_empty "nothing on stderr" "$TMP/err"

chrome() {
	# the flags keep a headless run offline and free of first-run work
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@"
}

chrome --dump-dom "file://$TMP/place.html" > "$TMP/dom.html" 2> "$TMP/console.txt"
expect_status "chromium renders the page" 0 $?
cells=$(grep -o '<rect class="[a-z]*"' "$TMP/dom.html" | wc -l)
self=$(grep -o '<rect class="self"' "$TMP/dom.html" | wc -l)
tables=$(grep -o '<table>' "$TMP/dom.html" | wc -l)
if [ "$cells" -eq 12 ] && [ "$self" -eq 3 ]; then pass "heatmap: 12 cells, 3 own-host"
else fail "heatmap cells" "$cells cells, $self own-host"; fi
if [ "$tables" -eq 3 ]; then pass "a table per guest"; else fail "a table per guest" "$tables"; fi
expect_contains "hostile message shown as text" "$TMP/dom.html" \
	'&lt;script&gt;console.error("INJECTED-SCRIPT")&lt;/script&gt;&lt;img src=x'
if grep -q '<script\|<img' "$TMP/dom.html"; then
	fail "no element injected by the policy" "$(grep -o '<script[^>]*>\|<img[^>]*>' "$TMP/dom.html" | head -3)"
else pass "no element injected by the policy"; fi
if grep -q 'INJECTED\|Uncaught\|Refused to' "$TMP/console.txt"; then
	fail "no console errors" "$(grep 'INJECTED\|Uncaught\|Refused' "$TMP/console.txt" | head -3)"
else pass "no console errors"; fi

chrome --screenshot="$TMP/place.png" --window-size=1200,1400 \
	"file://$TMP/place.html" > /dev/null 2>&1
expect_status "chromium screenshots the page" 0 $?
if /usr/bin/python3 - "$TMP/place.png" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1200, 1400), (w, h)
assert len(data) > 30000, len(data)
EOF
then pass "screenshot is a 1200x1400 PNG with content"
else fail "screenshot is a 1200x1400 PNG with content"; fi
[ -n "${APGATE_KEEP_SCREENSHOT:-}" ] && cp "$TMP/place.png" "$APGATE_KEEP_SCREENSHOT"

finish
