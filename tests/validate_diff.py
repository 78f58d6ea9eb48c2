#!/usr/bin/env python3
"""validate_diff.py -- differential validation of `kubectl feast validate` against a real API server.

Usage: validate_diff.py --feast BIN --crd CRD --env CLUSTER_ENV --namespace NS --out DIR
                        [--seed N] [--count N] [--workers N] INPUT...

From the FeatureStores (feast.dev/v1) of the INPUT files it makes --count specs, seeded and
deterministic: the inputs as they are, every combination class of the scaling fields, both
sides of every CEL rule of the CRD, metadata.name lengths and characters, and field-by-field
mutations driven by the CRD's schema (remove, null, wrong type, enum values, boundaries,
patterns, unknown fields, empty and duplicated lists). Each spec goes to the API server as a
dry-run create (fieldValidation=Strict, as `kubectl create --dry-run=server` sends it) and,
each alone, to `kubectl feast validate -o json`. They agree when both accept, or when
both reject and validate names every field the server names, with the server's message for
the schema and CEL errors, or when validate alone rejects and every finding is the operator's
(source "operator": no API server checks those). Prints `agreement: N of M`, writes the
disagreements to DIR/disagreements.txt and exits 1 if there is any, or if some CEL rule was
not seen both failing and holding.
"""
import argparse
import copy
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import ssl
import subprocess
import sys
import threading
import urllib.parse

import yaml

DELETE = object()
INT32_MAX = 2**31 - 1
QUANTITY_GOOD = ["1", "0", "500m", "1Gi", "1.5", ".5Ki", "+2", "1e3", "-1"]
QUANTITY_BAD = ["1GB", "one", "", "1.2.3", "1 Gi"]


# ---- the CRD's schema ----

def load_schema(path):
    crd = yaml.safe_load(open(path, encoding="utf-8"))
    for v in crd["spec"]["versions"]:
        if v["name"] == "v1":
            return v["schema"]["openAPIV3Schema"]
    raise SystemExit("no v1 in " + path)


def child(sch, tok):
    """The schema of `tok` (a key or a list index) under `sch`, or None."""
    if sch is None:
        return None
    if isinstance(tok, int):
        return sch.get("items")
    props = sch.get("properties")
    if props is not None and tok in props:
        return props[tok]
    ap = sch.get("additionalProperties")
    return ap if isinstance(ap, dict) else None


def schema_at(root, toks):
    s = root
    for t in toks:
        s = child(s, t)
    return s


def minimal(sch, name=""):
    """The smallest value the schema takes: required fields only (paths absolute)."""
    if sch.get("x-kubernetes-int-or-string"):
        return 1
    if "enum" in sch:
        return sch["enum"][0]
    t = sch.get("type")
    if t == "object":
        return {k: minimal(sch["properties"][k], k) for k in sch.get("required", [])}
    if t == "array":
        return []
    if t == "string":
        p = sch.get("pattern", "")
        if p.startswith("^https"):
            return "https://example.com/x"
        if "KMGTPE" in p:
            return "1"
        return "/x" if name.endswith("ath") else "x" * max(1, sch.get("minLength", 1))
    if t == "integer":
        return max(sch.get("minimum", 1), 1)
    if t == "number":
        return 1
    if t == "boolean":
        return True
    return "x"


def wrong_type(sch):
    if sch.get("x-kubernetes-int-or-string"):
        return True
    t = sch.get("type")
    return {"object": "x", "array": {"a": 1}, "string": 7, "integer": "7", "number": "7",
            "boolean": "true"}.get(t, [1])


def schema_paths(sch, toks, depth, out):
    """Every field path under sch (list items as index 0, maps with one key "k")."""
    if depth == 0:
        return
    for k, c in sorted(sch.get("properties", {}).items()):
        out.append((toks + [k], c))
        schema_paths(c, toks + [k], depth - 1, out)
    ap = sch.get("additionalProperties")
    if isinstance(ap, dict):
        out.append((toks + ["k"], ap))
        schema_paths(ap, toks + ["k"], depth - 1, out)
    if isinstance(sch.get("items"), dict):
        out.append((toks + [0], sch["items"]))
        schema_paths(sch["items"], toks + [0], depth - 1, out)


