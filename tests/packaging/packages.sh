#!/usr/bin/env bash
# packages.sh - build the Debian and RPM packages from a dist tarball and
# check them as an administrator would meet them:
#   deb: dpkg-buildpackage (dh_auto_test runs `make check`), lintian clean of
#        errors and warnings, `apt-get install ./apgate_*.deb`, a real check
#        on an installed example with the installed policies, the hook not
#        enabled, then remove (state and log kept) and purge (nothing left);
#   rpm: `rpmbuild -tb --nodeps` on the tarball (Debian's rpm), its file list
#        and configuration files compared with the expected ones.
# Installs into and purges from this machine: CI runs it as root on a
# throw-away machine; it refuses to run where apgate is already installed.
#
# usage: tests/packaging/packages.sh apgate-VERSION.tar.gz
# Ends with "N passed, N failed"; exit 0 only when every case passed.
set -uo pipefail

tarball=$(realpath "${1:?usage: $0 apgate-VERSION.tar.gz}")
here=$(cd "$(dirname "$0")" && pwd)
expected="$here/expected"
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; shift; [ $# -gt 0 ] && printf '     %s\n' "$@"; }
finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit
}
# same NAME WANT_FILE GOT_FILE
same() {
	if diff -u "$2" "$3" > "$TMP/diff"; then pass "$1"; else fail "$1" "$(cat "$TMP/diff")"; fi
}

[ "$(id -u)" -eq 0 ] || { echo "packages.sh: must run as root (it installs the package)" >&2; exit 2; }
if dpkg-query -W -f='${Status}' apgate 2>/dev/null | grep -q 'ok installed'; then
	echo "packages.sh: apgate is installed on this machine already; refusing to purge it" >&2
	exit 2
fi
for tool in dpkg-buildpackage lintian rpmbuild rpm apt-get; do
	command -v "$tool" >/dev/null || { echo "packages.sh: $tool missing (.ci/install-deps installs it)" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/apgate-packages.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
name=$(basename "$tarball" .tar.gz)		# apgate-VERSION
version=${name#apgate-}

# ---------------------------------------------------------------- Debian
tar -C "$TMP" -xzf "$tarball"
if (cd "$TMP/$name" && dpkg-buildpackage -us -uc -b) > "$TMP/deb-build.log" 2>&1; then
	pass "dpkg-buildpackage (with dh_auto_test)"
else
	fail "dpkg-buildpackage (with dh_auto_test)" "$(tail -n 40 "$TMP/deb-build.log")"
	finish
fi
grep -q 'make.*check' "$TMP/deb-build.log" &&
	grep -q '^tests: \|# PASS:' "$TMP/deb-build.log" &&
	pass "dh_auto_test ran make check" ||
	fail "dh_auto_test ran make check" "no make check output in the build log"

deb=$(ls "$TMP"/apgate_"$version"-*_*.deb)
changes=$(ls "$TMP"/apgate_"$version"-*_*.changes)
if lintian --fail-on error,warning "$changes" > "$TMP/lintian.log" 2>&1; then
	pass "lintian: no errors or warnings"
else
	fail "lintian: no errors or warnings" "$(cat "$TMP/lintian.log")"
fi

dpkg-deb -c "$deb" | awk '{ print $1, $6 }' | sed 's#^\([^ ]*\) \./#\1 /#; s#/$##' |
	grep -v -e ' /usr/share/doc/apgate/examples/' -e ' $' | sort -k2 > "$TMP/deb-files"
same "deb file list and modes" "$expected/deb-files" "$TMP/deb-files"
# Lua, nettle and libuuid are linked in statically: the package names
# their source packages and versions.
built_using=$(dpkg-deb -f "$deb" Built-Using)
case $built_using in
*'lua5.4 (= '*'nettle (= '*'util-linux (= '*)
	pass "deb Built-Using names lua5.4, nettle and util-linux" ;;
*)	fail "deb Built-Using names lua5.4, nettle and util-linux" "got: $built_using" ;;
esac
dpkg-deb --info "$deb" conffiles > "$TMP/conffiles" 2>&1
same "deb conffiles" <(printf '/etc/apgate/apgate.yaml\n') "$TMP/conffiles"

if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" > "$TMP/install.log" 2>&1; then
	pass "apt-get install ./apgate_*.deb"
else
	fail "apt-get install ./apgate_*.deb" "$(tail -n 20 "$TMP/install.log")"
	finish
fi

for d in /var/lib/apgate /var/log/apgate; do
	got=$(stat -c '%a %U:%G' "$d" 2>&1)
	[ "$got" = "750 root:root" ] && pass "$d is 0750 root:root" ||
		fail "$d is 0750 root:root" "got: $got"
