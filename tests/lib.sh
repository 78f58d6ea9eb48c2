# lib.sh -- helpers for tests/scripts/*.sh (sourced; POSIX sh).
# Environment from run-scripts.sh: FEAST_BIN_DIR, FEAST_SOURCE_DIR, PYTHON, TEST_TMP.
set -eu
FEAST="$FEAST_BIN_DIR/kubectl-feast"
SRC="$FEAST_SOURCE_DIR"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_exit CODE CMD... : run CMD, fail unless it exits with CODE.
expect_exit() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	[ "$got" = "$want" ] || fail "expected exit $want, got $got: $*"
}

# same_file EXPECTED ACTUAL : byte-for-byte comparison with a unified diff.
same_file() {
	if ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -n 80 >&2 || true
		fail "$2 differs from $1"
	fi
}

# file_ns FILE DEFAULT : the namespace FILE's objects set (the first `  namespace:`), else
# DEFAULT: the -n to give it, since -n may not contradict an object's namespace (as kubectl).
file_ns() {
	_ns=$(sed -n 's/^  namespace: *//p' "$1" | head -n 1)
	echo "${_ns:-$2}"
}

# validate_manifests [--strict] [--crd CRD.yaml]... FILE...: the offline schema check of
# rendered manifests: kubeconform (built by tests/cluster/build.sh) against the schemas
# vendored in data/schemas/ (unknown fields are errors; a kind without a schema is an
# error), custom resources of each --crd against its schema (tests/schema/crd2schema.py);
# custom resources get their CRD's defaults first, as the API server fills them
# (tests/schema/defaults.py); --strict adds what the API server checks beyond the schemas
# (tests/schema/strict.py: name, namespace, label and annotation syntax, one object per
# identity).
validate_manifests() {
	_strict="" _crds="" _vm=$TEST_TMP/validate-manifests.$$
	while [ $# -gt 0 ]; do
		case $1 in
		--strict) _strict=1 ;;
		--crd) _crds="$_crds $2"; shift ;;
		*) break ;;
		esac
		shift
	done
	mkdir -p "$_vm"
	for _c in $_crds; do
		"$PYTHON" "$SRC/tests/schema/crd2schema.py" "$_c" "$SRC/data/schemas/configmap-v1.json" "$_vm" || return 1
	done
	_kc=$("$SRC/tests/cluster/build.sh" | tail -n 1)/kubeconform
	_rc=0
	# The API server fills a custom resource's defaults before it validates; so do we.
	_filled=$("$PYTHON" "$SRC/tests/schema/defaults.py" "$_vm" "$SRC"/data/crds/*.yaml \
		"$SRC"/tests/cluster/crds/*.yaml $_crds -- "$@") || return 1
	# shellcheck disable=SC2086
	"$_kc" -strict -summary \
		-schema-location "$SRC/data/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
		-schema-location "$SRC/data/schemas/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json" \
		-schema-location "$_vm/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json" \
		$_filled || _rc=1
	if [ -n "$_strict" ]; then
		"$PYTHON" "$SRC/tests/schema/strict.py" "$@" || _rc=1
	fi
	rm -rf "$_vm"
	return $_rc
}

# ---- the test API server (tests/apiserver/README.md) ----
# apiserver_start [SERVER ARGS...]: start the test API server on a free loopback port,
# with certificates made once per test in $APISERVER_DIR/certs, and wait until it
# listens. Sets APISERVER_DIR APISERVER_PID APISERVER_PORT APISERVER_URL APISERVER_CA,
# writes $APISERVER_DIR/kubeconfig (exported as KUBECONFIG), and stops the server on
# exit (a test with its own EXIT trap calls apiserver_stop itself). Tokens:
# APISERVER_TOKEN (user test-user), APISERVER_FORBIDDEN_TOKEN (403 on every resource),
# APISERVER_ADMIN_TOKEN (the /admin/ API); basic auth: APISERVER_BASIC_USER with
# APISERVER_BASIC_PASSWORD. Every user but forbidden-user may impersonate. The server is
# a background child of the test: wait for your own background jobs by pid
# (`wait "$pid"`), never with a bare `wait`.
APISERVER_TOKEN=test-token
APISERVER_FORBIDDEN_TOKEN=forbidden-token
APISERVER_ADMIN_TOKEN=admin-token
APISERVER_BASIC_USER=basic-user
APISERVER_BASIC_PASSWORD=basic-password
apiserver_start() {
	APISERVER_DIR=${APISERVER_DIR:-$TEST_TMP/apiserver}
	mkdir -p "$APISERVER_DIR"
	[ -f "$APISERVER_DIR/certs/ca.crt" ] || sh "$SRC/tests/apiserver/mkcerts.sh" "$APISERVER_DIR/certs"
	APISERVER_CA=$APISERVER_DIR/certs/ca.crt
	rm -f "$APISERVER_DIR/port"
	"$PYTHON" "$SRC/tests/apiserver/apiserver.py" --certs "$APISERVER_DIR/certs" \
		--port-file "$APISERVER_DIR/port" --token "$APISERVER_TOKEN=test-user" \
		--forbidden-token "$APISERVER_FORBIDDEN_TOKEN=forbidden-user" \
		--basic-user "$APISERVER_BASIC_USER:$APISERVER_BASIC_PASSWORD" \
		--admin-token "$APISERVER_ADMIN_TOKEN" --parent-pid $$ --max-lifetime 3600 \
		"$@" >>"$APISERVER_DIR/server.log" 2>&1 &
	APISERVER_PID=$!
	trap apiserver_stop EXIT
	_i=0
	while [ ! -s "$APISERVER_DIR/port" ]; do
		kill -0 "$APISERVER_PID" 2>/dev/null || { cat "$APISERVER_DIR/server.log" >&2; fail "apiserver did not start"; }
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || fail "apiserver did not write its port in 20 s"
		sleep 0.1
	done
	APISERVER_PORT=$(cat "$APISERVER_DIR/port")
	APISERVER_URL=https://127.0.0.1:$APISERVER_PORT
	apiserver_kubeconfig "$APISERVER_DIR/kubeconfig" "$APISERVER_TOKEN"
	KUBECONFIG=$APISERVER_DIR/kubeconfig
	KUBECACHEDIR=$APISERVER_DIR/kubecache
	export KUBECONFIG KUBECACHEDIR
}

# apiserver_stop: stop the server started by apiserver_start (idempotent).
apiserver_stop() {
	if [ -n "${APISERVER_PID:-}" ]; then
		kill "$APISERVER_PID" 2>/dev/null || true
		wait "$APISERVER_PID" 2>/dev/null || true
		APISERVER_PID=
	fi
}

# apiserver_kubeconfig FILE [TOKEN] [NAMESPACE]: a kubeconfig for the running server
# (cluster/user/context "test"; with no TOKEN, the client certificate user client-user).
apiserver_kubeconfig() {
	{
		echo "apiVersion: v1"
		echo "kind: Config"
		echo "clusters:"
		echo "- name: test"
		echo "  cluster:"
		echo "    server: $APISERVER_URL"
		echo "    certificate-authority: $APISERVER_CA"
		echo "users:"
		echo "- name: test"
		echo "  user:"
		if [ -n "${2:-}" ]; then
			echo "    token: $2"
		else
			echo "    client-certificate: $APISERVER_DIR/certs/client.crt"
			echo "    client-key: $APISERVER_DIR/certs/client.key"
		fi
		echo "contexts:"
		echo "- name: test"
		echo "  context: {cluster: test, user: test, namespace: ${3:-default}}"
		echo "current-context: test"
	} >"$1"
}

# apiserver_curl PATH [CURL ARGS...]: a request to the server as test-user (PATH is
# appended to the server URL); prints the body.
apiserver_curl() {
	_path=$1
	shift
	curl -sS --cacert "$APISERVER_CA" -H "Authorization: Bearer $APISERVER_TOKEN" "$@" \
		"$APISERVER_URL$_path"
}

# apiserver_admin METHOD PATH [JSON]: call the admin API (faults, tokens, request log).
apiserver_admin() {
	curl -sS --fail-with-body --cacert "$APISERVER_CA" -X "$1" \
		-H "Authorization: Bearer $APISERVER_ADMIN_TOKEN" -H "Content-Type: application/json" \
		${3:+--data "$3"} "$APISERVER_URL$2"
}

# expect_run CODE CMD...: run CMD with stdout in ./out and stderr in ./err; fail (showing
# both) unless it exits with CODE.
expect_run() {
	_want=$1
	shift
	set +e
	"$@" >out 2>err
	_got=$?
	set -e
	[ "$_got" = "$_want" ] || { cat out err >&2; fail "expected exit $_want, got $_got: $*"; }
}

# has FILE REGEX [WHAT]: fail unless FILE has a line matching the extended REGEX.
has() {
	grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "${3:-$1 lacks /$2/}"; }
}

# lacks FILE REGEX [WHAT]: fail if FILE has a line matching the extended REGEX.
lacks() {
	! grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "${3:-$1 has /$2/}"; }
}

# replay_saved NAME REPLAY DIR: run a fuzz target's replay program (built without libFuzzer)
# over the saved inputs in DIR, which must hold some, and check that it replayed every one.
replay_saved() {
	[ -x "$2" ] || fail "$1: no $2 (built by the module.mk of its target)"
	_count=$(ls "$3" | wc -l)
	[ "$_count" -gt 0 ] || fail "$1: no regression inputs in $3"
	"$2" "$3" >out || fail "$1: replay failed"
	grep -q "replayed $_count input(s)" out || fail "$1: replay count: $(cat out)"
}

# apiserver_rv: the test API server's current global resourceVersion.
apiserver_rv() {
	apiserver_admin GET /admin/state | sed 's/.*"resourceVersion": *"\([0-9]*\)".*/\1/'
}

