# cluster_status.sh -- `kubectl feast status NAME`: replicas and rollout, the HPA or KEDA
# ScaledObject, the PDB, the registry lock holder and the pods' conditions, as text and as
# -o json / -o yaml; for a store from `apply` and for one the Feast operator runs; the
# figures are those of the real controllers.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start

# The real controllers and kwok write every status here. Readiness gates make pods'
# readiness ours to decide: a gated pod is Ready only while we (standing in for its
# feast-sidecar) set feast.dev/registry-ready True.
feature_store shop feast "$FS_HA" >ha.yaml
"$FEAST" apply -f ha.yaml --readiness=gate >/dev/null 2>&1 || fail "apply failed"
# gate POD True|False: set the pod's registry condition, as its sidecar would.
gate() {
	kubectl patch pod "$1" -n feast --subresource=status --type=strategic \
		-p "{\"status\":{\"conditions\":[{\"type\":\"feast.dev/registry-ready\",\"status\":\"$2\"}]}}" >/dev/null
}
# The HPA raises the Deployment to its minimum of 2 (no metrics server: it stays there).
kubectl wait deploy/feast-shop -n feast --for=jsonpath='{.spec.replicas}'=2 --timeout=30s >/dev/null
i=0
until [ "$(kubectl get pods -n feast -l feast.dev/name=shop -o name | wc -l)" = 2 ]; do
	i=$((i + 1))
	[ $i -lt 150 ] || fail "the Deployment did not get 2 pods: $(kubectl get pods -n feast)"
	sleep 0.2
done
set -- $(kubectl get pods -n feast -l feast.dev/name=shop -o jsonpath='{.items[*].metadata.name}')
A=$1
B=$2
gate "$A" True
gate "$B" True
kubectl rollout status deploy/feast-shop -n feast --timeout=30s >/dev/null || fail "the gated pods did not become ready"
kubectl wait hpa/feast-shop -n feast --for=jsonpath='{.status.currentReplicas}'=2 --timeout=30s >/dev/null
kubectl wait pdb/feast-shop -n feast --for=jsonpath='{.status.currentHealthy}'=2 --timeout=30s >/dev/null
renew=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
cat <<YAML | kubectl apply -f - >/dev/null
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: feast-shop-registry-lock, namespace: feast}
spec: {holderIdentity: $A, leaseDurationSeconds: 15, renewTime: "$renew"}
YAML

# ---- text ----
expect_run 0 "$FEAST" status shop -n feast
has out '^Name: +shop$'
has out '^Deployment: +feast-shop \(managed by kubectl-feast; spec stored by apply\)$'
has out '^Replicas: +2 desired, 2 updated, 2 ready, 2 available$'
has out '^Rollout: +deployment "feast-shop" successfully rolled out$'
has out '^Autoscaler: +HorizontalPodAutoscaler feast-shop: 2-5 replicas, 2 current, 2 desired$'
has out '^Disruptions: +PodDisruptionBudget feast-shop: 1 allowed \(2 healthy, 1 desired\)$'
has out "^Registry lock: held by $A \\(renewed [0-9]+s ago, lease 15s\\)\$"
has out '^  NAME +PHASE +READY +REGISTRY-READY$'
has out "^  $A +Running +True +True\$"
has out "^  $B +Running +True +True\$"

# ---- -o json and -o yaml: the same facts for scripts ----
expect_run 0 "$FEAST" status shop -n feast -o json
"$PYTHON" - out "$A" <<'PY' || fail "status -o json: $(cat out)"
import json, sys
s = json.load(open(sys.argv[1]))
d = s["deployment"]
assert (s["name"], s["namespace"]) == ("shop", "feast"), s
assert (d["desired"], d["available"], d["rolledOut"], d["storedSpec"]) == (2, 2, True, True), d
assert s["autoscaler"] == {"kind": "HorizontalPodAutoscaler", "name": "feast-shop", "minReplicas": 2,
                           "maxReplicas": 5, "currentReplicas": 2, "desiredReplicas": 2}, s["autoscaler"]
assert s["podDisruptionBudget"]["disruptionsAllowed"] == 1, s["podDisruptionBudget"]
lock = s["registryLock"]
assert (lock["holder"], lock["expired"], lock["leaseDurationSeconds"]) == (sys.argv[2], False, 15), lock
pods = {p["name"]: p for p in s["pods"]}
assert pods[sys.argv[2]]["registryReady"] == "True" and pods[sys.argv[2]]["ready"] == "True", pods
PY
expect_run 0 "$FEAST" status shop -n feast -o yaml
has out "^  holder: $A\$"
has out '^  disruptionsAllowed: 1$'