done
got=$(stat -c '%a %U:%G' /etc/apgate/policies.d 2>&1)
[ "$got" = "755 root:root" ] && pass "/etc/apgate/policies.d is 0755 root:root" ||
	fail "/etc/apgate/policies.d is 0755 root:root" "got: $got"
if ls /etc/libvirt/hooks/qemu.d/ 2>/dev/null | grep -q apgate; then
	fail "the libvirt hook is not enabled" "$(ls -l /etc/libvirt/hooks/qemu.d/)"
else
	pass "the libvirt hook is not enabled"
fi

ex=/usr/share/doc/apgate/examples
apgate check --source "$ex/cca-match/source.yaml" --target "$ex/cca-match/target.yaml" \
	> "$TMP/check.out" 2> "$TMP/check.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -qx 'verdict: accept' "$TMP/check.out" && [ ! -s "$TMP/check.err" ]; then
	pass "installed apgate checks an installed example with the installed policies"
else
	fail "installed apgate checks an installed example with the installed policies" \
		"exit $rc" "$(cat "$TMP/check.out" "$TMP/check.err")"
fi
apgate check --source "$ex/missing-apqn/source.yaml" --target "$ex/missing-apqn/target.yaml" \
	> "$TMP/check.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -qx 'verdict: reject' "$TMP/check.out" &&
	pass "installed apgate rejects the missing-apqn example" ||
	fail "installed apgate rejects the missing-apqn example" "exit $rc" "$(cat "$TMP/check.out")"
n=$(wc -l < /var/log/apgate/decisions.jsonl 2>/dev/null || echo 0)
[ "$n" -eq 2 ] && pass "both decisions are in /var/log/apgate/decisions.jsonl" ||
	fail "both decisions are in /var/log/apgate/decisions.jsonl" "$n records"
if apgate audit verify > "$TMP/verify.out" 2>&1; then
	pass "audit verify on the installed log"
else
	fail "audit verify on the installed log" "$(cat "$TMP/verify.out")"
fi

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q apgate > "$TMP/remove.log" 2>&1
if [ ! -e /usr/bin/apgate ] && [ -s /var/log/apgate/decisions.jsonl ] && [ -d /var/lib/apgate ] &&
	[ -f /etc/apgate/apgate.yaml ]; then
	pass "remove keeps the log, the state and the configuration"
else
	fail "remove keeps the log, the state and the configuration" "$(tail -n 5 "$TMP/remove.log")"
fi
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q apgate > "$TMP/purge.log" 2>&1
left=""
for p in /usr/bin/apgate /usr/share/apgate /usr/share/doc/apgate /etc/apgate \
	/var/lib/apgate /var/log/apgate /usr/share/man/man1/apgate.1.gz; do
	[ -e "$p" ] && left="$left $p"
done
if [ -z "$left" ] && ! dpkg-query -W apgate > /dev/null 2>&1; then
	pass "purge leaves nothing behind"
else
	fail "purge leaves nothing behind" "left:$left" "$(tail -n 5 "$TMP/purge.log")"
fi

# ---------------------------------------------------------------- RPM
mkdir -p "$TMP/rpm"
# Debian's rpm has no find-debuginfo: no debuginfo subpackage here.
if rpmbuild -tb --nodeps --nocheck --define "_topdir $TMP/rpm" \
	--define 'debug_package %{nil}' "$tarball" > "$TMP/rpm-build.log" 2>&1; then
	pass "rpmbuild -tb --nodeps on the dist tarball"
else
	fail "rpmbuild -tb --nodeps on the dist tarball" "$(tail -n 40 "$TMP/rpm-build.log")"
	finish
fi
rpmfile=$(ls "$TMP"/rpm/RPMS/*/apgate-"$version"-*.rpm)
# Build ids and the versioned doc directory vary by build and distribution.
rpm -qp --dump "$rpmfile" 2>/dev/null | awk '{ printf "%s %s\n", substr($5, length($5) - 3), $1 }' |
	grep -v ' /usr/lib/\.build-id' | sed "s#/usr/share/doc/apgate-$version#/usr/share/doc/apgate#" |
	sort -k2 > "$TMP/rpm-files"
same "rpm file list and modes (rpm -qlp)" "$expected/rpm-files" "$TMP/rpm-files"
rpm -qp --configfiles "$rpmfile" > "$TMP/rpm-conf" 2>/dev/null
same "rpm %config(noreplace) files" <(printf '/etc/apgate/apgate.yaml\n') "$TMP/rpm-conf"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmfile" 2>/dev/null |
	grep -q '^cn /etc/apgate/apgate.yaml$' &&
	pass "apgate.yaml is %config(noreplace)" ||
	fail "apgate.yaml is %config(noreplace)" "$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmfile" | grep etc)"

finish
