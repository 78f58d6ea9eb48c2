# cluster_applyset_delete.sh -- the fleet lifecycle on the real API server: apply --prune
# --applyset removes the objects of a store whose file left the input (kubectl's ApplySet,
# which kubectl itself recognises), and `delete` removes stores, the shared ClusterRole only
# with the last store that binds it, and nothing another field manager applied.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast other
# kubectl's ApplySet support is still behind this switch.
export KUBECTL_APPLYSET=true

# The id kubectl computes for a parent: base64url(sha256(name.namespace.kind.group)).
applyset_id() {
	"$PYTHON" -c 'import base64, hashlib, sys
h = hashlib.sha256(("%s.%s.Secret." % (sys.argv[1], sys.argv[2])).encode()).digest()
print("applyset-" + base64.urlsafe_b64encode(h).decode().rstrip("=") + "-v1")' "$1" "$2"
}
ann() { # ann NS SECRET KEY: an annotation of a Secret
	kubectl get secret "$2" -n "$1" -o go-template="{{index .metadata.annotations \"$3\"}}"
}

mkdir fleet
feature_store a feast >fleet/a.yaml
feature_store b other "$FS_HA" >fleet/b.yaml
# No -n: the stores name their namespaces, and the parent goes to the context's, as with kubectl.
ID=$(applyset_id fleet default)

# ---- ApplySet: the parent, its members ----
expect_run 2 "$FEAST" apply -f fleet --applyset=fleet
has err 'requires --prune'
expect_run 0 "$FEAST" apply -f fleet --prune --applyset=fleet
has out '^deployment.apps/feast-b created$'
expect_run 0 kubectl get secrets -n default -l "applyset.kubernetes.io/id=$ID" -o name
has out '^secret/fleet$' "the parent lacks kubectl's id $ID"
[ "$(ann default fleet applyset.kubernetes.io/additional-namespaces)" = feast,other ] || fail "additional-namespaces"
ann default fleet applyset.kubernetes.io/tooling | grep -Eq '^kubectl-feast/v[0-9]' || fail "tooling"
kinds=$(ann default fleet applyset.kubernetes.io/contains-group-kinds)
for k in ClusterRole.rbac.authorization.k8s.io ClusterRoleBinding.rbac.authorization.k8s.io ConfigMap \
	Deployment.apps HorizontalPodAutoscaler.autoscaling PodDisruptionBudget.policy Service ServiceAccount; do
	case ",$kinds," in *",$k,"*) ;; *) fail "contains-group-kinds lacks $k: $kinds" ;; esac
done
kubectl get deploy,svc,sa,cm -n other -l "applyset.kubernetes.io/part-of=$ID" -o name | sort >members
has members '^deployment.apps/feast-b$'
has members '^configmap/feast-b-client$'
expect_run 0 kubectl get clusterrolebinding feast-b-cluster-binding -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/part-of}'
[ "$(cat out)" = "$ID" ] || fail "the ClusterRoleBinding is not a member"

# kubectl reads the parent as an ApplySet: it refuses to take over one kubectl-feast manages.
cat >plain.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: default}
data: {a: b}
YAML
expect_run 1 kubectl apply --server-side --prune --applyset=fleet -n default -f plain.yaml --dry-run=server
has err 'ApplySet parent object .*fleet.* already exists and is managed by tooling "kubectl-feast" instead of "kubectl"'
# ... and its own parents carry the id we compute, which apply refuses to take over in turn.
expect_run 0 kubectl apply --server-side --prune --applyset=theirs -n other -f - <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: other}
data: {a: b}
YAML
expect_run 0 kubectl get secret theirs -n other -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id}'
[ "$(cat out)" = "$(applyset_id theirs other)" ] || fail "kubectl's id $(cat out) is not $(applyset_id theirs other)"
expect_run 3 "$FEAST" apply -f fleet/b.yaml -n other --prune --applyset=theirs
has err 'managed by tooling "kubectl" instead of "kubectl-feast"'

