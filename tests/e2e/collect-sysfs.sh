#!/bin/sh
# collect-sysfs.sh - `apgate collect` against umockdev hosts: the real
# binary runs under umockdev-run with the device descriptions of
# tests/sysfs/ and its descriptors are compared with tests/data/collect/.
# Each host is loaded once and every case on it runs inside that load
# (the large host takes seconds to load).
. "$(dirname "$0")/lib.sh"
require_tool umockdev-run
require_tool jq

S=tests/sysfs
D=tests/data/collect
O="$TMP/out"
mkdir -p "$O"
NOW=2026-11-22T10:00:00Z
CCA=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
CCA2=0b1d4c2e-77a9-4f05-8e3b-6a2c9d0f1e48
DEFINED=3d8e2f10-6a7b-4c8d-9e0f-a1b2c3d4e5f6
EP11=8e5f2a11-4c3d-4b6a-9f0e-1d2c3b4a5968
EP11P=9f6a3b22-5d4e-4c7b-8a1f-2e3d4c5b6a79
MIXED=c4a7e1d0-2f3b-4e5a-8c6d-7e8f9a0b1c2d
LEGACY=d2b9f3a4-6c5e-4d7f-a081-92b3c4d5e6f7
SMALL=7a1c0e52-3b4d-4e6f-8a9b-0c1d2e3f4a5b
LARGE=7b2d1f63-4c5e-4f70-9bac-1d2e3f4a5b6c
UNKNOWN=11111111-2222-4333-8444-555555555555
# umockdev preloads its library; an ASan build must accept not coming first
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

# The cases of one host: lines "NAME ARGS..." run as `apgate collect ARGS`
# inside one umockdev-run; each leaves NAME.out, NAME.err and NAME.rc.
# Files that are not devices (AP bus masks, /sys/firmware/uv) cannot be in
# a recording: lines "PATH VALUE" in $TMP/files (set by with_files) are
# written below $UMOCKDEV_DIR first, where umockdev redirects /sys opens.
run_host() {
	fixture=$1
	shift
	printf '%s\n' "$@" > "$TMP/cases"
	[ -f "$TMP/files" ] || : > "$TMP/files"
	umockdev-run -d "$fixture" -- /bin/sh -c '
		while read -r path value; do
			mkdir -p "$UMOCKDEV_DIR$(dirname "$path")" &&
			printf "%s\n" "$value" > "$UMOCKDEV_DIR$path" || exit 1
		done < "$3"
		while read -r name args; do
			# shellcheck disable=SC2086 # args are words
			"$0" collect $args > "$1/$name.out" 2> "$1/$name.err"
			echo $? > "$1/$name.rc"
		done < "$2"' "$APGATE" "$O" "$TMP/cases" "$TMP/files" ||
		fail "umockdev-run -d $fixture" "could not run the cases"
	rm -f "$TMP/files"
}

# with_files "PATH VALUE"...: files for the next run_host only
with_files() {
	printf '%s\n' "$@" > "$TMP/files"
}

# same NAME EXPECTED: status 0, output equals EXPECTED, and re-validates
same() {
	if [ "$(cat "$O/$1.rc" 2>/dev/null)" != 0 ]; then
		fail "$1" "exit status $(cat "$O/$1.rc" 2>/dev/null)" \
			"$(head -c 600 "$O/$1.err")"
		return
	fi
	if diff -u "$2" "$O/$1.out" > "$TMP/diff"; then pass "$1: as $2"
	else fail "$1: as $2" "$(head -40 "$TMP/diff")"; fi
}

validates() {
	if "$APGATE" validate "$O/$1.out" > "$TMP/v" 2>&1; then
		pass "$1: apgate validate accepts it"
	else fail "$1: apgate validate accepts it" "$(cat "$TMP/v")"; fi
}

# refused NAME TEXT: status 2 and TEXT on stderr
refused() {
	expect_status "$1: exit 2" 2 "$(cat "$O/$1.rc" 2>/dev/null || echo 99)"
	expect_contains "$1: says why" "$O/$1.err" "$2"
	expect_empty "$1: no output" "$O/$1.out"
}

