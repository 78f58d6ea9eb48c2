# kube_kubeconfig.sh -- a merged KUBECONFIG means the same to the kube client as to the real
# kubectl: first file wins, current-context from the first file that sets it, relative paths
# against each file's folder, flags on top, exec and tokenFile users.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
LITE="$FEAST_BUILD_DIR/kubectl-lite"
apiserver_start
T=$TEST_TMP
mkdir -p cfg-a/pki cfg-b elsewhere
cp "$APISERVER_CA" cfg-a/pki/ca.crt
echo "$APISERVER_TOKEN" >cfg-a/token
cat >cfg-a/cred.sh <<'SH'
#!/bin/sh
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$CRED_TOKEN"
SH
chmod +x cfg-a/cred.sh

# a: the real cluster and users, relative paths, no current-context.
cat >cfg-a/config <<KC
apiVersion: v1
kind: Config
clusters:
- name: main
  cluster: {server: "$APISERVER_URL", certificate-authority: pki/ca.crt}
users:
- name: me
  user: {tokenFile: token}
- name: execu
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./cred.sh
      env: [{name: CRED_TOKEN, value: "$APISERVER_TOKEN"}]
      interactiveMode: Never
contexts:
- name: side
  context: {cluster: main, user: me, namespace: side-ns}
KC
# b: the current context, and entries that clash with a's (a's win, whole).
cat >cfg-b/config <<KC
apiVersion: v1
kind: Config
current-context: work
clusters:
- name: main
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: me
  user: {token: wrong-token}
contexts:
- name: work
  context: {cluster: main, user: me, namespace: work-ns}
KC
# c: would change current-context and work, but comes last.
cat >c.yaml <<KC
current-context: side
contexts:
- name: work
  context: {cluster: main, user: me, namespace: c-ns}
KC
export KUBECONFIG="$T/cfg-a/config:$T/missing.yaml:$T/cfg-b/config:$T/c.yaml"
cd elsewhere

# Both tools resolve the same server, context, user and namespace.
"$LITE" config >lite.json 2>err || fail "config: $(cat err)"
grep -q "\"server\": \"$APISERVER_URL\"" lite.json || fail "server: $(cat lite.json)"
grep -q '"context": "work"' lite.json || fail "context: $(cat lite.json)"
grep -q '"namespace": "work-ns"' lite.json || fail "namespace: $(cat lite.json)"
grep -q "\"caFile\": \"$T/cfg-a/pki/ca.crt\"" lite.json || fail "relative CA path: $(cat lite.json)"
grep -q "\"tokenFile\": \"$T/cfg-a/token\"" lite.json || fail "relative tokenFile: $(cat lite.json)"
[ "$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')" = "$APISERVER_URL" ] ||
	fail "kubectl sees another server"
[ "$(kubectl config current-context)" = work ] || fail "kubectl current-context"
[ "$(kubectl config view --minify -o jsonpath='{.contexts[0].context.namespace}')" = work-ns ] ||
	fail "kubectl namespace"

# And reach the server with it: what one writes, the other reads in the same namespace.
"$LITE" request POST /api/v1/namespaces -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"work-ns"}}' \
	>/dev/null 2>err || fail "create namespace: $(cat err)"
"$LITE" request POST /apis/coordination.k8s.io/v1/namespaces/work-ns/leases \
	-d '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"from-lite"},"spec":{}}' \
	>/dev/null 2>err || fail "create lease: $(cat err)"
kubectl get leases -o name >out 2>err || fail "kubectl get leases: $(cat err)"
grep -qx "lease.coordination.k8s.io/from-lite" out || fail "kubectl did not see the lease: $(cat out)"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-kubectl}\n' >cm.yaml
kubectl create -f cm.yaml >/dev/null 2>err || fail "kubectl create: $(cat err)"
"$LITE" get /api/v1/namespaces/work-ns/configmaps/from-kubectl >/dev/null 2>err ||
	fail "kubectl's object not in the same namespace: $(cat err)"

# Flags on top: --context, -n, --user (an exec plugin; relative command).
[ "$(kubectl config view --minify --context side -o jsonpath='{.contexts[0].context.namespace}')" = side-ns ] ||
	fail "kubectl --context"
"$LITE" --context side config | grep -q '"namespace": "side-ns"' || fail "lite --context"
"$LITE" --context side -n flag-ns config | grep -q '"namespace": "flag-ns"' || fail "lite -n"
"$LITE" --user execu config >lite.json
grep -q "\"execCommand\": \"$T/cfg-a/cred.sh\"" lite.json || fail "exec command path: $(cat lite.json)"
"$LITE" --user execu get /api/v1/namespaces/work-ns >/dev/null 2>err || fail "lite exec user: $(cat err)"
kubectl --user execu get namespace work-ns -o name >/dev/null 2>err || fail "kubectl exec user: $(cat err)"

# b's clashing entries were ignored by both: with only b, both fail the same way.
KUBECONFIG="$T/cfg-b/config" expect_exit 3 "$LITE" get /api 2>err
grep -q "cannot reach the API server" err || fail "b alone: $(cat err)"
if KUBECONFIG="$T/cfg-b/config" kubectl get namespaces >/dev/null 2>&1; then fail "kubectl reached 127.0.0.1:1"; fi
