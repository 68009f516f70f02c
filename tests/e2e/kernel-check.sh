#!/bin/sh
# kernel-check.sh - the verdicts that must agree with the kernel's own
# vfio-ap migration check (issue 9): the three reproductions, tried as a new
# user would with the examples' CEX8C pair, reject (exit 1) naming the
# rule, the APQN and the differing bit or register; and
# docs/kernel-mapping.md names every default rule.
. "$(dirname "$0")/lib.sh"

EX=examples/cca-match
P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"

# check NAME SOURCE TARGET: runs apgate check, output in $TMP/NAME.out
check() {
	"$APGATE" check $P --source "$2" --target "$3" > "$TMP/$1.out" 2> "$TMP/$1.err"
	echo $? > "$TMP/$1.rc"
}

# 1. A CEX7C source (no SLCF) onto the CEX8C target with SLCF set: the
#    kernel requires equal facility bits.
sed -e 's/type: CEX8C/type: CEX7C/' -e 's/hwtype: 14/hwtype: 13/' \
	"$EX/source.yaml" > "$TMP/cex7c.yaml"
sed 's/functions: "0x92800000"/functions: "0x93800000"/' "$EX/target.yaml" > "$TMP/slcf.yaml"
check slcf "$TMP/cex7c.yaml" "$TMP/slcf.yaml"
expect_status "CEX7C onto CEX8C with SLCF: exit 1" 1 "$(cat "$TMP/slcf.rc")"
expect_contains "CEX7C onto CEX8C with SLCF: names rule, APQN and bit" "$TMP/slcf.out" \
	"REJECT card.capabilities 05.0004: SLCF only on target (source 0x92800000, target 0x93800000): the kernel requires equal facility bits"

# 2. A target whose cards add MEX4K and CRT4K.
sed 's/functions: "0x92800000"/functions: "0xF2800000"/' "$EX/target.yaml" > "$TMP/added.yaml"
check added "$EX/source.yaml" "$TMP/added.yaml"
expect_status "MEX4K and CRT4K added on the target: exit 1" 1 "$(cat "$TMP/added.rc")"
expect_contains "MEX4K added: names rule, APQN and bit" "$TMP/added.out" \
	"REJECT card.capabilities 06.0047: MEX4K only on target (source 0x92800000, target 0xF2800000)"
expect_contains "CRT4K added: names rule, APQN and bit" "$TMP/added.out" \
	"REJECT card.capabilities 06.0047: CRT4K only on target (source 0x92800000, target 0xF2800000)"

# 3. The source's AES CUR is the target's NEW (full), the target's CUR is
#    another key: loaded but not set.
awk '/apqn: "05.0004"/ { q = 1 }
	q && /new: \{state: empty\}/ && !done { sub(/new: \{state: empty\}/, "new: {state: full, mkvp: \"0x8f3a6c21d07be419\"}") }
	q && /cur: \{state: valid, mkvp: "0x8f3a6c21d07be419"\}/ && !done { sub(/0x8f3a6c21d07be419/, "0xc5e8a1f03b7d2946"); done = 1 }
	{ print }' "$EX/target.yaml" > "$TMP/newonly.yaml"
check newonly "$EX/source.yaml" "$TMP/newonly.yaml"
expect_status "source AES CUR only as the target's NEW: exit 1" 1 "$(cat "$TMP/newonly.rc")"
expect_contains "AES NEW only: names rule, APQN and register" "$TMP/newonly.out" \
	"REJECT mkvp.match 05.0004: current AES master key is only NEW (full) on target: loaded but not set on the target; set it first"

# The unmodified pair still accepts (the reproductions differ only as said).
check same "$EX/source.yaml" "$EX/target.yaml"
expect_status "the examples' CCA pair still accepts" 0 "$(cat "$TMP/same.rc")"
expect_contains "the examples' CCA pair: verdict accept" "$TMP/same.out" "verdict: accept"

# A Secure Execution guest: libvirt's domain XML says so with
# <launchSecurity type='s390-pv'/>; the source descriptor need not.
sed "s|^  </devices>|  </devices>\n  <launchSecurity type='s390-pv'/>|" \
	examples/libvirt/guest-with-metadata.xml > "$TMP/pv.xml"
grep -q "launchSecurity type='s390-pv'" "$TMP/pv.xml" || fail "pv.xml prepared"
"$APGATE" check $P --source-xml "$TMP/pv.xml" --target "$EX/target.yaml" \
	> "$TMP/pv.out" 2> "$TMP/pv.err"
expect_status "a protected guest (launchSecurity s390-pv): exit 1" 1 $?
expect_contains "a protected guest: names the rule" "$TMP/pv.out" \
	"REJECT guest.secure-execution: the guest is a Secure Execution (protected) guest: protected guests are not migratable"
"$APGATE" check $P --source-xml examples/libvirt/guest-with-metadata.xml \
	--target "$EX/target.yaml" > "$TMP/nopv.out" 2>&1
expect_status "the same guest without launchSecurity: exit 0" 0 $?
sed "s|^  </devices>|  </devices>\n  <launchSecurity type='sev'/>|" \
	examples/libvirt/guest-with-metadata.xml > "$TMP/sev.xml"
"$APGATE" check $P --source-xml "$TMP/sev.xml" --target "$EX/target.yaml" \
	> "$TMP/sev.out" 2>&1
expect_status "another launchSecurity type is not s390-pv: exit 0" 0 $?

# The mapping page names every default rule.
grep -ho 'id = "[a-z0-9._-]*"' policies/*.lua | sed 's/id = "\(.*\)"/\1/' |
while read -r id; do
	grep -qF -- "\`$id\`" docs/kernel-mapping.md || echo "$id"
done > "$TMP/unmapped.txt"
expect_empty "docs/kernel-mapping.md names every default rule" "$TMP/unmapped.txt"

finish
