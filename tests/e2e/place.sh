#!/bin/sh
# place.sh - `apgate place` on a small fleet (tests/data/place: 3 guests x
# 4 hosts covering accept, warn, apqn.free, generation and MKVP rejects):
# golden text, JSON and CSV; the same bytes for any --jobs, --shard and
# --merge; a stateful site policy sees every pair afresh; refused inputs
# and --keep-going; exit statuses; the JSON schema; hostile names.
#
# Regenerate the golden files after an intended change, then review the
# diff:  UPDATE_GOLDEN=1 APGATE=$PWD/src/apgate SRCDIR=$PWD sh tests/e2e/place.sh
. "$(dirname "$0")/lib.sh"
require_tool jq
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"

D=tests/data/place
P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"
FLEET="--guests $D/guests --hosts $D/hosts"

golden() {	# golden NAME FILE: FILE equals $D/expected.NAME
	if [ "${UPDATE_GOLDEN:-}" = 1 ] && [ -z "${CI:-}" ]; then
		cp "$2" "$D/expected.$1"
	fi
	if cmp -s "$2" "$D/expected.$1"; then pass "golden $1"
	else fail "golden $1" "$(diff "$D/expected.$1" "$2" | head -20)"; fi
}

# --- golden results ---
for fmt in text json csv; do
	# shellcheck disable=SC2086
	"$APGATE" place $P $FLEET --format $fmt > "$TMP/place.$fmt" 2> "$TMP/err.$fmt"
	expect_status "place --format $fmt: every guest has a host" 0 $?
	expect_empty "place --format $fmt: nothing on stderr" "$TMP/err.$fmt"
	golden "$fmt" "$TMP/place.$fmt"
done
T="$TMP/place.text"
expect_contains "matrix row of web" "$T" "web   - ~ x x"
expect_contains "web's hosts" "$T" "hosts that take it: lpar-b.example.com (warn)"
expect_contains "generation reject named" "$T" "lpar-c.example.com: reject: card.generation"
expect_contains "MKVP reject named" "$T" "lpar-d.example.com: reject: mkvp.match"
expect_contains "apqn.free reject names the holder" "$T" \
	"lpar-b.example.com: reject: apqn.free 05.0020: assigned to mdev 0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90 on the target host"
expect_contains "a reject's remedy follows it" "$T" \
	"    fix: free 05.0020 on target host lpar-b.example.com (unassign it from mdev 0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90"
if jq -e '[.pairs[].findings[] | select(.severity == "reject" and (has("remedy") | not))] | length == 0' "$TMP/place.json" > /dev/null
then pass "every reject in the JSON carries its remedy"; else fail "every reject in the JSON carries its remedy"; fi
J="$TMP/place.json"
if jq -e '.summary == {"accept": 3, "error": 0, "guests": 3, "guests_without_host": [],
	"hosts": 4, "pairs": 9, "reject": 4, "same_host": 3, "warn": 2}' "$J" > /dev/null
then pass "JSON summary counts"; else fail "JSON summary counts" "$(jq -c .summary "$J")"; fi
if jq -e '[.pairs[] | select(.guest == "web" and .host == "lpar-b.example.com")][0] |
	.verdict == "warn" and any(.findings[]; .rule == "mdev.state")' "$J" > /dev/null
then pass "existing mdev with the guest's UUID: its real state, apqn.free passes"
else fail "existing mdev with the guest's UUID"; fi
if "$PY" tests/tools/validate-json.py schemas/placement-v1.schema.json "$J" > "$TMP/v.txt" 2>&1
then pass "placement JSON matches its schema"; else fail "placement JSON matches its schema" "$(head -3 "$TMP/v.txt")"; fi
if [ "$(grep -c "" "$TMP/place.csv")" -eq 10 ] && head -1 "$TMP/place.csv" | grep -q '^guest,guest_host,host,verdict,'
then pass "CSV: a header and one row per pair"; else fail "CSV rows" "$(head -3 "$TMP/place.csv")"; fi

# --- the same bytes for any jobs, shards and merge ---
for j in 2 3; do
	# shellcheck disable=SC2086
	"$APGATE" place $P $FLEET --format json --jobs $j > "$TMP/j$j.json"
	if cmp -s "$J" "$TMP/j$j.json"; then pass "--jobs $j gives the same result"
	else fail "--jobs $j gives the same result" "$(diff "$J" "$TMP/j$j.json" | head -5)"; fi
