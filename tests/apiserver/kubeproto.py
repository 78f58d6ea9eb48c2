"""kubeproto.py -- request bodies in Kubernetes protobuf (`application/vnd.kubernetes.protobuf`),
decoded into the JSON dict a client would have sent for the same object, so that the rest of
the test API server (validation, defaults, managedFields, dry run) treats both alike.

    obj = decode(raw, "ConfigMap", "v1", kinds=("ConfigMap",))  # raises Malformed / Unsupported

The body is the magic `k8s\\x00`, then a runtime.Unknown: 1 typeMeta {1 apiVersion,
2 kind}, 2 raw (the object's own message), 3 contentEncoding, 4 contentType. A message is
read through a table, field number -> (JSON name, type, mode), listed in the Go struct's
field order, so the dict has the key order kube's JSON encoder writes. Field numbers are
those of k8s.io/api and k8s.io/apimachinery `generated.proto` (1.32).

How Go's encoding/json writes the decoded structs, which the modes reproduce: the generated
marshallers put every non-pointer field on the wire, empty or not, so an empty string says
nothing; `omitempty` scalars, lists and maps (OMIT) are left out when zero or empty; fields
without omitempty (KEEP) are written even then (a nil list or map as null; a non-pointer
struct is always written, a zero metav1.Time as null); pointers (PTR) are written exactly
when present on the wire. `bytes` become base64 strings.

A field number the tables do not know is Unsupported (the server answers 415), never
skipped: kube-apiserver would drop it silently, and a test server that did the same would
hide that its tables are behind. Bad wire data is Malformed (400).
"""
import base64
import datetime
import json

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

OMIT, KEEP, PTR = "omit", "keep", "ptr"

# Scalar types and how a wire value becomes JSON. Anything else is a message name, "[]T" a
# repeated field, "map[string]T" a map (repeated entries {1 key, 2 value}).
VARINT_TYPES = ("bool", "int32", "int64")
SCALARS = VARINT_TYPES + ("string", "bytes")


def _f(num, name, typ, mode=OMIT):
    return (num, name, typ, mode)