C="--now $NOW"
M="--mdevctl-dir $D/mdevctl.d"

# --- CCA host: CEX8C + CEX7C, the mdev's queues on vfio_ap ---
run_host $S/cca-host.umockdev \
	"cca --mdev $CCA --host lpar-a $C" \
	"cca-json --mdev $CCA --host lpar-a $C --format json" \
	"cca-upper --mdev $(echo $CCA | tr a-f A-F) --host lpar-a $C --sysfs -q" \
	"cca-out --mdev $CCA --host lpar-a $C -o $O/cca-file.yaml" \
	"cca-declared --mdev $CCA --host lpar-a $C --keys $D/keys-declared.yaml" \
	"cca-guest --mdev $CCA --host lpar-a $C --keys $D/guest-keys.yaml" \
	"cca-idle --mdev $CCA2 --host lpar-a $C" \
	"cca-defined --mdev $DEFINED --host lpar-a $C $M" \
	"cca-defined-sysfs --mdev $DEFINED --host lpar-a $C $M --sysfs" \
	"cca-mdevctl --mdev $CCA --host lpar-a $C $M --mdevctl" \
	"cca-unknown --mdev $UNKNOWN $M" \
	"cca-all --all $M" \
	"cca-all-json --all --format json $M" \
	"cca-badkeys --mdev $CCA --keys $D/keys-bad.yaml" \
	"cca-ep11keys --mdev $CCA --keys $D/keys-ep11.yaml"
same cca $D/cca-host.yaml
validates cca
expect_contains "cca: notes the invisible master keys" "$O/cca.err" \
	"master keys of 4 queues are not visible on this host (05.0004 05.0047 06.0004 06.0047)"
same cca-json $D/cca-host.json
if jq -e . "$O/cca-json.out" > /dev/null 2>&1; then pass "cca-json: is JSON"
else fail "cca-json: is JSON"; fi
same cca-upper $D/cca-host.yaml
expect_empty "cca-upper: --quiet prints no notes" "$O/cca-upper.err"
expect_empty "cca-out: -o writes nothing to stdout" "$O/cca-out.out"
if cmp -s "$O/cca-file.yaml" "$D/cca-host.yaml"; then pass "cca-out: -o FILE"
else fail "cca-out: -o FILE" "$(diff "$D/cca-host.yaml" "$O/cca-file.yaml" | head)"; fi
same cca-declared $D/cca-host-declared.yaml
validates cca-declared
expect_contains "cca-declared: notes an entry outside the mdev" "$O/cca-declared.err" \
	"keys-declared.yaml:15:5: APQN 07.0047 is not an APQN of mdev $CCA; entry ignored"
expect_contains "cca-declared: 06.0047 still unknown" "$O/cca-declared.err" \
	"master keys of 1 queue are not visible on this host (06.0047)"
same cca-guest $D/cca-host-guest.yaml
validates cca-guest
expect_empty "cca-guest: every key known, no note" "$O/cca-guest.err"
same cca-idle $D/cca-host-idle.yaml
same cca-defined $D/cca-host-defined.yaml
validates cca-defined
expect_contains "cca-defined: says how to start it" "$O/cca-defined.err" \
	"mdev $DEFINED is defined but not started: collected its mdevctl definition (state: defined); start it with: mdevctl start -u $DEFINED"
expect_contains "cca-defined: notes the comma list" "$O/cca-defined.err" \
	"attrs[0] (assign_adapter) \"5,0x06\" is a comma list"
