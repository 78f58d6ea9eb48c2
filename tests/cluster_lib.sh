# cluster_lib.sh -- what tests/scripts/cluster_*.sh share (sourced after tests/lib.sh): the
# test API server with its namespaces, and the FeatureStore they apply.

# cluster_start DELAY [NAMESPACE...]: the test API server (tests/lib.sh: apiserver_start, so
# KUBECONFIG points at it), its Deployments rolling out DELAY seconds after a change, and the
# namespaces (feast when none is named) created with the real kubectl, as a user would.
cluster_start() {
	command -v kubectl >/dev/null || fail "kubectl is not installed"
	apiserver_start --deployment-delay "$1"
	shift
	[ $# -gt 0 ] || set -- feast
	for _ns in "$@"; do
		printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$_ns" | kubectl apply -f - >/dev/null
	done
}

# The services lines of a store that scales: an HPA from 2 to 5 replicas and a PDB.
FS_HA='    scaling:
      autoscaling: {minReplicas: 2, maxReplicas: 5}
    podDisruptionBudgets: {maxUnavailable: 1}'

# feature_store NAME NAMESPACE [SERVICES LINES] [SPEC LINES] [LOGLEVEL]: a FeatureStore whose
# online store and registry live in databases (the Secret "stores"), so that every scaling
# rule allows it more than one replica.  SERVICES LINES go first under spec.services (four
# spaces in), SPEC LINES under spec after feastProject (two); LOGLEVEL sets the online
# server's.  Metadata is in block style, one field a line, for tests that edit it with sed.
feature_store() {
	cat <<YAML | grep -v '^$'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: $1
  namespace: $2
spec:
  feastProject: $1
${4:-}
  services:
${3:-}
    onlineStore:
      persistence:
        store: {type: postgres, secretRef: {name: stores}}
${5:+      server: {logLevel: $5\}}
    registry:
      local:
        persistence:
          store: {type: sql, secretRef: {name: stores}}
YAML
}
