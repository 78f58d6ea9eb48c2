# sidecar_socket_clients.sh -- the daemon's socket and its 64 client slots: a client that
# connects and asks nothing is told so and closed after --idle-timeout (once they held a slot
# forever); with every slot taken, `lock`, `status` and `check` print the daemon's reason
# ("too many clients"), not "closed the connection".  Answers: golden/sidecar/socket-clients.txt.
# GOLDEN_UPDATE=1 rewrites it.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
GOLDEN=$SRC/golden/sidecar/socket-clients.txt

# hold SOCKET N SECONDS: N connections that send nothing; prints, per connection, what the
# daemon said and whether it closed, once all are answered or SECONDS have passed.
cat >hold.py <<'PY'
import select, socket, sys, time
path, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    conns.append(s)
open("held", "w").close()
got = {s: b"" for s in conns}
closed = set()
end = time.monotonic() + limit
while len(closed) < n and time.monotonic() < end:
    ready, _, _ = select.select([s for s in conns if s not in closed], [], [], 0.05)
    for s in ready:
        data = s.recv(4096)
        if data:
            got[s] += data
        else:
            closed.add(s)
for s in conns:
    print("%s | %s" % (got[s].decode().strip() or "(nothing)", "closed" if s in closed else "open"))
PY

# An idle client is closed after --idle-timeout, told why; one that asked something is not
# closed before the same time has passed again.
start_daemon idle --idle-timeout 300ms
t0=$(now_ms)
"$PYTHON" hold.py "$TEST_TMP/idle/sock" 1 5 >idle.out
[ $(($(now_ms) - t0)) -lt $((5000 + SLACK_MS)) ] || fail "the idle client was not closed"
"$SIDECAR" status --socket "$TEST_TMP/idle/sock" >/dev/null || fail "status after an idle client"

# Every slot taken (held far longer than the checks take): the next clients hear why.
start_daemon full
rm -f held
"$PYTHON" hold.py "$TEST_TMP/full/sock" 64 20 >full.out &
holder=$!
track "$holder"
wait_for 10 test -e held || fail "could not open 64 connections"
sleep 0.3
: >refused
for cmd in "lock -w 2" "status" "check"; do
	set +e
	# shellcheck disable=SC2086
	case "$cmd" in
	lock*) "$SIDECAR" $cmd --socket "$TEST_TMP/full/sock" -- touch ran ;;
	check) "$SIDECAR" check live --socket "$TEST_TMP/full/sock" ;;
	*) "$SIDECAR" $cmd --socket "$TEST_TMP/full/sock" ;;
	esac >out 2>err
	code=$?
	set -e
	echo "$(echo "$cmd" | cut -d' ' -f1) -> $code $(tr '\n' ' ' <err)" >>refused
done
[ ! -e ran ] || fail "a command ran without the lock"
kill "$holder" 2>/dev/null || true

{
	echo "# one idle client, --idle-timeout 300ms"
	cat idle.out
	echo "# 64 clients hold every slot"
	cat refused
} >answers
golden_file "$GOLDEN" answers || fail "the socket clients' answers differ"
echo "idle clients closed, refused clients told why"
