# cluster_wait.sh -- `apply --wait` against the real Deployment controller: rollout progress on
# stderr (plain lines, or one live line on a terminal) until the Deployment is available,
# and exit 4 when the timeout passes. (A hung API server: cluster_wait_faults.sh.)
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start

store() { feature_store shop feast "" "  replicas: 3" "$1"; } # store LOGLEVEL
store info >info.yaml
store debug >debug.yaml
store warning >warning.yaml

# With --readiness=gate a pod is Ready only once its feast-sidecar sets the gate; the test
# plays the sidecars, one pod after the other, so the rollout goes 0, 1, 2, 3 of 3.
# gate POD: set the pod's registry condition True, as its sidecar would.
gate() {
	kubectl patch pod "$1" -n feast --subresource=status --type=strategic \
		-p '{"status":{"conditions":[{"type":"feast.dev/registry-ready","status":"True"}]}}' >/dev/null
}

# ---- plain lines, then done ----
rm -f rc
( set +e; "$FEAST" apply -f info.yaml --readiness=gate --wait=60s >out 2>err; echo $? >rc.new; mv rc.new rc ) &
i=0
until [ "$(kubectl get pods -n feast -l feast.dev/name=shop -o name | wc -l)" = 3 ]; do
	i=$((i + 1))
	[ $i -lt 150 ] || fail "the Deployment did not get 3 pods: $(cat out err)"
	sleep 0.2
done
n=0
for p in $(kubectl get pods -n feast -l feast.dev/name=shop -o jsonpath='{.items[*].metadata.name}'); do
	[ ! -s rc ] || fail "the wait ended with $n of 3 pods ready: $(cat out err)"
	gate "$p"
	n=$((n + 1))
	kubectl wait deploy/feast-shop -n feast --for=jsonpath='{.status.availableReplicas}'=$n --timeout=30s >/dev/null
	sleep 0.3
done
i=0
until [ -s rc ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the wait did not end once all pods were ready: $(cat out err)"
	sleep 0.1
done
[ "$(cat rc)" = 0 ] || fail "apply --wait exited $(cat rc): $(cat out err)"
has out '^deployment.apps/feast-shop created$'
has err '^Waiting for deployment "feast-shop" rollout to finish: 1 of 3 updated replicas are available\.\.\.$'
has err '^Waiting for deployment "feast-shop" rollout to finish: 2 of 3 updated replicas are available\.\.\.$'
has err '^Waiting for deployment "feast-shop" rollout to finish: [0-2] of 3 updated replicas are available\.\.\.$'
[ "$(grep -c '^Waiting' err)" -ge 2 ] || fail "expected several progress lines: $(cat err)"
[ "$(tail -n 1 err)" = 'deployment "feast-shop" successfully rolled out' ] || fail "last line: $(cat err)"
lacks err "$(printf '\r')" "carriage returns on a non-terminal"
kubectl rollout status deploy/feast-shop -n feast --timeout=5s >rs || fail "kubectl disagrees: $(cat rs)"
# Already rolled out: one line, no waiting.
expect_run 0 "$FEAST" apply -f info.yaml --readiness=gate --wait
[ "$(grep -v '^warning: the feast-sidecar image' err)" = 'deployment "feast-shop" successfully rolled out' ] ||
	fail "unchanged wait: $(cat err)"

# ---- a terminal gets one live line, rewritten in place ----
# (Without the gate the new pods are ready at once: the rollout finishes by itself.)
script -qec "\"$FEAST\" apply -f debug.yaml --wait=30s" /dev/null >tty.out </dev/null || fail "tty run: $(cat tty.out)"
has tty.out "$(printf '\r\033')\[K(Waiting for deployment|deployment \"feast-shop\" successfully)" "no live line"
has tty.out 'successfully rolled out'

# ---- the rollout never finishes: exit 4 at the timeout ----
# Gated again and no sidecar sets the gates: the first new pod (maxSurge 1) never gets ready.
start=$(date +%s)
expect_run 4 "$FEAST" apply -f warning.yaml --readiness=gate --wait=1500ms
has out '^deployment.apps/feast-shop configured$'
has err '^error: timed out after 1\.5s waiting for deployment "feast-shop" to roll out \(Waiting for deployment "feast-shop" rollout to finish: [01] out of 3 new replicas have been updated\.\.\.\)$'
[ $(( $(date +%s) - start )) -le 6 ] || fail "the timeout took $(( $(date +%s) - start ))s"
