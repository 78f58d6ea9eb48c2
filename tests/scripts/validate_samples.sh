# validate_samples.sh -- the operator's samples and fixtures and our own good
# specs are real FeatureStores the operator accepts: validate must too
# (exit 0, nothing on stdout or stderr but the v1alpha1 deprecation warning),
# given the namespace render is given (render_golden.sh).  Without -n, validate
# and render agree on every file: both accept it or both refuse it.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

REF="$SRC/testdata/operator"
n=0
for f in "$REF"/samples/*.yaml "$REF"/testdata/*.yaml \
	"$SRC"/testdata/*.yaml "$SRC"/testdata/good/*.yaml "$SRC"/examples/*.yaml; do
	[ -f "$f" ] || continue
	# kustomization.yaml and the backing services (redis.yaml) hold no FeatureStore.
	grep -q '^kind: FeatureStore' "$f" || continue
	set +e
	"$FEAST" validate -n "$(file_ns "$f" feast)" -f "$f" >out 2>err
	rc=$?
	"$FEAST" validate -f "$f" >/dev/null 2>&1
	rc_bare=$?
	"$FEAST" render -f "$f" >/dev/null 2>&1
	rc_render=$?
	set -e
	[ "$rc" = 0 ] || { cat err >&2; fail "$f: exit $rc"; }
	[ "$rc_bare" = "$rc_render" ] || fail "$f without -n: validate exits $rc_bare, render $rc_render"
	[ -s out ] && fail "$f: wrote to stdout"
	if grep -v '^warning: .*apiVersion: v1alpha1 is deprecated' err | grep -q .; then
		cat err >&2
		fail "$f: unexpected output on stderr"
	fi
	if grep -q 'feast.dev/v1alpha1' "$f"; then
		grep -q "^warning: $f:[0-9]*:[0-9]*: apiVersion: v1alpha1 is deprecated" err ||
			fail "$f: no deprecation warning naming the file"
	fi
	n=$((n + 1))
done
[ "$n" -ge 30 ] || fail "only $n specs found"

# The samples directory as a whole is not one valid input: kustomization.yaml is no
# object, and samples share names (two stores sample-db-ssl, Secrets feast-data-stores).
cd "$REF/.." && set +e
"$FEAST" validate -f operator/samples >"$TEST_TMP/out" 2>"$TEST_TMP/samples-dir.err"
rc=$?
set -e && cd "$TEST_TMP"
[ "$rc" = 1 ] || fail "samples directory: exit $rc, want 1"
golden_file "$SRC/golden/inputs/samples-dir.err" samples-dir.err || fail "samples directory: stderr differs"
"$FEAST" validate -n feast -R -f "$SRC/testdata/good" 2>err || { cat err >&2; fail "testdata/good"; }
echo "$n specs valid"
