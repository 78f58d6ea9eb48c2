"""merge.py -- the patch formats and server-side apply of the test API server.

* JSON merge patch (RFC 7386), JSON patch (RFC 6902).
* Strategic merge patch: lists with a patch strategy `merge` are merged by their
  patch merge key (containers/env/volumes/ports by name or port, conditions by
  type), primitive lists with strategy merge are unions; directives `$patch:
  replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<f>`,
  `$setElementOrder/<f>` (accepted, order not enforced).
* Server-side apply (structured-merge-diff semantics, simplified): field sets per
  manager in `metadata.managedFields` (FieldsV1), associative lists by their
  list-map-keys (merged in structured-merge-diff's order), sets, atomic lists and
  maps; conflicts between managers; removal
  of fields an applier stopped applying; Update operations taking ownership of the
  fields they change.

Merge facts (which list is a map, its keys, its patch strategy) come from
listtypes.json, generated from the Kubernetes 1.32 schemas by gen_listtypes.py.
Paths there are field names joined by "." with "[]" for a list item.
"""
import copy
import json
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "listtypes.json")) as _f:
    _FACTS = json.load(_f)
_META = {k: v for k, v in _FACTS["v1/Pod"].items() if k.startswith("metadata.")}
# List-map key fields that kube-apiserver defaults, so an applied item without them
# still matches the live one (`protocol: TCP` on ports).
KEY_DEFAULTS = {"protocol": "TCP"}


class PatchError(Exception):
    """A patch that cannot be applied (-> 422 or 400 in the server)."""

    def __init__(self, message, code=422):
        super().__init__(message)
        self.code = code


class Facts:
    """Merge facts of one kind: lookups by path tuple ("spec", "ports", "[]", ...)."""

    def __init__(self, key):
        self.table = dict(_META)
        self.table.update(_FACTS.get(key, {}))

    def _get(self, path, prefix):
        for fact in self.table.get(".".join(path), "").split():
            if fact.startswith(prefix):
                return fact[len(prefix):]
        return None

    def list_type(self, path):
        """('map', [keys]) | ('set', None) | ('atomic', None)"""
        lt = self._get(path, "list=")
        if lt is None:
            return ("atomic", None)
        if lt.startswith("map:"):
            return ("map", lt[4:].split(","))
        return ("set", None)

    def map_atomic(self, path):
        return self._get(path, "map=") == "atomic"

    def smp(self, path):
        """(strategies, merge key) for strategic merge patch, or (None, None)."""
        s = self._get(path, "smp=")
        if s is None:
            return (None, None)
        strat, key = s.split(":", 1)
        return (strat.split(","), key or None)


# ---- JSON merge patch ---------------------------------------------------------------

def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


# ---- JSON patch ---------------------------------------------------------------------

def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, parts):
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise PatchError("doc is missing path: %s" % "/" + "/".join(parts))
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise PatchError("doc is missing path: %s" % "/" + "/".join(parts))
        else:
            raise PatchError("doc is missing path: %s" % "/" + "/".join(parts))
    return cur


def _remove(doc, parts, path):
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError("Unable to remove nonexistent key: %s: missing value" % last)
        return parent.pop(last)
    if isinstance(parent, list):
        try:
            return parent.pop(int(last))
        except (ValueError, IndexError):
            raise PatchError("Unable to access invalid index: %s: invalid index referenced"
                             % last)
    raise PatchError("doc is missing path: %s" % path)


def _add(doc, parts, value, path, replace=False):
    if not parts:
        return value
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError("replace operation does not apply: doc is missing key: %s: "
                             "missing value" % path)
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(value)
        else:
            try:
                i = int(last)
            except ValueError:
                raise PatchError("doc is missing path: %s" % path)
            if replace:
                if not 0 <= i < len(parent):
                    raise PatchError("replace operation does not apply: doc is missing key: "
                                     "%s: missing value" % path)
                parent[i] = value
            else:
                if not 0 <= i <= len(parent):
                    raise PatchError("Unable to access invalid index: %d: invalid index "
                                     "referenced" % i)
                parent.insert(i, value)
    else:
        raise PatchError("doc is missing path: %s" % path)
    return doc


