/* store_view.c -- status's rows and pod views, from the live objects' Lists. */
#include "store_view.h"

#include "arena.h"
#include "doc.h"
#include "doctor.h"
#include "kube_util.h"
#include "scale_target.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct node *items(const struct node *list)
{
	const struct node *v = map_get(list, "items");
	return v && v->kind == NODE_SEQ ? v : NULL;
}

static const char *s_at(const struct node *n, const char *path)
{
	return node_str_or(node_at(n, path), "");
}

static const struct node *find(const struct node *list, const char *ns, const char *name)
{
	const struct node *v = items(list);
	for (size_t i = 0; v && i < v->u.seq.n; i++)
		if (!strcmp(s_at(v->u.seq.v[i], "metadata.namespace"), ns) && !strcmp(s_at(v->u.seq.v[i], "metadata.name"), name))
			return v->u.seq.v[i];
	return NULL;
}

static const char *age_of(struct arena *a, const struct node *obj, long long now_ms)
{
	long long t;
	if (!kube_parse_time(s_at(obj, "metadata.creationTimestamp"), &t))
		return "<unknown>";
	return doctor_age(a, now_ms - t);
}

static void fill(struct arena *a, const struct store_lists *in, long long now_ms, struct store_row *r)
{
	int64_t want = 1, ready = 0;
	if (r->dep) {
		node_get_int(node_at(r->dep, "spec.replicas"), &want);
		node_get_int(node_at(r->dep, "status.readyReplicas"), &ready);
	} else {
		node_get_int(node_at(r->fs, "spec.replicas"), &want);
	}
	r->ready = arena_printf(a, "%lld/%lld", (long long)ready, (long long)want);
	bool hpa;
	const struct node *as = scale_owner_find(in->scaledobjects, in->hpas, r->name, r->ns, SCALE_AIM_ANY, &hpa);
	r->autoscaler = as ? arena_printf(a, "%s/%s", hpa ? "hpa" : "scaledobject", s_at(as, "metadata.name")) : "<none>";
	const struct node *lease = find(in->leases, r->ns, doctor_lease_name(a, r->dep, r->name));
	const char *holder = s_at(lease, "spec.holderIdentity");
	r->holder = *holder ? holder : "<none>";
	r->age = age_of(a, r->fs ? r->fs : r->dep, now_ms);
}

static int by_ns_name(const void *x, const void *y)
{
	const struct store_row *a = x, *b = y;
	int c = strcmp(a->ns, b->ns);
	return c ? c : strcmp(a->name, b->name);
}

size_t store_rows(struct arena *a, const struct store_lists *in, long long now_ms, struct store_row **out)
{
	const struct node *fss = items(in->featurestores), *deps = items(in->deployments);
	size_t cap = (fss ? fss->u.seq.n : 0) + (deps ? deps->u.seq.n : 0), n = 0;
	struct store_row *v = arena_alloc(a, (cap ? cap : 1) * sizeof(*v));
	for (size_t i = 0; fss && i < fss->u.seq.n; i++) {
		struct store_row *r = &v[n++];
		r->fs = fss->u.seq.v[i];
		r->ns = s_at(r->fs, "metadata.namespace"), r->name = s_at(r->fs, "metadata.name");
		r->dep = find(in->deployments, r->ns, arena_printf(a, "feast-%s", r->name));
	}
	for (size_t i = 0; deps && i < deps->u.seq.n; i++) {
		const struct node *d = deps->u.seq.v[i];
		const char *ns = s_at(d, "metadata.namespace");
		const char *store = node_str_or(map_get(node_at(d, "metadata.labels"), "feast.dev/name"), "");
		if (!*store || strcmp(s_at(d, "metadata.name"), arena_printf(a, "feast-%s", store)) ||
		    find(in->featurestores, ns, store))
			continue;
		v[n++] = (struct store_row){ .ns = ns, .name = store, .dep = d };
	}
	for (size_t i = 0; i < n; i++)
		fill(a, in, now_ms, &v[i]);
	qsort(v, n, sizeof(*v), by_ns_name);
	*out = v;
	return n;
}

/* ---- one pod ---- */

/* A container's state as kubectl describe words it: Running, Waiting, Terminated, with the reason. */
static struct node *container_view(struct arena *a, const struct node *cs, bool init, long long now_ms)
{
	struct node *m = node_map(a, NULL);
	map_put(a, m, "name", node_str(a, s_at(cs, "name")));
	map_put(a, m, "init", node_bool(a, init));
	static const char *const states[][2] = { { "waiting", "Waiting" }, { "running", "Running" },
						 { "terminated", "Terminated" } };
	const char *state = "Unknown", *reason = NULL, *started = NULL;
	for (size_t i = 0; i < 3; i++) {
		const struct node *st = node_at(cs, arena_printf(a, "state.%s", states[i][0]));
		if (st) {
			state = states[i][1];
			reason = node_str_or(map_get(st, "reason"), NULL);
			started = i == 1 ? node_str_or(map_get(st, "startedAt"), NULL) : NULL;
			break;
		}
	}
	map_put(a, m, "state", node_str(a, state));
	if (reason)
		map_put(a, m, "reason", node_str(a, reason));
	map_put(a, m, "ready", node_bool(a, node_is_true(map_get(cs, "ready"))));
	int64_t restarts = 0;
	node_get_int(map_get(cs, "restartCount"), &restarts);
	map_put(a, m, "restarts", node_int(a, restarts));
	long long t;
	if (started && kube_parse_time(started, &t)) /* how long it has been running */
		map_put(a, m, "age", node_str(a, doctor_age(a, now_ms - t)));
	return m;
}

struct node *store_pod_view(struct arena *a, const struct node *pod, long long now_ms)
{
	struct node *m = node_map(a, NULL), *ctrs = node_seq(a, NULL);
	map_put(a, m, "name", node_str(a, s_at(pod, "metadata.name")));
	map_put(a, m, "phase", node_str(a, node_str_or(node_at(pod, "status.phase"), "Unknown")));
	const char *ready = kube_condition_status(pod, "Ready");
	map_put(a, m, "ready", node_str(a, ready ? ready : "False"));
	const char *gate = kube_condition_status(pod, "feast.dev/registry-ready");
	if (gate)
		map_put(a, m, "registryReady", node_str(a, gate));
	int64_t restarts = 0;
	static const char *const lists[] = { "status.initContainerStatuses", "status.containerStatuses" };
	for (size_t l = 0; l < 2; l++) {
		const struct node *v = node_at(pod, lists[l]);
		node_seq_each(v, cs) {
			int64_t r = 0;
			node_get_int(map_get(cs, "restartCount"), &r);
			restarts += r;
			seq_push(a, ctrs, container_view(a, cs, l == 0, now_ms));
		}
	}
	map_put(a, m, "restarts", node_int(a, restarts));
	map_put(a, m, "age", node_str(a, age_of(a, pod, now_ms)));
	map_put(a, m, "containers", ctrs);
	return m;
}
