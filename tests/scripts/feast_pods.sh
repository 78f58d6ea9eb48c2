# feast_pods.sh -- feature-server pods with real Feast 0.66 and the registry Lease on the real
# API server: each pod runs the containers of the Deployment `kubectl-feast render` makes for a
# store whose online store (sqlite) and file registry live on one shared claim
# (tests/feast_pod.py runs them as local processes): its native sidecar `feast-sidecar run` with
# the rendered args (and a higher failure threshold), its readiness checks on the pod's real
# `feast serve` /health; the rendered feast-init (a real `feast init`, the inline
# feature_store.yaml written over it); the rendered feast-apply (a real `feast apply` under the
# installed feast-lock); then the rendered `feast serve`. Three pods start at once, then a
# rolling update to a changed pod template (maxSurge 1, maxUnavailable 0). Proves, from the
# daemons' logs and the Lease: the applies never overlap (each hold of the Lease ends before the
# next begins, the fences rise, each release adds one registry generation); no pod is ready
# before its server answers /health, nor before the sync window of every apply it saw end; a
# ready pod stays ready until it is stopped; no /readyz sent after SIGTERM answers ready; and,
# after the rollout, every server answers POST /get-online-features with
# the values written through the first pods' server before the rollout. Prints how long Feast's
# steps took.
# Stand-ins: none for Feast or the API server; what the kubelet does (mounts, loopback ports,
# the downward API) is tests/feast_pod.py's, and ready_rolling.sh keeps the fault cases.
# sanitizers: skip -- Feast's Python; its C runs sanitized in sidecar_*, ready_*, render_golden
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
. "$FEAST_SOURCE_DIR/tests/ready_lib.sh"
cd "$TEST_TMP"
feast_env
NS=feast-pods
# The CLI's start-up, wall and CPU time, measured while the control plane starts.
FEAST_USAGE=False "$FEAST_PYTHON" -c 'import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run([sys.argv[1], "version"], check=True, capture_output=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.1f s wall, %.1f s CPU" % (time.monotonic() - t, r.ru_utime + r.ru_stime))' "$FEAST_VENV_BIN/feast" >version.txt &
version_pid=$!
cluster_start "$NS"
wait "$version_pid" || fail "feast version failed"
# On the way out: the servers get SIGTERM (gunicorn stops its workers), then what is left of
# the pods is killed by pid, then the control plane stops.
stop_all() {
	for _a in pods/*/app; do [ -f "$_a" ] && kill -TERM "$(cat "$_a")" 2>/dev/null; done
	for _a in pods/*/app; do [ -f "$_a" ] && wait_for 5 sh -c "! kill -0 $(cat "$_a") 2>/dev/null"; done
	cleanup_pids
	real_cluster_stop
}
trap 'stop_all || true' EXIT
# The rendered sidecar's --registry-ttl (the store's registryTTLSeconds) + its default
# --sync-margin (2 s).
SYNC_MS=4000
STORE=sim

# The store: sqlite online store and file registry on the claim feast-shared (ReadWriteMany in
# a cluster, a directory here), no auth; the sidecar asked for, since a file-backed store does
# not scale by itself. v2 changes the server's log level: a new pod template.
store() {
	cat <<YAML
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: $STORE
spec:
  feastProject: $STORE
  authz:
    noAuth: true
  services:
    onlineStore:
      persistence:
        file:
          path: online.db
          pvc: {ref: {name: feast-shared}, mountPath: /data/online}
      server:
        workerConfigs: {registryTTLSeconds: 2}
$1
    registry:
      local:
        persistence:
          file:
            path: registry.db
            pvc: {ref: {name: feast-shared}, mountPath: /data/registry}
YAML
}
store "" >v1.yaml
store "        logLevel: info" >v2.yaml
for v in v1 v2; do
	"$FEAST" render -f "$v.yaml" -n "$NS" --sidecar always >"$v.out" 2>"$v.err" || fail "render $v: $(cat "$v.err")"
done
grep -q 'registry-ttl=2s' v1.out || fail "the rendered sidecar does not follow registryTTLSeconds"
diff v1.out v2.out >/dev/null && fail "v2 renders the same pod as v1"