def json_patch(doc, ops):
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch",
                         code=400)
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("Unexpected kind: <nil>", code=422)
        kind, path = op["op"], op.get("path", "")
        parts = _pointer(path)
        if kind == "add":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")), path)
        elif kind == "remove":
            _remove(doc, parts, path)
        elif kind == "replace":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")), path, replace=True)
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            val = _remove(doc, src, op.get("from")) if kind == "move" else \
                copy.deepcopy(_walk(doc, src))
            doc = _add(doc, parts, val, path)
        elif kind == "test":
            if _walk(doc, parts) != op.get("value"):
                raise PatchError("testing value %s failed: test failed" % path)
        else:
            raise PatchError("Unexpected kind: %s" % kind)
    return doc


# ---- strategic merge patch -----------------------------------------------------------

def _strip(v):
    """A patch value without directives (what gets stored when there is no original)."""
    if isinstance(v, dict):
        if v.get("$patch") == "delete":
            return None
        return {k: _strip(x) for k, x in v.items() if not k.startswith("$") and x is not None}
    if isinstance(v, list):
        return [_strip(x) for x in v if not (isinstance(x, dict) and "$patch" in x)]
    return v


def strategic_merge(orig, patch, facts, path=()):
    """Apply a strategic merge patch to `orig` (a dict). Returns a new object."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch: patch must be an object", code=400)
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip({k: v for k, v in patch.items() if k != "$patch"})
    if directive == "delete":
        return None
    result = dict(orig) if isinstance(orig, dict) else {}
    for k, v in patch.items():
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = [x for x in result[field] if x not in (v or [])]
            continue
        if k.startswith("$"):
            continue
        sub = path + (k,)
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict):
            if facts.map_atomic(sub) and v.get("$patch") != "delete":
                result[k] = _strip(v)
            else:
                merged = strategic_merge(result.get(k), v, facts, sub)
                if merged is None:
                    result.pop(k, None)
                else:
                    result[k] = merged
        elif isinstance(v, list):
            result[k] = _merge_list(result.get(k), v, facts, sub)
        else:
            result[k] = v
    keep = patch.get("$retainKeys")
    if isinstance(keep, list):
        result = {k: v for k, v in result.items() if k in keep}
    return result


def _merge_list(orig, patch, facts, path):
    strat, key = facts.smp(path)
    orig = list(orig) if isinstance(orig, list) else []
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [_strip(x) for x in patch if not (isinstance(x, dict) and "$patch" in x)]
    if not strat or "merge" not in strat:
        return _strip(patch)
    if key is None:  # a primitive list merged as a set (finalizers)
        out = list(orig)
        for x in patch:
            if x not in out:
                out.append(x)
        return out
    out = list(orig)
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError("strategic merge patch: %s: list items must be objects"
                             % ".".join(path), code=400)
        if key not in item:
            raise PatchError("map: %s does not contain declared merge key: %s"
                             % (_go_map(item), key), code=400)
        idx = next((i for i, o in enumerate(out)
                    if isinstance(o, dict) and o.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(_strip(item))
        else:
            out[idx] = strategic_merge(out[idx], item, facts, path + ("[]",))
    return out


def _go_map(d):
    return "map[" + " ".join("%s:%s" % (k, v) for k, v in sorted(d.items())) + "]"


# ---- field sets (server-side apply) --------------------------------------------------
# A path is a tuple of elements: ("f", name) field, ("k", json) associative list item,
# ("v", json) set item, ("i", n) atomic list index (not produced here).

IGNORED = {(("f", "apiVersion"),), (("f", "kind"),)} | {
    (("f", "metadata"), ("f", f)) for f in (
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
        "generateName")}


def _key_of(item, keys):
    return json.dumps({k: item.get(k, KEY_DEFAULTS.get(k)) for k in sorted(keys)},
                      separators=(",", ":"), sort_keys=True)


def field_set(obj, facts):
    """Every owned path of obj: leaves, plus associative-list items themselves."""
    out = set()
    _fields(obj, facts, (), (), out)
    return {p for p in out if p[:2] not in IGNORED and p[:1] not in IGNORED}


def _fields(v, facts, spath, fpath, out):
    if isinstance(v, dict):
        if (not v or facts.map_atomic(spath)) and fpath:
            out.add(fpath)
            return
        for k, x in v.items():
            if x is None:
                continue
            _fields(x, facts, spath + (k,), fpath + (("f", k),), out)
    elif isinstance(v, list):
        lt, keys = facts.list_type(spath)
        if lt == "map":
            for item in v:
                if not isinstance(item, dict):
                    continue
                ip = fpath + (("k", _key_of(item, keys)),)
                out.add(ip)
                for k, x in item.items():
                    if x is not None:
                        _fields(x, facts, spath + ("[]", k), ip + (("f", k),), out)
        elif lt == "set":
            for item in v:
                out.add(fpath + (("v", json.dumps(item, separators=(",", ":"))),))
        else:
            out.add(fpath)
    else:
        out.add(fpath)


def fields_to_json(paths):
    """FieldsV1 of a path set: {"f:spec":{"f:replicas":{}}}; "." marks an owned item."""
    root = {}
    ends = []
    for p in sorted(paths):
        node = root
        for el in p:
            node = node.setdefault(el[0] + ":" + el[1], {})
        ends.append(node)
    for node in ends:
        if node and "." not in node:
            node["."] = {}
    return _sorted_tree(root)


def _sorted_tree(node):
    return {k: _sorted_tree(node[k]) for k in sorted(node, key=lambda k: (k != ".", k))}


def json_to_fields(tree, prefix=()):
    out = set()
    for key, sub in (tree or {}).items():
        if key == ".":
            out.add(prefix)
            continue
        kind, _, rest = key.partition(":")
        el = (kind, rest)
        if sub:
            out |= json_to_fields(sub, prefix + (el,))
        else:
            out.add(prefix + (el,))
    return out


def path_string(p):
    """structured-merge-diff's Path.String(): .spec.containers[name="c"].image"""
    s = ""
    for kind, val in p:
        if kind == "f":
            s += "." + val
        elif kind == "k":
            kv = json.loads(val)
            s += "[" + ",".join("%s=%s" % (k, _go_value(kv[k])) for k in sorted(kv)) + "]"
        elif kind == "v":
            s += "[=" + _go_value(json.loads(val)) + "]"
        else:
            s += "[" + val + "]"
    return s


