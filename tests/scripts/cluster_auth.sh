# cluster_auth.sh -- how the cluster commands connect to a real API server: exec credential
# plugins, a merged KUBECONFIG (context namespace included), client certificates, a wrong CA
# (exit 3, no silent skip), revoked and forbidden tokens (the server's Status, exit 3) and
# impersonation (--as, --as-group, --as-uid). Tokens that expire and basic auth, which
# kube-apiserver no longer offers: cluster_auth_faults.sh.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast team
T=$TEST_TMP
P=$CLUSTER_DIR/pki
# as_user USER: the requests since audit_mark that impersonated USER, as
# "VERB URI UID GROUP,GROUP... IMPERSONATOR" (the audit log's impersonatedUser).
as_user() {
	audit_sync
	tail -n "+$((AUDIT_MARK + 1))" "$CLUSTER_DIR/audit.log" | "$PYTHON" -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    i = e.get("impersonatedUser") or {}
    if i.get("username") == sys.argv[1]:
        print(e["verb"], e["requestURI"], i.get("uid", "-"), ",".join(i.get("groups", [])), e["user"]["username"])' "$1"
}
cp "$FEAST_SOURCE_DIR/testdata/cluster/shop-postgres.yaml" store.yaml
# The same store under another name for namespace team: ClusterRoleBinding names are
# cluster-wide, so one name may live in one namespace only (apply refuses the second).
sed 's/name: shop}/name: shopt}/' store.yaml >store-team.yaml

# ---- exec credential plugin: run once for the whole command ----
# Its token is a ServiceAccount's (exec-user, bound to cluster-admin), issued by the server.
kubectl create serviceaccount exec-user -n feast >/dev/null
kubectl create clusterrolebinding exec-user --clusterrole=cluster-admin --serviceaccount=feast:exec-user >/dev/null
exec_token=$(kubectl create token exec-user -n feast)
cat >cred.sh <<SH
#!/bin/sh
echo run >>"\$(dirname "\$0")/cred-runs"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\\n' "$exec_token"
SH
chmod +x cred.sh
cat >kc-exec <<KC
apiVersion: v1
kind: Config
current-context: e
clusters:
- {name: e, cluster: {server: "$CLUSTER_URL", certificate-authority: $CLUSTER_CA}}
users:
- name: e
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./cred.sh, interactiveMode: Never}
contexts:
- {name: e, context: {cluster: e, user: e, namespace: feast}}
KC
audit_mark
expect_run 0 "$FEAST" apply -f store.yaml --kubeconfig kc-exec
has out '^deployment.apps/feast-shop created$'
[ "$(wc -l <cred-runs)" = 1 ] || fail "the exec plugin ran $(wc -l <cred-runs) times"
audit_requests --user system:serviceaccount:feast:exec-user >log
has log '^patch /apis/apps/v1/namespaces/feast/deployments/feast-shop\?.* 20[01] ' "not applied as exec-user"
expect_run 0 "$FEAST" status shop --kubeconfig kc-exec
has out '^Namespace: +feast$'

# ---- merged KUBECONFIG: context and cluster from the first file, the user from the second ----
cat >kc-a <<KC
apiVersion: v1
kind: Config
current-context: m
clusters:
- {name: m, cluster: {server: "$CLUSTER_URL", certificate-authority: $CLUSTER_CA}}
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
- {name: m, user: {token: $CLUSTER_ADMIN_TOKEN}}
KC
KUBECONFIG="$T/kc-a:$T/missing:$T/kc-b" expect_run 0 "$FEAST" apply -f store-team.yaml
has out '^deployment.apps/feast-shopt created$'
expect_run 0 kubectl get deploy feast-shopt -n team
expect_run 0 kubectl get rolebinding feast-shopt -n team -o jsonpath='{.subjects[0].namespace}'
[ "$(cat out)" = team ] || fail "the RoleBinding binds the account of namespace '$(cat out)'"
KUBECONFIG="$T/kc-a:$T/kc-b" expect_run 0 "$FEAST" apply -f store.yaml -n feast --dry-run=server
has out '^deployment.apps/feast-shop unchanged \(server dry run\)$'

# ---- client certificates (the last apply put the store in team) ----
# A certificate from the cluster's CA for cert-user in group system:masters.
openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=cert-user" -keyout client.key \
	-out client.csr 2>/dev/null
openssl x509 -req -in client.csr -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 1 \
	-out client.crt 2>/dev/null
