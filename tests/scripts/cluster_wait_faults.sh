# cluster_wait_faults.sh -- `apply --wait` keeps its timeout when the API server hangs (a fault only the test API server makes; the rest of --wait is cluster_wait.sh, on a real server).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 0.2

store() { feature_store shop feast "" "  replicas: 3" "$1"; } # store LOGLEVEL
store info >info.yaml
store error >error.yaml
expect_run 0 "$FEAST" apply -f info.yaml --wait=30s
# From now on no rollout finishes, so the wait below can only end by its timeout.
apiserver_admin PUT /admin/deployment-delay '{"seconds": -1}' >/dev/null

# A hung API server is no excuse to overrun the timeout either: once the apply is done,
# every request about the Deployment (GET and watch) hangs.
# (The exit code comes back through a file: dash's `wait PID` has been seen to block for
# good when the job ended while a command substitution ran.)
rm -f hung.out hung.err hung.rc
( set +e; "$FEAST" apply -f error.yaml --wait=1s >hung.out 2>hung.err; echo $? >hung.rc.new; mv hung.rc.new hung.rc ) &
i=0
until grep -q '^deployment.apps/feast-shop' hung.out 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "apply did not get to the Deployment: $(cat hung.out hung.err)"
	sleep 0.05
done
apiserver_admin POST /admin/faults '{"type": "hang", "path": "/apis/apps/v1/namespaces/feast/deployments"}' >/dev/null
start=$(date +%s)
i=0
until [ -s hung.rc ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the hung apply did not end in 10 s: $(cat hung.out hung.err)"
	sleep 0.05
done
rc=$(cat hung.rc)
[ $rc = 4 ] || fail "a hung wait exited $rc: $(cat hung.out hung.err)"
has hung.err 'timed out after 1\.0s waiting for deployment "feast-shop"'
[ $(( $(date +%s) - start )) -le 4 ] || fail "a hung server stretched the wait to $(( $(date +%s) - start ))s"
apiserver_admin DELETE /admin/faults >/dev/null