def _go_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    return str(v) if not isinstance(v, (dict, list)) else json.dumps(v, separators=(",", ":"))


def value_at(obj, path, facts):
    """The value at a path, or a sentinel when absent."""
    cur, spath = obj, ()
    for kind, val in path:
        if kind == "f":
            if not isinstance(cur, dict) or val not in cur:
                return _ABSENT
            cur, spath = cur[val], spath + (val,)
        elif kind == "k":
            if not isinstance(cur, list):
                return _ABSENT
            _, keys = facts.list_type(spath)
            cur = next((i for i in cur if isinstance(i, dict) and keys and
                        _key_of(i, keys) == val), _ABSENT)
            spath = spath + ("[]",)
            if cur is _ABSENT:
                return _ABSENT
        elif kind == "v":
            if not isinstance(cur, list) or json.loads(val) not in cur:
                return _ABSENT
            return json.loads(val)
        else:
            return _ABSENT
    return cur


_ABSENT = object()


def _remove_path(obj, path, facts):
    """Remove the field or list item at path (no-op when absent); prune emptied maps."""
    parents = []
    cur, spath = obj, ()
    for n, (kind, val) in enumerate(path):
        last = n == len(path) - 1
        if kind == "f":
            if not isinstance(cur, dict) or val not in cur:
                return
            if last:
                del cur[val]
                break
            parents.append((cur, val))
            cur, spath = cur[val], spath + (val,)
        elif kind == "k":
            if not isinstance(cur, list):
                return
            _, keys = facts.list_type(spath)
            idx = next((i for i, x in enumerate(cur) if isinstance(x, dict) and keys and
                        _key_of(x, keys) == val), None)
            if idx is None:
                return
            if last:
                cur.pop(idx)
                break
            parents.append((cur, idx))
            cur, spath = cur[idx], spath + ("[]",)
        elif kind == "v":
            if isinstance(cur, list) and json.loads(val) in cur:
                cur.remove(json.loads(val))
            break
        else:
            return
    for container, key in reversed(parents):
        if isinstance(container, dict) and container.get(key) in ({}, []):
            del container[key]
        else:
            break


def ssa_merge(live, config, facts, spath=()):
    """Merge an applied configuration onto the live object."""
    if isinstance(config, dict) and isinstance(live, dict) and not facts.map_atomic(spath):
        out = dict(live)
        for k, v in config.items():
            if v is None:
                continue
            out[k] = ssa_merge(live.get(k), v, facts, spath + (k,))
        return out
    if isinstance(config, list) and isinstance(live, list):
        lt, keys = facts.list_type(spath)
        if lt == "map":
            cfg = [x for x in config if isinstance(x, dict)]
            return _merge_in_order(
                live, cfg, lambda x: _key_of(x, keys) if isinstance(x, dict) else json.dumps(x),
                lambda old, new: ssa_merge(old, new, facts, spath + ("[]",)))
        if lt == "set":
            return _merge_in_order(live, config, lambda x: json.dumps(x, sort_keys=True),
                                   lambda old, new: new)
    return _drop_nulls(copy.deepcopy(config))