cat >kc-cert <<KC
apiVersion: v1
kind: Config
current-context: c
clusters:
- {name: c, cluster: {server: "$CLUSTER_URL", certificate-authority: $CLUSTER_CA}}
users:
- {name: c, user: {client-certificate: $T/client.crt, client-key: $T/client.key}}
contexts:
- {name: c, context: {cluster: c, user: c, namespace: team}}
KC
audit_mark
expect_run 0 "$FEAST" diff -f store-team.yaml --kubeconfig kc-cert
[ "$(audit_count --user cert-user --agent kubectl-feast)" -gt 0 ] || fail "diff did not authenticate as cert-user"

# ---- a wrong CA: a clear TLS error, nothing sent, no silent fallback ----
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=wrong-ca" -keyout wrong-ca.key \
	-out wrong-ca.crt 2>/dev/null
sed "s|$CLUSTER_CA|$T/wrong-ca.crt|" kc-a >kc-wrong
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 3 "$FEAST" apply -f store.yaml
has err 'certificate' "the TLS failure does not say what is wrong"
has err "wrong-ca.crt" "the error does not name the CA in use"
[ ! -s out ] || fail "printed results despite the TLS failure: $(cat out)"
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 3 "$FEAST" status shop
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 3 "$FEAST" diff -f store.yaml
# Skipping verification is possible only when asked, and never silently.
KUBECONFIG="$T/kc-wrong:$T/kc-b" expect_run 0 "$FEAST" status shopt --insecure-skip-tls-verify
has err '^warning: .*insecure' "skipping TLS verification without a warning"

# ---- tokens: revoked (401) and without rights (403) ----
# A ServiceAccount's token stops working when the account is deleted. (Not used before:
# the API server caches a token it accepted for 10 s.)
kubectl create serviceaccount temp -n feast >/dev/null
temp_token=$(kubectl create token temp -n feast)
kubectl delete serviceaccount temp -n feast >/dev/null
expect_run 3 "$FEAST" apply -f store.yaml -n feast --token "$temp_token"
has err '^error: from server \(Unauthorized\): Unauthorized$'
expect_run 3 "$FEAST" status shop -n feast --token "$temp_token"
has err 'Unauthorized'
expect_run 3 "$FEAST" apply -f store.yaml -n feast --token "$CLUSTER_USER_TOKEN"
has err '^error: from server \(Forbidden\): '
has err 'stopped at clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role: 0 of 9 objects'

# ---- impersonation (--as, --as-group, --as-uid): the server decides as that user ----
# test-user has no rights; the group feast-admins is bound to cluster-admin.
kubectl create clusterrolebinding feast-admins --clusterrole=cluster-admin --group=feast-admins >/dev/null
expect_run 3 "$FEAST" status shop -n feast --as=test-user
has err "^error: from server \\(Forbidden\\): .*is forbidden: User \"test-user\" cannot get resource"
expect_run 3 "$FEAST" apply -f store.yaml -n feast --as=test-user --as-group=team
has err '^error: from server \(Forbidden\): clusterroles.rbac.authorization.k8s.io "feast-token-review-cluster-role" is forbidden: User "test-user" cannot patch resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope$'
has err 'stopped at clusterrole.rbac.authorization.k8s.io/feast-token-review-cluster-role: 0 of 9 objects'
audit_mark
# --skip-unchanged=false: the store is applied already, and the write is what must be impersonated.
expect_run 0 "$FEAST" apply -f store.yaml -n feast --as=ops --as-group=feast-admins --as-group=b --as-uid=42 \
	--skip-unchanged=false
has out '^deployment.apps/feast-shop (unchanged|configured)$'
as_user ops >log
has log '^patch /apis/apps/v1/namespaces/feast/deployments/feast-shop\?.* 42 feast-admins,b,system:authenticated admin$' \
	"not applied as ops (uid 42, groups feast-admins and b), impersonated by admin"
expect_run 0 "$FEAST" status shop -n feast --as=ops --as-group=feast-admins
has out '^Namespace: +feast$'
# Groups or a uid without a user: refused before sending, as kubectl does.
audit_mark
expect_run 3 "$FEAST" status shop -n feast --as-group=team
has err '^error: requesting uid, groups or user-extra for test without impersonating a user$'
[ "$(audit_count --agent kubectl-feast)" = 0 ] || fail "requests were sent with groups but no user to impersonate: $(audit_requests)"
# A user without rights may not impersonate at all.
expect_run 3 "$FEAST" status shop -n feast --token "$CLUSTER_USER_TOKEN" --as=admin
has err '^error: from server \(Forbidden\): users "admin" is forbidden: User "test-user" cannot impersonate resource "users" in API group "" at the cluster scope$'
