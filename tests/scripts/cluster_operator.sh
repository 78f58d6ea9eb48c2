# cluster_operator.sh -- `apply --target operator`: the FeatureStore and its KEDA ScaledObject
# for the Feast operator; unchanged on repeat; --wait follows the Deployment the operator
# makes; --prune deletes only ScaledObjects; diff compares the same objects.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start

feature_store op feast >op.yaml
{ cat op.yaml; printf -- '---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec:\n  maxReplicaCount: 4\n  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "60"}}]\n'; } >op-keda.yaml

expect_run 2 "$FEAST" apply -f op-keda.yaml --target operator --image my/feast:1
has err '^error: --image shapes the standalone pod; with --target operator the operator builds the pod$'
expect_run 2 "$FEAST" diff -f op-keda.yaml --sidecar=always --target operator
has err '^error: --sidecar shapes the standalone pod'
expect_run 2 "$FEAST" apply -f op-keda.yaml --kube-version=2.0
has err 'invalid argument "2.0" for "--kube-version" flag'
expect_run 0 "$FEAST" apply -f op-keda.yaml --target operator
printf '%s\n' 'featurestore.feast.dev/op created' 'scaledobject.keda.sh/feast-op created' >want
same_file want out
[ "$(kubectl get scaledobject feast-op -n feast -o jsonpath='{.spec.scaleTargetRef.kind}')" = FeatureStore ] ||
	fail "the ScaledObject does not aim at the FeatureStore"
expect_run 1 kubectl get deploy feast-op -n feast   # the operator's job, not ours
expect_run 0 "$FEAST" apply -f op-keda.yaml --target operator
printf '%s\n' 'featurestore.feast.dev/op unchanged' 'scaledobject.keda.sh/feast-op unchanged' >want
same_file want out
expect_run 0 "$FEAST" diff -f op-keda.yaml --target operator

# ---- --wait: the Deployment does not exist until "the operator" makes it ----
cat >operator-made.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: feast-op, namespace: feast, labels: {app.kubernetes.io/managed-by: feast-operator}}
spec:
  replicas: 2
  selector: {matchLabels: {feast.dev/name: op}}
  template:
    metadata: {labels: {feast.dev/name: op}}
    spec:
      containers: [{name: online, image: feast}]
YAML
(sleep 1; kubectl apply -f operator-made.yaml >/dev/null; touch made) &
expect_run 0 "$FEAST" apply -f op-keda.yaml --target operator --wait=20s
[ -e made ] || fail "the wait ended before the Deployment was made"
has err '^Waiting for deployment "feast-op" to be created\.\.\.$'
[ "$(tail -n 1 err)" = 'deployment "feast-op" successfully rolled out' ] || fail "wait: $(cat err)"

# ---- --prune: the ScaledObject goes when it leaves the input, nothing else does ----
# (not even an object of a standalone apply: with this target only ScaledObjects are ours)
cat <<'YAML' | kubectl apply --server-side --field-manager=kubectl-feast -f - >/dev/null
apiVersion: v1
kind: ConfigMap
metadata:
  name: feast-op-client
  namespace: feast
  labels: {feast.dev/name: op, app.kubernetes.io/managed-by: kubectl-feast}
data: {feature_store.yaml: "project: op"}
YAML
expect_run 1 "$FEAST" diff -f op.yaml --target operator --prune
has out '^-kind: ScaledObject$'
expect_run 0 "$FEAST" apply -f op.yaml --target operator --prune
printf '%s\n' 'featurestore.feast.dev/op unchanged' 'scaledobject.keda.sh/feast-op pruned' >want
same_file want out
expect_run 0 kubectl get featurestore op -n feast
expect_run 0 kubectl get deploy feast-op -n feast
expect_run 0 kubectl get configmap feast-op-client -n feast
expect_run 1 kubectl get scaledobject feast-op -n feast
