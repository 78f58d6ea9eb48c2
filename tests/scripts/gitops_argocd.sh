# gitops_argocd.sh -- the Argo CD Config Management Plugin (docs/gitops/argocd): its
# discover and generate commands run the way the repo server runs them (in the
# application's directory, as uid 999, with ARGOCD_APP_* in a bare environment); the
# output validates and lands in the application's namespace; a bad spec fails generation
# with nothing on stdout; the sidecar patch applies to a repo-server Deployment.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

DOC="$SRC/docs/gitops/argocd"
"$PYTHON" - "$DOC/plugin.yaml" "$TEST_TMP" <<'PY' || fail "plugin.yaml"
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
assert p["apiVersion"] == "argoproj.io/v1alpha1" and p["kind"] == "ConfigManagementPlugin", p
assert p["metadata"]["name"] == "kubectl-feast"
s = p["spec"]
assert set(s) <= {"version", "init", "generate", "discover", "parameters", "preserveFileMode", "provideGitCreds"}, s
gen = s["generate"]["command"] + s["generate"].get("args", [])
disc = s["discover"]["find"]["command"] + s["discover"]["find"].get("args", [])
assert "kubectl-feast render -f ." in " ".join(gen), gen
for name, argv in (("generate", gen), ("discover", disc)):
    with open("%s/%s.argv" % (sys.argv[2], name), "w") as f:
        f.write("\0".join(argv))
PY

# run_as_repo_server DIR CMD-FILE [ENV...]: the command of CMD-FILE (NUL-separated argv) in DIR,
# as uid 999 with only PATH, HOME and the given variables, stdin closed.
run_as_repo_server() {
	dir=$1 argv=$2
	shift 2
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
		set -- setpriv --reuid=999 --regid=999 --clear-groups env -i "$@"
	else
		set -- env -i "$@"
	fi
	(cd "$dir" && xargs -0 -a "$argv" "$@" PATH="$TEST_TMP/bin:/usr/bin:/bin" HOME=/home/argocd </dev/null)
}
# A checkout and a plugin binary the repo server's user can read (the build tree may not be).
app="$TEST_TMP/repo/driver-stats"
mkdir -p "$app" "$TEST_TMP/repo/plain" "$TEST_TMP/bin"
cp "$FEAST" "$TEST_TMP/bin/kubectl-feast"
cp "$DOC/example/"*.yaml "$app/"
cp "$SRC/docs/gitops/kustomize/base/manifests.yaml" "$TEST_TMP/repo/plain/"
chmod -R a+rX "$TEST_TMP"
[ "$(id -u)" != 0 ] || setpriv --reuid=999 --regid=999 --clear-groups test -x "$TEST_TMP/bin/kubectl-feast" ||
	fail "uid 999 cannot run the plugin"

# discover: the application directory is the plugin's; a directory of plain manifests is not.
out=$(run_as_repo_server "$app" "$TEST_TMP/discover.argv") || fail "discover failed"
[ -n "$out" ] || fail "discover did not claim a directory with a FeatureStore"
out=$(run_as_repo_server "$TEST_TMP/repo/plain" "$TEST_TMP/discover.argv") || fail "discover failed on plain manifests"
[ -z "$out" ] || fail "discover claimed a directory without a FeatureStore: $out"

# generate, as for an Application with destination namespace feast-demo.
run_as_repo_server "$app" "$TEST_TMP/generate.argv" ARGOCD_APP_NAME=driver-stats ARGOCD_APP_NAMESPACE=feast-demo \
	ARGOCD_APP_REVISION=0123abcd KUBE_VERSION=1.32 KUBE_API_VERSIONS=v1,apps/v1 \
	>"$TEST_TMP/out.yaml" 2>"$TEST_TMP/err" || { cat "$TEST_TMP/err"; fail "generate failed"; }
