#!/usr/bin/env python3
"""apiserver.py -- kubectl-feast's test API server: kube-apiserver on the wire, in one
process, for tests on a machine where no real cluster can run.

    apiserver.py --certs DIR [--port 0] [--port-file FILE] [--token TOKEN=USER]...
                 [--forbidden-token TOKEN]... [--token-file-user PATH=USER]...
                 [--basic-user NAME:PASSWORD]... [--admin-token TOKEN] [--state FILE]
                 [--deployment-delay SECONDS] [--log FILE]

README.md beside this file is the contract (flags, admin API, what is modelled).
The parts, top to bottom:

  Errors      kube-apiserver `Status` bodies (404/409/422/... exactly shaped).
  Selectors   label and field selectors of LIST and WATCH.
  Store       objects, the global resourceVersion, uid/generation/timestamps, the
              event log that watches read; one lock for everything.
  Writes      create/update/patch/apply/delete with kube's semantics (preconditions,
              status subresource, scale subresource, dryRun, managedFields, no-op writes).
  Controller  a Deployment controller stand-in that fills .status after a delay.
  Faults      injected latency, hangs, 5xx bursts, resets, dropped responses,
              409 storms, forbidden requests; expiring tokens.
  HTTP        the TLS server, authentication (bearer, basic, client certificates) and
              impersonation, routing, request bodies (JSON, YAML,
              protobuf through kubeproto.py), watch streaming, admin API.
"""
import argparse
import base64
import copy
import datetime
import heapq
import json
import os
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kubeproto  # noqa: E402
import merge  # noqa: E402
import resources as R  # noqa: E402
import validation  # noqa: E402

SERVER_VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-feast-test",
                  "gitCommit": "0000000000000000000000000000000000000000",
                  "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z",
                  "goVersion": "go1.23.4", "compiler": "gc", "platform": "linux/amd64"}


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


# ======================================================================================
# Errors: kube-apiserver Status bodies
# ======================================================================================

class APIError(Exception):
    """An error answered with a `Status` body."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details, self.headers = details, headers or {}

    def body(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message}
        if self.reason:
            s["reason"] = self.reason
        if self.details is not None:
            s["details"] = self.details
        s["code"] = self.code
        return s


def _details(r, name):
    d = {}
    if name:
        d["name"] = name
    if r.group:
        d["group"] = r.group
    d["kind"] = r.plural
    return d


def not_found(r, name):
    return APIError(404, "NotFound", '%s "%s" not found' % (r.qualified, name),
                    _details(r, name))


def already_exists(r, name):
    return APIError(409, "AlreadyExists", '%s "%s" already exists' % (r.qualified, name),
                    _details(r, name))


def conflict(r, name, why="the object has been modified; please apply your changes to the "
             "latest version and try again"):
    return APIError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s'
                    % (r.qualified, name, why), _details(r, name))


def invalid(r, name, errs, kind=None, group=None):
    d = {"name": name, "group": r.group if group is None else group,
         "kind": kind or r.kind, "causes": [e.cause() for e in errs]}
    if not d["group"]:
        del d["group"]
    qk = (kind + "." + group if group else kind) if kind else r.qualified_kind
    return APIError(422, "Invalid", validation.message(qk, name, errs), d)


def bad_request(message):
    return APIError(400, "BadRequest", message)


def page_not_found():
    return APIError(404, "NotFound", "the server could not find the requested resource", {})


def forbidden(user, verb, r, ns, name, sub=""):
    res = r.plural + ("/" + sub if sub else "")
    msg = 'User "%s" cannot %s resource "%s" in API group "%s"' % (user, verb, res, r.group)
    msg += ' in the namespace "%s"' % ns if ns else " at the cluster scope"
    what = '%s "%s"' % (r.qualified, name) if name else r.qualified
    return APIError(403, "Forbidden", "%s is forbidden: %s" % (what, msg), _details(r, name))


UNAUTHORIZED = APIError(401, "Unauthorized", "Unauthorized")


def cannot_impersonate(user, resource, name):
    """kube-apiserver's impersonation filter: the acting user lacks the `impersonate` verb
    on users/groups/uids (cluster-scoped, core group)."""
    return APIError(403, "Forbidden", '%s "%s" is forbidden: User "%s" cannot impersonate '
                    'resource "%s" in API group "" at the cluster scope'
                    % (resource, name, user, resource), {"name": name, "kind": resource})


# ======================================================================================
# Selectors
# ======================================================================================

_REQ = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=|\s+in\s+|\s+notin\s+)\s*"
                  r"(\([^)]*\)|[A-Za-z0-9_.-]*))?\s*$")


def _split_selector(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def parse_label_selector(s):
    """[(op, key, values)] with op in = != in notin exists !exists; raises APIError."""
    reqs = []
    for part in _split_selector(s or ""):
        m = _REQ.match(part)
        if not m:
            raise bad_request("unable to parse requirement: found '%s', expected: "
                              "identifier" % part.strip())
        neg, key, op, val = m.groups()
        if neg:
            if op:
                raise bad_request("unable to parse requirement: %s" % part.strip())
            reqs.append(("!exists", key, None))
        elif not op:
            reqs.append(("exists", key, None))
        else:
            op = op.strip()
            if op in ("in", "notin"):
                if not val.startswith("("):
                    raise bad_request("unable to parse requirement: found '%s', expected: '('"
                                      % val)
                vals = [v.strip() for v in val[1:-1].split(",") if v.strip()]
                reqs.append((op, key, vals))
            else:
                reqs.append(("!=" if op == "!=" else "=", key, [val]))
    return reqs


def labels_match(reqs, labels):
    for op, key, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and v != vals[0]:
            return False
        if op == "!=" and has and v == vals[0]:
            return False
        if op == "in" and (not has or v not in vals):
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!exists" and has:
            return False
    return True


def parse_field_selector(s):
    reqs = []
    for part in _split_selector(s or ""):
        m = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (s, part))
        field, op, val = m.groups()
        if field not in ("metadata.name", "metadata.namespace"):
            raise bad_request('field label not supported: %s' % field)
        reqs.append((field, op != "!=", val))
    return reqs


def fields_match(reqs, obj):
    meta = obj.get("metadata", {})
    for field, eq, val in reqs:
        got = meta.get(field.split(".", 1)[1], "")
        if (got == val) != eq:
            return False
    return True


# ======================================================================================
# Store
# ======================================================================================

META_ORDER = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
              "generation", "creationTimestamp", "deletionTimestamp",
              "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
              "finalizers", "managedFields"]
NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"


def ordered(r, obj):
    """kind, apiVersion, metadata (in Go's field order), then the rest."""
    meta = obj.get("metadata") or {}
    m = {k: meta[k] for k in META_ORDER if k in meta}
    m.update((k, v) for k, v in meta.items() if k not in m)
    out = {"kind": r.kind, "apiVersion": r.api_version, "metadata": m}
    out.update((k, v) for k, v in obj.items() if k not in ("kind", "apiVersion", "metadata"))
    return out


class Store:
    """All objects, the resourceVersion counter and the event log, under one lock."""

    EVENT_WINDOW = 20000

    def __init__(self):
        self.lock = threading.Condition(threading.RLock())
        self.objects = {}     # (plural, group) -> {(ns, name): obj}
        self.rv = 1
        self.events = []      # [(rv, type, r, ns, name, obj)]
        self.first_event_rv = 1
        self.watch_epoch = 0  # bumped to close every open watch
        self.dirty = False

    def table(self, r):
        return self.objects.setdefault((r.plural, r.group), {})

    def get(self, r, ns, name):
        return self.table(r).get((ns or "", name))

    def next_rv(self):
        self.rv += 1
        return self.rv

    def record(self, typ, r, obj):
        meta = obj["metadata"]
        self.events.append((int(meta["resourceVersion"]), typ, r, meta.get("namespace", ""),
                            meta["name"], copy.deepcopy(obj)))
        if len(self.events) > self.EVENT_WINDOW:
            drop = len(self.events) - self.EVENT_WINDOW
            self.first_event_rv = self.events[drop][0]
            del self.events[:drop]
        self.dirty = True
        self.lock.notify_all()

    def put(self, r, obj, typ):
        meta = obj["metadata"]
        self.table(r)[(meta.get("namespace", ""), meta["name"])] = obj
        self.record(typ, r, obj)

    def remove(self, r, obj):
        meta = obj["metadata"]
        self.table(r).pop((meta.get("namespace", ""), meta["name"]), None)
        self.record("DELETED", r, obj)

    def save(self, path):
        with self.lock:
            data = {"resourceVersion": self.rv, "objects": [
                o for tbl in self.objects.values() for o in tbl.values()]}
            self.dirty = False
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, path)

    def load(self, path):
        with open(path) as f:
            data = json.load(f)
        self.rv = int(data["resourceVersion"])
        self.first_event_rv = self.rv + 1
        for o in data["objects"]:
            group = o["apiVersion"].split("/")[0] if "/" in o["apiVersion"] else ""
            r = R.BY_KIND[(group, o["kind"])]
            meta = o["metadata"]
            self.table(r)[(meta.get("namespace", ""), meta["name"])] = o