# ---- the store b leaves the input: its objects are pruned, the shared role stays ----
rm fleet/b.yaml
expect_run 0 "$FEAST" apply -f fleet --prune --applyset=fleet --dry-run=server
has out '^deployment.apps/feast-b pruned \(server dry run\)$'
expect_run 0 kubectl get deploy feast-b -n other
audit_mark
expect_run 0 "$FEAST" apply -f fleet --prune --applyset=fleet
grep ' pruned$' out | sort >pruned
cat >want <<'TXT'
clusterrolebinding.rbac.authorization.k8s.io/feast-b-cluster-binding pruned
configmap/feast-b-client pruned
deployment.apps/feast-b pruned
horizontalpodautoscaler.autoscaling/feast-b pruned
poddisruptionbudget.policy/feast-b pruned
role.rbac.authorization.k8s.io/feast-b pruned
role.rbac.authorization.k8s.io/feast-b-sidecar pruned
rolebinding.rbac.authorization.k8s.io/feast-b pruned
rolebinding.rbac.authorization.k8s.io/feast-b-sidecar pruned
service/feast-b-online pruned
serviceaccount/feast-b pruned
TXT
sed -i 's/^configmap\/feast-secret-merge-[0-9a-f]* pruned$/configmap\/feast-secret-merge-HASH pruned/' pruned
grep -v secret-merge pruned >p2 || true
same_file want p2
# Dependents first: the HPA and PDB before the Deployment, the bindings before the roles.
grep -n ' pruned$' out >order
[ "$(grep -n 'horizontalpodautoscaler' order | cut -d: -f1)" -lt "$(grep -n 'deployment.apps' order | cut -d: -f1)" ] ||
	fail "the HPA was not pruned before the Deployment"
lacks out 'feast-token-review-cluster-role (pruned|deleted)'
expect_run 0 kubectl get clusterrole feast-token-review-cluster-role
expect_run 0 kubectl get deploy feast-a -n feast
[ "$(ann default fleet applyset.kubernetes.io/additional-namespaces)" = feast ] || fail "other is still listed"
audit_requests --agent kubectl-feast --writes | grep -ci '^delete' >deletes || true
[ "$(cat deletes)" -ge 11 ] || fail "expected at least 11 DELETEs, got $(cat deletes)"
# Nothing more to prune.
expect_run 0 "$FEAST" apply -f fleet --prune --applyset=fleet
lacks out 'pruned|created'

# ---- delete: the shared ClusterRole lives as long as a store binds it ----
feature_store c other >c.yaml
expect_run 0 "$FEAST" apply -f c.yaml
# An object with c's labels that someone else applied is listed and left.
kubectl apply --server-side --field-manager=someone -f - >/dev/null <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: feast-c-notes
  namespace: other
  labels: {feast.dev/name: c, app.kubernetes.io/managed-by: kubectl-feast}
data: {a: b}
YAML
audit_mark
expect_run 0 "$FEAST" delete c -n other --dry-run=server
has out '^deployment.apps/feast-c deleted \(server dry run\)$'
has err 'configmap/feast-c-notes left'
lacks out 'feast-token-review-cluster-role (pruned|deleted)'
expect_run 0 "$FEAST" delete c -n other --dry-run=client
has out '^serviceaccount/feast-c deleted \(dry run\)$'
audit_no_writes kubectl-feast "delete --dry-run wrote"
expect_run 0 kubectl get deploy feast-c -n other

expect_run 0 "$FEAST" delete c -n other --wait=2m
has out '^deployment.apps/feast-c deleted$'
has out '^clusterrolebinding.rbac.authorization.k8s.io/feast-c-cluster-binding deleted$'
lacks out 'notes|feast-token-review-cluster-role'
has err 'configmap/feast-c-notes left'
expect_run 0 kubectl get pods -n other -l feast.dev/name=c -o name
[ ! -s out ] || fail "pods of c remain after --wait: $(cat out)"
expect_run 0 kubectl get deploy,svc,sa,role,rolebinding -n other -l feast.dev/name=c -o name
[ ! -s out ] || fail "objects of c remain: $(cat out)"
expect_run 0 kubectl get configmap feast-c-notes -n other
expect_run 0 kubectl get clusterrole feast-token-review-cluster-role
# Deleting it again: nothing of it is left but what is not ours.
expect_run 0 "$FEAST" delete c -n other
lacks out 'deleted'
has err 'configmap/feast-c-notes left'
expect_run 1 "$FEAST" delete nosuch -n other
has err 'featurestore "nosuch" not found'

# The last store that binds the role takes it along (and the namespace's secret-merge ConfigMap).
expect_run 0 "$FEAST" delete -f fleet/a.yaml
has out '^clusterrolebinding.rbac.authorization.k8s.io/feast-a-cluster-binding deleted$'
has out '^clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role deleted$'
has out '^configmap/feast-secret-merge-[0-9a-f]+ deleted$'
expect_run 1 kubectl get clusterrole feast-token-review-cluster-role
