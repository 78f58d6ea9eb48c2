# render_sidecar.sh -- the feast-sidecar in rendered pods, over every golden input: with
# --sidecar always the output is the --sidecar none output plus exactly the sidecar's parts
# (checked one by one), auto injects exactly for the stores that scale (replicas, HPA, KEDA),
# and the flags' errors: clusters older than 1.29, --target operator, bad values.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$TEST_TMP"
REF="$SRC/testdata/operator"

# ---- errors ----
# The default image is local (make image): one warning per run naming the way out, none
# with --sidecar-image or without a sidecar.
warn_default_image() {
	"$FEAST" render "$@" >out 2>err || fail "render $*: $(cat err)"
}
cp "$SRC/testdata/render-sidecar/scaling.yaml" scaling.yaml
cat >single.yaml <<'EOF'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: small
  namespace: feast
spec:
  feastProject: small
EOF
warn_default_image -f scaling.yaml -f single.yaml --sidecar always
[ "$(grep -c 'feast-sidecar image feast-sidecar:[^ ]* is a local default' err)" = 1 ] ||
	fail "default sidecar image warning: $(cat err)"
for w in 'make image' 'skopeo copy oci-archive:dist/feast-sidecar-' '--sidecar-image REGISTRY/'; do
	grep -q -- "$w" err || fail "the image warning does not name $w: $(cat err)"
done
warn_default_image -f scaling.yaml --sidecar-image registry.example.com/feast-sidecar:1
[ -s err ] && fail "warning with --sidecar-image: $(cat err)"
warn_default_image -f single.yaml
[ -s err ] && fail "warning without a sidecar: $(cat err)"
expect_exit 1 "$FEAST" render -f scaling.yaml --kube-version 1.28 >out 2>err
[ -s out ] && fail "refused render printed something"
grep -q "^error: scaling.yaml:8:13: spec.replicas: FeatureStore 'big': it scales, so its pod gets the feast-sidecar registry lock, a native sidecar container that needs Kubernetes 1.29 or newer, but --kube-version is 1.28; pass --sidecar none" err ||
	fail "old cluster message: $(cat err)"
expect_exit 1 "$FEAST" render -f single.yaml --sidecar always --kube-version v1.27.4 >out 2>err
grep -q "^error: single.yaml:4:9: metadata.name: FeatureStore 'small': with --sidecar always, its pod gets the feast-sidecar" err ||
	fail "old cluster message (always): $(cat err)"
"$FEAST" render -f scaling.yaml --kube-version 1.28 --sidecar none >out || fail "--sidecar none on 1.28"
! grep -q feast-sidecar out || fail "--sidecar none still injects"
"$FEAST" render -f single.yaml --kube-version 1.28 >out || fail "a store that does not scale needs no sidecar on 1.28"
for flag in "--sidecar none" "--sidecar-image x:1" "--readiness gate" "--kube-version 1.30" "--prestop-seconds 3"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$FEAST" render -f scaling.yaml --target operator $flag >out 2>err
	grep -q -- "${flag%% *} shapes the standalone pod" err || fail "--target operator $flag: $(cat err)"
done
for bad in "--kube-version 2.0" "--kube-version 1.x" "--kube-version abc" "--prestop-seconds -1" \
	"--prestop-seconds 3601" "--sidecar maybe" "--readiness both"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$FEAST" render -f scaling.yaml $bad >out 2>err
	[ -s out ] && fail "$bad printed something"
done
"$FEAST" render --help | grep -q -- '--sidecar auto|always|none' || fail "--help lacks --sidecar"

# ---- every golden input: none, always, auto ----
: >cases
n=0
add() {
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$FEAST" render -f "$1" $2 --sidecar none >"$n.none" 2>/dev/null || fail "render $1 --sidecar none"
	# shellcheck disable=SC2086
	"$FEAST" render -f "$1" $2 --sidecar always >"$n.always" 2>/dev/null || fail "render $1 --sidecar always"
	# shellcheck disable=SC2086
	"$FEAST" render -f "$1" $2 >"$n.auto" 2>/dev/null || fail "render $1"
	printf '%s\t%s\t%s\n' "$n" "$1" "$2" >>cases
}
for f in "$REF"/samples/v1_*.yaml; do add "$f" "-n $(file_ns "$f" feast)"; done
for f in "$REF"/testdata/*.yaml; do add "$f" "-n test-ns-feast"; done
for f in "$SRC"/examples/*.yaml; do add "$f" ""; done
for f in "$SRC"/testdata/render/*.yaml; do
	# Its own --sidecar and a cluster too old for always go; the other flags stay.
	args=$(sed -n '1s/^# args: *//p' "$f" | sed 's/--sidecar [a-z]*//; s/-o json//; s/--kube-version 1\.[12][0-8]//')
	case " $args " in *" --target operator "*) continue ;; esac
	add "$f" "$args"
