# sidecar_lib.sh -- helpers for tests/scripts/sidecar_*.sh (sourced after tests/lib.sh).
#
# Daemons and lock processes started here are recorded by pid and killed by
# pid on exit; nothing is ever killed by name.  Timings are short so the
# scripts stay fast; every bound asserted is derived from them:
#   L lease 3 s, D renew deadline 1.5 s, R retry 200 ms, G kill grace 500 ms,
#   T_req max(1 s, D/2) = 1 s.
SIDECAR="$FEAST_BIN_DIR/feast-sidecar"
LOCKC="$FEAST_BIN_DIR/feast-lock"
L_MS=3000 D_MS=1500 R_MS=200 G_MS=500 TREQ_MS=1000
T="--lease-duration 3s --renew-deadline 1500ms --retry-period 200ms --kill-grace 500ms --safety-margin 200ms"
LEASE_FILE="$TEST_TMP/lease.json"
FILEB="--lease-file $LEASE_FILE --lease test"
# Scheduling slack for upper bounds (sanitizer builds on two cores are slow).
SLACK_MS=${SIDECAR_SLACK_MS:-1500}
PIDS=""

now_ms() { date +%s%3N; }

track() { PIDS="$PIDS $1"; }

cleanup_pids() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup_pids EXIT

# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds.
wait_for() {
	limit=$(( $(now_ms) + $1 * 1000 ))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$limit" ] || return 1
		sleep 0.02
	done
}

# start_daemon NAME [ARGS...]: a daemon "pod" NAME on the shared lease file.
start_daemon() {
	n=$1
	shift
	mkdir -p "$TEST_TMP/$n"
	"$SIDECAR" run $FILEB $T --identity "$n" --socket "$TEST_TMP/$n/sock" --listen "" "$@" \
		2>>"$TEST_TMP/$n/daemon.log" &
	echo $! >"$TEST_TMP/$n/pid"
	track $!
	wait_for 5 test -S "$TEST_TMP/$n/sock" || fail "daemon $n did not start: $(cat "$TEST_TMP/$n/daemon.log")"
}

daemon_pid() { cat "$TEST_TMP/$1/pid"; }

# lease_field NAME: a field of the Lease (spec.* or the generation), file or API server (below).
# micro_ms TIME: a MicroTime ("2026-11-26T10:53:47.123456Z") in epoch milliseconds.
micro_ms() {
	"$PYTHON" -c 'import sys, datetime; t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc); print(int(t.timestamp() * 1000))' "$1"
}

# soak_or N SOAK_N: how many rounds to run, SOAK_N under `make soak` (SIDECAR_SOAK set), else N.
soak_or() {
	if [ "${SIDECAR_SOAK:-}" ]; then echo "$2"; else echo "$1"; fi
}

# A critical section that records start and end (epoch ms) in $CRIT_LOG, which it exports.
make_crit() {
	export CRIT_LOG="$TEST_TMP/crit.log"
	cat >"$TEST_TMP/crit.sh" <<'SH'
#!/bin/sh
echo "start $1 $(date +%s%3N)" >>"$CRIT_LOG"
sleep "${CRIT_SLEEP:-0.01}"
echo "end $1 $(date +%s%3N)" >>"$CRIT_LOG"
SH
	chmod +x "$TEST_TMP/crit.sh"
}

# overlaps LOG: how many critical sections began before the previous ended
# (start/end must alternate, each end matching the open start; an "end ... killed" with
# nothing open is a command killed before its first line).  Each violation is
# also written to stderr with the lines around it, for the failure's log.
overlaps() {
	awk '{ line[NR] = $0 }
	     function show(i) { for (i = NR - 4; i <= NR; i++) if (i > 0) print "  " line[i] >"/dev/stderr"
	                        print "overlap at line " NR " of " FILENAME >"/dev/stderr" }
	     $1 == "start" { if (open != "") { bad++; show() } open = $2 }
	     # A command killed before it wrote its start line leaves only its end line.
	     $1 == "end" && $NF == "killed" && open == "" { next }
	     $1 == "end"   { if (open != $2) { bad++; show() } open = "" }
	     END { print bad + 0 }' "$1"
}

# hold POD [ERRFILE]: POD's lock client holds the lock with a command that runs 30 s (its
# stderr to ERRFILE); returns once the command runs, with the client's pid in $HOLDER.
hold() {
	rm -f up
	"$1/feast-lock" --socket "$1/sock" -- sh -c 'touch up; exec sleep 30' 2>"${2:-/dev/null}" &
	HOLDER=$!
	track $HOLDER
	wait_for 5 test -e up || fail "holder did not start"
}

