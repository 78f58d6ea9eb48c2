/*
 * store_view.h -- what `kubectl feast status` shows, computed from live objects.
 *
 * store_rows() turns the List objects of one namespace (or of all of them) into one row
 * per store, as `status` without NAME prints them (NAME, READY, AUTOSCALER, LOCK HOLDER,
 * AGE): a store is a FeatureStore, or a Deployment labelled feast.dev/name (one `apply`
 * made), both counted once.  store_pod_view() turns one Pod into the map `status NAME`
 * prints and emits as JSON: phase, readiness, restarts, age, the feast.dev/registry-ready
 * condition, and each container's state with its waiting reason.  The autoscaler is the
 * one scale_owner_find() picks (rules/scale_target.h), the lock holder that of the Lease
 * doctor_lease_name() names (rules/doctor.h).
 *
 * Nothing here does I/O or reads a clock.  Memory: rows, their strings and the views live
 * in the arena passed in; the lists are only read.
 */
#ifndef FEAST_STORE_VIEW_H
#define FEAST_STORE_VIEW_H

#include <stddef.h>

struct arena;
struct node;

struct store_lists {
	const struct node *featurestores, *deployments, *hpas, *scaledobjects, *leases;  /* Lists, or NULL */
};

struct store_row {
	const char *ns, *name;
	const char *ready;       /* "2/3": ready replicas / desired */
	const char *autoscaler;  /* "hpa/feast-x", "scaledobject/feast-x" or "<none>" */
	const char *holder;      /* the registry lock's holder, or "<none>" */
	const char *age;         /* kubectl's, of the FeatureStore (else the Deployment) */
	const struct node *fs, *dep;  /* may be NULL (one of them is not) */
};

/* Rows sorted by namespace, then name.  Returns their number. */
size_t store_rows(struct arena *a, const struct store_lists *in, long long now_ms, struct store_row **out);

/* One pod as status shows it; see the header comment. */
struct node *store_pod_view(struct arena *a, const struct node *pod, long long now_ms);

#endif