# ======================================================================================
# Writes
# ======================================================================================

def _spec_part(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind",
                                                      "apiVersion")}


def _meta_for_compare(obj):
    m = dict(obj.get("metadata") or {})
    for k in ("managedFields", "resourceVersion", "generation"):
        m.pop(k, None)
    return m


def _qos(pod):
    reqs = lims = False
    guaranteed = True
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        rq, lm = res.get("requests") or {}, res.get("limits") or {}
        reqs, lims = reqs or bool(rq), lims or bool(lm)
        for k in ("cpu", "memory"):
            if k not in lm or rq.get(k, lm.get(k)) != lm.get(k):
                guaranteed = False
    if not reqs and not lims:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _reset_status_on_create(r, obj):
    """What a kind's create strategy does to the status a client sent."""
    if "status" not in r.subresources:
        return
    if r.plural == "pods":
        obj["status"] = {"phase": "Pending", "qosClass": _qos(obj)}
    elif r.plural == "namespaces":
        obj["status"] = {"phase": "Active"}
    elif r.plural == "services":
        obj["status"] = {"loadBalancer": {}}
    elif r.plural == "persistentvolumeclaims":
        obj["status"] = {"phase": "Pending"}
    elif r.custom:
        obj.pop("status", None)
    else:
        obj["status"] = {}


def _defaults(r, obj):
    """The few defaults kube-apiserver fills that clients read back."""
    spec = obj.get("spec")
    if r.plural == "secrets" and not obj.get("type"):
        obj["type"] = "Opaque"
    if r.plural == "namespaces":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = \
            obj["metadata"]["name"]
    if not isinstance(spec, dict):
        return
    if r.plural == "deployments":
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        st = spec.setdefault("strategy", {"type": "RollingUpdate"})
        if st.get("type", "RollingUpdate") == "RollingUpdate":
            st.setdefault("type", "RollingUpdate")
            ru = st.setdefault("rollingUpdate", {})
            ru.setdefault("maxUnavailable", "25%")
            ru.setdefault("maxSurge", "25%")
    if r.plural == "services":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for p in spec.get("ports") or []:
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p.get("port"))
    if r.plural == "horizontalpodautoscalers":
        spec.setdefault("minReplicas", 1)
    pod = {"pods": spec, "deployments": (spec.get("template") or {}).get("spec"),
           "cronjobs": (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
                        or {}).get("spec")}.get(r.plural)
    if isinstance(pod, dict):
        _pod_defaults(pod, "Never" if r.plural == "cronjobs" else "Always")
    if r.plural == "cronjobs":
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)


def _pod_defaults(pod, restart):
    pod.setdefault("restartPolicy", restart)
    pod.setdefault("terminationGracePeriodSeconds", 30)
    pod.setdefault("dnsPolicy", "ClusterFirst")
    pod.setdefault("securityContext", {})
    pod.setdefault("schedulerName", "default-scheduler")
    for c in (pod.get("initContainers") or []) + (pod.get("containers") or []):
        if not isinstance(c, dict):
            continue
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        image = c.get("image") or ""
        tagged = ":" in image.rsplit("/", 1)[-1] or "@" in image
        c.setdefault("imagePullPolicy", "IfNotPresent" if tagged and
                     not image.endswith(":latest") else "Always")
        c.setdefault("resources", {})
        for p in c.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")


