#!/bin/sh
# run-scripts.sh -- run every tests/scripts/*.sh (or those matching the arguments), each in its
# own scratch directory, several at a time, and report which failed.
#
# Usage: tests/run-scripts.sh [-j N] [NAME...]
#
# Lanes. Most of a script's wall time is spent waiting (for controllers, kwok, Feast's Python
# start, a lease to expire), so N lanes (-j N, else $FEAST_TEST_JOBS, else 3) each take the
# next script from one queue, longest first: the expected times come from the last run of
# this build ($FEAST_BUILD_DIR/script-times, written at the end of every run), else
# tests/script-times; a script in neither counts as long. Each script's PASS or FAIL line, and a failure's last lines, are printed as one block
# when it ends; the summary and the exit code are those of a run one at a time (-j 1).
#
# The scripts that need a real control plane share one per lane (tests/cluster/up.sh), started
# in the background as the lane begins (one after another, so that no two start-ups compete
# for the CPU) and reset between scripts (tests/cluster_lib.sh); until its control plane is
# up a lane runs the scripts that need none. FEAST_CLUSTER_PER_SCRIPT=1 gives every script a
# control plane of its own instead, to rule out one script's leftovers affecting another.
#
# Header lines a script may carry:
#   # sanitizers: skip -- REASON   skipped, and says so, when FEAST_SANITIZED=1 (make
#       check-asan): for the few whose minutes go to Feast's Python while the C they run is
#       run under the sanitizers by other scripts, which REASON names.
#   # builds: TARGET... -- REASON   the make targets the script builds in a tree shared by the
#       run (build/cross); they are made here, one at a time, before any lane starts, so the
#       script's own make finds them current and writes nothing while others run them.
#   # lock: NAME -- REASON   no two scripts naming the same NAME run at once: in a run the
#       queue holds one back while another runs; between runs of one source tree (make test
#       and make check-asan side by side) it waits on flock(1) of build/locks/NAME.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export FEAST_SOURCE_DIR="$(cd "$here/.." && pwd)"
export PYTHON="$("$FEAST_SOURCE_DIR/scripts/python.sh")" || exit 1
jobs=${FEAST_TEST_JOBS:-3}
case ${1:-} in
-j) jobs=${2:-}; shift 2 || set -- ;;
-j*) jobs=${1#-j}; shift ;;
esac
case $jobs in '' | *[!0-9]* | 0) echo "run-scripts.sh: -j wants a number of lanes, not '$jobs'" >&2; exit 2 ;; esac

# header SCRIPT KEY: the text after `# KEY: ` and before ` -- REASON` of SCRIPT's KEY line.
header() {
	sed -n "s/^# $2: \\(.*\\) -- .*/\\1/p" "$1" | head -n 1
}

# needs_cluster SCRIPT: whether SCRIPT runs against the real control plane.
needs_cluster() {
	grep -q -e 'real_cluster_start' -e '^cluster_start' -e '[^_]cluster_start' -e 'rollout_lib' "$1"
}

# expected_time NAME: seconds NAME took last time, 9999 (long) when it never ran.
expected_time() {
	awk -v n="$1" '$1 == n { print $2; found = 1; exit } END { if (!found) print 9999 }' "$run/known"
}

# pick UP: take off the queue the first script this lane may start now: none whose lock
# another lane holds and, while the lane's control plane is still starting (UP=0), one that
# needs it only when no other is left. Sets NAME CL LOCK SCRIPT; returns 1 when the queue is
# empty, 2 when each script left waits for a lock.
pick() {
	exec 8>>"$run/queue.lock"
	flock 8
	_line="" _later=""
	while read -r _n _c _l _p; do
		[ "$_l" = - ] || [ ! -e "$run/held.$_l" ] || continue
		if [ "$_c" = 1 ] && [ "$1" = 0 ]; then
			[ -n "$_later" ] || _later="$_n $_c $_l $_p"
			continue
		fi
		_line="$_n $_c $_l $_p"
		break
	done <"$run/queue"
	[ -n "$_line" ] || _line=$_later
	_rc=1
	[ -s "$run/queue" ] && _rc=2
	if [ -n "$_line" ]; then
		_rc=0
		grep -vxF "$_line" "$run/queue" >"$run/queue.new" || true
		mv "$run/queue.new" "$run/queue"
		# shellcheck disable=SC2086 # the queue's four fields
		set -- $_line
		NAME=$1 CL=$2 LOCK=$3 SCRIPT=$4
		[ "$LOCK" = - ] || : >"$run/held.$LOCK"
	fi
	flock -u 8
	exec 8>&-
	return $_rc
}

