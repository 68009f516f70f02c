#!/bin/sh
# inventory-collect.sh - `apgate collect --inventory` against umockdev
# hosts: the CCA host (two active mdevs, one defined by mdevctl, a free
# vfio_ap queue, host queues with master keys) gives exactly the reviewed
# inventory in tests/data/collect/, field by field as the testbed has it;
# the JSON form matches the schema; labels, blocks in force, declared keys
# and the LPAR masks come in; hosts without an AP bus are refused; the
# large host (1360 queues) is read whole.
. "$(dirname "$0")/lib.sh"
require_tool umockdev-run
require_tool jq
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"

S=tests/sysfs
D=tests/data/collect
O="$TMP/out"
mkdir -p "$O" "$TMP/state"
NOW=2026-11-22T10:00:00Z
CCA=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
IDLE=0b1d4c2e-77a9-4f05-8e3b-6a2c9d0f1e48
DEFINED=3d8e2f10-6a7b-4c8d-9e0f-a1b2c3d4e5f6
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

# run_host FIXTURE "NAME ARGS"...: `apgate collect ARGS` inside one
# umockdev-run, leaving NAME.out, NAME.err, NAME.rc; files listed in
# $TMP/files ("PATH VALUE") are written below $UMOCKDEV_DIR first (bus
# attributes are not devices).
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

ok() { # NAME: exit 0
	expect_status "$1: exit 0" 0 "$(cat "$O/$1.rc" 2>/dev/null || echo 99)"
}

# The site's configuration: labels and the state directory.  One block in
# force at $NOW, one already lifted by its end, one not yet begun.
cat > "$TMP/apgate.yaml" <<EOC
labels: {zone: a, tenant: "acme corp"}
state_dir: $TMP/state
EOC
cat > "$TMP/state/blocks.json" <<EOB
{"apgate-blocks": 1, "blocks": [
 {"mdev": "$CCA", "reason": "AES master key change", "since": "2026-11-22T09:00:00Z", "by": "ops"},
 {"mdev": "$IDLE", "reason": "card swap", "since": "2026-11-20T09:00:00Z", "until": "2026-11-21T09:00:00Z"},
 {"mdev": "$IDLE", "reason": "later", "since": "2026-11-23T09:00:00Z"}]}
EOB
A="--inventory --host lpar-a --now $NOW --mdevctl-dir $D/mdevctl.d --config $TMP/apgate.yaml"
printf '/sys/bus/ap/ap_adapter_mask 0x0600000000000000000000000000000000000000000000000000000000000000\n/sys/bus/ap/ap_usage_domain_mask 0x0a0000000000000001c000000000000000000000000000000000000000000000\n/sys/bus/ap/ap_control_domain_mask 0x0a0000000000000001c000000000000000000000000000000000000000000000\n' > "$TMP/files"
run_host $S/cca-host.umockdev \
	"inv $A --keys $D/keys-declared.yaml" \
	"inv-json $A --keys $D/keys-declared.yaml --format json" \
	"inv-plain --inventory --host lpar-a --now $NOW --mdevctl-dir $D/mdevctl.d --no-config" \
	"inv-file $A -o $O/inv-file.yaml" \
	"inv-badcfg --inventory --config $TMP/nonexistent.yaml" \
	"inv-mdev --inventory --mdev $CCA" \
	"inv-sysfs --inventory --sysfs"

# the whole document as reviewed (tests/data/collect/cca-host-inventory.yaml)
ok inv
if diff -u $D/cca-host-inventory.yaml "$O/inv.out" > "$TMP/diff"; then
	pass "inv: as $D/cca-host-inventory.yaml"
else fail "inv: as $D/cca-host-inventory.yaml" "$(head -40 "$TMP/diff")"; fi
"$APGATE" validate "$O/inv.out" > "$TMP/v" 2>&1
expect_status "inv: apgate validate accepts it" 0 $?
expect_contains "inv: note for a keys entry of an absent queue" "$O/inv.err" \
	"keys-declared.yaml:15:5: queue 07.0047 does not exist on this host; entry ignored"

