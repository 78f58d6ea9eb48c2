# render_keda.sh -- KEDA ScaledObjects in render: every rule violation of testdata/keda/
# exits 1 with nothing on stdout and exactly golden/keda/NAME.err on stderr (warnings exit 0
# with their golden stderr and schema-valid output, golden/keda/NAME.out; tests/golden.sh);
# the shape of the rendered KEDA cases (golden/render/keda-*.yaml) checked field by field;
# the operator target.
# GOLDEN_UPDATE=1 (make golden-update) rewrites golden/keda/ instead of comparing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
cd "$TEST_TMP"

# golden_check: a refusal prints nothing on stdout, a warning's output validates, and
# either says why on stderr.
golden_check() {
	if [ "$GOLDEN_EXIT" != 0 ] && [ -s "$GOLDEN_STDOUT" ]; then
		echo "FAIL: $GOLDEN_NAME: refused, but something was printed on stdout" >&2
		return 1
	fi
	if [ "$GOLDEN_EXIT" = 0 ] && ! validate_manifests --strict "$GOLDEN_STDOUT" >"$GOLDEN_STDOUT.vm" 2>&1; then
		cat "$GOLDEN_STDOUT.vm" >&2
		echo "FAIL: $GOLDEN_NAME: the output fails validate-manifests" >&2
		return 1
	fi
	[ -s "$GOLDEN_STDERR" ] || { echo "FAIL: $GOLDEN_NAME: no message on stderr" >&2; return 1; }
}
# Messages name the case's file by its base name (a copy run in a scratch directory).
golden_suite keda --cmd render --exit 1 --copy
golden_cases "$SRC"/testdata/keda/*.yaml
golden_end
unset -f golden_check
[ -n "${GOLDEN_UPDATE:-}" ] && exit 0
[ "$GOLDEN_CASES" -ge 15 ] || fail "only $GOLDEN_CASES KEDA error cases"

# validate agrees with render on the inputs (it runs the same checks).
expect_exit 1 "$FEAST" validate -f "$SRC/testdata/keda/err-replicas.yaml" 2>err
grep -q 'keda' err || fail "validate does not see the ScaledObject rules"
"$FEAST" validate -n feast -f "$SRC/testdata/render/keda-cpu.yaml" || fail "validate: a ScaledObject may leave scaleTargetRef out"

# The rendered cases, field by field (the golden files hold the bytes).
G="$SRC/golden/render"
"$PYTHON" - "$G" "$SRC/testdata/render" <<'PY'
import sys, yaml

golden, inputs = sys.argv[1], sys.argv[2]

def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d is not None]

def one(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]

def kinds(docs):
    return [d["kind"] for d in docs]

def ha(dep, on):
    pod = dep["spec"]["template"]["spec"]
    assert "replicas" not in dep["spec"], "KEDA owns the count: no spec.replicas"
    assert dep["spec"]["strategy"]["type"] == ("RollingUpdate" if on else "Recreate")
    assert ("affinity" in pod) == on and ("topologySpreadConstraints" in pod) == on

# Prometheus: HA because KEDA may go to 20; PDB; the ScaledObject right after the PDB.
docs = load(f"{golden}/keda-prometheus.yaml")
ha(one(docs, "Deployment"), True)
k = kinds(docs)
assert k.index("ScaledObject") == k.index("PodDisruptionBudget") + 1, k
so = one(docs, "ScaledObject", "ranking-requests")
assert so["metadata"]["namespace"] == "feast"
assert so["metadata"]["labels"]["feast.dev/name"] == "ranking"
assert so["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "kubectl-feast"
assert so["metadata"]["annotations"] == {"owner": "team-ranking"}
assert so["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "feast-ranking"}
assert so["spec"]["minReplicaCount"] == 2 and so["spec"]["maxReplicaCount"] == 20
hpa = so["spec"]["advanced"]["horizontalPodAutoscalerConfig"]
assert hpa["name"] == "feast-ranking" and hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
assert "HorizontalPodAutoscaler" not in k, "never an HPA and a ScaledObject for one target"

# Cron: only the named store is KEDA's; the other keeps its count.
docs = load(f"{golden}/keda-cron.yaml")
ha(one(docs, "Deployment", "feast-serving"), True)
assert one(docs, "Deployment", "feast-registry")["spec"]["replicas"] == 1
so = one(docs, "ScaledObject", "serving-office-hours")
assert so["spec"]["scaleTargetRef"]["name"] == "feast-serving" and so["spec"]["minReplicaCount"] == 1

# cpu with --keda-adopt-hpa: named feast-<name>, the transfer annotation, bounds written out.
docs = load(f"{golden}/keda-cpu.yaml")
so = one(docs, "ScaledObject", "feast-cpu")
assert so["metadata"]["annotations"] == {"scaledobject.keda.sh/transfer-hpa-ownership": "true"}
assert so["spec"]["minReplicaCount"] == 1 and so["spec"]["maxReplicaCount"] == 100
assert so["spec"]["advanced"] == {"horizontalPodAutoscalerConfig": {"name": "feast-cpu"}}
ha(one(docs, "Deployment"), True)

# Scale to zero: minReplicaCount 0 as written.
so = one(load(f"{golden}/keda-scale-to-zero.yaml"), "ScaledObject")
assert so["spec"]["minReplicaCount"] == 0 and so["spec"]["triggers"][0]["metadata"]["activationThreshold"] == "1"

# At most one replica: the single-replica shape, no PDB, still no spec.replicas.
docs = load(f"{golden}/keda-max-one.yaml")
ha(one(docs, "Deployment"), False)
assert "PodDisruptionBudget" not in kinds(docs)

# Another workload's ScaledObject passes through unchanged; the store keeps replicas 1.
docs = load(f"{golden}/keda-other-workload.yaml")
src = [d for d in load(f"{inputs}/keda-other-workload.yaml") if d["kind"] == "ScaledObject"][0]
assert one(docs, "ScaledObject", "web") == src
assert one(docs, "Deployment")["spec"]["replicas"] == 1

# The operator target: the FeatureStore as written (plus -n's namespace) and its ScaledObject.
docs = load(f"{golden}/keda-operator.yaml")
assert kinds(docs) == ["FeatureStore", "ScaledObject"], kinds(docs)
src = [d for d in load(f"{inputs}/keda-operator.yaml") if d["kind"] == "FeatureStore"][0]
src["metadata"]["namespace"] = "feast"
assert docs[0] == src, "the FeatureStore must be emitted as written"
assert docs[1]["spec"]["scaleTargetRef"] == {"apiVersion": "feast.dev/v1", "kind": "FeatureStore", "name": "online"}
assert docs[1]["metadata"]["namespace"] == "feast"
print("rendered KEDA cases hold")
PY

# The operator target: nothing else, JSON too, one FeatureStore per store in input order.
"$FEAST" render -f "$SRC/testdata/render/keda-cron.yaml" -n feast --target operator -o json >op.json 2>op.err
"$PYTHON" -c '
import json, sys
l = json.load(open(sys.argv[1]))
got = [(i["kind"], i["metadata"]["name"]) for i in l["items"]]
assert got == [("FeatureStore", "registry"), ("FeatureStore", "serving"), ("ScaledObject", "serving-office-hours")], got
assert l["items"][2]["spec"]["scaleTargetRef"]["kind"] == "FeatureStore"
' op.json || fail "operator target JSON"
[ ! -s op.err ] || { cat op.err; fail "operator target: unexpected warnings"; }
# A FeatureStore that sets no namespace and no -n stays without one (the operator's default).
"$FEAST" render -f "$SRC/testdata/render/keda-cron.yaml" --target operator >op.yaml
grep -q 'namespace' op.yaml && fail "operator target invented a namespace"
# Every operator sample through --target operator: its FeatureStores exactly as written
# (values and types; a namespace only where -n supplies a missing one), nothing else.
REF="$SRC/testdata/operator"
n=0
for f in "$REF"/samples/*.yaml "$REF"/testdata/*.yaml; do
	# kustomization.yaml is no Kubernetes object: refused (validate_samples.sh)
	[ "$(basename "$f")" = kustomization.yaml ] && continue
	n=$((n + 1))
	ns=$(file_ns "$f" feast)
	"$FEAST" render -f "$f" -n "$ns" --target operator >"op-$n.yaml" 2>/dev/null || fail "operator target: $f"
	"$PYTHON" - "$f" "op-$n.yaml" "$ns" <<'PY' || fail "operator target changed the FeatureStores of $f"
import sys, yaml
src = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "FeatureStore"]
out = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
for d in src:
    d["metadata"].setdefault("namespace", sys.argv[3])
assert out == src, (len(out), len(src))
PY
done
[ "$n" -gt 20 ] || fail "only $n operator samples"
echo "$GOLDEN_CASES KEDA error and warning cases; rendered cases and the operator target hold"
