#!/usr/bin/env python3
"""crd2schema.py -- a CRD's OpenAPI v3 schema as the strict JSON schema kubeconform reads.

Usage: crd2schema.py CRD.yaml OBJECTMETA.json OUTDIR

Writes one file per served version, OUTDIR/<kind>-<group>-<version>.json (lower case),
the name tests/lib.sh's validate_manifests looks custom resources up by. The structural
schema's meaning is kept as the API server applies it: fields the schema does not list
are errors (the server prunes them, strict field validation refuses them) unless
x-kubernetes-preserve-unknown-fields; x-kubernetes-int-or-string is an integer or a
string; nullable allows null; an embedded resource may carry apiVersion, kind and
metadata. metadata is the strict ObjectMeta of a built-in schema (OBJECTMETA: any
vendored schema whose properties.metadata is ObjectMeta), and apiVersion and kind are
pinned. CEL rules (x-kubernetes-validations) are left out: a JSON schema cannot say them,
and the real API server checks them in the cluster tests.
"""
import json
import os
import sys

import crdyaml

# Keywords whose meaning is the same in OpenAPI v3 and JSON schema.
SAME = ("type", "format", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems",
        "uniqueItems", "minProperties", "maxProperties", "required", "description")


def convert(node):
    out = {k: node[k] for k in SAME if k in node}
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if "properties" in node:
        out["properties"] = {k: convert(v) for k, v in node["properties"].items()}
    if node.get("x-kubernetes-embedded-resource"):
        props = out.setdefault("properties", {})
        for k in ("apiVersion", "kind"):
            props.setdefault(k, {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = convert(node["additionalProperties"])
    elif "properties" in out and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    if "items" in node:
        out["items"] = convert(node["items"])
    for k in ("allOf", "anyOf", "oneOf"):
        if k in node:
            out[k] = [convert(n) for n in node[k]]
    if "not" in node:
        out["not"] = convert(node["not"])
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def main():
    crd_path, meta_path, outdir = sys.argv[1:4]
    meta = json.load(open(meta_path))["properties"]["metadata"]
    for crd in crdyaml.load_all(crd_path):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        group, kind = spec["group"], spec["names"]["kind"]
        for v in spec["versions"]:
            if not v.get("served", True):
                continue
            schema = convert(v["schema"]["openAPIV3Schema"])
            props = schema.setdefault("properties", {})
            props["apiVersion"] = {"type": "string", "enum": ["%s/%s" % (group, v["name"])]}
            props["kind"] = {"type": "string", "enum": [kind]}
            props["metadata"] = meta
            schema["additionalProperties"] = False
            schema["$schema"] = "http://json-schema.org/schema#"
            name = "%s-%s-%s.json" % (kind.lower(), group.lower(), v["name"].lower())
            with open(os.path.join(outdir, name), "w") as f:
                json.dump(schema, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
