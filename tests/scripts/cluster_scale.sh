# cluster_scale.sh -- `kubectl feast scale NAME --replicas=N` against a real API server, in
# both live modes (the spec `apply` stored, re-rendered so strategy, spreading and the PDB
# follow; the operator's FeatureStore through its scale subresource), every refusal with the
# messages of `scale -f`, and dry runs that store nothing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start

store() { feature_store "$1" feast "${2:-}" "${3:-}"; } # store NAME [SERVICES LINES] [SPEC LINES]
jp() { kubectl get "$1" -n feast -o jsonpath="$2"; }
# message FILE: the error lines without "error: WHERE: " (what -f and NAME share).
message() { sed -n 's/^error: [^ ]*: //p' "$1"; }

# ---- the stored spec: re-rendered at the new count; strategy, spread, the PDB and the
# feast-sidecar (with its RBAC) follow ----
store shop "    podDisruptionBudgets: {maxUnavailable: 1}" >shop.yaml
"$FEAST" apply -f shop.yaml >/dev/null
[ "$(jp deploy/feast-shop '{.spec.strategy.type}')" = Recreate ] || fail "one replica should be Recreate"
expect_run 0 "$FEAST" scale shop -n feast --replicas=3
printf '%s\n' 'role.rbac.authorization.k8s.io/feast-shop-sidecar created' \
	'rolebinding.rbac.authorization.k8s.io/feast-shop-sidecar created' 'deployment.apps/feast-shop scaled' \
	'poddisruptionbudget.policy/feast-shop created' >want
same_file want out
jp deploy/feast-shop '{.spec.template.spec.initContainers[*].name}' >inits
has inits 'feast-sidecar' "no feast-sidecar at 3 replicas"
[ "$(jp deploy/feast-shop '{.spec.replicas}')" = 3 ] || fail "replicas not 3"
[ "$(jp deploy/feast-shop '{.spec.strategy.type}')" = RollingUpdate ] || fail "strategy did not follow"
jp deploy/feast-shop '{.spec.template.spec.topologySpreadConstraints[0].topologyKey}' >spread
has spread 'topology.kubernetes.io/zone' "no zone spread at 3 replicas"
jp deploy/feast-shop '{.metadata.annotations.feast\.dev/applied-spec}' >stored
has stored '"feastProject":"shop","replicas":3,' "the stored spec does not hold the new count"
expect_run 0 "$FEAST" scale shop -n feast --replicas=3
[ "$(cat out)" = 'deployment.apps/feast-shop unchanged' ] || fail "same count: $(cat out)"
# Dry runs change nothing.
audit_mark
expect_run 0 "$FEAST" scale shop -n feast --replicas=1 --dry-run=server
printf '%s\n' 'deployment.apps/feast-shop scaled (server dry run)' \
	'poddisruptionbudget.policy/feast-shop pruned (server dry run)' \
	'rolebinding.rbac.authorization.k8s.io/feast-shop-sidecar pruned (server dry run)' \
	'role.rbac.authorization.k8s.io/feast-shop-sidecar pruned (server dry run)' >want
same_file want out
audit_only_dry_writes kubectl-feast
expect_run 0 "$FEAST" scale shop -n feast --replicas=1 --dry-run=client
has out '^deployment.apps/feast-shop scaled \(dry run\)$'
[ "$(jp deploy/feast-shop '{.spec.replicas}')" = 3 ] || fail "a dry run scaled"
expect_run 0 kubectl get pdb feast-shop -n feast
# Back to one: the PDB goes, Recreate comes back; the objects are again what the file
# renders (only the stored spec says replicas: 1 where the file leaves it out).
expect_run 0 "$FEAST" scale shop -n feast --replicas=1
printf '%s\n' 'deployment.apps/feast-shop scaled' 'poddisruptionbudget.policy/feast-shop pruned' \
	'rolebinding.rbac.authorization.k8s.io/feast-shop-sidecar pruned' \
	'role.rbac.authorization.k8s.io/feast-shop-sidecar pruned' >want
same_file want out
[ "$(jp deploy/feast-shop '{.spec.strategy.type}')" = Recreate ] || fail "strategy did not come back"
jp deploy/feast-shop '{.spec.template.spec.initContainers[*].name}' >inits
lacks inits 'feast-sidecar' "the feast-sidecar stayed at one replica"
expect_run 1 "$FEAST" diff -f shop.yaml
grep '^[-+] ' out >changed || true
[ "$(grep -vc 'feast.dev/applied-spec' changed)" = 0 ] || fail "scaling back left differences: $(cat out)"
[ "$(wc -l <changed)" = 2 ] || fail "expected only the stored spec to differ: $(cat out)"

# The render flags of the apply are stored too, and a re-render keeps them.
store lean >lean.yaml
"$FEAST" apply -f lean.yaml --sidecar=none --prestop-seconds=0 >/dev/null
jp deploy/feast-lean '{.metadata.annotations.feast\.dev/applied-options}' >opts
[ "$(cat opts)" = '{"target":"standalone","sidecar":"none","prestopSeconds":-1}' ] || fail "stored options: $(cat opts)"
expect_run 0 "$FEAST" scale lean -n feast --replicas=2
[ "$(cat out)" = 'deployment.apps/feast-lean scaled' ] || fail "--sidecar=none was forgotten: $(cat out)"
jp deploy/feast-lean '{.spec.template.spec.initContainers[*].name}' >inits
lacks inits 'feast-sidecar' "the re-render ignored --sidecar=none"