class Writer:
    """kube-apiserver's write paths over the Store. Methods run under store.lock."""

    def __init__(self, store, controller):
        self.store = store
        self.controller = controller

    # ---- helpers ----

    def _namespace_must_exist(self, r, ns):
        if r.namespaced and self.store.get(R.NAMESPACES, "", ns) is None:
            raise not_found(R.NAMESPACES, ns)

    def _check_body(self, r, obj, ns, name=None):
        if not isinstance(obj, dict):
            raise bad_request("Object 'Kind' is missing in '%s'" % dumps(obj))
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if av and av != r.api_version:
            raise bad_request("the API version in the data (%s) does not match the expected "
                              "API version (%s)" % (av, r.api_version))
        if kind and kind != r.kind:
            raise bad_request("the kind in the data (%s) does not match the expected kind (%s)"
                              % (kind, r.kind))
        meta = obj.get("metadata")
        if meta is None:
            obj["metadata"] = meta = {}
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if r.namespaced:
            if meta.get("namespace") and meta["namespace"] != ns:
                raise bad_request("the namespace of the provided object does not match the "
                                  "namespace sent on the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if name is not None and meta.get("name") and meta["name"] != name:
            raise bad_request("the name of the object (%s) does not match the name on the URL "
                              "(%s)" % (meta["name"], name))
        if name is not None:
            meta["name"] = name

    def _validate(self, r, obj, old=None):
        errs = validation.validate(r, obj, old)
        if errs:
            raise invalid(r, obj["metadata"].get("name", ""), errs)

    # ---- create ----

    def create(self, r, ns, obj, manager, dry_run, via_apply=None, fc=None):
        self._check_body(r, obj, ns)
        if fc is not None:
            fc.check(r, obj)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                random.choice(NAME_CHARS) for _ in range(5))
        self._validate(r, obj)
        self._namespace_must_exist(r, ns)
        if self.store.get(r, ns, meta["name"]) is not None:
            raise already_exists(r, meta["name"])
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "selfLink"):
            meta.pop(k, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        if r.generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        _reset_status_on_create(r, obj)
        _defaults(r, obj)
        if via_apply is None:
            meta.pop("managedFields", None)
            merge.update_managed(None, obj, manager, merge.Facts(r.key), r.api_version,
                                 now_rfc3339())
        obj = ordered(r, obj)
        if dry_run:
            return obj
        obj["metadata"]["resourceVersion"] = str(self.store.next_rv())
        self.store.put(r, obj, "ADDED")
        self.controller.notice(r, obj)
        return obj

    # ---- update (PUT, PATCH, apply, status, scale all end here) ----

    def _finish_update(self, r, old, new, manager, dry_run, subresource="", managed=True):
        """Common tail of every update: strategy, validation, no-op detection, store."""
        meta = new["metadata"]
        ometa = old["metadata"]
        for k in ("uid", "creationTimestamp", "deletionTimestamp",
                  "deletionGracePeriodSeconds"):
            if k in ometa:
                meta[k] = ometa[k]
            else:
                meta.pop(k, None)
        if r.namespaced:
            meta["namespace"] = ometa.get("namespace")
        meta["name"] = ometa["name"]
        if "status" in r.subresources:
            if subresource == "status":
                # A status write changes status (and labels/annotations), nothing else.
                keep = copy.deepcopy(old)
                keep["status"] = new.get("status")
                if keep["status"] is None:
                    del keep["status"]
                for k in ("labels", "annotations"):
                    if k in meta:
                        keep["metadata"][k] = meta[k]
                    else:
                        keep["metadata"].pop(k, None)
                if "managedFields" in meta:
                    keep["metadata"]["managedFields"] = meta["managedFields"]
                new, meta = keep, keep["metadata"]
            elif subresource != "scale":
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
        _defaults(r, new)
        if r.generation:
            gen = ometa.get("generation", 1)
            if _spec_part(new) != _spec_part(old):
                gen += 1
            meta["generation"] = gen
        else:
            meta.pop("generation", None)
        self._validate(r, new, old)
        if managed:
            merge.update_managed(old, new, manager, merge.Facts(r.key), r.api_version,
                                 now_rfc3339(), subresource, "status" in r.subresources)
        new = ordered(r, new)
        meta = new["metadata"]
        same = (_spec_part(new) == _spec_part(old) and new.get("status") == old.get("status")
                and _meta_for_compare(new) == _meta_for_compare(old)
                and (meta.get("managedFields") or []) == (ometa.get("managedFields") or []))
        if same:
            return old
        meta["resourceVersion"] = ometa["resourceVersion"]
        if dry_run:
            return new
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            meta["resourceVersion"] = str(self.store.next_rv())
            self.store.remove(r, new)
            return new
        meta["resourceVersion"] = str(self.store.next_rv())
        self.store.put(r, new, "MODIFIED")
        self.controller.notice(r, new)
        return new

    def update(self, r, ns, name, obj, manager, dry_run, subresource="", fc=None):
        self._check_body(r, obj, ns, name)
        if fc is not None:
            fc.check(r, obj)
        old = self.store.get(r, ns, name)
        rv = obj["metadata"].get("resourceVersion")
        if old is None:
            if r.create_on_update and not subresource:
                if rv:
                    raise not_found(r, name)
                return self.create(r, ns, obj, manager, dry_run), 201
            raise not_found(r, name)
        if not rv:
            if not r.unconditional_update:
                raise invalid(r, name, [validation.invalid(
                    "metadata.resourceVersion", 0, "must be specified for an update")])
        elif rv != old["metadata"]["resourceVersion"]:
            raise conflict(r, name)
        return self._finish_update(r, old, obj, manager, dry_run, subresource), 200

    def _precondition(self, r, name, patch, old):
        """A patch that names a resourceVersion is conditional on it."""
        if isinstance(patch, dict):
            rv = (patch.get("metadata") or {}).get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise conflict(r, name)

    def patch(self, r, ns, name, ctype, body, manager, dry_run, force, subresource="",
              fc=None):
        if ctype not in PATCH_TYPES or (r.custom and ctype == PATCH_TYPES[1]):
            raise unsupported_patch(r.custom)
        old = self.store.get(r, ns, name)
        if ctype == "application/apply-patch+yaml":
            return self.apply(r, ns, name, body, manager, dry_run, force, subresource, old, fc)
        if old is None:
            raise not_found(r, name)
        cur = copy.deepcopy(old)
        try:
            if ctype == "application/merge-patch+json":
                new = merge.merge_patch(cur, body)
            elif ctype == "application/strategic-merge-patch+json":
                if r.custom:
                    raise unsupported_patch(custom=True)
                new = merge.strategic_merge(cur, body, merge.Facts(r.key))
            elif ctype == "application/json-patch+json":
                new = merge.json_patch(cur, body)
            else:
                raise unsupported_patch(r.custom)
        except merge.PatchError as e:
            raise APIError(e.code, "BadRequest" if e.code == 400 else "Invalid", str(e))
        if not isinstance(new, dict):
            raise bad_request("patch result is not an object")
        self._precondition(r, name, body if ctype != "application/json-patch+json" else None,
                           old)
        self._check_body(r, new, ns, name)
        if fc is not None:
            fc.check(r, new)
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        return self._finish_update(r, old, new, manager, dry_run, subresource), 200

    def apply(self, r, ns, name, config, manager, dry_run, force, subresource, old, fc=None):
        if not manager:
            raise invalid(r, "", [validation.required("fieldManager",
                                                      "is required for apply patch")],
                          kind="PatchOptions", group="meta.k8s.io")
        if not isinstance(config, dict):
            raise bad_request("error decoding YAML: the applied configuration is not an "
                              "object")
        if not config.get("apiVersion") or not config.get("kind"):
            raise bad_request("Object 'Kind' is missing in '%s'" % dumps(config))
        cfg = copy.deepcopy(config)
        self._check_body(r, cfg, ns, name)
        if fc is not None:
            fc.check(r, cfg, apply=True)
        facts = merge.Facts(r.key)
        rv = cfg["metadata"].pop("resourceVersion", None)
        status_sub = "status" in r.subresources
        if old is None:
            if subresource:
                raise not_found(r, name)
            if rv:
                raise not_found(r, name)
            base = {"apiVersion": r.api_version, "kind": r.kind,
                    "metadata": {"name": name, "namespace": ns} if r.namespaced else
                    {"name": name}}
            try:
                new = merge.apply(base, cfg, manager, force, facts, r.api_version,
                                  now_rfc3339(), subresource, status_sub)
            except merge.Conflict as c:
                raise apply_conflict(c)
            return self.create(r, ns, new, manager, dry_run, via_apply=True), 201
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise conflict(r, name)
        try:
            new = merge.apply(old, cfg, manager, force, facts, r.api_version, now_rfc3339(),
                              subresource, status_sub)
        except merge.Conflict as c:
            raise apply_conflict(c)
        return self._finish_update(r, old, new, manager, dry_run, subresource,
                                   managed=False), 200

    # ---- scale subresource ----

    def scale_of(self, r, obj):
        spec_path, status_path, sel_path = R.SCALE_PATHS[r.plural]
        meta = obj["metadata"]
        status = {"replicas": R._get(obj, status_path, 0) or 0}
        if r.plural == "deployments":
            sel = R._selector_string((obj.get("spec") or {}).get("selector"))
            if sel != "<none>":
                status["selector"] = sel.replace(" ", "")
        elif R._get(obj, sel_path):
            status["selector"] = R._get(obj, sel_path)
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": meta["name"], "namespace": meta.get("namespace"),
                             "uid": meta["uid"], "resourceVersion": meta["resourceVersion"],
                             "creationTimestamp": meta["creationTimestamp"]},
                "spec": {"replicas": R._get(obj, spec_path, 0) or 0}, "status": status}

    def write_scale(self, r, ns, name, scale, manager, dry_run):
        old = self.store.get(r, ns, name)
        if old is None:
            raise not_found(r, name)
        if not isinstance(scale, dict):
            raise bad_request("invalid Scale body")
        rv = (scale.get("metadata") or {}).get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise conflict(r, name)
        replicas = (scale.get("spec") or {}).get("replicas", 0)
        errs = validation.scale(replicas)
        if errs:
            raise invalid(r, name, errs, kind="Scale", group="autoscaling")
        new = copy.deepcopy(old)
        new.setdefault("spec", {})["replicas"] = replicas
        merge.update_managed(old, new, manager, merge.Facts(r.key), r.api_version,
                             now_rfc3339(), "scale", "status" in r.subresources)
        result = self._finish_update(r, old, new, manager, dry_run, "scale", managed=False)
        return self.scale_of(r, result)

    # ---- delete ----

    def delete(self, r, ns, name, body, dry_run):
        old = self.store.get(r, ns, name)
        if old is None:
            raise not_found(r, name)
        pre = (body or {}).get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != old["metadata"]["uid"]:
            raise conflict(r, name, "Precondition failed: UID in precondition: %s, UID in "
                           "object meta: %s" % (pre["uid"], old["metadata"]["uid"]))
        if pre.get("resourceVersion") and pre["resourceVersion"] != \
                old["metadata"]["resourceVersion"]:
            raise conflict(r, name, "the ResourceVersion in the precondition (%s) does not "
                           "match the ResourceVersion in record (%s). The object might have "
                           "been modified" % (pre["resourceVersion"],
                                              old["metadata"]["resourceVersion"]))
        if old["metadata"].get("finalizers") or r.plural == "namespaces":
            new = copy.deepcopy(old)
            if not new["metadata"].get("deletionTimestamp"):
                new["metadata"]["deletionTimestamp"] = now_rfc3339()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
            if r.plural == "namespaces":
                new.setdefault("status", {})["phase"] = "Terminating"
            if dry_run:
                return new, 200
            if new != old:
                new["metadata"]["resourceVersion"] = str(self.store.next_rv())
                self.store.put(r, new, "MODIFIED")
            if r.plural == "namespaces":
                self._finish_namespace(new)
                return new, 200
            return new, 202
        if dry_run:
            return self._deleted_body(r, old), 200
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(self.store.next_rv())
        self.store.remove(r, gone)
        return self._deleted_body(r, gone), 200

    def _finish_namespace(self, ns_obj):
        """The namespace controller, done at once: delete the content, then the namespace."""
        ns = ns_obj["metadata"]["name"]
        for r in R.RESOURCES:
            if not r.namespaced:
                continue
            for (ons, _), o in list(self.store.table(r).items()):
                if ons == ns:
                    gone = copy.deepcopy(o)
                    gone["metadata"]["resourceVersion"] = str(self.store.next_rv())
                    self.store.remove(r, gone)
        gone = copy.deepcopy(ns_obj)
        gone["metadata"]["resourceVersion"] = str(self.store.next_rv())
        self.store.remove(R.NAMESPACES, gone)

    def _deleted_body(self, r, obj):
        # Registries that return the deleted object; the others (custom resources
        # included) answer with a Status.
        if r.plural in ("pods", "services", "serviceaccounts", "persistentvolumeclaims"):
            return obj
        d = _details(r, obj["metadata"]["name"])
        d["uid"] = obj["metadata"]["uid"]
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": d}


