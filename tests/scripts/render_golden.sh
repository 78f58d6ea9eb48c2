# render_golden.sh -- every operator sample and fixture, every example, and every case
# under testdata/render/ renders byte for byte (stdout and stderr) to golden/render/
# (tests/golden.sh); every rendered golden passes validate-manifests --strict.
# GOLDEN_UPDATE=1 (make golden-update) rewrites the golden files instead of comparing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

GOLDEN="$SRC/golden/render"
REF="$SRC/testdata/operator"
CRD="$SRC/data/crds/feast.dev_featurestores.yaml"

golden_suite render --cmd render --out yaml
# -n as kubectl takes it: it may not contradict the namespace a sample sets.
for f in "$REF"/samples/v1_*.yaml; do
	golden_run "samples/$(basename "$f" .yaml)" 0 render "$f" -n "$(file_ns "$f" feast)"
done
for f in "$REF"/testdata/*.yaml; do
	golden_run "operator-testdata/$(basename "$f" .yaml)" 0 render "$f" -n test-ns-feast
done
for f in "$SRC"/examples/*.yaml; do
	golden_run "examples/$(basename "$f" .yaml)" 0 render "$f"
done
golden_cases "$SRC"/testdata/render/*.yaml
[ "$GOLDEN_CASES" -ge 50 ] || fail "only $GOLDEN_CASES golden cases ran"
golden_end
[ -n "${GOLDEN_UPDATE:-}" ] && exit 0

# Schema check, one file per run (stores of different files share names), four at a
# time.  JSON goldens are checked through their items; --crd only where a
# FeatureStore is emitted.
cat >"$TEST_TMP/check_one.sh" <<'CHECK'
. "$FEAST_SOURCE_DIR/tests/lib.sh"
f=$1
if [ "${f%.json}" != "$f" ]; then
	"$PYTHON" -c 'import json, sys, yaml; yaml.safe_dump_all(json.load(open(sys.argv[1]))["items"], open(sys.argv[2], "w"))' "$f" "$f.yaml" || exit 1
	f=$f.yaml
fi
crd=""
grep -q '^kind: FeatureStore' "$f" && crd="--crd $CRD"
if ! validate_manifests --strict $crd "$f" >"$f.vm" 2>&1; then
	echo "FAIL: validate-manifests $f:" >&2
	cat "$f.vm" >&2
	exit 1
fi
CHECK
export PYTHON CRD
mkdir -p "$TEST_TMP/validate"
cp -R "$GOLDEN"/. "$TEST_TMP/validate/"
find "$TEST_TMP/validate" -type f \( -name "*.yaml" -o -name "*.json" \) | sort | xargs -P 4 -n 1 sh "$TEST_TMP/check_one.sh" ||
	fail "golden files fail validate-manifests"
echo "$GOLDEN_CASES golden cases, all valid"
