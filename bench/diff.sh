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
rm -rf "$work"
mkdir -p "$work"
. "$src/bench/bench_lib.sh"
bench_cluster_up

# timed CMD...: CMD's wall time in ms (diff exits 1 on differences: only >1 fails).
timed() {
	_t0=$(ms)
	_rc=0
	"$@" >"$work/out" 2>&1 || _rc=$?
	[ "$_rc" -le 1 ] || { cat "$work/out" >&2; exit 1; }
	echo $(($(ms) - _t0))
}
median3() { printf '%s\n' "$("$@")" "$("$@")" "$("$@")" | sort -n | sed -n 2p; }

kubectl create namespace bench >/dev/null
make_stores d "$n" bench "$work/stores.yaml"
"$feast" apply -f "$work/stores.yaml" >/dev/null
"$feast" render -f "$work/stores.yaml" >"$work/rendered.yaml" 2>/dev/null
objs=$(grep -c '^kind: ' "$work/rendered.yaml")

for rtt in $rtts; do
	if [ "$rtt" = 0 ]; then
		KUBECONFIG=$direct_kubeconfig
		where="loopback"
	else
		delay_proxy_up "$rtt"
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
	delay_proxy_down
done
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