# ---- refusals of the stored-spec mode, with scale -f's messages ----
expect_run 1 "$FEAST" scale shop -n feast --replicas=0
has err '^error: deployment.apps/feast-shop\[feast.dev/applied-spec\]: spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1$'
cat >files.yaml <<'YAML'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata: {name: files, namespace: feast}
spec:
  feastProject: files
YAML
"$FEAST" apply -f files.yaml >/dev/null
expect_run 1 "$FEAST" scale files -n feast --replicas=2
message err >live.msg
has live.msg 'Scaling requires DB-backed persistence for the online store'
cp files.yaml git.yaml
expect_run 1 "$FEAST" scale -f git.yaml --replicas=2
grep '^error:' err >git.err || true
message git.err >git.msg
same_file git.msg live.msg
[ "$(jp deploy/feast-files '{.spec.replicas}')" = 1 ] || fail "a refused scale changed the Deployment"
store auto "    scaling:
      autoscaling: {minReplicas: 2, maxReplicas: 4}" >auto.yaml
"$FEAST" apply -f auto.yaml >/dev/null
expect_run 1 "$FEAST" scale auto -n feast --replicas=2
has err 'services.scaling.autoscaling owns the replica count of FeatureStore "auto" \(an HPA scales it\)'
{ store keda; printf -- '---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec:\n  triggers: [{type: cron, metadata: {timezone: UTC, start: 0 8 * * *, end: 0 18 * * *, desiredReplicas: "2"}}]\n'; } >keda.yaml
"$FEAST" apply -f keda.yaml >/dev/null
expect_run 1 "$FEAST" scale keda -n feast --replicas=2
has err 'spec.replicas: ScaledObject "feast-keda" \(namespace feast\) owns the replica count of FeatureStore "keda" \(KEDA scales it\)'
# An HPA made by hand, which the spec knows nothing of.
cat <<'YAML' | kubectl apply -f - >/dev/null
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: by-hand, namespace: feast}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: feast-shop}
  maxReplicas: 3
YAML
expect_run 1 "$FEAST" scale shop -n feast --replicas=2
has err '^error: HorizontalPodAutoscaler "by-hand" \(namespace feast\) owns the replica count of FeatureStore "shop"'
kubectl delete hpa by-hand -n feast >/dev/null
# Deployed from Git: no stored spec, so no live change.
store git >git-store.yaml
"$FEAST" render -f git-store.yaml | kubectl apply -f - >/dev/null
expect_run 1 "$FEAST" scale git -n feast --replicas=2
has err '^error: deployment.apps/feast-git carries no spec stored by `kubectl feast apply`'
has err '`kubectl feast scale -f FILE --replicas=2`'
[ ! -s out ] || fail "a refusal printed: $(cat out)"
expect_run 3 "$FEAST" scale nothing -n feast --replicas=2
has err '^error: no FeatureStore "nothing" and no Deployment "feast-nothing" in namespace "feast"$'
expect_run 2 "$FEAST" scale shop -n feast

# ---- the Feast operator's FeatureStore: the scale subresource ----
store op >op.yaml
kubectl apply -f op.yaml >/dev/null
expect_run 0 "$FEAST" scale op -n feast --replicas=3
[ "$(cat out)" = 'featurestore.feast.dev/op scaled' ] || fail "operator scale: $(cat out)"
[ "$(jp featurestore/op '{.spec.replicas}')" = 3 ] || fail "spec.replicas not 3"
kubectl get featurestore op -n feast -o json --show-managed-fields >op.json
has op.json '"subresource": "scale"' "not written through the scale subresource"
expect_run 0 "$FEAST" scale op -n feast --replicas=3
[ "$(cat out)" = 'featurestore.feast.dev/op unchanged' ] || fail "same count: $(cat out)"
audit_mark
expect_run 0 "$FEAST" scale op -n feast --replicas=2 --dry-run=server
[ "$(cat out)" = 'featurestore.feast.dev/op scaled (server dry run)' ] || fail "dry run: $(cat out)"
audit_only_dry_writes kubectl-feast
[ "$(jp featurestore/op '{.spec.replicas}')" = 3 ] || fail "a dry run scaled the FeatureStore"
# Refusals: file persistence, an HPA in the spec, a ScaledObject aimed at the FeatureStore.
sed 's/name: files/name: opfiles/; s/feastProject: files/feastProject: opfiles/' files.yaml | kubectl apply -f - >/dev/null
expect_run 1 "$FEAST" scale opfiles -n feast --replicas=2
message err >op.msg
sed 's/files/opfiles/g' live.msg >want
same_file want op.msg
sed 's/name: auto/name: opauto/; s/feastProject: auto/feastProject: opauto/' auto.yaml | kubectl apply -f - >/dev/null
expect_run 1 "$FEAST" scale opauto -n feast --replicas=2
has err '^error: featurestore.feast.dev/opauto: spec.services.scaling.autoscaling: services.scaling.autoscaling owns'
cat <<'YAML' | kubectl apply -f - >/dev/null
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: op-load, namespace: feast}
spec:
  scaleTargetRef: {apiVersion: feast.dev/v1, kind: FeatureStore, name: op}
  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "60"}}]
YAML
expect_run 1 "$FEAST" scale op -n feast --replicas=1
has err 'ScaledObject "op-load" \(namespace feast\) owns the replica count of FeatureStore "op" \(KEDA scales it\)'
[ "$(jp featurestore/op '{.spec.replicas}')" = 3 ] || fail "a refused scale changed the FeatureStore"
