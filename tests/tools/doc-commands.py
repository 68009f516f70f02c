#!/usr/bin/python3
"""doc-commands.py OUTDIR FILE... - the source-tree commands the docs show.

Every command in a code block of FILE (```sh, ```console, plain ``` and
indented blocks) that runs `src/apgate` is a case for
tests/e2e/docs-commands.sh: one that the reader can paste into a built
source tree.  `apgate ...` without `src/` is the installed program on a
host and is not extracted.  For case N this writes OUTDIR/N.cmd (the
command, continuation lines joined), N.where (FILE:LINE), N.status (the
expected exit status) and, for a console transcript, N.out (the output
shown after the command).

The expected status is what the transcript shows (`$ echo $?`), else the
example's "Expected verdict: **V (exit N...)**" line, else 0.
"""
import os
import re
import sys

EXPECTED = re.compile(r"Expected verdict: \*\*[a-z]+ \(exit (\d+)")


def blocks(lines):
    """Yield (kind, first line number, lines) of each code block."""
    i = 0
    prev_blank = True
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)```(\w*)\s*$", line)
        if m:
            indent, kind = len(m.group(1)), m.group(2) or "plain"
            start, body = i + 2, []
            i += 1
            while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
                body.append(lines[i][indent:])
                i += 1
            yield kind, start, body
            i += 1
            prev_blank = False
            continue
        if prev_blank and line.startswith("    ") and line.strip():
            start, body = i + 1, []
            while i < len(lines) and (lines[i].startswith("    ") or
                                      not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            yield "indented", start, body
            prev_blank = False
            continue
        prev_blank = not line.strip()
        i += 1


def join_continued(body, k):
    """The command starting at body[k] with its `\\` continuations."""
    text = body[k]
    while text.rstrip().endswith("\\") and k + 1 < len(body):
        text = text.rstrip()[:-1].rstrip() + " " + body[k + 1].strip()
        k += 1
    return text.strip(), k + 1


def strip_comment(cmd):
    """Drop a trailing `# comment` that is outside quotes."""
    quote = None
    for i, c in enumerate(cmd):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and i > 0 and cmd[i - 1] in " \t":
            return cmd[:i].rstrip()
    return cmd


def main():
    outdir, files = sys.argv[1], sys.argv[2:]
    n = 0

    def case(path, line, cmd, status, out=None):
        nonlocal n
        n += 1
        base = os.path.join(outdir, str(n))
        with open(base + ".cmd", "w") as f:
            f.write(cmd + "\n")
        with open(base + ".where", "w") as f:
            f.write("%s:%d\n" % (path, line))
        with open(base + ".status", "w") as f:
            f.write("%d\n" % status)
        if out is not None:
            with open(base + ".out", "w") as f:
                f.write("".join(l + "\n" for l in out))

    for path in files:
        with open(path) as f:
            text = f.read()
        lines = text.split("\n")
        m = EXPECTED.search(text)
        default_status = int(m.group(1)) if m else 0
        for kind, start, body in blocks(lines):
            k = 0
            if kind == "console":
                while k < len(body):
                    if not body[k].startswith("$ "):
                        k += 1
                        continue
                    line = start + k
                    cmd, k = join_continued(body, k)
                    cmd = cmd[2:].strip()
                    out = []
                    while k < len(body) and not body[k].startswith("$ "):
                        out.append(body[k])
                        k += 1
                    status = default_status
                    if (k < len(body) and body[k].strip() == "$ echo $?"
                            and k + 1 < len(body)):
                        status = int(body[k + 1])
                    if cmd.startswith("src/apgate "):
                        case(path, line, strip_comment(cmd), status, out)
                continue
            if kind not in ("sh", "plain", "indented"):
                continue
            while k < len(body):
                line = start + k
                cmd, k = join_continued(body, k)
                for part in strip_comment(cmd).split("&&"):
                    part = part.strip()
                    if part.startswith("src/apgate "):
                        case(path, line, part, default_status)
    print(n)


main()