# The store's ServiceAccount and the sidecar's Role, as rendered: each sidecar reaches the
# Lease through the in-cluster configuration, with a token of that ServiceAccount.
"$FEAST_PYTHON" - v1.out >rbac.yaml <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] in ("ServiceAccount", "Role", "RoleBinding")]
yaml.safe_dump_all(docs, sys.stdout)
PY
kubectl apply -f rbac.yaml >/dev/null || fail "the rendered ServiceAccount and Role"
mkdir -p sa
kubectl create token "feast-$STORE" -n "$NS" --duration 1h >sa/token || fail "no token for feast-$STORE"
cp "$CLUSTER_CA" sa/ca.crt
printf %s "$NS" >sa/namespace

FEAST_POD_SHARED=$TEST_TMP/shared
FEAST_POD_PATH=$FEAST_VENV_BIN:$FEAST_BIN_DIR:/usr/bin:/bin
FEAST_POD_NAMESPACE=$NS
export FEAST_POD_SHARED FEAST_POD_PATH FEAST_POD_NAMESPACE
kpod() { "$FEAST_PYTHON" "$SRC/tests/feast_pod.py" "$@"; }
# Feast's steps take seconds: a slower monitor leaves the CPU to them.
MONITOR_MS=50
export MONITOR_MS
ready_setup

# The pod's sockets live in its feast-sidecar volume, which the helpers of ready_lib.sh find
# at pods/NAME/sock: a link.
start_pod() {
	_n=$1 _m=$TEST_TMP/$2.out _d=$(pod_dir "$1")
	mkdir -p "$_d"
	kpod layout "$_m" "$_d" | awk '$1 == 6566 { print $2 }' >"$_d/fsport"
	[ -s "$_d/fsport" ] || fail "$_n: no port for the online server"
	sim freeport >"$_d/port"
	ln -s vol/feast-sidecar/sock "$_d/sock"
	ln -s vol/feast-sidecar/feast-lock "$_d/feast-lock"
	echo "daemon $_n $(now_ms)" >>events
	# exec: the pid is the sidecar's own, for SIGTERM. Up when its socket is (the rendered
	# startupProbe allows 30 s).
	(
		unset KUBECONFIG
		export FEAST_SERVICEACCOUNT_DIR="$TEST_TMP/sa" KUBERNETES_SERVICE_HOST=127.0.0.1 \
			KUBERNETES_SERVICE_PORT="${CLUSTER_URL##*:}"
		# After the rendered args: its own port, and 30 failed checks (not 3) before a ready
		# pod goes: on a loaded machine feast serve can miss 3 s of checks, and what is tested
		# is that nothing but its server takes a ready pod out.
		exec "$FEAST_PYTHON" "$SRC/tests/feast_pod.py" exec "$_m" "$_d" feast-sidecar \
			--listen="127.0.0.1:$(cat "$_d/port")" --failure-threshold=30 2>>"$_d/daemon.log"
	) &
	echo $! >"$_d/pid"
	track $!
	wait_for 30 test -S "$_d/sock" || fail "sidecar of $_n did not start: $(cat "$_d/daemon.log")"
	echo "$_n $(cat "$_d/port") $(cat "$_d/fsport")" >>pods.list
	(
		for c in feast-init feast-apply; do
			echo "$c-start $_n $(now_ms)" >>events
			kpod exec "$_m" "$_d" "$c" >"$_d/$c.log" 2>&1 || { echo "fail $c $_n" >>events; exit 1; }
			echo "$c-end $_n $(now_ms)" >>events
		done
		exec "$FEAST_PYTHON" "$SRC/tests/feast_pod.py" exec "$_m" "$_d" online >"$_d/online.log" 2>&1
	) &
	echo $! >"$_d/app"
}

