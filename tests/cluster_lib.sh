# cluster_lib.sh -- what tests/scripts/cluster_*.sh share (sourced after tests/lib.sh): a
# real control plane (tests/cluster/up.sh) or the test API server, their namespaces, the
# requests a test made, and the FeatureStore they apply.

# real_cluster_start [NAMESPACE...]: a real control plane (kube-apiserver, etcd,
# controllers, scheduler, kwok: tests/cluster/up.sh) with the namespaces (feast when none is
# named) and their default ServiceAccounts. Exports KUBECONFIG (the admin) and puts the
# control plane's kubectl first on PATH; sets CLUSTER_* from up.sh's env file and marks the
# audit log (audit_mark). Under run-scripts.sh the scripts of a run share one control plane
# (FEAST_SHARED_CLUSTER names its directory): this joins it once it is up and reset to what
# up.sh left (tests/cluster/reset.sh). A script run alone starts one of its own, stopped on
# exit (a test with its own EXIT trap calls real_cluster_stop).
real_cluster_start() {
	if [ -n "${FEAST_SHARED_CLUSTER:-}" ]; then
		shared_cluster_join
	else
		CLUSTER_DIR=$TEST_TMP/cluster
		"$SRC/tests/cluster/up.sh" "$CLUSTER_DIR" 2>"$TEST_TMP/cluster-up.log" ||
			{ cat "$TEST_TMP/cluster-up.log" >&2; fail "the control plane did not start"; }
	fi
	trap real_cluster_stop EXIT
	. "$CLUSTER_DIR/env"
	PATH=$CLUSTER_BIN:$PATH
	KUBECACHEDIR=$TEST_TMP/kubecache
	export KUBECONFIG KUBECACHEDIR PATH
	[ $# -gt 0 ] || set -- feast
	for _ns in "$@"; do
		kubectl create namespace "$_ns" >/dev/null
	done
	for _ns in "$@"; do
		_i=0
		until kubectl get serviceaccount default -n "$_ns" >/dev/null 2>&1; do
			_i=$((_i + 1))
			[ "$_i" -lt 150 ] || fail "namespace $_ns has no default ServiceAccount after 30 s"
			sleep 0.2
		done
	done
	audit_mark
}

# shared_cluster_join: wait for the run's control plane (run-scripts.sh starts it in the
# background while the first scripts run), then reset it.
shared_cluster_join() {
	CLUSTER_DIR=$FEAST_SHARED_CLUSTER
	_i=0
	until [ -f "$CLUSTER_DIR/up.done" ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 1500 ] || fail "the shared control plane is not up after 300 s"
		sleep 0.2
	done
	[ "$(cat "$CLUSTER_DIR/up.done")" = 0 ] ||
		{ cat "$CLUSTER_DIR/up.log" >&2; fail "the shared control plane did not start"; }
	"$SRC/tests/cluster/reset.sh" "$CLUSTER_DIR" || fail "the shared control plane could not be reset"
}

# real_cluster_stop: stop what real_cluster_start started (idempotent); a shared control
# plane is left to the run, and the next script's join resets it.
real_cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] && [ -z "${FEAST_SHARED_CLUSTER:-}" ] &&
		"$SRC/tests/cluster/down.sh" "$CLUSTER_DIR"
	CLUSTER_DIR=
}

# audit_mark: remember where the audit log ends now; audit_requests and audit_count then
# look only at what came after it.
audit_mark() {
	AUDIT_MARK=$(wc -l <"$CLUSTER_DIR/audit.log")
}

# audit_sync: return once the audit log holds every request answered before the call. The
# server writes a request's line just after its answer, so a test reading the log at once
# could miss the last one: send a request of our own and wait for its line.
audit_sync() {
	_tag=audit-sync-$$-$(date +%s%N)
	curl -sf -o /dev/null --cacert "$CLUSTER_CA" -H "Authorization: Bearer $CLUSTER_ADMIN_TOKEN" \
		-A "$_tag" "$CLUSTER_URL/version" || fail "the API server did not answer /version"
	_i=0
	until grep -q "\"$_tag\"" "$CLUSTER_DIR/audit.log"; do
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || fail "the audit log lacks our request after 10 s"
		sleep 0.1
	done
}

