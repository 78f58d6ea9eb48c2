#!/bin/sh
# apply.sh -- time `kubectl feast apply` against `kubectl apply --server-side -f` of the same
# rendered objects, on a real control plane (tests/cluster/up.sh: kube-apiserver, etcd,
# controllers, kwok): 1, 10 and 100 stores, the first apply into empty namespaces and a
# no-op re-apply; prints a table with ratios and the requests per object kubectl-feast sent.
# Each tool applies stores of its own names in namespaces of its own, so both start from the
# same empty state.  Two tables: the API server on loopback, and behind bench/delay_proxy.py
# adding a round-trip time (BENCH_RTT_MS, default 20: an API server across a network, where
# one request at a time waits a round trip each).  BENCH_SIZES, BENCH_CONCURRENCY override;
# BENCH_RTTS="0" skips the second table.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
feast="$FEAST_BIN_DIR/kubectl-feast"
work="$FEAST_BUILD_DIR/bench/apply"
sizes=${BENCH_SIZES:-1 10 100}
rtts=${BENCH_RTTS:-0 ${BENCH_RTT_MS:-20}}
conc=${BENCH_CONCURRENCY:-}
rm -rf "$work"
mkdir -p "$work"
. "$src/bench/bench_lib.sh"
bench_cluster_up

# timed OUT CMD...: run CMD, print its wall time in ms.
timed() {
	_out=$1
	shift
	_t0=$(ms)
	"$@" >"$_out" 2>&1 || { cat "$_out" >&2; exit 1; }
	echo $(($(ms) - _t0))
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

for rtt in $rtts; do
if [ "$rtt" = 0 ]; then
	KUBECONFIG=$direct_kubeconfig
	printf '\nAPI server on loopback:\n\n'
else
	delay_proxy_up "$rtt"
	printf '\nAPI server behind a %s ms round trip (bench/delay_proxy.py):\n\n' "$rtt"
fi
export KUBECONFIG
kubectl get --raw /version >/dev/null # the discovery cache for kubectl, outside the timings
printf '| stores | objects | run | kubectl-feast apply | kubectl apply --server-side | ratio | requests/object |\n'
printf '| ---: | ---: | --- | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	t=r$rtt-$n
	kubectl create namespace "bf-$t" >/dev/null
	kubectl create namespace "bk-$t" >/dev/null
	make_stores "f$rtt-$n" "$n" "bf-$t" "$work/f$t.yaml"
	make_stores "k$rtt-$n" "$n" "bk-$t" "$work/k$t.yaml"
	"$feast" render -f "$work/k$t.yaml" >"$work/k$t.rendered.yaml" 2>/dev/null
	objs=$(grep -c '^kind: ' "$work/k$t.rendered.yaml")
	mark=$(wc -l <"$work/cluster/audit.log")
	f1=$(timed "$work/f$t.out" "$feast" apply -f "$work/f$t.yaml" ${conc:+--concurrency "$conc"})
	sleep 1 # let the audit log catch up
	reqs=$("$PYTHON" "$src/tests/cluster/audit.py" "$work/cluster/audit.log" --from "$mark" --agent kubectl-feast --count)
	k1=$(timed "$work/k$t.out" kubectl apply --server-side -f "$work/k$t.rendered.yaml")
	printf '| %s | %s | first apply | %d ms | %d ms | %s | %s |\n' "$n" "$objs" "$f1" "$k1" "$(ratio "$k1" "$f1")" \
		"$(awk -v r="$reqs" -v o="$objs" 'BEGIN { printf "%.2f", r / o }')"
	fa=$(timed "$work/f$t.out" "$feast" apply -f "$work/f$t.yaml" ${conc:+--concurrency "$conc"})
	fb=$(timed "$work/f$t.out" "$feast" apply -f "$work/f$t.yaml" ${conc:+--concurrency "$conc"})
	fc=$(timed "$work/f$t.out" "$feast" apply -f "$work/f$t.yaml" ${conc:+--concurrency "$conc"})
	ka=$(timed "$work/k$t.out" kubectl apply --server-side -f "$work/k$t.rendered.yaml")
	kb=$(timed "$work/k$t.out" kubectl apply --server-side -f "$work/k$t.rendered.yaml")
	kc=$(timed "$work/k$t.out" kubectl apply --server-side -f "$work/k$t.rendered.yaml")
	f2=$(median3 "$fa" "$fb" "$fc")
	k2=$(median3 "$ka" "$kb" "$kc")
	grep -Eq 'created|configured' "$work/f$t.out" && echo "warning: the re-apply of $n stores changed something" >&2
	printf '| %s | %s | no-op re-apply | %d ms | %d ms | %s | |\n' "$n" "$objs" "$f2" "$k2" "$(ratio "$k2" "$f2")"
done
delay_proxy_down
done
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
