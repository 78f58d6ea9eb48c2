# cluster_apply_requests.sh -- the requests apply sends to the real API server.  First apply:
# one server-side apply PATCH per object (no GET) and the LISTs of the live objects (one per
# kind and namespace, the ClusterRoleBindings' being the binding check's LIST, which is also
# the floor the answers are judged against).  No-op re-apply: the same LISTs and no PATCH at
# all.  A re-apply after one store's spec changed PATCHes only what changed; a field another
# manager took, or a field the input no longer sets, is PATCHed back.  Lines come out in
# input order whatever the concurrency; --skip-unchanged=false sends every PATCH.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start reqa reqb reqc
for i in 1 2 3 4 5; do
	feature_store "r$i" reqa "$FS_HA"; echo ---
	feature_store "s$i" reqb; echo ---
done >stores.yaml
"$FEAST" render -f stores.yaml 2>/dev/null >rendered.yaml
N=$(grep -c '^kind: ' rendered.yaml)
sed -n 's/^kind: //p' rendered.yaml | tr 'A-Z' 'a-z' >want
# The LISTs: one per kind and namespace of the rendered objects, the ClusterRoleBindings' one
# (the binding check's, cluster-wide) included.
awk 'function out() { if (k != "") print k, (k ~ /^Cluster/ ? "" : n); k = ""; n = "" }
	/^---/ { out() } /^kind: / { k = $2 } /^  namespace: / { n = $2 } END { out() }' rendered.yaml |
	sort -u | wc -l >lists-want
LISTS=$(cat lists-want)
[ "$LISTS" -le 20 ] || fail "$LISTS kinds and namespaces: more LISTs than expected"

# requests_per_object: one line per object path: COUNT VERB PATH (queries left out).
requests_per_object() {
	audit_requests --agent kubectl-feast | awk '{ sub(/\?.*/, "", $2); print $1, $2 }' |
		sort | uniq -c | sort -rn >per-object
}
# check_lists ROUND: the LISTs, one per collection, and nothing but LISTs and PATCHes.
check_lists() {
	awk '$2 == "list"' per-object >lists
	[ "$(wc -l <lists)" = "$LISTS" ] || fail "$1: not $LISTS LISTs: $(cat lists)"
	awk '$2 != "patch" && $2 != "list" || $1 != 1' per-object >other
	[ ! -s other ] || fail "$1: requests besides one LIST per collection and the PATCHes: $(cat other)"
}

audit_mark
expect_run 0 "$FEAST" apply -f stores.yaml --concurrency 8
requests_per_object
[ "$(awk '$2 == "patch"' per-object | wc -l)" = "$N" ] || fail "first: not one PATCH per object: $(cat per-object)"
check_lists first
sed 's/[./].*//' out >got
cmp -s got want || fail "first: lines not in input order: $(paste got want)"

audit_mark
expect_run 0 "$FEAST" apply -f stores.yaml --concurrency 8
requests_per_object
lacks per-object ' patch ' "the no-op re-apply sent PATCHes"
check_lists again
lacks out 'created|configured' "the re-apply changed something"
[ "$(grep -c ' unchanged$' out)" = "$N" ] || fail "the re-apply did not say unchanged for every object"
sed 's/[./].*//' out >got
cmp -s got want || fail "again: lines not in input order: $(paste got want)"

# One store's spec changes: only its changed objects are sent, and they say configured.
sed '/name: r2$/,/^---/s/maxReplicas: 5/maxReplicas: 7/' stores.yaml >changed.yaml
audit_mark
expect_run 0 "$FEAST" apply -f changed.yaml
requests_per_object
awk '$2 == "patch" { print $3 }' per-object | sort >patched
has patched 'horizontalpodautoscalers/feast-r2$' "the changed HPA was not sent"
lacks patched 'feast-r[^2]|feast-s' "objects of stores that did not change were sent"
[ "$(grep -c ' configured$' out)" = "$(wc -l <patched)" ] ||
	fail "PATCHes and configured lines differ: $(cat patched) / $(grep configured out)"
has out '^horizontalpodautoscaler.autoscaling/feast-r2 configured$'
[ "$(kubectl get hpa -n reqa feast-r2 -o jsonpath='{.spec.maxReplicas}')" = 7 ] || fail "maxReplicas not 7"

# Another field manager changed fields kubectl-feast owns: the re-apply sends them, and
# takes them back with --force-conflicts (without, the conflict is the server's to report).
kubectl label -n reqb serviceaccount feast-s1 app.kubernetes.io/version=other --overwrite >/dev/null
kubectl get configmap -n reqb feast-s2-client -o json |
	"$PYTHON" -c 'import json, sys
o = json.load(sys.stdin)
print(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": o["metadata"]["name"],
      "namespace": "reqb", "labels": {"feast.dev/name": "other"}}}))' >theirs.json
kubectl apply --server-side --field-manager=x --force-conflicts -f theirs.json >/dev/null
expect_run 3 "$FEAST" apply -f changed.yaml
has err 'conflict'
audit_mark
expect_run 0 "$FEAST" apply -f changed.yaml --force-conflicts
requests_per_object
awk '$2 == "patch" { print $3 }' per-object | sort >patched
[ "$(wc -l <patched)" = 2 ] && has patched 'serviceaccounts/feast-s1$' && has patched 'configmaps/feast-s2-client$' ||
	fail "not the two objects another manager changed: $(cat patched)"
has out '^serviceaccount/feast-s1 configured$'
has out '^configmap/feast-s2-client configured$'
[ "$(kubectl get sa -n reqb feast-s1 -o jsonpath='{.metadata.labels.app\.kubernetes\.io/version}')" != other ] ||
	fail "the label was not taken back"
[ "$(kubectl get cm -n reqb feast-s2-client -o jsonpath='{.metadata.labels.feast\.dev/name}')" = s2 ] ||
	fail "the ConfigMap's label was not taken back"

# A field the input set once and sets no more is removed: that apply is sent.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: reqc\n  labels: {team: a}\ndata:\n  a: "1"\n  b: "2"\n' >plain.yaml
expect_run 0 "$FEAST" apply -f plain.yaml
sed '/b: "2"/d' plain.yaml >plain-less.yaml
audit_mark
expect_run 0 "$FEAST" apply -f plain-less.yaml
has out '^configmap/plain configured$'
[ "$(audit_requests --agent kubectl-feast | grep -c '^patch ')" = 1 ] || fail "the removal was not sent"
[ -z "$(kubectl get cm -n reqc plain -o jsonpath='{.data.b}')" ] || fail "data.b is still there"
expect_run 0 "$FEAST" apply -f plain-less.yaml
has out '^configmap/plain unchanged$'

# Sending every object: one PATCH each, and still unchanged.
audit_mark
expect_run 0 "$FEAST" apply -f changed.yaml --skip-unchanged=false
requests_per_object
[ "$(awk '$2 == "patch"' per-object | wc -l)" = "$N" ] || fail "--skip-unchanged=false: not one PATCH per object"
lacks out 'created|configured' "--skip-unchanged=false changed something"

# One at a time gives the same lines.
expect_run 0 "$FEAST" apply -f stores.yaml --concurrency 1
sed 's/[./].*//' out >got
cmp -s got want || fail "--concurrency 1: lines not in input order"
expect_run 2 "$FEAST" apply -f stores.yaml --concurrency 0
has err 'invalid argument "0" for "--concurrency" flag'
