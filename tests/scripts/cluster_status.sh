# cluster_status.sh -- `kubectl feast status NAME`: replicas and rollout, the HPA or KEDA
# ScaledObject, the PDB, the registry lock holder and the pods' conditions and containers,
# as text and as -o json / -o yaml; for a store from `apply` and for one the Feast operator
# runs; the figures are those of the real controllers.  Without NAME: the table of stores,
# -A, and -w following a watch.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast other

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
has out '^  NAME +PHASE +READY +RESTARTS +AGE +REGISTRY-READY$'
has out "^  $A +Running +True +0 +[0-9]+s +True\$"
has out "^  $B +Running +True +0 +[0-9]+s +True\$"
has out '^    init feast-sidecar +Running +0 restarts, up [0-9]+s$'
has out '^    init feast-apply +Terminated: Completed +0 restarts$'
has out '^    online +Running +0 restarts, up [0-9]+s$'

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
has out "^  $A +Running +True +0 +[0-9]+s +True\$"
has out "^  $B +Running +False +0 +[0-9]+s +False\$"
has out '^  feast-shop-plain +Running +True +0 +[0-9]+s +-$'
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

# ---- a container's waiting reason and restarts, as the kubelet reports them ----
kubectl patch pod feast-shop-plain -n feast --subresource=status --type=merge -p '{"status":{"containerStatuses":[
  {"name":"online","image":"feast","imageID":"","ready":false,"restartCount":3,"started":false,
   "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s"}},
   "lastState":{"terminated":{"exitCode":1,"reason":"Error","startedAt":null,"finishedAt":null}}}]}}' >/dev/null
expect_run 0 "$FEAST" status shop -n feast
has out '^  feast-shop-plain +Running +True +3 +[0-9]+s +-$'
has out '^    online +Waiting: CrashLoopBackOff +3 restarts$'
expect_run 0 "$FEAST" status shop -n feast -o json
"$PYTHON" - out <<'PY' || fail "status -o json: $(cat out)"
import json, sys
pods = {p["name"]: p for p in json.load(open(sys.argv[1]))["pods"]}
c = pods["feast-shop-plain"]["containers"]
assert c == [{"name": "online", "init": False, "state": "Waiting", "reason": "CrashLoopBackOff", "ready": False,
              "restarts": 3}], c
PY
kubectl delete pod feast-shop-plain -n feast --wait=false >/dev/null

# ---- without NAME: the namespace's stores, as kubectl get lists them ----
feature_store elsewhere other >elsewhere.yaml
"$FEAST" apply -f elsewhere.yaml >/dev/null 2>&1 || fail "apply elsewhere failed"
expect_run 0 "$FEAST" status -n feast
has out '^NAME +READY +AUTOSCALER +LOCK HOLDER +AGE$'
has out '^op +0/1 +scaledobject/feast-op +<none> +[0-9]+s$'
has out '^serving +[0-9]/2 +<none> +<none> +[0-9]+s$'
has out '^shop +1/2 +hpa/feast-shop +<none> +[0-9]+[sm]$'
lacks out elsewhere
expect_run 0 "$FEAST" status -A
has out '^NAMESPACE +NAME +READY +AUTOSCALER +LOCK HOLDER +AGE$'
has out '^feast +shop +1/2 +hpa/feast-shop +<none> '
has out '^other +elsewhere +[0-9]/1 +<none> +<none> '
[ "$(grep -n . out | sed -n 's/^\([0-9]*\):other .*/\1/p')" = 5 ] || fail "status -A: not sorted by namespace: $(cat out)"
expect_run 0 "$FEAST" status -A -o json
"$PYTHON" - out <<'PY' || fail "status -A -o json: $(cat out)"
import json, sys
rows = json.load(open(sys.argv[1]))["stores"]
assert [(r["namespace"], r["name"]) for r in rows] == [("feast", "op"), ("feast", "serving"), ("feast", "shop"),
                                                       ("other", "elsewhere")], rows
assert rows[2]["autoscaler"] == "hpa/feast-shop" and rows[2]["ready"] == "1/2", rows
PY
kubectl create namespace empty >/dev/null
expect_run 0 "$FEAST" status -n empty
[ ! -s out ] || fail "status of an empty namespace printed: $(cat out)"
has err '^No resources found in empty namespace\.$'

# ---- -w: a row again when the Deployment changes, and the end at --request-timeout ----
: >watch.out
"$FEAST" status -w -n feast --request-timeout=20s >watch.out 2>watch.err &
watcher=$!
i=0
until grep -q '^shop ' watch.out; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "status -w printed no table: $(cat watch.out watch.err)"; sleep 0.1
done
gate "$B" True
i=0
until [ "$(grep -c '^shop ' watch.out)" -ge 2 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "status -w did not print the changed row: $(cat watch.out)"; sleep 0.1
done
[ "$(grep '^shop ' watch.out | tail -1 | awk '{print $2}')" = 2/2 ] ||
	fail "status -w: the last shop row is not 2/2: $(cat watch.out)"
[ "$(grep -c '^NAME ' watch.out)" = 1 ] || fail "status -w printed the header twice: $(cat watch.out)"
[ "$(grep -c '^op ' watch.out)" = 1 ] || fail "status -w printed an unchanged row again: $(cat watch.out)"
# ^C ends the watch, cleanly.
kill -INT $watcher
wait $watcher || fail "status -w after ^C exited $?: $(cat watch.err)"
# --request-timeout ends it with exit 0, as kubectl get -w.
expect_run 0 "$FEAST" status shop -w -n feast --request-timeout=2s
[ "$(grep -c '^Name: ' out)" -ge 1 ] || fail "status -w NAME printed nothing"
# With NAME, a pod's change prints the whole status again.
"$FEAST" status shop -w -n feast --request-timeout=20s >watch1.out 2>&1 &
watcher=$!
i=0
until grep -q '^Pods:' watch1.out; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "status -w NAME printed nothing: $(cat watch1.out)"; sleep 0.1
done
gate "$B" False
i=0
until [ "$(grep -c '^Name: ' watch1.out)" -ge 2 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "status -w NAME did not print again: $(cat watch1.out)"; sleep 0.1
done
kill -INT $watcher
wait $watcher || fail "status -w NAME after ^C exited $?"
grep -Eq "^  $B +Running +False" watch1.out || fail "status -w NAME: no redraw with $B unready: $(cat watch1.out)"

# ---- errors ----
# NotFound exits 1, as kubectl get does.
expect_run 1 "$FEAST" status nothing -n feast
has err '^error: no FeatureStore "nothing" and no Deployment "feast-nothing" in namespace "feast"$'
expect_run 2 "$FEAST" status a b
expect_run 2 "$FEAST" status shop -A
expect_run 2 "$FEAST" status shop -o wide
