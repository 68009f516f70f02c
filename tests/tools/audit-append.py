#!/usr/bin/env python3
"""audit-append.py LOG KIND [N] - append to a decision log a line as an
older or broken writer could have left it (tests/e2e/audit-bounds.sh).

KIND: pad N  - a decision record chained to the last line, whose line is
               exactly N bytes (a "guest" padded with "g");
      odd    - a decision record chained to the last line with bytes that
               are not UTF-8 in its "guest";
      raw N  - N bytes of "z" and a newline: not a record.
"""
import hashlib, json, sys

log, kind = sys.argv[1], sys.argv[2]
with open(log, 'rb') as f:
    lines = f.read().split(b'\n')
last = [l for l in lines if l][-1]
prev = json.loads(last)
rec = {k: prev[k] for k in prev if k not in ('torn', 'truncated')}
rec['seq'] = prev['seq'] + 1
rec['prev'] = hashlib.sha256(last).hexdigest()
rec['type'] = 'decision'
def ser(r):
    return json.dumps(r, sort_keys=True, separators=(',', ':'),
                      ensure_ascii=False).encode()
if kind == 'pad':
    n = int(sys.argv[3])
    rec['guest'] = ''
    rec['guest'] = 'g' * (n - len(ser(rec)))
    line = ser(rec)
    assert len(line) == n, len(line)
elif kind == 'odd':
    rec['guest'] = 'ODDBYTES'
    line = ser(rec).replace(b'ODDBYTES', b'g\xff\xfe')
elif kind == 'raw':
    line = b'z' * int(sys.argv[3])
with open(log, 'ab') as f:
    f.write(line + b'\n')