# ---- editing a spec ----

def get_at(doc, toks):
    cur = doc
    for t in toks:
        if isinstance(t, int):
            if not isinstance(cur, list) or t >= len(cur):
                return DELETE
        elif not isinstance(cur, dict) or t not in cur:
            return DELETE
        cur = cur[t]
    return cur


def set_at(root_sch, doc, toks, value):
    """Set (or with DELETE remove) the field, making missing parents minimal; False when a
    parent is not a container (an earlier edit made it something else)."""
    cur, sch = doc, root_sch
    for i, t in enumerate(toks[:-1]):
        sch = child(sch, t)
        nxt = toks[i + 1]
        if isinstance(t, int):
            if not isinstance(cur, list):
                return False
            while len(cur) <= t:
                if value is DELETE:
                    return True
                cur.append(minimal(sch) if sch else {})
        else:
            if not isinstance(cur, dict):
                return False
            if t not in cur or cur[t] is None:
                if value is DELETE:
                    return True
                cur[t] = [] if isinstance(nxt, int) else (minimal(sch) if sch and sch.get("type") == "object" else {})
        cur = cur[t]
    last = toks[-1]
    if isinstance(last, int):
        if not isinstance(cur, list):
            return False
        if value is DELETE:
            if last < len(cur):
                del cur[last]
            return True
        while len(cur) <= last:
            cur.append(None)
        cur[last] = value
        return True
    if not isinstance(cur, dict):
        return False
    if value is DELETE:
        cur.pop(last, None)
    else:
        cur[last] = value
    return True


def dotted(toks):
    s = ""
    for t in toks:
        s += "[%d]" % t if isinstance(t, int) else ("." if s else "") + t
    return s


def patched(root_sch, base, edits):
    doc = copy.deepcopy(base)
    for toks, value in edits:
        if not set_at(root_sch, doc, toks, value):
            return None
    return doc


# ---- what to try ----

def field_mutations(toks, sch, present):
    """(label, value) pairs for one field."""
    out = []
    if present:
        out.append(("remove", DELETE))
    out.append(("null", None))
    out.append(("wrong type", wrong_type(sch)))
    if not present:
        out.append(("set minimal", minimal(sch)))
    for e in sch.get("enum", []):
        out.append(("enum %r" % e, e))
    if "enum" in sch:
        out.append(("enum bogus", "Bogus"))
    t = sch.get("type")
    if sch.get("x-kubernetes-int-or-string"):
        out += [("int-or-string 3", 3), ("int-or-string 50%", "50%"), ("int-or-string -1", -1)]
    elif t == "integer":
        lo = sch.get("minimum")
        vals = [0, -1, INT32_MAX, INT32_MAX + 1, -INT32_MAX - 2, 2**53] + ([lo - 1, lo] if lo is not None else [])
        out += [("integer %d" % v, v) for v in vals]
        out.append(("integer as float", 1.5))
    elif t == "string":
        p = sch.get("pattern")
        if p and "KMGTPE" in p:
            out += [("quantity %r" % v, v) for v in QUANTITY_GOOD + QUANTITY_BAD]
        elif p:
            out += [("pattern bad", "not valid!"), ("pattern good", minimal(sch))]
        out += [("empty string", ""), ("long string", "x" * 300)]
        if "minLength" in sch:
            out.append(("below minLength", "x" * (sch["minLength"] - 1)))
        if "maxLength" in sch:
            out.append(("above maxLength", "x" * (sch["maxLength"] + 1)))
    elif t == "object":
        base = minimal(sch)
        base["bogusField"] = 1
        out.append(("unknown field", ("merge", {"bogusField": 1}) if present else base))
        for r in sch.get("required", []):
            m = minimal(sch)
            m.pop(r, None)
            out.append(("without required %s" % r, m))
    elif t == "array":
        item = sch.get("items", {})
        out += [("empty list", []), ("one item", [minimal(item)]), ("two equal items", [minimal(item)] * 2)]
    return out