done
for i in 1 2; do
	# shellcheck disable=SC2086
	"$APGATE" place $P $FLEET --format json --shard $i/2 -o "$TMP/s$i.json"
	expect_status "shard $i/2" 0 $?
done
if jq -e '.shard == {"count": 2, "guests_total": 3, "index": 1} and (.guests | length) == 2' \
	"$TMP/s1.json" > /dev/null; then pass "a shard says which it is"; else fail "shard header"; fi
"$APGATE" place --merge "$TMP/s2.json" "$TMP/s1.json" --format json > "$TMP/m.json"
expect_status "merge" 0 $?
if cmp -s "$J" "$TMP/m.json"; then pass "merged shards equal the whole run"
else fail "merged shards equal the whole run" "$(diff "$J" "$TMP/m.json" | head -5)"; fi
"$APGATE" place --merge "$TMP/s1.json" "$TMP/s2.json" --format text > "$TMP/m.txt"
if cmp -s "$T" "$TMP/m.txt"; then pass "merge renders the same text"; else fail "merge text"; fi
# shellcheck disable=SC2086
"$APGATE" place $P $FLEET --format json --shard 2/2 --jobs 2 > "$TMP/s2j.json"
if cmp -s "$TMP/s2.json" "$TMP/s2j.json"; then pass "a shard with --jobs"; else fail "a shard with --jobs"; fi
"$APGATE" place --merge "$TMP/s1.json" > "$TMP/out" 2>&1
expect_status "merge with a shard missing" 2 $?
expect_contains "merge names the missing shard" "$TMP/out" "shard 2/2 is missing"
"$APGATE" place --merge "$TMP/s1.json" "$TMP/s1.json" > "$TMP/out" 2>&1
expect_status "merge with a shard twice" 2 $?
expect_contains "merge names the repeated shard" "$TMP/out" "shard 1/2 is given twice"
# shellcheck disable=SC2086
"$APGATE" place $P --now 2026-11-23T12:00:00Z $FLEET --format json --shard 2/2 > "$TMP/s2late.json"
"$APGATE" place --merge "$TMP/s1.json" "$TMP/s2late.json" > "$TMP/out" 2>&1
expect_status "merge of results from other times" 2 $?
expect_contains "merge says why" "$TMP/out" "\"now\" differs from"
echo '{"apgate-placement": 2}' > "$TMP/bad.json"
"$APGATE" place --merge "$TMP/bad.json" > "$TMP/out" 2>&1
expect_status "merge of a non-result" 2 $?
expect_contains "merge names the file" "$TMP/out" "bad.json: not a placement result"

# --- policies are compiled once, run afresh per pair ---
mkdir -p "$TMP/site"
cat > "$TMP/site/90-count.lua" <<'EOF'
local seen = 0
pairs_seen = pairs_seen or 0
local ok_string = pcall(function() string.count = (string.count or 0) + 1 end)
rule{ id = "site.count", check = function(src, tgt)
  seen = seen + 1
  pairs_seen = pairs_seen + 1
  local meta = pcall(function() getmetatable("").count = 1 end)
  if seen ~= 1 or pairs_seen ~= 1 or ok_string or meta or string.count ~= nil then
    reject(("state leaked from another pair: upvalue %d, global %d"):format(seen, pairs_seen))
  end
  note(("pair %s -> %s"):format(src.host, tgt.host))
end }
EOF
chmod 644 "$TMP/site/90-count.lua"
for j in 1 2; do
	# shellcheck disable=SC2086
	"$APGATE" place $P --insecure-policies --policy-dir "$TMP/site" $FLEET --format json --jobs $j \
		> "$TMP/count$j.json" 2> "$TMP/err"
	if jq -e '[.pairs[].findings[] | select(.rule == "site.count" and .severity == "reject")] | length == 0' \
		"$TMP/count$j.json" > /dev/null &&
	   jq -e '[.pairs[].findings[] | select(.rule == "site.count" and .severity == "note")] | length == 9' \
		"$TMP/count$j.json" > /dev/null
	then pass "no policy state crosses pairs (--jobs $j)"
	else fail "no policy state crosses pairs (--jobs $j)" "$(jq -c '[.pairs[].findings[] | select(.rule == "site.count")]' "$TMP/count$j.json" | head -c 400)"; fi
