#!/usr/bin/env python3
"""compare_real.py -- one sequence of writes to the test API server and to a real
kube-apiserver, and the parts of the answers that must agree.

Usage: compare_real.py TEST_URL TEST_CA TEST_TOKEN REAL_URL REAL_CA REAL_TOKEN [--json OUT]

The sequence, on a Deployment in namespace "cmp" of each server: server-side apply by
manager feast-a; a reapply with an init container put first (a store switched to
autoscaling gets the feast-sidecar) and one added in the middle, removed, reordered
(with env and volumes alike); a second manager's conflicting apply (409), its
non-conflicting one, a reapply by the first, the second's forced apply; then the
scale subresource (merge patch, and a PUT with a stale resourceVersion); last, a reapply
asking for its answer as PartialObjectMetadata, as kubectl-feast does for what it creates.

Compared after each step: the status code; for failures the Status reason, message and
causes; the order of containers, initContainers, env and volumes; spec.replicas; the
managedFields entries of the test's own managers (manager, operation, subresource,
fieldsV1). The controllers' own entries and everything defaulted are left out: the test
server has no controllers and defaults little. Prints each difference; exits 1 if any.
"""
import json
import sys

from testclient import Client

NS = "cmp"
DEP = "/apis/apps/v1/namespaces/%s/deployments" % NS
APPLY = "application/apply-patch+yaml"
MANAGERS = ("feast-a", "feast-b", "feast-scale")


def container(name, **extra):
    c = {"name": name, "image": "busybox:1"}
    c.update(extra)
    return c


def deployment(inits, env=("A", "B"), volumes=("v1", "v2"), replicas=2):
    """The applied configuration of feast-a."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "d", "namespace": NS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {
                    "initContainers": [
                        container(n, restartPolicy="Always") if n == "feast-sidecar"
                        else container(n) for n in inits],
                    "containers": [container("online", env=[
                        {"name": e, "value": e.lower()} for e in env])],
                    "volumes": [{"name": v, "emptyDir": {}} for v in volumes],
                },
            },
        },
    }


def other(env=("C",), replicas=None):
    """feast-b's configuration: an env item of its own, and maybe the replicas."""
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "d", "namespace": NS},
         "spec": {"selector": {"matchLabels": {"app": "d"}},
                  "template": {"metadata": {"labels": {"app": "d"}},
                               "spec": {"containers": [container("online", env=[
                                   {"name": e, "value": e.lower()} for e in env])]}}}}
    if replicas is not None:
        d["spec"]["replicas"] = replicas
    return d


def apply(manager, body, force=False, accept=None):
    q = "?fieldManager=%s%s" % (manager, "&force=true" if force else "")
    return ("PATCH", DEP + "/d" + q, json.dumps(body), APPLY, {"Accept": accept} if accept else None)


METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json"


# (step name, request); a request of None reads the scale's resourceVersion first.
STEPS = [
    ("apply", apply("feast-a", deployment(["feast-apply"]))),
    ("reapply, sidecar put first", apply("feast-a", deployment(["feast-sidecar", "feast-apply"]))),
    ("reapply, items added in the middle", apply("feast-a", deployment(
        ["feast-sidecar", "mid", "feast-apply"], env=("A", "M", "B"), volumes=("v1", "vm", "v2")))),
    ("reapply, those removed", apply("feast-a", deployment(["feast-sidecar", "feast-apply"]))),
    ("reapply, reordered", apply("feast-a", deployment(
        ["feast-apply", "feast-sidecar"], env=("B", "A"), volumes=("v2", "v1")))),
    ("another manager, conflicting", apply("feast-b", other(replicas=3))),
    ("another manager, no conflict", apply("feast-b", other())),
    ("first manager reorders around it", apply("feast-a", deployment(
        ["feast-apply", "feast-sidecar"], env=("A", "B"), volumes=("v2", "v1")))),
    ("another manager, forced", apply("feast-b", other(replicas=3), force=True)),
    ("scale, merge patch", ("PATCH", DEP + "/d/scale?fieldManager=feast-scale",
                            json.dumps({"spec": {"replicas": 4}}),
                            "application/merge-patch+json", None)),
    ("scale, stale resourceVersion", None),
    ("reapply, metadata only", apply("feast-a", deployment(["feast-apply", "feast-sidecar"]), force=True,
                                     accept=METADATA_ONLY)),
]


def view(c):
    code, d = c.req("GET", DEP + "/d")
    if code != 200:
        return {"get": code}
    pod = d["spec"]["template"]["spec"]
    online = next((x for x in pod.get("containers", []) if x["name"] == "online"), {})
    managed = sorted(
        (m["manager"], m["operation"], m.get("subresource", ""), json.dumps(m.get("fieldsV1"), sort_keys=True))
        for m in d["metadata"].get("managedFields", []) if m["manager"] in MANAGERS)
    return {
        "initContainers": [x["name"] for x in pod.get("initContainers", [])],
        "containers": [x["name"] for x in pod.get("containers", [])],
        "env": [e["name"] for e in online.get("env", [])],
        "volumes": [v["name"] for v in pod.get("volumes", [])],
        "replicas": d["spec"].get("replicas"),
        "managedFields": [list(m) for m in managed],
    }


def answer(code, body, shape=False):
    """What must agree in a response: the code, for a failure the Status, and with `shape`
    the kind and top-level fields of the answer."""
    out = {"code": code}
    if shape and isinstance(body, dict):
        meta = body.get("metadata", {})  # less what controllers add (annotations)
        out["shape"] = [body.get("kind"), body.get("apiVersion"), sorted(body),
                        sorted(k for k in ("resourceVersion", "generation", "managedFields") if k in meta)]
    if code >= 300 and isinstance(body, dict):
        out["reason"] = body.get("reason")
        out["message"] = body.get("message")
        out["causes"] = sorted(json.dumps(x, sort_keys=True)
                               for x in (body.get("details") or {}).get("causes", []))
    return out


def run(c):
    c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                          "metadata": {"name": NS}})
    c.req("DELETE", DEP + "/d")
    results = []
    for name, request in STEPS:
        if request is None:
            code, scale = c.req("GET", DEP + "/d/scale")
            scale["metadata"]["resourceVersion"] = str(int(scale["metadata"]["resourceVersion"]) - 1)
            scale["spec"]["replicas"] = 5
            code, body = c.req("PUT", DEP + "/d/scale?fieldManager=feast-scale", scale)
        else:
            method, path, body, ctype, headers = request
            code, body = c.req(method, path, body, ctype=ctype, headers=headers)
        shape = bool(request and request[4])
        results.append({"step": name, "answer": answer(code, body, shape), "object": view(c)})
    return results


def main():
    a = sys.argv[1:]
    out = None
    if "--json" in a:
        i = a.index("--json")
        out = a[i + 1]
        del a[i:i + 2]
    test = run(Client(a[0], a[1], a[2]))
    real = run(Client(a[3], a[4], a[5]))
    if out:
        with open(out, "w") as f:
            json.dump({"test": test, "real": real}, f, indent=1)
    bad = 0
    for t, r in zip(test, real):
        for part in ("answer", "object"):
            for k in sorted(set(t[part]) | set(r[part])):
                if t[part].get(k) != r[part].get(k):
                    bad += 1
                    print("%s: %s: test server %s, real %s" % (
                        t["step"], k, json.dumps(t[part].get(k)), json.dumps(r[part].get(k))))
    print("%d steps, %d differences" % (len(test), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
