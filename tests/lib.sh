# lib.sh -- helpers for tests/scripts/*.sh (sourced; POSIX sh).
# Environment from run-scripts.sh: FEAST_BIN_DIR, FEAST_SOURCE_DIR, SHARED, PYTHON, TEST_TMP.
set -eu
FEAST="$FEAST_BIN_DIR/kubectl-feast"
SRC="$FEAST_SOURCE_DIR"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_exit CODE CMD... : run CMD, fail unless it exits with CODE.
expect_exit() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	[ "$got" = "$want" ] || fail "expected exit $want, got $got: $*"
}

# same_file EXPECTED ACTUAL : byte-for-byte comparison with a unified diff.
same_file() {
	if ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -n 80 >&2 || true
		fail "$2 differs from $1"
	fi
}

validate_manifests() {
	"$PYTHON" "$SHARED/tools/validate-manifests" "$@"
}
