# validate_fuzz_regressions.sh -- replay every saved fuzz input (crashes the
# fuzzer once found, and hostile seeds) through the fuzz entry point, built
# without libFuzzer; under make check-asan it runs with the sanitizers.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

replay="$FEAST_BUILD_DIR/tests/fuzz_replay"
replay_saved validate "$replay" "$SRC/tests/fuzz/regressions"
# and the bad test inputs, which are hostile by design
"$replay" "$SRC/testdata/bad" >out || fail "replay of testdata/bad failed"
