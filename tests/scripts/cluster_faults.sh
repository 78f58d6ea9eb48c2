# cluster_faults.sh -- API server faults in the middle of `apply`: each run fails clearly
# (exit 3, the server's reason, how far it got), Retry-After answers are retried, and a
# rerun converges to the state a clean apply gives.  A server that cannot be reached at all
# (closed port, a CA that does not match) is one error for the run, in apply, its dry runs
# and diff.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 0.2
DEP=/apis/apps/v1/namespaces/feast/deployments/feast-shop

for l in info debug warning error; do feature_store shop feast "$FS_HA" "" $l >$l.yaml; done
fault() { apiserver_admin POST /admin/faults "$1" >/dev/null; }
clear_faults() { apiserver_admin DELETE /admin/faults >/dev/null; }
# converged FILE: after a rerun of apply, diff finds nothing and another apply changes nothing.
converged() {
	expect_run 0 "$FEAST" apply -f "$1"
	expect_run 0 "$FEAST" diff -f "$1"
	expect_run 0 "$FEAST" apply -f "$1"
	lacks out 'created|configured' "not converged"
}

# ---- 500s on the Deployment's apply that do not stop: resent (apply is idempotent) four
# times, then the run stops there and says so; the rerun finishes ----
fault "{\"type\": \"error\", \"code\": 500, \"path\": \"$DEP\", \"method\": \"PATCH\", \"count\": 5}"
expect_run 3 "$FEAST" apply -f info.yaml
has err '^error: from server \(InternalError\): '
has err '^error: stopped at deployment.apps/feast-shop: 11 of 13 objects were applied \(11 changed\), the rest were not'
[ "$(grep -c created out)" = 11 ] || fail "printed: $(cat out)"
expect_run 1 kubectl get deploy feast-shop -n feast
apiserver_admin DELETE /admin/requests >/dev/null
expect_run 0 "$FEAST" apply -f info.yaml
has out '^deployment.apps/feast-shop created$'
has out '^configmap/feast-shop-client unchanged$'
# accept_of METHOD PATH: the Accept header of the logged requests for it, one per line.
accept_of() {
	apiserver_admin GET "/admin/requests" | "$PYTHON" -c 'import json, sys
for e in json.load(sys.stdin)["requests"]:
    if e["method"] == sys.argv[1] and e["path"] == sys.argv[2]:
        print(e["accept"])' "$1" "$2"
}
# What its LIST did not show is created with a metadata-only answer asked for; the rest not.
[ "$(accept_of PATCH "$DEP")" = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json" ] ||
	fail "the Deployment's create asked for: $(accept_of PATCH "$DEP")"
expect_run 0 "$FEAST" diff -f info.yaml

# ---- 503 with Retry-After twice: retried as client-go does, no error ----
apiserver_admin DELETE /admin/requests >/dev/null
fault "{\"type\": \"error\", \"code\": 503, \"path\": \"$DEP\", \"method\": \"PATCH\", \"count\": 2}"
expect_run 0 "$FEAST" apply -f debug.yaml
has out '^deployment.apps/feast-shop configured$'
apiserver_admin GET "/admin/requests" >log
[ "$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("PATCH '"$DEP"'"))' <log)" = 3 ] ||
	fail "expected 3 PATCHes of the Deployment: $(cat log)"
[ "$(accept_of PATCH "$DEP" | sort -u)" = application/json ] ||
	fail "the live Deployment's apply asked for: $(accept_of PATCH "$DEP" | sort -u)"
clear_faults

# ---- a single 500 is resent: no error ----
apiserver_admin DELETE /admin/requests >/dev/null
fault "{\"type\": \"error\", \"code\": 500, \"path\": \"$DEP\", \"method\": \"PATCH\", \"count\": 1}"
expect_run 0 "$FEAST" apply -f error.yaml
has out '^deployment.apps/feast-shop configured$'
apiserver_admin GET "/admin/requests" >log
[ "$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("PATCH '"$DEP"'"))' <log)" = 2 ] ||
	fail "expected 2 PATCHes of the Deployment: $(cat log)"
clear_faults

# ---- the write commits but the answer is lost: resent, and the resend finds it done ----
# (libcurl itself resends once on a kept-alive connection that died unanswered: drop both.)
fault "{\"type\": \"drop\", \"path\": \"$DEP\", \"method\": \"PATCH\", \"count\": 2}"
expect_run 0 "$FEAST" apply -f warning.yaml
has out '^deployment.apps/feast-shop configured$'
kubectl get deploy feast-shop -n feast -o jsonpath='{.spec.template.spec.containers[0].command}' >cmd
has cmd 'WARNING' "the dropped write was not committed"
expect_run 0 "$FEAST" apply -f warning.yaml
has out '^deployment.apps/feast-shop unchanged$'
expect_run 0 "$FEAST" diff -f warning.yaml

# ---- a 409 storm on every write: the server's reason, nothing claimed ----
# Every object sent (--skip-unchanged=false): the first wave fails whole.
fault '{"type": "conflict", "writes": true, "count": 50}'
expect_run 3 "$FEAST" apply -f error.yaml --skip-unchanged=false
has err '^error: from server \(Conflict\): '
has err 'stopped at clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role: 0 of 13 objects'
has err '^error: the same for configmap/feast-secret-merge-'
# By default only what changes is written: the storm meets the Deployment alone.
expect_run 3 "$FEAST" apply -f error.yaml
has err '^error: from server \(Conflict\): '
has err 'stopped at deployment.apps/feast-shop: 11 of 13 objects were applied \(0 changed\)'
clear_faults

# ---- connections reset (a few are resent, a run of them stops the apply), then an outage ----
fault "{\"type\": \"reset\", \"path\": \"/apis/autoscaling\", \"count\": 2}"
expect_run 0 "$FEAST" apply -f info.yaml
has out '^horizontalpodautoscaler.autoscaling/feast-shop unchanged$'
fault "{\"type\": \"reset\", \"path\": \"/apis/autoscaling\", \"count\": 40}"
expect_run 3 "$FEAST" apply -f error.yaml
has err 'stopped at horizontalpodautoscaler.autoscaling/feast-shop: 12 of 13 objects were applied \(1 changed\)'
clear_faults
fault '{"type": "refuse", "for": 2}'
expect_run 3 "$FEAST" apply -f error.yaml --request-timeout=1s
has err '^error: .*(reset|refused|connect|Connection|SSL|TLS)' "no reason for the outage"
sleep 2
clear_faults
converged error.yaml

# ---- a slow server and --request-timeout: a clear timeout, not a hang ----
fault "{\"type\": \"latency\", \"seconds\": 3, \"path\": \"$DEP\", \"count\": 1}"
expect_run 3 "$FEAST" apply -f info.yaml --request-timeout=500ms
has err 'stopped at deployment.apps/feast-shop'
clear_faults
converged info.yaml

# ---- nothing to reach: one error for the run, however many objects ----
one_error() { # one_error WHAT: the first object's error and the summary, nothing else
	[ "$(grep -c '^error: ' err)" = 2 ] || fail "$1: not one error: $(cat err)"
	has err '^error: the API server could not be reached: 13 of 13 objects were not sent'
	[ ! -s out ] || fail "$1 printed: $(cat out)"
}
closed="--server https://127.0.0.1:1 --insecure-skip-tls-verify"
# shellcheck disable=SC2086
expect_run 3 "$FEAST" apply -f info.yaml $closed
has err '^error: PATCH https://127.0.0.1:1/.*: cannot reach the API server'
has err 'objects were not sent \(0 applied, 0 changed\); run the same command again once it can be reached$'
one_error "apply, closed port"
# shellcheck disable=SC2086
expect_run 3 "$FEAST" apply -f info.yaml $closed --dry-run=server
has err 'were not sent \(dry run: nothing was changed\)$'
one_error "apply --dry-run=server, closed port"
# shellcheck disable=SC2086
expect_run 3 "$FEAST" diff -f info.yaml $closed
one_error "diff, closed port"
openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong.key -out wrong-ca.crt -days 1 -subj /CN=wrong-ca \
	2>/dev/null || fail "openssl could not make a CA"
expect_run 3 "$FEAST" apply -f info.yaml --certificate-authority wrong-ca.crt
has err "^error: PATCH .*: the API server's certificate could not be verified against the configured CA"
one_error "apply, wrong CA"
expect_run 3 "$FEAST" diff -f info.yaml --certificate-authority wrong-ca.crt --concurrency 2
has err "^error: GET .*: the API server's certificate could not be verified"
one_error "diff, wrong CA"
# A reset after the request went out is not "unreachable": the reset storm above names the
# object and how far the run got, and the server is answering again.
converged info.yaml
