#!/bin/sh
# diff.sh -- time `kubectl feast diff` and `apply --dry-run=server` of stores already applied
# against `kubectl diff --server-side --field-manager=kubectl-feast` of the same rendered objects, on a real control
# plane (tests/cluster/up.sh), on loopback and behind bench/delay_proxy.py (BENCH_RTT_MS,
# default 20).  BENCH_STORES (default 20) stores; BENCH_OLD_FEAST names another
# kubectl-feast build to time in the same run (before/after a change).  Medians of three.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
feast="$FEAST_BIN_DIR/kubectl-feast"
old=${BENCH_OLD_FEAST:-}
work="$FEAST_BUILD_DIR/bench/diff"
n=${BENCH_STORES:-20}
rtts=${BENCH_RTTS:-0 ${BENCH_RTT_MS:-20}}
PYTHON=${PYTHON:-$("$src/scripts/python.sh")}
rm -rf "$work"
mkdir -p "$work"
"$src/tests/cluster/up.sh" "$work/cluster" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
proxy_pid=
trap '[ -z "$proxy_pid" ] || kill "$proxy_pid"; "$src/tests/cluster/down.sh" "$work/cluster" >/dev/null 2>&1' EXIT
. "$work/cluster/env"
PATH=$CLUSTER_BIN:$PATH
KUBECACHEDIR=$work/cluster/kubecache
export KUBECONFIG PATH KUBECACHEDIR
direct_kubeconfig=$KUBECONFIG

ms() { echo $(($(date +%s%N) / 1000000)); }
# timed CMD...: CMD's wall time in ms (diff exits 1 on differences: only >1 fails).
timed() {
	_t0=$(ms)
	_rc=0
	"$@" >"$work/out" 2>&1 || _rc=$?
	[ "$_rc" -le 1 ] || { cat "$work/out" >&2; exit 1; }
	echo $(($(ms) - _t0))
}
median3() { printf '%s\n' "$("$@")" "$("$@")" "$("$@")" | sort -n | sed -n 2p; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

kubectl create namespace bench >/dev/null
i=0
: >"$work/stores.yaml"
while [ "$i" -lt "$n" ]; do
	[ "$i" -gt 0 ] && echo '---' >>"$work/stores.yaml"
	sed -e "s/^  name: .*/  name: d-$(printf %03d "$i")/" -e "s/^  namespace: .*/  namespace: bench/" \
		-e '/^#/d' "$src/examples/featurestore-ha.yaml" >>"$work/stores.yaml"
	i=$((i + 1))
done
"$feast" apply -f "$work/stores.yaml" >/dev/null
"$feast" render -f "$work/stores.yaml" >"$work/rendered.yaml" 2>/dev/null
objs=$(grep -c '^kind: ' "$work/rendered.yaml")

for rtt in $rtts; do
	if [ "$rtt" = 0 ]; then
		KUBECONFIG=$direct_kubeconfig
		where="loopback"
	else
		port=$(free_port)
		"$PYTHON" "$src/bench/delay_proxy.py" "$port" 127.0.0.1 "${CLUSTER_URL##*:}" "$rtt" &
		proxy_pid=$!
		sleep 1
		sed "s|$CLUSTER_URL|https://127.0.0.1:$port|" "$direct_kubeconfig" >"$work/kubeconfig-$rtt"
		KUBECONFIG=$work/kubeconfig-$rtt
		where="$rtt ms round trip"
	fi
	export KUBECONFIG
	kubectl get --raw /version >/dev/null
	printf '\n%s stores (%s objects), API server on %s:\n\n' "$n" "$objs" "$where"
	printf '| run | kubectl-feast | %skubectl diff --server-side | ratio to kubectl |\n' "${old:+previous build | }"
	printf '| --- | ---: | %s---: | ---: |\n' "${old:+---: | }"
	for what in diff dry; do
		if [ "$what" = diff ]; then set -- diff -f "$work/stores.yaml"; else set -- apply -f "$work/stores.yaml" --dry-run=server; fi
		f=$(median3 timed "$feast" "$@")
		o=
		[ -z "$old" ] || o="$(median3 timed "$old" "$@") ms | "
		k=$(median3 timed kubectl diff --server-side --force-conflicts --field-manager=kubectl-feast -f "$work/rendered.yaml")
		printf '| %s | %d ms | %s%d ms | %s |\n' "$*" "$f" "$o" "$k" "$(ratio "$k" "$f")" | sed "s|$work/||"
	done
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid"
		proxy_pid=
	fi
done
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
