# apiserver_protocol.sh -- the test API server on the wire: Status bodies, optimistic
# concurrency, watch, selectors, patches, server-side apply, dry run, concurrency,
# protobuf request bodies, basic auth and impersonation.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
apiserver_start --bookmark-interval 0.5
export APISERVER_URL APISERVER_CA APISERVER_TOKEN APISERVER_FORBIDDEN_TOKEN APISERVER_ADMIN_TOKEN \
	APISERVER_BASIC_USER APISERVER_BASIC_PASSWORD
"$PYTHON" "$SRC/tests/apiserver/test_protocol.py"
"$PYTHON" "$SRC/tests/apiserver/test_protobuf.py"
"$PYTHON" "$SRC/tests/apiserver/test_auth.py"

# Expect: 100-continue (libcurl sends it with large bodies) is answered at once.
"$PYTHON" -c 'import json; print(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
	"metadata": {"name": "big"}, "data": {"k": "x" * 200000}}))' >big.json
t=$(apiserver_curl /api/v1/namespaces/default/configmaps -H 'Expect: 100-continue' \
	-H 'Content-Type: application/json' --data-binary @big.json -o /dev/null -w '%{http_code} %{time_total}')
case "$t" in 201\ 0.[0-7]*) ;; *) fail "POST with Expect: 100-continue: $t" ;; esac