def _merge_in_order(live, config, key, merge):
    """The order structured-merge-diff gives a merged associative list or set: the
    applied items in the applied order, each live item that was not applied where it
    stood relative to them. A new applied item lands where the configuration puts it,
    not at the end; reordered items follow the configuration.

    Walks both lists at once: a live item that is also applied waits until it is the
    next shared item in the configuration's order; a live-only item is kept in place;
    otherwise the next applied item goes out, merged with its live counterpart."""
    lkeys = [key(x) for x in live]
    ckeys = [key(x) for x in config]
    applied = set(ckeys)
    live_by_key = {}
    for k, x in zip(lkeys, live):
        live_by_key.setdefault(k, x)
    shared = [k for k in ckeys if k in live_by_key]
    nxt = 0  # index in `shared` of the next shared item due
    out, done = [], set()
    i = j = 0
    while i < len(live) or j < len(config):
        if i < len(live) and j < len(config):
            if lkeys[i] == ckeys[j]:
                done.add(ckeys[j])
                out.append(merge(live_by_key[ckeys[j]], config[j]))
                i, j, nxt = i + 1, j + 1, nxt + 1
                continue
            if lkeys[i] in applied and nxt < len(shared) and shared[nxt] != lkeys[i]:
                i += 1  # applied later, in the configuration's order
                continue
        if i < len(live):
            if lkeys[i] not in applied:
                out.append(_drop_nulls(live[i]))
                i += 1
                continue
            if lkeys[i] in done:
                i += 1  # already out; the next applied item may still go this round
        if j < len(config):
            k = ckeys[j]
            done.add(k)
            out.append(merge(live_by_key[k], config[j]) if k in live_by_key
                       else _drop_nulls(config[j]))
            j += 1
            if nxt < len(shared) and shared[nxt] == k:
                nxt += 1
    return out


def _drop_nulls(v):
    if isinstance(v, dict):
        return {k: _drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_drop_nulls(x) for x in v]
    return v


class Manager:
    """One managedFields entry, parsed."""

    def __init__(self, entry):
        self.entry = dict(entry)
        self.fields = json_to_fields(entry.get("fieldsV1"))

    @property
    def ident(self):
        e = self.entry
        return (e.get("manager", ""), e.get("operation"), e.get("subresource", ""),
                "" if e.get("operation") == "Apply" else e.get("apiVersion", ""))

    def describe(self):
        """printManager() of kube's conflict message."""
        e = self.entry
        s = json.dumps(e.get("manager", ""))
        if e.get("subresource"):
            s += " with subresource %s" % json.dumps(e["subresource"])
        if e.get("operation") == "Update":
            s += " using %s" % e.get("apiVersion", "")
        return s


class Conflict(Exception):
    def __init__(self, conflicts):
        super().__init__("apply conflict")
        self.conflicts = conflicts  # [(Manager, path)]

    def message(self):
        cs = self.conflicts
        if len(cs) == 1:
            return "Apply failed with 1 conflict: conflict with %s: %s" % (
                cs[0][0].describe(), path_string(cs[0][1]))
        by = {}
        for m, p in cs:
            by.setdefault(m.describe(), []).append(path_string(p))
        lines = []
        for who in sorted(by):
            lines.append("conflicts with %s:" % who)
            lines.extend("- " + p for p in by[who])
        return "Apply failed with %d conflicts: %s" % (len(cs), "\n".join(lines))

    def causes(self):
        return [{"reason": "FieldManagerConflict", "message": "conflict with %s" % m.describe(),
                 "field": path_string(p)} for m, p in self.conflicts]


def _scope(paths, subresource, status_sub):
    """The part of a field set a request may own: status only through /status."""
    if not status_sub:
        return paths
    if subresource == "status":
        return {p for p in paths if p[:1] == (("f", "status"),)}
    return {p for p in paths if p[:1] != (("f", "status"),)}


def _entry(manager, operation, api_version, subresource, fields, now):
    e = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now,
         "fieldsType": "FieldsV1", "fieldsV1": fields_to_json(fields)}
    if subresource:
        e["subresource"] = subresource
    return e


def _store_managers(obj, managers):
    meta = obj.setdefault("metadata", {})
    kept = [m.entry for m in managers if m.fields]
    if kept:
        meta["managedFields"] = kept
    else:
        meta.pop("managedFields", None)


