# schema_explain.sh -- `kubectl feast schema` is a draft-07 JSON Schema that accepts
# every FeatureStore of the operator samples, testdata/good and examples/ (v1 and,
# with --api-version v1alpha1, v1alpha1) and refuses unknown fields, bad enums and
# out-of-range values, as the CRD does; the ScaledObject schema accepts the KEDA cases.
# `kubectl feast explain` prints kubectl explain's layout from the CRD's descriptions,
# steps through lists, lists the tree with --recursive, and refuses unknown fields.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$SRC"

"$FEAST" schema >"$TEST_TMP/v1.json"
"$FEAST" schema featurestore --api-version feast.dev/v1alpha1 >"$TEST_TMP/v1alpha1.json"
"$FEAST" schema scaledobject >"$TEST_TMP/so.json"
expect_exit 1 "$FEAST" schema nosuchkind 2>/dev/null
expect_exit 1 "$FEAST" schema --api-version v9 2>/dev/null

"$PYTHON" - "$TEST_TMP" "$SRC/testdata/operator/samples" <<'PY' || fail "the JSON Schema"
import glob, json, sys, yaml, jsonschema
tmp, samples = sys.argv[1:]
schemas = {k: json.load(open("%s/%s.json" % (tmp, k))) for k in ("v1", "v1alpha1", "so")}
for s in schemas.values():
    jsonschema.Draft7Validator.check_schema(s)
val = {k: jsonschema.Draft7Validator(s) for k, s in schemas.items()}
which = {"feast.dev/v1": "v1", "feast.dev/v1alpha1": "v1alpha1", "keda.sh/v1alpha1": "so"}
n = 0
files = sorted(glob.glob(samples + "/v1*.yaml") + glob.glob("testdata/good/*.yaml") + glob.glob("examples/*.yaml")
               + glob.glob("testdata/lint/*.yaml"))
for f in files:
    for doc in yaml.safe_load_all(open(f)):
        if not doc or doc.get("kind") not in ("FeatureStore", "ScaledObject"):
            continue
        errs = [e.message for e in val[which[doc["apiVersion"]]].iter_errors(doc)]
        assert not errs, (f, errs[:3])
        n += 1
assert n >= 30, n
base = yaml.safe_load(open("examples/featurestore-ha.yaml"))
def refused(change, why):
    import copy
    d = copy.deepcopy(base)
    change(d)
    assert list(val["v1"].iter_errors(d)), "accepted: " + why
refused(lambda d: d["spec"].__setitem__("replicaz", 2), "an unknown field")
refused(lambda d: d["spec"]["services"]["onlineStore"]["persistence"]["store"].__setitem__("type", "nosuch"), "a bad enum")
refused(lambda d: d["spec"].__setitem__("replicas", 0), "replicas 0")
refused(lambda d: d.__setitem__("kind", "Deployment"), "another kind")
refused(lambda d: d["spec"]["services"]["podDisruptionBudgets"].__setitem__("maxUnavailable", True), "a bool IntOrString")
refused(lambda d: d["spec"].__delitem__("feastProject"), "no feastProject")
print("%d documents valid" % n)
PY

# explain: header, field, description, fields with theirs.
"$FEAST" explain featurestore.spec.services.scaling >"$TEST_TMP/scaling"
grep -q '^KIND:       FeatureStore$' "$TEST_TMP/scaling" || fail "explain: no KIND"
grep -q '^VERSION:    v1$' "$TEST_TMP/scaling" || fail "explain: no VERSION"
grep -q '^FIELD: scaling <Object>$' "$TEST_TMP/scaling" || fail "explain: no FIELD line"
grep -q '^    Scaling configures horizontal scaling' "$TEST_TMP/scaling" || fail "explain: not the CRD's description"
grep -q '^  autoscaling	<Object>$' "$TEST_TMP/scaling" || fail "explain: autoscaling not among the fields"
# Lists are stepped through; required fields and IntOrString are marked.
"$FEAST" explain FeatureStores.spec.services.onlineStore.server.env >"$TEST_TMP/env"
grep -q '^FIELD: env <\[\]Object>$' "$TEST_TMP/env" || fail "explain: env is a list of objects"
grep -q '^  name	<string> -required-$' "$TEST_TMP/env" || fail "explain: env.name is required"
"$FEAST" explain feast.spec.services.podDisruptionBudgets.maxUnavailable | grep -q '^FIELD: maxUnavailable <IntOrString>$' ||
	fail "explain: IntOrString"
# --recursive: the tree, indented, without descriptions.
"$FEAST" explain featurestore.spec.services.scaling --recursive >"$TEST_TMP/rec"
grep -q '^    minReplicas	<integer>' "$TEST_TMP/rec" || fail "explain --recursive: no nested minReplicas"
grep -q 'Autoscaling configures' "$TEST_TMP/rec" && fail "explain --recursive printed descriptions"
# v1alpha1 and ScaledObject.
"$FEAST" explain featurestore.spec --api-version v1alpha1 | grep -q '^VERSION:    v1alpha1$' || fail "explain v1alpha1"
"$FEAST" explain scaledobject.spec.scaleTargetRef | grep -q '^KIND:       ScaledObject$' || fail "explain scaledobject"
# Unknown fields and resources exit 1 with the field named; no argument is a usage error.
expect_exit 1 "$FEAST" explain featurestore.spec.replicaz 2>"$TEST_TMP/err"
grep -q '^error: field "replicaz" does not exist$' "$TEST_TMP/err" || fail "explain: unknown field message"
expect_exit 1 "$FEAST" explain pods 2>/dev/null
expect_exit 2 "$FEAST" explain 2>/dev/null
echo "schema and explain as expected"
