#!/usr/bin/python3
"""validate-json.py SCHEMA FILE... - validate JSON documents against one of
apgate's JSON Schemas (draft 2020-12) with Debian's python3-jsonschema.
Prints one line per invalid document; exits 1 if any is invalid.
The other schemas beside SCHEMA are known by their $id, so that one schema
can reference another (inventory-v1 uses descriptor-v1's parts)."""
import glob
import json
import os
import sys

import jsonschema


def sibling_resolver(path, schema):
    """Bookworm's jsonschema 4.10 resolves $ref through a RefResolver
    whose store maps $id to schema."""
    store = {}
    for other in glob.glob(os.path.join(os.path.dirname(path) or ".",
                                        "*.schema.json")):
        with open(other, encoding="utf-8") as f:
            doc = json.load(f)
        store[doc.get("$id", other)] = doc
    return jsonschema.RefResolver.from_schema(schema, store=store)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, resolver=sibling_resolver(sys.argv[1], schema))
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