PATCH_TYPES = ["application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/json-patch+json", "application/apply-patch+yaml"]


def unsupported_patch(custom):
    types = ["application/json-patch+json", "application/merge-patch+json",
             "application/apply-patch+yaml"]
    if not custom:
        types.append("application/strategic-merge-patch+json")
    return APIError(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                    "format - accepted media types include: " + ", ".join(types))


def unsupported_body():
    return APIError(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                    "format - accepted media types include: application/json, "
                    "application/yaml")


def decode_protobuf(raw, r, verb, sub):
    """A protobuf body (kubectl's typed clients send them) as the JSON dict the same
    client would have sent; kubeproto.py says which kinds. 400 for bad data, 415 naming
    what this server cannot decode."""
    if verb == "patch":
        raise unsupported_patch(r.custom)       # patch bodies are JSON or YAML only
    if verb == "delete":
        want, kinds = ("meta.k8s.io/v1", "DeleteOptions"), ("DeleteOptions",)
    elif r.custom and sub != "scale":
        raise unsupported_body()                # no protobuf for custom resources
    else:
        want = ("autoscaling/v1", "Scale") if sub == "scale" else (r.api_version, r.kind)
        kinds = [k for k in kubeproto.KINDS if k != "DeleteOptions"]
    try:
        return kubeproto.decode(raw, want[1], want[0], kinds)
    except kubeproto.Malformed as e:
        if e.gvk is None:
            # kube's summarizeData: JSON-looking data as text, the rest in hex
            head = raw[:30].decode("utf-8", "replace") if raw[:1] == b"{" else raw[:30].hex()
            summary = head + (" ..." if len(raw) > 30 else "")
            raise bad_request("the object provided is unrecognized (must be of type %s): %s "
                              "(%s)" % (want[1], e, summary))
        av, kind = e.gvk
        raise bad_request('%s in version "%s" cannot be handled as a %s: %s'
                          % (kind, av.split("/")[-1], want[1], e))
    except kubeproto.Unsupported as e:
        raise APIError(415, "UnsupportedMediaType", "the test API server cannot decode this "
                       "protobuf body: %s (it decodes %s; send application/json)"
                       % (e, ", ".join(kubeproto.KINDS)))


def apply_conflict(c):
    return APIError(409, "Conflict", c.message(), {"causes": c.causes()})


class FieldCheck:
    """fieldValidation of one request: unknown fields are always dropped; Strict makes
    them a 400, Warn (the default) a `Warning: 299` header each, Ignore says nothing.
    Server-side apply rejects them unless Ignore."""

    def __init__(self, mode):
        if mode not in (None, "", "Strict", "Warn", "Ignore"):
            raise bad_request('fieldValidation: Unsupported value: "%s": supported values: '
                              '"Ignore", "Strict", "Warn"' % mode)
        self.mode = mode or "Warn"
        self.warnings = []

    def check(self, r, obj, apply=False):
        found = validation.unknown_fields(r.key, obj, merge.Facts(r.key))
        if not found or self.mode == "Ignore":
            return
        if apply:
            meta = obj.get("metadata") or {}
            ident = "%s/%s" % (meta.get("namespace", ""), meta.get("name", "")) \
                if r.namespaced else meta.get("name", "")
            raise bad_request("failed to create typed patch object (%s; %s, Kind=%s): %s: "
                              "field not declared in schema" % (ident, r.api_version, r.kind,
                                                                found[0][1]))
        if self.mode == "Strict":
            raise bad_request('%s in version "%s" cannot be handled as a %s: strict decoding '
                              'error: %s' % (r.kind, r.version, r.kind, ", ".join(
                                  'unknown field "%s"' % k for k, _ in found)))
        self.warnings += ['unknown field "%s"' % k for k, _ in found]


# ======================================================================================
# Controller: Deployment status the way kube-controller-manager would set it
# ======================================================================================

class Controller:
    """Fills Deployment .status after each spec change: at once observedGeneration,
    replicas and updatedReplicas with nothing ready, then one more ready replica every
    delay/replicas seconds until all are available (delay < 0: never ready)."""

    MANAGER = "kube-controller-manager"

    def __init__(self, store, delay):
        self.store = store
        self.delay = delay
        self.writer = None
        self.queue = []       # heap of (due, seq, ns, name, generation, ready)
        self.seq = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def notice(self, r, obj):
        if r.plural != "deployments":
            return
        st = obj.get("status") or {}
        meta = obj["metadata"]
        reps = (obj.get("spec") or {}).get("replicas", 1)
        if st.get("observedGeneration") == meta.get("generation") and \
                st.get("replicas", 0) == reps:
            return
        self._schedule(0, meta["namespace"], meta["name"], meta["generation"], 0)

    def _schedule(self, after, ns, name, gen, ready):
        with self.cond:
            self.seq += 1
            heapq.heappush(self.queue, (time.monotonic() + after, self.seq, ns, name, gen,
                                        ready))
            self.cond.notify()

    def _run(self):
        while True:
            with self.cond:
                while not self.queue or self.queue[0][0] > time.monotonic():
                    self.cond.wait(None if not self.queue else
                                   max(0.0, self.queue[0][0] - time.monotonic()))
                _, _, ns, name, gen, ready = heapq.heappop(self.queue)
            try:
                self._step(ns, name, gen, ready)
            except Exception as e:  # a controller never dies; log and go on
                sys.stderr.write("controller: %s\n" % e)

    def _step(self, ns, name, gen, ready):
        r = R.BY_PATH[("apps", "v1", "deployments")]
        with self.store.lock:
            obj = self.store.get(r, ns, name)
            if obj is None or obj["metadata"].get("generation") != gen:
                return
            reps = (obj.get("spec") or {}).get("replicas", 1)
            ready = min(ready, reps)
            new = copy.deepcopy(obj)
            new["status"] = self._status(obj, reps, ready)
            self.writer._finish_update(r, obj, new, self.MANAGER, False, "status")
        if ready < reps and self.delay >= 0:
            self._schedule(self.delay / max(reps, 1), ns, name, gen, ready + 1)

    @staticmethod
    def _status(obj, reps, ready):
        name = obj["metadata"]["name"]
        ts = now_rfc3339()
        tmpl = dumps((obj.get("spec") or {}).get("template") or {})
        rs = "%s-%s" % (name, _rs_hash(tmpl))
        old = {c.get("type"): c for c in (obj.get("status") or {}).get("conditions") or []}

        def cond(typ, status, reason, message):
            prev = old.get(typ)
            trans = prev["lastTransitionTime"] if prev and prev.get("status") == status else ts
            return {"type": typ, "status": status, "lastUpdateTime": ts,
                    "lastTransitionTime": trans, "reason": reason, "message": message}
        st = {"observedGeneration": obj["metadata"].get("generation", 1)}
        if reps:
            st["replicas"] = reps
            st["updatedReplicas"] = reps
        if ready:
            st["readyReplicas"] = ready
            st["availableReplicas"] = ready
        if reps - ready:
            st["unavailableReplicas"] = reps - ready
        if ready >= reps:
            st["conditions"] = [
                cond("Available", "True", "MinimumReplicasAvailable",
                     "Deployment has minimum availability."),
                cond("Progressing", "True", "NewReplicaSetAvailable",
                     'ReplicaSet "%s" has successfully progressed.' % rs)]
        else:
            st["conditions"] = [
                cond("Available", "False", "MinimumReplicasUnavailable",
                     "Deployment does not have minimum availability."),
                cond("Progressing", "True", "ReplicaSetUpdated",
                     'ReplicaSet "%s" is progressing.' % rs)]
        return st


