# cluster_rollout.sh -- a real rollout on a real control plane: gate mode, a real feast-sidecar per pod with its pod-bound ServiceAccount token; `apply --wait` follows the Deployment controller's surge rollout to its end and `status` shows the disruption controller's PDB.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
. "$FEAST_SOURCE_DIR/tests/rollout_lib.sh"
cd "$TEST_TMP"
real_cluster_start feast
kubelet_start feast feast.dev/name=shop
SA=system:serviceaccount:feast:feast-shop

feature_store shop feast "    podDisruptionBudgets: {maxUnavailable: 1}" "  replicas: 3" >shop.yaml
jp() { kubectl get "$1" -n feast -o jsonpath="$2"; }

# ---- the first rollout: no pod is Ready before its own sidecar says so ----
expect_run 0 "$FEAST" apply -f shop.yaml --readiness gate --wait=30s
has out '^deployment.apps/feast-shop created$'
[ "$(tail -n 1 err)" = 'deployment "feast-shop" successfully rolled out' ] || fail "first rollout: $(cat err)"
[ "$(jp deploy/feast-shop '{.status.readyReplicas}')" = 3 ] || fail "not 3 ready replicas"
old=$(awk '$1 == "start" { print $3 }' "$KUBELET_DIR/events" | sort -u)
[ "$(echo "$old" | wc -l)" = 1 ] || fail "pods of several templates at first: $old"

# ---- a new image: the Deployment controller surges one pod at a time (25 % of 3 rounds to
# maxSurge 1, maxUnavailable 0), and apply --wait follows it to the end ----
t0=$(now_ms)
expect_run 0 "$FEAST" apply -f shop.yaml --readiness gate --image quay.io/feastdev/feature-server:0.66.1 --wait=120s
t1=$(now_ms)
has out '^deployment.apps/feast-shop configured$'
[ "$(tail -n 1 err)" = 'deployment "feast-shop" successfully rolled out' ] || fail "second rollout: $(cat err)"
[ "$(grep -c '^Waiting for deployment "feast-shop" rollout to finish' err)" -ge 2 ] ||
	fail "apply --wait showed no rollout progress: $(cat err)"
has err 'old replicas are pending termination|of 3 updated replicas are available|out of 3 new replicas have been updated' \
	"no progress line of a surge"
kubectl rollout status deploy/feast-shop -n feast --timeout=1s >rs || fail "kubectl disagrees: $(cat rs)"
new=$(awk -v o="$old" '$1 == "start" && $3 != o { print $3 }' "$KUBELET_DIR/events" | sort -u)
[ "$(echo "$new" | wc -l)" = 1 ] && [ -n "$new" ] || fail "new pods: $new"
grep "^start [^ ]* $new " "$KUBELET_DIR/events" | cut -d' ' -f2 >new.pods
[ "$(wc -l <new.pods)" = 3 ] || fail "$(wc -l <new.pods) pods of the new template, want 3"
# --wait ended no earlier than the last new pod's sidecar wrote its gate True: the rollout
# could not be complete before.
last_gate=0
first_gate=
while read -r p; do
	g=$(gate_true_ms "$p") || fail "$p: its sidecar never wrote the gate True: $(cat "$KUBELET_DIR/pods/$p/daemon.log")"
	[ "$g" -gt "$last_gate" ] && last_gate=$g
	[ -z "$first_gate" ] || [ "$g" -lt "$first_gate" ] || continue
	first_gate=$g
done <new.pods
[ "$t1" -ge "$last_gate" ] || fail "apply --wait returned $((last_gate - t1)) ms before the last new pod was ready"
# Surge: a new pod started before any old one stopped, and the first old one stopped only
# after a new one was Ready; more pods than replicas at some moment; never fewer than 3 ready.
first_new=$(awk -v h="$new" '$1 == "start" && $3 == h { print $4; exit }' "$KUBELET_DIR/events")
first_old_stop=$(awk -v h="$old" '$1 == "stop" && $3 == h { print $4; exit }' "$KUBELET_DIR/events")
[ -n "$first_old_stop" ] || fail "no old pod stopped: $(cat "$KUBELET_DIR/events")"
[ "$first_new" -lt "$first_old_stop" ] || fail "an old pod stopped before a new one started"
[ "$first_gate" -lt "$first_old_stop" ] || fail "an old pod stopped before a new one was ready"
awk -v a="$t0" -v b="$t1" '$1 == "sample" && $5 >= a && $5 <= b' "$KUBELET_DIR/events" >during
[ -s during ] || fail "no samples during the rollout"
max_pods=$(awk '$2 > m { m = $2 } END { print m + 0 }' during)
min_ready=$(awk 'NR == 1 || $3 < m { m = $3 } END { print m + 0 }' during)
[ "$max_pods" -gt 3 ] || fail "never more than $max_pods pods: no surge"
[ "$min_ready" -ge 3 ] || fail "only $min_ready ready pods at some moment (maxUnavailable 0)"
# The gates: no sample, ever, of a Ready pod whose condition was not True.
awk '$1 == "sample" && $4 > 0 { print; bad = 1 } END { exit bad }' "$KUBELET_DIR/events" ||
	fail "a pod was Ready without its readiness gate"
