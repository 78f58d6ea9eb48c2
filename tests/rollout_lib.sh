# rollout_lib.sh -- a kubelet stand-in that runs the feast-sidecar of every pod of a store on a
# real control plane (sourced after tests/lib.sh, tests/sidecar_lib.sh and tests/cluster_lib.sh,
# once real_cluster_start is done).
#
# kwok only pretends to run containers; the sidecar must run for real, because a pod in gate
# mode turns Ready only once its sidecar wrote the gate condition (tests/cluster/kwok-stages.yaml).
# So a loop polls the store's pods and, for each pod bound to a node, does what the kubelet and
# the pod would: a service-account token bound to that pod (TokenRequest, as a projected token
# is), the in-cluster environment (KUBERNETES_SERVICE_HOST/PORT, the token, CA and namespace
# files, POD_NAME and POD_NAMESPACE from the downward API), `feast-sidecar run` with the args
# of the pod's own feast-sidecar container, then feast-apply through the installed feast-lock
# (an apply stand-in that logs start/end), then a stand-in feature server whose /health is 503
# while it loads (ready_sim.py server). A pod that is deleted or gone loses its app, then its
# sidecar gets SIGTERM (the 1.29+ order). Only the ports differ from a pod's (every pod shares
# this host's loopback), the registry window is shortened and -v=1 logs the gate writes, by args
# added after the pod's.
#
# The loop logs to $KUBELET_DIR/events, one line each, epoch ms last:
#   sample N_PODS N_READY NOT_GATED_BUT_READY MS   every poll
#   start POD HASH MS / stop POD HASH MS            pods it started / stopped
KUBELET_DIR=$TEST_TMP/kubelet
KUBELET_TIMING="--registry-ttl=1s --sync-margin=500ms --health-period=250ms --health-timeout=250ms -v=1"

# kubelet_start NAMESPACE SELECTOR: run the loop in the background (kubelet_stop ends it).
kubelet_start() {
	mkdir -p "$KUBELET_DIR"
	rm -f "$KUBELET_DIR/stop"
	: >"$KUBELET_DIR/events"
	make_crit
	kubelet_loop "$1" "$2" >"$KUBELET_DIR/loop.log" 2>&1 &
	KUBELET_PID=$!
	trap 'kubelet_stop || true; real_cluster_stop' EXIT
}