def _rs_hash(text):
    import zlib
    h = zlib.crc32(text.encode())
    out = ""
    for _ in range(10):
        out += NAME_CHARS[h % len(NAME_CHARS)]
        h //= len(NAME_CHARS)
        if not h:
            break
    return out


# ======================================================================================
# Faults
# ======================================================================================

FAULT_TYPES = ("latency", "hang", "error", "reset", "drop", "conflict", "forbid", "refuse", "throttle")


class Faults:
    """Faults switched on at run time. Each has a type, an optional match (path prefix,
    methods, user, `writes` only), an optional count (answered by the first N matching
    requests) and an optional lifetime in seconds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []
        self.next_id = 1
        self.release = threading.Condition()
        self.release_gen = 0
        self.hanging = 0      # requests held by a hang fault right now

    def add(self, spec):
        if spec.get("type") not in FAULT_TYPES:
            raise bad_request("fault type must be one of %s" % ", ".join(FAULT_TYPES))
        f = dict(spec)
        with self.lock:
            f["id"] = self.next_id
            self.next_id += 1
            if f.get("for"):
                f["until"] = time.time() + float(f["for"])
            f.setdefault("hits", 0)
            self.items.append(f)
        return f

    def clear(self, fid=None):
        with self.lock:
            self.items = [f for f in self.items if fid is not None and f["id"] != fid]
        self.release_all()

    def list(self):
        with self.lock:
            self._expire()
            return [dict(f) for f in self.items]

    def _expire(self):
        t = time.time()
        self.items = [f for f in self.items
                      if f.get("until", t + 1) > t and
                      (f.get("count") is None or f["hits"] < int(f["count"]))]

    def match(self, method, path, user):
        """The faults that apply to this request (each counted once)."""
        out = []
        with self.lock:
            self._expire()
            for f in self.items:
                if f.get("path") and not path.startswith(f["path"]):
                    continue
                methods = f.get("methods") or ([f["method"]] if f.get("method") else None)
                if methods and method not in methods:
                    continue
                if f.get("writes", f["type"] in ("drop", "conflict")) and \
                        method in ("GET", "HEAD"):
                    continue
                if f.get("user") and f["user"] != user:
                    continue
                f["hits"] += 1
                out.append(dict(f, release_gen=self.release_gen))
            self._expire()
        return out

    def refusing(self):
        """Is a `refuse` fault (an outage: connections reset at once) active?"""
        with self.lock:
            self._expire()
            hit = [f for f in self.items if f["type"] == "refuse"]
            for f in hit:
                f["hits"] += 1
            return bool(hit)

    def release_all(self):
        with self.release:
            self.release_gen += 1
            self.release.notify_all()

    def hang(self, seconds, gen):
        """Block until released (True) or the time is up (False). `gen` is the release
        generation seen when the request matched, so a release that comes between the
        match and the wait still counts."""
        deadline = time.monotonic() + (seconds if seconds is not None else 3600)
        with self.release:
            self.hanging += 1
            try:
                while self.release_gen == gen:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self.release.wait(left)
            finally:
                self.hanging -= 1
        return True


class Tokens:
    """Bearer tokens: static, forbidden, read from a file at each request (rotation), and
    ones added at run time that can expire after a time or on command.  Also basic-auth
    passwords, and which user names are forbidden (for impersonation)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.static = {}      # token -> {"user", "expires" (epoch or None), "forbidden",
                              #           "uses" (requests left, or None)}
        self.files = []       # [(path, user)]
        self.passwords = {}   # user -> password (basic auth)

    def add(self, token, user, expires_in=None, forbidden=False):
        with self.lock:
            self.static[token] = {"user": user, "forbidden": forbidden, "uses": None,
                                  "expires": time.time() + float(expires_in)
                                  if expires_in is not None else None}

    def expire(self, token, after=0, after_requests=None):
        """Expire a token AFTER seconds from now or, counted and so immune to the
        machine's load, once it has authenticated AFTER_REQUESTS more requests."""
        with self.lock:
            if token not in self.static:
                return False
            if after_requests is not None:
                self.static[token]["uses"] = int(after_requests)
            else:
                self.static[token]["expires"] = time.time() + float(after)
            return True

    def lookup(self, token, count=True):
        """(user, forbidden) or None; COUNT False for a look that is not an
        authentication (a log line, a fault's match), which uses up nothing."""
        with self.lock:
            t = self.static.get(token)
            if t and (t["expires"] is None or time.time() < t["expires"]) and t["uses"] != 0:
                if t["uses"] is not None and count:
                    t["uses"] -= 1
                return t["user"], t["forbidden"]
        for path, user in self.files:
            try:
                with open(path) as f:
                    if f.read().strip() == token:
                        return user, False
            except OSError:
                pass
        return None

    def lookup_basic(self, user, password):
        """(user, False) or None."""
        ok = user in self.passwords and self.passwords[user] == password
        return (user, False) if ok else None

    def is_forbidden(self, user):
        """Whether USER is the user of a forbidden token: impersonating it gets its 403s,
        and it may not impersonate anybody (everyone else may, like system:masters)."""
        with self.lock:
            return any(t["forbidden"] and t["user"] == user for t in self.static.values())


class RequestLog:
    """Every API request: time, method, path, query, user (the effective one, after
    impersonation), impersonator (the authenticated user, or None), code, duration, fault."""

    LIMIT = 200000

    def __init__(self, path=None):
        self.lock = threading.Lock()
        self.entries = []
        self.file = open(path, "a", buffering=1) if path else None

    def add(self, entry):
        with self.lock:
            self.entries.append(entry)
            if len(self.entries) > self.LIMIT:
                del self.entries[:len(self.entries) - self.LIMIT]
            if self.file:
                self.file.write(dumps(entry) + "\n")

    def query(self, since=0.0, user=None, agent=None):
        with self.lock:
            items = [e for e in self.entries if e["time"] >= since and
                     (user is None or e["user"] == user) and
                     (agent is None or e["agent"].startswith(agent))]
        counts = {}
        for e in items:
            k = e["method"] + " " + e["path"]
            counts[k] = counts.get(k, 0) + 1
        return {"requests": items, "counts": counts, "total": len(items)}

    def clear(self):
        with self.lock:
            self.entries = []


# ======================================================================================
# HTTP
# ======================================================================================

