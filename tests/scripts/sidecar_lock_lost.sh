# sidecar_lock_lost.sh -- a holder that loses the lock kills its command and exits 70, in time.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
make_crit

finish() { # finish PID: wait for it; its exit status in $rc
	set +e
	wait "$1"
	rc=$?
	set -e
}

# 1. The Lease is taken from under the holder (another writer, new
#    resourceVersion): the next renewal gets 409, re-reads, sees a stranger.
"$SIDECAR" lock $FILEB $T -- sh -c 'touch up; exec sleep 30' 2>err1 &
lk=$!
track $lk
wait_for 5 test -e up || fail "holder did not start"
t0=$(now_ms)
flock "$LEASE_FILE" "$PYTHON" - "$LEASE_FILE" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o["spec"]["holderIdentity"] = "thief"
o["metadata"]["resourceVersion"] = str(int(o["metadata"]["resourceVersion"]) + 1)
json.dump(o, open(sys.argv[1], "w"))
PY
finish $lk
t1=$(now_ms)
[ "$rc" = 70 ] || fail "stolen lease: exit $rc, want 70: $(cat err1)"
[ $((t1 - t0)) -lt $((R_MS + TREQ_MS + G_MS + SLACK_MS)) ] || fail "stolen lease noticed after $((t1 - t0)) ms"
grep -q 'the lock was lost' err1 || fail "no loss message: $(cat err1)"
rm -f "$LEASE_FILE"

# 2. The Lease cannot be renewed (the backend fails): lost at the renew
#    deadline, killed within the kill grace.
rm -f up
"$SIDECAR" lock $FILEB $T -- sh -c 'touch up; exec sleep 30' 2>err2 &
lk=$!
track $lk
wait_for 5 test -e up || fail "holder did not start"
t0=$(now_ms)
flock "$LEASE_FILE" sh -c "echo garbage >'$LEASE_FILE'"
finish $lk
t1=$(now_ms)
[ "$rc" = 70 ] || fail "failing renewals: exit $rc, want 70: $(cat err2)"
[ $((t1 - t0)) -ge $((D_MS - R_MS - 100)) ] || fail "gave up after only $((t1 - t0)) ms (renew deadline $D_MS)"
[ $((t1 - t0)) -lt $((D_MS + G_MS + SLACK_MS)) ] || fail "command killed only after $((t1 - t0)) ms"
rm -f "$LEASE_FILE"

# 3. The daemon dies under a client (SIGKILL): the connection ends, the
#    command is killed at once.
start_daemon p1
hold p1 err3
lk=$HOLDER
t0=$(now_ms)
kill -KILL "$(daemon_pid p1)"
finish $lk
t1=$(now_ms)
[ "$rc" = 70 ] || fail "daemon killed: exit $rc, want 70: $(cat err3)"
[ $((t1 - t0)) -lt $((G_MS + SLACK_MS)) ] || fail "daemon killed: command killed after $((t1 - t0)) ms"
grep -q 'daemon went away' err3 || fail "no message: $(cat err3)"
rm -f "$LEASE_FILE" p1/sock

# 4. The daemon is frozen (SIGSTOP): no more heartbeats; the client's own
#    deadline kills the command.  Another pod takes over only a lease
#    duration after the frozen holder's last renewal, after the command died.
start_daemon p1
start_daemon p2
hold p1 err4
lk=$HOLDER
CRIT_SLEEP=0 p2/feast-lock --socket p2/sock -w 30 -- "$TEST_TMP/crit.sh" p2 &
w=$!
track $w
sleep 0.3
t0=$(now_ms)
kill -STOP "$(daemon_pid p1)"
renew=$(micro_ms "$(lease_field renewTime)")
finish $lk
t1=$(now_ms)
[ "$rc" = 70 ] || fail "frozen daemon: exit $rc, want 70: $(cat err4)"
[ $((t1 - t0)) -ge $((D_MS - R_MS - 100)) ] || fail "frozen daemon: killed after only $((t1 - t0)) ms"
[ $((t1 - t0)) -lt $((D_MS + G_MS + SLACK_MS)) ] || fail "frozen daemon: killed after $((t1 - t0)) ms"
grep -q 'no heartbeat' err4 || fail "no heartbeat message: $(cat err4)"
wait $w || fail "the waiting pod did not get the lock"
start2=$(awk '$1 == "start" { print $3 }' crit.log)
[ "$start2" -gt "$t1" ] || fail "the next holder started before the frozen holder's command was gone"
[ $((start2 - renew)) -ge $L_MS ] || fail "taken over $((start2 - renew)) ms after the last renewal (lease $L_MS)"
kill -CONT "$(daemon_pid p1)"
wait_for 5 grep -q 'LOST' p1/daemon.log || fail "the thawed daemon did not declare the loss"
echo "takeover after freeze: $((start2 - renew)) ms after the last renewal"
echo ok
