# gitops_flux.sh -- the Flux recipe (docs/gitops/flux) and the substitute annotation.
#
# Flux's post-build substitution rewrites ${VAR} in every object without
# kustomize.toolkit.fluxcd.io/substitute: disabled.  The golden case
# testdata/render/flux-substitute.yaml shows rendered objects with `${` annotated and
# passed-through documents kept as written, with a warning (golden/render/flux-substitute.*,
# render_golden's); the recipe's committed output must be what render prints today, and
# survive a substitution done as Flux does it.  GOLDEN_UPDATE=1 (make golden-update)
# rewrites the recipe's output.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

DOC="$SRC/docs/gitops/flux"

# The golden case's stderr: one warning, for the ConfigMap meant for substitution.  Its
# goldens are render_golden's (golden/render/flux-substitute.*), so only compared here.
case="$SRC/testdata/render/flux-substitute.yaml"
(cd "$SRC" && "$FEAST" render -f testdata/render/flux-substitute.yaml -n feast) >"$TEST_TMP/case.yaml" 2>"$TEST_TMP/case.err"
if [ -z "${GOLDEN_UPDATE:-}" ]; then
	same_file "$SRC/golden/render/flux-substitute.err" "$TEST_TMP/case.err"
	same_file "$SRC/golden/render/flux-substitute.yaml" "$TEST_TMP/case.yaml"
fi
# --no-flux-warnings: the same objects, and no warning.
(cd "$SRC" && "$FEAST" render -f testdata/render/flux-substitute.yaml -n feast --no-flux-warnings) \
	>"$TEST_TMP/quiet.yaml" 2>"$TEST_TMP/quiet.err" || fail "render --no-flux-warnings failed"
same_file "$TEST_TMP/case.yaml" "$TEST_TMP/quiet.yaml"
[ -s "$TEST_TMP/quiet.err" ] && fail "--no-flux-warnings still warns: $(cat "$TEST_TMP/quiet.err")"
# Only the Deployment whose spec holds `${` (the git URL) is annotated.
[ "$(grep -c 'kustomize.toolkit.fluxcd.io/substitute: disabled' "$TEST_TMP/case.yaml")" = 2 ] ||
	fail "the substitute annotation is on other objects than feast-cloned and shell-snippets"

# check_flux RENDERED INPUT... : every rendered object holding `${` is annotated and no other
# is; passed-through documents equal their input; after Flux's substitution with the
# variables in $VARS, annotated objects are untouched and no `${` is left elsewhere.
check_flux() {
	"$PYTHON" - "$VARS" "$@" <<'PY'
import json, re, sys, yaml
vars_, rendered, inputs = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
KEY = "kustomize.toolkit.fluxcd.io/substitute"
docs = list(yaml.safe_load_all(open(rendered)))
passed = [d for f in inputs for d in yaml.safe_load_all(open(f)) if d and d.get("kind") != "FeatureStore"]
def has(d):
    return "${" in yaml.safe_dump(d)
def opted(d):
    return ((d.get("metadata") or {}).get("annotations") or {}).get(KEY) == "disabled"
built = docs[:len(docs) - len(passed)]
assert docs[len(built):] == passed, "passed-through documents changed"
marked = [d for d in built if opted(d)]
for d in built:
    assert has(d) == opted(d), "%s %s: `${` %s but annotation %s" % (d["kind"], d["metadata"]["name"], has(d), opted(d))
# Flux: ${var} (and ${var:=default}) from postBuild.substitute, in objects not opted out.
pat = re.compile(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?::=([^}]*))?\}")
for d in docs:
    if opted(d):
        continue
    text = yaml.safe_dump(d)
    out = pat.sub(lambda m: vars_.get(m.group(1), m.group(2) or ""), text)
    assert "${" not in out, "substitution left ${ in %s" % d["metadata"]["name"]
    if out != text:
        print("substituted", d["kind"], d["metadata"]["name"], yaml.safe_load(out).get("data"))
print(len(marked), "annotated of", len(built), "rendered;", len(passed), "passed through")
PY
}
VARS='{"cluster_name": "prod-eu-1"}'
check_flux "$TEST_TMP/case.yaml" "$case" || fail "golden case: annotation or pass-through wrong"
validate_manifests --strict "$TEST_TMP/case.yaml" >"$TEST_TMP/case.vm" || { cat "$TEST_TMP/case.vm"; fail "golden case does not validate"; }

# The recipe: committed output = today's render; it validates; Flux's substitution with the
# recipe's own variables leaves the Deployment alone and fills the ConfigMap.
(cd "$DOC" && "$FEAST" render -f featurestore.yaml -f cluster-settings.yaml -n feast) \
	>"$TEST_TMP/recipe.yaml" 2>"$TEST_TMP/recipe.err"
grep -q "cluster-settings.yaml:.*data.cluster: contains \`\${\`" "$TEST_TMP/recipe.err" ||
	{ cat "$TEST_TMP/recipe.err"; fail "no warning for the recipe's ConfigMap"; }
golden_file "$DOC/rendered/manifests.yaml" "$TEST_TMP/recipe.yaml" || fail "the recipe's committed output is not what render prints"
[ -n "${GOLDEN_UPDATE:-}" ] && exit 0
validate_manifests --strict "$DOC/rendered/manifests.yaml" >"$TEST_TMP/recipe.vm" ||
	{ cat "$TEST_TMP/recipe.vm"; fail "the recipe's output does not validate"; }
VARS=$("$PYTHON" -c 'import json, sys, yaml; k = yaml.safe_load(open(sys.argv[1])); assert k["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1" and k["kind"] == "Kustomization"; assert k["spec"]["path"] == "./docs/gitops/flux/rendered"; print(json.dumps(k["spec"]["postBuild"]["substitute"]))' "$DOC/flux-kustomization.yaml") ||
	fail "flux-kustomization.yaml"
check_flux "$DOC/rendered/manifests.yaml" "$DOC/featurestore.yaml" "$DOC/cluster-settings.yaml" >"$TEST_TMP/flux.out" ||
	fail "the recipe does not survive Flux's substitution"
grep -q "substituted ConfigMap feast-cluster-settings {'cluster': 'prod-eu-1'}" "$TEST_TMP/flux.out" ||
	{ cat "$TEST_TMP/flux.out"; fail "Flux's substitution did not reach the ConfigMap"; }
cat "$TEST_TMP/flux.out"