class Dropped(Exception):
    """The connection was closed on purpose (reset, hang timeout, dropped response)."""


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, args):
        super().__init__(("127.0.0.1", args.port), Handler)
        self.args = args
        self.inflight = 0             # API requests being served now (the throttle fault)
        self.inflight_lock = threading.Lock()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(args.certs, "server.crt"),
                                 os.path.join(args.certs, "server.key"))
        self.ctx.load_verify_locations(os.path.join(args.certs, "ca.crt"))
        self.ctx.verify_mode = ssl.CERT_OPTIONAL
        self.ctx.set_alpn_protocols(["http/1.1"])
        self.store = Store()
        self.store.EVENT_WINDOW = args.event_window
        self.controller = Controller(self.store, args.deployment_delay)
        self.writer = Writer(self.store, self.controller)
        self.controller.writer = self.writer
        self.faults = Faults()
        self.tokens = Tokens()
        self.log = RequestLog(args.log)
        for spec in args.token:
            tok, _, user = spec.partition("=")
            self.tokens.add(tok, user or "user")
        for tok in args.forbidden_token:
            tok, _, user = tok.partition("=")
            self.tokens.add(tok, user or "forbidden-user", forbidden=True)
        for spec in args.token_file_user:
            path, _, user = spec.rpartition("=")
            self.tokens.files.append((path, user))
        for spec in args.basic_user:
            user, _, password = spec.partition(":")
            self.tokens.passwords[user] = password
        if args.state and os.path.exists(args.state):
            self.store.load(args.state)
        else:
            self._bootstrap()

    def _bootstrap(self):
        with self.store.lock:
            for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
                self.writer.create(R.NAMESPACES, "", {"metadata": {"name": ns}},
                                   "kube-apiserver", False)

    def finish_request(self, request, client_address):
        """TLS handshake in the connection's own thread, then serve it."""
        request.settimeout(30)
        # Headers and body go out in one buffered write, and without Nagle's delay:
        # otherwise each keep-alive request waits for a delayed ACK (~40 ms).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.faults.refusing():
            # An outage: reset the connection before the TLS handshake.
            request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.close()
            return
        try:
            conn = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            request.close()
            return
        conn.settimeout(self.args.idle_timeout)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (OSError, ValueError, ssl.SSLError, Dropped):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def shutdown_request(self, request):
        pass  # finish_request closes

    def handle_error(self, request, client_address):
        pass


