# cluster_apply.sh -- `kubectl feast apply` against a real API server: create, unchanged,
# update, dry runs (nothing stored), conflicts, invalid input (nothing sent), and what
# kubectl sees afterwards.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start
feature_store shop feast "$FS_HA" "" info >ha.yaml
# The namespace's secret-merge.py ConfigMap, named by the script's hash.
merge_cm=$("$FEAST" render -f ha.yaml 2>/dev/null | sed -n 's/^  name: \(feast-secret-merge-.*\)/\1/p' | head -n 1)
[ -n "$merge_cm" ] || fail "no secret-merge ConfigMap rendered"
objects="clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role
configmap/$merge_cm
serviceaccount/feast-shop
role.rbac.authorization.k8s.io/feast-shop
rolebinding.rbac.authorization.k8s.io/feast-shop
clusterrolebinding.rbac.authorization.k8s.io/feast-shop-cluster-binding
role.rbac.authorization.k8s.io/feast-shop-sidecar
rolebinding.rbac.authorization.k8s.io/feast-shop-sidecar
configmap/feast-shop-client
service/feast-shop-online
deployment.apps/feast-shop
horizontalpodautoscaler.autoscaling/feast-shop
poddisruptionbudget.policy/feast-shop"
# expect_lines FILE SUFFIX: every object, in render order, followed by SUFFIX.
expect_lines() {
	echo "$objects" | sed "s|\$| $2|" >want
	same_file want "$1"
}

# ---- invalid input: exit 1, nothing sent ----
sed 's/maxReplicas: 5/maxReplicas: "five"/' ha.yaml >bad.yaml
audit_mark
expect_run 1 "$FEAST" apply -f bad.yaml
has err '^error: bad.yaml:10:[0-9]+: spec.services.scaling.autoscaling.maxReplicas: '
[ ! -s out ] || fail "invalid input printed objects: $(cat out)"
[ "$(audit_count --agent kubectl-feast)" = 0 ] || fail "an invalid spec still reached the server: $(audit_requests)"

# ---- usage errors ----
expect_run 2 "$FEAST" apply
has err 'must specify -f'
expect_run 2 "$FEAST" apply -f ha.yaml --dry-run=maybe
expect_run 2 "$FEAST" apply -f ha.yaml --wait=soon
expect_run 2 "$FEAST" apply -f ha.yaml --dry-run=server --wait
expect_run 2 "$FEAST" apply -f ha.yaml extra

# ---- create, then unchanged ----
expect_run 0 "$FEAST" apply -f ha.yaml
expect_lines out created
kubectl get deploy,hpa,pdb,svc,cm,sa,role,rolebinding -n feast -o name >seen
for o in deployment.apps/feast-shop horizontalpodautoscaler.autoscaling/feast-shop \
	poddisruptionbudget.policy/feast-shop service/feast-shop-online configmap/feast-shop-client \
	serviceaccount/feast-shop role.rbac.authorization.k8s.io/feast-shop; do
	has seen "^$o\$" "kubectl does not see $o"
done
kubectl get deploy feast-shop -n feast -o json --show-managed-fields >dep.json
has dep.json '"manager": "kubectl-feast"' "no kubectl-feast field manager"
has dep.json '"operation": "Apply"' "not a server-side apply"
has dep.json '"feast.dev/applied-spec": "\{.*\\"name\\":\\"shop\\"' "no stored spec"
has dep.json '"feast.dev/applied-options": "\{\\"target\\":\\"standalone\\"\}"' "no stored options"
"$FEAST" render -f ha.yaml >rendered.yaml
lacks rendered.yaml 'applied-spec' "render output carries the stored spec"
# Once the real controllers are done (the rollout, the HPA's step up to 2 replicas; kwok
# plays the kubelet), only our writes could move an object's resourceVersion.
kubectl rollout status deploy/feast-shop -n feast --timeout=30s >/dev/null
kubectl wait hpa/feast-shop -n feast --for=jsonpath='{.status.currentReplicas}'=2 --timeout=30s >/dev/null
kubectl rollout status deploy/feast-shop -n feast --timeout=30s >/dev/null
versions feast $objects >before
expect_run 0 "$FEAST" apply -f ha.yaml
expect_lines out unchanged
versions feast $objects >after
same_file before after

