/*
 * keda.h -- KEDA ScaledObjects that scale FeatureStores: which store each one
 * scales, and the rules a ScaledObject and its store must keep together.
 *
 * A ScaledObject (keda.sh/v1alpha1) of a run belongs to a FeatureStore of the
 * same run when its spec.scaleTargetRef names that store (kind FeatureStore,
 * group feast.dev), names the Deployment feast-<name> that render makes for
 * it, or is left out while the run holds exactly one FeatureStore.  Any other
 * ScaledObject scales some other workload and is left alone.
 *
 * keda_resolve() pairs ScaledObjects with stores; it reports the pairings
 * that cannot be made (a FeatureStore not in the input, no scaleTargetRef
 * with zero or several stores, two ScaledObjects on one store).
 * keda_check() resolves and then runs the pair rules: not with
 * services.scaling.autoscaling, not with replicas > 1, the operator's scaling
 * rules (DB-backed persistence) at maxReplicaCount replicas, and the checks
 * KEDA's admission webhook makes (idle < min, cpu/memory-only triggers
 * cannot scale to zero, name length).  check_documents() calls it.
 *
 * keda_schema_view() is what the CRD schema sees of a ScaledObject: render
 * completes spec.scaleTargetRef and metadata.name, so a ScaledObject may
 * leave them out.
 *
 * Memory: results and diagnostics live in the arena passed in; documents are
 * only read.
 */
#ifndef FEAST_KEDA_H
#define FEAST_KEDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct diags;
struct doclist;
struct document;
struct node;

/* KEDA's default maxReplicaCount. */
#define KEDA_DEFAULT_MAX 100
/* The minReplicaCount render writes when none is given.  KEDA's own default
 * is 0 (scale to zero), which a feature server should only get on request;
 * KEDA also refuses it for cpu/memory-only triggers. */
#define KEDA_DEFAULT_MIN 1

struct keda_so {
	const struct document *doc;   /* the ScaledObject */
	const struct document *fs;    /* the FeatureStore it scales */
	const char *name;             /* metadata.name, or NULL (render names it feast-<store>) */
	const char *ns;               /* metadata.namespace, or NULL */
	const struct node *spec;      /* its spec map */
	const struct node *ref;       /* spec.scaleTargetRef, or NULL when left out */
	int64_t min, max;             /* minReplicaCount (KEDA_DEFAULT_MIN when absent), maxReplicaCount */
	bool min_set, max_set;
};

struct keda_list {
	struct keda_so *v;            /* only the ScaledObjects that scale a store of the run */
	size_t n;
};

size_t keda_resolve(struct arena *a, const struct doclist *docs, struct keda_list *out, struct diags *d);
/* The ScaledObject that scales the store `fs`, or NULL. */
const struct keda_so *keda_for_store(const struct keda_list *l, const struct document *fs);
/* The rules for one pair; returns the number of errors added. */
size_t keda_check_pair(struct arena *a, const struct keda_so *so, struct diags *d);
size_t keda_check(struct arena *a, const struct doclist *docs, struct diags *d);

const struct node *keda_schema_view(struct arena *a, const struct node *root);

#endif
