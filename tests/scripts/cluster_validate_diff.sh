# cluster_validate_diff.sh -- differential validation: 2,400 seeded specs, each judged by
# `kubectl feast validate` and by a real API server's dry-run create, must all agree.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
real_cluster_start diff

# The inputs mutated: the repo's valid stores, and the operator's samples and fixtures.
set -- "$SRC"/testdata/good/*.yaml "$SRC"/testdata/render/*.yaml "$SRC"/examples/*.yaml
REF="$SRC/testdata/operator"
set -- "$@" "$REF"/samples/v1_*.yaml "$REF"/testdata/*.yaml

audit_mark
start=$(date +%s)
set +e
"$PYTHON" "$SRC/tests/validate_diff.py" --feast "$FEAST" --crd "$SRC/data/crds/feast.dev_featurestores.yaml" \
	--env "$CLUSTER_DIR/env" --namespace diff --out "$TEST_TMP/diff" --seed 13 --count 2400 "$@" >report 2>&1
rc=$?
set -e
cat report | head -n 60
echo "differential validation took $(($(date +%s) - start)) s"
[ "$rc" = 0 ] || fail "validate and the API server disagree (all of it in $TEST_TMP/diff/disagreements.txt)"
has report '^agreement: 2400 of 2400$' "not every spec was judged"
has report '^CEL rules seen failing and holding: ([0-9]+) of \1$'

# Every spec really went to the server, and not one was stored.
[ "$(audit_count --agent feast-validate-diff --writes)" = 2400 ] || fail "the server did not see 2400 creates"
audit_only_dry_writes feast-validate-diff
