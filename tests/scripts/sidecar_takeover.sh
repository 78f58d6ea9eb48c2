# sidecar_takeover.sh -- a dead holder is taken over in time and never early; a release hands over at once.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
make_crit
export CRIT_LOG="$TEST_TMP/crit.log"
ROUNDS=${SIDECAR_TAKEOVER_ROUNDS:-2}
[ "${SIDECAR_SOAK:-}" ] && ROUNDS=20

# Holder pod SIGKILLed with a waiter in another pod: the waiter's command
# starts no earlier than a lease duration after the last renewal written
# (same host, same wall clock), and within L + 2.2 R + T_req of the kill.
start_daemon p2
worst=0
best=999999
for i in $(seq 1 "$ROUNDS"); do
	rm -f up crit.log
	start_daemon p1
	p1/feast-lock --socket p1/sock -- sh -c 'touch up; exec sleep 30' 2>/dev/null &
	h=$!
	track $h
	wait_for 5 test -e up || fail "holder did not start"
	CRIT_SLEEP=0 p2/feast-lock --socket p2/sock -w 30 -- "$TEST_TMP/crit.sh" p2 &
	w=$!
	track $w
	sleep 0.$((3 + i % 5))
	kill -KILL "$(daemon_pid p1)"
	t_kill=$(now_ms)
	renew=$(micro_ms "$(lease_field renewTime)")
	wait $w || fail "round $i: the waiting pod did not get the lock"
	wait $h 2>/dev/null || true
	start=$(awk '$1 == "start" { print $3 }' crit.log)
	since_renew=$((start - renew))
	since_kill=$((start - t_kill))
	[ $since_renew -ge $L_MS ] || fail "round $i: taken over $since_renew ms after the last renewal (lease $L_MS)"
	bound=$((L_MS + R_MS * 22 / 10 + TREQ_MS))
	[ $since_kill -le $((bound + SLACK_MS)) ] || fail "round $i: takeover $since_kill ms after the kill (bound $bound)"
	[ $since_kill -gt $worst ] && worst=$since_kill
	[ $since_renew -lt $best ] && best=$since_renew
	rm -f p1/sock
done
# A pod restarted with the same identity (POD_NAME) must not inherit the
# hold of its dead predecessor: it waits a lease duration like anyone else.
rm -f up crit.log
start_daemon p3
p3/feast-lock --socket p3/sock -- sh -c 'touch up; exec sleep 30' 2>/dev/null &
h=$!
track $h
wait_for 5 test -e up || fail "holder did not start"
kill -KILL "$(daemon_pid p3)"
renew=$(micro_ms "$(lease_field renewTime)")
wait $h 2>/dev/null || true
rm -f p3/sock
start_daemon p3
CRIT_SLEEP=0 p3/feast-lock --socket p3/sock -w 30 -- "$TEST_TMP/crit.sh" p3
start=$(awk '$1 == "start" { print $3 }' crit.log)
[ $((start - renew)) -ge $L_MS ] || fail "a restarted p3 took its predecessor's hold after $((start - renew)) ms"
echo "same identity restarted: waited $((start - renew)) ms after the predecessor's last renewal"

echo "crash takeover: at most $worst ms after SIGKILL (bound $((L_MS + R_MS * 22 / 10 + TREQ_MS))), at least $best ms after the last renewal (lease $L_MS)"

# Graceful release: the next waiter (another pod) starts at once -- the
# release is seen through the watch, not after a poll.
start_daemon p1
: >handoffs
for i in $(seq 1 $((ROUNDS * 3))); do
	rm -f crit.log
	CRIT_SLEEP=0.3 p1/feast-lock --socket p1/sock -- "$TEST_TMP/crit.sh" p1 &
	h=$!
	wait_for 5 grep -qs start crit.log || fail "holder did not start"
	CRIT_SLEEP=0 p2/feast-lock --socket p2/sock -w 10 -- "$TEST_TMP/crit.sh" p2
	wait $h || fail "holder failed"
	awk '$1 == "end" && $2 == "p1" { e = $3 } $1 == "start" && $2 == "p2" { s = $3 } END { print s - e }' \
		crit.log >>handoffs
done
[ "$(overlaps crit.log)" = 0 ] || fail "overlap in the handoff rounds"
median=$(sort -n handoffs | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
max=$(sort -n handoffs | tail -n 1)
# "About one retry period": the median (robust to a slow moment on a busy
# machine) within R plus the release write; every one within a poll.
[ "$median" -le $((R_MS + 150)) ] || fail "median handoff $median ms (retry period $R_MS)"
[ "$max" -le $((R_MS * 22 / 10 + TREQ_MS + SLACK_MS)) ] || fail "slowest handoff $max ms"
echo "release handoff: median $median ms, max $max ms (retry period $R_MS)"
echo ok