# ---- a pod whose sidecar turned its gate False, and a pod with no gate at all ----
gate "$B" False
kubectl wait pod/"$B" -n feast --for=condition=Ready=False --timeout=30s >/dev/null
cat <<'YAML' | kubectl apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: feast-shop-plain
  namespace: feast
  labels: {feast.dev/name: shop}
spec:
  containers: [{name: online, image: feast}]
YAML
kubectl wait pod/feast-shop-plain -n feast --for=condition=Ready --timeout=30s >/dev/null
expect_run 0 "$FEAST" status shop -n feast
has out '^Replicas: +2 desired, 2 updated, 1 ready, 1 available$'
has out "^  $A +Running +True +True\$"
has out "^  $B +Running +False +False\$"
has out '^  feast-shop-plain +Running +True +-$'
expect_run 0 "$FEAST" status shop -n feast -o json
"$PYTHON" - out "$B" <<'PY' || fail "status -o json: $(cat out)"
import json, sys
pods = {p["name"]: p for p in json.load(open(sys.argv[1]))["pods"]}
assert (pods[sys.argv[2]]["ready"], pods[sys.argv[2]]["registryReady"]) == ("False", "False"), pods
assert pods["feast-shop-plain"]["ready"] == "True" and "registryReady" not in pods["feast-shop-plain"], pods
PY

# ---- an expired lock, and one released ----
cat <<YAML | kubectl apply -f - >/dev/null
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: feast-shop-registry-lock, namespace: feast}
spec: {holderIdentity: $B, leaseDurationSeconds: 15, renewTime: "2020-01-01T00:00:00.000000Z"}
YAML
expect_run 0 "$FEAST" status shop -n feast
has out "^Registry lock: held by $B, expired \\(renewed [0-9]+s ago, lease 15s\\)\$"
kubectl patch lease feast-shop-registry-lock -n feast --type=merge -p '{"spec":{"holderIdentity":""}}' >/dev/null
expect_run 0 "$FEAST" status shop -n feast
has out '^Registry lock: free \(Lease feast-shop-registry-lock has no holder\)$'

# ---- a store on another store's registry takes that store's Lease ----
cat >serving.yaml <<'YAML'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata: {name: serving, namespace: feast}
spec:
  feastProject: shop
  replicas: 2
  services:
    onlineStore:
      persistence:
        store: {type: postgres, secretRef: {name: stores}}
    registry:
      remote:
        feastRef: {name: shop}
YAML
"$FEAST" apply -f serving.yaml >/dev/null 2>&1 || fail "apply serving failed"
expect_run 0 "$FEAST" status serving -n feast
has out '^Registry lock: free \(Lease feast-shop-registry-lock has no holder\)$'

# ---- a store the Feast operator runs, scaled by KEDA ----
cat <<'YAML' | kubectl apply -f - >/dev/null
apiVersion: feast.dev/v1
kind: FeatureStore
metadata: {name: op, namespace: feast}
spec:
  feastProject: op
  replicas: 1
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: feast-op, namespace: feast}
spec:
  scaleTargetRef: {apiVersion: feast.dev/v1, kind: FeatureStore, name: op}
  minReplicaCount: 1
  maxReplicaCount: 4
  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "60"}}]
YAML
# No KEDA operator runs: its status is written as KEDA would.
kubectl patch scaledobject feast-op -n feast --subresource=status --type=merge \
	-p '{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Active","status":"False"}]}}' >/dev/null
expect_run 0 "$FEAST" status op -n feast
has out '^FeatureStore: +op \(reconciled by the Feast operator\): replicas 1$'
has out '^Deployment: +none yet$'
has out '^Autoscaler: +ScaledObject feast-op: 1-4 replicas, ready True, active False$'
has out '^Disruptions: +no PodDisruptionBudget$'
has out '^Registry lock: free \(no Lease feast-op-registry-lock\)$'
has out '^Pods: +none$'

# ---- errors ----
expect_run 3 "$FEAST" status nothing -n feast
has err '^error: no FeatureStore "nothing" and no Deployment "feast-nothing" in namespace "feast"$'
expect_run 2 "$FEAST" status
expect_run 2 "$FEAST" status a b
expect_run 2 "$FEAST" status shop -o wide
