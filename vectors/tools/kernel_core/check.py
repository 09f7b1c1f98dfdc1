#!/usr/bin/env python3
"""Validates every vectors/**/*.json file against the v1 JSON Schema and checks that test
ids are unique across the corpus and that every flag a test uses is explained in notes."""

import json
import sys
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
schema = json.loads((ROOT / "schema" / "vectors-v2.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
ids = {}
bad = 0
for path in sorted(ROOT.rglob("*.json")):
    if "schema" in path.parts:
        continue
    doc = json.loads(path.read_text())
    for err in validator.iter_errors(doc):
        bad += 1
        print("%s: %s at %s" % (path.name, err.message[:200], "/".join(map(str, err.absolute_path))))
    for g in doc.get("groups", []):
        for t in g["tests"]:
            if t["id"] in ids:
                bad += 1
                print("%s: duplicate id %s (also in %s)" % (path.name, t["id"], ids[t["id"]]))
            ids[t["id"]] = path.name
            for fl in t["flags"]:
                if fl not in doc["notes"]:
                    bad += 1
                    print("%s: %s uses unexplained flag %s" % (path.name, t["id"], fl))
print("%d files' tests checked, %d ids, %d problems" % (len(set(ids.values())), len(ids), bad))
sys.exit(1 if bad else 0)
