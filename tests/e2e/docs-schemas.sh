#!/bin/sh
# docs-schemas.sh - documentation and schemas stay in step with the code:
# the man pages render without warnings and mention every command and
# option the binary offers; every verdict the binary prints and every
# descriptor it writes validate against the published JSON Schemas.
. "$(dirname "$0")/lib.sh"
require_tool jq
require_tool groff
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"

# --- man pages ---
for m in man/apgate.1 man/apgate.yaml.5 man/apgate-policy.5; do
	groff -man -ww -z "$m" > "$TMP/groff.txt" 2>&1
	expect_empty "$m renders without warnings" "$TMP/groff.txt"
done
# roff writes a minus as "\-"; compare against the plain text.
sed 's/\\-/-/g' man/apgate.1 > "$TMP/apgate.1.txt"
sed 's/\\-/-/g' man/apgate-policy.5 > "$TMP/apgate-policy.5.txt"
# Every command has its own section, headed "apgate COMMAND ...".
for cmd in check validate show collect place hook export block unblock blocks waive unwaive waivers test lint \
	   policies "audit verify" "audit show" "audit rotate" report help version; do
	if grep -qE "^\.SS \"apgate $cmd( |\"|$)" "$TMP/apgate.1.txt"
	then pass "apgate.1 has a section for $cmd"
	else fail "apgate.1 has a section for $cmd"; fi
done
# Every long option of every command's --help is in apgate.1, as a whole
# option name (--no-audit does not count as --no).
for cmd in check validate show collect place hook export block unblock blocks waive unwaive waivers test lint \
	   policies "audit verify" "audit show" "audit rotate" report; do
	# shellcheck disable=SC2086 # "audit verify" is two words on purpose
	"$APGATE" $cmd --help > "$TMP/help.txt" 2>&1
	st=$?
	grep -o -- '--[a-z][a-z-]*' "$TMP/help.txt" | sort -u > "$TMP/opts.txt"
	if [ $st -ne 0 ] || ! grep -qx -- '--help' "$TMP/opts.txt"; then
		fail "$cmd --help" "exit $st, output: $(head -c 300 "$TMP/help.txt")"
		continue
	fi
	while read -r opt; do
		grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$TMP/apgate.1.txt" ||
			echo "$cmd $opt"
	done < "$TMP/opts.txt"
done > "$TMP/undocumented.txt"
expect_empty "every option is in apgate.1" "$TMP/undocumented.txt"
# Every default rule id is in apgate-policy.5.
grep -ho 'id = "[a-z0-9._-]*"' policies/*.lua | sed 's/id = "\(.*\)"/\1/' |
while read -r id; do
	grep -qF -- "$id" "$TMP/apgate-policy.5.txt" || echo "$id"
done > "$TMP/rules.txt"
expect_empty "every default rule is in apgate-policy.5" "$TMP/rules.txt"

# --- verdicts against schemas/verdict-v1.schema.json ---
P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z --format json"
n=0
for ex in examples/*/; do
	n=$((n + 1))
	"$APGATE" check $P --source "$ex/source.yaml" --target "$ex/target.yaml" \
		> "$TMP/verdict$n.json"
done
"$APGATE" check $P --source /nonexistent --target examples/cca-match/target.yaml \
	> "$TMP/verdict-error.json" 2>/dev/null
mkdir -p "$TMP/site"
printf 'disable("mdev.uuid", "site convention")\nrule{ id = "apqn.match", check = function() end }\n' \
	> "$TMP/site/50-site.lua"
"$APGATE" check $P --policy-dir "$TMP/site" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > "$TMP/verdict-site.json"
# A site rule's remedy, with and without commands.
mkdir -p "$TMP/site-fix"
cat > "$TMP/site-fix/50-fix.lua" <<'EOF'
rule{ id = "site.fix", description = "remedies", check = function(src, tgt)
  reject("r", { apqn = "05.0004", remedy = { text = "assign it",
    commands = fix.mdev_attr("target", tgt.mdev, "assign_domain", 4) } })
  warn("w", { remedy = { text = "talk to the owner" } })
end }
EOF
"$APGATE" check $P --policy-dir "$TMP/site-fix" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > "$TMP/verdict-fix.json"
if [ "$(jq -r '[.findings[] | select(.rule == "site.fix") | .remedy.commands | length] | join(",")' \
	"$TMP/verdict-fix.json")" = "2,0" ]
then pass "a site rule's remedies are in the verdict"
else fail "a site rule's remedies are in the verdict" "$(jq -c .findings "$TMP/verdict-fix.json")"; fi
if "$PY" tests/tools/validate-json.py schemas/verdict-v1.schema.json \
	"$TMP"/verdict*.json > "$TMP/v.txt" 2>&1; then pass "verdicts match their schema"
else fail "verdicts match their schema" "$(head -5 "$TMP/v.txt")"; fi

# --- descriptors against schemas/descriptor-v1.schema.json ---
i=0
for f in examples/*/*.yaml tests/data/descriptors/good/*.yaml; do
	i=$((i + 1))
	"$APGATE" show --format json "$f" > "$TMP/desc$i.json"
done
if "$PY" tests/tools/validate-json.py schemas/descriptor-v1.schema.json \
	"$TMP"/desc*.json tests/data/descriptors/good/*.json > "$TMP/d.txt" 2>&1
then pass "descriptors match their schema"
else fail "descriptors match their schema" "$(head -5 "$TMP/d.txt")"; fi

# --- inventories against schemas/inventory-v1.schema.json (which
# references descriptor-v1's parts) ---
i=0
for f in tests/data/inventories/good/*.yaml; do
	i=$((i + 1))
	"$APGATE" show --format json "$f" > "$TMP/inv$i.json"
done
if "$PY" tests/tools/validate-json.py schemas/inventory-v1.schema.json \
	"$TMP"/inv*.json > "$TMP/i.txt" 2>&1
then pass "inventories match their schema"
else fail "inventories match their schema" "$(head -5 "$TMP/i.txt")"; fi
# and the schema is not a blank check: a planned mdev is refused
jq '.mdevs[0].state = "planned"' "$TMP/inv1.json" > "$TMP/planned.json"
if "$PY" tests/tools/validate-json.py schemas/inventory-v1.schema.json \
	"$TMP/planned.json" > "$TMP/i.txt" 2>&1
then fail "inventory schema refuses a planned mdev"
else expect_contains "inventory schema refuses a planned mdev" "$TMP/i.txt" "mdevs/0/state"; fi

finish
