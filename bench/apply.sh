#!/bin/sh
# apply.sh -- time `kubectl feast apply` against `kubectl apply --server-side -f` of the same
# rendered objects, on a real control plane (tests/cluster/up.sh: kube-apiserver, etcd,
# controllers, kwok): 1, 10 and 100 stores, the first apply into empty namespaces and a
# no-op re-apply; prints a table with ratios and the requests per object kubectl-feast sent.
# Two tables: the API server on loopback, and behind bench/delay_proxy.py
# adding a round-trip time (BENCH_RTT_MS, default 20: an API server across a network, where
# one request at a time waits a round trip each).  BENCH_SIZES, BENCH_CONCURRENCY override;
# BENCH_RTTS="0" skips the second table.
#
# Every timed run has a control plane of its own, started for it: the controllers answering
# stores already applied (HPAs with no metrics server, pods beyond the fake nodes' capacity)
# would load whichever run came second, and a cluster that has created and deleted thousands
# of objects answers more slowly than a new one.  A first apply on loopback is still noisy,
# so it is the median of BENCH_ROUNDS rounds (5; 1 behind a round trip, where latency
# dominates), the tool going first alternating, each after BENCH_SETTLE quiet seconds (15);
# the last round also times three no-op re-applies.  "busy" is the share of the machine's
# CPU time spent (by anyone) during kubectl-feast's first applies: near 100%, the apply is
# bound by what the API server, etcd and the controllers do with the cores, not by the client.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
feast="$FEAST_BIN_DIR/kubectl-feast"
work="$FEAST_BUILD_DIR/bench/apply"
sizes=${BENCH_SIZES:-1 10 100}
rtts=${BENCH_RTTS:-0 ${BENCH_RTT_MS:-20}}
conc=${BENCH_CONCURRENCY:-}
rounds=${BENCH_ROUNDS:-5}
settle=${BENCH_SETTLE:-15}
rm -rf "$work"
mkdir -p "$work"
. "$src/bench/bench_lib.sh"

# timed OUT CMD...: run CMD, print its wall time in ms.
timed() {
	_out=$1
	shift
	_t0=$(ms)
	"$@" >"$_out" 2>&1 || { cat "$_out" >&2; exit 1; }
	echo $(($(ms) - _t0))
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# cpu_ticks: the machine's busy and total CPU ticks so far ("- -" without /proc/stat).
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8; exit }' /proc/stat 2>/dev/null || echo '- -'; }
busy_since() { # busy_since "BUSY TOTAL": percent of CPU time busy since then
	cpu_ticks | awk -v a="$1" '{ split(a, t, " "); if (t[1] == "-" || $2 == t[2]) print "-"; else printf "%d%%", 100 * ($1 - t[1]) / ($2 - t[2]) }'
}

# apply_with TOOL FILE: apply FILE (stores for f, rendered objects for k).
apply_with() {
	if [ "$1" = f ]; then
		"$feast" apply -f "$2" ${conc:+--concurrency "$conc"}
	else
		kubectl apply --server-side -f "$2"
	fi
}

# tool_round TOOL N ROUND LAST: on a new control plane ($rtt behind the delay proxy), TOOL's
# first apply of N stores after $settle quiet seconds, timed; when LAST, then three timed
# no-op re-applies.  Sets r_first (ms), r_busy, r_reqs (requests of the first apply, for f)
# and r_re (the re-applies' median ms, when LAST).
tool_round() {
	bench_cluster_up "$work/cluster-$1-$t-$3"
	[ "$rtt" = 0 ] || delay_proxy_up "$rtt"
	kubectl api-resources >/dev/null # kubectl's discovery cache, outside the timings
	_in=$work/$1$t-$3.yaml
	kubectl create namespace "b$1-$t" >/dev/null
	make_stores "$1$rtt-$2" "$2" "b$1-$t" "$_in"
	if [ "$1" = k ]; then
		"$feast" render -f "$_in" >"$_in.rendered" 2>/dev/null
		_in=$_in.rendered
	fi
	sleep "$settle"
	_mark=$(wc -l <"$cluster_dir/audit.log")
	_c=$(cpu_ticks)
	r_first=$(timed "$work/$1$t.out" apply_with "$1" "$_in")
	r_busy=$(busy_since "$_c")
	sleep 1 # let the audit log catch up
	[ "$1" = k ] || r_reqs=$("$PYTHON" "$src/tests/cluster/audit.py" "$cluster_dir/audit.log" \
		--from "$_mark" --agent kubectl-feast --count)
	r_re=
	if [ "$4" = 1 ]; then
		sleep "$settle"
		_a=$(timed "$work/$1$t.out" apply_with "$1" "$_in")
		_b=$(timed "$work/$1$t.out" apply_with "$1" "$_in")
		r_re=$(timed "$work/$1$t.out" apply_with "$1" "$_in")
		grep -Eq '(created|configured)$' "$work/$1$t.out" &&
			echo "warning: the $1 re-apply of $2 stores changed something" >&2
		r_re=$(median3 "$_a" "$_b" "$r_re")
	fi
	_dir=$cluster_dir
	bench_cluster_down
	rm -rf "$_dir"
}

for rtt in $rtts; do
if [ "$rtt" = 0 ]; then
	printf '\nAPI server on loopback:\n\n'
else
	printf '\nAPI server behind a %s ms round trip (bench/delay_proxy.py):\n\n' "$rtt"
fi
r_rounds=$rounds
[ "$rtt" = 0 ] || r_rounds=${BENCH_RTT_ROUNDS:-1}
printf '| stores | objects | run | kubectl-feast apply | kubectl apply --server-side | ratio | requests/object | busy |\n'
printf '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	t=r$rtt-$n
	fs= ks= busy= r=1
	while [ "$r" -le "$r_rounds" ]; do
		order="f k"
		[ $((r % 2)) = 1 ] || order="k f"
		for tool in $order; do
			tool_round "$tool" "$n" "$r" "$([ "$r" = "$r_rounds" ] && echo 1)"
			if [ "$tool" = f ]; then
				fs="$fs $r_first" busy="$busy $r_busy" reqs=$r_reqs f2=$r_re
			else
				ks="$ks $r_first" k2=$r_re
			fi
		done
		r=$((r + 1))
	done
	objs=$(grep -c '^kind: ' "$work/k$t-1.yaml.rendered")
	f1=$(median $fs) k1=$(median $ks)
	printf '| %s | %s | first apply%s | %d ms | %d ms | %s | %s | %s |\n' "$n" "$objs" \
		"$([ "$r_rounds" = 1 ] || echo ", median of $r_rounds")" "$f1" "$k1" "$(ratio "$k1" "$f1")" \
		"$(awk -v r="$reqs" -v o="$objs" 'BEGIN { printf "%.2f", r / o }')" "$(echo $busy | tr ' ' /)"
	printf '| %s | %s | no-op re-apply, median of 3 | %d ms | %d ms | %s | | |\n' "$n" "$objs" "$f2" "$k2" \
		"$(ratio "$k2" "$f2")"
	[ "$r_rounds" = 1 ] || printf '(first applies by round: kubectl-feast%s ms; kubectl%s ms)\n' "$fs" "$ks" >&2
done
done
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