# field by field, from the JSON form (the testbed's facts)
ok inv-json
J="$O/inv-json.out"
q() { jq -r "$1" "$J"; }
chk() { # NAME JQ WANT
	got=$(q "$2")
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "got: $got" "want: $3"; fi
}
chk "host from --host" '.host' lpar-a
chk "labels from apgate.yaml" '.host_labels | to_entries | map("\(.key)=\(.value)") | join(",")' "tenant=acme corp,zone=a"
chk "collected" '.collected | "\(.at) \(.from)"' "$NOW sysfs"
chk "lpar masks" '.lpar | "\(.adapters) \(.usage_domains) \(.control_domains)"' "[5,6] [4,6,71,72,73] [4,6,71,72,73]"
chk "every card" '[.cards[] | "\(.adapter):\(.type):\(.raw_hwtype):\(.mode):\(.serial)"] | join(" ")' \
	"5:CEX8C:14:cca:93AAGB14 6:CEX7C:13:cca:93AAGB31"
chk "every queue, sorted, with driver and status" \
	'[.queues[] | "\(.apqn):\(.driver):\(.status // "-")"] | join(" ")' \
	"05.0004:vfio_ap:in use 05.0006:cex4queue:- 05.0047:vfio_ap:in use 05.0048:vfio_ap:assigned 05.0049:vfio_ap:unassigned 06.0004:vfio_ap:in use 06.0006:cex4queue:- 06.0047:vfio_ap:in use 06.0048:vfio_ap:assigned"
chk "assigned_to from the active mdevs' matrix" \
	'[.queues[] | select(.assigned_to) | "\(.apqn)=\(.assigned_to[0:8])"] | join(" ")' \
	"05.0004=5c0ed1f8 05.0047=5c0ed1f8 05.0048=0b1d4c2e 06.0004=5c0ed1f8 06.0047=5c0ed1f8 06.0048=0b1d4c2e"
chk "the free vfio_ap queue has no assigned_to" '.queues[] | select(.apqn == "05.0049") | has("assigned_to")' false
chk "host queues (cex4queue) are nobody's, even in a definition" \
	'[.queues[] | select(.driver == "cex4queue") | has("assigned_to")] | unique | join(",")' false
chk "every mdev: active ones and the defined one" \
	'[.mdevs[] | "\(.uuid[0:8]):\(.state):\(.adapters):\(.domains):\(.control_domains)"] | join(" ")' \
	"0b1d4c2e:active:[5,6]:[72]:[72] 3d8e2f10:defined:[5,6]:[6]:[6] 5c0ed1f8:active:[5,6]:[4,71]:[4,71]"
chk "host MKVPs as sysfs shows them" '.queues[] | select(.apqn == "06.0006") | .mkvps | "\(.origin) \(.aes.new.mkvp) \(.aes.cur.mkvp)"' \
	"sysfs 0x9a8b7c6d5e4f3021 0x3c1f9e07a2d84b65"
chk "declared keys merged into vfio_ap queues" '.queues[] | select(.apqn == "05.0047") | .mkvps | "\(.origin) \(.aes.cur.mkvp)"' \
	"declared 0x4e7b2d90a1c3f586"
chk "no keys where none are known" '.queues[] | select(.apqn == "06.0047") | has("mkvps")' false
chk "only the block in force" '[.blocks[] | "\(.mdev[0:8]):\(.reason):\(.by)"] | join(" ")' "5c0ed1f8:AES master key change:ops"
if "$PY" tests/tools/validate-json.py schemas/inventory-v1.schema.json "$J" > "$TMP/s" 2>&1
then pass "inv-json: matches schemas/inventory-v1.schema.json"
else fail "inv-json: matches schemas/inventory-v1.schema.json" "$(cat "$TMP/s")"; fi
"$APGATE" show -f json "$O/inv.out" > "$TMP/from-yaml.json"
if cmp -s "$TMP/from-yaml.json" "$J"; then pass "yaml and json forms agree"
else fail "yaml and json forms agree" "$(diff "$TMP/from-yaml.json" "$J" | head)"; fi

