# cluster_doctor.sh -- `kubectl feast doctor NAME` on a real control plane made to show each
# finding: a healthy store first (exit 0), then a missing Secret, containers waiting as the
# kubelet reports them (kwok plays the kubelet; their statuses are patched as a kubelet
# would write them), feast-apply waiting on the lock, the Lease, the PDB the disruption
# controller computes, the HPA conditions the HPA controller writes without metrics, and
# the lint rules on a live FeatureStore and its ScaledObject.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast

kubectl create secret generic stores -n feast --from-literal=x=y >/dev/null
feature_store plain feast "    podDisruptionBudgets: {maxUnavailable: 1}" "  replicas: 2" >plain.yaml
"$FEAST" apply -f plain.yaml >/dev/null 2>&1 || fail "apply failed"
kubectl rollout status deploy/feast-plain -n feast --timeout=60s >/dev/null || fail "plain did not roll out"
kubectl wait pdb/feast-plain -n feast --for=jsonpath='{.status.disruptionsAllowed}'=1 --timeout=30s >/dev/null

# ---- healthy ----
expect_run 0 "$FEAST" doctor plain -n feast
has out '^feast/plain: no findings$'
expect_run 0 "$FEAST" doctor plain -n feast -o json
[ "$(cat out)" = "[]" ] || fail "doctor -o json of a healthy store: $(cat out)"

# ---- a Secret the spec names is gone ----
kubectl delete secret stores -n feast >/dev/null
expect_run 1 "$FEAST" doctor plain -n feast
has out '^error: deployment.apps/feast-plain\[feast.dev/applied-spec\]: spec.services.onlineStore.persistence.store.secretRef.name: Secret "stores" does not exist in the store.s namespace \[ref-missing\]$'
has out '^  fix: create it in the store.s namespace, or correct the name in the spec$'
kubectl create secret generic stores -n feast --from-literal=x=y >/dev/null

# ---- containers waiting, an unready pod, and the PDB that then allows nothing ----
set -- $(kubectl get pods -n feast -l feast.dev/name=plain -o jsonpath='{.items[*].metadata.name}')
A=$1
B=$2
kubectl patch pod "$A" -n feast --subresource=status --type=merge -p '{"status":{
  "conditions":[{"type":"Ready","status":"False","reason":"ContainersNotReady"}],
  "initContainerStatuses":[
   {"name":"feast-sidecar","image":"feast-sidecar:nope","imageID":"","ready":false,"restartCount":0,
    "state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image"}}},
   {"name":"feast-apply","image":"feast","imageID":"","ready":false,"restartCount":5,
    "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 2m40s"}},
    "lastState":{"terminated":{"exitCode":1,"reason":"Error","startedAt":null,"finishedAt":null}}}]}}' >/dev/null
kubectl wait pdb/feast-plain -n feast --for=jsonpath='{.status.disruptionsAllowed}'=0 --timeout=30s >/dev/null
expect_run 1 "$FEAST" doctor plain -n feast
has out "^error: pod/$A: status.initContainerStatuses\\[feast-sidecar\\]: container feast-sidecar waits in ImagePullBackOff for image \"feast-sidecar:nope\": Back-off pulling image \\[image-pull\\]\$"
has out "^error: pod/$A: status.initContainerStatuses\\[feast-apply\\]: container feast-apply is in CrashLoopBackOff after 5 restarts, last exit code 1 \\(Error\\) \\[crash-loop\\]\$"
has out "^warning: pod/$A: status.conditions\\[Ready\\]: not Ready: init container feast-sidecar is waiting \\(ImagePullBackOff\\) \\[pod-not-ready\\]\$"
has out '^warning: poddisruptionbudget.policy/feast-plain: status.disruptionsAllowed: 0 disruptions allowed: 1 of 2 pods healthy, 1 must stay healthy \[pdb-blocked\]$'
lacks out "pod/$B"
expect_run 1 "$FEAST" doctor plain -n feast -o json
"$PYTHON" - out "$A" <<'PY' || fail "doctor -o json: $(cat out)"
import json, sys
f = json.load(open(sys.argv[1]))
rules = sorted(x["rule"] for x in f)
assert rules == ["crash-loop", "image-pull", "pdb-blocked", "pod-not-ready"], rules
x = [x for x in f if x["rule"] == "image-pull"][0]
assert (x["severity"], x["file"], x["path"]) == ("error", "pod/" + sys.argv[2],
        "status.initContainerStatuses[feast-sidecar]"), x
assert x["fix"].startswith("check the image name"), x
PY

# ---- feast-apply waiting on the lock, and who holds it; the Lease itself ----
kubectl patch pod "$B" -n feast --subresource=status --type=merge -p '{"status":{
  "initContainerStatuses":[{"name":"feast-apply","image":"feast","imageID":"","ready":false,"restartCount":0,
    "state":{"running":{"startedAt":"2020-01-01T00:00:00Z"}}}]}}' >/dev/null
