/*
 * kjson.h -- the Kubernetes objects the sidecar reads and writes, as
 * document trees (lib/doc.h): Lease in both directions, Pod for reading.
 *
 * lease_from_node() reads an untrusted body: anything missing or of the
 * wrong type reads as absent, strings that do not fit are marked (an
 * over-long holder becomes LEASE_HOLDER_UNKNOWN, which equals no identity),
 * and only a body without metadata.resourceVersion is refused -- without one
 * nothing can be written back safely.
 *
 * lease_to_node() builds a create or update body.  A PUT replaces the whole
 * object, so an update starts from the last body read (`base`) and changes
 * only spec and our annotation: labels and annotations put there by others
 * (GitOps, `kubectl annotate`) survive.  managedFields is dropped (the
 * server keeps it when absent).  Nodes live in the arena passed in.
 */
#ifndef FEAST_KJSON_H
#define FEAST_KJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "lease.h"

struct arena;
struct node;

#define GENERATION_ANNOTATION "feast.dev/registry-generation"

int lease_from_node(const struct node *n, struct lease_obj *out);
struct node *lease_to_node(struct arena *a, const struct node *base, const char *name, const char *ns,
			   const struct lease_req *req);

/* What readiness gating reads from its own Pod (strings point into the tree). */
#define POD_MAX_CONDITIONS 32
struct pod_info {
	const char *name, *namespace, *uid, *phase, *resource_version;
	bool deleting; /* metadata.deletionTimestamp is set */
	size_t nconditions;
	struct {
		const char *type, *status;
	} conditions[POD_MAX_CONDITIONS];
};
int pod_from_node(const struct node *n, struct pod_info *out);

#endif
