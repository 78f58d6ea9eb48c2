# kube_transport.sh -- the kube client's transport against the test API server: one kept-alive
# connection, timeouts with latency and hang faults, 5xx and reset faults, the API server's
# Status messages (404, 409, 422), the response size bound, and watches.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
LITE="$FEAST_BUILD_DIR/kubectl-lite"
apiserver_start
NS=/api/v1/namespaces
LEASES=/apis/coordination.k8s.io/v1/namespaces/default/leases

stat() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" err | tail -n 1; }
now_ms() { date +%s%3N; }

# ---- keep-alive: many requests, one connection ----
"$LITE" --stats repeat 25 $NS 2>err >/dev/null || fail "repeat: $(cat err)"
[ "$(stat requests)" = 25 ] || fail "requests: $(cat err)"
[ "$(stat connects)" = 1 ] || fail "keep-alive: $(stat connects) connections for 25 requests"

# ---- timeouts measured from the send time ----
apiserver_admin POST /admin/faults '{"type": "latency", "path": "/api/v1/namespaces", "seconds": 3}' >/dev/null
t0=$(now_ms)
expect_exit 3 "$LITE" --request-timeout 1s get $NS 2>err
t1=$(now_ms)
grep -q "GET $APISERVER_URL$NS: no answer within 1s" err || fail "timeout message: $(cat err)"
[ $((t1 - t0)) -lt 2500 ] || fail "--request-timeout 1s took $((t1 - t0)) ms"
# A per-request timeout beats --request-timeout; 0 means none (the slow answer arrives).
expect_exit 3 "$LITE" --request-timeout 10s --timeout 500ms get $NS 2>err
grep -q "no answer within 500ms" err || fail "per-request timeout: $(cat err)"
"$LITE" --request-timeout 0 get $NS >/dev/null 2>err || fail "no timeout: $(cat err)"
apiserver_admin DELETE /admin/faults >/dev/null
apiserver_admin POST /admin/faults '{"type": "hang", "path": "/api/v1/namespaces/kube-system", "seconds": 20}' >/dev/null
t0=$(now_ms)
expect_exit 3 "$LITE" --request-timeout 800ms get $NS/kube-system 2>err
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ] || fail "hung request took $((t1 - t0)) ms"
grep -q "no answer within 800ms" err || fail "hang message: $(cat err)"
apiserver_admin POST /admin/release >/dev/null
apiserver_admin DELETE /admin/faults >/dev/null

# ---- faults that answer: 5xx, reset ----
apiserver_admin POST /admin/faults '{"type": "error", "code": 503, "path": "/api/v1/namespaces", "count": 1}' >/dev/null
expect_exit 3 "$LITE" get $NS 2>err
grep -q "from server (ServiceUnavailable): The server is currently unable to handle the request" err ||
	fail "503 message: $(cat err)"
apiserver_admin POST /admin/faults '{"type": "error", "code": 502, "path": "/api/v1/namespaces", "count": 1}' >/dev/null
expect_exit 3 "$LITE" get $NS 2>err
grep -q "from server (HTTP 502)" err || fail "502 message: $(cat err)"
apiserver_admin POST /admin/faults '{"type": "reset", "path": "/api/v1/namespaces", "count": 1}' >/dev/null
expect_exit 3 "$LITE" get $NS 2>err
grep -q "GET $APISERVER_URL$NS: cannot reach the API server" err || fail "reset message: $(cat err)"
"$LITE" get $NS >/dev/null 2>err || fail "after the faults: $(cat err)"

# ---- Status messages ----
expect_exit 3 "$LITE" get $NS/default/pods/nope 2>err
grep -q 'from server (NotFound): pods "nope" not found' err || fail "404: $(cat err)"
lease='{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"lk"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15}}'
"$LITE" request POST $LEASES -d "$lease" >created 2>err || fail "create lease: $(cat err)"
grep -q "code=201" err || fail "create code: $(cat err)"
expect_exit 3 "$LITE" request POST $LEASES -d "$lease" 2>err
grep -q 'from server (AlreadyExists): leases.coordination.k8s.io "lk" already exists' err || fail "409: $(cat err)"
stale='{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"lk","resourceVersion":"1"},"spec":{"holderIdentity":"b"}}'
expect_exit 3 "$LITE" request PUT $LEASES/lk -d "$stale" 2>err
grep -q 'from server (Conflict): Operation cannot be fulfilled on leases.coordination.k8s.io "lk": the object has been modified' err ||
	fail "409 conflict: $(cat err)"
bad='{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"Not_Valid"},"spec":{}}'
expect_exit 3 "$LITE" request POST $LEASES -d "$bad" 2>err
grep -q 'from server (Invalid): Lease.coordination.k8s.io "Not_Valid" is invalid' err || fail "422: $(cat err)"
"$LITE" request PATCH $LEASES/lk --content-type application/merge-patch+json \
	-d '{"spec":{"holderIdentity":"c"}}' >out 2>err || fail "merge patch: $(cat err)"
