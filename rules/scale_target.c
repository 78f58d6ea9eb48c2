/* scale_target.c -- the ScaledObject or HPA that owns a store's replica count, one precedence for every command. */
#include "scale_target.h"

#include "doc.h"

#include <string.h>

bool scale_ref_aims_at(const struct node *ref, const char *store, unsigned aims, bool keda)
{
	const char *kind = node_str_or(map_get(ref, "kind"), keda ? "Deployment" : "");
	const char *target = node_str_or(map_get(ref, "name"), "");
	if (!ref || !store)
		return false;
	if ((aims & SCALE_AIM_FEATURESTORE) && !strcmp(kind, "FeatureStore"))
		return !strcmp(target, store);
	return (aims & SCALE_AIM_DEPLOYMENT) && !strcmp(kind, "Deployment") && !strncmp(target, "feast-", 6) &&
	       !strcmp(target + 6, store);
}

static const struct node *first_aiming(const struct node *list, const char *store, const char *ns, unsigned aims,
				       bool keda)
{
	const struct node *items = map_get(list, "items");
	node_seq_each(items, it) {
		if (ns && strcmp(node_str_or(node_at(it, "metadata.namespace"), ""), ns))
			continue;
		if (scale_ref_aims_at(node_at(it, "spec.scaleTargetRef"), store, aims, keda))
			return it;
	}
	return NULL;
}

const struct node *scale_owner_find(const struct node *scaledobjects, const struct node *hpas, const char *store,
				    const char *ns, unsigned aims, bool *is_hpa)
{
	const struct node *so = first_aiming(scaledobjects, store, ns, aims, true);
	*is_hpa = false;
	if (so)
		return so;
	const struct node *hpa = first_aiming(hpas, store, ns, aims, false);
	*is_hpa = hpa != NULL;
	return hpa;
}
