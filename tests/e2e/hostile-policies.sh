#!/bin/sh
# hostile-policies.sh - every policy in tests/data/hostile/ tries to escape
# or exhaust the sandbox; each must be contained as verdict "error" (exit 2)
# with the message named on its first line ("-- expect: TEXT"), naming its
# file, without side effects and without a crash.
. "$(dirname "$0")/lib.sh"
require_tool jq

SRC=examples/cca-match/source.yaml
TGT=examples/cca-match/target.yaml
printf 'limits: {timeout_ms: 120000}\n' > "$TMP/apgate.yaml"
# A short wall-clock limit keeps the C-level backtracking case quick; the
# others keep a generous one, so a loaded machine cannot change the cause.
printf 'limits: {timeout_ms: 500}\n' > "$TMP/short.yaml"

run_case() { # NAME FILE
	name=$1 file=$2
	dir="$TMP/$name"
	mkdir -p "$dir"
	cp "$file" "$dir/99-hostile.lua"
	rm -f /tmp/apgate-pwned
	config="$TMP/apgate.yaml"
	case $name in pattern-backtracking|stuck-*) config="$TMP/short.yaml" ;; esac
	"$APGATE" check --no-audit --config "$config" --policy-dir policies \
		--policy-dir "$dir" --source $SRC --target $TGT --format json \
		> "$dir/out.json" 2> "$dir/err.txt"
	st=$?
	no_crash "$name" $st || return
	if [ $st -ne 2 ]; then fail "$name" "exit $st, expected 2"; return; fi
	if [ -e /tmp/apgate-pwned ]; then fail "$name" "side effect happened"; return; fi
	# Stuck inside a C function the process exits on its own: no JSON.
	if [ -s "$dir/out.json" ]; then
		verdict=$(jq -r .verdict "$dir/out.json")
		[ "$verdict" = error ] || { fail "$name" "verdict $verdict"; return; }
		jq -r '.findings[] | select(.severity == "error") | .message' \
			"$dir/out.json" > "$dir/msg.txt"
		grep -qF "99-hostile.lua" "$dir/msg.txt" ||
			{ fail "$name" "message does not name the file: $(cat "$dir/msg.txt")"; return; }
	else
		cp "$dir/err.txt" "$dir/msg.txt"
		# the line of the function that was running, as Lua counts it
		line=$(grep -n 'function' "$file" | head -n 1 | cut -d: -f1)
		grep -qE "99-hostile\.lua:$line\$" "$dir/msg.txt" ||
			{ fail "$name" "message does not name the file and line $line: $(cat "$dir/msg.txt")"; return; }
	fi
	expect_contains "$name" "$dir/msg.txt" "$3"
}

for f in tests/data/hostile/*.lua; do
	expect=$(sed -n '1s/^-- expect: //p' "$f")
	# An empty expectation would match any message.
	if [ -z "$expect" ]; then
		fail "$(basename "$f" .lua)" "no '-- expect: TEXT' header on line 1"
		continue
	fi
	run_case "$(basename "$f" .lua)" "$f" "$expect"
done

# Bytecode is refused before the VM sees it.
run_case binary-chunk tests/data/hostile/binary-chunk.lua.bin \
	"attempt to load a binary chunk"

# A policy's global writes stay in its own file: later files are unharmed.
mkdir -p "$TMP/poison"
printf 'rule = nil\nreject = function() end\npairs = nil\n' > "$TMP/poison/00-poison.lua"
"$APGATE" check --no-config --policy-dir "$TMP/poison" --policy-dir policies \
	--source examples/missing-apqn/source.yaml \
	--target examples/missing-apqn/target.yaml > "$TMP/poison.out" 2>&1
expect_status "globals-isolated-per-file" 1 $?

finish
