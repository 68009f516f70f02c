#!/bin/sh
# fix-script.sh - `apgate check --fix-script`: the remedies of the README's
# examples as scripts, byte for byte against tests/data/fix-script/EXAMPLE.sh
# (decision id and time masked), each `bash -n` clean; untrusted text stays
# in comments; option conflicts; and the mdevctl commands the default rules
# write, run by the real mdevctl in a private mount namespace (root only;
# that part is skipped otherwise, unless APGATE_REQUIRE_ALL=1).
#
# Regenerate the golden scripts after an intended change, then review the
# diff before committing:
#   UPDATE_GOLDEN=1 APGATE=$PWD/src/apgate SRCDIR=$PWD sh tests/e2e/fix-script.sh
. "$(dirname "$0")/lib.sh"
require_tool bash
require_tool jq
G=tests/data/fix-script
P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"
if [ "${UPDATE_GOLDEN:-}" = 1 ] && [ -n "${CI:-}" ]; then
	echo "fix-script.sh: UPDATE_GOLDEN=1 is refused when CI is set" >&2
	exit 99
fi

mask() {
	sed -E '2s/decision [0-9a-f-]{36} \(verdict ([a-z]+), [^)]*\)/decision <id> (verdict \1, <time>)/'
}

# The README's examples: every reject, the warn and an accept.
for ex in missing-apqn blocked cca-mkvp-mismatch generation-downgrade \
	  key-change-pending cca-match; do
	"$APGATE" check $P --source "examples/$ex/source.yaml" \
		--target "examples/$ex/target.yaml" --fix-script \
		> "$TMP/$ex.raw" 2> "$TMP/$ex.err"
	st=$?
	case $ex in
	cca-match|key-change-pending) want=0 ;;
	*) want=1 ;;
	esac
	expect_status "$ex: --fix-script exits as the verdict" $want $st
	expect_empty "$ex: nothing on stderr" "$TMP/$ex.err"
	mask < "$TMP/$ex.raw" > "$TMP/$ex.sh"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$TMP/$ex.sh" "$G/$ex.sh"
	fi
	if diff -u "$G/$ex.sh" "$TMP/$ex.sh" > "$TMP/$ex.diff"; then
		pass "$ex: script as recorded"
	else
		fail "$ex: script as recorded" "$(head -30 "$TMP/$ex.diff")"
	fi
	if bash -n "$TMP/$ex.raw" 2> "$TMP/$ex.bash"; then pass "$ex: bash -n"
	else fail "$ex: bash -n" "$(cat "$TMP/$ex.bash")"; fi
	# The header names the decision the record carries.
	if head -2 "$TMP/$ex.raw" | grep -Eq '^# apgate fix script for decision [0-9a-f]{8}-[0-9a-f]{4}-4'; then
		pass "$ex: the header names the decision id"
	else fail "$ex: the header names the decision id" "$(head -2 "$TMP/$ex.raw")"; fi
done
expect_contains "an accept has nothing to fix" "$TMP/cca-match.sh" \
	"# Nothing to fix: no warn or reject finding of this decision has a remedy."
expect_contains "a missing adapter gets its mdevctl command" "$TMP/missing-apqn.sh" \
	"mdevctl modify --uuid 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 --addattr assign_adapter --value 0x06"
expect_contains "a block names the unblock command" "$TMP/blocked.sh" \
	"apgate unblock --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93"

# The script does nothing without the host it runs on, and only that.
bash "$TMP/missing-apqn.raw" > "$TMP/noarg.out" 2>&1
expect_status "without an argument the script refuses to run" 2 $?
expect_contains "and says how to run it" "$TMP/noarg.out" "usage: sh"
bash "$TMP/missing-apqn.raw" source > "$TMP/src.out" 2>&1
expect_status "a host without commands is refused too" 2 $?

# The JSON verdict and the decision's remedies agree with the script.
"$APGATE" check $P --source examples/missing-apqn/source.yaml \
	--target examples/missing-apqn/target.yaml --format json > "$TMP/v.json"
jq -r '.findings[] | select(.remedy) | .remedy.commands[] | .command' "$TMP/v.json" |
	sort -u > "$TMP/json-cmds.txt"
grep -v '^#' "$TMP/missing-apqn.raw" | grep -E '^(mdevctl|echo 0x)' | sort -u > "$TMP/script-cmds.txt"
if cmp -s "$TMP/json-cmds.txt" "$TMP/script-cmds.txt"; then
	pass "the script holds the verdict's commands"
else fail "the script holds the verdict's commands" "$(diff "$TMP/json-cmds.txt" "$TMP/script-cmds.txt")"; fi

# The decision record carries the remedies, under the id the header names.
"$APGATE" check --policy-dir policies --no-config --audit-log "$TMP/log/d.jsonl" \
	--source examples/missing-apqn/source.yaml --target examples/missing-apqn/target.yaml \
	--fix-script > "$TMP/rec.sh" 2>/dev/null
id=$(sed -n '2s/^# apgate fix script for decision \([0-9a-f-]*\) .*/\1/p' "$TMP/rec.sh")
if [ -n "$id" ] && [ "$(jq -r '.decision_id' "$TMP/log/d.jsonl")" = "$id" ] &&
   [ "$(jq -r '[.findings[] | select(.remedy) | .remedy.commands[].command] | unique | length' "$TMP/log/d.jsonl")" = 2 ]
then pass "the decision record has the script's id and its remedies"
else fail "the decision record has the script's id and its remedies" "$id" "$(head -c 300 "$TMP/log/d.jsonl")"; fi