# Overrides of ready_lib.sh's: the Lease is on the real API server; a pod that failed is told.
lease_holder() { kubectl get lease "feast-$STORE-registry-lock" -n "$NS" -o jsonpath='{.spec.holderIdentity}'; }
wait_ready() {
	wait_for "$2" is_ready "$1" || {
		grep "^fail " events >&2 || true
		tail -n 5 "$(pod_dir "$1")"/*.log >&2
		fail "$1 not ready after $2 s: $(curl -s "http://127.0.0.1:$(pod_port "$1")/readyz")"
	}
}

fv='"driver_hourly_stats:conv_rate","driver_hourly_stats:avg_daily_trips"'
# features POD: get-online-features from POD's server, as "ID conv_rate trips" lines.
features() {
	curl -sf -H 'Content-Type: application/json' -d "{\"features\":[$fv],\"entities\":{\"driver_id\":[1001,1002,1003]}}" \
		"http://127.0.0.1:$(cat "$(pod_dir "$1")/fsport")/get-online-features" >"$1.features" ||
		fail "$1: get-online-features failed"
	"$PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
col = dict(zip(j["metadata"]["feature_names"], (r["values"] for r in j["results"])))
for i, d in enumerate(col["driver_id"]):
    print(d, col["conv_rate"][i], col["avg_daily_trips"][i])' "$1.features"
}

# 1. Three pods at once: their applies queue on the Lease.
t0=$(now_ms)
for i in 1 2 3; do start_pod "a$i" v1; done
# The bounds on the waits are only against a hang: at load 25 a pod took 4 minutes.
for i in 1 2 3; do wait_ready "a$i" 600; done
t1=$(now_ms)

# Features written through one server's write path into the shared online store.
now=$(date -u +%Y-%m-%dT%H:%M:%S)
curl -sf -H 'Content-Type: application/json' -d "{\"feature_view_name\":\"driver_hourly_stats\",\"df\":{
	\"driver_id\":[1001,1002],\"event_timestamp\":[\"$now\",\"$now\"],\"created\":[\"$now\",\"$now\"],
	\"conv_rate\":[0.5,0.25],\"acc_rate\":[0.75,0.125],\"avg_daily_trips\":[17,42],
	\"driver_metadata\":[{\"k\":\"a\"},{\"k\":\"b\"}],\"driver_config\":[\"{}\",\"{}\"],
	\"driver_profile\":[{\"name\":\"ann\",\"age\":\"30\"},{\"name\":\"bob\",\"age\":\"40\"}]}}" \
	"http://127.0.0.1:$(cat "$(pod_dir a1)/fsport")/write-to-online-store" >/dev/null || fail "write-to-online-store failed"
printf '1001 0.5 17\n1002 0.25 42\n1003 None None\n' >want.features

# 2. Rolling update to v2, maxSurge 1 and maxUnavailable 0, as the Deployment controller does
# it: once a new pod is ready, an old one is deleted and the next new one created together.
start_pod b1 v2
for i in 1 2 3; do
	wait_ready "b$i" 600
	[ "$i" = 3 ] || start_pod "b$((i + 1))" v2
	stop_pod "a$((4 - i))"
done
t2=$(now_ms)
[ "$(lease_holder)" = "" ] || fail "Lease held after the rollout: $(lease_holder)"
for p in b1 b2 b3; do
	features "$p" >"$p.got"
	same_file want.features "$p.got"
done
gen=$(kubectl get lease "feast-$STORE-registry-lock" -n "$NS" -o jsonpath='{.metadata.annotations.feast\.dev/registry-generation}')
[ "$gen" = 6 ] || fail "registry generation $gen after six applies"

for p in b1 b2 b3; do stop_pod "$p"; done
ready_finish daemon

# The figures: Feast's steps (from the events), the scale-up and the rollout.
"$PYTHON" - events "$(cat version.txt)" "$((t1 - t0))" "$((t2 - t1))" <<'PY'
import sys
ev = [l.split() for l in open(sys.argv[1]) if l.strip()]
at = {(k, n): int(t) for k, n, t in ev}
def span(c):
    v = sorted(at[(c + "-end", n)] - at[(c + "-start", n)] for k, n, _ in ev if k == c + "-start" and (c + "-end", n) in at)
    return "median %.1f s, max %.1f s (%d)" % (v[len(v) // 2] / 1000, v[-1] / 1000, len(v))
serve = sorted(at[("healthy", n)] - at[("feast-apply-end", n)] for k, n, _ in ev if k == "healthy")
print("feast version (the CLI's start-up): " + sys.argv[2])
print("feast-init container (feast init): " + span("feast-init"))
print("feast-apply container (waiting for the lock included): " + span("feast-apply"))
print("feast serve, start to /health 200: median %.1f s, max %.1f s" % (serve[len(serve) // 2] / 1000, serve[-1] / 1000))
print("three pods at once, until all ready: %.1f s; rolling update of three: %.1f s" % (int(sys.argv[3]) / 1000, int(sys.argv[4]) / 1000))
PY
sort -n drain.ms | awk '{ v[NR] = $1 } END { printf "SIGTERM -> not ready: median %d ms, max %d ms (%d pods; not asserted)\n", v[int((NR + 1) / 2)], v[NR], NR }'
# What the run cost the machine, less its share of load: the CPU of this shell and of every
# process it waited for (Feast's included, the control plane's not).
times >times.txt
tail -n 1 times.txt | awk '{ print "CPU of the pods (user, system): " $1 ", " $2 }'
echo ok
