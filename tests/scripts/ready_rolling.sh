# ready_rolling.sh -- a rolling update of simulated feature-server pods on the test API server
# (tests/ready_lib.sh): a scale-up of three pods at once, a rolling update with surge 1, an API
# outage, and a drain with a lock held.  Proves: applies (and a materialize) never overlap; a
# pod is ready only after its apply ended, its server is healthy and the sync window passed
# since the last apply it saw end; the first /readyz after SIGTERM is not ready and the Lease
# is released; an API outage after readiness takes no pod out.  Prints the measured times.
# Stand-ins remain here, for `feast apply` (crit.sh), a materialization (hold.sh) and the
# feature server (ready_sim.py server): the outage and the drain must hit while a guarded
# command runs, and only a stand-in runs until the test lets it end; the faults need the test
# API server.  The same scale-up and rollout with real Feast on the real API server:
# feast_pods.sh.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
. "$FEAST_SOURCE_DIR/tests/ready_lib.sh"
cd "$TEST_TMP"
use_apiserver
LEASE_PATH=/apis/coordination.k8s.io/v1/namespaces/default/leases/feast-$STORE-registry-lock
ready_setup
ROUNDS=${READY_ROUNDS:-3}
[ "${SIDECAR_SOAK:-}" ] && ROUNDS=10

# 1. Scale-up: three pods start together; their applies queue on the Lease, and a pod whose
# apply ended first still waits out the window of every apply it sees end after its own.
for i in 1 2 3; do start_sidecar "a$i"; done
for i in 1 2 3; do start_containers "a$i"; done
for i in 1 2 3; do wait_ready "a$i" 30; done

# 2. Rolling update, maxSurge 1 and maxUnavailable 0: a new pod, ready, then an old one goes.
old=3
for i in $(seq 1 "$ROUNDS"); do
	start_pod "b$i"
	wait_ready "b$i" 30
	if [ "$old" -gt 0 ]; then
		stop_pod "a$old"
		old=$((old - 1))
	else
		stop_pod "b$((i - 3))"
	fi
done
[ "$(lease_holder)" = "" ] || fail "Lease held after the rollout: $(lease_holder)"

# 3. An API outage after readiness: every connection to the API server is refused for longer
# than the failure threshold (3 x 250 ms) and the renew deadline.  The lock fails closed -- a
# holder loses it (its command killed, 70), a waiter gets nothing -- and no pod becomes not ready.
live=$(awk '{ print $1 }' pods.list | while read -r n; do grep -q "^term $n " events || echo "$n"; done)
set -- $live
"$(pod_dir "$1")/feast-lock" --socket "$(pod_dir "$1")/sock" -- sh -c 'touch held; exec sleep 30' 2>holder.err &
holder=$!
track $holder
wait_for 5 test -e held || fail "holder did not start: $(cat holder.err)"
fault '{"type":"refuse","for":3}'
set +e
"$(pod_dir "$2")/feast-lock" --socket "$(pod_dir "$2")/sock" -w 1 -- touch ran 2>waiter.err
rc=$?
set -e
[ "$rc" = 69 ] || fail "a lock during the outage: exit $rc, want 69 (unreachable): $(cat waiter.err)"
[ ! -e ran ] || fail "a command ran without the lock"
sleep 3
clear_faults
wait $holder && rc=0 || rc=$?
[ "$rc" = 70 ] || fail "the holder's command was not killed when the Lease could not be renewed: exit $rc"
for n in $live; do
	is_ready "$n" || fail "$n not ready after the API outage"
	"$(pod_dir "$n")/feast-lock" check ready --socket "$(pod_dir "$n")/sock" || fail "$n: check ready failed"
done

# 4. Drain with the lock held: a materialize runs under the lock in one pod, a new pod's apply
# waits for it, the first pod's sidecar gets SIGTERM: not ready at once (503, draining), the
# lock kept until the materialize ends, then released, and the waiting apply starts.
h=$(echo "$live" | head -n 1)
d=$(pod_dir "$h")
# The materialize stand-in runs until the file `busy` goes (never a race with a sleep).
cat >"$TEST_TMP/hold.sh" <<'SH'
#!/bin/sh
echo "start $1 $(date +%s%3N)" >>"$CRIT_LOG"
while [ -e "$TEST_TMP/busy" ]; do sleep 0.02; done
echo "end $1 $(date +%s%3N)" >>"$CRIT_LOG"
SH
chmod +x "$TEST_TMP/hold.sh"
touch busy
"$d/feast-lock" --socket "$d/sock" -w 10 -- "$TEST_TMP/hold.sh" "mat-$h" 2>"$d/mat.err" &
mat=$!
track $mat
wait_for 5 grep -qs "start mat-$h" apply.log || fail "materialize did not start: $(cat "$d/mat.err")"
start_pod c1
sleep 0.3
echo "term $h $(now_ms)" >>events
drain_sidecar "$h"
case "$DRAIN" in *" 503 "*draining*) ;; *) fail "$h: want 503 draining while the lock is held: $DRAIN" ;; esac
[ "$(lease_holder)" = "$h" ] || fail "the draining sidecar gave up the lock under its holder: $(lease_holder)"
kill -0 "$(pod_pid "$h")" || fail "the draining sidecar exited under its lock holder"
is_ready "$h" && fail "$h ready again while draining"
rm busy
wait $mat || fail "materialize failed under a draining sidecar: $(cat "$d/mat.err")"
wait "$(pod_pid "$h")" || fail "draining sidecar of $h exited $?"
wait_ready c1 30
stop_app "$h"

for n in $(awk '{ print $1 }' pods.list); do
	grep -q "^term $n " events || stop_pod "$n"
done
[ "$(lease_holder)" = "" ] || fail "Lease held at the end: $(lease_holder)"
ready_finish
# A figure, not a bound: the longest against the 3 s that failed checks would have taken.
sort -n drain.ms | awk '{ v[NR] = $1 } END { printf "SIGTERM -> not ready: median %d ms, max %d ms (%d pods), max/3000 ms = %.3f\n", v[int((NR + 1) / 2)], v[NR], NR, v[NR] / 3000 }'
echo ok