refused cca-defined-sysfs "mdev $DEFINED is defined ($D/mdevctl.d/matrix/$DEFINED) but not started; start it with: mdevctl start -u $DEFINED"
same cca-mdevctl $D/cca-host-mdevctl.yaml
validates cca-mdevctl
refused cca-unknown "unknown mdev $UNKNOWN: not in /sys/devices/vfio_ap/matrix and no mdevctl definition $D/mdevctl.d/matrix/$UNKNOWN"
same cca-all $D/cca-host-all.txt
same cca-all-json $D/cca-host-all.json
refused cca-badkeys "keys-bad.yaml:7:33: keys[0].aes.cur.mkvp: expected a string \"0x\" + 16 hex digits"
refused cca-ep11keys "keys-ep11.yaml:4:5: declared EP11 (wk) master keys for 05.0004, but card 05 is in cca mode"

# --- guest of the CCA host: its master keys as a keys file ---
run_host $S/guest.umockdev \
	"guest --guest --host guest1 $C" \
	"guest-json --guest --host guest1 $C --format json" \
	"guest-mdev --mdev $CCA"
same guest $D/guest-keys.yaml
same guest-json $D/guest-keys.json
with_files "/sys/firmware/uv/prot_virt_guest 1"
run_host $S/guest.umockdev "guest-pv --guest --host guest1 $C"
expect_contains "guest-pv: a Secure Execution guest says so" "$O/guest-pv.out" \
	"guest:
  secure_execution: true"
run_host $S/cca-host.umockdev \
	"cca-pv --mdev $CCA --host lpar-a $C --keys $O/guest-pv.out --format json"
if [ "$(jq '.guest.secure_execution' "$O/cca-pv.out")" = true ]; then
	pass "cca-pv: --keys from a protected guest marks the descriptor"
else fail "cca-pv: --keys from a protected guest marks the descriptor" "$(head -c 300 "$O/cca-pv.err")"; fi
refused guest-mdev "no vfio_ap: /sys/devices/vfio_ap/matrix does not exist (load the module: modprobe vfio_ap)"
if "$APGATE" collect --help > /dev/null && [ -s "$O/guest.out" ] &&
	PY=/usr/bin/python3 && "$PY" -c 'import jsonschema' 2>/dev/null; then
	if "$PY" tests/tools/validate-json.py schemas/keys-v1.schema.json \
		"$O/guest-json.out" > "$TMP/v" 2>&1; then
		pass "guest-json: matches schemas/keys-v1.schema.json"
	else fail "guest-json: matches schemas/keys-v1.schema.json" "$(head -5 "$TMP/v")"; fi
fi

# --- EP11 host (CEX8P) ---
run_host $S/ep11-host.umockdev \
	"ep11 --mdev $EP11 --host lpar-e $C" \
	"ep11-pending --mdev $EP11P --host lpar-e $C"
same ep11 $D/ep11-host.yaml
validates ep11
same ep11-pending $D/ep11-host-pending.yaml
validates ep11-pending
expect_contains "ep11-pending: guest_matrix is empty" "$O/ep11-pending.err" \
	"warning: mdev $EP11P: adapter 03 in matrix but not in guest_matrix"

# --- accelerator, newer card, checkstopped and offline queues, 3/6 lines ---
run_host $S/mixed-host.umockdev \
	"mixed --mdev $MIXED --host lpar-m $C" \
	"legacy --mdev $LEGACY --host lpar-m $C"
same mixed $D/mixed-host.yaml
validates mixed
expect_contains "mixed: guest_matrix lacks adapter 0b" "$O/mixed.err" \
	"warning: mdev $MIXED: adapter 0b in matrix but not in guest_matrix"
same legacy $D/mixed-host-legacy.yaml
validates legacy

# --- LPAR masks, guest_matrix a strict subset, queue ap_functions, odd mkvps ---
LPAR=e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b
Z62=00000000000000000000000000000000000000000000000000000000000000
with_files "/sys/bus/ap/ap_adapter_mask 0x07$Z62" \
	"/sys/bus/ap/ap_usage_domain_mask 0x0800000000000000010000000000000000000000000000000000000000000000" \
	"/sys/bus/ap/ap_control_domain_mask 0x08$Z62"
