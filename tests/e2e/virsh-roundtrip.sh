#!/bin/sh
# virsh-roundtrip.sh - the documented export workflow through real virsh
# (libvirt's test:///default driver): define an s390x guest with a vfio-ap
# hostdev, set apgate's metadata from `apgate export`, read it back with
# `virsh dumpxml --migratable` and hand that to `check --source-xml` and to
# the hook.  The descriptor must survive unchanged (same digest).
. "$(dirname "$0")/lib.sh"
require_tool virsh
require_tool jq

URI=https://github.com/apgate/apgate/xmlns/descriptor/1
SRC=examples/cca-match/source.yaml
sed "s/<domain type='kvm'>/<domain type='test'>/" tests/data/hook/guest-s390x.xml > "$TMP/guest.xml"

"$APGATE" export --no-config --state-dir "$TMP/state" --from $SRC > "$TMP/elem.xml"
expect_status "export" 0 $?
"$APGATE" export --no-config --domain zguest1 --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 \
	--virsh > "$TMP/cmd.txt"
expect_contains "export --virsh prints the command" "$TMP/cmd.txt" \
	"virsh metadata 'zguest1' --uri $URI --key apgate --set \"\$(apgate export --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93)\" --live --config"

# test:///default keeps state only within one virsh invocation.
elem=$(cat "$TMP/elem.xml")
virsh -q -c test:///default "define $TMP/guest.xml; start zguest1; \
	metadata zguest1 --uri $URI --key apgate --set '$elem' --live --config; \
	dumpxml --migratable zguest1" > "$TMP/virsh.out" 2> "$TMP/virsh.err"
expect_status "virsh define, metadata --set, dumpxml" 0 $?
sed -n '/^<domain/,/^<\/domain>/p' "$TMP/virsh.out" > "$TMP/dump.xml"
expect_contains "dumpxml keeps the metadata" "$TMP/dump.xml" "<descriptor xmlns=\"$URI\""

P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"
"$APGATE" check $P --source-xml "$TMP/dump.xml" --target examples/cca-match/target.yaml \
	--format json > "$TMP/v.json"
expect_status "check --source-xml accepts" 0 $?
want=$("$APGATE" show $SRC | sed -n 's/^sha256 *//p')
got=$(jq -r .source.sha256 "$TMP/v.json")
if [ -n "$want" ] && [ "$want" = "$got" ]; then pass "descriptor survives virsh unchanged"
else fail "descriptor survives virsh unchanged" "$want vs $got"; fi

# The hook reads the same XML.  Without AP hardware it stops at the live
# target, failing closed ...
"$APGATE" hook $P --state-dir "$TMP/state" zguest1 migrate begin - \
	< "$TMP/dump.xml" > "$TMP/out" 2> "$TMP/err"
expect_status "hook on dumpxml output refuses without a target" 1 $?
expect_empty "hook: stdout empty" "$TMP/out"
expect_contains "hook got past the metadata" "$TMP/err" "apgate: error: target: mdev 5c0ed1f8"

# ... and with the recorded CCA host as the target it decides: the guest
# was exported from an identical host, so it may come.
if command -v umockdev-run > /dev/null 2>&1; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export ASAN_OPTIONS
	H=tests/sysfs/cca-host.umockdev
	K=tests/data/hook/target-keys.yaml
	umockdev-run -d $H -- "$APGATE" collect --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 \
		--host lpar-a.example.com --keys $K > "$TMP/twin.yaml" 2>/dev/null
	elem=$("$APGATE" export --no-config --no-blocks --from "$TMP/twin.yaml")
	virsh -q -c test:///default "define $TMP/guest.xml; start zguest1; \
		metadata zguest1 --uri $URI --key apgate --set '$elem' --live --config; \
		dumpxml --migratable zguest1" 2>/dev/null |
		sed -n '/^<domain/,/^<\/domain>/p' > "$TMP/twin.xml"
	printf 'keys_file: %s\nsite_policy_dir: null\naudit: {log: null}\n' "$SRCDIR/$K" \
		> "$TMP/apgate.yaml"
	umockdev-run -d $H -- "$APGATE" hook --config "$TMP/apgate.yaml" --policy-dir policies \
		--state-dir "$TMP/state" zguest1 migrate begin - \
		< "$TMP/twin.xml" > "$TMP/out" 2> "$TMP/err"
	expect_status "hook accepts the virsh-carried guest on a matching host" 0 $?
	expect_empty "hook accept: stdout empty" "$TMP/out"
	expect_empty "hook accept: stderr empty" "$TMP/err"
fi

finish
