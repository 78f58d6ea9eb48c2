# validate_bad.sh -- every testdata/bad/*.yaml (a case of tests/golden.sh: `validate -f
# CASE` with its `# args:`) is refused (exit 1, nothing on stdout) with exactly the stderr
# in golden/bad/<name>.err.  The over-size input is generated here rather than committed.
# With GOLDEN_UPDATE=1 (make golden-update) the golden files are rewritten instead.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

# golden_check: a refusal writes nothing on stdout and says `error:` on stderr.
golden_check() {
	[ ! -s "$GOLDEN_STDOUT" ] || { echo "FAIL: $GOLDEN_NAME: wrote to stdout" >&2; return 1; }
	grep -q '^error: ' "$GOLDEN_STDERR" || { echo "FAIL: $GOLDEN_NAME: no error line" >&2; return 1; }
}
golden_suite bad --cmd validate --exit 1
golden_cases "$SRC"/testdata/bad/*.yaml

# Over the 8 MiB document limit: a ConfigMap with one 9 MiB value.
cd "$TEST_TMP"
{
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: '
	head -c 9437184 /dev/zero | tr '\0' a
	echo
} >oversize.yaml
golden_run oversize 1 validate "$TEST_TMP/oversize.yaml"
golden_end
