#!/usr/bin/python3
"""validate-json.py SCHEMA FILE... - validate JSON documents against one of
apgate's JSON Schemas (draft 2020-12) with Debian's python3-jsonschema.
Prints one line per invalid document; exits 1 if any is invalid."""
import json
import sys

import jsonschema


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:3]:
            print(f"{path}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
