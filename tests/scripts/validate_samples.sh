# validate_samples.sh -- the operator's samples and fixtures and our own good
# specs are real FeatureStores the operator accepts: validate must too
# (exit 0, nothing on stdout or stderr but the v1alpha1 deprecation warning).
. "$FEAST_SOURCE_DIR/tests/lib.sh"

n=0
for f in "$SRC"/testdata/operator/samples/*.yaml "$SRC"/testdata/operator/testdata/*.yaml \
	"$SRC"/testdata/*.yaml "$SRC"/testdata/good/*.yaml "$SRC"/examples/*.yaml; do
	[ -f "$f" ] || continue
	set +e
	"$FEAST" validate -f "$f" >out 2>err
	rc=$?
	set -e
	[ "$rc" = 0 ] || { cat err >&2; fail "$f: exit $rc"; }
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

# All of them at once, as a directory and recursively, are valid too.
"$FEAST" validate -f "$SRC/testdata/operator/samples" 2>err || fail "samples directory"
"$FEAST" validate -R -f "$SRC/testdata/good" 2>err || fail "testdata/good"
echo "$n specs valid"
