#!/usr/bin/env python3
"""gen_listtypes.py -- extract merge facts from the Kubernetes 1.32 JSON schemas.

Writes listtypes.json: for each kind the server serves, the paths whose merge
behaviour is not the default, read from the schemas' OpenAPI extensions:
  x-kubernetes-list-type map|set (+ list-map-keys)   -> server-side apply lists
  x-kubernetes-map-type atomic                        -> server-side apply maps
  x-kubernetes-patch-strategy/-merge-key               -> strategic merge patch
Path syntax: field names joined by ".", "[]" for a list item, "{}" for a map value.

With --fields it writes fields.json instead: the tree of declared field names of each
kind (for unknown-field detection, `fieldValidation`). A node is {name: node}, {"*": node}
for a map's values, 1 for a leaf or free-form value, or "#N" for a subtree shared
between kinds (PodSpec...), kept once under "shared". Lists are transparent.
Run by hand when the schemas change:
    gen_listtypes.py SHARED_DIR > listtypes.json
    gen_listtypes.py --fields SHARED_DIR > fields.json
"""
import json
import os
import sys

import yaml

BUILTIN = {
    "v1/Pod": "pod-v1.json", "v1/ConfigMap": "configmap-v1.json", "v1/Secret": "secret-v1.json",
    "v1/Service": "service-v1.json", "v1/ServiceAccount": "serviceaccount-v1.json",
    "v1/PersistentVolumeClaim": "persistentvolumeclaim-v1.json", "v1/Namespace": "namespace-v1.json",
    "apps/v1/Deployment": "deployment-apps-v1.json",
    "autoscaling/v2/HorizontalPodAutoscaler": "horizontalpodautoscaler-autoscaling-v2.json",
    "policy/v1/PodDisruptionBudget": "poddisruptionbudget-policy-v1.json",
    "rbac.authorization.k8s.io/v1/Role": "role-rbac-v1.json",
    "rbac.authorization.k8s.io/v1/RoleBinding": "rolebinding-rbac-v1.json",
    "rbac.authorization.k8s.io/v1/ClusterRole": "clusterrole-rbac-v1.json",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "clusterrolebinding-rbac-v1.json",
    "batch/v1/CronJob": "cronjob-batch-v1.json",
    "coordination.k8s.io/v1/Lease": "lease-coordination-v1.json",
}
CRDS = {
    "feast.dev/v1/FeatureStore": ("reference/feast-operator/crd/feast.dev_featurestores.yaml", "v1"),
    "keda.sh/v1alpha1/ScaledObject": ("schemas/crds/keda.sh_scaledobjects.yaml", "v1alpha1"),
}


def walk(node, path, out):
    if not isinstance(node, dict):
        return
    facts = []
    lt = node.get("x-kubernetes-list-type")
    if lt == "map":
        facts.append("list=map:" + ",".join(node.get("x-kubernetes-list-map-keys", [])))
    elif lt == "set":
        facts.append("list=set")
    if node.get("x-kubernetes-map-type") == "atomic":
        facts.append("map=atomic")
    strat = node.get("x-kubernetes-patch-strategy")
    if strat:
        facts.append("smp=%s:%s" % (strat, node.get("x-kubernetes-patch-merge-key", "")))
    if facts and path:
        out[".".join(path)] = " ".join(facts)
    for name, sub in (node.get("properties") or {}).items():
        walk(sub, path + [name], out)
    if isinstance(node.get("items"), dict):
        walk(node["items"], path + ["[]"], out)
    if isinstance(node.get("additionalProperties"), dict):
        walk(node["additionalProperties"], path + ["{}"], out)


def field_tree(node, shared):
    if not isinstance(node, dict) or node.get("x-kubernetes-preserve-unknown-fields") or \
            node.get("x-kubernetes-int-or-string"):
        return 1
    if node.get("type") == "array" or "items" in node:
        return field_tree(node.get("items"), shared)
    props = node.get("properties")
    if props:
        tree = {k: field_tree(v, shared) for k, v in sorted(props.items())}
        text = json.dumps(tree, sort_keys=True, separators=(",", ":"))
        if len(text) > 200:
            return "#%d" % shared.setdefault(text, len(shared))
        return tree
    if isinstance(node.get("additionalProperties"), dict):
        return {"*": field_tree(node["additionalProperties"], shared)}
    return 1


def schemas(shared_dir):
    """(kind key, OpenAPI schema) of every kind served."""
    for key, fname in BUILTIN.items():
        with open(os.path.join(shared_dir, "schemas", fname)) as f:
            yield key, json.load(f)
    for key, (fname, version) in CRDS.items():
        with open(os.path.join(shared_dir, fname)) as f:
            crd = yaml.safe_load(f)
        for v in crd["spec"]["versions"]:
            if v["name"] == version:
                yield key, v["schema"]["openAPIV3Schema"]


def fields_main(shared_dir):
    shared = {}
    kinds = {key: field_tree(schema, shared) for key, schema in schemas(shared_dir)}
    out = {"kinds": kinds, "shared": {"#%d" % n: json.loads(t) for t, n in shared.items()}}
    json.dump(out, sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


def main():
    if sys.argv[1] == "--fields":
        return fields_main(sys.argv[2])
    shared = sys.argv[1]
    result = {}
    for key, fname in BUILTIN.items():
        with open(os.path.join(shared, "schemas", fname)) as f:
            out = {}
            walk(json.load(f), [], out)
            result[key] = out
    for key, (fname, version) in CRDS.items():
        with open(os.path.join(shared, fname)) as f:
            crd = yaml.safe_load(f)
        for v in crd["spec"]["versions"]:
            if v["name"] == version:
                out = {}
                walk(v["schema"]["openAPIV3Schema"], [], out)
                result[key] = out
    json.dump(result, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