# kubelet_stop: stop the loop, which stops its pods first (idempotent).
kubelet_stop() {
	[ -n "${KUBELET_PID:-}" ] || return 0
	touch "$KUBELET_DIR/stop"
	_i=0
	while kill -0 "$KUBELET_PID" 2>/dev/null && [ $_i -lt 150 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill "$KUBELET_PID" 2>/dev/null || true
	# Whatever a killed loop left behind, by the pids it recorded.
	for _p in "$KUBELET_DIR"/pods/*/pid "$KUBELET_DIR"/pods/*/app; do
		[ -f "$_p" ] && kill -KILL "$(cat "$_p")" 2>/dev/null || true
	done
	KUBELET_PID=
}

# The pods' lines: NAME UID NODE HASH DELETING READY GATE (absent values as "-").
kubelet_poll() {
	kubectl get pods -n "$1" -l "$2" -o json | jq -r '.items[] | [.metadata.name, .metadata.uid,
		(.spec.nodeName // "-"), .metadata.labels["pod-template-hash"],
		(if .metadata.deletionTimestamp then "yes" else "no" end),
		((.status.conditions // [])[] | select(.type == "Ready") | .status) // "-",
		((.status.conditions // [])[] | select(.type == "feast.dev/registry-ready") | .status) // "-"]
		| join(" ")'
}

kubelet_loop() {
	set +e
	mkdir -p "$KUBELET_DIR/pods"
	while [ ! -e "$KUBELET_DIR/stop" ]; do
		if kubelet_poll "$1" "$2" >"$KUBELET_DIR/now.new"; then
			mv "$KUBELET_DIR/now.new" "$KUBELET_DIR/now"
			awk -v ms="$(now_ms)" '$5 == "no" { n++ } $5 == "no" && $6 == "True" { r++ }
				$6 == "True" && $7 != "True" { bad++ }
				END { printf "sample %d %d %d %s\n", n, r, bad, ms }' "$KUBELET_DIR/now" \
				>>"$KUBELET_DIR/events"
			while read -r name uid node hash deleting ready gate; do
				[ "$node" != - ] && [ "$deleting" = no ] && [ ! -d "$KUBELET_DIR/pods/$name" ] &&
					pod_run "$1" "$name" "$uid" "$hash"
			done <"$KUBELET_DIR/now"
			for d in "$KUBELET_DIR"/pods/*; do
				[ -d "$d" ] && [ ! -e "$d/stopped" ] || continue
				n=$(basename "$d")
				grep -q "^$n .* no [^ ]* [^ ]*\$" "$KUBELET_DIR/now" || pod_stop "$n"
			done
		fi
		sleep 0.2
	done
	for d in "$KUBELET_DIR"/pods/*; do
		[ -d "$d" ] && [ ! -e "$d/stopped" ] && pod_stop "$(basename "$d")"
	done
}

# pod_run NAMESPACE POD UID HASH: start the pod's sidecar, feast-apply and server.
pod_run() {
	_d=$KUBELET_DIR/pods/$2
	mkdir -p "$_d/sa" "$_d/home"
	echo "$4" >"$_d/hash"
	# The projected token: audience the API server's, bound to this pod, so the audit log
	# and admission see which pod a request came from.
	kubectl create token "$(kubectl get pod "$2" -n "$1" -o jsonpath='{.spec.serviceAccountName}')" \
		-n "$1" --bound-object-kind Pod --bound-object-name "$2" --bound-object-uid "$3" \
		>"$_d/sa/token" || { echo "no token for $2"; return 1; }
	cp "$CLUSTER_CA" "$_d/sa/ca.crt"
	printf %s "$1" >"$_d/sa/namespace"
	kubectl get pod "$2" -n "$1" -o json |
		jq -r '.spec.initContainers[] | select(.name == "feast-sidecar") | (.command + .args)[]' >"$_d/cmd"
	set -- "$@" $("$PYTHON" "$SRC/tests/ready_sim.py" freeport 2)
	# $5: the sidecar's HTTP port, $6: the feature server's.
	sed -e "s#^feast-sidecar\$#$FEAST_BIN_DIR/feast-sidecar#" \
		-e "s#^--health=http://127.0.0.1:6566/#--health=http://127.0.0.1:$6/#" "$_d/cmd" >"$_d/argv"
	printf '%s\n' --listen="127.0.0.1:$5" $KUBELET_TIMING >>"$_d/argv"
	echo "start $2 $4 $(now_ms)" >>"$KUBELET_DIR/events"
	(
		unset KUBECONFIG
		export HOME="$_d/home" FEAST_SERVICEACCOUNT_DIR="$_d/sa" FEAST_SIDECAR_SOCKET="$_d/sock"
		export KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="${CLUSTER_URL##*:}"
		export POD_NAME="$2" POD_NAMESPACE="$1" POD_UID="$3"
		# shellcheck disable=SC2046
		IFS='
'
		exec $(cat "$_d/argv")
	) 2>"$_d/daemon.log" &
	echo $! >"$_d/pid"
	# feast-apply starts once the sidecar's startupProbe passes (its socket), then the server.
	(
		i=0
		until [ -S "$_d/sock" ]; do
			i=$((i + 1))
			[ $i -lt 250 ] || exit 1
			sleep 0.02
		done
		CRIT_LOG=$KUBELET_DIR/apply.log CRIT_SLEEP=0.2 FEAST_SIDECAR_SOCKET="$_d/sock" \
			"$_d/feast-lock" lock -w 60 -- "$TEST_TMP/crit.sh" "$2" 2>"$_d/apply.err" || exit 1
		exec "$PYTHON" "$SRC/tests/ready_sim.py" server "$2" "$6" 0.5 "$_d/server.events"
	) &
	echo $! >"$_d/app"
}

# pod_stop POD: the app stops, then the sidecar gets SIGTERM and is waited for (10 s).
pod_stop() {
	_d=$KUBELET_DIR/pods/$1
	touch "$_d/stopped"
	echo "stop $1 $(cat "$_d/hash") $(now_ms)" >>"$KUBELET_DIR/events"
	kill -TERM "$(cat "$_d/app")" 2>/dev/null
	kill -TERM "$(cat "$_d/pid")" 2>/dev/null
	_i=0
	while kill -0 "$(cat "$_d/pid")" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$(cat "$_d/pid")" 2>/dev/null
	return 0
}

# gate_true_ms POD: when POD's sidecar wrote its condition True first (epoch ms), from its log.
gate_true_ms() {
	_t=$(grep -m 1 'gate: feast.dev/registry-ready=True' "$KUBELET_DIR/pods/$1/daemon.log" | cut -d' ' -f1)
	[ -n "$_t" ] || return 1
	"$PYTHON" -c 'import sys, datetime; t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc); print(int(t.timestamp() * 1000))' "$_t"
}