# ---- update: only what changed is configured ----
sed 's/logLevel: info/logLevel: debug/' ha.yaml >debug.yaml
audit_mark
expect_run 0 "$FEAST" apply -f debug.yaml --dry-run=server
audit_only_dry_writes kubectl-feast
has out '^deployment.apps/feast-shop configured \(server dry run\)$'
has out '^configmap/feast-shop-client unchanged \(server dry run\)$'
versions feast $objects >after
same_file before after
audit_mark
expect_run 0 "$FEAST" apply -f debug.yaml --dry-run=client
has out '^deployment.apps/feast-shop serverside-applied \(dry run\)$'
audit_requests --agent kubectl-feast --writes >writes
[ ! -s writes ] || fail "a client dry run sent a write: $(cat writes)"
versions feast $objects >after
same_file before after
kubectl get deploy feast-shop -n feast -o jsonpath='{.spec.template.spec.containers[0].command}' >cmd
has cmd 'INFO' "a dry run changed the log level"
expect_run 0 "$FEAST" apply -f debug.yaml
[ "$(grep -c ' configured$' out)" = 1 ] || fail "expected one configured object: $(cat out)"
has out '^deployment.apps/feast-shop configured$'
kubectl get deploy feast-shop -n feast -o jsonpath='{.spec.template.spec.containers[0].command}' >cmd
has cmd 'DEBUG' "the new log level did not arrive"

# ---- a new store in a fresh namespace: created (dry run) without writing ----
sed -e 's/name: shop/name: cart/' -e 's/feastProject: shop/feastProject: cart/' ha.yaml >cart.yaml
expect_run 0 "$FEAST" apply -f cart.yaml --dry-run=client
has out '^deployment.apps/feast-cart created \(dry run\)$'
expect_run 0 "$FEAST" apply -f cart.yaml --dry-run=server
has out '^deployment.apps/feast-cart created \(server dry run\)$'
expect_run 1 kubectl get deploy feast-cart -n feast

# ---- a namespace that does not exist: the server's Status, exit 3 ----
# (another store name: one name per cluster, cluster_bindings.sh)
sed 's/namespace: feast/namespace: nowhere/; s/^  name: shop$/  name: elsewhere/' ha.yaml >nowhere.yaml
expect_run 3 "$FEAST" apply -f nowhere.yaml
has err '^error: from server \(NotFound\): namespaces "nowhere" not found$'
has err 'stopped at configmap/feast-secret-merge-[0-9a-f]*: 1 of 13 objects were applied \(0 changed\)'
has err '^error: the same for serviceaccount/feast-elsewhere, role.rbac'

# ---- -n and the kubeconfig's namespace for a store that names none ----
sed "/namespace: feast/d" debug.yaml >nons.yaml
expect_run 0 "$FEAST" apply -f nons.yaml -n feast --dry-run=server
expect_lines out "unchanged (server dry run)"

# ---- conflicts with another field manager ----
cat >cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: feast-shop-client, namespace: feast}
data: {feature_store.yaml: "hand-edited"}
YAML
kubectl apply --server-side --force-conflicts --field-manager=someone -f cm.yaml >/dev/null
expect_run 3 "$FEAST" apply -f debug.yaml
has err '^error: from server \(Conflict\): Apply failed with 1 conflict: conflict with "someone": \.data\.feature_store\.yaml$'
has err 'run again with --force-conflicts'
has err 'stopped at configmap/feast-shop-client: 7 of 13 objects were applied \(0 changed\)'
expect_run 0 "$FEAST" apply -f debug.yaml --force-conflicts
has out '^configmap/feast-shop-client configured$'
kubectl get cm feast-shop-client -n feast -o jsonpath='{.data.feature_store\.yaml}' >data
has data '^project: shop' "--force-conflicts did not take the field back"
expect_run 0 "$FEAST" apply -f debug.yaml
expect_lines out unchanged

# ---- help names the exit codes ----
expect_run 0 "$FEAST" apply --help
has out 'Exit codes: 0 applied, 1 invalid spec, 2 usage, 3 cluster or API failure'
has out -- '--force-conflicts'
has out -- '--kubeconfig'
