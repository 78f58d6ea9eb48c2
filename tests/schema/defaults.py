#!/usr/bin/env python3
"""defaults.py -- fill a custom resource's absent fields with its CRD's defaults, as the API
server does before it validates, so that a JSON schema check judges what the server judges.

Usage: defaults.py OUT_DIR CRD.yaml... -- FILE...

A FILE with a document of a kind one of the CRDs defines is written to OUT_DIR as JSON, one
document a file, each such document given the `default` of every absent property its schema
names (recursively, through objects present or defaulted). Prints the paths to check, one a
line: those written, and every other FILE as it is.
"""
import json
import os
import sys

import yaml

import crdyaml


def fill(node, schema):
    if not isinstance(node, dict) or not isinstance(schema, dict):
        return
    for name, sub in (schema.get("properties") or {}).items():
        if name not in node and "default" in sub:
            node[name] = sub["default"]
        if name in node:
            if isinstance(node[name], list) and isinstance(sub.get("items"), dict):
                for item in node[name]:
                    fill(item, sub["items"])
            else:
                fill(node[name], sub)


def main():
    sep = sys.argv.index("--")
    out_dir, crds, files = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    schemas = {}
    for path in crds:
        for crd in crdyaml.load_all(path):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for v in spec["versions"]:
                key = ("%s/%s" % (spec["group"], v["name"]), spec["names"]["kind"])
                schemas[key] = v["schema"]["openAPIV3Schema"]
    for n, path in enumerate(files):
        docs = list(yaml.load_all(open(path), Loader=crdyaml.LOADER))
        kinds = [(d.get("apiVersion"), d.get("kind")) if isinstance(d, dict) else None for d in docs]
        if not any(k in schemas for k in kinds):
            print(path)  # nothing to default: checked as written
            continue
        # JSON, one document a file: YAML 1.1 and 1.2 read some plain scalars differently.
        for i, d in enumerate(docs):
            if d is None:
                continue
            fill(d, schemas.get(kinds[i]))
            out = os.path.join(out_dir, "%d-%d-%s.json" % (n, i, os.path.basename(path)))
            with open(out, "w") as f:
                json.dump(d, f)
            print(out)

if __name__ == "__main__":
    main()