validate_manifests --strict "$TEST_TMP/out.yaml" >"$TEST_TMP/vm" || { cat "$TEST_TMP/vm"; fail "generate's output does not validate"; }
"$PYTHON" - "$TEST_TMP/out.yaml" <<'PY' || fail "generate's output"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = [d["kind"] for d in docs]
assert "Deployment" in kinds and "HorizontalPodAutoscaler" in kinds and "NetworkPolicy" in kinds, kinds
for d in docs:
    if d["kind"] == "ClusterRole":
        continue
    if d["kind"] == "ClusterRoleBinding":
        assert {s["namespace"] for s in d["subjects"]} == {"feast-demo"}, d["subjects"]
        continue
    if d["kind"] == "NetworkPolicy":
        # passed through, with -n filled in as kubectl would (its spec as written)
        assert d["metadata"]["namespace"] == "feast-demo" and d["spec"], d
        continue
    assert d["metadata"]["namespace"] == "feast-demo", (d["kind"], d["metadata"])
print(len(docs), "objects")
PY

# A broken spec fails generation, and nothing partial reaches stdout.
sed 's/maxReplicas: 10/maxReplicas: ten/' "$DOC/example/featurestore.yaml" >"$app/featurestore.yaml"
if run_as_repo_server "$app" "$TEST_TMP/generate.argv" ARGOCD_APP_NAMESPACE=feast-demo >"$TEST_TMP/bad.out" 2>"$TEST_TMP/bad.err"; then
	fail "generate succeeded on an invalid spec"
fi
[ ! -s "$TEST_TMP/bad.out" ] || fail "generate printed objects for an invalid spec"
grep -q '^error: \./featurestore.yaml:[0-9]*:[0-9]*: spec.services.scaling.autoscaling.maxReplicas' "$TEST_TMP/bad.err" ||
	{ cat "$TEST_TMP/bad.err"; fail "generate's error does not name the field"; }

# The repo-server patch, as its comment says to use it, on a stand-in Deployment.
mkdir -p "$TEST_TMP/argocd"
cp "$DOC/plugin.yaml" "$DOC/cmp-sidecar.yaml" "$TEST_TMP/argocd/"
cat >"$TEST_TMP/argocd/repo-server.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: argocd-repo-server}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argocd-repo-server}
    spec:
      containers:
      - name: argocd-repo-server
        image: quay.io/argoproj/argocd:v2.13.0
      volumes:
      - name: var-files
        emptyDir: {}
      - name: plugins
        emptyDir: {}
YAML
cat >"$TEST_TMP/argocd/kustomization.yaml" <<'YAML'
resources: [repo-server.yaml]
configMapGenerator:
- name: kubectl-feast-cmp-plugin
  files: [plugin.yaml]
patches:
- path: cmp-sidecar.yaml
YAML
kubectl kustomize "$TEST_TMP/argocd" >"$TEST_TMP/argocd.yaml" || fail "the sidecar patch does not build"
validate_manifests --strict "$TEST_TMP/argocd.yaml" >"$TEST_TMP/argocd.vm" || { cat "$TEST_TMP/argocd.vm"; fail "patched repo server does not validate"; }
"$PYTHON" - "$TEST_TMP/argocd.yaml" "$DOC/plugin.yaml" <<'PY' || fail "the patched repo server"
import sys, yaml
docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
cm, dep = docs["ConfigMap"], docs["Deployment"]
assert cm["data"]["plugin.yaml"] == open(sys.argv[2]).read()
pod = dep["spec"]["template"]["spec"]
side = [c for c in pod["containers"] if c["name"] == "kubectl-feast"][0]
assert side["command"] == ["/var/run/argocd/argocd-cmp-server"]
mounts = {m["mountPath"]: m for m in side["volumeMounts"]}
assert mounts["/home/argocd/cmp-server/config/plugin.yaml"]["subPath"] == "plugin.yaml"
vol = [v for v in pod["volumes"] if v["name"] == mounts["/home/argocd/cmp-server/config/plugin.yaml"]["name"]][0]
assert vol["configMap"]["name"] == cm["metadata"]["name"], (vol, cm["metadata"]["name"])
assert {"var-files", "plugins"} <= {v["name"] for v in pod["volumes"]}
PY
