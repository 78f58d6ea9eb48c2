/* reconcile_delete.c -- `delete`: every object of the named stores, the shared ones with the last store, and --wait. */
#include "reconcile.h"
#include "buf.h"
#include "doc.h"
#include "kube_util.h"

#include <string.h>
#include <time.h>

#define WAIT_POLL_MS 250

static bool in_set(const struct rec_set *set, const struct kube_resource *res, const struct node *item)
{
	return rec_set_has(set, res, res->namespaced ? node_str_or(node_at(item, "metadata.namespace"), "") : "",
			   node_str_or(node_at(item, "metadata.name"), ""));
}

/* Sort one live object of a store into the plan: ours to delete, or another manager's to leave. */
static void judge(struct rec_session *s, struct rec_delete_plan *p, const struct kube_resource *res, struct node *item)
{
	if (in_set(&p->go, res, item) || in_set(&p->left, res, item))
		return;
	rec_add_live(s, rec_applied_by_us(item) ? &p->go : &p->left, res, item);
}

/* The FeatureStore itself, when apply --target operator sent it. */
static int store_object(struct rec_session *s, struct rec_delete_plan *p, const struct rec_store *st, size_t *found)
{
	const struct kube_resource *res = kube_resource_builtin("feast.dev/v1", "FeatureStore");
	struct node *live;
	if (rec_get_path(s, kube_path(&s->a, res, st->ns, st->name, NULL), NULL, &live) < 0)
		return -1;
	if (live) {
		judge(s, p, res, live);
		(*found)++;
	}
	return 0;
}

static int store_objects(struct rec_session *s, struct rec_delete_plan *p, const struct rec_store *st,
			 const struct kube_resource **kinds, size_t nkinds)
{
	size_t found = 0;
	if (store_object(s, p, st, &found) < 0)
		return -1;
	const char *sel = arena_printf(&s->a, "feast.dev/name=%s,app.kubernetes.io/managed-by=%s", st->name,
				       REC_FIELD_MANAGER);
	for (size_t k = 0; k < nkinds; k++) {
		const struct node *items;
		if (!strcmp(kinds[k]->kind, "ClusterRole"))
			continue; /* shared, no store's name on it: found through the bindings below */
		if (rec_list(s, kinds[k], st->ns, sel, &items) < 0)
			return -1;
		for (size_t i = 0; items && i < items->u.seq.n; i++) {
			struct node *item = items->u.seq.v[i];
			/* Cluster-wide names: only the binding of this store's own ServiceAccount. */
			if (!kinds[k]->namespaced && !rec_binds_store(item, st->name, st->ns))
				continue;
			if (rec_has_controller(item))
				continue; /* the garbage collector follows its owner */
			judge(s, p, kinds[k], item);
			found++;
		}
	}
	if (!found)
		diag_error(&s->d, NULL, "", "featurestore \"%s\" not found: namespace \"%s\" holds no object of it",
			   st->name, st->ns);
	return 0;
}

/* A shared object a deleted object names: goes too when applied by us and nothing else uses it. */
static int shared(struct rec_session *s, struct rec_delete_plan *p, const char *api, const char *kind,
		  const char *ns, const char *name)
{
	const struct kube_resource *res = kube_resource_builtin(api, kind);
	if (!name || rec_set_has(&p->go, res, res->namespaced ? ns : "", name))
		return 0;
	struct node *live;
	if (rec_get_path(s, kube_path(&s->a, res, ns, name, NULL), NULL, &live) < 0)
		return -1;
	if (!live || !rec_applied_by_us(live) || map_has(node_at(live, "metadata.labels"), "feast.dev/name"))
		return 0;
	struct rec_set one = { 0 };
	struct rec_obj *o = rec_add_live(s, &one, res, live);
	int used = rec_still_used(s, o, &p->go);
	if (used < 0)
		return -1;
	if (used)
		p->kept++;
	else
		*rec_set_push(&s->a, &p->go) = *o;
	return 0;
}