grep -q '"holderIdentity":"c"' out || fail "patched lease: $(cat out)"

# The shorthands the commands use: create, replace (with the resourceVersion read),
# server-side apply with a field manager, merge patch, delete.
CM=$NS/default/configmaps
"$LITE" create $CM -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"sh"},"data":{"a":"1"}}' \
	>out 2>err || fail "kube_create: $(cat err)"
grep -q "code=201" err || fail "create code: $(cat err)"
# Without a fieldManager the server names the manager after the User-Agent.
grep -q '"manager":"kubectl-lite"' out || fail "User-Agent: $(cat out)"
rv=$(sed -n 's/.*"resourceVersion":"\([0-9]*\)".*/\1/p' out)
"$LITE" replace $CM/sh -d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"sh\",\"resourceVersion\":\"$rv\"},\"data\":{\"a\":\"2\"}}" \
	>out 2>err || fail "kube_replace: $(cat err)"
grep -q '"a":"2"' out || fail "replaced: $(cat out)"
"$LITE" apply $CM/sh -q fieldManager=kubectl-feast -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"sh"},"data":{"b":"3"}}' \
	>out 2>err || fail "server-side apply: $(cat err)"
grep -q '"manager":"kubectl-feast"' out || fail "field manager: $(cat out)"
"$LITE" merge $CM/sh -d '{"data":{"c":"4"}}' >out 2>err || fail "merge patch: $(cat err)"
grep -q '"c":"4"' out || fail "merged: $(cat out)"
"$LITE" delete $CM/sh >/dev/null 2>err || fail "kube_delete: $(cat err)"
expect_exit 3 "$LITE" get $CM/sh 2>err
grep -q 'from server (NotFound): configmaps "sh" not found' err || fail "deleted: $(cat err)"

# pods/status with a strategic merge patch (the sidecar's readiness condition): merged by type.
POD=$NS/default/pods/p1
"$LITE" request POST $NS/default/pods -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},"spec":{"containers":[{"name":"c","image":"i"}]}}' \
	>/dev/null 2>err || fail "create pod: $(cat err)"
cond() { printf '{"status":{"conditions":[{"type":"%s","status":"%s","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}' "$1" "$2"; }
ctype=application/strategic-merge-patch+json
"$LITE" request PATCH $POD/status --content-type $ctype -d "$(cond Ready True)" >/dev/null 2>err ||
	fail "status patch: $(cat err)"
"$LITE" request PATCH $POD/status --content-type $ctype -d "$(cond feast.dev/registry-ready False)" >out 2>err ||
	fail "second status patch: $(cat err)"
grep -q '"type":"Ready","status":"True"' out || fail "strategic merge lost Ready: $(cat out)"
grep -q '"type":"feast.dev/registry-ready","status":"False"' out || fail "condition not added: $(cat out)"

# ---- the response size bound ----
expect_exit 3 "$LITE" --max-bytes 200 get $NS 2>err
grep -q "the response is larger than 200 bytes" err || fail "size bound: $(cat err)"

# ---- watch ----
W="$LEASES -q fieldSelector=metadata.name%3Dwl"
(sleep 1; "$LITE" request POST $LEASES -d '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"wl"},"spec":{}}' >/dev/null 2>&1) &
bg=$!
t0=$(now_ms)
"$LITE" watch $W --for 2500ms >events 2>err || fail "watch: $(cat err)"
t1=$(now_ms)
wait $bg
grep -q "^ADDED wl " events || fail "no ADDED event: $(cat events)"
grep -q "^END deadline" events || fail "watch end: $(cat events)"
[ $((t1 - t0)) -ge 2400 ] && [ $((t1 - t0)) -lt 4000 ] || fail "watch deadline took $((t1 - t0)) ms"
"$LITE" watch $W --max 1 >events 2>err || fail "watch --max: $(cat err)"
grep -q "^END stopped" events || fail "stopped watch: $(cat events)"
# The server ends the stream (timeoutSeconds): CLOSED, not an error.
"$LITE" watch $W\&timeoutSeconds=1 --for 10s >events 2>err || fail "closed watch: $(cat err)"
grep -q "^END closed" events || fail "server-closed watch: $(cat events)"
# The connection breaks under a watch: an error the caller sees (and falls back to polling).
(sleep 1; apiserver_admin POST /admin/watches/close >/dev/null) &
bg=$!
expect_exit 3 "$LITE" watch $W --for 10s >events 2>err
wait $bg
grep -q "cannot reach the API server" err || fail "broken watch: $(cat err)"
expect_exit 3 "$LITE" --token "$APISERVER_FORBIDDEN_TOKEN" watch $W --for 2s >events 2>err
grep -q "^END refused" events || fail "refused watch: $(cat events)"
grep -q "from server (Forbidden)" err || fail "refused watch message: $(cat err)"
