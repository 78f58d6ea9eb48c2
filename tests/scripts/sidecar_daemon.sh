# sidecar_daemon.sh -- feast-sidecar run: socket, static client install, HTTP, status/check, drain, grace.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
make_crit

# A free loopback port for the HTTP listener.
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_daemon p1 --listen "127.0.0.1:$port"
S1="$TEST_TMP/p1/sock"
[ "$(stat -c %a "$S1")" = 660 ] || fail "socket mode $(stat -c %a "$S1"), want 660"
[ -x p1/feast-lock ] || fail "the static lock client was not installed next to the socket"
ldd p1/feast-lock 2>&1 | grep -q 'not a dynamic executable' || fail "installed client is dynamic"
cmp -s p1/feast-lock "$LOCKC" || fail "installed client differs from $LOCKC"

# One daemon per socket; the other one refuses to start.
expect_exit 78 "$SIDECAR" run $FILEB $T --socket "$S1" --listen "" 2>err
grep -q 'another feast-sidecar daemon' err || fail "second daemon message: $(cat err)"
expect_exit 78 "$SIDECAR" run $FILEB $T --socket "$TEST_TMP/x/sock" --listen 0.0.0.0:$port 2>err
grep -q 'only loopback' err || fail "non-loopback --listen: $(cat err)"

# HTTP on loopback.
curl -s -o body -w '%{http_code}' "http://127.0.0.1:$port/healthz" >code
[ "$(cat code)" = 200 ] && grep -q '"status":"ok"' body || fail "/healthz: $(cat code) $(cat body)"
curl -s "http://127.0.0.1:$port/leader" >body
grep -q '"me":"p1"' body && grep -q '"held":false' body || fail "/leader: $(cat body)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" = 404 ] || fail "unknown path"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/healthz")" = 405 ] || fail "POST"

# Locks through the daemon, status while held, check.
touch gate
p1/feast-lock --socket "$S1" -- sh -c 'touch held; while [ -e gate ]; do sleep 0.02; done' &
h=$!
track $h
wait_for 5 test -e held || fail "holder did not start"
"$SIDECAR" status --socket "$S1" >st
"$PYTHON" - st <<'PY' || fail "status JSON: $(cat st)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["me"] == "p1" and s["holder"] == "p1" and s["held"] is True, s
assert isinstance(s["transitions"], int) and isinstance(s["generation"], int), s
PY
curl -s "http://127.0.0.1:$port/leader" | grep -q '"held":true' || fail "/leader while held"
rm gate
wait $h || fail "holder failed"
"$SIDECAR" check live --socket "$S1" || fail "check live"
"$LOCKC" check ready --socket "$S1" || fail "check ready (static client)"
expect_exit 1 "$SIDECAR" check live --socket "$TEST_TMP/none/sock" 2>/dev/null
expect_exit 64 "$SIDECAR" check sideways --socket "$S1" 2>/dev/null
expect_exit 78 p1/feast-lock --socket "$S1" --lease other -- touch ran 2>err
grep -q 'serves Lease test' err || fail "wrong lease: $(cat err)"
[ ! -e ran ] || fail "ran under the wrong lease"

# A client killed while holding: the daemon keeps the lock for the kill
# grace (its command might still run), then releases it.
rm -f held
p1/feast-lock --socket "$S1" -- sh -c 'touch held; exec sleep 30' &
h=$!
wait_for 5 test -e held || fail "holder did not start"
kill -KILL $h
t_kill=$(now_ms)
wait $h 2>/dev/null || true
CRIT_SLEEP=0 p1/feast-lock --socket "$S1" -w 10 -- "$TEST_TMP/crit.sh" next
t_next=$(awk '$1 == "start" { print $3 }' crit.log)
[ $((t_next - t_kill)) -ge $((G_MS - 50)) ] || fail "lock passed on $((t_next - t_kill)) ms after its client died (grace $G_MS)"
[ $((t_next - t_kill)) -lt $((G_MS + SLACK_MS)) ] || fail "lock passed on only after $((t_next - t_kill)) ms"
grep -q 'closed without RELEASE' p1/daemon.log || fail "grace not logged"

# SIGTERM drains: the waiter is refused (69), the holder finishes, the Lease
# is released with the generation bumped, the daemon exits 0.
gen0=$(lease_field generation)
rm -f held
touch gate
p1/feast-lock --socket "$S1" -- sh -c 'touch held; while [ -e gate ]; do sleep 0.02; done' &
h=$!
wait_for 5 test -e held || fail "holder did not start"
p1/feast-lock --socket "$S1" -- touch ran 2>werr &
w=$!
wait_for 5 sh -c "'$SIDECAR' status --socket '$S1' | grep -q '\"waiters\":1'" || fail "waiter not queued"
kill -TERM "$(daemon_pid p1)"
sleep 0.3
rm gate
set +e
wait $w
wrc=$?
wait $h
hrc=$?
wait "$(daemon_pid p1)"
drc=$?
set -e
[ $wrc = 69 ] || fail "waiter exit $wrc during drain, want 69: $(cat werr)"
[ $hrc = 0 ] || fail "holder exit $hrc during drain"
[ $drc = 0 ] || fail "daemon exit $drc after drain"
[ ! -e ran ] || fail "waiter ran during drain"
[ "$(lease_field holderIdentity)" = "" ] || fail "Lease not released after drain"
[ "$(lease_field generation)" = $((gen0 + 1)) ] || fail "generation not bumped by the drained holder"
[ ! -e "$S1" ] || fail "socket left behind"

# A socket left by a SIGKILLed daemon does not stop the next one.
start_daemon p2
kill -KILL "$(daemon_pid p2)"
wait "$(daemon_pid p2)" 2>/dev/null || true
[ -S "$TEST_TMP/p2/sock" ] || fail "expected a stale socket"
start_daemon p2
wait_for 5 "$SIDECAR" check live --socket "$TEST_TMP/p2/sock" 2>/dev/null || fail "restarted daemon not live"
echo ok
