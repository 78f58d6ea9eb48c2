# apiserver_protocol.sh -- the test API server on the wire: Status bodies, optimistic
# concurrency, watch, selectors, patches, server-side apply, dry run, concurrency.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
apiserver_start
export APISERVER_URL APISERVER_CA APISERVER_TOKEN APISERVER_FORBIDDEN_TOKEN APISERVER_ADMIN_TOKEN
"$PYTHON" "$SRC/tests/apiserver/test_protocol.py"
