# sidecar_api_lock.sh -- lock against the test API server: create on 404, PUTs that keep others'
# metadata, fail-closed exit codes (wrong CA 78, forbidden 69, unreachable 69, no namespace 78),
# a token file rotated under a holder (401 -> re-read -> the lease is kept), and the in-cluster
# configuration (service account files, POD_NAME identity).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
printf 'token-one' >token
use_apiserver --token-file-user "$TEST_TMP/token=rotating-user" --log "$TEST_TMP/requests.log"

# Created on first use, fence and generation as with any backend.
"$SIDECAR" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence1'
[ "$(cat fence1)" = 0 ] || fail "first fence $(cat fence1)"
"$SIDECAR" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence2'
[ "$(cat fence2)" = 1 ] || fail "second fence $(cat fence2)"
[ "$(lease_field generation)" = 2 ] || fail "generation $(lease_field generation)"
[ "$(lease_field holderIdentity)" = "" ] || fail "not released"

# A label and an annotation put on the Lease by someone else survive our PUTs.
apiserver_curl "$LEASE_PATH" -X PATCH -H 'Content-Type: application/merge-patch+json' \
	-d '{"metadata":{"labels":{"team":"ml"},"annotations":{"note":"keep me"}}}' >/dev/null
"$SIDECAR" lock $FILEB $T -- true
lease_json | grep -q '"team":"ml"' || fail "a label was lost: $(lease_json)"
lease_json | grep -q '"note":"keep me"' || fail "an annotation was lost: $(lease_json)"
[ "$(lease_field generation)" = 3 ] || fail "generation $(lease_field generation)"

# Fail closed: the command never runs.
sed "s|certificate-authority: .*|certificate-authority: $APISERVER_DIR/certs/wrong-ca.crt|" "$KUBECONFIG" >wrongca
t0=$(now_ms)
expect_exit 78 env KUBECONFIG=wrongca "$SIDECAR" lock $FILEB $T -w 30 -- touch ran 2>err
[ $(($(now_ms) - t0)) -lt $((TREQ_MS + SLACK_MS)) ] || fail "wrong CA: waited instead of failing at once"
grep -q 'could not be verified' err || fail "wrong CA message: $(cat err)"
apiserver_kubeconfig forbidden "$APISERVER_FORBIDDEN_TOKEN"
expect_exit 69 env KUBECONFIG=forbidden "$SIDECAR" lock $FILEB $T -w 30 -- touch ran 2>err
grep -q 'forbidden' err || fail "forbidden message: $(cat err)"
sed "s|server: .*|server: https://127.0.0.1:1|" "$KUBECONFIG" >unreachable
t0=$(now_ms)
expect_exit 69 env KUBECONFIG=unreachable "$SIDECAR" lock $FILEB $T -w 1 -- touch ran 2>err
[ $(($(now_ms) - t0)) -ge 1000 ] || fail "unreachable: gave up before -w"
expect_exit 78 "$SIDECAR" lock $FILEB -n no-such-namespace $T -w 30 -- touch ran 2>err
grep -q 'not found' err || fail "missing namespace message: $(cat err)"
expect_exit 78 env KUBECONFIG=/nonexistent "$SIDECAR" lock $FILEB $T -- touch ran 2>err
expect_exit 78 "$SIDECAR" lock $FILEB $T --request-timeout 0 -- touch ran 2>err
grep -q 'request-timeout 0' err || fail "--request-timeout 0 message: $(cat err)"
[ ! -e ran ] || fail "a command ran without the lock"

# Token file rotated while holding: the old token gets 401, the client
# re-reads the file and retries; the lease is kept, the command finishes.
cat >tokencfg <<YAML
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: "$APISERVER_URL", certificate-authority: "$APISERVER_CA"}
users:
- name: rot
  user: {tokenFile: "$TEST_TMP/token"}
contexts:
- name: test
  context: {cluster: test, user: rot, namespace: default}
current-context: test
YAML
rm -f up
KUBECONFIG=tokencfg "$SIDECAR" lock $FILEB $T -- sh -c 'touch up; sleep 2; echo done >finished' 2>rot.err &
lk=$!
track $lk
wait_for 5 test -e up || fail "holder did not start: $(cat rot.err)"
sleep 0.5
printf 'token-two' >token.new
mv token.new token
wait $lk || fail "the holder lost its lock over a token rotation: $(cat rot.err)"
[ -e finished ] || fail "command did not finish"
# The log proves the path: a renewal answered 401 with the old token, then
# the same request accepted for rotating-user with the new one.
"$PYTHON" - requests.log <<'PY' || fail "the rotation was not exercised: $(tail -5 requests.log)"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
renew = [r for r in reqs if r["method"] == "PUT" and r["agent"].startswith("feast-sidecar")]
i = next(i for i, r in enumerate(renew) if r["code"] == 401)
assert any(r["code"] == 200 and r["user"] == "rotating-user" for r in renew[i + 1:]), renew[i:]
PY

# In a pod: no kubeconfig, the service account's token, CA and namespace,
# KUBERNETES_SERVICE_HOST/PORT, and POD_NAME as the identity.
mkdir -p sa home
printf '%s' "$APISERVER_TOKEN" >sa/token
cp "$APISERVER_CA" sa/ca.crt
printf 'kube-system' >sa/namespace
incluster() {
	env -u KUBECONFIG HOME="$TEST_TMP/home" KUBERNETES_SERVICE_HOST=127.0.0.1 \
		KUBERNETES_SERVICE_PORT="$APISERVER_PORT" FEAST_SERVICEACCOUNT_DIR="$TEST_TMP/sa" \
		POD_NAME=feast-demo-7d9c-x2x4q "$@"
}
incluster "$SIDECAR" lock --lease pod-lock $T -- sh -c 'touch incluster'
[ -e incluster ] || fail "in-cluster lock did not run"
apiserver_curl /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/pod-lock >pl.json
grep -q '"namespace":"kube-system"' pl.json || fail "not in the service account's namespace: $(cat pl.json)"
# While held, the holder is the pod's name.
incluster "$SIDECAR" lock --lease pod-lock $T -- sh -c \
	"curl -sS --cacert '$APISERVER_CA' -H 'Authorization: Bearer $APISERVER_TOKEN' \
	 '$APISERVER_URL/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/pod-lock' >held.json"
grep -q '"holderIdentity":"feast-demo-7d9c-x2x4q"' held.json || fail "identity is not POD_NAME: $(cat held.json)"
incluster env POD_NAMESPACE=default "$SIDECAR" lock --lease pod-lock-2 $T -- true
apiserver_curl /apis/coordination.k8s.io/v1/namespaces/default/leases/pod-lock-2 | grep -q '"name":"pod-lock-2"' ||
	fail "POD_NAMESPACE not used"
echo ok