# Applies took turns on the Lease, under the store's ServiceAccount.
[ "$(grep -c '^start' "$KUBELET_DIR/apply.log")" = 6 ] || fail "applies: $(cat "$KUBELET_DIR/apply.log")"
[ "$(overlaps "$KUBELET_DIR/apply.log")" = 0 ] || fail "applies overlapped: $(cat "$KUBELET_DIR/apply.log")"

# ---- every sidecar wrote only its own Pod's status, as the pod's own token says ----
audit_sync
tail -n "+$((AUDIT_MARK + 1))" "$CLUSTER_DIR/audit.log" >audit.mine
"$PYTHON" - audit.mine "$SA" >sa.writes <<'PY' || fail "$(cat sa.writes)"
import json, re, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    u = e.get("user", {})
    if u.get("username") != sys.argv[2] or e["verb"] not in ("patch", "update", "create"):
        continue
    pod = (u.get("extra") or {}).get("authentication.kubernetes.io/pod-name", ["?"])[0]
    uri, code = e["requestURI"], e.get("responseStatus", {}).get("code")
    m = re.match(r"/api/v1/namespaces/feast/pods/([^/?]+)/status", uri)
    if m:
        n += 1
        if m.group(1) != pod:
            sys.exit("pod %s wrote the status of %s" % (pod, m.group(1)))
    elif not uri.startswith("/apis/coordination.k8s.io/v1/namespaces/feast/leases"):
        sys.exit("unexpected write %s %s by pod %s" % (e["verb"], uri, pod))
    elif code >= 400 and code != 409:
        sys.exit("Lease write refused: %s %s %s" % (e["verb"], uri, code))
print(n)
PY
[ "$(cat sa.writes)" -ge 6 ] || fail "only $(cat sa.writes) status writes from the sidecars"

# ---- the PDB's status is the disruption controller's, and status shows it ----
pdb_settled() { [ "$(jp pdb/feast-shop '{.status.currentHealthy}/{.status.disruptionsAllowed}')" = 3/1 ]; }
wait_for 20 pdb_settled || fail "the disruption controller did not report 3 healthy: $(jp pdb/feast-shop '{.status}')"
expect_run 0 "$FEAST" status shop -n feast
has out '^Disruptions: +PodDisruptionBudget feast-shop: 1 allowed \(3 healthy, 2 desired\)$'
has out '^Replicas: +3 desired, 3 updated, 3 ready, 3 available$'
[ "$(grep -Ec ' Running +True +0 +[0-9][0-9smhd]* +True$' out)" = 3 ] || fail "status pods: $(cat out)"
# A pod whose sidecar goes away turns not Ready (the gate False), and the controller's
# budget follows: no disruption allowed while one pod is unready.
victim=$(head -n 1 new.pods)
kill -TERM "$(cat "$KUBELET_DIR/pods/$victim/pid")"
pdb_blocked() { [ "$(jp pdb/feast-shop '{.status.currentHealthy}/{.status.disruptionsAllowed}')" = 2/0 ]; }
wait_for 20 pdb_blocked || fail "the PDB did not follow an unready pod: $(jp pdb/feast-shop '{.status}')"
expect_run 0 "$FEAST" status shop -n feast
has out '^Disruptions: +PodDisruptionBudget feast-shop: 0 allowed \(2 healthy, 2 desired\)$'
has out "^  $victim +Running +False +0 +[0-9][0-9smhd]* +False\$"

echo "second rollout: $((t1 - t0)) ms; at most $max_pods pods, at least $min_ready ready; $(cat sa.writes) status writes"
echo ok
