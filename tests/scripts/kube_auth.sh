# kube_auth.sh -- the kube client's credentials against the test API server: token files
# re-read on a 401 and every period, the in-cluster service account, exec credential
# plugins (cached until expiry, re-run on a 401), and 403 messages.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
LITE="$FEAST_BUILD_DIR/kubectl-lite"
T=$TEST_TMP
mkdir -p sa
echo sa-token-1 >sa/token
echo rot-1 >server-token
apiserver_start --token-file-user "$T/server-token=rotating-user" \
	--token-file-user "$T/sa/token=system:serviceaccount:team:feast"
C=$APISERVER_DIR/certs
NS=/api/v1/namespaces

# stat NAME: a value from the --stats line of the last run (in err).
stat() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" err | tail -n 1; }

# ---- a tokenFile that rotates (client and server file change together) ----
echo rot-1 >client-token
cat >kc-file <<KC
apiVersion: v1
kind: Config
current-context: f
clusters:
- {name: f, cluster: {server: "$APISERVER_URL", certificate-authority: apiserver/certs/ca.crt}}
users:
- {name: f, user: {tokenFile: client-token}}
contexts:
- {name: f, context: {cluster: f, user: f}}
KC
cat >rotate.sh <<'SH'
n=$(cat "$0.n" 2>/dev/null || echo 1); n=$((n + 1)); echo $n >"$0.n"
echo "rot-$n" >server-token
echo "rot-$n" >client-token
SH
# The cached token is rejected after the rotation: re-read the file, resend once.
"$LITE" --kubeconfig kc-file --stats --between "sh rotate.sh" repeat 2 $NS 2>err >/dev/null ||
	fail "token rotation: $(cat err)"
grep -q "code=200 retried=1" err || fail "no resend after the 401: $(cat err)"
[ "$(stat token_reads)" = 2 ] || fail "token reads: $(cat err)"
[ "$(stat requests)" = 3 ] || fail "requests: $(cat err)"
# Re-read every period: a rotation between requests costs no 401.
"$LITE" --kubeconfig kc-file --stats --token-reload 100ms --interval 200ms --between "sh rotate.sh" \
	repeat 3 $NS 2>err >/dev/null || fail "periodic re-read: $(cat err)"
grep -q "retried=1" err && fail "periodic re-read still met a 401: $(cat err)"
[ "$(stat token_reads)" = 3 ] || fail "token reads with a period: $(cat err)"
[ "$(stat connects)" = 1 ] || fail "rotation broke the kept-alive connection: $(cat err)"
# An unreadable token file is a clear error.
mv client-token client-token.bak
expect_exit 3 "$LITE" --kubeconfig kc-file get $NS 2>err
grep -q "unable to read tokenFile $T/client-token" err || fail "missing token file: $(cat err)"
mv client-token.bak client-token

# ---- in-cluster: service account directory, namespace file, rotation ----
cp "$C/ca.crt" sa/ca.crt
echo team >sa/namespace
mkdir -p nohome
incluster() {
	env -u KUBECONFIG HOME="$T/nohome" KUBERNETES_SERVICE_HOST=127.0.0.1 \
		KUBERNETES_SERVICE_PORT="$APISERVER_PORT" FEAST_SERVICEACCOUNT_DIR="$T/sa" "$LITE" "$@"
}
incluster config >cfg 2>err || fail "in-cluster config: $(cat err)"
grep -q '"inCluster": true' cfg || fail "not in-cluster: $(cat cfg)"
grep -q '"namespace": "team"' cfg || fail "namespace file: $(cat cfg)"
grep -q "\"server\": \"https://127.0.0.1:$APISERVER_PORT\"" cfg || fail "server: $(cat cfg)"
cat >rotate-sa.sh <<'SH'
n=$(cat "$0.n" 2>/dev/null || echo 1); n=$((n + 1)); echo $n >"$0.n"
echo "sa-token-$n" >sa/token.new && mv sa/token.new sa/token
SH
apiserver_admin DELETE /admin/requests >/dev/null
incluster --stats --between "sh rotate-sa.sh" repeat 2 $NS/team/pods 2>err >/dev/null ||
	fail "in-cluster with rotation: $(cat err)"
