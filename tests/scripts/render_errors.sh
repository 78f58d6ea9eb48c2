# render_errors.sh -- bad input exits 1 with FILE:LINE:COL: field: message on stderr and
# nothing on stdout; usage errors exit 2; warnings go to stderr only.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$TEST_TMP"

# expect_invalid FILE PATTERN [ARGS...]: exit 1, empty stdout, PATTERN on stderr.
expect_invalid() {
	f=$1 pattern=$2
	shift 2
	expect_exit 1 "$FEAST" render -f "$f" "$@" >out 2>err
	[ -s out ] && fail "$f: something was printed on stdout"
	grep -q -- "$pattern" err || { cat err; fail "$f: no '$pattern' on stderr"; }
}

cat >no-ns.yaml <<'EOF2'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: nons
spec:
  feastProject: nons
EOF2
expect_invalid no-ns.yaml "^error: no-ns.yaml:1:1: metadata.namespace: the ClusterRoleBinding feast-nons-cluster-binding must name the namespace"
"$FEAST" render -f no-ns.yaml -n ok >out 2>err || fail "-n should supply the namespace"

# One bad store among good ones: nothing at all is printed.
cat >self-ref.yaml <<'EOF2'
apiVersion: v1
kind: Secret
metadata:
  name: fine
stringData:
  a: b
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: good
  namespace: feast
spec:
  feastProject: good
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: loop
  namespace: feast
spec:
  feastProject: loop
  services:
    registry:
      remote:
        feastRef:
          name: loop
EOF2
expect_invalid self-ref.yaml "self-ref.yaml:27:11: spec.services.registry.remote.feastRef: FeatureStore 'loop' can't reference itself"

cat >ref-no-grpc.yaml <<'EOF2'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: target
  namespace: feast
spec:
  feastProject: target
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: client
  namespace: feast
spec:
  feastProject: client
  services:
    registry:
      remote:
        feastRef:
          name: target
EOF2
expect_invalid ref-no-grpc.yaml "Remote feast registry of referenced FeatureStore 'target' must have gRPC server enabled"

cat >oidc.yaml <<'EOF2'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: oidc
  namespace: feast
spec:
  feastProject: oidc
  authz:
    oidc:
      verifySSL: true
EOF2
expect_invalid oidc.yaml "oidc.yaml:10:7: spec.authz.oidc: no OIDC discovery URL configured"

printf 'apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata: {name: x\n' >broken.yaml
expect_invalid broken.yaml "^error: broken.yaml:"

cat >types.yaml <<'EOF2'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: types
  namespace: feast
spec:
  feastProject: types
  replicas: three
EOF2
expect_invalid types.yaml "types.yaml:8:13: spec.replicas"

expect_invalid missing.yaml "missing.yaml: the path \"missing.yaml\" does not exist"

# Usage errors.
expect_exit 2 "$FEAST" render 2>err
grep -q 'must specify -f' err || fail "missing -f message"
expect_exit 2 "$FEAST" render -f no-ns.yaml -o xml 2>err
grep -q 'invalid argument "xml"' err || fail "bad -o message: $(cat err)"
expect_exit 2 "$FEAST" render -f no-ns.yaml --target cluster 2>err
grep -q 'invalid argument "cluster"' err || fail "bad --target message: $(cat err)"
expect_exit 2 "$FEAST" render -f no-ns.yaml --target operator --image example.com/feast:1 2>err
grep -q -- '--image shapes the standalone pod' err || fail "--image with the operator target: $(cat err)"
expect_exit 2 "$FEAST" render -f no-ns.yaml extra 2>err
grep -q 'unexpected argument "extra"' err || fail "extra argument message"
"$FEAST" render --help >out
for o in --filename --namespace --output --image --target --keda-adopt-hpa; do
	grep -q -- "$o" out || fail "render --help lacks $o"
done

# Warnings: on stderr, once per field per run, output still complete.
cat >warn.yaml <<'EOF2'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: w1
  namespace: feast
spec:
  feastProject: w1
  services:
    ui: {}
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: w2
  namespace: feast
spec:
  feastProject: w2
  services:
    ui: {}
EOF2
"$FEAST" render -f warn.yaml >out 2>err || fail "warnings must not fail the render"
[ "$(grep -c 'no OpenShift Route' err)" = 1 ] || { cat err; fail "the UI warning should come once"; }
grep -q '^warning: warn.yaml:9:9: spec.services.ui:' err || { cat err; fail "warning position"; }
grep -q 'warning' out && fail "a warning leaked to stdout"
[ "$(grep -c '^kind: Deployment' out)" = 2 ] || fail "both stores rendered"

# Standard input and directories.
"$FEAST" render -n feast -f - <no-ns.yaml >stdin.yaml || fail "-f - failed"
mkdir -p dir && cp no-ns.yaml dir/a.yaml && cp warn.yaml dir/b.yml
"$FEAST" render -n feast -f dir >dir.yaml 2>/dev/null || fail "-f DIR failed"
[ "$(grep -c '^kind: Deployment' dir.yaml)" = 3 ] || fail "-f DIR renders every file"
echo "errors and warnings as specified"
