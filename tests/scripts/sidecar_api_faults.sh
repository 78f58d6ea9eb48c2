# sidecar_api_faults.sh -- under API faults (latency beyond the request timeout, hung requests, 5xx
# bursts, resets, responses dropped after commit, 409 storms) no two critical sections overlap; a
# holder that cannot renew by its deadline kills its command (exit 70) and is taken over only a
# lease duration after its last renewal.  Short form here; `make soak` runs 100 rounds each.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
use_apiserver
P=/apis/coordination.k8s.io/v1/namespaces/default/leases
N=$(soak_or "${SIDECAR_FAULT_N:-5}" 100)

# A critical section that also marks its end when it is killed (SIGTERM
# reaches the whole group: sleep dies, the trap runs, then sh exits).
cat >crit.sh <<'SH'
#!/bin/sh
# The trap forks nothing: at load 20 a $(date) could outlast the kill grace, and a SIGKILL
# before the line is written would read as an overlap.
trap 'echo "end $1 - killed" >>"$CRIT_LOG"; exit 143' TERM
echo "start $1 $(date +%s%3N)" >>"$CRIT_LOG"
case $1 in *-1-*) sleep 0.6 ;; *) sleep 0.05 ;; esac  # some hold across renewals
echo "end $1 $(date +%s%3N)" >>"$CRIT_LOG"
SH
chmod +x crit.sh
export CRIT_LOG="$TEST_TMP/crit.log"

# Ten lock processes: four static clients of pod p1, three of pod p2, and
# three locking the Lease directly (no daemon).
start_daemon p1
start_daemon p2
workers=""
for i in 1 2 3 4; do
	for p in p1 p2; do
		[ "$p$i" = p24 ] && continue
		(for j in $(seq 1 "$N"); do
			rc=0
			"$p/feast-lock" --socket "$p/sock" -w 120 -- "$TEST_TMP/crit.sh" "$p-$i-$j" 2>>errs || rc=$?
			echo "$rc" >>exits
		done) &
		workers="$workers $!"
	done
	[ $i = 4 ] && continue
	(for j in $(seq 1 "$N"); do
		rc=0
		"$SIDECAR" lock $FILEB $T -w 120 -- "$TEST_TMP/crit.sh" "direct-$i-$j" 2>>errs || rc=$?
		echo "$rc" >>exits
	done) &
	workers="$workers $!"
done

# Faults, round robin, for as long as the contenders run: each lives 0.6 s
# (or until it has hit a few requests), then 0.6 s of calm, so that the
# lock can make progress and the no-overlap check has something to check.
(
	k=0
	while :; do
		case $((k % 7)) in
		0) f='{"type":"latency","seconds":1.5,"count":2' ;;   # beyond the 1 s request timeout
		1) f='{"type":"hang","seconds":2,"then":"close","count":2' ;;
		2) f='{"type":"error","code":503,"count":5' ;;
		3) f='{"type":"error","code":500,"count":3' ;;
		4) f='{"type":"reset","count":3' ;;
		5) f='{"type":"drop","count":3' ;;                   # writes applied, answers lost
		6) f='{"type":"conflict","count":10' ;;              # a 409 storm
		esac
		apiserver_admin POST /admin/faults "$f,\"for\":0.6,\"path\":\"$P\"}" >/dev/null 2>&1 || true
		k=$((k + 1))
		sleep 1.2
	done
) &
injector=$!
track $injector
for w in $workers; do wait "$w"; done
kill $injector
clear_faults
apiserver_admin GET /admin/requests >requests.json
hits=$("$PYTHON" -c 'import json, sys; print(sum(1 for r in json.load(open(sys.argv[1]))["requests"] if r["faults"]))' requests.json)
kinds=$("$PYTHON" - requests.json <<'PY'
import collections, json, sys
c = collections.Counter(r["method"] + ":" + f for r in json.load(open(sys.argv[1]))["requests"] for f in r["faults"])
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))
PY
)

sections=$(grep -c '^start' crit.log)
[ "$sections" = $((10 * N)) ] || fail "$sections critical sections, want $((10 * N)) (a command ran without the lock, or not at all)"
bad=$(overlaps crit.log)
[ "$bad" = 0 ] || fail "$bad overlapping critical sections under faults"
others=$(grep -cv '^\(0\|70\)$' exits || true)
[ "$others" = 0 ] || fail "exits other than 0 and 70: $(sort exits | uniq -c | tr '\n' ' ') $(tail -3 errs)"
lost=$(grep -c '^70$' exits || true)
[ "$hits" -ge $((2 * N)) ] || fail "only $hits faulted requests: the faults did not bite"
nkinds=$(echo "$kinds" | tr ' ' '\n' | sed 's/^[A-Z]*://; s/=.*//' | sort -u | grep -c .)
[ "$nkinds" -ge 5 ] || fail "only $nkinds kinds of fault were hit: $kinds"
echo "faults: $sections critical sections by 10 processes, $hits faulted requests ($kinds), $lost lost locks (exit 70), 0 overlaps"

# A holder whose renewals hang (every Lease PUT held for 3 s): it loses the
# lock at its renew deadline and kills its command; the waiting pod takes
# over only a lease duration after the holder's last renewal.
rm -f crit.log
hold p1 hold.err
h=$HOLDER
CRIT_SLEEP=0 p2/feast-lock --socket p2/sock -w 30 -- "$TEST_TMP/crit.sh" p2 &
w=$!
track $w
sleep 0.5
fault "{\"type\":\"hang\",\"seconds\":3,\"then\":\"close\",\"methods\":[\"PUT\"],\"for\":2.5,\"path\":\"$P\"}"
t0=$(now_ms)
set +e
wait $h
rc=$?
set -e
t1=$(now_ms)
renew=$(micro_ms "$(lease_field renewTime)")
[ $rc = 70 ] || fail "holder exit $rc, want 70: $(cat hold.err)"
# The deadline runs from the last renewal that landed, which may precede the fault by more
# than a retry period on a loaded machine: judge the early side from that renewal.
[ $((t1 - renew)) -ge $((D_MS - 100)) ] || fail "holder killed $((t1 - renew)) ms after its last renewal, before its renew deadline ($D_MS ms)"
[ $((t1 - t0)) -le $((D_MS + G_MS + SLACK_MS)) ] || fail "holder killed after $((t1 - t0)) ms (deadline $D_MS + grace $G_MS)"
wait $w || fail "the waiting pod did not get the lock"
start=$(awk '$1 == "start" { print $3 }' crit.log)
[ "$start" -gt "$t1" ] || fail "the next holder started before the old command was gone"
[ $((start - renew)) -ge $L_MS ] || fail "taken over $((start - renew)) ms after the last renewal"
echo "hung renewals: command killed $((t1 - t0)) ms after the fault; taken over $((start - renew)) ms after the last renewal"
echo ok
