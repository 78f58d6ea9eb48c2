# ready_lib.sh -- simulated feature-server pods for tests/scripts/ready_*.sh (sourced after
# tests/lib.sh and tests/sidecar_lib.sh, with the test API server started).
#
# A pod is what its containers do, with real processes: its native sidecar (`feast-sidecar
# run`, readiness on), then -- once the socket is there, as the sidecar's startupProbe lets
# the init containers start -- `feast-apply`: the static lock client the daemon installed,
# running an apply stand-in (crit.sh: start/end in apply.log) under the lock; then the app
# container: a stand-in feature server (ready_sim.py server) whose /health is 503 for
# LOAD_DELAY seconds (the registry load) and 200 after.  Termination follows a 1.29+ kubelet:
# the app container stops, then the sidecar gets SIGTERM.  A monitor polls every pod's /readyz
# every 10 ms; ready_sim.py check judges the logs at the end.
#
# Timings (every bound the scripts assert follows from them): lease as sidecar_lib.sh;
# checks every 250 ms with a 250 ms timeout, K 2, M 12; registry TTL 1 s + margin 500 ms, so
# the sync window SYNC_MS is 1500 ms; an apply takes 500 ms; a server loads for 1 s. M is
# 3 s of failed checks: a loaded machine may miss a few in a row, which must not take a ready
# pod out, and the app stops before the test's SIGTERM reaches the sidecar.
SIM="$FEAST_SOURCE_DIR/tests/ready_sim.py"
SYNC_MS=1500
RT="--health-period 250ms --health-timeout 250ms --success-threshold 2 --failure-threshold 12
    --registry-ttl 1s --sync-margin 500ms"
LOAD_DELAY=1
STORE=sim
LEASE_PATH=/apis/coordination.k8s.io/v1/namespaces/default/leases/feast-$STORE-registry-lock

sim() { "$PYTHON" "$SIM" "$@"; }

# ready_setup: the apply stand-in and the monitor.
ready_setup() {
	make_crit
	CRIT_LOG="$TEST_TMP/apply.log"
	CRIT_SLEEP=0.5
	export CRIT_LOG CRIT_SLEEP
	mkdir -p pods
	: >events
	: >pods.list
	"$PYTHON" "$SIM" monitor "$TEST_TMP" &
	MONITOR=$!
	track $MONITOR
}

# ready_finish [daemon]: stop the monitor (by its stop file) and judge the logs (with
# `daemon`, the guarded commands are the Lease holds in the daemons' logs).
ready_finish() {
	touch stop
	wait "$MONITOR" || true
	sim check "$TEST_TMP" "$SYNC_MS" ${1:-} || fail "the simulation broke a rule (above)"
}

pod_dir() { echo "$TEST_TMP/pods/$1"; }
pod_port() { cat "$(pod_dir "$1")/port"; }
pod_pid() { cat "$(pod_dir "$1")/pid"; }

# start_sidecar NAME [DAEMON ARGS...]: the native sidecar, up when its socket is (its startupProbe).
start_sidecar() {
	_n=$1
	shift
	_d=$(pod_dir "$_n")
	mkdir -p "$_d"
	set -- $(sim freeport 2) "$@"
	echo "$1" >"$_d/port"
	echo "$2" >"$_d/fsport"
	_hp=$1 _fp=$2
	shift 2
	echo "daemon $_n $(now_ms)" >>events
	# shellcheck disable=SC2086
	"$SIDECAR" run --name "$STORE" --identity "$_n" --socket "$_d/sock" --listen "127.0.0.1:$_hp" $T $RT \
		--health "http://127.0.0.1:$_fp/health" "$@" 2>>"$_d/daemon.log" &
	echo $! >"$_d/pid"
	track $!
	wait_for 5 test -S "$_d/sock" || fail "sidecar of $_n did not start: $(cat "$_d/daemon.log")"
	echo "$_n $_hp" >>pods.list
}

# start_containers NAME: feast-apply under the lock, then the app container.
start_containers() {
	_d=$(pod_dir "$1")
	echo "init $1 $(now_ms)" >>events
	(
		"$_d/feast-lock" --socket "$_d/sock" -w 60 -- "$TEST_TMP/crit.sh" "$1" 2>>"$_d/apply.err" ||
			{ echo "applyfail $1 $(now_ms)" >>events; exit 1; }
		exec "$PYTHON" "$SIM" server "$1" "$(cat "$_d/fsport")" "$LOAD_DELAY" "$TEST_TMP/events"
	) &
	echo $! >"$_d/app"
	track $!
}

# start_pod NAME [DAEMON ARGS...]
start_pod() {
	start_sidecar "$@"
	start_containers "$1"
}

readyz_code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(pod_port "$1")/readyz"; }
is_ready() { [ "$(readyz_code "$1")" = 200 ]; }

# wait_ready NAME SECONDS
wait_ready() {
	wait_for "$2" is_ready "$1" || fail "$1 not ready after $2 s: $(curl -s "http://127.0.0.1:$(pod_port "$1")/readyz")"
}

lease_holder() { lease_field holderIdentity; }

# stop_app NAME: the app container stops (the kubelet, after its preStop).
stop_app() {
	echo "term $1 $(now_ms)" >>events
	_a=$(cat "$(pod_dir "$1")/app")
	kill -TERM "$_a" 2>/dev/null || true
	wait "$_a" 2>/dev/null || true
}

# drain_sidecar NAME: SIGTERM to the sidecar (DRAIN: "ms before first body oks=N"). Not ready
# at once is an ordering: the first /readyz sent after the signal answers 503 draining, and no
# 200 follows; the milliseconds until then are a figure (drain.ms), not a bound.
drain_sidecar() {
	DRAIN=$(sim drain "$(pod_pid "$1")" "$(pod_port "$1")")
	echo "$1: SIGTERM -> not ready: $DRAIN"
	set -f
	set -- "$1" $DRAIN
	set +f
	# 0: refused, the daemon had nothing to wait for and is gone.
	case "$4 $5" in "503 "*draining* | "0 -") ;; *) fail "$1: the first /readyz after SIGTERM: $DRAIN" ;; esac
	[ "${DRAIN##* }" = oks=0 ] || fail "$1: ready again after SIGTERM: $DRAIN"
	[ "$3" = 200 ] || echo "$1: already not ready before SIGTERM ($3): its server's checks failed first"
	echo "${2%.*}" >>drain.ms
}

# stop_pod NAME: app first, then the sidecar (1.29+ order); the sidecar exits 0 and does not hold the Lease.
stop_pod() {
	stop_app "$1"
	drain_sidecar "$1"
	wait "$(pod_pid "$1")" || fail "sidecar of $1 exited $?"
	[ "$(lease_holder)" != "$1" ] || fail "$1 exited holding the Lease"
}
