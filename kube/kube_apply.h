/*
 * kube_apply.h -- what a server-side apply's answer says happened, without a GET before it,
 * and the waves a set of applies goes in.
 *
 * A run first reads the cluster's "floor": the resourceVersion of a LIST (kube-apiserver
 * answers the current etcd revision) and the answer's Date header (the server's clock).
 * Every write made after that carries a larger resourceVersion and, in the writer's
 * managedFields entry, a time no earlier than the floor's second.  docs/kube-client.md
 * ("Created, configured or unchanged") says how exact that is.
 *
 * Nothing here allocates or keeps state; answers are borrowed.
 */
#ifndef FEAST_KUBE_APPLY_H
#define FEAST_KUBE_APPLY_H

#include <stdbool.h>

#include "kube_client.h"

struct kube_floor {
	bool taken;               /* a floor request was answered */
	bool have_rv;             /* its resourceVersion was a decimal revision */
	unsigned long long rv;
	long long date_ms;        /* its Date header; 0 when absent */
};

enum kube_outcome { KUBE_APPLY_CREATED, KUBE_APPLY_CONFIGURED, KUBE_APPLY_UNCHANGED };

/* Fill *f from the answer to a LIST made before the run's first write (any code: a 403
 * still carries the server's Date). */
void kube_floor_from(struct kube_floor *f, const struct kube_response *r);

/* The outcome of the apply PATCH answered by `r` (2xx) for field manager `manager`:
 * 201 created; an answer no newer than the floor is unchanged; otherwise configured when
 * the manager's Apply entry was stamped after the floor's second, unchanged when before it
 * (someone else wrote the object since the floor), and within that second configured
 * unless another writer came too and the generation shows no spec change.  `resent`: an
 * earlier attempt of the same apply went unanswered (it may have written).  Without a
 * floor: configured. */
enum kube_outcome kube_apply_outcome(const struct kube_response *r, const char *manager,
				     const struct kube_floor *f, bool resent);

/* The wave an object of this group and kind is applied in (0 first): namespaces and CRDs;
 * then what nothing else needs first (ServiceAccounts, ConfigMaps, Secrets, Roles, Services,
 * PodDisruptionBudgets, ...); then the bindings of those roles and accounts; then the
 * workloads that start pods using all of them; then HPAs, which read their target's scale, and
 * custom resources. */
unsigned kube_apply_wave(const char *group, const char *kind);
#define KUBE_APPLY_WAVES 5

#endif
