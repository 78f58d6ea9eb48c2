#!/usr/bin/env python3
"""strict.py -- the API server's checks that JSON schemas do not carry, for rendered manifests.

Usage: strict.py FILE...

For every YAML document: metadata.name present (or generateName) with the syntax its kind
needs (DNS-1123 subdomain; DNS-1035 label for a Service; DNS-1123 label for a Namespace;
a path segment for RBAC objects), metadata.namespace a DNS-1123 label, label keys and
values and annotation keys as the API server validates them, and no two objects with one
(API group, kind, namespace, name) in the whole run. One line per problem,
FILE:DOCINDEX: KIND/NAME: FIELD: MESSAGE; exit 1 if there was any.
"""
import re
import sys

import yaml

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
RBAC = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}


def name_problem(kind, name):
    if kind == "Service":
        ok = DNS1035_LABEL.match(name) and len(name) <= 63
        return None if ok else "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with a letter and end with an alphanumeric character (at most 63)"
    if kind == "Namespace":
        ok = DNS1123_LABEL.match(name) and len(name) <= 63
        return None if ok else "a lowercase RFC 1123 label (at most 63 characters)"
    if kind in RBAC:
        ok = name not in (".", "..") and "/" not in name and "%" not in name
        return None if ok else "may not be '.' or '..' or contain '/' or '%'"
    ok = DNS1123_SUBDOMAIN.match(name) and len(name) <= 253
    return None if ok else "a lowercase RFC 1123 subdomain (at most 253 characters)"


def key_problem(key):
    prefix, _, name = key.rpartition("/")
    if prefix and not (DNS1123_SUBDOMAIN.match(prefix) and len(prefix) <= 253):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not (QUALIFIED.match(name) and len(name) <= 63):
        return "name part must be alphanumeric, '-', '_' or '.', start and end alphanumeric, at most 63 characters"
    return None


def check(doc, where, seen, out):
    kind = doc.get("kind", "?")
    meta = doc.get("metadata") or {}
    name = meta.get("name")
    what = "%s/%s" % (kind, name)
    def bad(field, msg):
        out.append("%s: %s: %s: %s" % (where, what, field, msg))
    if not name and not meta.get("generateName"):
        bad("metadata.name", "Required value")
    elif name and name_problem(kind, name):
        bad("metadata.name", "Invalid value %r: %s" % (name, name_problem(kind, name)))
    ns = meta.get("namespace")
    if ns is not None and not (DNS1123_LABEL.match(str(ns)) and len(str(ns)) <= 63):
        bad("metadata.namespace", "Invalid value %r: a lowercase RFC 1123 label" % ns)
    for k, v in (meta.get("labels") or {}).items():
        if key_problem(k):
            bad("metadata.labels", "Invalid value %r: %s" % (k, key_problem(k)))
        if not isinstance(v, str) or (v and not (QUALIFIED.match(v) and len(v) <= 63)):
            bad("metadata.labels", "Invalid value %r: a label value must be empty or alphanumeric, '-', '_' or '.' (at most 63)" % (v,))
    for k in (meta.get("annotations") or {}):
        if key_problem(k):
            bad("metadata.annotations", "Invalid value %r: %s" % (k, key_problem(k)))
    group = str(doc.get("apiVersion", "")).rpartition("/")[0]
    ident = (group, kind, ns or "", name)
    if name and ident in seen:
        bad("metadata.name", "Duplicate value: also at %s" % seen[ident])
    seen.setdefault(ident, where)


def main():
    out, seen = [], {}
    for path in sys.argv[1:]:
        with open(path) as f:
            for i, doc in enumerate(yaml.safe_load_all(f)):
                if isinstance(doc, dict) and doc.get("kind", "").endswith("List") and "items" in doc:
                    docs = doc["items"]
                else:
                    docs = [doc]
                for d in docs:
                    if isinstance(d, dict):
                        check(d, "%s:%d" % (path, i), seen, out)
    sys.stdout.write("".join(o + "\n" for o in out))
    sys.exit(1 if out else 0)


if __name__ == "__main__":
    main()
