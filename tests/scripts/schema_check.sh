# schema_check.sh -- the offline manifest check (validate_manifests: kubeconform with the
# vendored schemas, the CRD converted, the API server's syntax rules) refuses what it must,
# and passes a real render.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
CRD="$SRC/data/crds/feast.dev_featurestores.yaml"
set +e
validate_manifests --strict --crd "$CRD" "$SRC/testdata/schema/bad.yaml" >out 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "bad manifests passed (exit $rc): $(cat out)"
for want in "ConfigMap Bad_Name is invalid.*additional properties 'bogus' not allowed" \
	"Deployment d is invalid.*/spec/replicas.*got string" \
	"FeatureStore s is invalid.*additional properties 'nope' not allowed" \
	"ConfigMap/Bad_Name: metadata.name: Invalid value 'Bad_Name'" \
	"ConfigMap/Bad_Name: metadata.labels: Invalid value 'a/b/c': prefix part" \
	"bad.yaml:3: ConfigMap/Bad_Name: metadata.name: Duplicate value: also at .*bad.yaml:0"; do
	grep -q "$want" out || fail "missing: $want
$(cat out)"
done
# A kind without a schema is an error, not a pass.
printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n' >unknown.yaml
expect_exit 1 validate_manifests unknown.yaml >/dev/null 2>&1
"$FEAST" render -f "$SRC/examples/featurestore-ha.yaml" >ha.yaml
validate_manifests --strict ha.yaml >out 2>&1 || fail "the HA example does not validate: $(cat out)"
"$FEAST" render -f "$SRC/examples/featurestore-ha.yaml" --target operator >op.yaml
validate_manifests --strict --crd "$CRD" op.yaml >out 2>&1 || fail "the operator target does not validate: $(cat out)"
