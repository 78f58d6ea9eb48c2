# feast_configs.sh -- every rendered feature_store.yaml, as each server container and the
# client ConfigMap would read it (after the rendered feast-init merge), loads in Feast 0.66's
# own RepoConfig loader (tests/feast_configs.py).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
feast_env

REF="$SRC/testdata/operator"
mkdir -p out work
cases=0
# render NAME INPUT ARGS...: the cases of render_golden.sh, rendered by this build.
render() {
	name=$1 input=$2
	shift 2
	cases=$((cases + 1))
	"$FEAST" render -f "$input" "$@" >"out/$cases.$name" 2>"err.$cases" || { cat "err.$cases" >&2; fail "render -f $input $* failed"; }
}
for f in "$REF"/samples/v1_*.yaml; do render "$(basename "$f")" "$f" -n "$(file_ns "$f" feast)"; done
for f in "$REF"/testdata/*.yaml; do render "$(basename "$f")" "$f" -n "$(file_ns "$f" test-ns-feast)"; done
for f in "$SRC"/examples/*.yaml; do render "$(basename "$f")" "$f"; done
for f in "$SRC"/testdata/render/*.yaml; do
	args=$(sed -n '1s/^# args: *//p' "$f")
	# shellcheck disable=SC2086
	render "$(basename "$f")" "$f" $args
done
[ "$cases" -ge 20 ] || fail "only $cases render cases"

# A pass is remembered under the hash of everything it read (the rendered outputs, the
# harness, the pins): the same bytes again -- `make check-asan` after `make test` -- reuse
# its report instead of a minute of Feast imports. FEAST_CONFIGS_NOCACHE=1 always loads.
key=$(cat out/* "$SRC/tests/feast_configs.py" "$SRC"/tests/feast_stubs/* "$SRC/scripts/feast-requirements.txt" \
	"$0" | sha256sum | cut -c1-32)
passed=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/feast-configs-passed/$key
if [ -z "${FEAST_CONFIGS_NOCACHE:-}" ] && [ -s "$passed" ]; then
	cat "$passed"
	echo "(the report of a passing run on the same $cases rendered outputs, $passed)"
	exit 0
fi
"$FEAST_PYTHON" "$SRC/tests/feast_configs.py" "$TEST_TMP/work" out/* >report.txt 2>&1 || {
	cat report.txt >&2
	fail "rendered configurations that Feast does not load"
}
cat report.txt
n=$(sed -n 's/^feast configs: \([0-9]*\) loaded, 0 failed$/\1/p' report.txt)
[ -n "$n" ] && [ "$n" -ge "$cases" ] || fail "$n configurations loaded for $cases cases"
echo "$cases render cases"

# The loader must see what the merge wrote: an unknown key in a store's Secret, and one in
# a client ConfigMap, are both refused.
db=$(ls out/*.v1_featurestore_db_persistence.yaml 2>/dev/null || true)
if [ -n "$db" ]; then
	grep -q '^    db_schema: public$' "$db" || fail "$db: no postgres Secret to spoil"
	sed 's/^    db_schema: public$/&\n    no_such_setting: 1/' "$db" >1.db.yaml
	cat >2.client.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: feast-bad-client, namespace: feast}
data:
  feature_store.yaml: |
    project: bad
    registry: {registry_type: file, path: registry.db}
    online_store: {type: sqlite, no_such_setting: 1}
YAML
	mkdir -p work-bad
	if "$FEAST_PYTHON" "$SRC/tests/feast_configs.py" "$TEST_TMP/work-bad" 1.db.yaml 2.client.yaml >bad.txt 2>&1; then
		cat bad.txt >&2
		fail "spoiled configurations loaded"
	fi
	grep -A4 '^FAIL db.yaml Deployment/' bad.txt | grep -q no_such_setting || { cat bad.txt >&2; fail "the spoiled Secret was not refused"; }
	grep -A4 '^FAIL client.yaml ConfigMap/feast-bad-client:' bad.txt | grep -q no_such_setting || { cat bad.txt >&2; fail "the spoiled client config was not refused"; }
fi
mkdir -p "$(dirname "$passed")"
cp report.txt "$passed.tmp" && mv "$passed.tmp" "$passed"
