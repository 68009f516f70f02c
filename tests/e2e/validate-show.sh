#!/bin/sh
# validate-show.sh - `apgate validate` and `apgate show` on the bundled
# examples: every example is valid, show prints it readably, and the YAML
# and JSON forms re-load to the same canonical digest.
. "$(dirname "$0")/lib.sh"

for f in examples/*/source.yaml examples/*/target.yaml; do
	"$APGATE" validate "$f" > "$TMP/out" 2>&1
	expect_status "validate $f" 0 $?
done
"$APGATE" validate examples/*/*.yaml > "$TMP/out" 2>&1
expect_status "validate many" 0 $?
"$APGATE" validate -q examples/cca-match/source.yaml > "$TMP/out" 2>&1
expect_empty "validate -q is quiet" "$TMP/out"
"$APGATE" validate > "$TMP/out" 2>&1; expect_status "validate needs a file" 2 $?
expect_contains "validate needs a file: said" "$TMP/out" "apgate validate: no descriptor file given"
printf 'apgate-descriptor: 1\nhost: x\n' > "$TMP/bad.yaml"
"$APGATE" validate examples/cca-match/source.yaml "$TMP/bad.yaml" > "$TMP/out" 2> "$TMP/err"
expect_status "one invalid file fails validate" 1 $?
expect_contains "valid one still reported" "$TMP/out" "examples/cca-match/source.yaml: ok"
expect_contains "invalid one located" "$TMP/err" "bad.yaml:1:1:"

F=examples/cca-match/source.yaml
"$APGATE" show "$F" > "$TMP/show.txt"; expect_status "show" 0 $?
expect_contains "show host" "$TMP/show.txt" "lpar-a.example.com"
expect_contains "show sha256" "$TMP/show.txt" "sha256"
expect_contains "show cards table" "$TMP/show.txt" "CARD"
expect_contains "show master keys" "$TMP/show.txt" "AES CUR"
sha=$(sed -n 's/^sha256 *//p' "$TMP/show.txt")

for fmt in yaml json; do
	"$APGATE" show --format $fmt "$F" > "$TMP/round.$fmt"
	expect_status "show --format $fmt" 0 $?
	"$APGATE" show "$TMP/round.$fmt" > "$TMP/again.txt"
	sha2=$(sed -n 's/^sha256 *//p' "$TMP/again.txt")
	if [ -n "$sha" ] && [ "$sha" = "$sha2" ]; then pass "$fmt round trip keeps the digest"
	else fail "$fmt round trip keeps the digest" "$sha vs $sha2"; fi
done
"$APGATE" show --format xml "$F" > "$TMP/out" 2>&1; expect_status "show bad format" 2 $?
expect_contains "show bad format: said" "$TMP/out" "apgate show: --format must be text, yaml or json, not 'xml'"
"$APGATE" show "$TMP/bad.yaml" > "$TMP/out" 2>&1; expect_status "show invalid" 1 $?
expect_contains "show invalid: located" "$TMP/out" "bad.yaml:1:1: missing required key \"mdev\" in the descriptor"

# A planned mdev and a queue held by another mdev read as such.
P=tests/data/descriptors/good/planned-assigned.yaml
"$APGATE" show "$P" > "$TMP/planned.txt"; expect_status "show planned" 0 $?
expect_contains "show planned state" "$TMP/planned.txt" "(vfio_ap-passthrough, planned)"
expect_contains "show queue holder" "$TMP/planned.txt" "assigned to mdev 0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90"
"$APGATE" show --format json "$P" > "$TMP/planned.json"
expect_contains "json keeps the holder" "$TMP/planned.json" '"assigned_to": "0d5a3c1e-8e0b-4a57-9b61-2c5b3f1a7e90"'

finish