def cel_edits(spec_sch):
    """Both sides of the CEL rules whose sides depend on values: (label, path, edits)."""
    S = ["spec"]
    sv = S + ["services"]
    on = sv + ["onlineStore", "persistence", "file"]
    reg = sv + ["registry", "local", "persistence", "file"]
    off = sv + ["offlineStore", "persistence", "file"]
    out = []
    git = S + ["feastProjectDir", "git"]
    for v in ["/abs", "rel/path", "a/b"]:
        out.append(("git repo path %s" % v, [(S + ["feastProjectDir"], {"git": {"url": "https://x/y.git", "featureRepoPath": v}})]))
    for v in ["/a/b", "/", "a", "/a//b", "/a/", "/a/./b", "/a/.", "/a/../b", "/a/..", "/a.b/c..d"]:
        out.append(("packaged path %s" % v, [(S + ["feastProjectDir"], {"packaged": {"image": "img", "featureRepoPath": v}})]))
    for k in ["enabled", "tracking_uri", "ui_url", "auto_log", "ops_experiment_suffix", "other_key"]:
        out.append(("mlflow extraConfig %s" % k, [(S + ["mlflow"], {"enabled": True, "extraConfig": {k: "v"}})]))
    out.append(("mlflow no extraConfig", [(S + ["mlflow"], {"enabled": True})]))
    tls_paths = [sv + ["onlineStore", "server", "tls"], sv + ["offlineStore", "server", "tls"],
                 sv + ["registry", "local", "server", "tls"], sv + ["ui", "tls"],
                 S + ["openlineage", "consumer", "lineageServer", "server", "tls"]]
    for p in tls_paths:
        for label, v in [("{}", {}), ("disable", {"disable": True}), ("enabled", {"disable": False}),
                         ("secret", {"secretRef": {"name": "tls"}}),
                         ("enabled secret", {"disable": False, "secretRef": {"name": "tls"}})]:
            out.append(("%s %s" % (dotted(p), label), [(p, v)]))
    for fp, store in [(on, "online"), (off, "offline"), (reg, "registry")]:
        for mp in ["/data", "data", "/a:b", "/"]:
            out.append(("%s pvc mountPath %s" % (store, mp),
                        [(fp, {"pvc": {"ref": {"name": "pv"}, "mountPath": mp}})]))
    for path in ["/data/online.db", "online.db", "s3://b/o.db", "gs://b/o.db"]:
        out.append(("online file path %s" % path, [(on, {"path": path})]))
        out.append(("online pvc path %s" % path, [(on, {"path": path, "pvc": {"ref": {"name": "pv"}, "mountPath": "/data"}})]))
    for path in ["/data/registry.db", "registry.db", "s3://b/r.db", "gs://b/r.db"]:
        out.append(("registry file path %s" % path, [(reg, {"path": path})]))
        out.append(("registry pvc path %s" % path, [(reg, {"path": path, "pvc": {"ref": {"name": "pv"}, "mountPath": "/data"}})]))
        out.append(("registry s3 kwargs path %s" % path, [(reg, {"path": path, "s3_additional_kwargs": {"a": "b"}})]))
    srv = sv + ["registry", "local", "server"]
    for g, r, m in itertools.product([None, True, False], [None, True, False], [None, True, False]):
        v = {}
        if g is not None:
            v["grpc"] = g
        if r is not None:
            v["restAPI"] = r
        if m is not None:
            v["mcp"] = {"enabled": m}
        out.append(("registry server grpc=%s rest=%s mcp=%s" % (g, r, m),
                    [(sv + ["registry"], {"local": {}}), (srv, v)]))
    # exists_one rules: none, each alone, each pair, from the CRD itself
    for toks, sch in [(t, s) for t, s in all_paths(spec_sch) if s.get("type") == "object"]:
        for rule in sch.get("x-kubernetes-validations", []):
            m = re.match(r"\[(has\(self\.\w+\)(, )?)+\]\.exists_one", rule["rule"])
            if not m:
                continue
            fields = re.findall(r"has\(self\.(\w+)\)", rule["rule"])
            for n in range(0, 3):
                for combo in itertools.combinations(fields, n):
                    # the required siblings too, or the schema fails and CEL never runs
                    obj = {k: v for k, v in minimal(sch).items() if k not in fields}
                    obj.update({f: minimal(sch["properties"][f]) for f in combo})
                    out.append(("%s with %s" % (dotted(toks), "+".join(combo) or "none"), [(toks, obj)]))
    return out


