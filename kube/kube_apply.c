/* kube_apply.c -- judge a server-side apply from its answer alone, and the waves applies go in. */
#include "kube_apply.h"
#include "doc.h"
#include "kube_util.h"

#include <stdlib.h>
#include <string.h>

static bool parse_rv(const char *s, unsigned long long *out)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return false;
	*out = strtoull(s, NULL, 10);
	return true;
}

void kube_floor_from(struct kube_floor *f, const struct kube_response *r)
{
	memset(f, 0, sizeof(*f));
	f->taken = true;
	f->date_ms = r->date_ms;
	if (r->code >= 200 && r->code < 300)
		f->have_rv = parse_rv(node_str_or(node_at(r->body, "metadata.resourceVersion"), NULL), &f->rv);
}

/* When `manager` last changed the object by applying (ms, whole seconds), or -1. */
static long long applied_at(const struct node *obj, const char *manager)
{
	const struct node *mf = node_at(obj, "metadata.managedFields");
	node_seq_each(mf, e) {
		long long ms;
		if (!strcmp(node_str_or(map_get(e, "manager"), ""), manager) &&
		    !strcmp(node_str_or(map_get(e, "operation"), ""), "Apply") &&
		    !*node_str_or(map_get(e, "subresource"), "") &&
		    kube_parse_time(node_str_or(map_get(e, "time"), ""), &ms))
			return ms;
	}
	return -1;
}

/* Did a writer other than `manager`'s apply stamp its entry at `since_ms` or later? */
static bool others_since(const struct node *obj, const char *manager, long long since_ms)
{
	const struct node *mf = node_at(obj, "metadata.managedFields");
	node_seq_each(mf, e) {
		long long ms;
		bool ours = !strcmp(node_str_or(map_get(e, "manager"), ""), manager) &&
			    !strcmp(node_str_or(map_get(e, "operation"), ""), "Apply") &&
			    !*node_str_or(map_get(e, "subresource"), "");
		if (!ours && kube_parse_time(node_str_or(map_get(e, "time"), ""), &ms) && ms >= since_ms)
			return true;
	}
	return false;
}

static bool int_at(const struct node *obj, const char *path, long long *out)
{
	int64_t v;
	if (!node_get_int(node_at(obj, path), &v))
		return false;
	*out = (long long)v;
	return true;
}

enum kube_outcome kube_apply_outcome(const struct kube_response *r, const char *manager,
				     const struct kube_floor *f, bool resent)
{
	if (r->code == 201)
		return KUBE_APPLY_CREATED;
	unsigned long long rv;
	bool wrote_since = true;
	if (f->have_rv && parse_rv(node_str_or(node_at(r->body, "metadata.resourceVersion"), NULL), &rv))
		wrote_since = rv > f->rv;
	if (!wrote_since)
		return KUBE_APPLY_UNCHANGED; /* no write since the floor at all */
	/* The API server stamps the applier's entry exactly when its apply changed the object;
	 * times are whole seconds, as is the floor's Date. */
	long long t = applied_at(r->body, manager);
	if (f->date_ms <= 0 || t < 0)
		return KUBE_APPLY_CONFIGURED;
	if (t != f->date_ms)
		return t > f->date_ms ? KUBE_APPLY_CONFIGURED : KUBE_APPLY_UNCHANGED;
	/* Stamped in the floor's own second: by this apply, or by the last one just before the
	 * floor.  If nobody else wrote since, the write since the floor was ours. */
	if (resent || (f->have_rv && !others_since(r->body, manager, f->date_ms)))
		return KUBE_APPLY_CONFIGURED;
	/* Someone else (a controller writing status) wrote too.  The answer shows the object as
	 * our write left it (the one attempt there was), so a spec change of ours is a generation its controller has not
	 * observed yet. */
	long long gen, seen;
	if (int_at(r->body, "metadata.generation", &gen) && int_at(r->body, "status.observedGeneration", &seen))
		return gen > seen ? KUBE_APPLY_CONFIGURED : KUBE_APPLY_UNCHANGED;
	return KUBE_APPLY_CONFIGURED;
}

static bool builtin_group(const char *g)
{
	static const char *const plain[] = { "", "apps", "batch", "policy", "autoscaling" };
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(g, plain[i]))
			return true;
	size_t n = strlen(g);
	return n >= 7 && !strcmp(g + n - 7, ".k8s.io");
}

unsigned kube_apply_wave(const char *group, const char *kind)
{
	if ((!*group && !strcmp(kind, "Namespace")) ||
	    (!strcmp(group, "apiextensions.k8s.io") && !strcmp(kind, "CustomResourceDefinition")))
		return 0;
	if (!builtin_group(group))
		return 4; /* custom resources: after their CRDs, and after the Secrets they name */
	if (!strcmp(group, "rbac.authorization.k8s.io") &&
	    (!strcmp(kind, "RoleBinding") || !strcmp(kind, "ClusterRoleBinding")))
		return 2;
	static const char *const workloads[] = { "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
						 "Job", "CronJob", "Pod", "ReplicationController" };
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!strcmp(kind, workloads[i]))
			return 3;
	if (!strcmp(kind, "HorizontalPodAutoscaler"))
		return 4; /* its target first: no FailedGetScale warning on a first apply */
	/* A PodDisruptionBudget needs nothing, and is in place before the pods it guards. */
	return 1;
}