done

"$PYTHON" - cases <<'PY' || fail "the sidecar's parts (above)"
import copy, sys, yaml

LOCK = "/run/feast-sidecar/feast-lock"
SERVERS = {"registry", "online", "offline", "ui"}
bad = []

def docs(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]

def name_of(d):
    return (d.get("kind"), d["metadata"]["name"])

def store_of(d):
    """The store of a rendered Deployment; None for one passed through."""
    if d.get("kind") != "Deployment":
        return None
    return d["spec"]["selector"].get("matchLabels", {}).get("feast.dev/name")

def opt(args, flag, dflt):
    a = args.split()
    return a[a.index(flag) + 1] if flag in a else dflt

def lease_owners(path, args):
    """Store -> the store whose Lease guards its registry (a feastRef in its namespace)."""
    dflt = opt(args, "-n", None)
    owners = {}
    for d in docs(path):
        if d.get("kind") != "FeatureStore":
            continue
        ns = d["metadata"].get("namespace") or dflt
        ref = (((d.get("spec") or {}).get("services") or {}).get("registry") or {}).get("remote", {}).get("feastRef")
        same = ref and (ref.get("namespace") or ns) == ns
        owners[d["metadata"]["name"]] = ref["name"] if same else d["metadata"]["name"]
    return owners

def strip_pod(store, pod, src, args):
    """Check the sidecar's parts of one pod and take them out."""
    ctx = "%s %s" % (src, store)
    inits = pod.get("initContainers", [])
    sc = inits[0] if inits else {}
    if sc.get("name") != "feast-sidecar" or sc.get("restartPolicy") != "Always":
        bad.append("%s: the first init container is not the native sidecar" % ctx)
        return
    sec = sc["securityContext"]
    if not (sec["runAsNonRoot"] and sec["readOnlyRootFilesystem"] and sec["allowPrivilegeEscalation"] is False
            and sec["capabilities"] == {"drop": ["ALL"]} and sec["seccompProfile"] == {"type": "RuntimeDefault"}):
        bad.append("%s: sidecar securityContext %s" % (ctx, sec))
    env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in sc["env"]}
    if env != {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace", "POD_UID": "metadata.uid"}:
        bad.append("%s: sidecar env %s" % (ctx, env))
    for p in ("startupProbe", "livenessProbe", "readinessProbe"):
        if sc[p]["exec"]["command"][:2] != ["feast-sidecar", "check"]:
            bad.append("%s: %s is not the sidecar's check" % (ctx, p))
    if "limits" not in sc["resources"] or "memory" not in sc["resources"]["limits"]:
        bad.append("%s: no memory limit" % ctx)
    owner = OWNERS.get(store, store)
    want = "--name=" + store if owner == store else "--lease=feast-%s-registry-lock" % owner
    if want not in sc["args"]:
        bad.append("%s: sidecar args %s, want %s" % (ctx, sc["args"], want))
    del inits[0]
    if not inits:
        del pod["initContainers"]
    mount = {"name": "feast-sidecar", "mountPath": "/run/feast-sidecar", "readOnly": True}
    for c in pod.get("initContainers", []):
        if c["name"] == "feast-apply":
            if c["command"] != [LOCK, "lock", "-w", "600", "--", "feast", "apply"] or mount not in c["volumeMounts"]:
                bad.append("%s: feast-apply not under the lock: %s" % (ctx, c["command"]))
                continue
            c["command"] = ["feast", "apply"]
            c["volumeMounts"].remove(mount)
            if not c["volumeMounts"]:
                del c["volumeMounts"]
    ports = 0
    for c in pod["containers"]:
        if c["name"] in SERVERS:
            ports += len(c.get("ports", [])) - sum(1 for p in c.get("ports", []) if p["name"] == "metrics")
        if mount not in c.get("volumeMounts", []):
            bad.append("%s: %s lacks the sidecar's volume" % (ctx, c["name"]))
            continue
        c["volumeMounts"].remove(mount)
        if not c["volumeMounts"]:
            del c["volumeMounts"]
        prestop = int(opt(args, "--prestop-seconds", "5"))
        minor = int(opt(args, "--kube-version", "1.29").split(".")[1])
        hook = c.pop("lifecycle", {}).get("preStop")
        want = None if not prestop else {"sleep": {"seconds": prestop}} if minor >= 30 else \
            {"exec": {"command": ["sleep", str(prestop)]}}
        if hook != want:
            bad.append("%s: %s preStop %s, want %s" % (ctx, c["name"], hook, want))
    health = [a for a in sc["args"] if a.startswith("--health=")]
    if len(health) != ports:
        bad.append("%s: %d health targets for %d server ports" % (ctx, len(health), ports))
    vols = pod["volumes"]
    vol = [v for v in vols if v["name"] == "feast-sidecar"]
    if vol != [{"name": "feast-sidecar", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}]:
        bad.append("%s: sidecar volume %s" % (ctx, vol))
    vols[:] = [v for v in vols if v["name"] != "feast-sidecar"]
    if not vols:
        del pod["volumes"]
    grace = int(opt(args, "--prestop-seconds", "5")) + 28
    if pod.pop("terminationGracePeriodSeconds", None) != grace:
        bad.append("%s: grace period, want %d" % (ctx, grace))
    gate = opt(args, "--readiness", "probe") == "gate"
    if pod.pop("readinessGates", None) != ([{"conditionType": "feast.dev/registry-ready"}] if gate else None):
        bad.append("%s: readinessGates" % ctx)
    if ("--readiness=gate" if gate else "--readiness=probe") not in sc["args"]:
        bad.append("%s: readiness mode in %s" % (ctx, sc["args"]))

GATE_RULES = [{"apiGroups": [""], "resources": ["pods/status"], "verbs": ["patch"]},
              {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]

def strip(objs, src, args):
    out, stores = [], set()
    for d in objs:
        k, n = name_of(d)
        if k in ("Role", "RoleBinding") and n.endswith("-sidecar"):
            store = n[len("feast-"):-len("-sidecar")]
            if k == "Role":
                lease = "feast-%s-registry-lock" % OWNERS.get(store, store)
                want = [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                         "resourceNames": [lease], "verbs": ["get", "update", "watch"]},
                        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]}]
                if opt(args, "--readiness", "probe") == "gate":
                    want += GATE_RULES
                if d["rules"] != want:
                    bad.append("%s: Role %s rules %s" % (src, n, d["rules"]))
            elif d["subjects"][0]["name"] != "feast-" + store or d["roleRef"]["name"] != n:
                bad.append("%s: RoleBinding %s" % (src, n))
            continue
        d = copy.deepcopy(d)
        if store_of(d):
            store = store_of(d)
            strip_pod(store, d["spec"]["template"]["spec"], src, args)
            stores.add(store)
        # A sharded run (an Indexed Job) needs a registry that takes concurrent writers, so
        # its shards take no lock and have no sidecar: it is the same as without one.
        if k == "CronJob" and d["spec"]["jobTemplate"]["spec"].get("completionMode") != "Indexed":
            pod = d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            for c in pod.get("initContainers", []) + pod["containers"]:
                cmd = c["command"]
                if cmd[5:10] != [LOCK, "lock", "-w", "600", "--"]:
                    bad.append("%s: CronJob step not under the lock: %s" % (src, cmd))
                c["command"] = cmd[:5] + cmd[10:]
        out.append(d)
    return out, stores