def _upsert(managers, ident, manager, operation, api_version, subresource, fields, now,
            touched=False):
    """Set a manager's fields; its time changes when its fields or, with `touched`,
    the object changed (an unchanged write keeps the entry as it was)."""
    for m in managers:
        if m.ident == ident:
            if m.fields != fields or touched:
                m.entry = _entry(manager, operation, api_version, subresource, fields, now)
                m.fields = fields
            return
    m = Manager(_entry(manager, operation, api_version, subresource, fields, now))
    managers.append(m)


def _without_managed(obj):
    meta = dict(obj.get("metadata") or {})
    meta.pop("managedFields", None)
    return dict(obj, metadata=meta)


def apply(live, config, manager, force, facts, api_version, now, subresource="",
          status_sub=False):
    """Server-side apply of `config` onto `live` (None when creating).

    Returns the new object with updated managedFields; raises Conflict.
    """
    live = copy.deepcopy(live) if live is not None else {}
    managers = [Manager(e) for e in live.get("metadata", {}).get("managedFields") or []]
    cfg = _drop_nulls(config)
    cfg_set = _scope(field_set(cfg, facts), subresource, status_sub)
    ident = (manager, "Apply", subresource, "")
    mine = next((m for m in managers if m.ident == ident), None)
    others = [m for m in managers if m is not mine]

    merged = ssa_merge(live, cfg, facts)
    # Fields this manager applied before and no longer applies: remove them unless
    # another manager owns them too.
    if mine is not None:
        owned_elsewhere = set().union(*(m.fields for m in others)) if others else set()
        drop = [p for p in mine.fields - cfg_set
                if p not in owned_elsewhere and not any(q[:len(p)] == p for q in cfg_set)]
        # A list item nobody else owns a part of goes whole, defaulted fields included;
        # removing its key fields first would leave a keyless remnant behind.
        whole = {p for p in drop if p[-1][0] == "k" and
                 not any(q[:len(p)] == p for q in owned_elsewhere)}
        for p in sorted(drop, key=len, reverse=True):
            if not any(p[:n] in whole for n in range(1, len(p))):
                _remove_path(merged, p, facts)

    conflicts = []
    for p in sorted(cfg_set):
        before, after = value_at(live, p, facts), value_at(merged, p, facts)
        if before is _ABSENT or before == after or p[-1][0] == "k":
            continue
        for m in others:
            if p in m.fields:
                conflicts.append((m, p))
    if conflicts and not force:
        raise Conflict(conflicts)
    for m, p in conflicts:
        m.fields.discard(p)
        m.entry["fieldsV1"] = fields_to_json(m.fields)
    touched = _without_managed(merged) != _without_managed(live)
    _upsert(managers, ident, manager, "Apply", api_version, subresource, cfg_set, now, touched)
    _store_managers(merged, managers)
    return merged


def update_managed(live, new, manager, facts, api_version, now, subresource="",
                   status_sub=False):
    """Record a non-apply write (create, PUT, merge/strategic/JSON patch) in managedFields:
    the writer takes the fields it added or changed, other managers lose them."""
    meta = new.setdefault("metadata", {})
    if "managedFields" in meta and live is not None and \
            meta["managedFields"] != live.get("metadata", {}).get("managedFields"):
        if meta["managedFields"]:
            return new  # the client set managedFields explicitly: keep them as sent
        entries = []
    elif live is not None:
        entries = live.get("metadata", {}).get("managedFields") or []
    else:
        entries = meta.get("managedFields") or []
        if entries:
            return new
    managers = [Manager(e) for e in entries]
    old_set = field_set(live, facts) if live is not None else set()
    new_set = field_set(new, facts)
    changed = {p for p in new_set
               if p not in old_set or value_at(live, p, facts) != value_at(new, p, facts)}
    changed = {p for p in changed if p[-1][0] != "k" or p not in old_set}
    changed = _scope(changed, subresource, status_sub)
    ident = (manager, "Update", subresource, api_version)
    mine = next((m for m in managers if m.ident == ident), None)
    for m in managers:
        if m is not mine:
            nf = (m.fields - changed) & new_set
            if nf != m.fields:
                m.fields = nf
                m.entry["fieldsV1"] = fields_to_json(nf)
    if changed or mine is not None:
        fields = ((mine.fields if mine else set()) | changed) & new_set
        _upsert(managers, ident, manager, "Update", api_version, subresource, fields, now,
                bool(changed))
    _store_managers(new, managers)
    return new