renew=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
cat <<YAML | kubectl apply -f - >/dev/null
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: feast-plain-registry-lock, namespace: feast}
spec: {holderIdentity: $A, leaseDurationSeconds: 15, renewTime: "$renew", acquireTime: "$renew"}
YAML
expect_run 1 "$FEAST" doctor plain -n feast --lock-wait 1m
has out "^warning: pod/$B: status.initContainerStatuses\\[feast-apply\\]: init container feast-apply has run for [0-9]+y[0-9d]* \\(--lock-wait 60s\\): Lease feast-plain-registry-lock is held by $A \\(renewed [0-9]+s ago\\) \\[lock-wait\\]\$"
lacks out 'lease-expired|lease-held-long'
kubectl patch lease feast-plain-registry-lock -n feast --type=merge -p '{"spec":{"acquireTime":"2020-01-01T00:00:00.000000Z"}}' >/dev/null
expect_run 1 "$FEAST" doctor plain -n feast --lock-wait 1m
has out "^warning: lease/feast-plain-registry-lock: spec.acquireTime: held by $A for [0-9]+y[0-9d]* \\(--lock-wait 60s\\) \\[lease-held-long\\]\$"
kubectl patch lease feast-plain-registry-lock -n feast --type=merge -p '{"spec":{"renewTime":"2020-01-01T00:00:00.000000Z"}}' >/dev/null
expect_run 1 "$FEAST" doctor plain -n feast
has out "^warning: lease/feast-plain-registry-lock: spec.renewTime: held by $A, last renewed [0-9]+y[0-9d]* ago, past its 15s leaseDurationSeconds \\[lease-expired\\]\$"
# The default --lock-wait is 5m: a lock wait of years still shows.
has out "\\[lock-wait\\]\$"

# ---- an HPA the HPA controller cannot feed (no metrics server) ----
feature_store shop feast "$FS_HA" >ha.yaml
"$FEAST" apply -f ha.yaml >/dev/null 2>&1 || fail "apply shop failed"
kubectl wait hpa/feast-shop -n feast --for=jsonpath='{.status.conditions[?(@.type=="ScalingActive")].status}'=False \
	--timeout=60s >/dev/null || fail "the HPA controller wrote no ScalingActive=False: $(kubectl get hpa -n feast -o yaml)"
expect_run 1 "$FEAST" doctor shop -n feast
has out '^warning: horizontalpodautoscaler.autoscaling/feast-shop: status.conditions\[ScalingActive\]: ScalingActive=False \(FailedGet[A-Za-z]*Metric: .*\) \[hpa-metrics\]$'
has out '^  fix: install metrics-server'

# ---- a container waiting for another reason; an HPA whose target is scaled to zero ----
P=$(kubectl get pods -n feast -l feast.dev/name=shop -o jsonpath='{.items[0].metadata.name}')
kubectl patch pod "$P" -n feast --subresource=status --type=merge -p '{"status":{"containerStatuses":[
  {"name":"online","image":"feast","imageID":"","ready":false,"restartCount":0,
   "state":{"waiting":{"reason":"CreateContainerConfigError","message":"secret \"gone\" not found"}}}]}}' >/dev/null
expect_run 1 "$FEAST" doctor shop -n feast
has out "^warning: pod/$P: status.containerStatuses\\[online\\]: container online waits: CreateContainerConfigError: secret \"gone\" not found \\[container-waiting\\]\$"
kubectl scale deployment feast-shop -n feast --replicas=0 >/dev/null
kubectl wait hpa/feast-shop -n feast --for=jsonpath='{.status.conditions[?(@.type=="ScalingActive")].reason}'=ScalingDisabled \
	--timeout=60s >/dev/null || fail "the HPA controller wrote no ScalingDisabled: $(kubectl get hpa -n feast -o yaml)"
expect_run 1 "$FEAST" doctor shop -n feast
has out '^warning: horizontalpodautoscaler.autoscaling/feast-shop: status.conditions\[ScalingActive\]: ScalingActive=False \(ScalingDisabled: .*\) \[hpa-inactive\]$'

# ---- the lint rules on a live FeatureStore the operator runs, and its ScaledObject ----
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
  scaleTargetRef: {name: feast-op}
  minReplicaCount: 2
  maxReplicaCount: 4
  triggers: [{type: cron, metadata: {timezone: UTC, start: 0 8 * * *, end: 0 18 * * *, desiredReplicas: "3"}}]
YAML
expect_run 1 "$FEAST" doctor op -n feast
has out '^warning: scaledobject.keda.sh/feast-op: spec.scaleTargetRef: scales the Deployment feast-op, .* \[keda-targets-deployment\]$'
has out '^  fix: target the FeatureStore.s scale subresource'

# ---- errors ----
expect_run 1 "$FEAST" doctor nothing -n feast
has err '^error: no FeatureStore "nothing" and no Deployment "feast-nothing" in namespace "feast"$'
expect_run 2 "$FEAST" doctor
expect_run 2 "$FEAST" doctor a b
expect_run 2 "$FEAST" doctor plain --lock-wait soon