# run_one: run SCRIPT in a scratch directory of its own, on the lane's control plane when it
# needs one, then print its block (under a lock: one block at a time) and record its result.
run_one() {
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/feast-test.XXXXXX")
	start=$(date +%s)
	flock=""
	if [ "$LOCK" != - ]; then
		mkdir -p "$FEAST_SOURCE_DIR/build/locks"
		flock="flock $FEAST_SOURCE_DIR/build/locks/$LOCK"
	fi
	if [ "$CL" = 1 ] && [ -n "$cluster" ]; then export FEAST_SHARED_CLUSTER="$cluster"; else unset FEAST_SHARED_CLUSTER; fi
	# shellcheck disable=SC2086 # flock and its file, or nothing
	(cd "$scratch" && TEST_TMP="$scratch" exec $flock sh "$SCRIPT") >"$scratch.log" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - start))
	[ "$LOCK" = - ] || rm -f "$run/held.$LOCK"
	if [ "$rc" = 0 ]; then
		st=PASS
		echo "  PASS    $NAME (${secs}s)" >"$scratch.block"
	else
		st=FAIL
		{ echo "  FAIL    $NAME (${secs}s)" && sed 's/^/          /' "$scratch.log" | tail -n 60; } >"$scratch.block"
	fi
	flock "$run/out.lock" sh -c 'cat "$1" && echo "$2" >>"$3"' sh "$scratch.block" "$NAME $secs $st" "$run/results"
	rm -f "$scratch.block" "$scratch.log"
	[ "$st" = FAIL ] && [ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"
	scratch=""
}

# lane I: run scripts off the queue until it is empty. Lane I's control plane starts when the
# run has at least I scripts that need one, once lane I-1's is up.
lane() {
	cluster="" up_pid="" stopped="" scratch=""
	trap lane_end EXIT
	trap 'stopped=1 && exit 130' INT TERM
	if [ "$1" -le "$RUN_CLUSTERS" ]; then
		cluster=$run/cluster$1
		mkdir -p "$cluster"
		(
			[ "$1" = 1 ] || until [ -f "$run/cluster$(($1 - 1))/up.done" ]; do sleep 0.5; done
			"$FEAST_SOURCE_DIR/tests/cluster/up.sh" "$cluster" >"$cluster/up.log" 2>&1
			echo $? >"$cluster/up.done"
		) &
		up_pid=$!
	fi
	while :; do
		up=1
		[ -z "$cluster" ] || [ -f "$cluster/up.done" ] || up=0
		pick "$up"
		case $? in
		1) break ;;
		2) sleep 1 && continue ;;
		esac
		run_one
	done
}

# lane_end: stop the lane's control plane once it is up (at once when the run is stopped:
# the signal reached the whole lane, and down.sh stops what up.sh had started).
lane_end() {
	[ -z "$stopped" ] || [ -z "$scratch" ] || rm -rf "$scratch" "$scratch.log" "$scratch.block"
	[ -n "$up_pid" ] || return 0
	[ -n "$stopped" ] || wait "$up_pid"
	"$FEAST_SOURCE_DIR/tests/cluster/down.sh" "$cluster"
}

