"""resources.py -- the kinds the test API server serves, its discovery documents and
the server-side `Table` rendering that `kubectl get` asks for.

One `Resource` per REST resource. Its flags say how kube-apiserver's registry
strategy for that kind behaves (generation, create-on-update, whether an update
must carry a resourceVersion, which subresources exist). Discovery is served both
as the legacy documents (APIVersions, APIGroupList, APIResourceList) and as
aggregated discovery (apidiscovery.k8s.io/v2), chosen by the Accept header, as
kube-apiserver 1.32 does.
"""
import datetime
import hashlib
import json

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_VERBS = ["get", "patch", "update"]


class Resource:
    """One REST resource: where it lives and how its strategy behaves."""

    def __init__(self, group, version, kind, plural, namespaced=True, short=(),
                 categories=(), subresources=(), generation=False, create_on_update=False,
                 unconditional_update=True, verbs=VERBS, custom=False, columns=None):
        self.group, self.version, self.kind, self.plural = group, version, kind, plural
        self.singular = kind.lower()
        self.namespaced = namespaced
        self.short = list(short)
        self.categories = list(categories)
        self.subresources = set(subresources)
        self.generation = generation
        self.create_on_update = create_on_update
        self.unconditional_update = unconditional_update
        self.verbs = list(verbs)
        self.custom = custom          # a CRD-backed kind (no strategic merge patch)
        self.columns = columns        # CRD additionalPrinterColumns, or None for built-ins

    @property
    def api_version(self):
        return self.group + "/" + self.version if self.group else self.version

    @property
    def qualified(self):
        """`leases.coordination.k8s.io`, or `configmaps` for the core group (error messages)."""
        return self.plural + "." + self.group if self.group else self.plural

    @property
    def qualified_kind(self):
        """`Lease.coordination.k8s.io`, or `ConfigMap` (422 Invalid messages)."""
        return self.kind + "." + self.group if self.group else self.kind

    @property
    def key(self):
        """The key of listtypes.json: `apps/v1/Deployment`."""
        return self.api_version + "/" + self.kind


def _fs_columns():
    return [("Status", "string", ".status.phase"), ("Age", "date", ".metadata.creationTimestamp")]


def _so_columns():
    cond = '.status.conditions[?(@.type=="%s")].status'
    return [("ScaleTargetKind", "string", ".status.scaleTargetKind"),
            ("ScaleTargetName", "string", ".spec.scaleTargetRef.name"),
            ("Min", "integer", ".spec.minReplicaCount"),
            ("Max", "integer", ".spec.maxReplicaCount"),
            ("Ready", "string", cond % "Ready"), ("Active", "string", cond % "Active"),
            ("Fallback", "string", cond % "Fallback"), ("Paused", "string", cond % "Paused"),
            ("Triggers", "string", ".status.triggersTypes"),
            ("Authentications", "string", ".status.authenticationsTypes"),
            ("Age", "date", ".metadata.creationTimestamp")]


RESOURCES = [
    Resource("", "v1", "ConfigMap", "configmaps", short=["cm"]),
    Resource("", "v1", "Secret", "secrets"),
    Resource("", "v1", "Service", "services", short=["svc"], categories=["all"],
             subresources=["status"]),
    Resource("", "v1", "ServiceAccount", "serviceaccounts", short=["sa"]),
    Resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=["pvc"],
             subresources=["status"]),
    Resource("", "v1", "Pod", "pods", short=["po"], categories=["all"], subresources=["status"]),
    Resource("", "v1", "Namespace", "namespaces", namespaced=False, short=["ns"],
             subresources=["status"],
             verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
    Resource("apps", "v1", "Deployment", "deployments", short=["deploy"], categories=["all"],
             subresources=["status", "scale"], generation=True),
    Resource("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
             short=["hpa"], categories=["all"], subresources=["status"], generation=True),
    Resource("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=["pdb"],
             subresources=["status"], generation=True),
    Resource("rbac.authorization.k8s.io", "v1", "Role", "roles", create_on_update=True),
    Resource("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings",
             create_on_update=True),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced=False,
             create_on_update=True),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
             namespaced=False, create_on_update=True),
    Resource("batch", "v1", "CronJob", "cronjobs", short=["cj"], categories=["all"],
             subresources=["status"], generation=True),
    Resource("coordination.k8s.io", "v1", "Lease", "leases", create_on_update=True,
             unconditional_update=False),
    Resource("feast.dev", "v1", "FeatureStore", "featurestores", short=["feast"],
             subresources=["status", "scale"], generation=True, unconditional_update=False,
             custom=True, columns=_fs_columns()),
    Resource("keda.sh", "v1alpha1", "ScaledObject", "scaledobjects", short=["so"],
             subresources=["status"], generation=True, unconditional_update=False, custom=True,
             columns=_so_columns()),
]