# crash_takeovers ROUNDS: ROUNDS times, a holder pod p1 (started here) is SIGKILLed while p2
# (already running) waits.  p2's command must start no earlier than a lease duration after
# p1's last renewal written (same host, same wall clock) and within L + 2.2 R + T_req of the
# kill.  Sets WORST (ms from the kill, the longest) and BEST (ms from the last renewal, the
# shortest).
crash_takeovers() {
	WORST=0
	BEST=999999
	for _r in $(seq 1 "$1"); do
		rm -f crit.log
		start_daemon p1
		hold p1
		CRIT_SLEEP=0 p2/feast-lock --socket p2/sock -w 30 -- "$TEST_TMP/crit.sh" p2 &
		_w=$!
		track $_w
		sleep 0.$((3 + _r % 5))
		kill -KILL "$(daemon_pid p1)"
		_kill=$(now_ms)
		_renew=$(micro_ms "$(lease_field renewTime)")
		wait $_w || fail "round $_r: the waiting pod did not get the lock"
		wait $HOLDER 2>/dev/null || true
		_start=$(awk '$1 == "start" { print $3 }' crit.log)
		_since_renew=$((_start - _renew))
		_since_kill=$((_start - _kill))
		[ $_since_renew -ge $L_MS ] ||
			fail "round $_r: taken over $_since_renew ms after the last renewal (lease $L_MS)"
		_bound=$((L_MS + R_MS * 22 / 10 + TREQ_MS))
		[ $_since_kill -le $((_bound + SLACK_MS)) ] ||
			fail "round $_r: takeover $_since_kill ms after the kill (bound $_bound)"
		[ $_since_kill -gt $WORST ] && WORST=$_since_kill
		[ $_since_renew -lt $BEST ] && BEST=$_since_renew
		rm -f p1/sock
	done
}

# release_handoffs ROUNDS HOLD_S [close]: ROUNDS times, p1 holds the lock HOLD_S seconds and
# p2 (both running) waits for it; with `close`, the test API server drops every open watch
# after p1 has taken the lock.  Sets MEDIAN and MAX, the median and the longest handoff (ms
# from p1's end to p2's start).  Fails on an overlap, on a handoff slower than a poll, and,
# while the watch works, unless the median is "about one retry period": within R plus the
# release write (the median, robust to a slow moment on a busy machine).
release_handoffs() {
	: >handoffs
	for _r in $(seq 1 "$1"); do
		rm -f crit.log
		CRIT_SLEEP=$2 p1/feast-lock --socket p1/sock -- "$TEST_TMP/crit.sh" p1 &
		_h=$!
		wait_for 5 grep -qs start crit.log || fail "holder did not start"
		[ -z "${3:-}" ] || apiserver_admin POST /admin/watches/close >/dev/null
		CRIT_SLEEP=0 p2/feast-lock --socket p2/sock -w 10 -- "$TEST_TMP/crit.sh" p2
		wait $_h || fail "holder failed"
		[ "$(overlaps crit.log)" = 0 ] || fail "overlap in a handoff"
		awk '$1 == "end" && $2 == "p1" { e = $3 } $1 == "start" && $2 == "p2" { s = $3 } END { print s - e }' \
			crit.log >>handoffs
	done
	MEDIAN=$(sort -n handoffs | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	MAX=$(sort -n handoffs | tail -n 1)
	[ -n "${3:-}" ] || [ "$MEDIAN" -le $((R_MS + 150)) ] || fail "median handoff $MEDIAN ms (retry period $R_MS)"
	[ "$MAX" -le $((R_MS * 22 / 10 + TREQ_MS + SLACK_MS)) ] || fail "slowest handoff $MAX ms${3:+ with watches closed}"
}

# ---- against the test API server (tests/apiserver) ----
# use_apiserver [SERVER ARGS...]: start it and point every helper at it: the
# Lease "test" in namespace default, through $KUBECONFIG (token test-user).
use_apiserver() {
	apiserver_start "$@"
	trap 'cleanup_pids; apiserver_stop' EXIT
	FILEB="--lease test"
	LEASE_PATH=/apis/coordination.k8s.io/v1/namespaces/default/leases/test
}

lease_json() {
	if [ -n "${LEASE_PATH:-}" ]; then
		apiserver_curl "$LEASE_PATH"
	else
		cat "$LEASE_FILE"
	fi
}

lease_field() {
	lease_json >"$TEST_TMP/.lease" || fail "cannot read the Lease"
	"$PYTHON" - "$TEST_TMP/.lease" "$1" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
f = sys.argv[2]
if f == "generation":
    print(o["metadata"].get("annotations", {}).get("feast.dev/registry-generation", "0"))
else:
    print(o["spec"].get(f, ""))
PY
}

# fault JSON: add a fault on Lease requests (tests/apiserver/README.md).
fault() {
	apiserver_admin POST /admin/faults "$1" >/dev/null || fail "cannot add fault $1"
}

clear_faults() {
	apiserver_admin DELETE /admin/faults >/dev/null || true
}

# requests_since EPOCH_S [AGENT]: Lease requests logged since then.
lease_requests() {
	apiserver_admin GET "/admin/requests?since=$1&agent=feast-sidecar" |
		"$PYTHON" -c 'import json, sys; r = json.load(sys.stdin)["requests"]; print(sum(1 for x in r if "/leases" in x["path"]))'
}