_paths_cache = {}


def all_paths(spec_sch):
    if "p" not in _paths_cache:
        out = []
        schema_paths(spec_sch, ["spec"], 9, out)
        _paths_cache["p"] = [(["spec"], spec_sch)] + out
    return _paths_cache["p"]


def scaling_combos():
    sv = ["spec", "services"]
    reps = [DELETE, 1, 2, 0, 3]
    autos = [DELETE, {"maxReplicas": 3}, {"minReplicas": 2, "maxReplicas": 5}, {"minReplicas": 5, "maxReplicas": 2}, {}]
    online = [DELETE, {"file": {"path": "/data/o.db"}}, {"store": {"type": "redis", "secretRef": {"name": "s"}}}]
    offline = [DELETE, {"file": {"type": "duckdb"}}, {"store": {"type": "postgres", "secretRef": {"name": "s"}}}]
    registry = [{"local": {"persistence": {"file": {"path": "/data/r.db"}}}},
                {"local": {"persistence": {"file": {"path": "s3://b/r.db"}}}},
                {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "s"}}}}},
                {"remote": {"hostname": "r.feast.svc:80"}}, {"local": {}}]
    pdbs = [DELETE, {"minAvailable": 1}, {"maxUnavailable": "50%"}, {"minAvailable": 1, "maxUnavailable": 1}]
    for r, a, on, off, reg, pdb in itertools.product(reps, autos, online, offline, registry, pdbs):
        edits = [(["spec", "replicas"], r), (sv + ["scaling"], DELETE if a is DELETE else {"autoscaling": a}),
                 (sv + ["onlineStore", "persistence"], on), (sv + ["offlineStore", "persistence"], off),
                 (sv + ["registry"], reg), (sv + ["podDisruptionBudgets"], pdb)]
        label = "scaling replicas=%s auto=%s online=%s offline=%s registry=%s pdb=%s" % tuple(
            "-" if x is DELETE else json.dumps(x, sort_keys=True) for x in (r, a, on, off, reg, pdb))
        yield label, edits


def name_edits():
    names = ["a", "x" * 40, "x" * 41, "x" * 45, "x" * 46, "x" * 49, "x" * 50, "x" * 52, "x" * 53, "x" * 63,
             "x" * 64, "x" * 253, "x" * 254, "a.b", "a-b", "1abc", "-a", "a-", "Abc", "a_b", "a..b", "a.1"]
    return [("name %s (%d chars)" % (n[:12], len(n)), [(["metadata", "name"], n)]) for n in names]


def generate(bases, root_sch, seed, count):
    """[(label, doc)]: deterministic for one seed, inputs and count; no two docs alike."""
    rnd = random.Random(seed)
    spec_sch = root_sch["properties"]["spec"]
    fixed = []
    for name, b in bases:
        fixed.append(("input %s" % name, b))
    combos = list(scaling_combos())
    rnd.shuffle(combos)
    for i, (label, edits) in enumerate(combos[:400]):
        fixed.append((label, edits, bases[i % len(bases)]))
    for i, (label, edits) in enumerate(cel_edits(spec_sch)):
        for j in range(2):
            fixed.append((label, edits, bases[(i + j * 7) % len(bases)]))
    for i, (label, edits) in enumerate(name_edits()):
        fixed.append((label, edits, bases[i % len(bases)]))
    paths = all_paths(spec_sch)
    # The fields the inputs set, each mutated; then fields they leave out, at random.
    on = []
    for bname, base in bases:
        for toks, sch in paths:
            if get_at(base, toks) is not DELETE:
                on += [(bname, base, toks, sch, m) for m in field_mutations(toks, sch, True)]
    rnd.shuffle(on)
    out, seen = [], set()

    def add(label, doc):
        if doc is None or len(out) >= count:
            return
        key = hashlib.sha1(json.dumps(doc, sort_keys=True).encode()).hexdigest()
        if key not in seen:
            seen.add(key)
            out.append((label, doc))

    for f in fixed:
        if len(f) == 2:
            add(f[0], copy.deepcopy(f[1][1]) if isinstance(f[1], tuple) else copy.deepcopy(f[1]))
        else:
            add(f[0] + " on " + f[2][0], patched(root_sch, f[2][1], f[1]))
    def mutate(bname, base, toks, label, value):
        if isinstance(value, tuple) and value and value[0] == "merge":
            cur = get_at(base, toks)
            value = dict(cur, **value[1]) if isinstance(cur, dict) else value[1]
        add("%s: %s %s" % (bname, dotted(toks), label), patched(root_sch, base, [(toks, value)]))

    half = len(out) + (count - len(out)) // 2
    for bname, base, toks, sch, (label, value) in on:
        if len(out) >= half:
            break
        mutate(bname, base, toks, label, value)
    tries = 0
    while len(out) < count and tries < 50 * count:
        tries += 1
        bname, base = bases[rnd.randrange(len(bases))]
        toks, sch = paths[rnd.randrange(len(paths))]
        muts = field_mutations(toks, sch, get_at(base, toks) is not DELETE)
        label, value = muts[rnd.randrange(len(muts))]
        mutate(bname, base, toks, label, value)
    return out


