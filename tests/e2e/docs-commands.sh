#!/bin/sh
# docs-commands.sh - the commands the documentation shows work as shown.
#
# 1. Every example of README's table gives the verdict the table and the
#    example's own README state, on today's clock (no --now): examples
#    must not expire.
# 2. Every `src/apgate` command of README.md and examples/*/README.md
#    (tests/tools/doc-commands.py extracts them) runs verbatim in a copy
#    of the built tree, as root and as `nobody`, with the documented exit
#    status and transcript output, and writes nothing outside that tree
#    (strace records every file it opens for writing or creates).
# 3. Errors about a missing policy directory or an unwritable decision log
#    name the option that fixes them.
. "$(dirname "$0")/lib.sh"
require_tool strace
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: python3"; exit 77; }

# --- 1. the examples' verdicts, on any date ---
sed -n '/^| example | verdict | why |$/,/^$/p' README.md |
	sed -n 's/^| `\([a-z0-9-]*\)` | \([a-z]*\) | .*/\1 \2/p' > "$TMP/table"
n=$(wc -l < "$TMP/table")
if [ "$n" -ge 7 ]; then pass "README's table lists $n examples"
else fail "README's table lists the examples" "found $n rows"; fi
while read -r ex want; do
	"$APGATE" check --policy-dir policies --no-config \
		--source "examples/$ex/source.yaml" --target "examples/$ex/target.yaml" \
		> "$TMP/out" 2>&1
	st=$?
	expect_contains "$ex: verdict $want today, as README's table says" "$TMP/out" "verdict: $want"
	doc=$(sed -n 's/^Expected verdict: \*\*\([a-z]*\) (exit \([0-9]\).*/\1 \2/p' "examples/$ex/README.md")
	if [ "$doc" = "$want $st" ]; then pass "$ex: its README says $want (exit $st)"
	else fail "$ex: its README says $want (exit $st)" "README says: $doc"; fi
done < "$TMP/table"
for d in examples/*/source.yaml; do
	ex=$(basename "$(dirname "$d")")
	grep -q "^$ex " "$TMP/table" || fail "example $ex is in README's table"
done

# --- 2. the documented commands, verbatim, as root and as nobody ---
mkdir "$TMP/cases"
"$PY" tests/tools/doc-commands.py "$TMP/cases" README.md examples/*/README.md \
	> "$TMP/ncases" || exit 99
n=$(cat "$TMP/ncases")
if [ "$n" -ge 10 ]; then pass "$n src/apgate commands in the docs"
else fail "src/apgate commands in the docs" "found $n"; fi
for d in examples/*/; do
	ex=$(basename "$d")
	[ -f "$d/source.yaml" ] || [ "$ex" = policies ] || [ "$ex" = libvirt ] || continue
	if grep -lq "examples/$ex/README.md" "$TMP"/cases/*.where; then pass "examples/$ex shows a src/apgate command"
	else fail "examples/$ex shows a src/apgate command"; fi
done

# A copy of the built tree that `nobody` owns (as a user's own clone would
# be) and can reach.
TREE=$(mktemp -d "${TMPDIR:-/tmp}/apgate-docs.XXXXXX") || exit 99
trap 'rm -rf "$TMP" "$TREE"' EXIT
chmod 0755 "$TREE"
cp -R examples policies "$TREE/" && mkdir "$TREE/src" && cp "$APGATE" "$TREE/src/apgate" || exit 99

# run_as USER CASE: run the case's command in the tree as USER under
# strace; check status, output and where it wrote.  LeakSanitizer cannot
# run under ptrace (the rest of the suite checks leaks).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
run_as() {
	user=$1 c=$2 where=$(cat "$TMP/cases/$c.where")
	cmd=$(cat "$TMP/cases/$c.cmd")
	if [ "$user" = root ]; then g=$guard; set --; else g=
		set -- setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups; fi
	(cd "$TREE" && $g strace -f -qq -o "$TMP/trace" \
		-e trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,truncate \
		"$@" sh -c "$cmd") > "$TMP/out" 2> "$TMP/err"
	st=$?
	want=$(cat "$TMP/cases/$c.status")
	if [ "$st" -eq "$want" ] && ! grep -q "verdict: error" "$TMP/out"; then
		pass "$where as $user: exit $want"
	else
		fail "$where as $user: exit $want" "\$ $cmd" "exit $st: $(head -c 400 "$TMP/out" "$TMP/err")"
	fi
	if [ -f "$TMP/cases/$c.out" ]; then
		if cmp -s "$TMP/out" "$TMP/cases/$c.out"; then pass "$where as $user: output as shown"
		else fail "$where as $user: output as shown" "$(diff "$TMP/cases/$c.out" "$TMP/out" | head -8)"; fi
	fi
	# Files opened for writing, created, renamed or removed: all in the
	# tree (relative names resolve there; /dev is no file).
	sed -n -e '/O_WRONLY\|O_RDWR\|O_CREAT\|O_TRUNC/p' \
		-e '/ \(creat\|mkdir\|mkdirat\|rename\|renameat2\?\|link\|linkat\|symlink\|symlinkat\|unlink\|unlinkat\|truncate\)(/p' \
		"$TMP/trace" | grep -o '"[^"]*"' | tr -d '"' |
		grep '^/' | grep -v "^$TREE/\|^/dev/" > "$TMP/outside"
	if [ ! -s "$TMP/outside" ]; then pass "$where as $user: writes nothing outside the tree"
	else fail "$where as $user: writes nothing outside the tree" "$(sort -u "$TMP/outside" | head -5)"; fi
}

# As root, a command that tries to write outside the tree runs where it
# cannot: the root file system read-only in a private mount namespace,
# only the tree (and the trace) writable; strace still sees the attempt.
ro_root() {
	unshare -m --propagation private sh -c 'mount --bind "$0" "$0" &&
		mount --bind "$1" "$1" && mount -o remount,bind,ro / &&
		shift && exec "$@"' "$TREE" "$TMP" "$@"
}
guard=
users=root
if [ "$(id -u)" -eq 0 ]; then
	ro_root true 2>/dev/null && guard=ro_root
	chown -R nobody "$TREE"
	users="root nobody"
else
	# Not root: the tree is this user's, which is the unprivileged case.
	users=$(id -un)
fi
c=1
while [ "$c" -le "$n" ]; do
	for u in $users; do
		# As root the tree must be root's: trust checks refuse rules a
		# user could write.
		[ "$u" = root ] && [ "$(id -u)" -eq 0 ] && chown -R root "$TREE"
		[ "$u" = nobody ] && chown -R nobody "$TREE"
		run_as "$u" "$c"
	done
	c=$((c + 1))
done

# --- 3. errors name the option that fixes them ---
# The hint for the built-in rule directory shows only where it is missing
# (this build's prefix not installed), as in a fresh source tree.
defdir=$("$APGATE" check --help | sed -n 's/^ *(\(\/[^)]*\)); repeatable.*/\1/p')
if [ -n "$defdir" ] && [ ! -e "$defdir" ]; then
	"$APGATE" check --no-config --source examples/cca-match/source.yaml \
		--target examples/cca-match/target.yaml > "$TMP/out" 2> "$TMP/err"
	expect_status "no installed rules: error" 2 $?
	expect_contains "missing rule directory names --policy-dir" "$TMP/err" \
		"policy directory $defdir: No such file or directory; name the rules with --policy-dir DIR (in a source tree: --policy-dir policies)"