def parse_ctype(value):
    return (value or "").split(";")[0].strip().lower()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 65536
    server_version = "feast-test-apiserver"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def handle_expect_100(self):
        """`Expect: 100-continue` (libcurl sends it with large bodies): answer at once,
        or the client waits a second before sending the body."""
        self.send_response_only(100)
        self.end_headers()
        self.wfile.flush()
        return True

    # ---- plumbing ----

    def _send(self, code, body, ctype="application/json", headers=None):
        data = body if isinstance(body, bytes) else dumps(body).encode()
        self.send_response(code)
        self.send_header("Audit-Id", self.audit_id)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        fc = getattr(self, "fc", None)
        for w in (fc.warnings if fc is not None else []):
            self.send_header("Warning", '299 - %s' % json.dumps(w))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()
        self.status_code = code

    def _error(self, e):
        self._send(e.code, e.body(), headers=e.headers)

    def _reset(self):
        """Close the TCP connection abruptly (RST), no response."""
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.request.close()
        except OSError:
            pass
        self.close_connection = True
        self.status_code = 0
        raise Dropped()

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        return self.rfile.read(n) if n else b""

    def _decode(self, raw, ctype, r=None, verb=None, sub=""):
        if not raw:
            return None
        if ctype == kubeproto.CONTENT_TYPE:
            return decode_protobuf(raw, r, verb, sub)
        if "protobuf" in ctype:
            raise unsupported_body()
        try:
            if ctype in ("application/yaml", "application/apply-patch+yaml"):
                return yaml.safe_load(raw.decode())
            return json.loads(raw)
        except (ValueError, yaml.YAMLError) as e:
            if ctype in ("application/yaml", "application/apply-patch+yaml"):
                raise bad_request("error decoding YAML: %s" % e)
            raise bad_request("couldn't get version/kind; json parse error: %s" % e)

    def _user(self):
        """(user, forbidden) from a bearer token, basic auth or a client certificate;
        raises 401."""
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            found = self.server.tokens.lookup(auth[7:].strip())
            if found is None:
                raise UNAUTHORIZED
            return found
        if auth.lower().startswith("basic "):
            try:
                pair = base64.b64decode(auth[6:].strip(), validate=True).decode()
            except ValueError:
                raise UNAUTHORIZED
            user, sep, password = pair.partition(":")
            found = self.server.tokens.lookup_basic(user, password) if sep else None
            if found is None:
                raise UNAUTHORIZED
            return found
        cert = self.request.getpeercert() if hasattr(self.request, "getpeercert") else None
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return v, False
        raise UNAUTHORIZED

    def _impersonate(self, user, forbidden_user):
        """The Impersonate-User/-Group/-Uid headers, as kube-apiserver's filter: the
        authenticated user needs the right to impersonate each (checked user first, then
        groups, then uid), and the request then runs as the impersonated user."""
        as_user = self.headers.get("Impersonate-User")
        groups = self.headers.get_all("Impersonate-Group") or []
        uid = self.headers.get("Impersonate-Uid")
        if as_user is None:
            if groups or uid:
                raise APIError(500, "InternalError", "Internal error occurred: requested "
                               "impersonation of groups or a uid without impersonating a user")
            return user, forbidden_user
        if forbidden_user:
            raise cannot_impersonate(user, "users", as_user)
        self.impersonator = user
        return as_user, self.server.tokens.is_forbidden(as_user)

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _handle(self):
        self.audit_id = str(uuid.uuid4())
        self.status_code = 0
        self.fc = None
        start = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        self.user = "-"
        self.impersonator = None
        fault_names = []
        try:
            raw = self._read_body()
            if path.startswith("/admin/") or path == "/admin":
                return self._admin(path, query, raw)
            with self.server.inflight_lock:
                self.server.inflight += 1
                self.counted = True
            faults = self.server.faults.match(self.command, path, self._peek_user())
            fault_names = [f["type"] for f in faults]
            drop_after = self._pre_faults(faults)
            self.user, forbidden_user = self._user()
            self.user, forbidden_user = self._impersonate(self.user, forbidden_user)
            self._route(path, query, raw, forbidden_user, drop_after)
        except APIError as e:
            self._error(e)
        except Dropped:
            pass
        finally:
            if getattr(self, "counted", False):
                with self.server.inflight_lock:
                    self.server.inflight -= 1
                self.counted = False
            if not path.startswith("/admin"):
                self.server.log.add({"time": start, "method": self.command, "path": path,
                                     "query": url.query, "user": self.user,
                                     "impersonator": self.impersonator,
                                     "agent": self.headers.get("User-Agent", ""),
                                     "accept": self.headers.get("Accept", ""),
                                     "code": self.status_code,
                                     "ms": round((time.time() - start) * 1000, 1),
                                     "faults": fault_names})

    def _peek_user(self):
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            found = self.server.tokens.lookup(auth[7:].strip(), count=False)
            return found[0] if found else None
        return None

    def _pre_faults(self, faults):
        """Act on the faults that strike before the request is served; returns True if
        the response must be dropped after the write is committed."""
        drop = False
        for f in faults:
            t = f["type"]
            if t == "latency":
                time.sleep(float(f.get("seconds", 1)))
            elif t == "hang":
                released = self.server.faults.hang(
                    float(f["seconds"]) if f.get("seconds") is not None else None,
                    f["release_gen"])
                if not released or f.get("then", "continue") == "close":
                    self._reset()
            elif t in ("reset", "refuse"):
                self._reset()
            elif t == "drop":
                drop = True
        for f in faults:
            t = f["type"]
            if t == "error":
                code = int(f.get("code", 500))
                reasons = {500: ("InternalError", "Internal error occurred: injected fault"),
                           502: ("", "Bad Gateway"), 503: ("ServiceUnavailable",
                                                           "The server is currently unable to "
                                                           "handle the request"),
                           504: ("Timeout", "The server was unable to return a response in "
                                 "the time allotted, but may still be processing the request"),
                           429: ("TooManyRequests", "Too many requests, please try again "
                                 "later.")}
                reason, msg = reasons.get(code, ("InternalError", "injected fault"))
                headers = {"Retry-After": "1"} if code in (429, 503) else None
                raise APIError(code, reason, msg, headers=headers)
            if t == "throttle" and (f.get("inflight") is None or
                                    self.server.inflight > int(f["inflight"])):
                # API Priority and Fairness rejecting what its seats cannot hold.
                ra = int(f.get("retryAfter", 1))
                raise APIError(429, "TooManyRequests", "Too many requests, please try again later.",
                               headers={"Retry-After": str(ra)} if ra else None)
            if t == "forbid":
                raise APIError(403, "Forbidden", "forbidden: injected fault", {})
            if t == "conflict":
                raise APIError(409, "Conflict", "Operation cannot be fulfilled: the object "
                               "has been modified; please apply your changes to the latest "
                               "version and try again", {})
        return drop

    # ---- routing ----

    def _route(self, path, query, raw, forbidden_user, drop_after):
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")] if path != "/" \
            else []
        if self._discovery(path, parts):
            return
        if not parts or parts[0] not in ("api", "apis"):
            raise page_not_found()
        if parts[0] == "api":
            group, version, rest = "", parts[1] if len(parts) > 1 else "", parts[2:]
        else:
            if len(parts) < 3:
                raise page_not_found()
            group, version, rest = parts[1], parts[2], parts[3:]
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces" and (group, version, rest[2]) in R.BY_PATH:
            ns, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise page_not_found()
        r = R.BY_PATH.get((group, version, rest[0]))
        if r is None:
            raise page_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in r.subresources:
            raise page_not_found()
        if r.namespaced and name is not None and ns is None:
            raise page_not_found()
        if not r.namespaced and ns is not None:
            raise page_not_found()
        verb = self._verb(name, query)
        if forbidden_user:
            raise forbidden(self.user, verb, r, ns, name, sub)
        self._resource(r, ns, name, sub, verb, query, raw, drop_after)

    def _verb(self, name, query):
        m = self.command
        if m in ("GET", "HEAD"):
            if query.get("watch") in ("1", "true"):
                return "watch"
            return "get" if name else "list"
        return {"POST": "create", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete" if name else "deletecollection"}.get(m, m.lower())

    def _discovery(self, path, parts):
        accept = self.headers.get("Accept", "")
        aggregated = "as=APIGroupDiscoveryList" in accept and "v=v2" in accept
        if self.command not in ("GET", "HEAD"):
            return False
        if path in ("/version", "/version/"):
            self._send(200, SERVER_VERSION)
        elif path in ("/healthz", "/readyz", "/livez"):
            self._send(200, b"ok", "text/plain; charset=utf-8")
        elif path == "/api":
            if aggregated:
                self._send(200, R.aggregated(True), "application/json;g=apidiscovery.k8s.io;"
                           "v=v2;as=APIGroupDiscoveryList")
            else:
                host = "127.0.0.1:%d" % self.server.server_address[1]
                self._send(200, R.legacy_api_versions(host))
        elif path == "/apis":
            if aggregated:
                self._send(200, R.aggregated(False), "application/json;g=apidiscovery.k8s.io;"
                           "v=v2;as=APIGroupDiscoveryList")
            else:
                self._send(200, R.legacy_group_list())
        elif len(parts) == 2 and parts[0] == "apis":
            g = R.legacy_group(parts[1])
            if g is None:
                raise page_not_found()
            self._send(200, g)
        elif (len(parts) == 2 and parts[0] == "api") or (len(parts) == 3 and parts[0] == "apis"):
            doc = R.legacy_resource_list("" if parts[0] == "api" else parts[1], parts[-1])
            if doc is None:
                raise page_not_found()
            self._send(200, doc)
        elif path == "/openapi/v3":
            self._send(200, R.openapi_index())
        elif path.startswith("/openapi/v3/"):
            doc = R.openapi_gv(path[len("/openapi/v3/"):])
            if doc is None:
                raise page_not_found()
            self._send(200, doc)
        elif path.startswith("/openapi/"):
            raise page_not_found()
        else:
            return False
        return True

    # ---- resources ----

    def _resource(self, r, ns, name, sub, verb, query, raw, drop_after):
        store, writer = self.server.store, self.server.writer
        dry_run = query.get("dryRun") == "All"
        if "dryRun" in query and not dry_run:
            raise bad_request('unsupported dryRun value: "%s"' % query["dryRun"])
        manager = query.get("fieldManager") or \
            self.headers.get("User-Agent", "unknown").split("/")[0]
        ctype = parse_ctype(self.headers.get("Content-Type"))
        if verb == "watch":
            return self._watch(r, ns, name, query)
        if verb == "list":
            return self._list(r, ns, query)
        if verb == "deletecollection":
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method "
                           "on the requested resource")
        body = self._decode(raw, ctype, r, verb, sub) if verb not in ("get",) else None
        fc = self.fc = FieldCheck(query.get("fieldValidation"))
        code = 200
        with store.lock:
            if verb == "get":
                obj = store.get(r, ns, name)
                if obj is None:
                    raise not_found(r, name)
                result = writer.scale_of(r, obj) if sub == "scale" else obj
            elif verb == "create":
                if name is not None:
                    raise APIError(405, "MethodNotAllowed", "the server does not allow this "
                                   "method on the requested resource")
                if ns is None and r.namespaced:
                    raise page_not_found()
                result = writer.create(r, ns or "", body, manager, dry_run, fc=fc)
                code = 201
            elif sub == "scale" and verb in ("update", "patch"):
                result = self._scale_write(r, ns, name, verb, ctype, body, manager, dry_run,
                                           query)
            elif verb == "update":
                result, code = writer.update(r, ns or "", name, body, manager, dry_run, sub,
                                             fc=fc)
            elif verb == "patch":
                force = query.get("force") in ("true", "1")
                if "force" in query and ctype != "application/apply-patch+yaml":
                    raise invalid(r, "", [validation.FieldError(
                        "FieldValueForbidden", "force", None,
                        "may not be specified for non-apply patch")],
                        kind="PatchOptions", group="meta.k8s.io")
                if body is None:
                    raise bad_request("the body of the request is empty")
                if ctype == "application/apply-patch+yaml" and not query.get("fieldManager"):
                    manager = ""
                result, code = writer.patch(r, ns or "", name, ctype, body, manager,
                                            dry_run, force, sub, fc=fc)
            elif verb == "delete":
                # As kube-apiserver: DeleteOptions in a body replace the query's, dryRun too.
                if isinstance(body, dict):
                    if body.get("dryRun") and body["dryRun"] != ["All"]:
                        raise bad_request('unsupported dryRun value: "%s"' % body["dryRun"])
                    dry_run = body.get("dryRun") == ["All"]
                result, code = writer.delete(r, ns or "", name, body, dry_run)
            else:
                raise APIError(405, "MethodNotAllowed", "the server does not allow this "
                               "method on the requested resource")
            result = copy.deepcopy(result)
        if drop_after:
            self._reset()
        if verb == "get" and self._wants_table():
            result = R.table(r, [result], result["metadata"].get("resourceVersion", ""))
        elif verb in ("get", "create", "update", "patch") and self._wants_metadata():
            result = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                      "metadata": result.get("metadata", {})}
        self._send(code, result)

    def _scale_write(self, r, ns, name, verb, ctype, body, manager, dry_run, query):
        writer = self.server.writer
        obj = self.server.store.get(r, ns, name)
        if obj is None:
            raise not_found(r, name)
        cur = writer.scale_of(r, obj)
        if verb == "update":
            scale = body
        elif ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
            scale = merge.merge_patch(cur, body)
        elif ctype == "application/json-patch+json":
            try:
                scale = merge.json_patch(cur, body)
            except merge.PatchError as e:
                raise APIError(e.code, "Invalid", str(e))
        elif ctype == "application/apply-patch+yaml":
            scale = merge.merge_patch(cur, body)
        else:
            raise unsupported_patch(r.custom)
        return writer.write_scale(r, ns, name, scale, manager, dry_run)

    def _wants_table(self):
        return "as=Table" in self.headers.get("Accept", "")

    def _wants_metadata(self):
        return "as=PartialObjectMetadata;" in self.headers.get("Accept", "") + ";"

    def _selected(self, r, ns, query):
        lreqs = parse_label_selector(query.get("labelSelector", ""))
        freqs = parse_field_selector(query.get("fieldSelector", ""))

        def ok(o):
            meta = o.get("metadata", {})
            if ns is not None and r.namespaced and meta.get("namespace") != ns:
                return False
            return labels_match(lreqs, meta.get("labels") or {}) and fields_match(freqs, o)
        return ok

    def _list(self, r, ns, query):
        ok = self._selected(r, ns, query)
        store = self.server.store
        with store.lock:
            items = sorted((o for o in store.table(r).values() if ok(o)),
                           key=lambda o: (o["metadata"].get("namespace", ""),
                                          o["metadata"]["name"]))
            rv = str(store.rv)
            items = copy.deepcopy(items)
        start = 0
        if query.get("continue"):
            try:
                tok = json.loads(base64.b64decode(query["continue"]))
                start, rv = int(tok["start"]), tok["rv"]
            except (ValueError, KeyError, TypeError):
                raise APIError(400, "BadRequest", "continue key is not valid: invalid token")
        meta = {"resourceVersion": rv}
        limit = int(query.get("limit") or 0)
        if limit and start + limit < len(items):
            meta["continue"] = base64.b64encode(dumps(
                {"rv": rv, "start": start + limit}).encode()).decode()
            meta["remainingItemCount"] = len(items) - start - limit
            items = items[start:start + limit]
        else:
            items = items[start:]
        if self._wants_table():
            t = R.table(r, items, rv)
            t["metadata"].update({k: v for k, v in meta.items() if k != "resourceVersion"})
            return self._send(200, t)
        if not r.custom:
            for o in items:
                o.pop("kind", None)
                o.pop("apiVersion", None)
        self._send(200, {"kind": r.kind + "List", "apiVersion": r.api_version,
                         "metadata": meta, "items": items})

    # ---- watch ----

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _watch(self, r, ns, name, query):
        store = self.server.store
        ok = self._selected(r, ns, query)
        if name is not None:
            base = ok
            ok = lambda o: base(o) and o["metadata"]["name"] == name  # noqa: E731
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        interval = self.server.args.bookmark_interval
        table = self._wants_table()
        rv_q = query.get("resourceVersion", "")
        initial, too_old = [], None
        with store.lock:
            epoch = store.watch_epoch
            if rv_q in ("", "0"):
                initial = [copy.deepcopy(o) for o in store.table(r).values() if ok(o)]
                since = store.rv
            else:
                try:
                    since = int(rv_q)
                except ValueError:
                    raise bad_request('invalid resource version: "%s"' % rv_q)
                if since + 1 < store.first_event_rv:
                    too_old = "too old resource version: %d (%d)" % (since,
                                                                      store.first_event_rv - 1)
        self.send_response(200)
        self.send_header("Audit-Id", self.audit_id)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()  # clients wait for the headers before any event
        self.status_code = 200
        self.close_connection = False
        first_table = [True]

        def send(typ, obj):
            if table and typ != "ERROR" and typ != "BOOKMARK":
                obj = R.table(r, [obj], obj["metadata"]["resourceVersion"])
                if not first_table[0]:
                    obj["columnDefinitions"] = None
                first_table[0] = False
            self._chunk((dumps({"type": typ, "object": obj}) + "\n").encode())

        if too_old:
            send("ERROR", APIError(410, "Expired", too_old).body())
            self._chunk(b"")
            return
        for o in sorted(initial, key=lambda o: int(o["metadata"]["resourceVersion"])):
            send("ADDED", o)
        deadline = time.monotonic() + timeout
        next_bookmark = time.monotonic() + interval
        while True:
            batch = []
            with store.lock:
                while True:
                    if store.watch_epoch != epoch:
                        self._reset()
                    batch = [e for e in store.events if e[0] > since]
                    left = min(deadline, next_bookmark) - time.monotonic()
                    if batch or left <= 0:
                        break
                    store.lock.wait(left)
                cur_rv = store.rv
            for erv, typ, er, ens, ename, obj in batch:
                since = erv
                if er is r and ok(obj):
                    send(typ, obj)
            if time.monotonic() >= deadline:
                break
            if bookmarks and time.monotonic() >= next_bookmark:
                send("BOOKMARK", {"kind": r.kind, "apiVersion": r.api_version,
                                  "metadata": {"resourceVersion": str(max(since, cur_rv))}})
            if time.monotonic() >= next_bookmark:
                next_bookmark = time.monotonic() + interval
        self._chunk(b"")

    # ---- admin API ----

    def _admin(self, path, query, raw):
        args = self.server.args
        auth = self.headers.get("Authorization", "")
        if not args.admin_token or auth != "Bearer " + args.admin_token:
            raise UNAUTHORIZED
        body = json.loads(raw) if raw else {}
        srv = self.server
        m = self.command
        if path == "/admin/faults":
            if m == "GET":
                return self._send(200, {"faults": srv.faults.list(),
                                        "hanging": srv.faults.hanging})
            if m == "POST":
                specs = body if isinstance(body, list) else [body]
                return self._send(201, {"faults": [srv.faults.add(s) for s in specs]})
            if m == "DELETE":
                srv.faults.clear(int(query["id"]) if "id" in query else None)
                return self._send(200, {"faults": srv.faults.list()})
        elif path == "/admin/release" and m == "POST":
            srv.faults.release_all()
            return self._send(200, {"released": True})
        elif path == "/admin/tokens" and m == "POST":
            srv.tokens.add(body["token"], body.get("user", "user"), body.get("expiresIn"),
                           body.get("forbidden", False))
            return self._send(201, {"token": body["token"]})
        elif path == "/admin/tokens/expire" and m == "POST":
            if not srv.tokens.expire(body["token"], body.get("after", 0),
                                     body.get("afterRequests")):
                raise APIError(404, "NotFound", "no such token")
            return self._send(200, {"token": body["token"]})
        elif path == "/admin/requests":
            if m == "GET":
                return self._send(200, srv.log.query(float(query.get("since", 0)),
                                                     query.get("user"), query.get("agent")))
            if m == "DELETE":
                srv.log.clear()
                return self._send(200, {"cleared": True})
        elif path == "/admin/deployment-delay" and m in ("PUT", "POST"):
            srv.controller.delay = float(body["seconds"])
            return self._send(200, {"seconds": srv.controller.delay})
        elif path == "/admin/watches/close" and m == "POST":
            with srv.store.lock:
                srv.store.watch_epoch += 1
                srv.store.lock.notify_all()
            return self._send(200, {"closed": True})
        elif path == "/admin/state" and m == "GET":
            with srv.store.lock:
                return self._send(200, {"resourceVersion": str(srv.store.rv)})
        raise page_not_found()


