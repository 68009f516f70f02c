#!/bin/sh
# labels-hook.sh - host labels from apgate.yaml through the real workflow:
# `collect` and `export` on the recorded CCA host (umockdev-run) write the
# configuration's labels as host_labels; the exported element goes through
# real virsh (test:///default, dumpxml --migratable); the hook on the same
# recorded host as target decides with src.labels from that metadata and
# tgt.labels from its own configuration, and the example policy
# examples/policies/zones refuses across zones and tenants.
. "$(dirname "$0")/lib.sh"
require_tool umockdev-run
require_tool virsh
require_tool jq

UUID=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
HOST=tests/sysfs/cca-host.umockdev
K=tests/data/hook/target-keys.yaml
URI=https://github.com/apgate/apgate/xmlns/descriptor/1
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
mkdir -p "$TMP/state" "$TMP/site"

# src: the source host's configuration; the value needs XML escaping.
conf() {	# NAME LABELS-LINE
	printf 'keys_file: %s/%s\nsite_policy_dir: null\nstate_dir: %s/state\naudit: {log: %s/%s.jsonl}\n%s\n' \
		"$SRCDIR" "$K" "$TMP" "$TMP" "$1" "$2" > "$TMP/$1.yaml"
}
conf src 'labels: {zone: a, tenant: "acme & co <1>"}'
conf same 'labels: {zone: a, tenant: "acme & co <1>"}'
conf otherzone 'labels: {zone: b, tenant: "acme & co <1>"}'
conf shared 'labels: {zone: a}'
conf none ''
printf 'labels:\n  zone: a\n  Zone: b\n' > "$TMP/bad.yaml"
# what policies see, as a note in the decision record
cat > "$TMP/site/90-seen.lua" <<'EOF'
rule{ id = "site.seen", check = function(src, tgt)
  local function all(l)
    local t = {}
    for k, v in spairs(l) do t[#t + 1] = k .. "=" .. v end
    return table.concat(t, ",")
  end
  note("src {" .. all(src.labels) .. "} tgt {" .. all(tgt.labels) .. "}")
end }
EOF

# --- collect and export on the source (one umockdev load) ---
umockdev-run -d $HOST -- /bin/sh -c '
	T=$1 U=$2 K=$3
	c() { n=$1; shift; "$0" "$@" > "$T/$n.out" 2> "$T/$n.err"; echo $? > "$T/$n.rc"; }
	c col collect --mdev $U --host lpar-a.example.com --keys $K --config "$T/src.yaml"
	c nocfg collect --mdev $U --host lpar-a.example.com --keys $K --no-config
	c badcfg collect --mdev $U --config "$T/bad.yaml"
	c json collect --mdev $U --host lpar-a.example.com --config "$T/src.yaml" --format json
	c exp export --mdev $U --keys $K --no-blocks --config "$T/src.yaml"
	c expnone export --mdev $U --keys $K --no-blocks --no-config
' "$APGATE" "$TMP" $UUID $K

expect_status "collect --config: exit 0" 0 "$(cat "$TMP/col.rc")"
cat > "$TMP/want.txt" <<'EOF'
host: "lpar-a.example.com"
host_labels:
  tenant: "acme & co <1>"
  zone: "a"
collected:
EOF
sed -n '/^host:/,/^collected:/p' "$TMP/col.out" > "$TMP/got.txt"
if diff -u "$TMP/want.txt" "$TMP/got.txt" > "$TMP/diff"; then pass "collect writes the configuration's labels as host_labels"
else fail "collect writes the configuration's labels as host_labels" "$(cat "$TMP/diff")"; fi
"$APGATE" validate "$TMP/col.out" > "$TMP/v.txt" 2>&1
expect_status "the collected descriptor validates" 0 $?
expect_status "collect --no-config: exit 0" 0 "$(cat "$TMP/nocfg.rc")"
if grep -q host_labels "$TMP/nocfg.out"; then fail "collect --no-config writes no host_labels"
else pass "collect --no-config writes no host_labels"; fi
expect_status "collect with a bad label: exit 2" 2 "$(cat "$TMP/badcfg.rc")"
expect_contains "collect with a bad label: file:line:col" "$TMP/badcfg.err" \
	"apgate: $TMP/bad.yaml:3:3: labels: expected a label key"
expect_empty "collect with a bad label: no output" "$TMP/badcfg.out"
expect_contains "collect --format json carries the labels" "$TMP/json.out" '"host_labels": {'
if [ "$(jq -r '.host_labels.tenant' "$TMP/json.out")" = "acme & co <1>" ]; then pass "JSON label value intact"
else fail "JSON label value intact" "$(jq -c .host_labels "$TMP/json.out")"; fi
"$APGATE" collect --all --config "$TMP/src.yaml" > "$TMP/out" 2>&1
expect_status "--config goes with --mdev only" 2 $?
expect_contains "--config goes with --mdev only: said" "$TMP/out" "--config and --no-config go with --mdev"

expect_status "export --config: exit 0" 0 "$(cat "$TMP/exp.rc")"
expect_contains "export escapes the label for XML" "$TMP/exp.out" 'tenant: "acme &amp; co &lt;1&gt;"'
if grep -q host_labels "$TMP/expnone.out"; then fail "export --no-config carries no labels"
else pass "export --no-config carries no labels"; fi

# --- the metadata round trip through virsh ---
sed "s/<domain type='kvm'>/<domain type='test'>/" tests/data/hook/guest-s390x.xml > "$TMP/guest.xml"
elem=$(cat "$TMP/exp.out")
virsh -q -c test:///default "define $TMP/guest.xml; start zguest1; \
	metadata zguest1 --uri $URI --key apgate --set '$elem' --live --config; \
	dumpxml --migratable zguest1" > "$TMP/virsh.out" 2> "$TMP/virsh.err"
expect_status "virsh metadata --set, dumpxml" 0 $?
sed -n '/^<domain/,/^<\/domain>/p' "$TMP/virsh.out" > "$TMP/dump.xml"
"$APGATE" check --no-config --no-audit --policy-dir policies --policy-dir "$TMP/site" \
	--source-xml "$TMP/dump.xml" --target "$TMP/col.out" --format json > "$TMP/rt.json" 2>&1
if jq -e '.findings[] | select(.rule == "site.seen") | .message == "src {tenant=acme & co <1>,zone=a} tgt {tenant=acme & co <1>,zone=a}"' \
	"$TMP/rt.json" > /dev/null 2>&1
then pass "labels survive export, virsh and the metadata reader"
else fail "labels survive export, virsh and the metadata reader" "$(head -c 600 "$TMP/rt.json")"; fi

# --- the hook on the target: tgt.labels from its own configuration ---
umockdev-run -d $HOST -- /bin/sh -c '
	for c in same otherzone shared none; do
		"$0" hook --config "$1/$c.yaml" --policy-dir policies \
			--policy-dir examples/policies/zones --policy-dir "$1/site" \
			zguest1 migrate begin - < "$1/dump.xml" > "$1/h-$c.out" 2> "$1/h-$c.err"
		echo $? > "$1/h-$c.rc"
	done
	"$0" check --config "$1/otherzone.yaml" --no-audit --policy-dir policies \
		--policy-dir "$1/site" --source-xml "$1/dump.xml" --target live \
		--format json > "$1/live.json" 2> "$1/live.err"' "$APGATE" "$TMP"

hook_case() {	# NAME STATUS STDERR TGT-LABELS-SEEN
	expect_status "hook $1: exit status" "$2" "$(cat "$TMP/h-$1.rc")"
	expect_empty "hook $1: stdout empty" "$TMP/h-$1.out"
	if [ -z "$3" ]; then expect_empty "hook $1: stderr empty" "$TMP/h-$1.err"
	else
		first=$(cat "$TMP/h-$1.err")
		if [ "$first" = "$3" ]; then pass "hook $1: the one stderr line"
		else fail "hook $1: the one stderr line" "got: $first" "want: $3"; fi
	fi
	seen=$(jq -r '.findings[] | select(.rule == "site.seen") | .message' \
		"$TMP/$1.jsonl" 2>/dev/null)
	want="src {tenant=acme & co <1>,zone=a} tgt {$4}"
	if [ "$seen" = "$want" ]; then pass "hook $1: policies saw $want"
	else fail "hook $1: policies saw $want" "got: $seen" "$(head -c 400 "$TMP/$1.jsonl")"; fi
}
# the same question before a migration: check --target live is this host
if jq -e '.findings[] | select(.rule == "site.seen") | .message == "src {tenant=acme & co <1>,zone=a} tgt {tenant=acme & co <1>,zone=b}"' \
	"$TMP/live.json" > /dev/null 2>&1
then pass "check --target live gives the target this host's labels"
else fail "check --target live gives the target this host's labels" "$(head -c 600 "$TMP/live.json")"; fi
hook_case same 0 "" "tenant=acme & co <1>,zone=a"
hook_case otherzone 1 "apgate: reject: site.zone.same: guest would move from zone a to zone b" \
	"tenant=acme & co <1>,zone=b"
hook_case shared 1 "apgate: reject: site.tenant.dedicated: guest of tenant acme & co <1> would move to a shared host" \
	"zone=a"
# no labels at all: both rules refuse; the line names the first, the
# record both
hook_case none 1 "apgate: reject: site.tenant.dedicated: guest of tenant acme & co <1> would move to a shared host (1 more)" ""
if jq -e '[.findings[] | select(.rule == "site.zone.same") | .message] == ["host \(.findings[0].evidence.target_host) has no zone label (labels: {zone: ...} in its apgate.yaml)"]' \
	"$TMP/none.jsonl" > /dev/null 2>&1
then pass "hook none: a target without labels has no zone"
else fail "hook none: a target without labels has no zone" "$(head -c 600 "$TMP/none.jsonl")"; fi

finish