done

# --- a worker that dies fails the run ---
# Each pair takes seconds (a long loop under a raised instruction budget),
# so the worker is surely still running when it is killed.
cat > "$TMP/site/95-slow.lua" <<'EOF'
rule{ id = "site.slow", check = function()
  local x = 0
  for i = 1, 300000000 do x = x + i end
end }
EOF
chmod 644 "$TMP/site/95-slow.lua"
printf 'limits:\n  instructions: 100000000000\n  timeout_ms: 600000\n' > "$TMP/slow.yaml"
# shellcheck disable=SC2086
"$APGATE" place --config "$TMP/slow.yaml" --insecure-policies --no-audit --policy-dir policies \
	--policy-dir "$TMP/site" --now 2026-11-22T12:00:00Z $FLEET --jobs 2 \
	> "$TMP/out" 2> "$TMP/err" &
pid=$!
kid=
for _ in $(seq 1 200); do
	kid=$(pgrep -P "$pid" | head -1)
	[ -n "$kid" ] && break
	sleep 0.05
done
[ -n "$kid" ] && kill -9 "$kid"
wait "$pid"
expect_status "a killed worker: exit 2" 2 $?
expect_contains "a killed worker is named" "$TMP/err" "of 2 died (signal 9); no result"
expect_empty "a killed worker: no result printed" "$TMP/out"
rm "$TMP/site/95-slow.lua"

# --- the host's labels reach policies as tgt.labels ---
mkdir -p "$TMP/lab" "$TMP/labsite"
sed 's/^host: lpar-d.example.com$/host: lpar-d.example.com\nhost_labels: {zone: b, tenant: acme}/' \
	"$D/hosts/lpar-d.yaml" > "$TMP/lab/lpar-d.yaml"
cat > "$TMP/labsite/90-zone.lua" <<'EOF'
rule{ id = "site.zone", check = function(src, tgt)
  if tgt.labels.zone then note("target zone " .. tgt.labels.zone .. ", tenant " .. tgt.labels.tenant) end
end }
EOF
chmod 644 "$TMP/labsite/90-zone.lua"
# shellcheck disable=SC2086
"$APGATE" place $P --insecure-policies --policy-dir "$TMP/labsite" --guests "$D/guests" \
	--hosts "$TMP/lab" --format json > "$TMP/lab.json" 2> "$TMP/err"
if [ "$(jq '[.pairs[].findings[] | select(.message == "target zone b, tenant acme")] | length' "$TMP/lab.json")" = 3 ]
then pass "inventory host_labels are the target's labels"
else fail "inventory host_labels are the target's labels" "$(head -c 300 "$TMP/err")"; fi

# --- exit 1: a guest with no host, named on stderr ---
mkdir -p "$TMP/two"
cp "$D/hosts/lpar-c.yaml" "$D/hosts/lpar-d.yaml" "$TMP/two/"
# shellcheck disable=SC2086
"$APGATE" place $P --guests "$D/guests/web.yaml" "$D/guests/db.yaml" --hosts "$TMP/two" > "$TMP/out" 2> "$TMP/err"
expect_status "a guest without a host exits 1" 1 $?
expect_contains "the guest is named" "$TMP/err" "apgate: place: no host can take guest web"
if grep -q "guest db" "$TMP/err"; then fail "a placed guest is not named"; else pass "a placed guest is not named"; fi
expect_contains "text says so" "$TMP/out" "1 guest without a host: web"

