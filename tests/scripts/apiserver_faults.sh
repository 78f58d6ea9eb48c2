# apiserver_faults.sh -- the test API server's fault injection, token expiry and rotation,
# request log, Deployment readiness delay, watch closing and 410; then a restart with
# --state keeps the objects and the resourceVersion.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
TOKEN_FILE=$TEST_TMP/token
echo initial >"$TOKEN_FILE"
apiserver_start --token-file-user "$TOKEN_FILE=rotating-user" --event-window 50 \
	--state "$TEST_TMP/state.json"
export APISERVER_URL APISERVER_CA APISERVER_TOKEN APISERVER_ADMIN_TOKEN TOKEN_FILE
"$PYTHON" "$SRC/tests/apiserver/test_faults.py"

rv=$(apiserver_admin GET /admin/state)
apiserver_stop
port=$APISERVER_PORT
apiserver_start --state "$TEST_TMP/state.json" --port "$port"
[ "$APISERVER_PORT" = "$port" ] || fail "restart on the same port"
[ "$(apiserver_admin GET /admin/state)" = "$rv" ] || fail "resourceVersion survives a restart"
apiserver_curl /apis/coordination.k8s.io/v1/namespaces/default/leases/lock >lease.json
grep -q '"holderIdentity":"dropped"' lease.json || fail "objects survive a restart: $(cat lease.json)"
