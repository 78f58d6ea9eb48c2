#!/bin/sh
# run-scripts.sh -- run every tests/scripts/*.sh (or those matching the arguments),
# each in its own scratch directory, and report which failed.
#
# The scripts that need a real control plane share one (tests/cluster/up.sh), started in
# the background as the run begins and reset between scripts (tests/cluster_lib.sh); each
# start costs 10-30 s of two busy cores. FEAST_CLUSTER_PER_SCRIPT=1 gives every script a
# control plane of its own instead, to rule out one script's leftovers affecting another.
#
# A script with a line `# sanitizers: skip -- REASON` is skipped, and says so, when
# FEAST_SANITIZED=1 (make check-asan): for the few whose minutes go to Feast's Python while
# the C they run is run under the sanitizers by other scripts, which REASON names.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export FEAST_SOURCE_DIR="$(cd "$here/.." && pwd)"
export PYTHON="$("$FEAST_SOURCE_DIR/scripts/python.sh")" || exit 1
failed=""
count=0
selected=""
# Each argument is a substring of the scripts' file names (`scale_file.sh` is that one
# script, `scale_file` also scale_file_safety.sh); none selects every script.
[ $# -gt 0 ] || set -- ""
for t in "$here"/scripts/*.sh; do
	for filter in "$@"; do
		case "$(basename "$t")" in *"$filter"*) selected="$selected $t" && break ;; esac
	done
done

shared=""
unset FEAST_SHARED_CLUSTER
# shellcheck disable=SC2086 # one argument per script
if [ -z "${FEAST_CLUSTER_PER_SCRIPT:-}" ] && [ -n "$selected" ] &&
	grep -lq -e 'real_cluster_start' -e '^cluster_start' -e '[^_]cluster_start' \
		-e 'rollout_lib' $selected; then
	shared=$(mktemp -d "${TMPDIR:-/tmp}/feast-cluster.XXXXXX")
	("$FEAST_SOURCE_DIR/tests/cluster/up.sh" "$shared" >"$shared/up.log" 2>&1
		echo $? >"$shared/up.done") &
	up_pid=$!
	export FEAST_SHARED_CLUSTER=$shared
	trap 'wait "$up_pid"; "$FEAST_SOURCE_DIR/tests/cluster/down.sh" "$shared"; rm -rf "$shared"' EXIT
	trap 'exit 130' INT TERM
fi

for t in $selected; do
	name=$(basename "$t" .sh)
	if [ "${FEAST_SANITIZED:-}" = 1 ] && why=$(sed -n 's/^# sanitizers: skip -- //p' "$t") && [ -n "$why" ]; then
		echo "  SKIP    $name (under the sanitizers: $why)"
		continue
	fi
	count=$((count + 1))
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/feast-test.XXXXXX")
	start=$(date +%s)
	if (cd "$scratch" && TEST_TMP="$scratch" sh "$t") >"$scratch.log" 2>&1; then
		echo "  PASS    $name ($(( $(date +%s) - start ))s)"
		rm -rf "$scratch" "$scratch.log"
	else
		echo "  FAIL    $name ($(( $(date +%s) - start ))s)"
		sed 's/^/          /' "$scratch.log" | tail -n 60
		failed="$failed $name"
		[ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"
	fi
done
if [ -n "$failed" ]; then
	echo "script tests failed:$failed"
	exit 1
fi
echo "  $count script test(s) passed"
