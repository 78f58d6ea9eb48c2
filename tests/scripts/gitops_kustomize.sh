# gitops_kustomize.sh -- the kustomize recipe (docs/gitops/kustomize): the rendered output
# as a base, an overlay on top; `kubectl kustomize` builds it and the result validates.
# The committed base must be what render prints today (GOLDEN_UPDATE=1 rewrites it).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

DOC="$SRC/docs/gitops/kustomize"
(cd "$DOC" && "$FEAST" render -f featurestore.yaml -n feast) >"$TEST_TMP/base.yaml"
golden_file "$DOC/base/manifests.yaml" "$TEST_TMP/base.yaml" || fail "the committed base is not what render prints"
[ -n "${GOLDEN_UPDATE:-}" ] && exit 0

command -v kubectl >/dev/null 2>&1 || fail "kubectl is not installed"
kubectl kustomize "$DOC/overlays/prod" >"$TEST_TMP/prod.yaml" 2>"$TEST_TMP/kustomize.err" ||
	{ cat "$TEST_TMP/kustomize.err"; fail "kubectl kustomize overlays/prod failed"; }
validate_manifests --strict "$TEST_TMP/prod.yaml" >"$TEST_TMP/prod.vm" ||
	{ cat "$TEST_TMP/prod.vm"; fail "the overlay's output does not validate"; }

"$PYTHON" - "$TEST_TMP/base.yaml" "$TEST_TMP/prod.yaml" <<'PY' || fail "the overlay did not do what it says"
import sys, yaml
base = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
prod = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
key = lambda d: (d["kind"], d["metadata"]["name"])
assert sorted(map(key, base)) == sorted(map(key, prod)), "the overlay changed the set of objects"
by = {key(d): d for d in prod}
for d in prod:
    assert d["metadata"]["labels"]["environment"] == "prod", key(d)
dep = by[("Deployment", "feast-driver-stats")]
assert dep["spec"]["selector"] == {"matchLabels": {"feast.dev/name": "driver-stats"}}, dep["spec"]["selector"]
assert "environment" not in dep["spec"]["template"]["metadata"]["labels"], "label leaked into the pod selector"
assert "replicas" not in dep["spec"], "replicas under an HPA"
pod = dep["spec"]["template"]["spec"]
images = {c["image"] for c in pod["containers"] + pod.get("initContainers", [])}
assert "registry.example.com/mirror/feastdev/feature-server:0.66.0" in images, images
assert all(i.startswith("registry.example.com/mirror/") for i in images), images
assert any(i.startswith("registry.example.com/mirror/feast-sidecar:") for i in images), images
assert by[("HorizontalPodAutoscaler", "feast-driver-stats")]["spec"]["maxReplicas"] == 20
# Annotations survive the overlay; Flux's is not there, as nothing in the store holds `${`.
assert dep["metadata"]["annotations"]["feast.dev/rendered-by"].startswith("kubectl-feast/"), dep["metadata"]
assert "kustomize.toolkit.fluxcd.io/substitute" not in dep["metadata"]["annotations"], dep["metadata"]
# The namespace is the one rendered: the client ConfigMap names Services by it.
for d in prod:
    if d["kind"] not in ("ClusterRole", "ClusterRoleBinding"):
        assert d["metadata"]["namespace"] == "feast", key(d)
print(len(prod), "objects built and checked")
PY