ok inv-plain
"$APGATE" show -f json "$O/inv-plain.out" > "$TMP/plain.json"
got=$(jq -r '"\(.host_labels // "none") \(.blocks | length) \(.queues[] | select(.apqn == "05.0047") | has("mkvps"))"' "$TMP/plain.json")
if [ "$got" = "none 0 false" ]; then pass "--no-config: no labels, no blocks, no declared keys"
else fail "--no-config: no labels, no blocks, no declared keys" "got: $got"; fi
ok inv-file
expect_empty "inv-file: nothing on stdout" "$O/inv-file.out"
"$APGATE" validate "$O/inv-file.yaml" > /dev/null 2>&1
expect_status "inv-file: -o FILE is a valid inventory" 0 $?
expect_status "inv-badcfg: exit 2" 2 "$(cat "$O/inv-badcfg.rc")"
expect_contains "inv-badcfg: names the file" "$O/inv-badcfg.err" "$TMP/nonexistent.yaml"
expect_status "inv-mdev: usage error" 2 "$(cat "$O/inv-mdev.rc")"
expect_contains "inv-mdev: says so" "$O/inv-mdev.err" "give exactly one of --mdev UUID, --all, --inventory and --guest"
expect_contains "inv-sysfs: says so" "$O/inv-sysfs.err" "--mdevctl and --sysfs go with --mdev"

# --- a host without vfio_ap: cards and queues, no mdevs; no AP bus: refused
run_host $S/no-vfio-ap.umockdev "novfio --inventory --host h --no-config --mdevctl-dir $TMP/none --format json"
ok novfio
got=$(jq -r '"\(.cards | length) \(.mdevs | length)"' "$O/novfio.out")
if [ "$got" = "1 0" ]; then pass "novfio: the card, no mdevs"; else fail "novfio: the card, no mdevs" "got: $got"; fi
printf '' > "$TMP/empty.umockdev"
run_host "$TMP/empty.umockdev" "noap --inventory --no-config"
expect_status "noap: exit 2" 2 "$(cat "$O/noap.rc")"
expect_contains "noap: says why" "$O/noap.err" "no AP bus: /sys/devices/ap does not exist (not an IBM Z host, or the ap module is not loaded)"
expect_empty "noap: no output" "$O/noap.out"

# --- the large host: every one of 16 x 85 queues, read once ---
sh $S/gen-large-host.sh > "$TMP/large.umockdev"
run_host "$TMP/large.umockdev" "large --inventory --host big --no-config --mdevctl-dir $TMP/none --now $NOW --format json"
ok large
got=$(jq -r '"\(.cards | length) \(.queues | length) \(.mdevs | length) \([.queues[] | select(.driver == "vfio_ap" and (.assigned_to | not))] | length) \([.queues[] | select(.assigned_to == "7a1c0e52-3b4d-4e6f-8a9b-0c1d2e3f4a5b")] | length)"' "$O/large.out")
if [ "$got" = "16 1360 2 0 4" ]; then pass "large: 16 cards, 1360 queues, 2 mdevs, every vfio_ap queue assigned"
else fail "large: 16 cards, 1360 queues, 2 mdevs, every vfio_ap queue assigned" "got: $got" "$(head -3 "$O/large.err")"; fi
# the testbed's two mdevs share 4 APQNs (a kernel refuses that): said
expect_contains "large: an APQN in two mdevs is a warning" "$O/large.err" \
	"warning: queue 11.0020 is in mdev 7a1c0e52-3b4d-4e6f-8a9b-0c1d2e3f4a5b and in mdev 7b2d1f63-4c5e-4f70-9bac-1d2e3f4a5b6c (active); recorded as 7a1c0e52-3b4d-4e6f-8a9b-0c1d2e3f4a5b's"
finish