# ---- the two judges ----

class Server:
    def __init__(self, env, namespace):
        self.url = urllib.parse.urlparse(env["CLUSTER_URL"])
        self.ctx = ssl.create_default_context(cafile=env["CLUSTER_CA"])
        self.token = env["CLUSTER_ADMIN_TOKEN"]
        self.path = "/apis/feast.dev/v1/namespaces/%s/featurestores?dryRun=All&fieldValidation=Strict" % namespace
        self.local = threading.local()

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = self.local.c = http.client.HTTPSConnection(self.url.hostname, self.url.port, context=self.ctx, timeout=60)
        return c

    def create(self, body):
        """(accepted, [(field, message or None)])."""
        for attempt in range(3):
            try:
                c = self.conn()
                c.request("POST", self.path, body, {"Authorization": "Bearer " + self.token,
                                                    "Content-Type": "application/json",
                                                    "User-Agent": "feast-validate-diff"})
                r = c.getresponse()
                data = r.read()
                break
            except (OSError, http.client.HTTPException):
                self.local.c = None
                if attempt == 2:
                    raise
        if r.status in (200, 201):
            return True, []
        st = json.loads(data)
        if r.status == 429 or r.status >= 500:
            raise RuntimeError("server error %d: %s" % (r.status, st.get("message")))
        causes = [(c.get("field"), c.get("message")) for c in (st.get("details") or {}).get("causes", [])
                  if c.get("field") != "<nil>"]
        if not causes:
            # strict decoding: unknown or duplicate fields come as one message, no causes
            found = re.findall(r'(?:unknown|duplicate) field "([^"]+)"', st.get("message", ""))
            causes = [(f, None) for f in found] or [(None, st.get("message"))]
        return False, causes


