# bench_lib.sh -- what the cluster benchmarks (apply.sh, diff.sh) share: a real control plane
# of their own in $work/cluster, the example store copied N times, a delay proxy in front of
# the API server, and the timing helpers.  Source it after setting src and work.

PYTHON=${PYTHON:-$("$src/scripts/python.sh")}
proxy_pid=

# bench_cluster_up [DIR]: start tests/cluster/up.sh in DIR ($work/cluster), stopped on exit
# or by bench_cluster_down; exports KUBECONFIG (also kept as direct_kubeconfig), PATH with the
# cluster's kubectl, KUBECACHEDIR.
bench_cluster_up() {
	cluster_dir=${1:-$work/cluster}
	"$src/tests/cluster/up.sh" "$cluster_dir" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
	trap '[ -z "$proxy_pid" ] || kill "$proxy_pid"; [ -z "$cluster_dir" ] || "$src/tests/cluster/down.sh" "$cluster_dir" >/dev/null 2>&1' EXIT
	. "$cluster_dir/env"
	case :$PATH: in *:$CLUSTER_BIN:*) ;; *) PATH=$CLUSTER_BIN:$PATH ;; esac
	KUBECACHEDIR=$cluster_dir/kubecache
	export KUBECONFIG PATH KUBECACHEDIR
	direct_kubeconfig=$KUBECONFIG
}

# bench_cluster_down: stop the control plane bench_cluster_up started (and its delay proxy).
bench_cluster_down() {
	delay_proxy_down
	"$src/tests/cluster/down.sh" "$cluster_dir" >/dev/null 2>&1
	cluster_dir=
	# Else the next up.sh's kubectl calls would write a cache into the directory just removed.
	unset KUBECACHEDIR
}

# make_stores PREFIX N NAMESPACE OUT: N copies of examples/featurestore-ha.yaml named PREFIX-000...
make_stores() {
	_i=0
	: >"$4"
	while [ "$_i" -lt "$2" ]; do
		[ "$_i" -gt 0 ] && echo '---' >>"$4"
		sed -e "s/^  name: .*/  name: $1-$(printf %03d "$_i")/" -e "s/^  namespace: .*/  namespace: $3/" \
			-e '/^#/d' "$src/examples/featurestore-ha.yaml" >>"$4"
		_i=$((_i + 1))
	done
}

# delay_proxy_up RTT_MS: bench/delay_proxy.py in front of the API server, and KUBECONFIG
# pointing at it (a kubeconfig of its own in $work); kill "$proxy_pid" when done.
delay_proxy_up() {
	_port=$(free_port)
	"$PYTHON" "$src/bench/delay_proxy.py" "$_port" 127.0.0.1 "${CLUSTER_URL##*:}" "$1" &
	proxy_pid=$!
	_i=0
	until "$PYTHON" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$_port" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || { echo "bench: the delay proxy did not start" >&2; exit 1; }
		sleep 0.1
	done
	sed "s|$CLUSTER_URL|https://127.0.0.1:$_port|" "$direct_kubeconfig" >"$work/kubeconfig-$1"
	KUBECONFIG=$work/kubeconfig-$1
	export KUBECONFIG
}

# delay_proxy_down: stop the proxy delay_proxy_up started, if any.
delay_proxy_down() {
	[ -z "$proxy_pid" ] || kill "$proxy_pid"
	proxy_pid=
}

ms() { echo $(($(date +%s%N) / 1000000)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
