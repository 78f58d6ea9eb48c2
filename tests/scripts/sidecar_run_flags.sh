# sidecar_run_flags.sh -- every option of every command of kubectl-feast, feast-sidecar and
# feast-lock has its own id and names (`__check-options`), and `feast-sidecar run` takes each
# of kubectl's connection flags as that flag: each case starts from a kubeconfig that is wrong
# in one way, the flag puts it right, and a lock through the daemon must then succeed.
# (Readiness options once shared ids with these: `-n default` said "not a duration".)
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"

for prog in "$FEAST" "$SIDECAR" "$LOCKC"; do
	"$prog" __check-options >out 2>err || { cat err >&2; fail "$(basename "$prog"): options share an id or a name"; }
done

use_apiserver
GOOD=$KUBECONFIG
CA=$APISERVER_CA
CERTS=$APISERVER_DIR/certs

# kc FILE SERVER CA USER_YAML NAMESPACE: a kubeconfig with one context "test", and a second
# context "good" (cluster good, user good) that is right in every way.
kc() {
	cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: "$2"${3:+, certificate-authority: "$3"}}
- name: good
  cluster: {server: "$APISERVER_URL", certificate-authority: "$CA"}
users:
- name: test
  user: $4
- name: good
  user: {token: $APISERVER_TOKEN}
contexts:
- name: test
  context: {cluster: test, user: test, namespace: $5}
- name: good
  context: {cluster: good, user: good, namespace: default}
current-context: test
YAML
}
TOKEN="{token: $APISERVER_TOKEN}"
kc bad-server.yaml https://127.0.0.1:1 "$CA" "$TOKEN" default
kc bad-token.yaml "$APISERVER_URL" "$CA" "{token: wrong-token}" default
kc no-user.yaml "$APISERVER_URL" "$CA" "{}" default
kc wrong-ca.yaml "$APISERVER_URL" "$CERTS/wrong-ca.crt" "$TOKEN" default
kc no-ca.yaml "$APISERVER_URL" "" "$TOKEN" default
kc bad-ns.yaml "$APISERVER_URL" "$CA" "$TOKEN" no-such-namespace

# with_flag NAME KUBECONFIG ARGS...: `run` with ARGS on that kubeconfig; one lock through it.
with_flag() {
	name=$1 cfg=$2
	shift 2
	mkdir -p "$name"
	KUBECONFIG=$cfg "$SIDECAR" run --lease test $T --identity "$name" --socket "$TEST_TMP/$name/sock" \
		--listen "" --lock-client "" "$@" 2>"$name/daemon.log" &
	pid=$!
	track "$pid"
	wait_for 5 test -S "$name/sock" || fail "run $*: did not start: $(cat "$name/daemon.log")"
	"$SIDECAR" lock --socket "$name/sock" -w 10 -- true 2>"$name/lock.err" ||
		fail "run $*: the lock failed: $(cat "$name/lock.err" "$name/daemon.log")"
	kill -TERM "$pid"
	wait "$pid" || fail "run $*: exit $? after SIGTERM: $(cat "$name/daemon.log")"
}

with_flag kubeconfig /nonexistent --kubeconfig "$GOOD"
with_flag context bad-server.yaml --context good
with_flag context-eq bad-server.yaml --context=good
with_flag cluster bad-server.yaml --cluster good
with_flag user bad-token.yaml --user good
with_flag namespace bad-ns.yaml --namespace default
with_flag namespace-short bad-ns.yaml -n default
with_flag server bad-server.yaml --server "$APISERVER_URL"
with_flag server-short bad-server.yaml -s "$APISERVER_URL"
with_flag token bad-token.yaml --token "$APISERVER_TOKEN"
with_flag ca wrong-ca.yaml --certificate-authority "$CA"
with_flag client-cert no-user.yaml --client-certificate "$CERTS/client.crt" --client-key "$CERTS/client.key"
with_flag insecure no-ca.yaml --insecure-skip-tls-verify
with_flag tls-server-name "$GOOD" --tls-server-name localhost
with_flag request-timeout "$GOOD" --request-timeout 1s
with_flag as "$GOOD" --as someone --as-group team --as-uid 42

# And the value reached the connection: a name the certificate lacks is refused.
expect_exit 78 "$SIDECAR" lock --lease test $T --tls-server-name other.example -- touch ran 2>err
grep -q 'could not be verified\|certificate' err || fail "tls-server-name not used: $(cat err)"
[ ! -e ran ] || fail "a command ran without the lock"
echo "connection flags of run: ok"
