# ready_gate.sh -- --readiness gate against Pod objects on the test API server: the sidecar's
# condition feast.dev/registry-ready follows its readiness, written with strategic-merge
# PATCHes of pods/status that leave every other condition (the kubelet's, anyone's) as it is;
# resyncs keep lastTransitionTime; an API outage changes nothing; a Pod the API server does not
# have changes nothing locally; SIGTERM writes False (best effort) before the sidecar exits.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
. "$FEAST_SOURCE_DIR/tests/ready_lib.sh"
cd "$TEST_TMP"
use_apiserver --log "$TEST_TMP/requests.log"
LEASE_PATH=/apis/coordination.k8s.io/v1/namespaces/default/leases/feast-$STORE-registry-lock
PODS=/api/v1/namespaces/default/pods
GATE=feast.dev/registry-ready
ready_setup

# The Pods, with the readiness gate, and the kubelet's conditions on them.
kubelet_status() {
	apiserver_curl "$PODS/$1/status" -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		-d "{\"status\":{\"conditions\":[$2]}}" >/dev/null || fail "kubelet status patch of $1"
}
cond() { printf '{"type":"%s","status":"%s","lastTransitionTime":"2026-01-01T00:00:00Z"}' "$1" "$2"; }
for p in g1 g2; do
	apiserver_curl "$PODS" -X POST -H 'Content-Type: application/json' -d "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",
		\"metadata\":{\"name\":\"$p\"},\"spec\":{\"containers\":[{\"name\":\"online\",\"image\":\"feast\"}],
		\"readinessGates\":[{\"conditionType\":\"$GATE\"}]}}" >/dev/null || fail "cannot create Pod $p"
	kubelet_status "$p" "$(cond PodScheduled True),$(cond Initialized True),$(cond ContainersReady True),$(cond Ready False),$(cond example.com/other True)"
done

# conditions POD: "TYPE=STATUS" lines, then our condition's reason and lastTransitionTime.
conditions() {
	apiserver_curl "$PODS/$1" >"$1.json" || fail "cannot read Pod $1"
	"$PYTHON" - "$1.json" "$GATE" <<'PY'
import json, sys
conds = json.load(open(sys.argv[1]))["status"].get("conditions", [])
for c in conds:
    print("%s=%s" % (c["type"], c["status"]))
g = [c for c in conds if c["type"] == sys.argv[2]]
if g:
    print("reason=%s" % g[0].get("reason", ""))
    print("since=%s" % g[0].get("lastTransitionTime", ""))
PY
}
gate_is() {
	_c=$(conditions "$1")
	printf '%s\n' "$_c" | grep -qx "$GATE=$2"
}
since_of() { conditions "$1" | sed -n 's/^since=//p'; }
# The kubelet's conditions and the other custom one are all still there, as they were.
others_intact() {
	conditions "$1" >"$1.conds"
	for c in PodScheduled=True Initialized=True ContainersReady=True "Ready=$2" example.com/other=True; do
		grep -qx "$c" "$1.conds" || fail "$1 lost $c: $(cat "$1.conds")"
	done
}

# The gate's successful writes, as g1's /readyz counts them.
writes() { curl -s "http://127.0.0.1:$(pod_port g1)/readyz" | sed -n 's/.*"writes":\([0-9]*\).*/\1/p'; }
more_writes() { [ "$(writes)" -gt "$1" ]; }

# g1 names its Pod with --pod; g2 through POD_NAME (the downward API); g3 has no Pod object.
# The sidecars first: with no server running yet, the condition they write at start can only
# be False (an ordering, however slow the machine), then the containers.
start_sidecar g1 --readiness gate --pod g1 --gate-resync 1s
POD_NAME=g2 start_sidecar g2 --readiness gate --gate-resync 1s
start_sidecar g3 --readiness gate --pod g3 --gate-resync 1s
wait_for 30 gate_is g1 False || fail "g1: no False condition at start: $(conditions g1)"
for p in g1 g2 g3; do start_containers "$p"; done
others_intact g1 False
for p in g1 g2 g3; do wait_ready "$p" 30; done
wait_for 30 gate_is g1 True || fail "g1: the condition did not follow readiness: $(conditions g1)"
wait_for 30 gate_is g2 True || fail "g2: the condition did not follow readiness: $(conditions g2)"
conditions g1 >g1.now
grep -qx reason=RegistrySynced g1.now || fail "g1 reason: $(cat g1.now)"
others_intact g1 False
others_intact g2 False
curl -s "http://127.0.0.1:$(pod_port g3)/readyz" | grep -q '"failures":[1-9]' ||
	fail "g3: gate writes to a missing Pod should fail: $(curl -s "http://127.0.0.1:$(pod_port g3)/readyz")"

# The kubelet now sets Ready; the sidecar's resyncs (every second) keep it, and keep our
# lastTransitionTime; they are real writes.
since_g1=$(since_of g1)
since_g2=$(since_of g2)
since=$since_g1
kubelet_status g1 "$(cond Ready True)"
# Two more writes, however long a loaded machine takes (the bound is only against a hang);
# how long they took, against the resync period, is printed.
patches() { grep -c '"PATCH".*/pods/g1/status' requests.log || true; }
n0=$(patches)
t0=$(now_ms)
more_patches() { [ $(($(patches) - n0)) -ge 2 ]; }
wait_for 30 more_patches || fail "g1: $(($(patches) - n0)) status writes in 30 s with a 1 s resync"
t1=$(now_ms)
awk -v ms=$((t1 - t0)) 'BEGIN { printf "two resyncs of g1 in %d ms: %.2f resync periods (1 s)\n", ms, ms / 1000 }'
others_intact g1 True
[ "$(since_of g1)" = "$since" ] || fail "a resync moved lastTransitionTime"

# An API outage: writes fail, nothing changes, nobody becomes not ready.
fault '{"type":"refuse","for":3}'
sleep 3.5
clear_faults
w0=$(writes)
for p in g1 g2 g3; do is_ready "$p" || fail "$p not ready after the outage"; done
gate_is g1 True && gate_is g2 True || fail "the condition changed over an outage"
curl -s "http://127.0.0.1:$(pod_port g1)/readyz" | grep -q '"failures":[1-9]' ||
	fail "g1: no failed write during the outage: $(curl -s "http://127.0.0.1:$(pod_port g1)/readyz")"
# Failed writes back off (0.5 s doubling): written again within a few seconds.
wait_for 15 more_writes "$w0" || fail "g1: not written again after the outage"
others_intact g1 True
[ "$(since_of g1)" = "$since" ] || fail "lastTransitionTime moved over the outage"

# SIGTERM: not ready at once, and the condition False (Draining) before exit. The sidecar goes
# first, while its server still answers, so that only the drain can make the pod not ready:
# in the kubelet's order the app stops first, and on a loaded machine its failed checks could
# beat the test's SIGTERM (the order itself is ready_rolling.sh's).
for p in g1 g2 g3; do
	echo "term $p $(now_ms)" >>events
	drain_sidecar "$p"
	wait "$(pod_pid "$p")" || fail "sidecar of $p exited $?"
	stop_app "$p"
done
for p in g1 g2; do
	gate_is "$p" False || fail "$p: condition not False after the sidecar exited: $(conditions "$p")"
	conditions "$p" >"$p.now"
	grep -qx reason=Draining "$p.now" || fail "$p: reason $(cat "$p.now")"
	eval "was=\$since_$p"
	[ "$(since_of "$p")" != "$was" ] || fail "$p: a flip kept lastTransitionTime"
done
others_intact g1 True
others_intact g2 False
ready_finish
echo ok
