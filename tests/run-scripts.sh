#!/bin/sh
# run-scripts.sh -- run every tests/scripts/*.sh (or those matching $1), each in
# its own scratch directory, and report which failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export FEAST_SOURCE_DIR="$(cd "$here/.." && pwd)"
export PYTHON="$("$FEAST_SOURCE_DIR/scripts/python.sh")" || exit 1
filter=${1:-}
failed=""
count=0
for t in "$here"/scripts/*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *"$filter"*) ;; *) continue ;; esac
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
