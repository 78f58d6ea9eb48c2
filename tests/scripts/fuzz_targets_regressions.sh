# fuzz_targets_regressions.sh -- replay the saved inputs of the exec-credential, discovery,
# socket-protocol and loopback-HTTP fuzz targets (seeds, and crashes the fuzzers found,
# once fixed) through their entry points, built without libFuzzer; under make check-asan
# with the sanitizers.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
for t in exec discovery proto httpd; do
	replay_saved "$t" "$FEAST_BUILD_DIR/tests/fuzz_${t}_replay" "$SRC/tests/fuzz/$t-regressions"
done
# The exec target also reads the discovery and kube seeds: JSON that is no ExecCredential.
"$FEAST_BUILD_DIR/tests/fuzz_exec_replay" "$SRC/tests/fuzz/kube-regressions" >out || fail "exec: replay of kube seeds failed"
