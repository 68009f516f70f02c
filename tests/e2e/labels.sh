#!/bin/sh
# labels.sh - host labels end to end: apgate.yaml `labels:` (refusals name
# file:line:col), descriptors' host_labels (show, schema, canonical
# digest), and what policies see as src.labels / tgt.labels through check.
# Collection and the hook: labels-hook.sh.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"

G=tests/data/descriptors/good/host-labels.yaml
P="--no-audit --policy-dir policies"

# --- show and the schema ---
"$APGATE" show "$G" > "$TMP/show.txt"
expect_status "show a labelled descriptor" 0 $?
sed -n '/^host /,/^mdev /p' "$TMP/show.txt" > "$TMP/labels.txt"
cat > "$TMP/want.txt" <<'EOF'
host            lpar-a.example.com
labels          1=one
                example.com/rack=r12 <&> ü
                tenant=acme corp
                yes=y
                zone=a
mdev            62177883-f1bb-47f0-914d-32a22e3a8804 (-, state unknown)
EOF
if diff -u "$TMP/want.txt" "$TMP/labels.txt" > "$TMP/diff"; then pass "show lists the labels, one a line, sorted"
else fail "show lists the labels, one a line, sorted" "$(cat "$TMP/diff")"; fi
"$APGATE" show examples/cca-match/source.yaml > "$TMP/plain.txt"
if grep -q '^labels' "$TMP/plain.txt"; then fail "show without labels prints no labels line"
else pass "show without labels prints no labels line"; fi

"$APGATE" show --format json "$G" > "$TMP/labelled.json"
if "$PY" tests/tools/validate-json.py schemas/descriptor-v1.schema.json "$TMP/labelled.json" > "$TMP/v.txt" 2>&1
then pass "a labelled descriptor matches the schema"
else fail "a labelled descriptor matches the schema" "$(cat "$TMP/v.txt")"; fi
# the schema refuses what the loader refuses
jq '.host_labels.Zone = "a"' "$TMP/labelled.json" > "$TMP/upper.json"
jq '.host_labels.zone = "a\tb"' "$TMP/labelled.json" > "$TMP/ctl.json"
jq '.host_labels.zone = 5' "$TMP/labelled.json" > "$TMP/num.json"
for f in upper ctl num; do
	if "$PY" tests/tools/validate-json.py schemas/descriptor-v1.schema.json "$TMP/$f.json" > "$TMP/v.txt" 2>&1
	then fail "the schema refuses a bad label ($f)"
	else pass "the schema refuses a bad label ($f)"; fi
	"$APGATE" validate "$TMP/$f.json" > /dev/null 2> "$TMP/err"
	expect_status "the loader refuses a bad label ($f)" 1 $?
	expect_contains "the loader names host_labels ($f)" "$TMP/err" "$TMP/$f.json:"
done

# the YAML and JSON forms keep the digest
sha=$(sed -n 's/^sha256 *//p' "$TMP/show.txt")
"$APGATE" show --format yaml "$G" > "$TMP/round.yaml"
for f in "$TMP/round.yaml" "$TMP/labelled.json"; do
	sha2=$("$APGATE" show "$f" | sed -n 's/^sha256 *//p')
	if [ -n "$sha" ] && [ "$sha" = "$sha2" ]; then pass "labels survive $(basename "$f")"
	else fail "labels survive $(basename "$f")" "$sha vs $sha2"; fi
done

# --- apgate.yaml labels: refusals name file:line:col ---
conf_refused() {	# NAME YAML-TEXT MESSAGE
	printf '%s\n' "$2" > "$TMP/c.yaml"
	"$APGATE" check $P --config "$TMP/c.yaml" --source examples/cca-match/source.yaml \
		--target examples/cca-match/target.yaml > "$TMP/out" 2> "$TMP/err"
	expect_status "$1: error verdict" 2 $?
	expect_contains "$1: says where and what" "$TMP/err" "apgate: $TMP/c.yaml:$3"
}
conf_refused "uppercase key" 'labels: {zone: a, Tenant: b}' \
	"1:19: labels: expected a label key: 1..63 characters of a-z, 0-9, '.', '_', '/', '-', starting with a-z or 0-9, found \"Tenant\""
conf_refused "number value" "$(printf 'labels:\n  rack: 12')" \
	"2:9: labels.rack: expected a label value: a string of 1..255 bytes without control characters, found the integer 12 (quote it to make it a string)"
conf_refused "not a mapping" 'labels: [zone, a]' \
	"1:9: labels: expected a mapping of labels like {zone: a, tenant: acme}, found a list"
conf_refused "empty value" 'labels: {zone: ""}' \
	"1:16: labels.zone: expected a label value: a string of 1..255 bytes without control characters, found the string \"\""
"$PY" -c 'print("labels:"); [print("  k%d: v" % i) for i in range(65)]' > "$TMP/many.yaml"
"$APGATE" check $P --config "$TMP/many.yaml" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > "$TMP/out" 2> "$TMP/err"
expect_status "65 labels: error verdict" 2 $?
expect_contains "65 labels: says so" "$TMP/err" "$TMP/many.yaml:66:3: labels: more than 64 labels"
printf 'labels: {zone: a, tenant: acme}\n' > "$TMP/ok.yaml"
"$APGATE" check $P --config "$TMP/ok.yaml" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > "$TMP/out" 2> "$TMP/err"
expect_status "good labels: check accepts" 0 $?

# --- what policies see ---
mkdir -p "$TMP/site"
cat > "$TMP/site/90-show.lua" <<'EOF'
rule{ id = "site.show-labels", check = function(src, tgt)
  local function all(l)
    local t = {}
    for k, v in spairs(l) do t[#t + 1] = k .. "=" .. v end
    return "{" .. table.concat(t, ",") .. "}"
  end
  note("src " .. all(src.labels) .. " tgt " .. all(tgt.labels) ..
       " zone " .. tostring(tgt.labels.zone))
end }
EOF
"$APGATE" check $P --policy-dir "$TMP/site" --format json --source "$G" \
	--target examples/cca-match/target.yaml > "$TMP/v.json" 2> "$TMP/err"
jq -r '.findings[] | select(.rule == "site.show-labels") | .message' "$TMP/v.json" > "$TMP/seen.txt"
expect_contains "policies see src.labels, and an empty tgt.labels" "$TMP/seen.txt" \
	"src {1=one,example.com/rack=r12 <&> ü,tenant=acme corp,yes=y,zone=a} tgt {} zone nil"

finish
