# validate_cli.sh -- exit codes, -o json, warnings on stderr, stdin, -R,
# and every problem of a run reported, across files.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

good="$SRC/testdata/good/minimal.yaml"
bad="$SRC/testdata/bad/multi-error.yaml"

# valid: silent, exit 0; with -o json an empty array
"$FEAST" validate -n feast -f "$good" >out 2>err
[ -s out ] && fail "valid spec printed something"
[ -s err ] && fail "valid spec wrote to stderr"
"$FEAST" validate -n feast -f "$good" -o json >out 2>err
[ "$(cat out)" = "[]" ] || fail "valid -o json: $(cat out)"

# invalid: exit 1, errors on stderr, nothing on stdout
expect_exit 1 "$FEAST" validate -f "$bad" >out 2>err
[ -s out ] && fail "invalid spec wrote to stdout"
[ "$(grep -c '^error: ' err)" = 5 ] || fail "expected 5 errors: $(cat err)"

# -o json: the same violations as a JSON array on stdout, warnings still on stderr
expect_exit 1 "$FEAST" validate -f "$bad" -f "$SRC/testdata/bad/v1alpha1-replicas.yaml" -o json >out 2>err
grep -q '^warning: .*v1alpha1-replicas.yaml:1:13: apiVersion: v1alpha1 is deprecated' err || fail "warning not on stderr: $(cat err)"
grep -q '^error' err && fail "errors on stderr with -o json"
"$PYTHON" - out <<'PY' || fail "bad JSON: $(cat out)"
import json, sys
v = json.load(open(sys.argv[1]))
assert isinstance(v, list) and len(v) == 7, len(v)
for d in v:
    assert d["severity"] == "error"
    assert set(d) >= {"file", "line", "column", "field", "message", "rule", "source"}, d
assert v[0]["field"] == "spec" and v[0]["rule"] == "scaling-online-db", v[0]
assert v[0]["source"] == "cel" and v[2]["source"] == "schema", v[:3]
assert v[2]["message"].startswith('Unsupported value: "loud"'), v[2]
assert v[6]["file"].endswith("v1alpha1-replicas.yaml") and v[6]["line"] == 9, v[6]
PY

# stdin, and a file that does not parse does not hide the others' problems
expect_exit 1 "$FEAST" validate -f - <"$bad" 2>err
grep -q '^error: -:14:5: spec.services.podDisruptionBudgets: ' err || fail "stdin name: $(cat err)"
expect_exit 1 "$FEAST" validate -f "$SRC/testdata/bad/invalid-yaml.yaml" -f "$SRC/testdata/bad/enum.yaml" 2>err
grep -q 'invalid-yaml.yaml:8:1: ' err || fail "YAML error missing"

# source: who would refuse it (the API server's schema or CEL, only the operator, the file)
expect_exit 1 "$FEAST" validate -o json -f "$SRC/testdata/bad/invalid-yaml.yaml" \
	-f "$SRC/testdata/bad/no-local-server.yaml" -f "$SRC/testdata/bad/derived-name-too-long.yaml" \
	-f "$SRC/testdata/bad/unknown-version.yaml" >out
"$PYTHON" - out <<'PY' || fail "sources: $(cat out)"
import json, sys
got = [(d["file"].rsplit("/", 1)[1], d["source"]) for d in json.load(open(sys.argv[1]))]
assert got == [("invalid-yaml.yaml", "input"), ("no-local-server.yaml", "operator"),
               ("derived-name-too-long.yaml", "operator"), ("unknown-version.yaml", "schema")], got
PY
grep -q 'enum.yaml:10:19: spec.services.onlineStore.server.logLevel: Unsupported value' err || fail "second file not checked"

# directories: sorted, not recursive unless -R
mkdir -p tree/sub
cp "$good" tree/a.yaml
cp "$SRC/testdata/bad/minimum.yaml" tree/sub/b.yaml
"$FEAST" validate -n feast -f tree 2>err || fail "non-recursive directory saw the subdirectory"
expect_exit 1 "$FEAST" validate -n feast -R -f tree 2>err
grep -q '^error: tree/sub/b.yaml:7:13: spec.replicas: ' err || fail "-R: $(cat err)"
