# cluster_status.sh -- `kubectl feast status NAME`: replicas and rollout, the HPA or KEDA
# ScaledObject, the PDB, the registry lock holder and the pods' conditions, as text and as
# -o json / -o yaml; for a store from `apply` and for one the Feast operator runs.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 0.2
NS=/api/v1/namespaces/feast

feature_store shop feast "$FS_HA" >ha.yaml
"$FEAST" apply -f ha.yaml --wait=20s >/dev/null 2>&1 || fail "apply failed"

# status_patch PATH JSON: a merge patch of a status subresource, as a controller would.
status_patch() {
	apiserver_curl "$1/status" -X PATCH -H 'Content-Type: application/merge-patch+json' -d "$2" >/dev/null
}
for p in a b c; do
	cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: feast-shop-$p
  namespace: feast
  labels: {feast.dev/name: shop}
spec:
  containers: [{name: online, image: feast}]
---
YAML
done | kubectl apply -f - >/dev/null
cond() { printf '{"type":"%s","status":"%s"}' "$1" "$2"; }
status_patch $NS/pods/feast-shop-a "{\"status\":{\"phase\":\"Running\",\"conditions\":[$(cond Ready True),$(cond feast.dev/registry-ready True)]}}"
status_patch $NS/pods/feast-shop-b "{\"status\":{\"phase\":\"Running\",\"conditions\":[$(cond Ready False),$(cond feast.dev/registry-ready False)]}}"
status_patch $NS/pods/feast-shop-c "{\"status\":{\"phase\":\"Running\",\"conditions\":[$(cond Ready True)]}}"
status_patch /apis/autoscaling/v2/namespaces/feast/horizontalpodautoscalers/feast-shop \
	'{"status":{"currentReplicas":3,"desiredReplicas":4}}'
status_patch /apis/policy/v1/namespaces/feast/poddisruptionbudgets/feast-shop \
	'{"status":{"disruptionsAllowed":1,"currentHealthy":2,"desiredHealthy":2,"expectedPods":3}}'
renew=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
cat <<YAML | kubectl apply -f - >/dev/null
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: feast-shop-registry-lock, namespace: feast}
spec: {holderIdentity: feast-shop-a, leaseDurationSeconds: 15, renewTime: "$renew"}
YAML

# ---- text ----
expect_run 0 "$FEAST" status shop -n feast
has out '^Name: +shop$'
has out '^Deployment: +feast-shop \(managed by kubectl-feast; spec stored by apply\)$'
has out '^Replicas: +1 desired, 1 updated, 1 ready, 1 available$'
has out '^Rollout: +deployment "feast-shop" successfully rolled out$'
has out '^Autoscaler: +HorizontalPodAutoscaler feast-shop: 2-5 replicas, 3 current, 4 desired$'
has out '^Disruptions: +PodDisruptionBudget feast-shop: 1 allowed \(2 healthy, 2 desired\)$'
has out '^Registry lock: held by feast-shop-a \(renewed [0-9]+s ago, lease 15s\)$'
has out '^  NAME +PHASE +READY +REGISTRY-READY$'
has out '^  feast-shop-a +Running +True +True$'
has out '^  feast-shop-b +Running +False +False$'
has out '^  feast-shop-c +Running +True +-$'

# ---- -o json and -o yaml: the same facts for scripts ----
expect_run 0 "$FEAST" status shop -n feast -o json
"$PYTHON" - out <<'PY' || fail "status -o json: $(cat out)"
import json, sys
s = json.load(open(sys.argv[1]))
d = s["deployment"]
assert (s["name"], s["namespace"]) == ("shop", "feast"), s
assert (d["desired"], d["available"], d["rolledOut"], d["storedSpec"]) == (1, 1, True, True), d
assert s["autoscaler"] == {"kind": "HorizontalPodAutoscaler", "name": "feast-shop", "minReplicas": 2,
                           "maxReplicas": 5, "currentReplicas": 3, "desiredReplicas": 4}, s["autoscaler"]
assert s["podDisruptionBudget"]["disruptionsAllowed"] == 1, s["podDisruptionBudget"]
lock = s["registryLock"]
assert (lock["holder"], lock["expired"], lock["leaseDurationSeconds"]) == ("feast-shop-a", False, 15), lock
pods = {p["name"]: p for p in s["pods"]}
assert pods["feast-shop-a"]["registryReady"] == "True" and pods["feast-shop-b"]["ready"] == "False", pods
assert "registryReady" not in pods["feast-shop-c"], pods
PY
expect_run 0 "$FEAST" status shop -n feast -o yaml
has out '^  holder: feast-shop-a$'
has out '^  disruptionsAllowed: 1$'

# ---- an expired lock, and one released ----
cat <<YAML | kubectl apply -f - >/dev/null
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: feast-shop-registry-lock, namespace: feast}
spec: {holderIdentity: feast-shop-b, leaseDurationSeconds: 15, renewTime: "2020-01-01T00:00:00.000000Z"}
YAML
expect_run 0 "$FEAST" status shop -n feast
has out '^Registry lock: held by feast-shop-b, expired \(renewed [0-9]+s ago, lease 15s\)$'
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
status_patch /apis/keda.sh/v1alpha1/namespaces/feast/scaledobjects/feast-op \
	"{\"status\":{\"conditions\":[$(cond Ready True),$(cond Active False)]}}"
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
