# cluster_diff.sh -- `kubectl feast diff`: kubectl diff's exit codes (0 same, 1 different,
# 2 usage, 3 cluster, 4 invalid spec), diffs limited to the fields kubectl-feast manages,
# nothing stored, Secret values masked.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start

store() { # store LOGLEVEL [EXTRA SERVICES LINES]: the store, autoscaled, and its Secret
	feature_store shop feast "    scaling:
      autoscaling: {minReplicas: 2, maxReplicas: 5}
${2:-}" "" "$1"
	cat <<YAML
---
apiVersion: v1
kind: Secret
metadata: {name: stores, namespace: feast}
stringData: {postgres: "password: hunter2-$1"}
YAML
}
store info "    podAnnotations: {team: search}" >info.yaml
store debug >debug.yaml

# ---- 2 usage, 4 invalid spec, 3 cluster ----
expect_run 2 "$FEAST" diff
expect_run 2 "$FEAST" diff -f info.yaml --bogus
sed 's/maxReplicas: 5/maxReplicas: 0/' info.yaml >bad.yaml
expect_run 4 "$FEAST" diff -f bad.yaml
has err '^error: bad.yaml:[0-9]+:[0-9]+: spec.services.scaling.autoscaling'
expect_run 3 "$FEAST" diff -f info.yaml --token "$CLUSTER_USER_TOKEN"
has err '^error: from server \(Forbidden\): '
[ ! -s out ] || fail "a failed diff printed: $(cat out)"

# ---- nothing applied yet: every object is new, nothing is stored ----
audit_mark
expect_run 1 "$FEAST" diff -f info.yaml
audit_only_dry_writes kubectl-feast
[ "$(grep -c '^diff -u -N live/' out)" = 13 ] || fail "expected 13 new objects: $(grep '^diff' out)"
has out '^diff -u -N live/apps\.v1\.Deployment\.feast\.feast-shop merged/apps\.v1\.Deployment\.feast\.feast-shop$'
has out '^diff -u -N live/rbac\.authorization\.k8s\.io\.v1\.ClusterRole\.\.feast-token-review-cluster-role '
has out '^@@ -0,0 \+1,[0-9]+ @@$'
has out '^\+        team: search$'
lacks out 'status:|managedFields|resourceVersion|creationTimestamp' "diff shows fields nobody applied"
lacks out 'hunter2' "diff shows a Secret value"
has out "^\\+  postgres: '\\*\\*\\*'\$"

# ---- applied: no differences, even after other managers change their own fields ----
"$FEAST" apply -f info.yaml >/dev/null
expect_run 0 "$FEAST" diff -f info.yaml
[ ! -s out ] || fail "diff right after apply: $(cat out)"
kubectl scale deploy/feast-shop -n feast --replicas=4 >/dev/null
kubectl label deploy/feast-shop -n feast owner=ops >/dev/null
expect_run 0 "$FEAST" diff -f info.yaml
[ ! -s out ] || fail "diff shows fields other managers own: $(cat out)"

# ---- a change: only the changed lines, removals included, in unified form ----
audit_mark
expect_run 1 "$FEAST" diff -f debug.yaml
audit_only_dry_writes kubectl-feast
has out '^--- live/apps\.v1\.Deployment\.feast\.feast-shop$'
has out '^\+\+\+ merged/apps\.v1\.Deployment\.feast\.feast-shop$'
has out '^-        - INFO$'
has out '^\+        - DEBUG$'
has out '^-        team: search$' "a field apply would remove is not shown"
has out "^-  postgres: '\\*\\*\\* \\(before\\)'\$"
has out "^\\+  postgres: '\\*\\*\\* \\(after\\)'\$"
lacks out 'hunter2|replicas: 4|owner: ops'
lacks out 'ConfigMap|Service\.|HorizontalPodAutoscaler' "unchanged objects are in the diff"
"$FEAST" apply -f debug.yaml >/dev/null
expect_run 0 "$FEAST" diff -f debug.yaml

# ---- help ----
expect_run 0 "$FEAST" diff --help
has out '0 no differences, 1 differences, 2 usage, 3 cluster or API'
