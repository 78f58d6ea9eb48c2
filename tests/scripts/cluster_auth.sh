# cluster_auth.sh -- how the cluster commands connect: exec credential plugins, a merged
# KUBECONFIG (context namespace included), client certificates, a wrong CA (exit 3, no
# silent skip), expired and forbidden tokens (the server's Status, exit 3), impersonation
# (--as, --as-group, --as-uid) and basic auth (username/password in the kubeconfig).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 0.2 feast team
T=$TEST_TMP
C=$APISERVER_DIR/certs
cat >store.yaml <<'YAML'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata: {name: shop}
spec:
  feastProject: shop
  services:
    onlineStore:
      persistence:
        store: {type: postgres, secretRef: {name: stores}}
YAML

# ---- exec credential plugin: run once for the whole command ----
apiserver_admin POST /admin/tokens '{"token": "exec-token", "user": "exec-user"}' >/dev/null
cat >cred.sh <<'SH'
#!/bin/sh
echo run >>"$(dirname "$0")/cred-runs"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}\n'
SH
chmod +x cred.sh
cat >kc-exec <<KC
apiVersion: v1
kind: Config
current-context: e
clusters:
- {name: e, cluster: {server: "$APISERVER_URL", certificate-authority: $C/ca.crt}}
users:
- name: e
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./cred.sh, interactiveMode: Never}
contexts:
- {name: e, context: {cluster: e, user: e, namespace: feast}}
KC
apiserver_admin DELETE /admin/requests >/dev/null
expect_run 0 "$FEAST" apply -f store.yaml --kubeconfig kc-exec
has out '^deployment.apps/feast-shop created$'
[ "$(wc -l <cred-runs)" = 1 ] || fail "the exec plugin ran $(wc -l <cred-runs) times"
apiserver_admin GET '/admin/requests?user=exec-user' >log
has log '"PATCH /apis/apps/v1/namespaces/feast/deployments/feast-shop": *1' "not applied as exec-user"
expect_run 0 "$FEAST" status shop --kubeconfig kc-exec
has out '^Namespace: +feast$'

# ---- merged KUBECONFIG: context and cluster from the first file, the user from the second ----
cat >kc-a <<KC
apiVersion: v1
kind: Config
current-context: m
clusters:
- {name: m, cluster: {server: "$APISERVER_URL", certificate-authority: $C/ca.crt}}
contexts:
- {name: m, context: {cluster: m, user: m, namespace: team}}
KC
cat >kc-b <<KC
apiVersion: v1
kind: Config
current-context: other
clusters:
- {name: m, cluster: {server: "https://127.0.0.1:1"}}
users:
- {name: m, user: {token: $APISERVER_TOKEN}}
KC
KUBECONFIG="$T/kc-a:$T/missing:$T/kc-b" expect_run 0 "$FEAST" apply -f store.yaml
has out '^deployment.apps/feast-shop created$'
expect_run 0 kubectl get deploy feast-shop -n team
expect_run 0 kubectl get rolebinding feast-shop -n team -o jsonpath='{.subjects[0].namespace}'
[ "$(cat out)" = team ] || fail "the RoleBinding binds the account of namespace '$(cat out)'"
KUBECONFIG="$T/kc-a:$T/kc-b" expect_run 0 "$FEAST" apply -f store.yaml -n feast --dry-run=server
has out '^deployment.apps/feast-shop unchanged \(server dry run\)$'

# ---- client certificates (the last apply put the store in team) ----
apiserver_kubeconfig kc-cert "" team
expect_run 0 "$FEAST" diff -f store.yaml --kubeconfig kc-cert

# ---- a wrong CA: a clear TLS error, nothing sent, no silent fallback ----
sed "s|$C/ca.crt|$C/wrong-ca.crt|" kc-a >kc-wrong
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 3 "$FEAST" apply -f store.yaml
has err 'certificate' "the TLS failure does not say what is wrong"
has err "wrong-ca.crt" "the error does not name the CA in use"
[ ! -s out ] || fail "printed results despite the TLS failure: $(cat out)"
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 3 "$FEAST" status shop
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 3 "$FEAST" diff -f store.yaml
# Skipping verification is possible only when asked, and never silently.
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 0 "$FEAST" status shop --insecure-skip-tls-verify
has err '^warning: .*insecure' "skipping TLS verification without a warning"

