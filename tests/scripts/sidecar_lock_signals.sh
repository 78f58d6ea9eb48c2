# sidecar_lock_signals.sh -- lock as a process supervisor: forwarding, PID 1, reaping, leftovers, PDEATHSIG.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"

# SIGTERM and SIGINT reach the command's whole process group; lock exits with its status.
for sig in TERM INT; do
	rm -f up got
	"$SIDECAR" lock $FILEB $T -- sh -c "trap 'echo $sig >got; exit 7' $sig; touch up; while :; do sleep 0.05; done" &
	lk=$!
	track $lk
	wait_for 5 test -e up || fail "command did not start"
	kill -$sig $lk
	set +e
	wait $lk
	rc=$?
	set -e
	[ $rc = 7 ] || fail "SIG$sig: lock exited $rc, want the command's 7"
	[ "$(cat got)" = $sig ] || fail "SIG$sig was not forwarded"
done

# The command runs in its own process group, not the wrapper's.
"$SIDECAR" lock $FILEB $T -- sh -c 'ps -o pgid= -p $$ >pgid; echo $$ >cpid'
[ "$(tr -d ' ' <pgid)" = "$(cat cpid)" ] || fail "command is not its own process group leader"

# Leftovers of the group are killed before the lock is released.
"$SIDECAR" lock $FILEB $T -- sh -c 'sleep 30 & echo $! >bg; exit 0' 2>err
if kill -0 "$(cat bg)" 2>/dev/null; then
	fail "a background process of the command outlived the lock"
fi
grep -q 'left processes in its group' err || fail "leftovers not reported: $(cat err)"

# If the wrapper is SIGKILLed, its command dies with it (PR_SET_PDEATHSIG).
rm -f cpid
"$SIDECAR" lock $FILEB $T -- sh -c 'echo $$ >cpid; exec sleep 30' &
lk=$!
wait_for 5 test -s cpid || fail "command did not start"
kill -KILL $lk
wait $lk 2>/dev/null || true
wait_for 2 sh -c "! kill -0 $(cat cpid) 2>/dev/null" || fail "command survived its SIGKILLed wrapper"

# As PID 1 of a PID namespace (a container's entrypoint): signals are still
# forwarded (PID 1 gets none it has no handler for) and orphans are reaped.
if unshare -fp --mount-proc true 2>/dev/null; then
	rm -f up got
	unshare -fp --mount-proc "$SIDECAR" lock --lease-file "$LEASE_FILE" --lease pid1 $T -- sh -c '
		(sleep 0.2 &)            # an orphan: reparented to PID 1
		sleep 1
		ps -o stat= -e >procs    # no zombie may be left
		echo $$ >inner
		trap "echo TERM >got; exit 5" TERM
		touch up
		while :; do sleep 0.05; done' &
	us=$!
	track $us
	wait_for 5 test -e up || fail "PID 1 command did not start"
	init=$(ps -o pid= --ppid $us | tr -d ' ')
	[ -n "$init" ] || fail "no PID 1 process found under unshare"
	kill -TERM "$init"
	set +e
	wait $us
	rc=$?
	set -e
	[ $rc = 5 ] || fail "as PID 1: exit $rc, want the command's 5"
	[ "$(cat got)" = TERM ] || fail "as PID 1: SIGTERM not forwarded"
	if grep -q Z procs; then
		fail "as PID 1: zombies left: $(cat procs)"
	fi
else
	echo "note: unshare -p not permitted here; PID 1 checks skipped"
fi
echo ok
