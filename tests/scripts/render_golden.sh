# render_golden.sh -- every operator sample and fixture, and every case under
# testdata/render/, renders byte for byte to golden/render/; every golden file
# passes validate-manifests --strict.  GOLDEN_UPDATE=1 (make golden-update)
# rewrites the golden files instead of comparing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

GOLDEN="$SRC/golden/render"
REF="$SRC/testdata/operator"
CRD="$SRC/data/crds/feast.dev_featurestores.yaml"
failures=0
cases=0

# golden NAME INPUT ARGS... : render INPUT with ARGS and compare with golden/render/NAME.
golden() {
	name=$1 input=$2
	shift 2
	cases=$((cases + 1))
	out="$TEST_TMP/out.$cases"
	if ! "$FEAST" render -f "$input" "$@" >"$out" 2>"$out.err"; then
		cat "$out.err" >&2
		echo "FAIL: render -f $input $* exited non-zero" >&2
		failures=$((failures + 1))
		return
	fi
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		mkdir -p "$(dirname "$GOLDEN/$name")"
		cmp -s "$out" "$GOLDEN/$name" 2>/dev/null || { cp "$out" "$GOLDEN/$name"; echo "updated $name"; }
	elif ! cmp -s "$GOLDEN/$name" "$out"; then
		diff -u "$GOLDEN/$name" "$out" | head -n 60 >&2 || true
		echo "FAIL: golden/render/$name differs (make golden-update rewrites it)" >&2
		failures=$((failures + 1))
	fi
}

# -n as kubectl takes it: it may not contradict the namespace a sample sets.
for f in "$REF"/samples/v1_*.yaml; do
	golden "samples/$(basename "$f")" "$f" -n "$(file_ns "$f" feast)"
done
for f in "$REF"/testdata/*.yaml; do
	golden "operator-testdata/$(basename "$f")" "$f" -n test-ns-feast
done
for f in "$SRC"/examples/*.yaml; do
	golden "examples/$(basename "$f")" "$f"
done
for f in "$SRC"/testdata/render/*.yaml; do
	# The first line of a case names its options: `# args: -n feast -o json`.
	args=$(sed -n '1s/^# args: *//p' "$f")
	ext=yaml
	case " $args " in *" -o json "*) ext=json ;; esac
	# shellcheck disable=SC2086
	golden "$(basename "$f" .yaml).$ext" "$f" $args
done
[ "$cases" -ge 50 ] || fail "only $cases golden cases ran"
[ "$failures" = 0 ] || fail "$failures of $cases golden cases failed"
[ -n "${GOLDEN_UPDATE:-}" ] && exit 0

# No stale golden file without a case.
n=$(find "$GOLDEN" -type f | wc -l)
[ "$n" = "$cases" ] || fail "golden/render holds $n files for $cases cases"

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
find "$TEST_TMP/validate" -type f | sort | xargs -P 4 -n 1 sh "$TEST_TMP/check_one.sh" ||
	fail "golden files fail validate-manifests"
echo "$cases golden cases, all valid"
