# kube_server_url.sh -- a server URL with a password (https://user:pass@host) never shows
# it: messages print it as kubectl does (user:xxxxx@); a server URL with a query string or
# fragment, which would end up inside every request path, is refused before any request.
# stderr byte for byte against golden/server-url/ (curl's "after N ms" made N);
# GOLDEN_UPDATE=1 (make golden-update) rewrites them.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
cd "$TEST_TMP"

golden_suite server-url
KUBECONFIG="$SRC/testdata/server-url/kubeconfig"
export KUBECONFIG

# run_case NAME EXIT ARGS...: kubectl-feast ARGS; exit EXIT; stderr as golden NAME.err,
# and the password nowhere in it.
run_case() {
	name=$1 want=$2
	shift 2
	expect_exit "$want" "$FEAST" "$@" >"$name.out" 2>"$name.raw"
	sed 's/after [0-9]* ms/after N ms/' "$name.raw" >"$name.err"
	grep -q s3cret "$name.err" && fail "$name: the password is printed: $(cat "$name.err")"
	golden_named "$name.err" "$name.err"
}

# Credentials from the kubeconfig and from --server: warning and error redact them.
run_case creds-kubeconfig 3 status demo
run_case creds-flag 3 status demo --server https://admin:s3cret@127.0.0.1:1 --insecure-skip-tls-verify
run_case creds-apply 3 apply -f "$SRC/testdata/good/minimal.yaml" -n feast
# A query string or fragment: refused, naming where it came from.
run_case query-kubeconfig 3 status demo --context query
run_case query-flag 3 status demo --server 'https://127.0.0.1:1/api?x=1'
run_case fragment-kubeconfig 3 status demo --context fragment

golden_end
echo "server URLs: passwords redacted, query strings refused"
