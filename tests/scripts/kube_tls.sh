# kube_tls.sh -- the kube client's TLS against the test API server: CA file and -data,
# client certificates (file and -data), a wrong CA, tls-server-name, insecure only when asked.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
LITE="$FEAST_BUILD_DIR/kubectl-lite"
apiserver_start
C=$APISERVER_DIR/certs

# CA file and bearer token (the kubeconfig apiserver_start wrote).
"$LITE" get /api/v1/namespaces/default >out 2>err || fail "token and CA file: $(cat err)"
grep -q '"name":"default"' out || fail "GET namespace: $(cat out)"

# CA and client certificate as -data fields: the server sees the certificate's user.
b64() { base64 -w0 "$1"; }
cat >kc-data <<KC
apiVersion: v1
kind: Config
current-context: d
clusters:
- name: d
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(b64 "$C/ca.crt")
users:
- name: d
  user:
    client-certificate-data: $(b64 "$C/client.crt")
    client-key-data: $(b64 "$C/client.key")
contexts:
- name: d
  context: {cluster: d, user: d}
KC
apiserver_admin DELETE /admin/requests >/dev/null
"$LITE" --kubeconfig kc-data get /api/v1/namespaces/kube-system >out 2>err || fail "-data fields: $(cat err)"
apiserver_admin GET /admin/requests >log
grep -q '"user": *"client-user"' log || fail "client certificate not used: $(cat log)"

# The same certificate from files given as flags (they replace the -data fields).
"$LITE" --kubeconfig kc-data --client-certificate "$C/client.crt" --client-key "$C/client.key" \
	get /api/v1/namespaces >/dev/null 2>err || fail "client certificate files: $(cat err)"

# A wrong CA fails, and says against which CA the certificate was checked.
expect_exit 3 "$LITE" --certificate-authority "$C/wrong-ca.crt" get /api/v1/namespaces 2>err >out
grep -q "the API server's certificate could not be verified against the configured CA, --certificate-authority $C/wrong-ca.crt" err ||
	fail "wrong CA message: $(cat err)"
[ ! -s out ] || fail "output after a TLS failure"
sed "s|certificate-authority-data: .*|certificate-authority-data: $(b64 "$C/wrong-ca.crt")|" kc-data >kc-wrong
expect_exit 3 "$LITE" --kubeconfig kc-wrong get /api 2>err
grep -q "against the configured CA, certificate-authority-data of cluster \"d\" in kc-wrong" err ||
	fail "wrong CA data message: $(cat err)"
# No CA configured: the system's store does not know the test CA.
: >empty.yaml
expect_exit 3 "$LITE" --kubeconfig empty.yaml -s "$APISERVER_URL" --token "$APISERVER_TOKEN" get /api 2>err
grep -q "against the system's trusted CAs" err || fail "no CA message: $(cat err)"

# tls-server-name: verify a name the certificate has while connecting by address.
"$LITE" --tls-server-name localhost get /api >/dev/null 2>err || fail "tls-server-name localhost: $(cat err)"
expect_exit 3 "$LITE" --tls-server-name other.example get /api 2>err
grep -q "not valid for the name other.example" err || fail "server name message: $(cat err)"

# Insecure only when asked, and never silently.
"$LITE" --kubeconfig empty.yaml --insecure-skip-tls-verify -s "$APISERVER_URL" --token "$APISERVER_TOKEN" \
	get /api >/dev/null 2>err || fail "insecure: $(cat err)"
grep -q "warning: the API server's certificate will not be checked" err || fail "no insecure warning"

# Without credentials the server answers 401 and the message says so.
expect_exit 3 "$LITE" --kubeconfig empty.yaml -s "$APISERVER_URL" --certificate-authority "$C/ca.crt" \
	get /api/v1/namespaces 2>err
grep -q "from server (Unauthorized)" err || fail "401 message: $(cat err)"

# The real kubectl agrees with every verdict above.
kubectl --kubeconfig kc-data get namespace kube-system -o name >out 2>err || fail "kubectl -data: $(cat err)"
grep -qx "namespace/kube-system" out || fail "kubectl output: $(cat out)"
if kubectl --kubeconfig kc-wrong get namespaces >/dev/null 2>err; then fail "kubectl accepted the wrong CA"; fi
grep -q "certificate signed by unknown authority" err || fail "kubectl wrong CA: $(cat err)"
kubectl --tls-server-name localhost get namespaces -o name >/dev/null 2>err || fail "kubectl server name: $(cat err)"