# message name -> fields in Go struct order
MESSAGES = {
    # ---- k8s.io/apimachinery/pkg/apis/meta/v1 ----
    "ObjectMeta": [
        _f(1, "name", "string"), _f(2, "generateName", "string"),
        _f(3, "namespace", "string"), _f(4, "selfLink", "string"), _f(5, "uid", "string"),
        _f(6, "resourceVersion", "string"), _f(7, "generation", "int64"),
        _f(8, "creationTimestamp", "Time", KEEP), _f(9, "deletionTimestamp", "Time", PTR),
        _f(10, "deletionGracePeriodSeconds", "int64", PTR),
        _f(11, "labels", "map[string]string"), _f(12, "annotations", "map[string]string"),
        _f(13, "ownerReferences", "[]OwnerReference"), _f(14, "finalizers", "[]string"),
        _f(17, "managedFields", "[]ManagedFieldsEntry"),
    ],
    "OwnerReference": [
        _f(5, "apiVersion", "string", KEEP), _f(1, "kind", "string", KEEP),
        _f(3, "name", "string", KEEP), _f(4, "uid", "string", KEEP),
        _f(6, "controller", "bool", PTR), _f(7, "blockOwnerDeletion", "bool", PTR),
    ],
    "ManagedFieldsEntry": [
        _f(1, "manager", "string"), _f(2, "operation", "string"),
        _f(3, "apiVersion", "string"), _f(4, "time", "Time", PTR),
        _f(6, "fieldsType", "string"), _f(7, "fieldsV1", "FieldsV1", PTR),
        _f(8, "subresource", "string"),
    ],
    "LabelSelector": [
        _f(1, "matchLabels", "map[string]string"),
        _f(2, "matchExpressions", "[]LabelSelectorRequirement"),
    ],
    "LabelSelectorRequirement": [
        _f(1, "key", "string", KEEP), _f(2, "operator", "string", KEEP),
        _f(3, "values", "[]string"),
    ],
    # (propagationPolicy: a string on the wire, as generated.proto says, though the Go
    # struct tag says varint)
    "DeleteOptions": [
        _f(1, "gracePeriodSeconds", "int64", PTR), _f(2, "preconditions", "Preconditions", PTR),
        _f(3, "orphanDependents", "bool", PTR), _f(4, "propagationPolicy", "string", PTR),
        _f(5, "dryRun", "[]string"),
        _f(6, "ignoreStoreReadErrorWithClusterBreakingPotential", "bool", PTR),
    ],
    "Preconditions": [
        _f(1, "uid", "string", PTR), _f(2, "resourceVersion", "string", PTR),
    ],
    # ---- k8s.io/api/core/v1 ----
    "Namespace": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(2, "spec", "NamespaceSpec", KEEP),
        _f(3, "status", "NamespaceStatus", KEEP),
    ],
    "NamespaceSpec": [_f(1, "finalizers", "[]string")],
    "NamespaceStatus": [
        _f(1, "phase", "string"), _f(2, "conditions", "[]NamespaceCondition"),
    ],
    "NamespaceCondition": [
        _f(1, "type", "string", KEEP), _f(2, "status", "string", KEEP),
        _f(4, "lastTransitionTime", "Time", KEEP), _f(5, "reason", "string"),
        _f(6, "message", "string"),
    ],
    "ConfigMap": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(4, "immutable", "bool", PTR),
        _f(2, "data", "map[string]string"), _f(3, "binaryData", "map[string]bytes"),
    ],
    "Secret": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(5, "immutable", "bool", PTR),
        _f(2, "data", "map[string]bytes"), _f(4, "stringData", "map[string]string"),
        _f(3, "type", "string"),
    ],
    "ServiceAccount": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(2, "secrets", "[]ObjectReference"),
        _f(3, "imagePullSecrets", "[]LocalObjectReference"),
        _f(4, "automountServiceAccountToken", "bool", PTR),
    ],
    "ObjectReference": [
        _f(1, "kind", "string"), _f(2, "namespace", "string"), _f(3, "name", "string"),
        _f(4, "uid", "string"), _f(5, "apiVersion", "string"),
        _f(6, "resourceVersion", "string"), _f(7, "fieldPath", "string"),
    ],
    "LocalObjectReference": [_f(1, "name", "string")],
    # ---- k8s.io/api/rbac/v1 ----
    "Role": [_f(1, "metadata", "ObjectMeta", KEEP), _f(2, "rules", "[]PolicyRule", KEEP)],
    "ClusterRole": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(2, "rules", "[]PolicyRule", KEEP),
        _f(3, "aggregationRule", "AggregationRule", PTR),
    ],
    "AggregationRule": [_f(1, "clusterRoleSelectors", "[]LabelSelector")],
    "PolicyRule": [
        _f(1, "verbs", "[]string", KEEP), _f(2, "apiGroups", "[]string"),
        _f(3, "resources", "[]string"), _f(4, "resourceNames", "[]string"),
        _f(5, "nonResourceURLs", "[]string"),
    ],
    "RoleBinding": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(2, "subjects", "[]Subject"),
        _f(3, "roleRef", "RoleRef", KEEP),
    ],
    "ClusterRoleBinding": [
        _f(1, "metadata", "ObjectMeta", KEEP), _f(2, "subjects", "[]Subject"),
        _f(3, "roleRef", "RoleRef", KEEP),
    ],
    "Subject": [
        _f(1, "kind", "string", KEEP), _f(2, "apiGroup", "string"),
        _f(3, "name", "string", KEEP), _f(4, "namespace", "string"),
    ],
    "RoleRef": [
        _f(1, "apiGroup", "string", KEEP), _f(2, "kind", "string", KEEP),
        _f(3, "name", "string", KEEP),
    ],
}

# Two messages have their own JSON form (see _time, _fieldsv1): metav1.Time {1 seconds,
# 2 nanos} is an RFC 3339 string of whole seconds (kube drops the nanos on decode), null when
# empty; FieldsV1 {1 Raw} holds JSON text.
SPECIAL = ("Time", "FieldsV1")

# The top-level kinds a body may carry.
KINDS = ("Namespace", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding",
         "ClusterRole", "ClusterRoleBinding", "DeleteOptions")

_BY_NUM = {m: {f[0]: f for f in fields} for m, fields in MESSAGES.items()}
for _m, _fields in MESSAGES.items():
    for _num, _name, _typ, _mode in _fields:
        _elem = _typ[2:] if _typ.startswith("[]") else _typ
        # a struct field is a pointer or always written: omitempty does not apply to structs
        assert _elem in SCALARS or _elem.startswith("map[") or _typ.startswith("[]") or \
            _mode != OMIT, (_m, _name)
        assert _elem in SCALARS or _elem in SPECIAL or _elem in MESSAGES or \
            _elem.startswith("map[string]") and _elem[11:] in SCALARS, (_m, _name)