/* ConfigMap names a pod template mounts (volumes[].configMap.name). */
static int mounted_configmaps(struct rec_session *s, struct rec_delete_plan *p, const struct node *n, const char *ns)
{
	if (!n)
		return 0;
	if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < n->u.seq.n; i++)
			if (mounted_configmaps(s, p, n->u.seq.v[i], ns) < 0)
				return -1;
	} else if (n->kind == NODE_MAP) {
		const char *cm = node_str_or(node_at(n, "configMap.name"), NULL);
		if (cm && shared(s, p, "v1", "ConfigMap", ns, cm) < 0)
			return -1;
		for (size_t i = 0; i < n->u.map.n; i++)
			if (mounted_configmaps(s, p, n->u.map.v[i].val, ns) < 0)
				return -1;
	}
	return 0;
}

int rec_delete_plan(struct rec_session *s, const struct rec_store *stores, size_t n, struct rec_delete_plan *p)
{
	memset(p, 0, sizeof(*p));
	const struct kube_resource **kinds;
	size_t nkinds;
	if (rec_kinds(s, RENDER_TARGET_STANDALONE, &kinds, &nkinds) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (store_objects(s, p, &stores[i], kinds, nkinds) < 0)
			return -1;
	/* The objects the stores share, found through what names them, after the stores' own. */
	size_t own = p->go.n;
	for (size_t i = 0; i < own; i++) {
		const struct rec_obj *o = &p->go.v[i];
		int rc = 0;
		if (!strcmp(o->res.kind, "ClusterRoleBinding"))
			rc = shared(s, p, "rbac.authorization.k8s.io/v1", "ClusterRole", "",
				    node_str_or(node_at(o->live, "roleRef.name"), NULL));
		else if (!strcmp(o->res.kind, "Deployment") || !strcmp(o->res.kind, "CronJob"))
			rc = mounted_configmaps(s, p, map_get(o->live, "spec"), o->ns);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* How many of the deleted objects (the same uid) and of the stores' pods are still there. */
static int remaining(struct rec_session *s, const struct rec_store *stores, size_t n, const struct rec_set *gone,
		     size_t *objs, size_t *pods)
{
	*objs = *pods = 0;
	for (size_t i = 0; i < gone->n; i++) {
		struct node *live;
		if (rec_get_path(s, gone->v[i].path, NULL, &live) < 0)
			return -1;
		const char *uid = node_str_or(node_at(gone->v[i].live, "metadata.uid"), "");
		*objs += live && !strcmp(node_str_or(node_at(live, "metadata.uid"), ""), uid);
	}
	const struct kube_resource *pod = kube_resource_builtin("v1", "Pod");
	for (size_t i = 0; i < n; i++) {
		const struct node *items;
		if (rec_list(s, pod, stores[i].ns, arena_printf(&s->a, "feast.dev/name=%s", stores[i].name), &items) < 0)
			return -1;
		*pods += items ? items->u.seq.n : 0;
	}
	return 0;
}

int rec_delete_wait(struct rec_session *s, const struct rec_store *stores, size_t n, const struct rec_set *gone,
		    long long timeout_ms, FILE *err)
{
	long long deadline = timeout_ms ? kube_now_ms() + timeout_ms : 0;
	size_t last_objs = (size_t)-1, last_pods = (size_t)-1;
	for (;;) {
		size_t objs, pods;
		if (remaining(s, stores, n, gone, &objs, &pods) < 0)
			return -1;
		if (!objs && !pods)
			return 0;
		if (objs != last_objs || pods != last_pods)
			fprintf(err, "Waiting for %zu objects and %zu pods to be gone...\n", objs, pods);
		last_objs = objs, last_pods = pods;
		if (deadline && kube_now_ms() >= deadline) {
			diag_error(&s->d, NULL, "", "timed out waiting for the deletion: %zu objects and %zu pods remain",
				   objs, pods);
			return 1;
		}
		sleep_ms(WAIT_POLL_MS);
	}
}
