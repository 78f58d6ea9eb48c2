# validate_fuzz_regressions.sh -- replay every saved fuzz input (crashes the
# fuzzer once found, and hostile seeds) through the fuzz entry point, built
# without libFuzzer; under make check-asan it runs with the sanitizers.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

replay="$FEAST_BUILD_DIR/tests/fuzz_replay"
[ -x "$replay" ] || fail "no $replay (built by rules/module.mk)"
count=$(ls "$SRC/tests/fuzz/regressions" | wc -l)
[ "$count" -gt 0 ] || fail "no regression inputs"
"$replay" "$SRC/tests/fuzz/regressions" >out || fail "replay failed"
grep -q "replayed $count input(s)" out || fail "replay count: $(cat out)"
# and the bad test inputs, which are hostile by design
"$replay" "$SRC/testdata/bad" >out || fail "replay of testdata/bad failed"
