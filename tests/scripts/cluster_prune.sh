# cluster_prune.sh -- `apply --prune` (and `diff --prune`) delete exactly the objects a store
# no longer renders: the HPA once autoscaling is off, the PDB and the sidecar's RBAC once
# scaling is off, the RBAC once authorization is off; unrelated objects with look-alike labels, other namespaces,
# other stores and other kinds survive.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast other

NOAUTH='  authz: {noAuth: true}'
feature_store shop feast "$FS_HA" >ha.yaml
feature_store shop feast "" "$NOAUTH" >plain.yaml
feature_store shop other "$FS_HA" "$NOAUTH" >other.yaml
expect_run 0 "$FEAST" apply -f ha.yaml
expect_run 0 "$FEAST" apply -f other.yaml

# Look-alikes that prune must leave alone.
cat >lookalikes.yaml <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: feast-shop-extra
  namespace: feast
  labels: {feast.dev/name: shop, app.kubernetes.io/managed-by: kubectl-feast}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: feast-shop}
  maxReplicas: 3
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: feast-cart
  namespace: feast
  labels: {feast.dev/name: cart, app.kubernetes.io/managed-by: kubectl-feast}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: feast-cart}
  maxReplicas: 3
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-notes
  namespace: feast
  labels: {feast.dev/name: shop, app.kubernetes.io/managed-by: helm}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata:
  name: stores
  namespace: feast
  labels: {feast.dev/name: shop, app.kubernetes.io/managed-by: kubectl-feast}
stringData: {postgres: "host: db"}
YAML
# The first HPA is applied by another manager; the rest even under our manager's name.
sed -n '1,9p' lookalikes.yaml | kubectl apply --server-side --field-manager=someone -f - >/dev/null
sed '1,10d' lookalikes.yaml | kubectl apply --server-side --field-manager=kubectl-feast -f - >/dev/null

# ---- diff --prune shows the deletions first; dry runs delete nothing ----
expect_run 1 "$FEAST" diff -f plain.yaml --prune
has out '^diff -u -N live/autoscaling\.v2\.HorizontalPodAutoscaler\.feast\.feast-shop merged/'
has out '^-kind: HorizontalPodAutoscaler$'
has out '^diff -u -N live/policy\.v1\.PodDisruptionBudget\.feast\.feast-shop merged/'
lacks out 'feast-shop-extra|feast-cart|shop-notes|Secret'
expect_run 0 "$FEAST" apply -f plain.yaml --prune --dry-run=server
has out '^horizontalpodautoscaler.autoscaling/feast-shop pruned \(server dry run\)$'
expect_run 0 "$FEAST" apply -f plain.yaml --prune --dry-run=client
has out '^poddisruptionbudget.policy/feast-shop pruned \(dry run\)$'
expect_run 0 kubectl get hpa/feast-shop pdb/feast-shop -n feast

# ---- the real prune ----
expect_run 0 "$FEAST" apply -f plain.yaml --prune
grep ' pruned$' out >pruned || true
cat >want <<'TXT'
poddisruptionbudget.policy/feast-shop pruned
horizontalpodautoscaler.autoscaling/feast-shop pruned
clusterrolebinding.rbac.authorization.k8s.io/feast-shop-cluster-binding pruned
rolebinding.rbac.authorization.k8s.io/feast-shop pruned
rolebinding.rbac.authorization.k8s.io/feast-shop-sidecar pruned
role.rbac.authorization.k8s.io/feast-shop pruned
role.rbac.authorization.k8s.io/feast-shop-sidecar pruned
TXT
same_file want pruned
has out '^deployment.apps/feast-shop configured$'
# The secret-merge.py ConfigMap is shared by the namespace's stores: never pruned.
kubectl get hpa,pdb,role,rolebinding,cm,secret,sa,deploy,svc -n feast -o name |
	sed 's/feast-secret-merge-[0-9a-f]*$/feast-secret-merge-HASH/' | sort >left
# (kube-root-ca.crt and the default ServiceAccount are the real controllers', in every namespace.)
cat >want <<'TXT'
configmap/feast-secret-merge-HASH
configmap/feast-shop-client
configmap/kube-root-ca.crt
configmap/shop-notes
deployment.apps/feast-shop
horizontalpodautoscaler.autoscaling/feast-cart
horizontalpodautoscaler.autoscaling/feast-shop-extra
secret/stores
service/feast-shop-online
serviceaccount/default
serviceaccount/feast-shop
TXT
same_file want left
kubectl get hpa,pdb,deploy -n other -o name | sort >left
printf '%s\n' deployment.apps/feast-shop horizontalpodautoscaler.autoscaling/feast-shop \
	poddisruptionbudget.policy/feast-shop >want
same_file want left
# The shared ClusterRole stays (other stores bind it); the binding is gone.
expect_run 0 kubectl get clusterrole feast-token-review-cluster-role
expect_run 1 kubectl get clusterrolebinding feast-shop-cluster-binding

# ---- nothing left to prune; turning scaling back on re-creates ----
expect_run 0 "$FEAST" apply -f plain.yaml --prune
lacks out 'pruned|created|configured'
expect_run 0 "$FEAST" diff -f plain.yaml --prune
[ ! -s out ] || fail "diff after the prune is not empty: $(cat out)"
expect_run 0 "$FEAST" apply -f ha.yaml --prune
has out '^horizontalpodautoscaler.autoscaling/feast-shop created$'
has out '^clusterrolebinding.rbac.authorization.k8s.io/feast-shop-cluster-binding created$'
lacks out 'pruned'

# ---- a ClusterRoleBinding that binds another namespace's account is not ours ----
# apply refuses to rebind it (cluster_bindings.sh); another applier of ours did, with the
# same field manager and labels: the binding (one name per store name) now binds other/.
feature_store shop other "$FS_HA" >other-auth.yaml
expect_run 1 "$FEAST" apply -f other-auth.yaml
"$FEAST" render -f other-auth.yaml | "$PYTHON" -c '
import sys, yaml
for d in yaml.safe_load_all(sys.stdin):
    if d and d["kind"] == "ClusterRoleBinding" and d["metadata"]["name"] == "feast-shop-cluster-binding":
        print(yaml.safe_dump(d))' >other-crb.yaml
expect_run 0 kubectl apply --server-side --field-manager=kubectl-feast --force-conflicts -f other-crb.yaml
expect_run 0 "$FEAST" apply -f plain.yaml --prune
lacks out 'clusterrolebinding.*pruned' "pruned a binding of another namespace's account"
expect_run 0 kubectl get clusterrolebinding feast-shop-cluster-binding
