# sidecar_takeover.sh -- a dead holder is taken over in time and never early; a release hands over at once.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
make_crit
ROUNDS=$(soak_or "${SIDECAR_TAKEOVER_ROUNDS:-2}" 20)

# Holder pod SIGKILLed with a waiter in another pod.
start_daemon p2
crash_takeovers "$ROUNDS"
# A pod restarted with the same identity (POD_NAME) must not inherit the
# hold of its dead predecessor: it waits a lease duration like anyone else.
rm -f crit.log
start_daemon p3
hold p3
kill -KILL "$(daemon_pid p3)"
renew=$(micro_ms "$(lease_field renewTime)")
wait $HOLDER 2>/dev/null || true
rm -f p3/sock
start_daemon p3
CRIT_SLEEP=0 p3/feast-lock --socket p3/sock -w 30 -- "$TEST_TMP/crit.sh" p3
start=$(awk '$1 == "start" { print $3 }' crit.log)
[ $((start - renew)) -ge $L_MS ] || fail "a restarted p3 took its predecessor's hold after $((start - renew)) ms"
echo "same identity restarted: waited $((start - renew)) ms after the predecessor's last renewal"

echo "crash takeover: at most $WORST ms after SIGKILL (bound $((L_MS + R_MS * 22 / 10 + TREQ_MS))), at least $BEST ms after the last renewal (lease $L_MS)"

# Graceful release: the next waiter (another pod) starts at once -- the
# release is seen through the watch, not after a poll.
start_daemon p1
release_handoffs $((ROUNDS * 3)) 0.3
echo "release handoff: median $MEDIAN ms, max $MAX ms (retry period $R_MS)"
echo ok
