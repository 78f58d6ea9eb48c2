/*
 * doctor.h -- what only a live cluster can say is wrong with a store.
 *
 * `kubectl feast doctor NAME` fetches a store's objects (plugin/cmd_doctor.c) and hands
 * them here, parsed, with the time: doctor_judge() appends one finding per problem to a
 * struct diags (level DIAG_WARNING, rule = a row id of doctor_rules[], pos.file = the
 * object as kubectl names it, `pod/feast-x-1`, line 0, path = the field that shows it).
 * The rows follow lint's (rules/lint.h): id, severity, what it points at, the reason and
 * the fix; the lint rules themselves run on the same objects through lint_documents().
 * doctor_refs() lists the Secrets and ConfigMaps a spec and a pod template name, so the
 * caller can look each up and fill in `exists` before judging.
 *
 * Nothing here does I/O or reads a clock.  Memory: findings, their text and the ref
 * array live in the arena passed in (or that of `d`); the objects are only read.
 */
#ifndef FEAST_DOCTOR_H
#define FEAST_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "lint.h"

struct arena;
struct diags;
struct node;

extern const struct lint_rule doctor_rules[];
extern const size_t doctor_rule_count;

/* A Secret or ConfigMap that something in the store names. */
struct doctor_ref {
	const char *kind;   /* "Secret" or "ConfigMap" */
	const char *name;
	const char *where;  /* who names it: "featurestore.feast.dev/x" or "deployment.apps/feast-x" */
	const char *path;   /* the field there */
	bool exists;        /* filled in by the caller */
};

struct doctor_refs {
	struct doctor_ref *v;
	size_t n, cap;
};

/* Add the refs of `obj` (a FeatureStore's spec or a Deployment; NULL is fine) to `out`, each
 * kind/name once; references marked `optional: true` are left out. */
void doctor_refs(struct arena *a, const struct node *obj, const char *where, struct doctor_refs *out);

struct doctor_input {
	const char *store;
	const struct node *pods;        /* a PodList of the store's pods, or NULL */
	const struct node *pdb;         /* the store's PodDisruptionBudget, or NULL */
	const struct node *hpas;        /* the namespace's HorizontalPodAutoscalerList, or NULL */
	const struct node *lease;       /* the registry lock's Lease, or NULL */
	const struct doctor_refs *refs; /* with `exists` filled in; may be NULL */
	long long now_ms;               /* wall clock, ms since the epoch */
	long long lock_wait_ms;         /* how long waiting on or holding the lock is too long */
};

/* Returns the number of findings added to d. */
size_t doctor_judge(struct arena *a, const struct doctor_input *in, struct diags *d);

/* The Lease a store's feast-sidecar takes, from its Deployment `dep` (may be NULL): the
 * sidecar's --lease argument (a store on another store's registry shares that store's
 * Lease), else feast-STORE-registry-lock. */
const char *doctor_lease_name(struct arena *a, const struct node *dep, const char *store);

/* kubectl's age of a duration ("45s", "3m12s", "5h", "2d3h", "3y"), as `kubectl get` prints it. */
const char *doctor_age(struct arena *a, long long ms);

#endif
