#!/bin/sh
# policy-trust.sh - as root, apgate refuses policy files, policy directories
# and configuration files that someone other than root could have written,
# names the file and the fix, and --insecure-policies overrides (and is
# recorded in the verdict).  Needs root (chown); skipped otherwise.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root"
id nobody >/dev/null 2>&1 || skip "no user nobody"

S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml
# $TMP is mktemp -d under /tmp: root's, 0700, in a sticky directory.
good() {
	rm -rf "$TMP/p"
	mkdir -m 755 "$TMP/p"
	cp policies/*.lua "$TMP/p/"
	chmod 644 "$TMP/p"/*.lua
}
run_check() {
	"$APGATE" check --no-config --policy-dir "$TMP/p" -s "$S" -t "$T" "$@" \
		> "$TMP/out.txt" 2> "$TMP/err.txt"
}

good
run_check
expect_status "root-owned, not writable by others: accepted" 0 $?

good
chown nobody "$TMP/p/30-card.lua"
run_check
expect_status "policy file owned by nobody: error" 2 $?
expect_contains "refusal names the file and the owner" "$TMP/err.txt" \
	"$TMP/p/30-card.lua: refusing policy file: it is owned by uid $(id -u nobody), not by root"
expect_contains "refusal names the fix" "$TMP/err.txt" \
	"fix: chown root:root $TMP/p/30-card.lua && chmod go-w $TMP/p/30-card.lua"
expect_contains "the verdict is error" "$TMP/out.txt" "verdict: error"
run_check --insecure-policies --format json
expect_status "--insecure-policies skips the checks" 0 $?
expect_contains "--insecure-policies is recorded" "$TMP/out.txt" '"insecure_policies": true'

good
chmod g+w "$TMP/p/10-apqn.lua"
run_check
expect_status "group-writable policy file: error" 2 $?
expect_contains "group-writable named" "$TMP/err.txt" "10-apqn.lua: refusing policy file: it is writable by its group"

good
chmod o+w "$TMP/p/60-blocks.lua"
run_check
expect_status "world-writable policy file: error" 2 $?
expect_contains "world-writable named" "$TMP/err.txt" "writable by others"

good
chmod 777 "$TMP/p"
run_check
expect_status "world-writable policy directory: error" 2 $?
expect_contains "directory refusal" "$TMP/err.txt" "$TMP/p: refusing policy directory: it is writable by others"

good
chmod 1777 "$TMP/p"
run_check
expect_status "world-writable sticky policy directory: still refused" 2 $?
expect_contains "sticky directory refusal" "$TMP/err.txt" "$TMP/p: refusing policy directory: it is writable by others"

good
chown nobody "$TMP/p"
run_check
expect_status "policy directory owned by nobody: error" 2 $?
expect_contains "directory owner named" "$TMP/err.txt" \
	"$TMP/p: refusing policy directory: it is owned by uid $(id -u nobody), not by root"

# A parent directory anyone can write lets anyone swap the directory.
good
mkdir -m 777 "$TMP/open"
mv "$TMP/p" "$TMP/open/p"
"$APGATE" check --no-config --policy-dir "$TMP/open/p" -s "$S" -t "$T" \
	> /dev/null 2> "$TMP/err.txt"
expect_status "world-writable parent directory: error" 2 $?
expect_contains "parent named" "$TMP/err.txt" "refusing policy directory: parent directory $TMP/open is writable by others"
chmod 1777 "$TMP/open"
"$APGATE" check --no-config --policy-dir "$TMP/open/p" -s "$S" -t "$T" > /dev/null 2>&1
expect_status "sticky root-owned parent (like /tmp): accepted" 0 $?
rm -rf "$TMP/open"

good
ln -s "$PWD/policies/50-mdev.lua" "$TMP/p/55-link.lua"
run_check
expect_status "symlinked policy file: error" 2 $?
expect_contains "symlink refusal" "$TMP/err.txt" "55-link.lua: refusing policy file: it is a symbolic link"

# A symlinked policy directory, named with and without a trailing slash
# (a trailing slash makes open() follow the link even with O_NOFOLLOW).
good
ln -s "$TMP/p" "$TMP/plink"
for d in "$TMP/plink" "$TMP/plink/" "$TMP/plink//"; do
	"$APGATE" check --no-config --policy-dir "$d" -s "$S" -t "$T" \
		> "$TMP/out.txt" 2> "$TMP/err.txt"
	expect_status "symlinked policy directory $d: error" 2 $?
	expect_contains "symlinked directory $d refused" "$TMP/err.txt" \
		"$d: refusing policy directory: it is a symbolic link"
done
rm -f "$TMP/plink"

# The configuration file.
good
printf 'policy_dirs: [%s]\nsite_policy_dir: null\naudit: {log: null}\n' "$TMP/p" > "$TMP/apgate.yaml"
chmod 644 "$TMP/apgate.yaml"
"$APGATE" check --no-audit --config "$TMP/apgate.yaml" -s "$S" -t "$T" > /dev/null 2>&1
expect_status "root-owned configuration: accepted" 0 $?
chown nobody "$TMP/apgate.yaml"
"$APGATE" check --no-audit --config "$TMP/apgate.yaml" -s "$S" -t "$T" > "$TMP/out.txt" 2> "$TMP/err.txt"
expect_status "configuration owned by nobody: error" 2 $?
expect_contains "configuration refusal" "$TMP/err.txt" "$TMP/apgate.yaml: refusing configuration file: it is owned by uid"
"$APGATE" check --no-audit --config "$TMP/apgate.yaml" --insecure-policies -s "$S" -t "$T" > /dev/null 2>&1
expect_status "configuration with --insecure-policies: accepted" 0 $?

# Nobody can vouch for the writer of a pipe: a configuration from
# standard input is refused as root, unless --insecure-policies.
good
printf 'policy_dirs: [%s]\nsite_policy_dir: null\naudit: {log: null}\n' "$TMP/p" |
	"$APGATE" check --no-audit --config - -s "$S" -t "$T" > "$TMP/out.txt" 2> "$TMP/err.txt"
expect_status "configuration from stdin as root: error" 2 $?
expect_contains "stdin refusal on stderr" "$TMP/err.txt" \
	"apgate: refusing to read a configuration file from standard input as root"
expect_contains "stdin refusal in the verdict" "$TMP/out.txt" \
	"ERROR config: refusing to read a configuration file from standard input as root"
printf 'policy_dirs: [%s]\nsite_policy_dir: null\naudit: {log: null}\n' "$TMP/p" |
	"$APGATE" check --no-audit --config - --insecure-policies -s "$S" -t "$T" > "$TMP/out.txt" 2>&1
expect_status "configuration from stdin with --insecure-policies: accepted" 0 $?
expect_contains "stdin configuration used" "$TMP/out.txt" "verdict: accept"

# The policy tools read the same way.
good
chown nobody "$TMP/p/40-mkvp.lua"
"$APGATE" policies --no-config --policy-dir "$TMP/p" > /dev/null 2> "$TMP/err.txt"
expect_status "policies: refused file is an error" 2 $?
expect_contains "policies: refusal" "$TMP/err.txt" "40-mkvp.lua: refusing policy file"
"$APGATE" policies --no-config --policy-dir "$TMP/p" --insecure-policies > "$TMP/out.txt"
expect_status "policies --insecure-policies" 0 $?
expect_contains "policies shows skipped checks" "$TMP/out.txt" "trust checks: skipped (--insecure-policies)"
"$APGATE" test --no-config --policy-dir "$TMP/p" policies/tests/50-mdev.yaml > "$TMP/out.txt" 2>&1
expect_status "test: refused policy set fails the cases" 1 $?
expect_contains "test: refusal shown" "$TMP/out.txt" "refusing policy file"


# The declared keys file decides verdicts too: the live target refuses a
# keys file that someone other than root could write.
if command -v umockdev-run > /dev/null 2>&1; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export ASAN_OPTIONS
	cp tests/data/hook/target-keys.yaml "$TMP/keys.yaml"
	chmod 0644 "$TMP/keys.yaml"
	chown nobody "$TMP/keys.yaml"
	printf 'keys_file: %s\nsite_policy_dir: null\naudit: {log: null}\n' "$TMP/keys.yaml" \
		> "$TMP/keys-cfg.yaml"
	chmod 0644 "$TMP/keys-cfg.yaml"
	umockdev-run -d tests/sysfs/cca-host.umockdev -- "$APGATE" check \
		--config "$TMP/keys-cfg.yaml" --policy-dir policies \
		--source examples/cca-match/source.yaml --target live \
		--mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 > "$TMP/out.txt" 2> "$TMP/err.txt"
	expect_status "keys file not owned by root: error verdict" 2 $?
	expect_contains "keys file refusal named" "$TMP/err.txt" "keys.yaml: refusing keys file"
	chown root "$TMP/keys.yaml"
	umockdev-run -d tests/sysfs/cca-host.umockdev -- "$APGATE" check \
		--config "$TMP/keys-cfg.yaml" --policy-dir policies \
		--source examples/cca-match/source.yaml --target live \
		--mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 > "$TMP/out.txt" 2> "$TMP/err.txt"
	if grep -q "refusing" "$TMP/err.txt"; then fail "root-owned keys file is used" "$(cat "$TMP/err.txt")"
	else pass "root-owned keys file is used"; fi
fi

finish