# A lane is this script again (--lane I), in a session of its own (setsid), so that a stopped
# run stops everything a lane started: scripts, their servers and daemons, the control plane.
if [ "${1:-}" = --lane ]; then
	run=$RUN_DIR
	lane "$2"
	exit 0
fi

# Each argument is a substring of the scripts' file names (`scale_file.sh` is that one
# script, `scale_file` also scale_file_safety.sh); none selects every script.
[ $# -gt 0 ] || set -- ""
run=$(mktemp -d "${TMPDIR:-/tmp}/feast-run.XXXXXX")
times=${FEAST_BUILD_DIR:-$run}/script-times
cat "$times" "$here/script-times" >"$run/known" 2>/dev/null
: >"$run/queue.unsorted"
: >"$run/results"
: >"$run/builds"
order=""
for t in "$here"/scripts/*.sh; do
	name=$(basename "$t" .sh)
	for filter in "$@"; do
		case "$name.sh" in *"$filter"*) ;; *) continue ;; esac
		if [ "${FEAST_SANITIZED:-}" = 1 ] && why=$(sed -n 's/^# sanitizers: skip -- //p' "$t") && [ -n "$why" ]; then
			echo "  SKIP    $name (under the sanitizers: $why)"
			break
		fi
		cl=0
		needs_cluster "$t" && cl=1
		lock=$(header "$t" lock)
		echo "$(expected_time "$name") $name $cl ${lock:--} $t" >>"$run/queue.unsorted"
		header "$t" builds | tr ' ' '\n' >>"$run/builds"
		order="$order $name"
		break
	done
done
# Longest first, then by name: the last scripts to start are short, so lanes end together.
sort -k1,1nr -k2,2 "$run/queue.unsorted" | cut -d' ' -f2- >"$run/queue"
count=$(wc -l <"$run/queue")
clusters=$(awk '$2 == 1' "$run/queue" | wc -l)
[ "$jobs" -le "$count" ] || jobs=$count
[ -z "${FEAST_CLUSTER_PER_SCRIPT:-}" ] || clusters=0
unset FEAST_SHARED_CLUSTER

# What the scripts build in a shared tree, made before any of them runs (one target per make:
# two release trees' sub-makes of one architecture must not run side by side).
for target in $(awk 'NF && !seen[$0]++' "$run/builds"); do
	env -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -j "$(nproc)" -C "$FEAST_SOURCE_DIR" \
		BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" "$target" >"$run/build.log" 2>&1 ||
		{ echo "  note: make $target failed (the scripts that build it will fail):"; tail -n 20 "$run/build.log"; }
done

lane_pids=""
trap 'for p in $lane_pids; do kill -TERM "-$p" 2>/dev/null; done; wait; rm -rf "$run"; exit 130' INT TERM
[ "$count" -gt 0 ] && [ "$jobs" -gt 1 ] && echo "  ($count scripts in $jobs lanes)"
export RUN_DIR="$run" RUN_CLUSTERS="$clusters"
i=1
while [ "$i" -le "$jobs" ]; do
	setsid "$here/run-scripts.sh" --lane "$i" &
	lane_pids="$lane_pids $!"
	i=$((i + 1))
done
for p in $lane_pids; do wait "$p"; done
trap - INT TERM

# This run's times first, then what earlier runs measured of the scripts not run now.
if [ -s "$run/results" ]; then
	awk '!seen[$1]++ { print $1, $2 }' "$run/results" "$times" 2>/dev/null | sort >"$run/times" &&
		cp "$run/times" "$times" 2>/dev/null
fi
failed=""
ran=0
for name in $order; do
	st=$(awk -v n="$name" '$1 == n { print $3 }' "$run/results")
	case $st in
	PASS) ran=$((ran + 1)) ;;
	FAIL) ran=$((ran + 1)) && failed="$failed $name" ;;
	*) failed="$failed $name(not-run)" ;;
	esac
done
rm -rf "$run"
if [ -n "$failed" ]; then
	echo "script tests failed:$failed"
	exit 1
fi
echo "  $ran script test(s) passed"
