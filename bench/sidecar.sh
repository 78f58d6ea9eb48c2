#!/bin/sh
# sidecar.sh -- feast-sidecar's footprint and API load, against the test API server.
#
#   memory: the daemon's RSS idle (after its first TLS exchange) and after
#           hundreds of renewals (must stay flat: one arena per request);
#           the static lock client's RSS while it holds the lock;
#   CPU:    daemon CPU time per renewal (all threads, from schedstat);
#   API:    Lease requests per minute per pod with client-go's default timings
#           (15 s / 10 s / 2 s): a holder, waiters (watching), idle pods,
#           side by side with client-go's schedule (leader one PUT per R,
#           candidate one GET per R x U(1, 2.2), i.e. per 1.6 R on average);
#   handoff: time from a holder's release to the next pod's command starting.
# Goals: daemon <= 12 MiB RSS, static client <= 2 MiB, no more
# requests than client-go, handoff under one retry period.  This reports; it
# does not fail the build.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
work="$FEAST_BUILD_DIR/bench/sidecar"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export TEST_TMP="$work" FEAST_SOURCE_DIR="$src"
PYTHON=$("$src/scripts/python.sh")
export PYTHON
. "$src/tests/lib.sh"
. "$src/tests/sidecar_lib.sh"
use_apiserver --log "$work/requests.log"
DEFAULT=""                                     # client-go's 15 s / 10 s / 2 s
FAST="--lease-duration 3s --renew-deadline 1500ms --retry-period 100ms --kill-grace 500ms --safety-margin 200ms"

kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { print s }'; }
puts_since() {
	apiserver_admin GET "/admin/requests?since=$1&agent=feast-sidecar" | "$PYTHON" -c '
import json, sys
r = [x for x in json.load(sys.stdin)["requests"] if "/leases" in x["path"]]
print(sum(1 for x in r if x["method"] == "PUT"))'
}
# daemon NAME [TIMINGS [GNUTLS_NO_IMPLICIT_INIT]]: a daemon pod on the API server (replaces start_daemon's file backend),
# with GNUTLS_NO_IMPLICIT_INIT=1: this build's Debian libcurl links GnuTLS through LDAP (the
# image's daemon links its own libcurl, without either, and needs no such setting).
daemon() {
	mkdir -p "$1"
	env GNUTLS_NO_IMPLICIT_INIT=${3-1} \
		"$SIDECAR" run --lease bench --identity "$1" --socket "$work/$1/sock" --listen "" ${2:-} \
		2>>"$work/$1/daemon.log" &
	echo $! >"$1/pid"
	track $!
	wait_for 5 test -S "$work/$1/sock" || fail "daemon $1 did not start"
}

# ---- memory and CPU ----
daemon m "$FAST"
m=$(cat m/pid)
start_kib=$(kib "$m" VmRSS)
m/feast-lock --socket m/sock -- true
sleep 1
idle_kib=$(kib "$m" VmRSS)
since=$(date +%s.%N)
c0=$(cpu_ns "$m")
m/feast-lock --socket m/sock -- sh -c "sleep 0.5; grep -E '^VmRSS' /proc/\$PPID/status >lockrss; sleep 29.5"
c1=$(cpu_ns "$m")
renewals=$(puts_since "$since")
after_kib=$(kib "$m" VmRSS)
hwm_kib=$(kib "$m" VmHWM)
lock_kib=$(awk '{ print $2 }' lockrss)
cpu_per=$("$PYTHON" -c "print('%.3f' % (($c1 - $c0) / 1e6 / max(1, $renewals)))")

# Without GNUTLS_NO_IMPLICIT_INIT, for comparison.
daemon g "$FAST" ""
g=$(cat g/pid)
g/feast-lock --socket g/sock -- true
sleep 1
gnutls_kib=$(kib "$g" VmRSS)
kill -TERM "$g"
wait "$g" 2>/dev/null || true

