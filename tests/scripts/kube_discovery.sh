# kube_discovery.sh -- the kube client's static kind table agrees with the test API server's
# discovery documents (plural, scope, path), and discovery finds or refuses other kinds.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
LITE="$FEAST_BUILD_DIR/kubectl-lite"
apiserver_start
n=0
for gvk in v1/ConfigMap v1/Secret v1/Service v1/ServiceAccount v1/PersistentVolumeClaim v1/Pod \
	v1/Namespace apps/v1/Deployment autoscaling/v2/HorizontalPodAutoscaler \
	policy/v1/PodDisruptionBudget rbac.authorization.k8s.io/v1/Role \
	rbac.authorization.k8s.io/v1/RoleBinding rbac.authorization.k8s.io/v1/ClusterRole \
	rbac.authorization.k8s.io/v1/ClusterRoleBinding batch/v1/CronJob \
	coordination.k8s.io/v1/Lease feast.dev/v1/FeatureStore keda.sh/v1alpha1/ScaledObject; do
	kind=${gvk##*/}
	av=${gvk%/*}
	"$LITE" resolve "$av" "$kind" >table 2>err || fail "table $gvk: $(cat err)"
	"$LITE" resolve --discover "$av" "$kind" >served 2>err || fail "discovery $gvk: $(cat err)"
	same_file table served
	n=$((n + 1))
done
[ $n = 18 ] || fail "checked $n kinds"
"$LITE" resolve coordination.k8s.io/v1 Lease >out &&
	grep -qx "leases namespaced /apis/coordination.k8s.io/v1/namespaces/default/leases/x" out ||
	fail "namespaced path: $(cat out)"
"$LITE" resolve v1 Namespace >out && grep -qx "namespaces cluster /api/v1/namespaces/x" out ||
	fail "cluster-scoped path: $(cat out)"
# A kind the group does not serve, and a group the server does not know.
expect_exit 3 "$LITE" resolve --discover apps/v1 Widget 2>err
grep -q 'no matches for kind "Widget" in version "apps/v1"' err || fail "unknown kind: $(cat err)"
expect_exit 3 "$LITE" resolve example.com/v1 Widget 2>err
grep -q 'no matches for kind "Widget" in version "example.com/v1" (ensure CRDs are installed first)' err ||
	fail "unknown group: $(cat err)"
