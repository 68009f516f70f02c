#!/bin/sh
# untrusted-text.sh - text apgate did not write (descriptor fields, policy
# messages, paths) never reaches a terminal or the hook's single stderr
# line raw: control characters are escaped by every text output and
# message; bytes that are not UTF-8 never make the JSON verdict invalid.
. "$(dirname "$0")/lib.sh"
require_tool jq

P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"
ESC=$(printf '\033')

# no_control NAME FILE: no control character other than newline in FILE.
no_control() {
	if LC_ALL=C tr -d '\n' < "$2" | LC_ALL=C grep -q '[[:cntrl:]]'; then
		fail "$1: no raw control characters" "$(od -c "$2" | head -5)"
	else
		pass "$1: no raw control characters"
	fi
}
one_line() {
	if [ "$(wc -l < "$2")" -eq 1 ]; then pass "$1: one line"
	else fail "$1: one line" "$(cat "$2")"; fi
}

# --- a block reason with a newline, a carriage return and ESC[2J ---
sed 's/reason: crypto card replacement scheduled/reason: "card swap\\nfake line\\r\\e[2J\\tcleared"/' \
	examples/blocked/target.yaml > "$TMP/evil-target.yaml"
grep -q 'fake line' "$TMP/evil-target.yaml" || fail "test setup: reason not replaced"
"$APGATE" show "$TMP/evil-target.yaml" > "$TMP/show.txt" 2>&1
expect_status "show: a descriptor with control characters" 0 $?
no_control "show" "$TMP/show.txt"
expect_contains "show: reason escaped" "$TMP/show.txt" 'card swap\nfake line\r\x1b[2J\tcleared'
"$APGATE" check $P --source examples/blocked/source.yaml \
	--target "$TMP/evil-target.yaml" --explain > "$TMP/check.txt" 2> "$TMP/check.err"
expect_status "check: reject" 1 $?
no_control "check --explain" "$TMP/check.txt"
expect_contains "check: reason escaped" "$TMP/check.txt" 'card swap\nfake line\r\x1b[2J\tcleared'
"$APGATE" blocks --no-config --state-dir "$TMP/st" > /dev/null 2>&1
"$APGATE" block --no-config --state-dir "$TMP/st" --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 \
	--reason "$(printf 'a\033[2Jb\nc')" --by "$(printf 'o\rps')" > "$TMP/block.txt" 2>&1
no_control "block" "$TMP/block.txt"
"$APGATE" blocks --no-config --state-dir "$TMP/st" > "$TMP/blocks.txt" 2>&1
no_control "blocks" "$TMP/blocks.txt"
expect_contains "blocks: reason escaped" "$TMP/blocks.txt" 'a\x1b[2Jb\nc'

# --- an APQN string with a newline and ESC: the loader's message ---
sed 's/apqn: "05.0004"/apqn: "05.0004\\n\\e[2Jx"/' examples/cca-match/source.yaml > "$TMP/bad-apqn.yaml"
"$APGATE" validate "$TMP/bad-apqn.yaml" > "$TMP/val.txt" 2>&1
expect_status "validate: bad APQN" 1 $?
no_control "validate message" "$TMP/val.txt"
expect_contains "validate: value escaped" "$TMP/val.txt" 'found the string "05.0004\n\x1b[2Jx"'
"$APGATE" check $P --source "$TMP/bad-apqn.yaml" --target examples/cca-match/target.yaml \
	> "$TMP/c2.txt" 2> "$TMP/c2.err"
expect_status "check: bad APQN is an error" 2 $?
no_control "check error (stdout)" "$TMP/c2.txt"
no_control "check error (stderr)" "$TMP/c2.err"
one_line "check error (stderr)" "$TMP/c2.err"

# --- the hook's single stderr line ---
awk -v f="$TMP/bad-apqn.yaml" '
	/<x:descriptor/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
	/<\/x:descriptor>/ { skip = 0 }
	!skip' tests/data/hook/metadata-broken-descriptor.xml > "$TMP/evil.xml"
"$APGATE" hook $P --state-dir "$TMP/st" zguest1 migrate begin - < "$TMP/evil.xml" \
	> "$TMP/hook.out" 2> "$TMP/hook.err"
expect_status "hook: bad APQN refused" 1 $?
expect_empty "hook: stdout empty" "$TMP/hook.out"
no_control "hook line" "$TMP/hook.err"
one_line "hook line" "$TMP/hook.err"
expect_contains "hook line: value escaped" "$TMP/hook.err" '05.0004\n\x1b[2Jx'

# --- policy text: messages, print(), invalid UTF-8 ---
mkdir -p "$TMP/pol"
cat > "$TMP/pol/99-evil.lua" <<'LUA'
rule{ id = "evil.text", check = function()
  print("\27[2Jprinted\nline")
  note("\255\254 not utf-8", { evidence = { ["k\255"] = "v\255" } })
  warn("warned\27]0;title\7\r\nnext")
end }
LUA
"$APGATE" check $P --policy-dir "$TMP/pol" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml --explain > "$TMP/p.txt" 2> "$TMP/p.err"
expect_status "policy text: warn" 0 $?
no_control "policy text (stdout)" "$TMP/p.txt"
no_control "policy text (stderr)" "$TMP/p.err"
expect_contains "print escaped" "$TMP/p.err" 'apgate: evil.text: \x1b[2Jprinted\nline'
expect_contains "warn message escaped" "$TMP/p.txt" 'WARN evil.text: warned\x1b]0;title\x07\r\nnext'
"$APGATE" check $P --policy-dir "$TMP/pol" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml --format json > "$TMP/p.json" 2>/dev/null
if jq -e . "$TMP/p.json" > /dev/null 2>&1 && iconv -f UTF-8 -t UTF-8 "$TMP/p.json" > /dev/null 2>&1
then pass "invalid UTF-8 from a policy: valid JSON"
else fail "invalid UTF-8 from a policy: valid JSON" "$(head -c 300 "$TMP/p.json")"; fi
expect_contains "invalid UTF-8: replaced" "$TMP/p.json" "$(printf '\357\277\275\357\277\275 not utf-8')"
expect_contains "invalid UTF-8: said so" "$TMP/p.json" \
	"3 texts of this verdict held bytes that are not UTF-8; each such byte is shown as U+FFFD"

# --- a path that is not UTF-8 ---
bad=$(printf 'src-\377.yaml')
cp examples/cca-match/source.yaml "$TMP/$bad"
"$APGATE" check $P --source "$TMP/$bad" --target examples/cca-match/target.yaml \
	--format json --audit-log "$TMP/audit.jsonl" > "$TMP/path.json" 2>/dev/null
expect_status "path not UTF-8: accept" 0 $?
if jq -e '.source.path | endswith("src-\ufffd.yaml")' "$TMP/path.json" > /dev/null 2>&1
then pass "path not UTF-8: valid JSON, byte replaced"
else fail "path not UTF-8: valid JSON, byte replaced" "$(head -c 300 "$TMP/path.json")"; fi
if jq -e . "$TMP/audit.jsonl" > /dev/null 2>&1 &&
   iconv -f UTF-8 -t UTF-8 "$TMP/audit.jsonl" > /dev/null 2>&1
then pass "path not UTF-8: the decision record is valid JSON"
else fail "path not UTF-8: the decision record is valid JSON"; fi
"$APGATE" audit verify "$TMP/audit.jsonl" > "$TMP/verify.txt" 2>&1
expect_status "path not UTF-8: the log verifies" 0 $?

finish
