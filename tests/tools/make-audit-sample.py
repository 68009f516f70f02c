#!/usr/bin/python3
"""make-audit-sample.py APGATE > tests/data/audit/sample.jsonl

Build the sample decision log the report tests read: a month of decisions
between four hosts, made from the real verdicts `apgate check` gives for
the example descriptor pairs, re-dated and re-hosted deterministically,
and hash-chained exactly as apgate chains its log (prev = SHA-256 of the
previous line without its newline, seq counting from 1).  Run from the
source root; the output is committed, so this only runs when the sample
should change."""
import hashlib
import json
import random
import subprocess
import sys

APGATE = sys.argv[1]
rng = random.Random(20261122)
P = ["--no-config", "--policy-dir", "policies", "--now", "2026-11-22T12:00:00Z",
     "--format", "json", "--insecure-policies"]
KINDS = [("cca-match", 50), ("ep11-match", 15), ("key-change-pending", 10),
         ("cca-mkvp-mismatch", 8), ("missing-apqn", 7),
         ("generation-downgrade", 5), ("blocked", 5)]
PAIRS = [("lpar-a.example.com", "lpar-b.example.com", 5),
         ("lpar-b.example.com", "lpar-a.example.com", 3),
         ("lpar-c.example.com", "lpar-d.example.com", 2),
         ("lpar-a.example.com", "lpar-c.example.com", 1)]
GUESTS = ["db-prod-1", "db-prod-2", "pay-gw-1", "hsm-proxy", "batch-7"]

verdicts = {}
for name, _ in KINDS:
    out = subprocess.run([APGATE, "check", *P,
                          "--source", f"examples/{name}/source.yaml",
                          "--target", f"examples/{name}/target.yaml"],
                         capture_output=True, text=True).stdout
    verdicts[name] = out


def pick(items):
    total = sum(w for *_, w in items)
    x = rng.uniform(0, total)
    for item in items:
        x -= item[-1]
        if x <= 0:
            return item
    return items[-1]


def uuid():
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


MDEVS = [uuid() for _ in GUESTS]
prev, seq, t = "0" * 64, 0, 1792713600   # 2026-10-23T00:00:00Z
lines = []
while t < 1792713600 + 30 * 86400:
    t += rng.randint(600, 14 * 3600)
    name = pick(KINDS)[0]
    src, tgt, _ = pick(PAIRS)
    g = rng.randrange(len(GUESTS))
    text = verdicts[name].replace("lpar-a.example.com", "@SRC@") \
                         .replace("lpar-b.example.com", "@TGT@")
    text = text.replace("@SRC@", src).replace("@TGT@", tgt)
    rec = json.loads(text)
    ts = "%04d-%02d-%02dT%02d:%02d:%02dZ" % __import__("time").gmtime(t)[:6]
    hook = rng.random() < 0.8
    # the site updated its master-key rule on 2026-11-10
    for p in rec["policies"]:
        p["path"] = p["path"].replace("policies/", "/usr/share/apgate/policies/")
        if t >= 1794268800 and p["path"].endswith("40-mkvp.lua"):
            p["sha256"] = hashlib.sha256(b"40-mkvp.lua v2").hexdigest()
    rec["policy_set_sha256"] = hashlib.sha256(
        "".join(p["path"] + "\0" + p["sha256"] + "\n"
                for p in rec["policies"]).encode()).hexdigest()
    for side in ("source", "target"):
        rec[side].pop("path", None)
        if "mdev_uuid" in rec[side]:
            rec[side]["mdev_uuid"] = MDEVS[g]
    seq += 1
    rec.update({
        "apgate-audit": 1, "type": "decision", "seq": seq, "prev": prev,
        "timestamp": ts, "now": ts, "decision_id": uuid(),
        "duration_us": rng.randint(4000, 30000),
        "host": tgt if hook else src, "caller": "hook" if hook else "check",
        "pid": rng.randint(1000, 60000), "tool": "apgate 0.1.0",
        "insecure_policies": False,
    })
    if hook:
        rec["guest"] = GUESTS[g]
    line = json.dumps(rec, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    prev = hashlib.sha256(line.encode()).hexdigest()
    lines.append(line)
sys.stdout.write("".join(l + "\n" for l in lines))