# Group order as kube-apiserver lists them (core first, then built-ins, then CRDs).
GROUP_ORDER = ["", "apps", "autoscaling", "batch", "policy", "rbac.authorization.k8s.io",
               "coordination.k8s.io", "feast.dev", "keda.sh"]

BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KIND = {(r.group, r.kind): r for r in RESOURCES}
NAMESPACES = BY_PATH[("", "v1", "namespaces")]

# Scale subresources: where the replicas and selector live (the CRD's scale paths for
# FeatureStore; for Deployments .status.selector is derived from spec.selector).
SCALE_PATHS = {
    "deployments": ("spec.replicas", "status.replicas", None),
    "featurestores": ("spec.replicas", "status.replicas", "status.selector"),
}


def _hash(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def storage_hash(r):
    """A stable storageVersionHash (opaque to clients; only compared for equality)."""
    import base64
    digest = hashlib.sha256(("%s/%s/%s" % (r.group, r.version, r.kind)).encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def group_versions():
    """[(group, version)] in discovery order."""
    out = []
    for g in GROUP_ORDER:
        for r in RESOURCES:
            if r.group == g and (g, r.version) not in out:
                out.append((g, r.version))
    return out


def legacy_api_versions(server_address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                            "serverAddress": server_address}]}


def legacy_group_list():
    groups = []
    for g, v in group_versions():
        if not g:
            continue
        gv = {"groupVersion": g + "/" + v, "version": v}
        groups.append({"name": g, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def legacy_group(group):
    for g, v in group_versions():
        if g == group and g:
            gv = {"groupVersion": g + "/" + v, "version": v}
            return {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [gv],
                    "preferredVersion": gv}
    return None


def legacy_resource_list(group, version):
    rs = [r for r in RESOURCES if r.group == group and r.version == version]
    if not rs:
        return None
    items = []
    for r in rs:
        item = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                "kind": r.kind, "verbs": r.verbs}
        if r.short:
            item["shortNames"] = r.short
        if r.categories:
            item["categories"] = r.categories
        item["storageVersionHash"] = storage_hash(r)
        items.append(item)
        for sub in sorted(r.subresources):
            s = {"name": r.plural + "/" + sub, "singularName": "", "namespaced": r.namespaced,
                 "kind": r.kind, "verbs": SUB_VERBS}
            if sub == "scale":
                s.update({"group": "autoscaling", "version": "v1", "kind": "Scale"})
            items.append(s)
    items.sort(key=lambda i: i["name"])
    gv = group + "/" + version if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": items}


def _aggregated_resource(r):
    item = {"resource": r.plural,
            "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
            "scope": "Namespaced" if r.namespaced else "Cluster",
            "singularResource": r.singular, "verbs": r.verbs}
    if r.short:
        item["shortNames"] = r.short
    if r.categories:
        item["categories"] = r.categories
    subs = []
    for sub in sorted(r.subresources):
        kind = {"group": "autoscaling", "version": "v1", "kind": "Scale"} if sub == "scale" \
            else {"group": r.group, "version": r.version, "kind": r.kind}
        subs.append({"subresource": sub, "responseKind": kind, "verbs": SUB_VERBS})
    if subs:
        item["subresources"] = subs
    return item


def aggregated(core):
    """APIGroupDiscoveryList for /api (core=True) or /apis."""
    items = []
    for g, v in group_versions():
        if (g == "") != core:
            continue
        rs = sorted((r for r in RESOURCES if r.group == g and r.version == v),
                    key=lambda r: r.plural)
        meta = {"name": g} if g else {}
        items.append({"metadata": meta, "versions": [
            {"version": v, "resources": [_aggregated_resource(r) for r in rs],
             "freshness": "Current"}]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


# ---- Table (what `kubectl get` prints) -------------------------------------------------

def parse_time(ts):
    return datetime.datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)


def human_duration(seconds):
    """apimachinery's duration.HumanDuration, as kubectl's AGE column shows it."""
    if seconds < -1:
        return "<invalid>"
    seconds = max(int(seconds), 0)
    if seconds < 120:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return "%dm%ds" % (minutes, s) if s else "%dm" % minutes
    if minutes < 180:
        return "%dm" % minutes
    hours = minutes // 60
    if hours < 8:
        m = minutes % 60
        return "%dh%dm" % (hours, m) if m else "%dh" % hours
    if hours < 48:
        return "%dh" % hours
    if hours < 24 * 8:
        h = hours % 24
        return "%dd%dh" % (hours // 24, h) if h else "%dd" % (hours // 24)
    if hours < 24 * 365 * 2:
        return "%dd" % (hours // 24)
    years = hours // (24 * 365)
    if years < 8:
        return "%dy%dd" % (years, (hours // 24) % 365)
    return "%dy" % years


def age(obj):
    ts = obj.get("metadata", {}).get("creationTimestamp")
    if not ts:
        return "<unknown>"
    now = datetime.datetime.now(datetime.timezone.utc)
    return human_duration((now - parse_time(ts)).total_seconds())


def _get(obj, dotted, default=None):
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def _jsonpath(obj, path):
    """The small JSONPath subset CRD printer columns use: .a.b and [?(@.k=="v")].f."""
    import re
    cur = [obj]
    for tok in re.findall(r'\.([A-Za-z0-9_-]+)|\[\?\(@\.(\w+)=="([^"]*)"\)\]', path):
        field, fkey, fval = tok
        nxt = []
        for c in cur:
            if field and isinstance(c, dict) and field in c:
                nxt.append(c[field])
            elif fkey and isinstance(c, list):
                nxt.extend(i for i in c if isinstance(i, dict) and i.get(fkey) == fval)
        cur = nxt
    if not cur:
        return None
    v = cur[0]
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return v


def _ports(ports):
    out = []
    for p in ports or []:
        s = "%s/%s" % (p.get("port"), p.get("protocol", "TCP"))
        if p.get("nodePort"):
            s = "%s:%s/%s" % (p.get("port"), p["nodePort"], p.get("protocol", "TCP"))
        out.append(s)
    return ",".join(out) or "<none>"


def _selector_string(sel):
    if not sel:
        return "<none>"
    parts = ["%s=%s" % kv for kv in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        if op == "In":
            parts.append("%s in (%s)" % (e["key"], ",".join(e.get("values", []))))
        elif op == "NotIn":
            parts.append("%s notin (%s)" % (e["key"], ",".join(e.get("values", []))))
        elif op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append("!" + e["key"])
    return ",".join(parts) or "<none>"


def _pod_row(o):
    st = o.get("status", {})
    specs = o.get("spec", {}).get("containers") or []
    cs = st.get("containerStatuses") or []
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(int(c.get("restartCount", 0)) for c in cs)
    reason = st.get("reason") or st.get("phase") or "Pending"
    if o.get("metadata", {}).get("deletionTimestamp"):
        reason = "Terminating"
    gates = o.get("spec", {}).get("readinessGates") or []
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    gate = "<none>"
    if gates:
        gate = "%d/%d" % (sum(1 for g in gates if conds.get(g.get("conditionType")) == "True"),
                          len(gates))
    return ["%d/%d" % (ready, len(specs)), reason, restarts, age(o), st.get("podIP", "<none>"),
            o.get("spec", {}).get("nodeName", "<none>"), "<none>", gate]


def _deploy_row(o):
    st, spec = o.get("status", {}), o.get("spec", {})
    cs = spec.get("template", {}).get("spec", {}).get("containers") or []
    return ["%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 1)),
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), age(o),
            ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs),
            _selector_string(spec.get("selector"))]


def _hpa_row(o):
    spec, st = o.get("spec", {}), o.get("status", {})
    ref = spec.get("scaleTargetRef", {})
    return ["%s/%s" % (ref.get("kind", ""), ref.get("name", "")),
            "<unknown>" if spec.get("metrics") else "<none>",
            spec.get("minReplicas", 1), spec.get("maxReplicas", 0),
            st.get("currentReplicas", 0), age(o)]


def _pdb_row(o):
    spec = o.get("spec", {})
    return [str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
            str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
            o.get("status", {}).get("disruptionsAllowed", 0), age(o)]


def _binding_row(o):
    ref = o.get("roleRef", {})
    subs = o.get("subjects") or []

    def names(kind):
        return ",".join((s.get("namespace") + "/" if kind == "ServiceAccount" and
                         s.get("namespace") else "") + s.get("name", "")
                        for s in subs if s.get("kind") == kind)
    return ["%s/%s" % (ref.get("kind", ""), ref.get("name", "")), age(o), names("User"),
            names("Group"), names("ServiceAccount")]


def _cronjob_row(o):
    spec, st = o.get("spec", {}), o.get("status", {})
    last = st.get("lastScheduleTime")
    cs = spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get(
        "spec", {}).get("containers") or []
    return [spec.get("schedule", ""), spec.get("timeZone", "<none>"),
            "True" if spec.get("suspend") else "False", len(st.get("active") or []),
            age({"metadata": {"creationTimestamp": last}}) if last else "<none>", age(o),
            ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs),
            "<none>"]


def _service_row(o):
    spec = o.get("spec", {})
    ext = ",".join(spec.get("externalIPs") or []) or "<none>"
    return [spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), ext,
            _ports(spec.get("ports")), age(o), _selector_string(
                {"matchLabels": spec["selector"]}) if spec.get("selector") else "<none>"]


def _pvc_row(o):
    spec, st = o.get("spec", {}), o.get("status", {})
    cap = (st.get("capacity") or {}).get("storage", "")
    modes = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
             "ReadWriteOncePod": "RWOP"}
    am = ",".join(modes.get(m, m) for m in st.get("accessModes") or [])
    return [st.get("phase", "Pending"), spec.get("volumeName", ""), cap, am,
            spec.get("storageClassName", "<unset>"),
            spec.get("volumeAttributesClassName", "<unset>"), age(o), "Filesystem"]


# Built-in printers: [(column, type, priority)], row function (cells after Name).
PRINTERS = {
    "configmaps": ([("Data", "integer", 0), ("Age", "string", 0)],
                   lambda o: [len(o.get("data") or {}) + len(o.get("binaryData") or {}), age(o)]),
    "secrets": ([("Type", "string", 0), ("Data", "string", 0), ("Age", "string", 0)],
                lambda o: [o.get("type", "Opaque"), len(o.get("data") or {}), age(o)]),
    "services": ([("Type", "string", 0), ("Cluster-IP", "string", 0),
                  ("External-IP", "string", 0), ("Port(s)", "string", 0), ("Age", "string", 0),
                  ("Selector", "string", 1)], _service_row),
    "serviceaccounts": ([("Secrets", "string", 0), ("Age", "string", 0)],
                        lambda o: [len(o.get("secrets") or []), age(o)]),
    "persistentvolumeclaims": ([("Status", "string", 0), ("Volume", "string", 0),
                                ("Capacity", "string", 0), ("Access Modes", "string", 0),
                                ("StorageClass", "string", 0),
                                ("VolumeAttributesClass", "string", 0), ("Age", "string", 0),
                                ("VolumeMode", "string", 1)], _pvc_row),
    "pods": ([("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0),
              ("Age", "string", 0), ("IP", "string", 1), ("Node", "string", 1),
              ("Nominated Node", "string", 1), ("Readiness Gates", "string", 1)], _pod_row),
    "namespaces": ([("Status", "string", 0), ("Age", "string", 0)],
                   lambda o: [o.get("status", {}).get("phase", "Active"), age(o)]),
    "deployments": ([("Ready", "string", 0), ("Up-to-date", "string", 0),
                     ("Available", "string", 0), ("Age", "string", 0),
                     ("Containers", "string", 1), ("Images", "string", 1),
                     ("Selector", "string", 1)], _deploy_row),
    "horizontalpodautoscalers": ([("Reference", "string", 0), ("Targets", "string", 0),
                                  ("MinPods", "string", 0), ("MaxPods", "string", 0),
                                  ("Replicas", "string", 0), ("Age", "string", 0)], _hpa_row),
    "poddisruptionbudgets": ([("Min Available", "string", 0), ("Max Unavailable", "string", 0),
                              ("Allowed Disruptions", "integer", 0), ("Age", "string", 0)],
                             _pdb_row),
    "roles": ([("Created At", "date", 0)],
              lambda o: [o.get("metadata", {}).get("creationTimestamp")]),
    "clusterroles": ([("Created At", "date", 0)],
                     lambda o: [o.get("metadata", {}).get("creationTimestamp")]),
    "rolebindings": ([("Role", "string", 0), ("Age", "string", 0), ("Users", "string", 1),
                      ("Groups", "string", 1), ("ServiceAccounts", "string", 1)], _binding_row),
    "clusterrolebindings": ([("Role", "string", 0), ("Age", "string", 0),
                             ("Users", "string", 1), ("Groups", "string", 1),
                             ("ServiceAccounts", "string", 1)], _binding_row),
    "cronjobs": ([("Schedule", "string", 0), ("Timezone", "string", 0),
                  ("Suspend", "boolean", 0), ("Active", "integer", 0),
                  ("Last Schedule", "string", 0), ("Age", "string", 0),
                  ("Containers", "string", 1), ("Images", "string", 1),
                  ("Selector", "string", 1)], _cronjob_row),
    "leases": ([("Holder", "string", 0), ("Age", "string", 0)],
               lambda o: [o.get("spec", {}).get("holderIdentity", ""), age(o)]),
}


def table(r, objects, resource_version):
    """A meta.k8s.io/v1 Table of `objects` (rows carry PartialObjectMetadata)."""
    cols = [{"name": "Name", "type": "string", "format": "name",
             "description": "Name must be unique within a namespace.", "priority": 0}]
    if r.columns is not None:
        for name, typ, path in r.columns:
            cols.append({"name": name, "type": typ, "format": "", "description": "",
                         "priority": 0})
    else:
        for name, typ, prio in PRINTERS.get(r.plural, ([("Age", "string", 0)], None))[0]:
            cols.append({"name": name, "type": typ, "format": "", "description": "",
                         "priority": prio})
    rows = []
    for o in objects:
        meta = o.get("metadata", {})
        if r.columns is not None:
            cells = []
            for name, typ, path in r.columns:
                v = _jsonpath(o, path)
                if typ == "date" and v:
                    v = age({"metadata": {"creationTimestamp": v}})
                cells.append(v)
        elif r.plural in PRINTERS:
            cells = PRINTERS[r.plural][1](o)
        else:
            cells = [age(o)]
        rows.append({"cells": [meta.get("name")] + cells, "object": {
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": cols, "rows": rows}


# ---- OpenAPI v3 (only what kubectl reads: which PATCH operations take fieldValidation) --

def _gv_path(group, version):
    return "api/" + version if not group else "apis/%s/%s" % (group, version)


def openapi_index():
    return {"paths": {_gv_path(g, v): {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (
        _gv_path(g, v), _hash(_gv_path(g, v)).upper())} for g, v in group_versions()}}


def openapi_gv(path):
    """The OpenAPI v3 document of one group version, paths and PATCH parameters only."""
    for g, v in group_versions():
        if _gv_path(g, v) != path:
            continue
        paths = {}
        params = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                  for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
        for r in RESOURCES:
            if r.group != g or r.version != v:
                continue
            base = "/" + path + ("/namespaces/{namespace}" if r.namespaced else "")
            gvk = {"group": g, "version": v, "kind": r.kind}
            item = base + "/" + r.plural + "/{name}"
            paths[item] = {"patch": {"operationId": "patch" + r.kind,
                                     "parameters": params,
                                     "x-kubernetes-action": "patch",
                                     "x-kubernetes-group-version-kind": gvk,
                                     "responses": {"200": {"description": "OK"}}}}
            paths[base + "/" + r.plural] = {"post": {
                "operationId": "create" + r.kind, "parameters": params,
                "x-kubernetes-action": "post", "x-kubernetes-group-version-kind": gvk,
                "responses": {"201": {"description": "Created"}}}}
            for sub in sorted(r.subresources):
                skind = {"group": "autoscaling", "version": "v1", "kind": "Scale"} \
                    if sub == "scale" else gvk
                paths[item + "/" + sub] = {"patch": {
                    "operationId": "patch" + r.kind + sub.capitalize(), "parameters": params,
                    "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": skind,
                    "responses": {"200": {"description": "OK"}}}}
        return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
                "paths": paths, "components": {"schemas": {}}}
    return None