# --- refused inputs, --keep-going ---
printf 'apgate-inventory: 1\nhost: broken\ncards: 7\n' > "$TMP/two/broken.yaml"
printf 'apgate-descriptor: 1\nhost: x\n' > "$TMP/badguest.yaml"
# shellcheck disable=SC2086
"$APGATE" place $P --guests "$D/guests" "$TMP/badguest.yaml" --hosts "$TMP/two" > "$TMP/out" 2> "$TMP/err"
expect_status "bad inputs: exit 2" 2 $?
expect_empty "bad inputs: nothing evaluated, nothing printed" "$TMP/out"
expect_contains "the bad guest is named" "$TMP/err" "apgate: place: refused guest: $TMP/badguest.yaml:"
expect_contains "the bad host is named" "$TMP/err" "apgate: place: refused host: $TMP/two/broken.yaml:"
expect_contains "the way on is named" "$TMP/err" "2 input files refused; nothing evaluated (--keep-going places the rest)"
# shellcheck disable=SC2086
"$APGATE" place $P --keep-going --guests "$D/guests" "$TMP/badguest.yaml" --hosts "$TMP/two" > "$TMP/out" 2> "$TMP/err"
expect_status "--keep-going: still exit 2" 2 $?
expect_contains "--keep-going: the rest is placed" "$TMP/out" "placement of 3 guests on 2 hosts"
expect_contains "--keep-going: the bad files are still named" "$TMP/err" "refused host: $TMP/two/broken.yaml:"
cp "$D/hosts/lpar-c.yaml" "$TMP/two/lpar-c-again.yaml"
rm "$TMP/two/broken.yaml"
# shellcheck disable=SC2086
"$APGATE" place $P --guests "$D/guests" --hosts "$TMP/two" > "$TMP/out" 2> "$TMP/err"
expect_status "a host twice: exit 2" 2 $?
expect_contains "a host twice: both files named" "$TMP/err" "host lpar-c.example.com is also described by"

# --- usage errors ---
"$APGATE" place --guests "$D/guests" > "$TMP/out" 2>&1
expect_status "hosts missing" 2 $?
expect_contains "hosts missing: said" "$TMP/out" "both --guests and --hosts are required"
"$APGATE" place $FLEET --jobs 0 > "$TMP/out" 2>&1
expect_status "--jobs 0" 2 $?
expect_contains "--jobs 0: said" "$TMP/out" "--jobs must be a number 1..256, not '0'"
"$APGATE" place $FLEET --shard 3/2 > "$TMP/out" 2>&1
expect_status "--shard 3/2" 2 $?
expect_contains "--shard 3/2: said" "$TMP/out" "--shard must be I/N with 1 <= I <= N, not '3/2'"
"$APGATE" place $FLEET --format xml > "$TMP/out" 2>&1
expect_status "--format xml" 2 $?

# --- audit only with --audit ---
# shellcheck disable=SC2086
"$APGATE" place --no-config --policy-dir policies --now 2026-11-22T12:00:00Z --audit-log "$TMP/a.jsonl" \
	--insecure-audit-log $FLEET > /dev/null 2>&1
if [ ! -s "$TMP/a.jsonl" ]; then pass "no audit record without --audit"; else fail "no audit record without --audit"; fi
# shellcheck disable=SC2086
"$APGATE" place --no-config --policy-dir policies --now 2026-11-22T12:00:00Z --audit-log "$TMP/a.jsonl" \
	--insecure-audit-log --audit $FLEET --jobs 2 > /dev/null 2> "$TMP/err"
expect_status "place --audit" 0 $?
if [ "$(jq -s '[.[] | select(.type == "decision" and .caller == "place")] | length' "$TMP/a.jsonl")" = 9 ]
then pass "--audit records every pair"; else fail "--audit records every pair" "$(head -c 300 "$TMP/err")"; fi
"$APGATE" audit verify -q "$TMP/a.jsonl" > "$TMP/out" 2>&1
expect_status "the log of two workers verifies" 0 $?

# --- hostile names and messages are escaped ---
mkdir -p "$TMP/hg"
sed 's/^host: lpar-a.example.com/host: "lpar-a\\u001b[31m<b>=cmd"/' "$D/guests/web.yaml" > "$TMP/hg/web.yaml"
# shellcheck disable=SC2086
"$APGATE" place $P --guests "$TMP/hg" --hosts "$D/hosts" --format csv > "$TMP/h.csv" 2>&1
if grep -q "$(printf '\033')" "$TMP/h.csv"; then fail "CSV carries no escape character"
else pass "CSV carries no escape character"; fi
expect_contains "CSV cell with the escaped host" "$TMP/h.csv" '"lpar-a\x1b[31m<b>=cmd"'
# shellcheck disable=SC2086
"$APGATE" place $P --guests "$TMP/hg" --hosts "$D/hosts" --format html > "$TMP/h.html" 2>&1
if grep -q '<b>=cmd' "$TMP/h.html"; then fail "HTML escapes names"; else pass "HTML escapes names"; fi
expect_contains "HTML shows the name as text" "$TMP/h.html" "&lt;b&gt;=cmd"

finish