grep -q "retried=1" err || fail "in-cluster token not re-read after 401: $(cat err)"
apiserver_admin GET /admin/requests >log
grep -q '"user": *"system:serviceaccount:team:feast"' log || fail "service account user: $(cat log)"
# No service account and no kubeconfig: a clear error, not a guess.
expect_exit 3 env -u KUBECONFIG HOME="$T/nohome" FEAST_SERVICEACCOUNT_DIR="$T/nosa" "$LITE" get $NS 2>err
grep -q "no configuration has been provided" err || fail "no config message: $(cat err)"

# ---- exec credential plugin ----
cat >cred.sh <<'SH'
#!/bin/sh
# A credential plugin: token from exec-token, expiry from exec-exp (seconds from now).
d=$(dirname "$0")
echo run >>"$d/exec-runs"
printf '%s|%s|%s\n' "$1" "$CRED_ENV" "$KUBERNETES_EXEC_INFO" >"$d/exec-seen"
exp=""
[ -s "$d/exec-exp" ] && exp=",\"expirationTimestamp\":\"$(date -u -d "+$(cat "$d/exec-exp") seconds" +%Y-%m-%dT%H:%M:%SZ)\""
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"%s}}\n' \
	"$(cat "$d/exec-token")" "$exp"
SH
chmod +x cred.sh
cat >kc-exec <<KC
apiVersion: v1
kind: Config
current-context: e
clusters:
- {name: e, cluster: {server: "$APISERVER_URL", certificate-authority: apiserver/certs/ca.crt}}
users:
- name: e
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./cred.sh
      args: [--audience=feast]
      env: [{name: CRED_ENV, value: from-kubeconfig}]
      interactiveMode: Never
      provideClusterInfo: true
contexts:
- {name: e, context: {cluster: e, user: e}}
KC
apiserver_admin POST /admin/tokens '{"token": "exec-1", "user": "exec-user"}' >/dev/null
echo exec-1 >exec-token
"$LITE" --kubeconfig kc-exec --stats repeat 3 $NS 2>err >/dev/null || fail "exec plugin: $(cat err)"
[ "$(stat exec_runs)" = 1 ] || fail "exec credential not cached: $(cat err)"
grep -q "^--audience=feast|from-kubeconfig|" exec-seen || fail "plugin args/env: $(cat exec-seen)"
grep -q "\"server\":\"$APISERVER_URL\"" exec-seen || fail "provideClusterInfo: $(cat exec-seen)"
grep -q '"interactive":false' exec-seen || fail "interactive flag: $(cat exec-seen)"
# The token expires on the server: the 401 re-runs the plugin, which has a new one.
cat >expire.sh <<SH
curl -sS --cacert "$C/ca.crt" -H "Authorization: Bearer $APISERVER_ADMIN_TOKEN" -X POST \
	-d '{"token": "exec-1"}' "$APISERVER_URL/admin/tokens/expire" >/dev/null
echo exec-2 >exec-token
SH
apiserver_admin POST /admin/tokens '{"token": "exec-2", "user": "exec-user"}' >/dev/null
"$LITE" --kubeconfig kc-exec --stats --between "sh expire.sh" repeat 2 $NS 2>err >/dev/null ||
	fail "expired exec token: $(cat err)"
grep -q "retried=1" err || fail "no resend after the plugin re-ran: $(cat err)"
[ "$(stat exec_runs)" = 2 ] || fail "exec runs after 401: $(cat err)"
# Cached only until expirationTimestamp.
echo 1 >exec-exp
"$LITE" --kubeconfig kc-exec --stats --interval 2100ms repeat 2 $NS 2>err >/dev/null ||
	fail "expiring exec token: $(cat err)"
[ "$(stat exec_runs)" = 2 ] || fail "expired credential not refreshed: $(cat err)"
grep -q "retried=1" err && fail "expiry should refresh before sending: $(cat err)"
# A failing plugin is a clear error.
sed -i '2i exit 4' cred.sh
expect_exit 3 "$LITE" --kubeconfig kc-exec get $NS 2>err
grep -q "exec: executable $T/cred.sh failed with exit code 4" err || fail "plugin failure: $(cat err)"

# ---- 403 ----
expect_exit 3 "$LITE" --token "$APISERVER_FORBIDDEN_TOKEN" get $NS/default/pods 2>err
grep -q "from server (Forbidden): " err || fail "403 message: $(cat err)"
