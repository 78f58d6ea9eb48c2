/* examples.c -- the Examples section of every command's --help and man page, one row each. */
#include "cli.h"

#include <string.h>

/* Commands whose examples run offline come first in each entry; every line is a command
 * a user can paste, with a comment saying what it shows. */
static const struct {
	const char *command;
	const char *text;
} examples[] = {
	{ "completion",
	  "  # Complete `kubectl feast` run directly, in this shell\n"
	  "  source <(kubectl feast completion bash)\n"
	  "  # zsh, at every start\n"
	  "  kubectl feast completion zsh > \"${fpath[1]}/_kubectl-feast\"" },
	{ "render",
	  "  # The objects the operator would create, for Git\n"
	  "  kubectl feast render -f featurestore.yaml -n feast > manifests.yaml\n"
	  "  # A directory of specs, as one v1 List in JSON\n"
	  "  kubectl feast render -f specs/ -R -o json\n"
	  "  # For a cluster with the operator: the FeatureStore and its ScaledObject, completed\n"
	  "  kubectl feast render -f featurestore.yaml --target operator" },
	{ "apply",
	  "  # Server-side apply the rendered objects and wait for the rollout\n"
	  "  kubectl feast apply -f featurestore.yaml --wait=5m\n"
	  "  # What would change, as the API server would admit it\n"
	  "  kubectl feast apply -f specs/ -R --dry-run=server\n"
	  "  # Also delete the objects of this store that the input no longer renders\n"
	  "  kubectl feast apply -f featurestore.yaml --prune\n"
	  "  # A fleet as one ApplySet: stores whose files were removed are pruned too\n"
	  "  kubectl feast apply -f specs/ -R -n feast --prune --applyset=feast-fleet" },
	{ "delete",
	  "  # Every object of a store; the shared ClusterRole only with the last store\n"
	  "  kubectl feast delete driver-stats -n feast\n"
	  "  # The stores of a directory of specs, once their pods are gone\n"
	  "  kubectl feast delete -f specs/ -R --wait=2m\n"
	  "  # What would go, as the API server would admit it\n"
	  "  kubectl feast delete driver-stats -n feast --dry-run=server" },
	{ "diff",
	  "  # Rendered objects against the live ones (exit 1 when they differ)\n"
	  "  kubectl feast diff -f featurestore.yaml\n"
	  "  # With the objects apply --prune would delete\n"
	  "  kubectl feast diff -f specs/ -R --prune" },
	{ "scale",
	  "  # Edit spec.replicas in the file, keeping its comments and layout\n"
	  "  kubectl feast scale -f featurestore.yaml --replicas=3\n"
	  "  # Scale a live store through its scale subresource\n"
	  "  kubectl feast scale driver-stats --replicas=3 -n feast" },
	{ "status",
	  "  # Replicas, conditions, the registry lock's holder and each pod\n"
	  "  kubectl feast status driver-stats -n feast\n"
	  "  # The same as JSON, for scripts\n"
	  "  kubectl feast status driver-stats -n feast -o json" },
	{ "doctor",
	  "  # What is wrong with a live store, each finding with its fix (exit 1 when any)\n"
	  "  kubectl feast doctor driver-stats -n feast\n"
	  "  # feast-apply waiting on the registry lock for over 2 minutes is a finding; JSON for scripts\n"
	  "  kubectl feast doctor driver-stats -n feast --lock-wait 2m -o json" },
	{ "materialize",
	  "  # Start the store's materialization CronJob now and follow its shards\n"
	  "  kubectl feast materialize driver-stats -n feast --wait\n"
	  "  # This run in four shards, waiting at most ten minutes\n"
	  "  kubectl feast materialize driver-stats -n feast --shards 4 --wait=10m" },
	{ "validate",
	  "  # Check a spec as the API server and the operator would\n"
	  "  kubectl feast validate -f featurestore.yaml\n"
	  "  # Every spec under a directory, violations as JSON for CI\n"
	  "  kubectl feast validate -f specs/ -R -o json" },
	{ "lint",
	  "  # Scaling and availability advice on a spec\n"
	  "  kubectl feast lint -f featurestore.yaml\n"
	  "  # A CI gate: warnings exit 1; the cluster has 3 zones and 6 nodes\n"
	  "  kubectl feast lint -f specs/ -R --strict --zones 3 --nodes 6\n"
	  "  # SARIF for GitHub code scanning\n"
	  "  kubectl feast lint -f specs/ -R -o sarif > lint.sarif" },
	{ "version",
	  "  # The plugin's version\n"
	  "  kubectl feast version\n"
	  "  # The same as JSON\n"
	  "  kubectl feast version -o json" },
	{ "explain",
	  "  # The fields of services.scaling, from the CRD's own descriptions\n"
	  "  kubectl feast explain featurestore.spec.services.scaling\n"
	  "  # Every field below, indented\n"
	  "  kubectl feast explain featurestore.spec.services.podDisruptionBudgets --recursive" },
	{ "schema",
	  "  # A JSON Schema of FeatureStore for editors\n"
	  "  kubectl feast schema > featurestore.schema.json\n"
	  "  # Then, as the first line of a spec (yaml-language-server):\n"
	  "  # yaml-language-server: $schema=./featurestore.schema.json" },
	{ "init",
	  "  # A commented spec that passes validate and lint\n"
	  "  kubectl feast init driver-stats > featurestore.yaml\n"
	  "  # Autoscaled between 2 and 10 replicas, Redis online store, S3 registry\n"
	  "  kubectl feast init driver-stats --autoscale 2-10 --online redis --registry s3\n"
	  "  # A KEDA ScaledObject beside the store\n"
	  "  kubectl feast init driver-stats --keda --pdb max-unavailable=1" },
};

const char *command_examples(const char *name)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		if (!strcmp(examples[i].command, name))
			return examples[i].text;
	return NULL;
}
