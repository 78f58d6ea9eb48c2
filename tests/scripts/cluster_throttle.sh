# cluster_throttle.sh -- apply under API Priority and Fairness throttling (429 storms on the
# test API server): throttled requests are waited out and the apply succeeds, in input
# order; only a storm longer than --request-timeout fails it, clearly, and a rerun converges.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 0.2 feast
fault() { apiserver_admin POST /admin/faults "$1" >/dev/null; }
clear_faults() { apiserver_admin DELETE /admin/faults >/dev/null; }
# patches CODE: how many apply PATCHes the server answered with CODE since the last reset.
patches() {
	apiserver_admin GET /admin/requests |
		"$PYTHON" -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["requests"]
			if r["method"] == "PATCH" and r["code"] == int(sys.argv[1])))' "$1"
}
for s in a b c; do feature_store "$s" feast "$FS_HA"; echo ---; done >stores.yaml
"$FEAST" render -f stores.yaml 2>/dev/null | sed -n 's/^kind: //p' >kinds
N=$(wc -l <kinds)

# ---- seats for two requests, eight in flight: every object created, lines in input order ----
apiserver_admin DELETE /admin/requests >/dev/null
fault '{"type": "throttle", "inflight": 2, "retryAfter": 0, "for": 60}'
expect_run 0 "$FEAST" apply -f stores.yaml --concurrency 8
[ "$(grep -c ' created$' out)" = "$N" ] || fail "not all $N objects created: $(cat out)"
sed 's/[./].*//' out >got
"$FEAST" render -f stores.yaml 2>/dev/null | sed -n 's/^kind: //p' | tr 'A-Z' 'a-z' >want
cmp -s got want || fail "lines not in input order: $(paste got want)"
[ "$(patches 429)" -gt 0 ] || fail "the throttle fault never struck"
clear_faults

# ---- every write throttled for three seconds (Retry-After 1): waited out, nothing fails ----
apiserver_admin DELETE /admin/requests >/dev/null
for s in a b c; do feature_store "$s" feast "$FS_HA" "" debug; echo ---; done >debug.yaml
fault '{"type": "throttle", "writes": true, "for": 3}'
expect_run 0 "$FEAST" apply -f debug.yaml
[ "$(grep -c '^deployment.apps/feast-[abc] configured$' out)" = 3 ] || fail "$(cat out)"
lacks err 'TooManyRequests'
[ "$(patches 429)" -gt 0 ] || fail "the storm never struck"
clear_faults

# ---- a storm longer than --request-timeout: the server's reason, how far it got ----
fault '{"type": "throttle", "writes": true, "path": "/apis/apps", "for": 30}'
expect_run 3 "$FEAST" apply -f stores.yaml --request-timeout=2s
has err '^error: from server \(TooManyRequests\): '
has err "stopped at deployment.apps/feast-a: $((N - 6)) of $N objects were applied \(0 changed\)"
clear_faults
expect_run 0 "$FEAST" apply -f stores.yaml
[ "$(grep -c ' configured$' out)" = 3 ] || fail "the rerun did not finish the Deployments: $(cat out)"
expect_run 0 "$FEAST" apply -f stores.yaml
lacks out 'created|configured' "not converged"