# audit_requests [audit.py OPTIONS]: the requests since audit_mark, one line each
# (VERB URI CODE USER AGENT), e.g. `audit_requests --agent kubectl-feast --writes`.
audit_requests() {
	audit_sync
	"$PYTHON" "$SRC/tests/cluster/audit.py" "$CLUSTER_DIR/audit.log" --from "${AUDIT_MARK:-0}" "$@"
}

# audit_count [audit.py OPTIONS]: how many requests since audit_mark.
audit_count() {
	audit_requests --count "$@"
}

# audit_only_dry_writes AGENT_PREFIX: fail unless that agent wrote since audit_mark and
# every write was a dry run (dryRun=All in its URI).
audit_only_dry_writes() {
	audit_requests --agent "$1" --writes >writes
	[ -s writes ] || fail "no writes at all from $1"
	! grep -v 'dryRun=All' writes >/dev/null || fail "writes that were not dry runs: $(grep -v 'dryRun=All' writes)"
}

# audit_no_writes AGENT_PREFIX [WHAT]: fail if that agent wrote anything since audit_mark
# (dry runs aside). What the controllers write (status, ReplicaSets, pods) does not count,
# so this is the real server's "nothing was stored", where resourceVersions keep moving.
audit_no_writes() {
	audit_requests --agent "$1" --writes | grep -v 'dryRun=All' >writes || true
	[ ! -s writes ] || fail "${2:-$1 wrote}: $(cat writes)"
}

# versions NAMESPACE OBJECT...: KIND/NAME=RESOURCEVERSION of each object, one a line. On the
# real server a no-op apply still sends its PATCH but stores nothing: the objects keep
# their versions once the controllers are done with them (a rollout finished, the HPA
# settled).
versions() {
	_ns=$1
	shift
	kubectl get "$@" -n "$_ns" -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}'
}

# cluster_start [NAMESPACE...]: the cluster every cluster_*.sh runs against: the real
# control plane (real_cluster_start). A leading number is skipped: it was the rollout delay
# of the test API server, which the real Deployment controller and kwok make unnecessary.
cluster_start() {
	case "${1:-}" in [0-9]*) shift ;; esac
	real_cluster_start "$@"
}

# apiserver_cluster_start DELAY [NAMESPACE...]: the test API server instead (tests/lib.sh:
# apiserver_start, so KUBECONFIG points at it), for the faults only it can make: its
# Deployments roll out DELAY seconds after a change; the namespaces (feast when none is
# named) are created with kubectl, as a user would.
apiserver_cluster_start() {
	command -v kubectl >/dev/null || fail "kubectl is not installed"
	apiserver_start --deployment-delay "$1"
	shift
	[ $# -gt 0 ] || set -- feast
	for _ns in "$@"; do
		printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$_ns" | kubectl apply -f - >/dev/null
	done
}

# The services lines of a store that scales: an HPA from 2 to 5 replicas and a PDB.
FS_HA='    scaling:
      autoscaling: {minReplicas: 2, maxReplicas: 5}
    podDisruptionBudgets: {maxUnavailable: 1}'

# feature_store NAME NAMESPACE [SERVICES LINES] [SPEC LINES] [LOGLEVEL]: a FeatureStore whose
# online store and registry live in databases (the Secret "stores"), so that every scaling
# rule allows it more than one replica.  SERVICES LINES go first under spec.services (four
# spaces in), SPEC LINES under spec after feastProject (two); LOGLEVEL sets the online
# server's.  Metadata is in block style, one field a line, for tests that edit it with sed.
feature_store() {
	cat <<YAML | grep -v '^$'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: $1
  namespace: $2
spec:
  feastProject: $1
${4:-}
  services:
${3:-}
    onlineStore:
      persistence:
        store: {type: postgres, secretRef: {name: stores}}
${5:+      server: {logLevel: $5\}}
    registry:
      local:
        persistence:
          store: {type: sql, secretRef: {name: stores}}
YAML
}
