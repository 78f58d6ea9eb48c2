#!/usr/bin/env python3
"""gen_listtypes.py -- extract merge facts from the Kubernetes 1.32 JSON schemas.

Writes listtypes.json: for each kind the server serves, the paths whose merge
behaviour is not the default, read from the schemas' OpenAPI extensions:
  x-kubernetes-list-type map|set (+ list-map-keys)   -> server-side apply lists
  x-kubernetes-map-type atomic                        -> server-side apply maps
  x-kubernetes-patch-strategy/-merge-key               -> strategic merge patch
Path syntax: field names joined by ".", "[]" for a list item, "{}" for a map value.
Run by hand when the schemas change: gen_listtypes.py SHARED_DIR > listtypes.json
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


def main():
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
