#!/bin/sh
# collect-mdevctl.sh - `apgate collect` from mdevctl definitions made by
# the real mdevctl (Debian 12's 1.2.0) in an isolated mount namespace:
# `unshare -m` with a tmpfs over /etc/mdevctl.d (and the scripts.d
# directories 1.2.0 insists on), so the host's definitions are neither
# read nor touched.  Needs root; skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"
require_tool jq
require_tool unshare
MDEVCTL=
for m in /usr/sbin/mdevctl /usr/bin/mdevctl; do
	[ -x "$m" ] && MDEVCTL=$m && break
done
[ -n "$MDEVCTL" ] || skip "mdevctl not installed"
[ "$(id -u)" -eq 0 ] || skip "needs root (unshare -m, mount)"
unshare -m true 2>/dev/null || skip "unshare -m not permitted"
[ -d /etc/mdevctl.d ] || skip "no /etc/mdevctl.d to mount over"

D=tests/data/collect
O="$TMP/out"
mkdir -p "$O"
NOW=2026-11-22T10:00:00Z
# mdevctl's own example (testdata/define/defined.json, libvirt's UUID)
U1=783e6dbb-ea0e-411f-94e2-717eaad438bf
U2=6a0f3c1d-2b4e-4d5f-8a6b-7c8d9e0f1a2b
U3=0e1d2c3b-4a59-4687-9a0b-c1d2e3f4a5b6
U4=9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a
U5=2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b0

