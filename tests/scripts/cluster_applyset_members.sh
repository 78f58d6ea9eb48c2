# cluster_applyset_members.sh -- on the real API server: stores applied with --applyset stay
# members when a plain apply, a plain diff or `scale NAME` re-applies them (kubectl's own
# plain apply drops the label, shown first); `diff --prune --applyset` shows as deletions
# exactly what that prune deletes, and writes nothing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast
export KUBECTL_APPLYSET=true

# The id kubectl computes for a Secret parent: base64url(sha256(name.namespace.Secret.)).
applyset_id() {
	"$PYTHON" -c 'import base64, hashlib, sys
h = hashlib.sha256(("%s.%s.Secret." % (sys.argv[1], sys.argv[2])).encode()).digest()
print("applyset-" + base64.urlsafe_b64encode(h).decode().rstrip("=") + "-v1")' "$1" "$2"
}
# members: every object of the set, one a line, sorted.
members() {
	{
		kubectl get deploy,svc,sa,cm,role,rolebinding,hpa,pdb -n feast -l "applyset.kubernetes.io/part-of=$ID" -o name
		kubectl get clusterrole,clusterrolebinding -l "applyset.kubernetes.io/part-of=$ID" -o name
	} | sort
}
# label_of KIND NAME: its part-of label ("" when none).
label_of() {
	kubectl get "$1" "$2" -n feast -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/part-of}'
}

# ---- what kubectl itself does: a plain apply of a member takes it out of the set ----
cat >plain.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: feast}
data: {a: b}
YAML
expect_run 0 kubectl apply --server-side --prune --applyset=kset -n feast -f plain.yaml
[ -n "$(label_of configmap plain)" ] || fail "kubectl's ApplySet did not label its member"
expect_run 0 kubectl apply --server-side -n feast -f plain.yaml
[ -z "$(label_of configmap plain)" ] || fail "kubectl's plain apply kept the label (this test documents that it drops it)"

# ---- a set of two stores ----
mkdir fleet
feature_store a feast >fleet/a.yaml
feature_store b feast "$FS_HA" >fleet/b.yaml
ID=$(applyset_id fleet feast)
expect_run 0 "$FEAST" apply -f fleet -n feast --prune --applyset=fleet
members >before
[ "$(wc -l <before)" -ge 20 ] || fail "the set holds only: $(cat before)"
has before '^clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role$'

# ---- a plain apply, of the whole input or of one store, keeps every member in the set ----
expect_run 0 "$FEAST" apply -f fleet -n feast
lacks out 'created|configured' "a plain apply changed members"
members >after
same_file before after
expect_run 0 "$FEAST" apply -f fleet/b.yaml -n feast
lacks out 'created|configured|pruned'
members >after
same_file before after
# The same with --dry-run and diff: nothing would change.
expect_run 0 "$FEAST" apply -f fleet -n feast --dry-run=server
lacks out 'created|configured'
expect_run 0 "$FEAST" diff -f fleet -n feast
[ ! -s out ] || fail "a plain diff of members differs: $(cat out)"

# ---- diff --prune --applyset: the ApplySet's prune, shown, nothing written ----
mv fleet/b.yaml b.yaml
expect_run 2 "$FEAST" diff -f fleet -n feast --applyset=fleet
has err 'requires --prune'
# Without --applyset, prune goes by the stores in the input: b is not one of them.
expect_run 0 "$FEAST" diff -f fleet -n feast --prune
audit_mark
expect_run 1 "$FEAST" diff -f fleet -n feast --prune --applyset=fleet --concurrency 4
audit_only_dry_writes kubectl-feast
has out '^diff -u -N live/apps\.v1\.Deployment\.feast\.feast-b merged/apps\.v1\.Deployment\.feast\.feast-b$'
has out '^diff -u -N live/rbac\.authorization\.k8s\.io\.v1\.ClusterRoleBinding\.\.feast-b-cluster-binding '
lacks out '^diff .*ClusterRole\.\.feast-token-review-cluster-role ' "the shared role, still bound by a, would be pruned"
lacks out '^diff .*feast-a' "a store still in the input differs"
# Every object it shows is a deletion (the hunk ends at +0,0), one per object the prune takes.
awk '/^diff -u -N/ { n = $4 } /^@@ .* \+0,0 @@$/ { print n }' out | sort >deleted
[ "$(grep -c '^diff -u -N' out)" = "$(wc -l <deleted)" ] || fail "not only deletions: $(grep '^diff' out)"
expect_run 0 "$FEAST" apply -f fleet -n feast --prune --applyset=fleet --dry-run=server
grep -c ' pruned (server dry run)$' out >npruned
[ "$(cat npruned)" = "$(wc -l <deleted)" ] || fail "diff shows $(wc -l <deleted) deletions, prune $(cat npruned): $(cat out)"
members >after
same_file before after
mv b.yaml fleet/b.yaml

# ---- scale NAME re-applies the stored spec: the store stays in the set, new objects join ----
expect_run 0 "$FEAST" scale a -n feast --replicas=2
has out '^deployment.apps/feast-a scaled$'
[ "$(label_of deployment feast-a)" = "$ID" ] || fail "scale took feast-a out of the set"
kubectl get deploy,svc,sa,cm,role,rolebinding,hpa,pdb -n feast \
	-l 'feast.dev/name=a,!applyset.kubernetes.io/part-of' -o name >outside
[ ! -s outside ] || fail "objects of a outside the set after scale: $(cat outside)"

echo "ApplySet members stay members; diff --prune --applyset shows the prune"
