# cluster_scale_subresource.sh -- `kubectl scale featurestore/NAME` through the real CRD's scale subresource: its CEL rules accept a DB-backed store and refuse the others with the words of `kubectl feast validate`.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start

jp() { kubectl get "featurestore/$1" -n feast -o jsonpath="$2"; }
# with_replicas FILE N: the same spec with spec.replicas: N, as /scale would leave it.
with_replicas() { sed "s/^spec:\$/spec:\\n  replicas: $2/" "$1"; }
# server_says: the reasons of kubectl's "The FeatureStore ... is invalid:" (one, or a "* "
# list), one a line, sorted.
server_says() {
	sed -n 's/^The FeatureStore "[^"]*" is invalid: //p; s/^\* //p' err | grep . | sort
}
# validate_says FILE: what `kubectl feast validate` says of FILE, without "error: FILE:L:C: ".
validate_says() {
	expect_run 1 "$FEAST" validate -f "$1"
	sed -n 's/^error: [^ ]*:[0-9]*:[0-9]*: //p' err | sort
}
# refused NAME N: /scale refuses N replicas for NAME with validate's words for that spec,
# and the FeatureStore keeps what it had.
refused() {
	before=$(jp "$1" '{.metadata.resourceVersion} {.spec.replicas}')
	expect_run 1 kubectl scale "featurestore/$1" -n feast --replicas="$2"
	server_says >server.msg
	[ -s server.msg ] || { cat err >&2; fail "no reason from the server for $1"; }
	with_replicas "$1.yaml" "$2" >"$1-$2.yaml"
	validate_says "$1-$2.yaml" >validate.msg
	same_file server.msg validate.msg
	[ "$(jp "$1" '{.metadata.resourceVersion} {.spec.replicas}')" = "$before" ] || fail "a refused scale changed $1"
}

# ---- a store on databases scales ----
feature_store shop feast >shop.yaml
expect_run 0 kubectl apply -f shop.yaml
expect_run 0 kubectl scale featurestore/shop -n feast --replicas=3
has out '^featurestore.feast.dev/shop scaled$'
[ "$(jp shop '{.spec.replicas}')" = 3 ] || fail "spec.replicas is not 3 after the scale"
kubectl get featurestore shop -n feast --subresource=scale -o jsonpath='{.kind} {.spec.replicas}' >scale
[ "$(cat scale)" = 'Scale 3' ] || fail "the scale subresource reads: $(cat scale)"
kubectl get featurestore shop -n feast -o json --show-managed-fields >shop.json
has shop.json '"subresource": "scale"' "not written through the scale subresource"
# What the server stored is what kubectl feast validates as fine.
with_replicas shop.yaml 3 >shop-3.yaml
expect_run 0 "$FEAST" validate -f shop-3.yaml

# ---- file persistence: refused by the CRD's CEL rules, both of them ----
cat >files.yaml <<'YAML'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: files
  namespace: feast
spec:
  feastProject: files
YAML
expect_run 0 kubectl apply -f files.yaml
refused files 3
[ "$(wc -l <server.msg)" = 2 ] || fail "expected the online store's and the registry's rule: $(cat server.msg)"
has server.msg 'Scaling requires DB-backed persistence for the online store'

# ---- one rule at a time: a DB online store on a file registry ----
sed -e 's/name: shop$/name: halfway/' -e 's/feastProject: shop/feastProject: halfway/' \
	-e "s/store: {type: sql, secretRef: {name: stores}}/file: {path: \/data\/registry.db}/" shop.yaml >halfway.yaml
grep -q 'registry.db' halfway.yaml || fail "halfway.yaml kept the SQL registry"
expect_run 0 kubectl apply -f halfway.yaml
refused halfway 2
[ "$(wc -l <server.msg)" = 1 ] || fail "expected only the registry's rule: $(cat server.msg)"
has server.msg 'Scaling requires DB-backed or remote registry'

# ---- replicas and an HPA in the spec are mutually exclusive ----
feature_store auto feast "    scaling:
      autoscaling: {minReplicas: 2, maxReplicas: 4}" >auto.yaml
expect_run 0 kubectl apply -f auto.yaml
refused auto 3
has server.msg 'mutually exclusive'

# ---- and `kubectl feast scale NAME` refuses the same before sending anything ----
audit_mark
expect_run 1 "$FEAST" scale files -n feast --replicas=3
sed -n 's/^error: [^ ]*: //p' err | sort >feast.msg
with_replicas files.yaml 3 >files-3.yaml
validate_says files-3.yaml >validate.msg
same_file validate.msg feast.msg
audit_requests --agent kubectl-feast --writes >writes
[ ! -s writes ] || fail "a refused scale wrote: $(cat writes)"