cat > "$TMP/defined.json" <<'JSON'
{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_adapter":"6"},{"assign_domain":"0xab"},{"assign_control_domain":"0xab"},{"assign_domain":"4"},{"assign_control_domain":"4"}]}
JSON

# Everything that needs the namespace runs in one script; checks follow.
cat > "$TMP/inner.sh" <<INNER
set -u
mount -t tmpfs apgate-test /etc/mdevctl.d || exit 90
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
M=$MDEVCTL A=$APGATE O=$O
r() { name=\$1; shift; "\$@" > "\$O/\$name.out" 2> "\$O/\$name.err"; echo \$? > "\$O/\$name.rc"; }
r define1 timeout 20 \$M define --parent matrix --uuid $U1 --jsonfile $TMP/defined.json
r dump1 timeout 20 \$M list -d -u $U1 --dumpjson
cp /etc/mdevctl.d/matrix/$U1 \$O/file1.json
r collect1 \$A collect --mdev $U1 --mdevctl --host kvm-a --now $NOW
r auto1 \$A collect --mdev $U1 --host kvm-a --now $NOW
r sysfs1 \$A collect --mdev $U1 --sysfs --host kvm-a --now $NOW
# built attr by attr, as an operator would
r define2 timeout 20 \$M define -p matrix -u $U2 -t vfio_ap-passthrough
r mod2a timeout 20 \$M modify -u $U2 --addattr=assign_adapter --value=0x0b
r mod2b timeout 20 \$M modify -u $U2 --addattr=assign_adapter --value=12
r mod2c timeout 20 \$M modify -u $U2 --addattr=assign_domain --value=0x47
r mod2d timeout 20 \$M modify -u $U2 --addattr=assign_control_domain --value=71
r mod2e timeout 20 \$M modify -u $U2 --addattr=unassign_adapter --value=12
r collect2 \$A collect --mdev $U2 --mdevctl --host kvm-a --now $NOW --format json
# ap_config replaces all three masks
r define3 timeout 20 \$M define -p matrix -u $U3 -t vfio_ap-passthrough
r mod3a timeout 20 \$M modify -u $U3 --addattr=assign_adapter --value=1
r mod3b timeout 20 \$M modify -u $U3 --addattr=ap_config --value=0x0600000000000000000000000000000000000000000000000000000000000000,0x0800000000000000010000000000000000000000000000000000000000000000,0x0800000000000000000000000000000000000000000000000000000000000000
r collect3 \$A collect --mdev $U3 --mdevctl --host kvm-a --now $NOW --format json
# mdevctl stores what it is given: a leading zero, an unknown attribute
r define4 timeout 20 \$M define -p matrix -u $U4 -t vfio_ap-passthrough
r mod4 timeout 20 \$M modify -u $U4 --addattr=assign_domain --value=012
r collect4 \$A collect --mdev $U4 --mdevctl
r define5 timeout 20 \$M define -p matrix -u $U5 -t vfio_ap-passthrough
r mod5 timeout 20 \$M modify -u $U5 --addattr=assign_adapters --value=5
r collect5 \$A collect --mdev $U5 --mdevctl
r all \$A collect --all
r alljson \$A collect --all --format json
# files mdevctl itself rejects (its testdata/invalid-files), written directly
mkdir -p /etc/mdevctl.d/matrix
printf '{"mdev_type":"vfio_ap-passthrough","attrs":[]}' > /etc/mdevctl.d/matrix/$U4
r nostart \$A collect --mdev $U4 --mdevctl
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5","assign_domain":"4"}]}' > /etc/mdevctl.d/matrix/$U4
r twokeys \$A collect --mdev $U4 --mdevctl
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":5}]}' > /etc/mdevctl.d/matrix/$U4
r numeric \$A collect --mdev $U4 --mdevctl
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[' > /etc/mdevctl.d/matrix/$U4
r truncated \$A collect --mdev $U4 --mdevctl
printf '{"mdev_type":"i915-GVTg_V5_4","start":"auto","attrs":[]}' > /etc/mdevctl.d/matrix/$U4
r othertype \$A collect --mdev $U4 --mdevctl
r undefined \$A collect --mdev 00000000-0000-4000-8000-000000000000 --mdevctl
INNER
unshare -m /bin/sh "$TMP/inner.sh"
st=$?
if [ $st -eq 90 ]; then skip "cannot mount a tmpfs over /etc/mdevctl.d"; fi
[ -e "$O/define1.rc" ] || { fail "namespace script ran" "status $st"; finish; exit 1; }

rc() { cat "$O/$1.rc" 2>/dev/null || echo 99; }
for step in define1 dump1 define2 mod2a mod2b mod2c mod2d mod2e define3 mod3a mod3b define4 mod4 define5 mod5; do
	[ "$(rc $step)" = 0 ] || fail "mdevctl $step" "$(cat "$O/$step.err")"
done
# apgate reads the file itself; it must be what mdevctl reports
if jq -S . "$O/file1.json" > "$TMP/a" && jq -S . "$O/dump1.out" > "$TMP/b" &&
	cmp -s "$TMP/a" "$TMP/b"; then pass "the file is what mdevctl list --dumpjson reports"
else fail "the file is what mdevctl list --dumpjson reports" "$(diff "$TMP/a" "$TMP/b" | head)"; fi

expect_status "collect1: --mdevctl" 0 "$(rc collect1)"
if diff -u "$D/mdevctl-defined.yaml" "$O/collect1.out" > "$TMP/d"; then
	pass "collect1: as $D/mdevctl-defined.yaml"
else fail "collect1: as $D/mdevctl-defined.yaml" "$(head -30 "$TMP/d")"; fi
if "$APGATE" validate "$O/collect1.out" > "$TMP/v" 2>&1; then pass "collect1: validates"
else fail "collect1: validates" "$(cat "$TMP/v")"; fi
expect_contains "collect1: no AP bus here, assignment only" "$O/collect1.err" \
	"no AP bus on this host: the descriptor holds the mdevctl assignment only"
expect_status "auto1: a defined mdev is read from mdevctl" 0 "$(rc auto1)"
if cmp -s "$O/collect1.out" "$O/auto1.out"; then pass "auto1: same as --mdevctl"
else fail "auto1: same as --mdevctl"; fi
expect_contains "auto1: says how to start it" "$O/auto1.err" \
	"mdev $U1 is defined but not started: collected its mdevctl definition (state: defined); start it with: mdevctl start -u $U1"
expect_status "sysfs1: --sysfs refuses" 2 "$(rc sysfs1)"
expect_contains "sysfs1: says why" "$O/sysfs1.err" "no AP bus: /sys/devices/ap does not exist"

expect_status "collect2: attrs added one by one" 0 "$(rc collect2)"
if [ "$(jq -c '[.mdev.adapters, .mdev.domains, .mdev.control_domains, .mdev.state, .collected.from]' "$O/collect2.out")" = '[[11],[71],[71],"defined","mdevctl"]' ]; then
	pass "collect2: 0x0b, 12 then unassigned, 0x47, 71"
else fail "collect2: 0x0b, 12 then unassigned, 0x47, 71" "$(cat "$O/collect2.out")"; fi
expect_status "collect3: ap_config" 0 "$(rc collect3)"
if [ "$(jq -c '[.mdev.adapters, .mdev.domains, .mdev.control_domains]' "$O/collect3.out")" = '[[5,6],[4,71],[4]]' ]; then
	pass "collect3: ap_config replaces the masks"
else fail "collect3: ap_config replaces the masks" "$(cat "$O/collect3.out")"; fi

expect_status "collect4: leading zero refused" 2 "$(rc collect4)"
expect_contains "collect4: says octal" "$O/collect4.err" \
	"/etc/mdevctl.d/matrix/$U4: attrs[0] (assign_domain): \"012\" has a leading zero, which the kernel reads as octal; write it in decimal or as 0x hex"
expect_status "collect5: unknown attribute refused" 2 "$(rc collect5)"
expect_contains "collect5: names it" "$O/collect5.err" \
	"attrs[0]: \"assign_adapters\" is not a vfio_ap attribute"

expect_status "all: lists definitions" 0 "$(rc all)"
expect_contains "all: U1 defined, manual" "$O/all.out" "$U1  defined  manual      4  05,06 x 0004,00ab; 0004,00ab"
if [ "$(jq -r '[.mdevs[].uuid] | join(" ")' "$O/alljson.out")" = "$U3 $U2 $U1" ]; then
	pass "alljson: every readable definition, sorted"
else fail "alljson: every readable definition, sorted" "$(head -c 400 "$O/alljson.out")"; fi
expect_contains "all: warns about an unreadable definition" "$O/all.err" \
	"warning: /etc/mdevctl.d/matrix/$U4: attrs[0] (assign_domain): \"012\" has a leading zero"
expect_contains "alljson: APQNs listed" "$O/alljson.out" '"06.00ab"'

expect_status "nostart: refused" 2 "$(rc nostart)"
expect_contains "nostart: names the key" "$O/nostart.err" "missing \"start\""
expect_status "twokeys: refused" 2 "$(rc twokeys)"
expect_contains "twokeys: says so" "$O/twokeys.err" "attrs[0]: expected exactly one attribute per object, found 2"
expect_status "numeric: refused, no crash" 2 "$(rc numeric)"
expect_contains "numeric: says so" "$O/numeric.err" "attrs[0] (assign_adapter): expected a string value, found a number"
expect_status "truncated: refused" 2 "$(rc truncated)"
expect_contains "truncated: says so" "$O/truncated.err" "invalid JSON at byte"
expect_status "othertype: refused" 2 "$(rc othertype)"
expect_contains "othertype: says so" "$O/othertype.err" "mdev_type is \"i915-GVTg_V5_4\", not a vfio_ap mdev"
expect_status "undefined: refused" 2 "$(rc undefined)"
expect_contains "undefined: says so" "$O/undefined.err" \
	"mdev 00000000-0000-4000-8000-000000000000 has no mdevctl definition (/etc/mdevctl.d/matrix/00000000-0000-4000-8000-000000000000 does not exist)"
finish