run_host $S/lpar-host.umockdev "lpar --mdev $LPAR --host lpar-b $C"
same lpar $D/lpar-host.yaml
validates lpar
expect_contains "lpar: the odd mkvps line is a warning, not an abort" "$O/lpar.err" \
	"warning: /sys/devices/ap/card07/07.0047/mkvps: line 3 \"AES OLD: retired 0x0000000000000000\""
expect_contains "lpar: ... and those keys are unknown" "$O/lpar.err" \
	"master keys of 07.0047 recorded as unknown"
expect_contains "lpar: guest_matrix lacks adapter 07" "$O/lpar.err" \
	"warning: mdev $LPAR: adapter 07 in matrix but not in guest_matrix"
with_files "/sys/bus/ap/ap_adapter_mask not supported" \
	"/sys/bus/ap/ap_usage_domain_mask not supported" \
	"/sys/bus/ap/ap_control_domain_mask not supported"
run_host $S/lpar-host.umockdev "noqci --mdev $LPAR --host lpar-b $C --format json"
if [ "$(cat "$O/noqci.rc")" = 0 ] && [ "$(jq 'has("lpar")' "$O/noqci.out")" = false ]; then
	pass "noqci: no lpar key without QCI"
else fail "noqci: no lpar key without QCI" "$(head -c 300 "$O/noqci.err")"; fi
expect_contains "noqci: says why" "$O/noqci.err" \
	"note: /sys/bus/ap/ap_adapter_mask says \"not supported\" (no QCI): the LPAR's AP configuration is unknown"
with_files "/sys/bus/ap/ap_adapter_mask 0x07" \
	"/sys/bus/ap/ap_usage_domain_mask 0x08$Z62" \
	"/sys/bus/ap/ap_control_domain_mask 0x08$Z62"
run_host $S/lpar-host.umockdev "badmask --mdev $LPAR"
refused badmask "/sys/bus/ap/ap_adapter_mask: "

# --- hosts without what collection needs ---
run_host $S/no-vfio-ap.umockdev "novfio --mdev $CCA --sysfs" "novfio-auto --mdev $CCA"
refused novfio "no vfio_ap: /sys/devices/vfio_ap/matrix does not exist (load the module: modprobe vfio_ap)"
refused novfio-auto "no vfio_ap: /sys/devices/vfio_ap/matrix does not exist"
printf '' > "$TMP/empty.umockdev"
run_host "$TMP/empty.umockdev" "noap --mdev $CCA --sysfs" "noap-guest --guest" \
	"noap-all --all --mdevctl-dir $TMP/none"
refused noap "no AP bus: /sys/devices/ap does not exist (not an IBM Z host, or the ap module is not loaded)"
refused noap-guest "no AP bus: /sys/devices/ap does not exist"
expect_status "noap-all: an empty list is no error" 0 "$(cat "$O/noap-all.rc")"
expect_contains "noap-all: says so" "$O/noap-all.out" "(no vfio_ap mdevs)"

# --- the large host: 16 adapters x 85 domains, loaded once ---
sh $S/gen-large-host.sh > "$TMP/large.umockdev"
run_host "$TMP/large.umockdev" \
	"large-small --mdev $SMALL --host big $C" \
	"large-large --mdev $LARGE --host big $C -q --format json" \
	"large-all --all --mdevctl-dir $TMP/none"
same large-small $D/large-host-small.yaml
validates large-small
if [ "$(cat "$O/large-large.rc")" = 0 ] &&
	[ "$(jq '.queues | length' "$O/large-large.out")" = 1344 ] &&
	[ "$(jq '.cards | length' "$O/large-large.out")" = 16 ] &&
	[ "$(jq '[.queues[] | select(.driver == "vfio_ap")] | length' "$O/large-large.out")" = 1344 ]; then
	pass "large-large: 16 cards, 1344 queues on vfio_ap"
else fail "large-large: 16 cards, 1344 queues on vfio_ap" "$(head -c 300 "$O/large-large.err")"; fi
validates large-large
same large-all $D/large-host-all.txt

finish
