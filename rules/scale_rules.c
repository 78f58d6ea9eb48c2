/* scale_rules.c -- what both modes of `scale` refuse, with the same messages. */
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "scale_rules.h"
#include "schema.h"

#include <string.h>

/* Does the store's own CRD version have spec.replicas?  (v1alpha1 does not.) */
static bool has_replicas_field(const struct node *fs_root)
{
	const char *api = node_str_or(map_get(fs_root, "apiVersion"), "");
	const char *version;
	char group[64];
	if (!api_version_split(api, group, sizeof(group), &version))
		return true; /* not for us to judge: the schema check reports it */
	const struct crd_version *v = crd_version(crd_find(group, "FeatureStore"), version);
	return !v || sch_at(v->schema, "spec.replicas") != NULL;
}

/* The field's value, else the spec key, else the document: where to point. */
static const struct pos *where(const struct node *fs_root, const char *path)
{
	const struct node *n = node_at(fs_root, path);
	if (n && !node_is_null(n))
		return &n->pos;
	const struct pair *spec = map_find(fs_root, "spec");
	return spec && spec->kpos.line ? &spec->kpos : &fs_root->pos;
}

size_t scale_check_rules(const struct node *fs_root, int64_t replicas, const char *scaled_by, struct diags *d)
{
	const char *name = node_str_or(node_at(fs_root, "metadata.name"), "");
	const struct node *hpa = node_at(fs_root, "spec.services.scaling.autoscaling");
	struct diag *x;
	/* The CRD's own bound on spec.replicas, in the API server's words. */
	if (replicas < 1) {
		x = diag_error(d, where(fs_root, "spec.replicas"), "spec.replicas",
			       "Invalid value: %lld: spec.replicas in body should be greater than or equal to 1",
			       (long long)replicas);
		x->rule = "scale-min";
		return 1;
	}
	if (!has_replicas_field(fs_root)) {
		x = diag_error(d, &map_get(fs_root, "apiVersion")->pos, "apiVersion",
			       "%s FeatureStores have no spec.replicas; migrate FeatureStore \"%s\" to feast.dev/v1 "
			       "to scale it",
			       node_str_or(map_get(fs_root, "apiVersion"), ""), name);
		x->rule = "scale-version";
		return 1;
	}
	/* Somebody else owns the count: a change here would be undone, or fought over. */
	if (hpa && !node_is_null(hpa)) {
		x = diag_error(d, &hpa->pos, "spec.services.scaling.autoscaling",
			       "services.scaling.autoscaling owns the replica count of FeatureStore \"%s\" (an HPA "
			       "scales it); change minReplicas/maxReplicas there, or remove services.scaling."
			       "autoscaling to set a fixed count",
			       name);
		x->rule = "scale-hpa";
		return 1;
	}
	if (scaled_by) {
		x = diag_error(d, where(fs_root, "spec.replicas"), "spec.replicas",
			       "%s owns the replica count of FeatureStore \"%s\" (KEDA scales it); change its "
			       "minReplicaCount/maxReplicaCount, or remove it to set a fixed count",
			       scaled_by, name);
		x->rule = "scale-keda";
		return 1;
	}
	/* The operator's scaling rules at the new count (file persistence cannot scale). */
	struct scaling_override o = { .set_replicas = true, .replicas = replicas };
	return rules_check_scaling(fs_root, &o, d);
}
