#!/bin/sh
# install-paths.sh - the installation paths follow the latest configure:
# a copy of the source tree is configured with --prefix A and built, then
# reconfigured with --prefix B (no `make clean`), rebuilt and installed;
# the installed binary must use B's paths (src/paths.h depends on
# config.status).  `make install` creates the state and log directories,
# so `block` and the first decision record work right after it.
. "$(dirname "$0")/lib.sh"
require_tool make
require_tool cc

# A make started from `make check` must not join the outer make's jobs.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j2 "$@"; }

# The sources without any build products (the tree under test may be built
# in place; distcheck gives a pristine one).
mkdir "$TMP/src"
tar -C "$SRCDIR" -cf - --exclude=.git --exclude='*.o' --exclude='*.a' \
	--exclude=.deps --exclude=.dirstamp --exclude=Makefile \
	--exclude=config.status --exclude=config.log --exclude=config.h \
	--exclude=stamp-h1 --exclude=paths.h --exclude='*.log' --exclude='*.trs' \
	--exclude=autom4te.cache --exclude=_build --exclude='apgate-[0-9]*' \
	--exclude=./src/apgate --exclude=./tests/check/check_apgate . |
	tar -C "$TMP/src" -xf - || exit 99
cd "$TMP/src" || exit 99
A="$TMP/prefix-a"
B="$TMP/prefix-b"

if ./configure -q --prefix="$A" CFLAGS=-O0 > "$TMP/conf-a.log" 2>&1 &&
	mk > "$TMP/make-a.log" 2>&1; then pass "configure --prefix A and make"
else fail "configure --prefix A and make" "$(tail -5 "$TMP/make-a.log" "$TMP/conf-a.log")"; fi
src/apgate check --help > "$TMP/help-a" 2>&1
expect_contains "the build uses A's policy directory" "$TMP/help-a" "$A/share/apgate/policies"

if ./configure -q --prefix="$B" CFLAGS=-O0 > "$TMP/conf-b.log" 2>&1 &&
	mk > "$TMP/make-b.log" 2>&1 && mk install > "$TMP/install.log" 2>&1
then pass "reconfigure --prefix B, make, make install"
else fail "reconfigure --prefix B, make, make install" "$(tail -5 "$TMP/install.log" "$TMP/make-b.log")"; fi
expect_contains "reconfiguring rebuilds the users of the paths" "$TMP/make-b.log" "config_file.o"

"$B/bin/apgate" check --help > "$TMP/help-b" 2>&1
for p in "$B/share/apgate/policies" "$B/etc/apgate/apgate.yaml" \
	"$B/var/log/apgate/decisions.jsonl"; do
	expect_contains "installed binary names $p" "$TMP/help-b" "$p"
done
if grep -qF "$A" "$TMP/help-b"; then fail "installed binary keeps no path of A" "$(grep -F "$A" "$TMP/help-b")"
else pass "installed binary keeps no path of A"; fi
"$B/bin/apgate" block --help > "$TMP/help-b" 2>&1
expect_contains "installed binary names B's state directory" "$TMP/help-b" "$B/var/lib/apgate"

# The installed binary finds its installed default rules.
"$B/bin/apgate" policies > "$TMP/out" 2>&1
expect_status "installed apgate policies" 0 $?
expect_contains "installed rules listed" "$TMP/out" "$B/share/apgate/policies/10-apqn.lua"

# make install creates the state directory and the log directory.
for d in "$B/var/lib/apgate" "$B/var/log/apgate"; do
	if [ -d "$d" ]; then pass "make install creates $d"; else fail "make install creates $d"; fi
done
U=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
"$B/bin/apgate" block --mdev $U --reason "key change" --by ops > "$TMP/out" 2>&1
expect_status "block right after make install" 0 $?
"$B/bin/apgate" blocks > "$TMP/out" 2>&1
expect_contains "the block is kept in B's state directory" "$TMP/out" "key change"
"$B/bin/apgate" check --source "$SRCDIR/examples/cca-match/source.yaml" \
	--target "$SRCDIR/examples/cca-match/target.yaml" > "$TMP/out" 2>&1
expect_status "installed check with every default" 0 $?
expect_contains "installed check accepts" "$TMP/out" "verdict: accept"
if [ -s "$B/var/log/apgate/decisions.jsonl" ]; then pass "the decision goes to B's log"
else fail "the decision goes to B's log"; fi

finish