def validate_one(feast, f):
    r = subprocess.run([feast, "validate", "-o", "json", "-f", f],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode not in (0, 1):
        raise SystemExit("validate -f %s exited %d: %s" % (f, r.returncode, r.stderr.decode()[:2000]))
    return [d for d in json.loads(r.stdout) if d["severity"] == "error"]


def validate_all(feast, sdir, files):
    """One validate process per spec: each spec is judged alone, as the server judges it
    (one run would also check the specs against each other: one name twice, and what
    only rendering finds runs only when the whole run had no other error)."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        found = pool.map(lambda f: validate_one(feast, f), files)
        return dict(zip(files, found))


def names(findings, field, decoder):
    """The findings about `field`. A field the decoder names (an unknown key inside a value
    of the wrong type) is also named by a type error at one of its parents."""
    out = [f for f in findings if f["field"] == field]
    if not out and decoder:
        out = [f for f in findings if field.startswith(f["field"] + ".") and "in body must be of type" in f["message"]]
    return out


def judge(accepted, causes, findings):
    """None when they agree, else why not."""
    if accepted and not findings:
        return None
    if accepted:
        if all(f.get("source") == "operator" for f in findings):
            return None
        return "server accepts; validate refuses"
    if not findings:
        return "server refuses; validate accepts"
    for field, msg in causes:
        if field is None:
            continue
        if field.startswith("."):
            # a CEL rule reading a field it cannot take (wrong type, beyond int32): the
            # server names the field as CEL sees it; validate's schema finding is the same
            field = field[1:]
            if " accessor error: " in (msg or ""):
                msg = None
        named = names(findings, field, msg is None)
        if not named:
            return "validate does not name the server's field %s" % field
        if msg is not None and not any(f["message"] == msg or f["message"].startswith(msg + " (") for f in named):
            return "message at %s differs" % field
    return None


def cel_coverage(root_sch, results):
    """The CEL rules under spec (by path and message) not seen both failing and holding."""
    rules = []
    for toks, sch in all_paths(root_sch["properties"]["spec"]):
        for r in sch.get("x-kubernetes-validations", []):
            rules.append((toks, r))
    missing = []
    for toks, r in rules:
        field = dotted(toks)
        failed = any(not acc and any(f == field and m and m.endswith(r["message"]) for f, m in causes)
                     for _, doc, acc, causes, _ in results)
        held = any(acc and get_at(doc, toks) is not DELETE for _, doc, acc, causes, _ in results)
        if "oldSelf" in r["rule"]:
            failed = True  # a transition rule: a create never breaks it
        if not (failed and held):
            missing.append("%s %s: %s%s" % (field, r["rule"][:60], "" if failed else "never failed ",
                                             "" if held else "never held"))
    return len(rules), missing


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--feast", required=True)
    p.add_argument("--crd", required=True)
    p.add_argument("--env", required=True)
    p.add_argument("--namespace", default="diff")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--count", type=int, default=2400)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("inputs", nargs="+")
    a = p.parse_args()
    env = {}
    for line in open(a.env, encoding="utf-8"):
        k, _, v = line.strip().partition("=")
        env[k] = v.strip("'")
    root_sch = load_schema(a.crd)
    bases = []
    for f in a.inputs:
        for i, d in enumerate(yaml.safe_load_all(open(f, encoding="utf-8"))):
            if isinstance(d, dict) and d.get("kind") == "FeatureStore" and d.get("apiVersion") == "feast.dev/v1":
                d.setdefault("metadata", {})["namespace"] = a.namespace
                d.pop("status", None)
                bases.append(("%s#%d" % (os.path.basename(f), i), d))
    if not bases:
        raise SystemExit("no feast.dev/v1 FeatureStore in the inputs")
    specs = generate(bases, root_sch, a.seed, a.count)
    sdir = os.path.join(a.out, "specs")
    os.makedirs(sdir, exist_ok=True)
    files = []
    for i, (label, doc) in enumerate(specs):
        f = os.path.join(sdir, "%05d.json" % i)
        with open(f, "w", encoding="utf-8") as o:
            json.dump(doc, o, indent=1, sort_keys=True)
        files.append(f)
    findings = validate_all(a.feast, sdir, files)

    server = Server(env, a.namespace)
    answers = [None] * len(specs)
    errors = []

    def work(k):
        try:
            for i in range(k, len(specs), a.workers):
                answers[i] = server.create(json.dumps(specs[i][1]))
        except Exception as e:  # reported below; the other workers go on
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("the API server failed: %s" % errors[0])

    results, bad = [], []
    for (label, doc), f, (acc, causes) in zip(specs, files, answers):
        why = judge(acc, causes, findings.get(f, []))
        results.append((label, doc, acc, causes, why))
        if why:
            bad.append("%s: %s [%s]\n  server: %s\n  validate: %s\n" % (
                f, why, label, "accepted" if acc else json.dumps(causes),
                json.dumps([(d["field"], d["message"], d.get("source")) for d in findings.get(f, [])])))
    n = len(specs)
    refused = sum(1 for r in results if not r[2])
    print("specs: %d (%d inputs; the server refused %d)" % (n, len(bases), refused))
    print("agreement: %d of %d" % (n - len(bad), n))
    with open(os.path.join(a.out, "disagreements.txt"), "w", encoding="utf-8") as o:
        o.write("".join(bad))
    total, missing = cel_coverage(root_sch, results)
    print("CEL rules seen failing and holding: %d of %d" % (total - len(missing), total))
    for m in missing:
        print("  not covered: " + m)
    for b in bad[:15]:
        sys.stdout.write(b)
    sys.exit(1 if bad or missing else 0)


if __name__ == "__main__":
    main()
