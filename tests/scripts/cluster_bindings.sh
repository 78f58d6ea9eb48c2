# cluster_bindings.sh -- ClusterRoleBinding names are cluster-wide: a store driver-stats in
# staging would take over feast-driver-stats-cluster-binding, which binds the store of the
# same name in feast.  apply reads the live binding first and refuses (exit 1, nothing
# written, golden/inputs/cluster-binding-taken.err); the store that owns it re-applies fine.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
. "$SRC/tests/golden.sh"
cluster_start feast staging
feature_store driver-stats feast >feast.yaml
feature_store driver-stats staging >staging.yaml

"$FEAST" apply -f feast.yaml >out 2>err || { cat err >&2; fail "first apply"; }
audit_mark
set +e
"$FEAST" apply -f staging.yaml >out 2>"$TEST_TMP/cluster-binding-taken.err"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$TEST_TMP/cluster-binding-taken.err" >&2; fail "second store: exit $rc, want 1"; }
[ -s out ] && fail "refused apply printed objects: $(cat out)"
golden_file "$SRC/golden/inputs/cluster-binding-taken.err" "$TEST_TMP/cluster-binding-taken.err" ||
	fail "the refusal's stderr differs"
audit_sync
audit_requests --agent kubectl-feast --writes >log
[ -s log ] && fail "a refused apply still wrote: $(cat log)"
kubectl get clusterrolebinding feast-driver-stats-cluster-binding \
	-o jsonpath='{.subjects[0].namespace}' >ns
[ "$(cat ns)" = feast ] || fail "the binding moved to $(cat ns)"

# Its owner applies again without complaint.
"$FEAST" apply -f feast.yaml >out 2>err || { cat err >&2; fail "owner re-apply"; }
grep -q '^clusterrolebinding.rbac.authorization.k8s.io/feast-driver-stats-cluster-binding unchanged$' out ||
	fail "owner re-apply: $(cat out)"
echo "cluster-scoped binding names hold"