else
	pass "default rule directory $defdir is installed (hint not reachable)"
fi
mkdir "$TMP/ro"
chmod 0555 "$TMP/ro"
if [ "$(id -u)" -eq 0 ]; then ro="setpriv --reuid=nobody --regid=nogroup --clear-groups"; chmod 0755 "$TMP"
else ro=; fi
$ro "$TREE/src/apgate" check --policy-dir "$TREE/policies" --no-config --audit-log "$TMP/ro/decisions.jsonl" \
	--source "$TREE/examples/cca-match/source.yaml" --target "$TREE/examples/cca-match/target.yaml" \
	> "$TMP/out" 2> "$TMP/err"
expect_status "unwritable decision log: error" 2 $?
expect_contains "unwritable decision log names --audit-log and --no-audit" "$TMP/err" \
	"decisions.jsonl: Permission denied; --audit-log FILE writes the record elsewhere, --no-audit writes none"

# --- 4. the reference: synopsis, exit statuses, environment ---
sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' man/apgate.1 > "$TMP/synopsis"
for cmd in check validate show collect hook export block unblock blocks test lint \
	policies "audit verify" "audit show" "audit rotate" report; do
	expect_contains "apgate(1) SYNOPSIS shows $cmd" "$TMP/synopsis" ".B apgate $cmd"
	"$APGATE" $cmd --help > "$TMP/help" 2>&1
	expect_contains "$cmd --help states its exit status" "$TMP/help" "Exit status: "
done
sed -n '/^\.SH ENVIRONMENT/,/^\.SH EXAMPLES/p' man/apgate.1 > "$TMP/environment"
grep -ho 'getenv("[A-Z_]*")' src/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u > "$TMP/vars"
if [ -s "$TMP/vars" ]; then
	while read -r var; do
		expect_contains "apgate(1) ENVIRONMENT names \$$var" "$TMP/environment" ".B $var"
	done < "$TMP/vars"
fi
if grep -q "uses no environment variables" "$TMP/environment" && [ -s "$TMP/vars" ]; then
	fail "ENVIRONMENT does not claim that no variable is used"
else pass "ENVIRONMENT does not claim that no variable is used"; fi
# The installed hook script has as many lines as examples/libvirt says.
n=$(sed -n "s/.*printf '\(.*\)' .*/\1/p" mk/*.am | grep 'apgate hook' | head -n 1 |
	grep -o '\\n' | wc -l)
set -- one two three four five
eval "word=\${$n:-$n}"
expect_contains "examples/libvirt: 00-apgate is a $word-line script" \
	examples/libvirt/README.md "is a $word-line script"

finish
