# cluster_wait.sh -- `apply --wait`: rollout progress on stderr (plain lines, or one live line
# on a terminal) until the Deployment is available, and exit 4 when the timeout passes.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 1.2

store() { feature_store shop feast "" "  replicas: 3" "$1"; } # store LOGLEVEL
store info >info.yaml
store debug >debug.yaml
store warning >warning.yaml

# ---- plain lines, then done ----
expect_run 0 "$FEAST" apply -f info.yaml --wait=30s
has out '^deployment.apps/feast-shop created$'
has err '^Waiting for deployment "feast-shop" rollout to finish: [0-2] of 3 updated replicas are available\.\.\.$'
[ "$(grep -c '^Waiting' err)" -ge 2 ] || fail "expected several progress lines: $(cat err)"
[ "$(tail -n 1 err)" = 'deployment "feast-shop" successfully rolled out' ] || fail "last line: $(cat err)"
lacks err "$(printf '\r')" "carriage returns on a non-terminal"
kubectl rollout status deploy/feast-shop -n feast --timeout=5s >rs || fail "kubectl disagrees: $(cat rs)"
# Already rolled out: one line, no waiting.
expect_run 0 "$FEAST" apply -f info.yaml --wait
[ "$(cat err)" = 'deployment "feast-shop" successfully rolled out' ] || fail "unchanged wait: $(cat err)"

# ---- a terminal gets one live line, rewritten in place ----
script -qec "\"$FEAST\" apply -f debug.yaml --wait=30s" /dev/null >tty.out </dev/null || fail "tty run: $(cat tty.out)"
has tty.out "$(printf '\r\033')\[K(Waiting for deployment|deployment \"feast-shop\" successfully)" "no live line"
has tty.out 'successfully rolled out'

# ---- the rollout never finishes: exit 4 at the timeout ----
apiserver_admin PUT /admin/deployment-delay '{"seconds": -1}' >/dev/null
start=$(date +%s)
expect_run 4 "$FEAST" apply -f warning.yaml --wait=1500ms
has out '^deployment.apps/feast-shop configured$'
has err '^error: timed out after 1\.5s waiting for deployment "feast-shop" to roll out \(Waiting for deployment "feast-shop" rollout to finish: 0 of 3 updated replicas are available\.\.\.\)$'
[ $(( $(date +%s) - start )) -le 6 ] || fail "the timeout took $(( $(date +%s) - start ))s"
# A hung API server is no excuse to overrun the timeout either: once the apply is done,
# every request about the Deployment (GET and watch) hangs.
store error >error.yaml
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
