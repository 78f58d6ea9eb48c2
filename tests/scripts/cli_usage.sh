# cli_usage.sh -- usage errors exit 2 with kubectl-style messages; help exits 0.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

expect_exit 2 "$FEAST" 2>err
expect_exit 2 "$FEAST" frobnicate 2>err
grep -q 'unknown command "frobnicate"' err || fail "unknown command message"
expect_exit 2 "$FEAST" validate --bogus 2>err
grep -q 'error: unknown flag: --bogus' err || fail "unknown flag message: $(cat err)"
expect_exit 2 "$FEAST" validate 2>err
grep -q 'must specify -f' err || fail "missing -f message"
expect_exit 2 "$FEAST" validate -f x.yaml -o xml 2>err
grep -q 'invalid argument "xml"' err || fail "enum message: $(cat err)"
"$FEAST" --help >out
grep -q validate out || fail "main help lists commands"
"$FEAST" validate --help >out
grep -q -- '--filename' out || fail "validate help lists its options"
