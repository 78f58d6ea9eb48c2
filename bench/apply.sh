#!/bin/sh
# apply.sh -- time `kubectl feast apply` against `kubectl apply --server-side -f` of the same
# rendered objects, on a real control plane (tests/cluster/up.sh: kube-apiserver, etcd,
# controllers, kwok): 1, 10 and 100 stores, the first apply into empty namespaces and a
# no-op re-apply; prints a table with ratios and the requests per object kubectl-feast sent.
# Each tool applies stores of its own names (fS-NNN, kS-NNN for S stores) in namespaces of its own, so
# both start from the same empty state.  BENCH_SIZES, BENCH_CONCURRENCY override.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
feast="$FEAST_BIN_DIR/kubectl-feast"
work="$FEAST_BUILD_DIR/bench/apply"
sizes=${BENCH_SIZES:-1 10 100}
PYTHON=${PYTHON:-$("$src/scripts/python.sh")}
conc=${BENCH_CONCURRENCY:-}
rm -rf "$work"
mkdir -p "$work"
"$src/tests/cluster/up.sh" "$work/cluster" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
trap '"$src/tests/cluster/down.sh" "$work/cluster" >/dev/null 2>&1' EXIT
. "$work/cluster/env"
PATH=$CLUSTER_BIN:$PATH
KUBECACHEDIR=$work/cluster/kubecache
export KUBECONFIG PATH KUBECACHEDIR

make_stores() { # PREFIX N NAMESPACE OUT
	i=0
	: >"$4"
	while [ "$i" -lt "$2" ]; do
		[ "$i" -gt 0 ] && echo '---' >>"$4"
		sed -e "s/^  name: .*/  name: $1-$(printf %03d "$i")/" -e "s/^  namespace: .*/  namespace: $3/" \
			-e '/^#/d' "$src/examples/featurestore-ha.yaml" >>"$4"
		i=$((i + 1))
	done
}
ms() { echo $(($(date +%s%N) / 1000000)); }
# timed OUT CMD...: run CMD, print its wall time in ms.
timed() {
	_out=$1
	shift
	_t0=$(ms)
	"$@" >"$_out" 2>&1 || { cat "$_out" >&2; exit 1; }
	echo $(($(ms) - _t0))
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

kubectl get --raw /version >/dev/null # the discovery cache for kubectl, outside the timings
printf '| stores | objects | run | kubectl-feast apply | kubectl apply --server-side | ratio | requests/object |\n'
printf '| ---: | ---: | --- | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	kubectl create namespace "bf-$n" >/dev/null
	kubectl create namespace "bk-$n" >/dev/null
	make_stores "f$n" "$n" "bf-$n" "$work/f$n.yaml"
	make_stores "k$n" "$n" "bk-$n" "$work/k$n.yaml"
	"$feast" render -f "$work/k$n.yaml" >"$work/k$n.rendered.yaml" 2>/dev/null
	objs=$(grep -c '^kind: ' "$work/k$n.rendered.yaml")
	mark=$(wc -l <"$work/cluster/audit.log")
	f1=$(timed "$work/f$n.out" "$feast" apply -f "$work/f$n.yaml" ${conc:+--concurrency "$conc"})
	sleep 1 # let the audit log catch up
	reqs=$("$PYTHON" "$src/tests/cluster/audit.py" "$work/cluster/audit.log" --from "$mark" --agent kubectl-feast --count)
	k1=$(timed "$work/k$n.out" kubectl apply --server-side -f "$work/k$n.rendered.yaml")
	printf '| %s | %s | first apply | %d ms | %d ms | %s | %s |\n' "$n" "$objs" "$f1" "$k1" "$(ratio "$k1" "$f1")" \
		"$(awk -v r="$reqs" -v o="$objs" 'BEGIN { printf "%.2f", r / o }')"
	fa=$(timed "$work/f$n.out" "$feast" apply -f "$work/f$n.yaml" ${conc:+--concurrency "$conc"})
	fb=$(timed "$work/f$n.out" "$feast" apply -f "$work/f$n.yaml" ${conc:+--concurrency "$conc"})
	fc=$(timed "$work/f$n.out" "$feast" apply -f "$work/f$n.yaml" ${conc:+--concurrency "$conc"})
	ka=$(timed "$work/k$n.out" kubectl apply --server-side -f "$work/k$n.rendered.yaml")
	kb=$(timed "$work/k$n.out" kubectl apply --server-side -f "$work/k$n.rendered.yaml")
	kc=$(timed "$work/k$n.out" kubectl apply --server-side -f "$work/k$n.rendered.yaml")
	f2=$(median3 "$fa" "$fb" "$fc")
	k2=$(median3 "$ka" "$kb" "$kc")
	grep -Eq 'created|configured' "$work/f$n.out" && echo "warning: the re-apply of $n stores changed something" >&2
	printf '| %s | %s | no-op re-apply | %d ms | %d ms | %s | |\n' "$n" "$objs" "$f2" "$k2" "$(ratio "$k2" "$f2")"
done
