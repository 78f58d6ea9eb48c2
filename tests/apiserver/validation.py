"""validation.py -- the subset of kube-apiserver's object validation the tests rely on.

Each check returns field errors shaped like apimachinery's field.Error; the server
turns them into a 422 `Invalid` Status with one cause per error and kube-apiserver's
message: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be
greater than or equal to 0` (several errors are joined inside `[...]`).
"""
import json
import os
import re

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fields.json")) as _f:
    _FIELDS = json.load(_f)

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                 "characters, '-' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
             "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
             "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, "
                   "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                   "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                   "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                 "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                 "'123-abc', regex used for validation is "
                 "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                  "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                  "is '[-._a-zA-Z0-9]+')")


def go_value(v):
    """How field.Invalid prints a value (%#v for the usual JSON types)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "map[string]interface {}{" + ", ".join(
            "%s:%s" % (json.dumps(k), go_value(x)) for k, x in sorted(v.items())) + "}"
    if isinstance(v, list):
        return "[]interface {}{" + ", ".join(go_value(x) for x in v) + "}"
    return str(v)


class FieldError:
    def __init__(self, kind, field, value=None, detail=""):
        self.kind, self.field, self.value, self.detail = kind, field, value, detail

    def body(self):
        if self.kind == "FieldValueInvalid":
            s = "Invalid value: %s" % go_value(self.value)
            return s + (": " + self.detail if self.detail else "")
        if self.kind == "FieldValueRequired":
            return "Required value" + (": " + self.detail if self.detail else "")
        if self.kind == "FieldValueForbidden":
            return "Forbidden" + (": " + self.detail if self.detail else "")
        if self.kind == "FieldValueDuplicate":
            return "Duplicate value: %s" % go_value(self.value)
        if self.kind == "FieldValueNotSupported":
            return "Unsupported value: %s: supported values: %s" % (
                go_value(self.value), ", ".join(json.dumps(x) for x in self.detail))
        return self.detail

    def __str__(self):
        return "%s: %s" % (self.field, self.body())

    def cause(self):
        return {"reason": self.kind, "message": self.body(), "field": self.field}


def invalid(field, value, detail):
    return FieldError("FieldValueInvalid", field, value, detail)


def required(field, detail=""):
    return FieldError("FieldValueRequired", field, None, detail)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _labels(labels, field):
    errs = []
    if labels is None:
        return errs
    if not isinstance(labels, dict):
        return [invalid(field, labels, "must be a map")]
    for k, v in labels.items():
        name = k.split("/", 1)[-1]
        if not QUALIFIED_NAME.match(name) or len(name) > 63:
            errs.append(invalid(field, k, NAME_PART_MSG))
        if not isinstance(v, str) or not LABEL_VALUE.match(v) or len(v) > 63:
            errs.append(invalid(field, v, LABEL_VALUE_MSG))
    return errs


def metadata(r, obj, namespaced_name_rule="subdomain"):
    meta = obj.get("metadata") or {}
    errs = []
    name = meta.get("name")
    if not name:
        errs.append(required("metadata.name", "name or generateName is required"))
    elif r.plural in ("namespaces", "services"):
        if not DNS1123_LABEL.match(name) or len(name) > 63:
            errs.append(invalid("metadata.name", name, LABEL_MSG))
    elif r.group == "rbac.authorization.k8s.io":
        if "/" in name or "%" in name or name in (".", ".."):
            errs.append(invalid("metadata.name", name,
                                "may not contain '/'" if "/" in name else "may not contain '%'"))
    elif not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        errs.append(invalid("metadata.name", name, SUBDOMAIN_MSG))
    errs += _labels(meta.get("labels"), "metadata.labels")
    return errs


def _containers(cs, field, required_list=True):
    errs = []
    if not cs:
        if required_list:
            errs.append(required(field))
        return errs
    seen = set()
    for i, c in enumerate(cs):
        f = "%s[%d]" % (field, i)
        name = c.get("name") if isinstance(c, dict) else None
        if not name:
            errs.append(required(f + ".name"))
        elif not DNS1123_LABEL.match(name):
            errs.append(invalid(f + ".name", name, LABEL_MSG))
        elif name in seen:
            errs.append(FieldError("FieldValueDuplicate", f + ".name", name))
        seen.add(name)
        if isinstance(c, dict) and not c.get("image"):
            errs.append(required(f + ".image"))
        for j, p in enumerate((c or {}).get("ports") or []):
            port = p.get("containerPort")
            if not _is_int(port) or not 1 <= port <= 65535:
                errs.append(invalid("%s.ports[%d].containerPort" % (f, j), port,
                                    "must be between 1 and 65535, inclusive"))
    return errs


def pod_spec(spec, field):
    spec = spec or {}
    return _containers(spec.get("containers"), field + ".containers") + \
        _containers(spec.get("initContainers"), field + ".initContainers", False)


def _selector_matches(selector, labels):
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def _go_labels(d):
    return "map[string]string{" + ", ".join(
        "%s:%s" % (json.dumps(k), json.dumps(v)) for k, v in sorted(d.items())) + "}"


def deployment(obj, old):
    spec = obj.get("spec") or {}
    errs = []
    reps = spec.get("replicas")
    if reps is not None and (not _is_int(reps) or reps < 0):
        errs.append(invalid("spec.replicas", reps, "must be greater than or equal to 0"))
    sel = spec.get("selector")
    tmpl = spec.get("template") or {}
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    if not sel:
        errs.append(required("spec.selector"))
    elif not (sel.get("matchLabels") or sel.get("matchExpressions")):
        errs.append(invalid("spec.selector", sel, "empty selector is invalid for deployment"))
    elif not _selector_matches(sel, labels):
        errs.append(FieldError("FieldValueInvalid", "spec.template.metadata.labels", None,
                               "`selector` does not match template `labels`"))
        errs[-1].body = lambda: ("Invalid value: %s: `selector` does not match template "
                                 "`labels`" % _go_labels(labels))
    if old is not None and sel and (old.get("spec") or {}).get("selector") != sel:
        errs.append(FieldError("FieldValueInvalid", "spec.selector", None, "field is immutable"))
        errs[-1].body = lambda: ("Invalid value: v1.LabelSelector{MatchLabels:%s, "
                                 "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field "
                                 "is immutable" % _go_labels(sel.get("matchLabels") or {}))
    errs += pod_spec(tmpl.get("spec"), "spec.template.spec")
    return errs


def lease(obj, old):
    spec = obj.get("spec") or {}
    errs = []
    d = spec.get("leaseDurationSeconds")
    if d is not None and (not _is_int(d) or d <= 0):
        errs.append(invalid("spec.leaseDurationSeconds", d, "must be greater than 0"))
    t = spec.get("leaseTransitions")
    if t is not None and (not _is_int(t) or t < 0):
        errs.append(invalid("spec.leaseTransitions", t, "must be greater than or equal to 0"))
    if spec.get("preferredHolder") and not spec.get("strategy"):
        errs.append(FieldError("FieldValueForbidden", "spec.preferredHolder", None,
                               "may only be specified if `strategy` is defined"))
    return errs


def configmap(obj, old):
    errs = []
    for field in ("data", "binaryData"):
        for k in (obj.get(field) or {}):
            if not CONFIG_KEY.match(k) or len(k) > 253:
                errs.append(invalid(field, k, CONFIG_KEY_MSG))
    return errs


def service(obj, old):
    spec = obj.get("spec") or {}
    errs = []
    ports = spec.get("ports")
    if not ports and spec.get("type", "ClusterIP") != "ExternalName" and \
            spec.get("clusterIP") != "None":
        errs.append(required("spec.ports"))
    for i, p in enumerate(ports or []):
        port = p.get("port")
        if not _is_int(port) or not 1 <= port <= 65535:
            errs.append(invalid("spec.ports[%d].port" % i, port,
                                "must be between 1 and 65535, inclusive"))
    return errs


def hpa(obj, old):
    spec = obj.get("spec") or {}
    errs = []
    ref = spec.get("scaleTargetRef") or {}
    if not ref.get("kind"):
        errs.append(required("spec.scaleTargetRef.kind"))
    if not ref.get("name"):
        errs.append(required("spec.scaleTargetRef.name"))
    mn, mx = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if not _is_int(mx) or mx < 1:
        errs.append(invalid("spec.maxReplicas", mx, "must be greater than or equal to 1"))
    elif _is_int(mn) and mn > mx:
        errs.append(invalid("spec.maxReplicas", mx,
                            "must be greater than or equal to `minReplicas`"))
    return errs


def pdb(obj, old):
    spec = obj.get("spec") or {}
    if "minAvailable" in spec and "maxUnavailable" in spec:
        e = FieldError("FieldValueInvalid", "spec", None, "")
        e.body = lambda: ("Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable "
                          "and maxUnavailable cannot be both set")
        return [e]
    return []


def featurestore(obj, old):
    spec = obj.get("spec")
    if not isinstance(spec, dict) or not spec.get("feastProject"):
        return [required("spec.feastProject")]
    reps = spec.get("replicas")
    if reps is not None and (not _is_int(reps) or reps < 1):
        return [invalid("spec.replicas", reps, "spec.replicas in body should be greater than "
                        "or equal to 1")]
    return []


def pod(obj, old):
    return pod_spec(obj.get("spec"), "spec")


def cronjob(obj, old):
    spec = obj.get("spec") or {}
    errs = []
    if not spec.get("schedule"):
        errs.append(required("spec.schedule"))
    tmpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    errs += pod_spec(tmpl.get("spec"), "spec.jobTemplate.spec.template.spec")
    return errs


CHECKS = {"deployments": deployment, "leases": lease, "configmaps": configmap,
          "services": service, "horizontalpodautoscalers": hpa, "poddisruptionbudgets": pdb,
          "featurestores": featurestore, "pods": pod, "cronjobs": cronjob}


def validate(r, obj, old=None):
    errs = metadata(r, obj)
    check = CHECKS.get(r.plural)
    if check:
        errs += check(obj, old)
    return errs


def scale(replicas):
    if not _is_int(replicas) or replicas < 0:
        return [invalid("spec.replicas", replicas, "must be greater than or equal to 0")]
    return []


def message(qualified_kind, name, errs):
    if len(errs) == 1:
        return '%s "%s" is invalid: %s' % (qualified_kind, name, errs[0])
    return '%s "%s" is invalid: [%s]' % (qualified_kind, name, ", ".join(str(e) for e in errs))


# ---- unknown fields (fieldValidation) -----------------------------------------------

def _node(n):
    while isinstance(n, str):
        n = _FIELDS["shared"][n]
    return n


def unknown_fields(key, obj, facts, prune=True):
    """Fields the kind's schema does not declare, as [(decoder path, apply path)]:
    `spec.template.spec.containers[0].foo` (strict decoding errors) and
    `.spec.template.spec.containers[name="c"].foo` (server-side apply errors).
    With prune, they are removed from obj, as kube-apiserver drops them."""
    out = []
    root = _FIELDS["kinds"].get(key)
    if root is not None and isinstance(obj, dict):
        _walk(obj, root, "", "", (), facts, out, prune)
    return out


def _walk(v, node, kpath, apath, spath, facts, out, prune):
    node = _node(node)
    if node == 1:
        return
    if isinstance(v, list):
        lt, keys = facts.list_type(spath)
        for i, x in enumerate(v):
            if lt == "map" and isinstance(x, dict):
                kv = {k: x.get(k) for k in sorted(keys) if k in x}
                el = "[" + ",".join("%s=%s" % (k, json.dumps(kv[k])) for k in kv) + "]"
            elif lt == "set":
                el = "[=%s]" % json.dumps(x)
            else:
                el = "[%d]" % i
            _walk(x, node, "%s[%d]" % (kpath, i), apath + el, spath + ("[]",), facts, out,
                  prune)
        return
    if not isinstance(v, dict):
        return
    for k in list(v):
        sub = node.get("*", node.get(k))
        kp = k if not kpath else kpath + "." + k
        if sub is None:
            out.append((kp, apath + "." + k))
            if prune:
                del v[k]
        else:
            _walk(v[k], sub, kp, apath + "." + k, spath + (k,), facts, out, prune)