def main(argv=None):
    p = argparse.ArgumentParser(description="kubectl-feast's test API server")
    p.add_argument("--certs", required=True, help="directory made by mkcerts.sh")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--token", action="append", default=[], metavar="TOKEN=USER")
    p.add_argument("--forbidden-token", action="append", default=[],
                   metavar="TOKEN[=USER]", help="authenticates, then 403 on every resource")
    p.add_argument("--token-file-user", action="append", default=[], metavar="PATH=USER",
                   help="the current content of PATH is a valid token for USER")
    p.add_argument("--basic-user", action="append", default=[], metavar="NAME:PASSWORD",
                   help="HTTP basic auth: NAME with PASSWORD is user NAME")
    p.add_argument("--admin-token", help="bearer token of the /admin/ API")
    p.add_argument("--state", help="load objects from FILE at start, save them on exit")
    p.add_argument("--deployment-delay", type=float, default=0.5,
                   help="seconds until a Deployment's pods are all ready (<0: never)")
    p.add_argument("--bookmark-interval", type=float, default=60.0)
    p.add_argument("--event-window", type=int, default=20000,
                   help="watch events kept (older resourceVersions get 410 Expired)")
    p.add_argument("--idle-timeout", type=float, default=300.0,
                   help="close a keep-alive connection idle this long")
    p.add_argument("--log", help="append each request as a JSON line to FILE")
    p.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    p.add_argument("--max-lifetime", type=float, help="exit after this many seconds")
    args = p.parse_args(argv)
    srv = Server(args)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    t.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.replace(tmp, args.port_file)
    started = time.monotonic()
    while not stop.wait(0.5):
        if args.state and srv.store.dirty:
            srv.store.save(args.state)
        if args.max_lifetime and time.monotonic() - started > args.max_lifetime:
            break
        if args.parent_pid:
            try:
                os.kill(args.parent_pid, 0)
            except ProcessLookupError:
                break
    srv.shutdown()
    if args.state:
        srv.store.save(args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
