# sidecar_lock_basic.sh -- lock: exit codes, fence, generation bump, usage and configuration errors.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"

# The command's own status, its fence, and the generation bump after exit 0 only.
expect_exit 3 "$SIDECAR" lock $FILEB $T -- sh -c 'exit 3'
[ "$(lease_field generation)" = 0 ] || fail "a failed command bumped the generation"
[ "$(lease_field holderIdentity)" = "" ] || fail "not released after the command"
"$SIDECAR" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence1'
"$SIDECAR" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence2'
[ "$(cat fence1)" -lt "$(cat fence2)" ] || fail "fence did not grow: $(cat fence1) then $(cat fence2)"
[ "$(lease_field leaseTransitions)" = "$(cat fence2)" ] || fail "fence is not leaseTransitions"
[ "$(lease_field generation)" = 2 ] || fail "generation $(lease_field generation), want 2"

# Commands that cannot run: shell conventions, and the lock is released.
expect_exit 127 "$SIDECAR" lock $FILEB $T -- ./no-such-command 2>err
grep -q 'no-such-command' err || fail "no message for a missing command: $(cat err)"
echo 'not a program' >notexec
chmod 644 notexec
expect_exit 126 "$SIDECAR" lock $FILEB $T -- ./notexec 2>err
[ "$(lease_field holderIdentity)" = "" ] || fail "not released after a command that could not run"
expect_exit 137 "$SIDECAR" lock $FILEB $T -- sh -c 'kill -KILL $$'

# Usage errors: 64, and the command never runs.
expect_exit 64 "$SIDECAR" lock $FILEB $T 2>err
grep -q 'missing command' err || fail "missing command message: $(cat err)"
expect_exit 64 "$SIDECAR" lock $FILEB $T touch ran 2>err
grep -q 'put the command after --' err || fail "no -- message: $(cat err)"
expect_exit 64 "$SIDECAR" lock --bogus -- touch ran 2>err
expect_exit 64 "$SIDECAR" lock -w soon -- touch ran 2>err
grep -q 'invalid argument "soon"' err || fail "bad -w message: $(cat err)"
expect_exit 64 "$LOCKC" lock --kubeconfig x -- touch ran 2>err
[ ! -e ran ] || fail "the command ran after a usage error"

# Configuration errors: 78, and the command never runs.
expect_exit 78 "$SIDECAR" lock $FILEB --lease-duration 5s -- touch ran 2>err
grep -q 'must be greater than --renew-deadline' err || fail "timing constraint message: $(cat err)"
expect_exit 78 "$SIDECAR" lock --lease-file lease.json --lease Not_A_Name -- touch ran 2>err
expect_exit 78 "$SIDECAR" lock --lease-file lease.json $T -- touch ran 2>err
grep -q 'one of --name or --lease' err || fail "missing lease message: $(cat err)"
"$SIDECAR" lock --lease-file named.json --name demo $T -- true
grep -q '"name": "feast-demo-registry-lock"' named.json || fail "--name did not give feast-NAME-registry-lock"
[ ! -e ran ] || fail "the command ran after a configuration error"

# The static client: no libcurl, statically linked, and it only talks to a daemon.
ldd "$LOCKC" 2>&1 | grep -q 'not a dynamic executable' || fail "feast-lock is dynamic: $(ldd "$LOCKC" 2>&1)"
"$LOCKC" --version | grep -q 'static lock client' || fail "feast-lock --version"
expect_exit 69 "$LOCKC" --socket "$TEST_TMP/none/sock" -- touch ran 2>err
grep -q 'no feast-sidecar daemon socket' err || fail "static client without daemon: $(cat err)"
expect_exit 69 env FEAST_SIDECAR_SOCKET="$TEST_TMP/none/sock" "$LOCKC" lock -- touch ran 2>err
[ ! -e ran ] || fail "the static client ran a command without the lock"
"$SIDECAR" --version | grep -q '^feast-sidecar ' || fail "feast-sidecar --version"
"$SIDECAR" lock --help | grep -q -- '--no-wait' || fail "lock --help"

# Held elsewhere: --no-wait fails at once, -w waits that long; neither runs the command.
"$SIDECAR" lock $FILEB $T -- sh -c 'touch held; exec sleep 30' &
holder=$!
track $holder
wait_for 5 test -e held || fail "holder did not start"
t0=$(now_ms)
expect_exit 75 "$SIDECAR" lock $FILEB $T --no-wait -- touch ran 2>err
t1=$(now_ms)
grep -q 'not acquired in time (held)' err || fail "--no-wait message: $(cat err)"
[ $((t1 - t0)) -lt $((TREQ_MS + SLACK_MS)) ] || fail "--no-wait took $((t1 - t0)) ms"
t0=$(now_ms)
expect_exit 75 "$SIDECAR" lock $FILEB $T -w 0.8 -- touch ran 2>err
t1=$(now_ms)
[ $((t1 - t0)) -ge 800 ] || fail "-w 0.8 gave up after $((t1 - t0)) ms"
[ $((t1 - t0)) -lt $((800 + TREQ_MS + SLACK_MS)) ] || fail "-w 0.8 took $((t1 - t0)) ms"
[ ! -e ran ] || fail "a waiter ran its command while the lock was held"
kill -TERM $holder
set +e
wait $holder
rc=$?
set -e
[ $rc = 143 ] || fail "holder exit $rc after SIGTERM, want 143 (its command's status)"
[ "$(lease_field holderIdentity)" = "" ] || fail "not released after SIGTERM"
echo "ok"
