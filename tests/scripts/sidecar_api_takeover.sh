# sidecar_api_takeover.sh -- on the test API server: a SIGKILLed holder pod is taken over within
# L + 2.2 R + T_req and never before L after its last renewal; a release is handed over through the
# watch at once, and still promptly when the watch breaks; request rates stay below client-go's.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
use_apiserver
make_crit
ROUNDS=$(soak_or "${SIDECAR_TAKEOVER_ROUNDS:-2}" 20)

start_daemon p2
crash_takeovers "$ROUNDS"
echo "API crash takeover: at most $WORST ms after SIGKILL (bound $((L_MS + R_MS * 22 / 10 + TREQ_MS))), at least $BEST ms after the last renewal (lease $L_MS)"

# Graceful release, seen through the watch.
start_daemon p1
release_handoffs $((ROUNDS * 3)) 0.4
echo "API release handoff: median $MEDIAN ms, max $MAX ms"
# Watches closed by the server under the waiter: it re-watches (or polls) and still hands over in time.
release_handoffs "$ROUNDS" 0.4 close
echo "API release handoff with broken watches: median $MEDIAN ms, max $MAX ms"

# Request rates: a holder renews once per R; an idle daemon sends nothing;
# a waiter with a working watch does not poll.
since=$(date +%s.%N)
p1/feast-lock --socket p1/sock -- sleep 2 &
h=$!
sleep 0.3
p2/feast-lock --socket p2/sock -w 10 -- true &
w=$!
wait $h
wait $w
idle=$(date +%s.%N)
sleep 2
puts=$(apiserver_admin GET "/admin/requests?since=$since&agent=feast-sidecar" | "$PYTHON" -c '
import json, sys
r = [x for x in json.load(sys.stdin)["requests"] if "/leases" in x["path"]]
print(sum(1 for x in r if x["method"] == "PUT"), sum(1 for x in r if x["method"] == "GET" and "watch" not in (x["query"] or "")))')
set -- $puts
# 2 s held at R = 200 ms: about 10 renewals, plus the take and release PUTs
# of both clients; client-go's waiter alone would add 2 s / (1.6 R) = 6 GETs.
[ "$1" -le $((2000 / R_MS + 6)) ] || fail "$1 PUTs for 2 s of holding"
[ "$2" -le 4 ] || fail "$2 GETs: the waiter polled although it was watching"
late=$(lease_requests "$idle")
[ "$late" -le 2 ] || fail "$late Lease requests from idle daemons (watch reconnections only)"
echo "requests: $1 PUTs, $2 GETs for 2 s of holding with one waiter; $late while idle"
echo ok
