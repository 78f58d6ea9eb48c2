# cluster_auth_faults.sh -- what the test API server alone can do for cluster_auth.sh: tokens that expire (before a run, and in the middle of one) and basic auth (username/password in the kubeconfig), which kube-apiserver no longer offers.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
apiserver_cluster_start 0.2 feast
C=$APISERVER_DIR/certs
cp "$FEAST_SOURCE_DIR/testdata/cluster/shop-postgres.yaml" store.yaml
expect_run 0 "$FEAST" apply -f store.yaml -n feast

# ---- an expired token (401) ----
apiserver_admin POST /admin/tokens '{"token": "short-lived", "user": "temp", "expiresIn": 0.5}' >/dev/null
sleep 0.7
expect_run 3 "$FEAST" apply -f store.yaml -n feast --token short-lived
has err '^error: from server \(Unauthorized\): Unauthorized$'
expect_run 3 "$FEAST" status shop -n feast --token short-lived
has err 'Unauthorized'
# A token that expires in the middle of a run: the run stops there and says so. It expires
# after half the requests a first apply of a store makes (counted on another store), not
# after a time, which a loaded machine would stretch.
apiserver_admin POST /admin/tokens '{"token": "counter", "user": "counter"}' >/dev/null
sed 's/name: shop/name: probe/; s/feastProject: shop/feastProject: probe/' store.yaml >probe.yaml
expect_run 0 "$FEAST" apply -f probe.yaml -n feast --token counter
apiserver_admin GET "/admin/requests?user=counter" >log
total=$("$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["total"])' <log)
[ "$total" -ge 4 ] || fail "a first apply made $total requests"
apiserver_admin POST /admin/tokens '{"token": "mid", "user": "temp"}' >/dev/null
apiserver_admin POST /admin/tokens/expire "{\"token\": \"mid\", \"afterRequests\": $((total / 2))}" >/dev/null
sed 's/name: shop/name: late/; s/feastProject: shop/feastProject: late/' store.yaml >late.yaml
expect_run 3 "$FEAST" apply -f late.yaml -n feast --token mid
has err '^error: from server \(Unauthorized\): Unauthorized$'
has err '^error: stopped at .*: [1-8] of 9 objects were applied'
expect_run 0 "$FEAST" apply -f late.yaml -n feast
has out '^deployment.apps/feast-late (created|configured)$'

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
