#!/bin/sh
# hook.sh - `apgate hook` as libvirt runs it: argv GUEST OPERATION SUBOP
# EXTRA, the domain XML on stdin.  On every path stdout stays empty (libvirt
# reads it as replacement XML); refusals exit 1 with one stderr line that
# starts with the decisive reason; hostile XML is refused without network
# or file access.  Live target collection runs under umockdev-run against
# the recorded hosts of tests/sysfs (see hook-live.sh).
. "$(dirname "$0")/lib.sh"

D=tests/data/hook
OPTS="--no-config --policy-dir policies --now 2026-11-22T05:00:00Z --state-dir $TMP/state"

# hook NAME STDIN-FILE WANT-STATUS [ARGS...]: run, check status and that
# nothing reached stdout.
hook() {
	name=$1 input=$2 want=$3
	shift 3
	"$APGATE" hook $OPTS "$@" < "$input" > "$TMP/out" 2> "$TMP/err"
	st=$?
	no_crash "$name" $st || return
	expect_status "$name: exit status" "$want" $st
	expect_empty "$name: stdout empty" "$TMP/out"
}

# --- operations other than "migrate begin" never look at anything ---
for op in "prepare begin" "start begin" "started begin" "stopped end" \
	  "release end" "reconnect begin" "attach begin" "restore begin" \
	  "migrate end"; do
	# shellcheck disable=SC2086 # op is two words on purpose
	hook "op $op" /dev/null 0 zguest1 $op -
	expect_empty "op $op: stderr empty" "$TMP/err"
done
# Not even a broken configuration stops other operations.
printf 'bogus: 1\n' > "$TMP/bad.yaml"
"$APGATE" hook --config "$TMP/bad.yaml" zguest1 started begin - < /dev/null > "$TMP/out" 2>&1
expect_status "other operations ignore the config" 0 $?

# --- guests without vfio-ap are not ours ---
hook "no vfio-ap device" $D/guest-no-vfio-ap.xml 0 zguest1 migrate begin -
expect_empty "no vfio-ap device: silent" "$TMP/err"

# --- fail closed, with one clear line ---
hook "no metadata" $D/guest-s390x.xml 1 zguest1 migrate begin -
expect_contains "no metadata: reason" "$TMP/err" "apgate: error: input: no apgate descriptor in the domain <metadata>"
expect_contains "no metadata: how to fix" "$TMP/err" "apgate export --mdev UUID"
if [ "$(wc -l < "$TMP/err")" -eq 1 ]; then pass "no metadata: one stderr line"; else fail "no metadata: one stderr line" "$(cat "$TMP/err")"; fi
hook "foreign namespace only" $D/metadata-foreign-only.xml 1 zguest1 migrate begin -
expect_contains "foreign namespace only: no metadata" "$TMP/err" "no apgate descriptor"
printf 'hook: {on_missing_metadata: accept}\n' > "$TMP/open.yaml"
"$APGATE" hook --config "$TMP/open.yaml" --policy-dir policies --no-audit zguest1 migrate begin - \
	< $D/guest-s390x.xml > "$TMP/out" 2> "$TMP/err"
expect_status "fail-open for missing metadata by configuration" 0 $?
expect_contains "fail-open is said" "$TMP/err" "allowed without a check"
expect_empty "fail-open: stdout empty" "$TMP/out"
hook "broken descriptor in metadata" $D/metadata-broken-descriptor.xml 1 zguest1 migrate begin -
expect_contains "broken descriptor located" "$TMP/err" "domain XML <metadata>:5:28: unknown key \"bogus\""
hook "configuration error" $D/dumpxml-migratable-blocked.xml 1 --no-audit --config "$TMP/bad.yaml" zguest1 migrate begin -
expect_contains "configuration error named" "$TMP/err" "apgate: error: config:"
hook "missing mdev on target" $D/dumpxml-migratable-blocked.xml 1 zguest1 migrate begin -
expect_contains "missing mdev: says which" "$TMP/err" "apgate: error: target: mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93"
hook "no stdin args" /dev/null 1 zguest1
expect_contains "bad argv explained" "$TMP/err" "expected GUEST OPERATION SUB-OPERATION"

# --- hostile and malformed XML ---
hook "not XML" $D/not-xml.xml 1 zguest1 migrate begin -
expect_contains "not XML: said" "$TMP/err" "not well-formed XML"
hook "not a domain" $D/not-a-domain.xml 1 zguest1 migrate begin -
expect_contains "not a domain: said" "$TMP/err" "expected <domain>"
hook "two vfio-ap hostdevs" $D/two-vfio-ap-hostdevs.xml 1 zguest1 migrate begin -
expect_contains "two hostdevs: said" "$TMP/err" "a second vfio-ap hostdev"
hook "hostdev without UUID" $D/hostdev-without-uuid.xml 1 zguest1 migrate begin -
expect_contains "no UUID: said" "$TMP/err" "has no mdev UUID"
hook "external entity" $D/external-entity.xml 1 zguest1 migrate begin -
expect_contains "external entity refused" "$TMP/err" "DOCTYPE or entity declaration is not allowed"
if grep -q "root:" "$TMP/err"; then fail "external entity: no file content leaked"; else pass "external entity: no file content leaked"; fi
hook "billion laughs" $D/billion-laughs.xml 1 zguest1 migrate begin -
# Refused for its entities (the parser's loop detection or the DOCTYPE
# refusal, whichever meets them first), in one line.
if [ "$(wc -l < "$TMP/err")" -eq 1 ] &&
   grep -Eq '^apgate: error: input: domain XML(:[0-9]+)?: (not well-formed XML: Detected an entity reference loop|a DOCTYPE or entity declaration is not allowed in domain XML)$' "$TMP/err"
then pass "billion laughs refused for its entities"
else fail "billion laughs refused for its entities" "$(cat "$TMP/err")"; fi
{ printf "<domain type='kvm'><name>big</name><description>"
  head -c 9000000 /dev/zero | tr '\0' 'x'
  printf "</description></domain>\n"; } > "$TMP/huge.xml"
hook "huge XML" "$TMP/huge.xml" 1 zguest1 migrate begin -
expect_contains "huge XML refused" "$TMP/err" "larger than the limit"
# The XML may hold secrets: it is never echoed.
sed 's|<name>zguest1</name>|<name>zguest1</name><description>SECRET-PASSWORD-42</description>|' \
	$D/guest-s390x.xml > "$TMP/secret.xml"
hook "secret XML" "$TMP/secret.xml" 1 zguest1 migrate begin -
if grep -q SECRET "$TMP/err"; then fail "XML content never logged"; else pass "XML content never logged"; fi

finish