def scaling_stores(path):
    """The stores of an input that scale: replicas > 1, an HPA, or a KEDA ScaledObject that
    may go above one replica (maxReplicaCount defaults to 100)."""
    objs = docs(path)
    stores = [d for d in objs if d.get("kind") == "FeatureStore"]
    s = set()
    for d in stores:
        spec = d.get("spec") or {}
        if (spec.get("replicas") or 1) > 1 or (spec.get("services") or {}).get("scaling", {}).get("autoscaling"):
            s.add(d["metadata"]["name"])
    for so in (d for d in objs if d.get("kind") == "ScaledObject"):
        spec = so.get("spec") or {}
        ref = (spec.get("scaleTargetRef") or {}).get("name")
        names = [st["metadata"]["name"] for st in stores
                 if ref in (None, st["metadata"]["name"], "feast-" + st["metadata"]["name"])]
        if (spec.get("maxReplicaCount") or 100) > 1 and (ref or len(stores) == 1):
            s.update(names)
    return s

injected = 0
for line in open(sys.argv[1]):
    i, src, args = line.rstrip("\n").split("\t")
    none, always, auto = docs(i + ".none"), docs(i + ".always"), docs(i + ".auto")
    OWNERS = lease_owners(src, args)
    stripped, stores = strip(always, src, args)
    injected += len(stores)
    if stripped != none:
        bad.append("%s: --sidecar always minus the sidecar differs from --sidecar none" % src)
    if any(store_of(o) for o in none) and not stores:
        bad.append("%s: nothing injected" % src)
    # auto: the always shape for the stores that scale, the none shape for the others.
    want = scaling_stores(src)
    got = {store_of(d) for d in auto if store_of(d)
           and d["spec"]["template"]["spec"].get("initContainers", [{}])[0].get("name") == "feast-sidecar"}
    if got != want:
        bad.append("%s: auto injected into %s, want the stores that scale: %s" % (src, sorted(got), sorted(want)))
for b in bad:
    print("FAIL: " + b, file=sys.stderr)
print("%d pods checked" % injected)
sys.exit(1 if bad else 0)
PY
echo ok