_WIRE_NAMES = {0: "varint", 1: "fixed64", 2: "bytes", 3: "start group", 4: "end group",
               5: "fixed32"}


class Malformed(Exception):
    """The body is not valid protobuf (400). gvk: (apiVersion, kind) of the envelope, once
    it was read."""

    gvk = None


class Unsupported(Exception):
    """Valid, but beyond what this decoder knows (415)."""


# ---- wire format ----

def _varint(buf, i):
    shift = value = 0
    while True:
        if shift >= 64:
            raise Malformed("proto: integer overflow")
        if i >= len(buf):
            raise Malformed("unexpected EOF")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, i
        shift += 7


def fields(buf, msg="message"):
    """Yield (number, wire type, value) of a message: an int for varint and fixed
    fields, the bytes of length-delimited ones."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if num <= 0 or num > 0x1FFFFFFF:
            raise Malformed("proto: %s: illegal tag %d (wire type %d)" % (msg, num, wt))
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            if i + n > len(buf):
                raise Malformed("unexpected EOF")
            val = int.from_bytes(buf[i:i + n], "little")
            i += n
        elif wt == 2:
            n, i = _varint(buf, i)
            if n >= 1 << 63:
                raise Malformed("proto: negative length found during unmarshaling")
            if i + n > len(buf):
                raise Malformed("unexpected EOF")
            val = bytes(buf[i:i + n])
            i += n
        elif wt in (3, 4):
            raise Malformed("proto: %s: wiretype %s for non-group" % (msg, _WIRE_NAMES[wt]))
        else:
            raise Malformed("proto: %s: illegal wireType %d" % (msg, wt))
        yield num, wt, val


def _signed(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _scalar(typ, val):
    if typ == "bool":
        return val != 0
    if typ == "int32":
        return _signed(val, 32)
    if typ == "int64":
        return _signed(val, 64)
    if typ == "string":
        return val.decode("utf-8", errors="replace")   # Go's JSON encoder does the same
    return base64.b64encode(val).decode()             # bytes


def _zero(typ):
    """What Go writes for a KEEP field absent from the wire."""
    if typ.startswith(("[]", "map[")) or typ in ("Time", "bytes"):
        return None                     # a nil list, map or []byte; a zero metav1.Time
    if typ in SCALARS:
        return {"string": "", "bool": False}.get(typ, 0)
    return message(typ, b"", ())


def _is_zero(v):
    return v is None or v is False or v == 0 or v == "" or v == [] or v == {}


# ---- messages ----

def message(name, buf, path):
    """The JSON value of message `name` (bytes buf); path is where it sits, for errors."""
    if name == "Time":
        return _time(buf, path)
    if name == "FieldsV1":
        return _fieldsv1(buf, path)
    table = _BY_NUM[name]
    seen = {}
    for num, wt, val in fields(buf, name):
        f = table.get(num)
        if f is None:
            raise Unsupported("unknown field %d in %s%s" % (num, name, _where(path)))
        _, fname, typ, _ = f
        elem = typ[2:] if typ.startswith("[]") else typ
        want = 0 if elem in VARINT_TYPES else 2
        if wt != want:
            raise Malformed("proto: wrong wireType = %d for field %s" % (wt, _go_name(fname)))
        seen.setdefault(num, []).append(val)
    out = {}
    for num, fname, typ, mode in MESSAGES[name]:
        vals = seen.get(num)
        sub = path + (fname,)
        if typ.startswith("map["):
            v = _map(typ[len("map[string]"):], vals or [], sub, name)
        elif typ.startswith("[]"):
            elem = typ[2:]
            v = [(_scalar(elem, x) if elem in SCALARS else message(elem, x, sub + (i,)))
                 for i, x in enumerate(vals or [])] or None
        elif vals is None:
            if mode == KEEP:
                out[fname] = _zero(typ)
            continue
        elif typ in SCALARS:
            v = _scalar(typ, vals[-1])
        else:
            # Occurrences of a message field merge, as protobuf concatenation does.
            v = message(typ, b"".join(vals), sub)
        if mode != OMIT or not _is_zero(v):
            out[fname] = v
    return out


def _map(vtyp, entries, path, msg):
    out = {}
    for e in entries:
        k, v = "", b""
        for num, wt, val in fields(e, msg + " map entry"):
            if num not in (1, 2):
                raise Unsupported("unknown field %d in a map entry%s" % (num, _where(path)))
            if wt != 2:
                raise Malformed("proto: wrong wireType = %d for field %s" % (
                    wt, "key" if num == 1 else "value"))
            if num == 1:
                k = val.decode("utf-8", errors="replace")
            else:
                v = val
        out[k] = _scalar(vtyp, v)
    return out or None


def _time(buf, path):
    if not buf:
        return None
    secs = 0
    for num, wt, val in fields(buf, "Timestamp"):
        if num not in (1, 2):
            raise Unsupported("unknown field %d in Time%s" % (num, _where(path)))
        if wt != 0:
            raise Malformed("proto: wrong wireType = %d for field %s" % (
                wt, "Seconds" if num == 1 else "Nanos"))
        if num == 1:
            secs = _signed(val, 64)
    try:
        t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + \
            datetime.timedelta(seconds=secs)
    except OverflowError:
        raise Malformed("proto: Timestamp seconds out of range: %d" % secs)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fieldsv1(buf, path):
    raw = b""
    for num, wt, val in fields(buf, "FieldsV1"):
        if num != 1:
            raise Unsupported("unknown field %d in FieldsV1%s" % (num, _where(path)))
        if wt != 2:
            raise Malformed("proto: wrong wireType = %d for field Raw" % wt)
        raw = val
    try:
        return json.loads(raw) if raw else None
    except ValueError as e:
        raise Malformed("FieldsV1 is not JSON: %s" % e)


def _go_name(json_name):
    return json_name[:1].upper() + json_name[1:]


def _where(path):
    if not path:
        return ""
    s = ""
    for p in path:
        s += "[%d]" % p if isinstance(p, int) else "." + p
    return " (at %s)" % s[1:] if s.startswith(".") else " (at %s)" % s


# ---- the envelope ----

def envelope(raw):
    """(apiVersion, kind, object bytes) of a body; raises Malformed or Unsupported."""
    if not raw.startswith(MAGIC):
        raise Malformed("provided data does not appear to be a protobuf message, expected "
                        "prefix [107 56 115 0]")
    av = kind = enc = ctype = ""
    obj = b""
    for num, wt, val in fields(raw[len(MAGIC):], "Unknown"):
        if num > 4:
            raise Unsupported("unknown field %d in the runtime.Unknown envelope" % num)
        if wt != 2:
            raise Malformed("proto: wrong wireType = %d for field %s" % (
                wt, ("TypeMeta", "Raw", "ContentEncoding", "ContentType")[num - 1]))
        if num == 1:
            for n2, w2, v2 in fields(val, "TypeMeta"):
                if n2 not in (1, 2):
                    raise Unsupported("unknown field %d in the envelope's TypeMeta" % n2)
                if w2 != 2:
                    raise Malformed("proto: wrong wireType = %d for field %s" % (
                        w2, "APIVersion" if n2 == 1 else "Kind"))
                if n2 == 1:
                    av = v2.decode("utf-8", errors="replace")
                else:
                    kind = v2.decode("utf-8", errors="replace")
        elif num == 2:
            obj = val
        elif num == 3:
            enc = val.decode("utf-8", errors="replace")
        else:
            ctype = val.decode("utf-8", errors="replace")
    if enc:
        raise Unsupported("contentEncoding %r in the envelope" % enc)
    if ctype and ctype != CONTENT_TYPE:
        raise Unsupported("contentType %r in the envelope" % ctype)
    return av, kind, obj


def decode(raw, kind, api_version, kinds=None):
    """The JSON dict of a protobuf body sent where a `kind` of `api_version` is expected
    (an envelope without kind or apiVersion gets these, as kube's decoder defaults
    them). kinds: the kinds accepted here (default: kind). Raises Malformed with kube's
    message or Unsupported naming what is not decoded."""
    if not raw:
        raise Malformed("empty data")
    av, k, obj = envelope(raw)
    av, k = av or api_version, k or kind
    if k not in (kinds or (kind,)) or k not in MESSAGES:
        raise Unsupported("kind %s (%s)" % (k, av))
    try:
        body = message(k, obj, ())
    except Unsupported as e:
        raise Unsupported("%s: %s" % (k, e))
    except Malformed as e:
        e.gvk = (av, k)
        raise
    out = {"kind": k, "apiVersion": av}
    out.update(body)
    return out
