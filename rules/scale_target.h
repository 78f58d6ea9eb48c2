/*
 * scale_target.h -- which autoscaler drives a store's replica count.
 *
 * A store's count can be owned by a KEDA ScaledObject or a HorizontalPodAutoscaler
 * whose scaleTargetRef names the FeatureStore (its scale subresource) or the
 * Deployment feast-NAME.  `status`, `scale NAME` and `doctor` all ask this question;
 * they answer it here, with one precedence: a ScaledObject before an HPA, because
 * KEDA drives the count through an HPA of its own (keda-hpa-NAME) that aims at the
 * same target, and the ScaledObject is the object the user wrote and should change.
 * Within a kind the first item of the list wins (the API server lists by name).
 *
 * Memory: nothing is allocated; the results point into the lists passed in.
 */
#ifndef FEAST_SCALE_TARGET_H
#define FEAST_SCALE_TARGET_H

#include <stdbool.h>

struct node;

/* Which targets count as the store's (a bit set). */
enum { SCALE_AIM_FEATURESTORE = 1, SCALE_AIM_DEPLOYMENT = 2, SCALE_AIM_ANY = 3 };

/* Does `ref` (a scaleTargetRef) name store `store` in one of the `aims` ways?  KEDA's
 * scaleTargetRef defaults its kind to Deployment; an HPA's has no default. */
bool scale_ref_aims_at(const struct node *ref, const char *store, unsigned aims, bool keda);

/* The ScaledObject of `scaledobjects`, else the HPA of `hpas`, whose target is store
 * `store` of namespace `ns` (NULL: any namespace).  Both lists are List objects (their
 * items) or NULL.  *is_hpa says which kind was found; NULL when none. */
const struct node *scale_owner_find(const struct node *scaledobjects, const struct node *hpas, const char *store,
				    const char *ns, unsigned aims, bool *is_hpa);

#endif