# Reports show the remedies of the decisions they list.
"$APGATE" report --format md "$TMP/log/d.jsonl" > "$TMP/report.md" 2> "$TMP/report.err"
expect_contains "the Markdown report shows the fix" "$TMP/report.md" \
	' - fix: assign adapter 0x06 to mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93'
expect_contains "with its commands" "$TMP/report.md" \
	'(on target: `mdevctl modify --uuid 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 --addattr assign_adapter --value 0x06`'
"$APGATE" report --format html "$TMP/log/d.jsonl" > "$TMP/report.html" 2>> "$TMP/report.err"
expect_contains "the HTML report shows the fix" "$TMP/report.html" \
	'<div class="fix">fix: assign adapter 0x06 to mdev'

# --fix-script replaces the verdict: it excludes JSON and --explain.
"$APGATE" check $P --source examples/missing-apqn/source.yaml \
	--target examples/missing-apqn/target.yaml --fix-script --format json \
	> "$TMP/c.out" 2> "$TMP/c.err"
expect_status "--fix-script with --format json is a usage error" 2 $?
expect_contains "and says why" "$TMP/c.err" \
	"--fix-script prints a shell script instead of the verdict: it excludes --format json and --explain"
expect_empty "and prints nothing on stdout" "$TMP/c.out"
"$APGATE" check $P --source examples/missing-apqn/source.yaml \
	--target examples/missing-apqn/target.yaml --fix-script --explain \
	> "$TMP/c.out" 2> "$TMP/c.err"
expect_status "--fix-script with --explain is a usage error" 2 $?

# Untrusted text (a block reason, a site rule's remedy) stays in comments.
mkdir -p "$TMP/site"
cat > "$TMP/site/50-evil.lua" <<'LUA'
rule{ id = "site.evil", description = "hostile text", check = function(src, tgt)
  reject("two\nlines $(touch /tmp/pwned)", { remedy = { text = "x\nrm -rf / #",
    commands = { { on = "source", command = "echo " .. fix.quote("a'b\"c $(d) `e`") } } } })
end }
LUA
"$APGATE" check $P --policy-dir "$TMP/site" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml --fix-script > "$TMP/evil.sh" 2> "$TMP/evil.err"
expect_status "a site rule's reject gives a script" 1 $?
if bash -n "$TMP/evil.sh" 2> "$TMP/evil.bash"; then pass "hostile text: bash -n"
else fail "hostile text: bash -n" "$(cat "$TMP/evil.bash")"; fi
if grep -nEv '^(#|$)' "$TMP/evil.sh" | grep -E 'rm -rf|touch|lines' > "$TMP/leak.txt"; then
	fail "hostile text stays in comments" "$(cat "$TMP/leak.txt")"
else pass "hostile text stays in comments"; fi
expect_contains "the reason is escaped on its comment line" "$TMP/evil.sh" '#   fix: x\nrm -rf / #'
bash "$TMP/evil.sh" source > "$TMP/evil.out" 2>&1
expect_status "the quoted command runs as one echo" 0 $?
if [ "$(cat "$TMP/evil.out")" = "a'b\"c \$(d) \`e\`" ]; then pass "fix.quote keeps the text literal"
else fail "fix.quote keeps the text literal" "$(cat "$TMP/evil.out")"; fi

# --- the real mdevctl takes the commands (Debian 12's 1.2.0) ---
MDEVCTL=
for m in /usr/sbin/mdevctl /usr/bin/mdevctl; do
	[ -x "$m" ] && MDEVCTL=$m && break
done
if [ -z "$MDEVCTL" ] || [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null ||
   [ ! -d /etc/mdevctl.d ]; then
	if [ "${APGATE_REQUIRE_ALL:-}" = 1 ]; then
		fail "mdevctl part" "needs root, unshare -m, mdevctl and /etc/mdevctl.d"
	else
		echo "SKIP: the mdevctl part needs root, unshare -m, mdevctl and /etc/mdevctl.d"
	fi
	finish
	exit
fi
U=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
# missing-apqn's target as mdevctl would hold it: adapter 05, domains 04, 47.
cat > "$TMP/target.json" <<'JSON'
{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"0x05"},{"assign_domain":"0x0004"},{"assign_domain":"0x0047"},{"assign_control_domain":"0x0004"},{"assign_control_domain":"0x0047"}]}
JSON
grep '^mdevctl ' "$TMP/missing-apqn.raw" | sort -u > "$TMP/mdevctl-cmds.txt"
cat > "$TMP/inner.sh" <<INNER
set -u
mount -t tmpfs apgate-test /etc/mdevctl.d || exit 90
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
timeout 20 $MDEVCTL define --parent matrix --uuid $U --jsonfile $TMP/target.json || exit 91
# the script's own lines, with mdevctl by its path
sed 's|^mdevctl |timeout 20 $MDEVCTL |' $TMP/mdevctl-cmds.txt > $TMP/run.sh
sh -e $TMP/run.sh > $TMP/run.out 2>&1 || exit 92
$APGATE collect --mdev $U --mdevctl --host lpar-b.example.com --format json > $TMP/collected.json || exit 93
INNER
unshare -m sh "$TMP/inner.sh" > "$TMP/inner.out" 2>&1
expect_status "mdevctl takes the script's commands" 0 $?
if [ "$(jq -c '.mdev.adapters' "$TMP/collected.json" 2>/dev/null)" = "[5,6]" ]; then
	pass "the definition then has adapter 06 as well"
else fail "the definition then has adapter 06 as well" "$(cat "$TMP/inner.out" "$TMP/run.out" 2>/dev/null | head -5)" \
	"$(head -c 400 "$TMP/collected.json" 2>/dev/null)"; fi

finish