# ---- tokens: expired (401) and without rights (403) ----
apiserver_admin POST /admin/tokens '{"token": "short-lived", "user": "temp", "expiresIn": 0.5}' >/dev/null
sleep 0.7
expect_run 3 "$FEAST" apply -f store.yaml -n feast --token short-lived
has err '^error: from server \(Unauthorized\): Unauthorized$'
expect_run 3 "$FEAST" status shop -n feast --token short-lived
has err 'Unauthorized'
expect_run 3 "$FEAST" apply -f store.yaml -n feast --token "$APISERVER_FORBIDDEN_TOKEN"
has err '^error: from server \(Forbidden\): '
has err 'stopped at clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role: 0 of 8 objects'
# A token that expires in the middle of a run: the run stops there and says so.
apiserver_admin POST /admin/tokens '{"token": "mid", "user": "temp"}' >/dev/null
apiserver_admin POST /admin/faults '{"type": "latency", "seconds": 0.4, "user": "temp"}' >/dev/null
apiserver_admin POST /admin/tokens/expire '{"token": "mid", "after": 1.5}' >/dev/null
sed 's/name: shop/name: late/; s/feastProject: shop/feastProject: late/' store.yaml >late.yaml
expect_run 3 "$FEAST" apply -f late.yaml -n feast --token mid
has err '^error: from server \(Unauthorized\): Unauthorized$'
has err '^error: stopped at .*: [1-7] of 8 objects were applied before it'
apiserver_admin DELETE /admin/faults >/dev/null
expect_run 0 "$FEAST" apply -f late.yaml -n feast
has out '^deployment.apps/feast-late (created|configured)$'

# ---- impersonation (--as, --as-group, --as-uid): the server decides as that user ----
expect_run 3 "$FEAST" status shop -n feast --as=forbidden-user
has err "^error: from server \\(Forbidden\\): .*is forbidden: User \"forbidden-user\" cannot get resource"
expect_run 3 "$FEAST" apply -f store.yaml -n feast --as=forbidden-user --as-group=team
has err '^error: from server \(Forbidden\): clusterroles.rbac.authorization.k8s.io "feast-token-review-cluster-role" is forbidden: User "forbidden-user" cannot get resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope$'
has err 'stopped at clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role: 0 of 8 objects'
apiserver_admin DELETE /admin/requests >/dev/null
expect_run 0 "$FEAST" apply -f store.yaml -n feast --as=ops --as-group=a --as-group=b --as-uid=42
has out '^deployment.apps/feast-shop (unchanged|configured)$'
apiserver_admin GET '/admin/requests?user=ops' >log
has log '"impersonator": *"test-user"' "not applied as ops, impersonated by test-user"
expect_run 0 "$FEAST" status shop -n feast --as=test-user
has out '^Namespace: +feast$'
# Groups or a uid without a user: refused before sending, as kubectl does.
apiserver_admin DELETE /admin/requests >/dev/null
expect_run 3 "$FEAST" status shop -n feast --as-group=team
has err '^error: requesting uid, groups or user-extra for test without impersonating a user$'
apiserver_admin GET /admin/requests >log
has log '"total": *0' "requests were sent with groups but no user to impersonate"
# The forbidden token may not impersonate at all.
expect_run 3 "$FEAST" status shop -n feast --token "$APISERVER_FORBIDDEN_TOKEN" --as=test-user
has err '^error: from server \(Forbidden\): users "test-user" is forbidden: User "forbidden-user" cannot impersonate resource "users" in API group "" at the cluster scope$'

# ---- basic auth from the kubeconfig: username and password ----
cat >kc-basic <<KC
apiVersion: v1
kind: Config
current-context: b
clusters:
- {name: b, cluster: {server: "$APISERVER_URL", certificate-authority: $C/ca.crt}}
users:
- {name: b, user: {username: $APISERVER_BASIC_USER, password: $APISERVER_BASIC_PASSWORD}}
contexts:
- {name: b, context: {cluster: b, user: b, namespace: feast}}
KC
apiserver_admin DELETE /admin/requests >/dev/null
expect_run 0 "$FEAST" status shop --kubeconfig kc-basic
has out '^Namespace: +feast$'
apiserver_admin GET "/admin/requests?user=$APISERVER_BASIC_USER" >log
has log '"total": *[1-9]' "status did not authenticate as the basic-auth user"
expect_run 0 "$FEAST" apply -f store.yaml --kubeconfig kc-basic
sed "s/password: $APISERVER_BASIC_PASSWORD/password: wrong/" kc-basic >kc-basic-wrong
expect_run 3 "$FEAST" status shop --kubeconfig kc-basic-wrong
has err '^error: from server \(Unauthorized\): Unauthorized$'
expect_run 3 "$FEAST" apply -f store.yaml --kubeconfig kc-basic-wrong
has err '^error: from server \(Unauthorized\): Unauthorized$'
# Impersonation on top of basic auth.
expect_run 3 "$FEAST" status shop --kubeconfig kc-basic --as=forbidden-user
has err 'User "forbidden-user" cannot get resource'
