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

# Schema check: one kubeconform run over every golden (JSON goldens through their items),
# named after the case (its path under golden/render/, / as __) so a failure names it. The
# strict checks run per file, in one Python: stores of different files share names.
mkdir -p "$TEST_TMP/validate"
(cd "$GOLDEN" && find . -type f \( -name "*.yaml" -o -name "*.json" \)) | sed 's|^\./||' | sort >"$TEST_TMP/goldens"
[ -s "$TEST_TMP/goldens" ] || fail "no golden files under $GOLDEN"
"$PYTHON" - "$GOLDEN" "$TEST_TMP/validate" "$TEST_TMP/goldens" >"$TEST_TMP/checked" <<'PY' || fail "could not copy the golden files"
import json, shutil, sys, yaml
src, out, listing = sys.argv[1:]
for rel in open(listing).read().split():
    dst = "%s/%s" % (out, rel.replace("/", "__"))
    if rel.endswith(".json"):
        dst += ".yaml"
        yaml.safe_dump_all(json.load(open("%s/%s" % (src, rel)))["items"], open(dst, "w"))
    else:
        shutil.copyfile("%s/%s" % (src, rel), dst)
    print(dst)
PY
# shellcheck disable=SC2046 # one argument per golden file
validate_manifests --crd "$CRD" $(cat "$TEST_TMP/checked") >"$TEST_TMP/vm" 2>&1 ||
	{ cat "$TEST_TMP/vm" >&2; fail "golden files fail validate-manifests"; }
"$PYTHON" - "$SRC/tests/schema/strict.py" "$TEST_TMP/checked" <<'PY' || fail "golden files fail the strict checks"
import runpy, sys
strict, listing, bad = sys.argv[1], sys.argv[2], 0
for f in open(listing).read().split():
    sys.argv = [strict, f]
    try:
        runpy.run_path(strict, run_name="__main__")
    except SystemExit as e:
        bad |= bool(e.code)
sys.exit(bad)
PY
echo "$GOLDEN_CASES golden cases, all valid"
