#!/usr/bin/env python3
"""render_dryrun.py -- every render of every input, dry-run applied on a real API server.

Usage: render_dryrun.py --feast BIN --out DIR [--jobs N] [--allow-refusal REGEX] INPUT[:ARGS]...

Renders each INPUT (its render arguments after a colon, space-separated) with --target
standalone and every --sidecar auto|always|none, and with --target operator (which takes
no pod options), splits the output into its
objects, keeps one copy of each distinct object (many renders share them), creates the
namespaces they name, and sends them all to `kubectl apply --server-side --dry-run=server`
(KUBECONFIG from the environment), in N kubectl processes. Prints the counts; on a refusal
prints kubectl's error with the renders that produced the object, and exits 1.
"""
import argparse
import collections
import hashlib
import json
import os
import re
import subprocess
import sys

import yaml

SIDECARS = ["auto", "always", "none"]
# The options that shape the standalone pod: render refuses them with --target operator
# (the operator builds the pod), so that target is rendered once, without them.
POD_OPTIONS = {"--sidecar", "--sidecar-image", "--readiness", "--prestop-seconds", "--kube-version", "--image",
               "--configs-registry", "--materialize-shards"}
# Standalone-only switches without a value, dropped the same way.
POD_SWITCHES = {"--openshift", "--prometheus-operator"}


def combos(extra):
    """The argument lists to render one input with."""
    for sidecar in SIDECARS:
        yield extra + ["--sidecar", sidecar, "--target", "standalone"]
    kept, skip = [], False
    for w in extra:
        if skip:
            skip = False
        elif w in POD_OPTIONS:
            skip = True
        elif w in POD_SWITCHES:
            pass
        else:
            kept.append(w)
    yield kept + ["--target", "operator"]


def render(feast, path, args, allow):
    """The rendered objects; None when render refused as --allow-refusal expects."""
    cmd = [feast, "render", "-f", path] + args
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode == 1 and allow and re.search(allow, r.stderr.decode()):
        return None
    if r.returncode != 0:
        raise SystemExit("%s: exit %d\n%s" % (" ".join(cmd), r.returncode, r.stderr.decode()))
    text = r.stdout.decode()
    if text.lstrip().startswith("{"):
        return json.loads(text)["items"]
    return [d for d in yaml.safe_load_all(text) if d]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--feast", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--allow-refusal", help="a regex: renders refused with such an error are counted, not failed")
    p.add_argument("inputs", nargs="+")
    a = p.parse_args()
    objects = {}  # digest -> object
    origins = collections.defaultdict(list)  # digest -> ["input args", ...]
    renders, refused = 0, []
    for spec in a.inputs:
        path, _, extra = spec.partition(":")
        for args in combos(extra.split()):
            renders += 1
            objs = render(a.feast, path, args, a.allow_refusal)
            if objs is None:
                refused.append("%s %s" % (os.path.basename(path), " ".join(args)))
                continue
            for obj in objs:
                key = hashlib.sha1(json.dumps(obj, sort_keys=True).encode()).hexdigest()
                objects[key] = obj
                origins[key].append("%s %s" % (os.path.basename(path), " ".join(args)))
    namespaces = sorted({o["metadata"]["namespace"] for o in objects.values() if o["metadata"].get("namespace")})
    for ns in namespaces:
        subprocess.run(["kubectl", "create", "namespace", ns], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    kinds = collections.Counter(o["kind"] for o in objects.values())
    # One file per object, in as many folders as kubectl processes.
    keys = sorted(objects)
    dirs = [os.path.join(a.out, "objects%d" % j) for j in range(a.jobs)]
    for d in dirs:
        os.makedirs(d, exist_ok=True)
    for i, k in enumerate(keys):
        with open(os.path.join(dirs[i % a.jobs], k + ".json"), "w", encoding="utf-8") as f:
            json.dump(objects[k], f)
    procs = [subprocess.Popen(["kubectl", "apply", "--server-side", "--dry-run=server", "-f", d],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for d in dirs]
    applied, errors = 0, []
    for pr in procs:
        out, err = pr.communicate()
        applied += len([l for l in out.decode().splitlines() if "(server dry run)" in l])
        errors += [l for l in err.decode().splitlines() if l.strip() and not l.startswith("Warning: ")]
    print("renders: %d (%d inputs x (--target standalone --sidecar %s, --target operator))" % (
        renders, len(a.inputs), "|".join(SIDECARS)))
    for r in refused:
        print("refused by render, as expected: " + r)
    print("distinct objects: %d (%s); namespaces: %s" % (
        len(objects), ", ".join("%s %d" % kv for kv in sorted(kinds.items())), " ".join(namespaces)))
    print("accepted by the server (dry run): %d of %d" % (applied, len(objects)))
    for e in errors[:20]:
        print(e)
        m = re.search(r"([0-9a-f]{40})\.json", e)
        if m:
            for o in origins[m.group(1)][:3]:
                print("  from: render " + o)
    sys.exit(0 if applied == len(objects) and not errors else 1)


if __name__ == "__main__":
    main()