# only_dry_writes AGENT_PREFIX: fail unless the request log (since it was last cleared) has
# writes from that User-Agent and every one of them was a dry run (dryRun=All).
only_dry_writes() {
	apiserver_admin GET "/admin/requests?agent=$1" | "$PYTHON" -c '
import json, sys
reqs = json.load(sys.stdin)["requests"]
writes = [r for r in reqs if r["method"] != "GET"]
bad = [r["method"] + " " + r["path"] for r in writes if "dryRun=All" not in r["query"]]
sys.exit("writes that were not dry runs: %s" % bad if bad else 0 if writes else "no writes at all")' ||
		fail "a dry run wrote (or sent nothing)"
}

# ---- the Feast SDK (scripts/feast-env.sh) ----
# feast_env: set FEAST_PYTHON, the python of the cached Feast environment (created on first
# use, a few minutes once per machine), and put its bin (feast, python) on FEAST_VENV_BIN.
feast_env() {
	FEAST_PYTHON=$("$SRC/scripts/feast-env.sh" | tail -n 1) || fail "scripts/feast-env.sh failed"
	FEAST_VENV_BIN=$(dirname "$FEAST_PYTHON")
}

# ---- results kept across runs ----
# passed_before NAME FILE...: exit the test with its remembered report when a run of NAME
# passed on exactly these bytes (the artifacts under test and the scripts that check them),
# so `make check-asan` does not repeat what `make test` proved of a build the sanitizers do
# not touch (the release trees of packaging/module.mk). Sets PASS_KEY for remember_pass.
# FEAST_PASS_NOCACHE=1 always runs.
passed_before() {
	_name=$1
	shift
	PASS_KEY=$(cat "$@" | sha256sum | cut -c1-32)
	_passed=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/passed/$_name-$PASS_KEY
	if [ -z "${FEAST_PASS_NOCACHE:-}" ] && [ -s "$_passed" ]; then
		cat "$_passed"
		echo "(the report of a passing run on the same bytes, $_passed)"
		exit 0
	fi
}

# remember_pass NAME REPORT: record that NAME passed on the bytes passed_before hashed.
remember_pass() {
	_passed=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/passed/$1-$PASS_KEY
	mkdir -p "$(dirname "$_passed")"
	printf '%s\n' "$2" >"$_passed"
	printf '%s\n' "$2"
}