# The same through the dynamic binary's direct form, for comparison.
"$SIDECAR" lock --lease bench2 $FAST -- sh -c "sleep 0.5; grep -E '^VmRSS' /proc/\$PPID/status >directrss"
direct_kib=$(awk '{ print $2 }' directrss)
kill -TERM "$m"
wait "$m" 2>/dev/null || true

# ---- API requests per minute per pod, client-go's default timings ----
daemon h
daemon w1
daemon w2
daemon i1
h/feast-lock --socket h/sock -- sh -c 'touch held; sleep 75' &
hold=$!
track $hold
wait_for 10 test -e held || fail "no holder"
w1/feast-lock --socket w1/sock -w 120 -- true &
track $!
w2/feast-lock --socket w2/sock -w 120 -- true &
track $!
sleep 5                                 # let the waiters settle into their watches
since=$(date +%s.%N)
sleep 60
apiserver_admin GET "/admin/requests?since=$since&agent=feast-sidecar" >rates.json
"$PYTHON" - rates.json "$APISERVER_PORT" <<'PY' >rates.txt
import collections, json, sys
reqs = [r for r in json.load(open(sys.argv[1]))["requests"] if "/leases" in r["path"]]
# Which pod sent it is not logged; holder PUTs, waiters GET or watch.
puts = sum(1 for r in reqs if r["method"] == "PUT")
gets = sum(1 for r in reqs if r["method"] == "GET" and "watch" not in (r["query"] or ""))
watches = sum(1 for r in reqs if "watch" in (r["query"] or ""))
print(puts, gets, watches)
PY
read -r puts gets watches <rates.txt
kill "$hold" 2>/dev/null || true
wait "$hold" 2>/dev/null || true
sleep 2
since=$(date +%s.%N)
sleep 20                                # four pods, nobody wants the lock
idle=$(apiserver_admin GET "/admin/requests?since=$since&agent=feast-sidecar" |
	"$PYTHON" -c 'import json, sys; print(sum(1 for r in json.load(sys.stdin)["requests"] if "/leases" in r["path"]))')

# ---- handoff after release, default timings ----
make_crit
export CRIT_LOG="$work/crit.log"
: >handoffs
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	rm -f crit.log
	CRIT_SLEEP=0.5 w1/feast-lock --socket w1/sock -w 60 -- "$work/crit.sh" a &
	a=$!
	wait_for 20 grep -qs start crit.log || fail "no holder"
	CRIT_SLEEP=0 w2/feast-lock --socket w2/sock -w 60 -- "$work/crit.sh" b
	wait $a
	awk '$1 == "end" && $2 == "a" { e = $3 } $1 == "start" && $2 == "b" { s = $3 } END { print s - e }' \
		crit.log >>handoffs
done
handoff=$(sort -n handoffs | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] " ms median, " v[NR] " ms max" }')

cat <<EOF

feast-sidecar footprint and API load (test API server on loopback; $(nproc) CPUs)

memory                                   RSS          goal
  daemon at start                        $start_kib KiB
  daemon idle after first TLS exchange   $idle_kib KiB    <= 12288 KiB
  same, GnuTLS initialised (no image env) $gnutls_kib KiB
  daemon after $renewals renewals           $after_kib KiB    (peak $hwm_kib KiB; flat = no growth per cycle)
  static lock client (feast-lock) held   $lock_kib KiB     <= 2048 KiB
  dynamic lock, direct (its own Lease)   $direct_kib KiB

CPU
  daemon per renewal (all threads)       $cpu_per ms

API requests in 60 s, default timings    feast-sidecar    client-go defaults
  holder PUTs (renewals)                 $puts               30 (one per 2 s)
  waiters' GETs, 2 waiting pods          $gets                38 (one per 1.6 x 2 s each)
  watch requests (long-lived)            $watches                0
  per pod, 4 pods (one idle)             $(( (puts + gets + watches + 2) / 4 ))                22 (the idle elector polls too)
  4 idle pods, per pod per minute        $(( idle * 3 / 4 ))                19 (an elector never stops)

handoff after release (retry period 2 s) $handoff
EOF
