# kube_fuzz_regressions.sh -- replay the saved kube fuzz inputs (kubeconfigs, Status bodies,
# watch streams; crashes the fuzzer found, once fixed) through the fuzz entry point, built
# without libFuzzer; under make check-asan with the sanitizers.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
replay="$FEAST_BUILD_DIR/tests/fuzz_kube_replay"
replay_saved kube "$replay" "$SRC/tests/fuzz/kube-regressions"
# The unit tests' hostile kubeconfigs too.
"$replay" "$SRC/tests/unit" >out || fail "replay of tests/unit failed"
