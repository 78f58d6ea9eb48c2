/*
 * kube_resource.h -- from apiVersion and kind to REST paths.
 *
 * A static table covers every kind this project renders or reads (core and
 * named groups: Deployment, Service, ServiceAccount, ConfigMap, Secret,
 * RBAC, HPA, PDB, CronJob, Lease, Pod, FeatureStore, ScaledObject, ...).
 * Other kinds are found through the API server's discovery documents
 * (GET /api/v1, /apis/GROUP/VERSION), cached in the client for its life.
 *
 * Ownership: table entries are static; discovered entries live in the
 * client; paths are built in the caller's arena.
 */
#ifndef FEAST_KUBE_RESOURCE_H
#define FEAST_KUBE_RESOURCE_H

#include <stdbool.h>

#include "diag.h"

struct arena;
struct kube_client;
struct node;

struct kube_resource {
	const char *group;     /* "" for the core group */
	const char *version;   /* "v1" */
	const char *kind;      /* "Deployment" */
	const char *plural;    /* "deployments" */
	bool namespaced;
};

/* The static entry for apiVersion ("apps/v1", "v1") and kind, or NULL. */
const struct kube_resource *kube_resource_builtin(const char *api_version, const char *kind);

/* The table, then discovery.  Returns 0, or -1 with a diagnostic ("no
 * matches for kind ... ensure CRDs are installed first"). */
int kube_resource_find(struct kube_client *c, const char *api_version, const char *kind,
		       struct kube_resource *out, struct diags *d);

/* Discovery only (the table skipped): for tests that check the table
 * against a server, and for kinds the table does not know. */
int kube_resource_discover(struct kube_client *c, const char *api_version, const char *kind,
			   struct kube_resource *out, struct diags *d);

/* /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]] or /apis/GROUP/VERSION/...;
 * `ns` is ignored for cluster-scoped kinds; name and sub may be NULL. */
char *kube_path(struct arena *a, const struct kube_resource *r, const char *ns, const char *name,
		const char *sub);

/* How the API server names the resource in messages: "deployments.apps", "pods". */
char *kube_resource_name(struct arena *a, const struct kube_resource *r);

/* The path of `obj` (its apiVersion, kind, metadata.name and namespace, or
 * `default_ns`); with `collection` the path to POST it to.  `res` (may be
 * NULL) receives the resource.  Returns the path, or NULL with a diagnostic
 * at the object's position. */
char *kube_object_path(struct kube_client *c, struct arena *a, const struct node *obj,
		       const char *default_ns, bool collection, struct kube_resource *res,
		       struct diags *d);

#endif
