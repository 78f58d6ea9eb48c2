/* kube_resource.c -- kinds to REST paths: a static table for the project's kinds, discovery for the rest. */
#include "kube_resource.h"
#include "kube_client_int.h"
#include "doc.h"
#include "kube_util.h"

#include <string.h>

static const struct kube_resource table[] = {
	{ "", "v1", "ConfigMap", "configmaps", true },
	{ "", "v1", "Endpoints", "endpoints", true },
	{ "", "v1", "Event", "events", true },
	{ "", "v1", "Namespace", "namespaces", false },
	{ "", "v1", "Node", "nodes", false },
	{ "", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true },
	{ "", "v1", "Pod", "pods", true },
	{ "", "v1", "Secret", "secrets", true },
	{ "", "v1", "Service", "services", true },
	{ "", "v1", "ServiceAccount", "serviceaccounts", true },
	{ "apps", "v1", "DaemonSet", "daemonsets", true },
	{ "apps", "v1", "Deployment", "deployments", true },
	{ "apps", "v1", "ReplicaSet", "replicasets", true },
	{ "apps", "v1", "StatefulSet", "statefulsets", true },
	{ "autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true },
	{ "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true },
	{ "batch", "v1", "CronJob", "cronjobs", true },
	{ "batch", "v1", "Job", "jobs", true },
	{ "coordination.k8s.io", "v1", "Lease", "leases", true },
	{ "networking.k8s.io", "v1", "Ingress", "ingresses", true },
	{ "networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true },
	{ "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true },
	{ "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false },
	{ "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false },
	{ "rbac.authorization.k8s.io", "v1", "Role", "roles", true },
	{ "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true },
	{ "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false },
	{ "feast.dev", "v1", "FeatureStore", "featurestores", true },
	{ "feast.dev", "v1alpha1", "FeatureStore", "featurestores", true },
	{ "keda.sh", "v1alpha1", "ScaledObject", "scaledobjects", true },
	{ "keda.sh", "v1alpha1", "TriggerAuthentication", "triggerauthentications", true },
	{ "route.openshift.io", "v1", "Route", "routes", true },
	{ "monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", true },
};

/* Split "group/version" (or "version" for the core group). */
static bool split_gv(const char *gv, char *group, size_t gn, const char **version)
{
	const char *slash = strchr(gv, '/');
	if (!slash) {
		group[0] = '\0';
		*version = gv;
		return *gv != '\0';
	}
	size_t n = (size_t)(slash - gv);
	if (!n || n >= gn || !slash[1] || strchr(slash + 1, '/'))
		return false;
	memcpy(group, gv, n);
	group[n] = '\0';
	*version = slash + 1;
	return true;
}

const struct kube_resource *kube_resource_builtin(const char *api_version, const char *kind)
{
	char group[256];
	const char *version;
	if (!api_version || !kind || !split_gv(api_version, group, sizeof(group), &version))
		return NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].kind, kind) && !strcmp(table[i].group, group) &&
		    !strcmp(table[i].version, version))
			return &table[i];
	return NULL;
}

char *kube_path(struct arena *a, const struct kube_resource *r, const char *ns, const char *name,
		const char *sub)
{
	struct buf b = BUF_INIT;
	if (*r->group)
		buf_addf(&b, "/apis/%s/%s", r->group, r->version);
	else
		buf_addf(&b, "/api/%s", r->version);
	if (r->namespaced && ns && *ns) {
		buf_adds(&b, "/namespaces/");
		kube_url_escape(&b, ns);
	}
	buf_addf(&b, "/%s", r->plural);
	if (name) {
		buf_addc(&b, '/');
		kube_url_escape(&b, name);
		if (sub)
			buf_addf(&b, "/%s", sub);
	}
	char *s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

char *kube_resource_name(struct arena *a, const struct kube_resource *r)
{
	return *r->group ? arena_printf(a, "%s.%s", r->plural, r->group) : arena_strdup(a, r->plural);
}

/* ---- discovery ---- */

static const struct disc_gv *disc_cached(const struct kube_client *c, const char *gv)
{
	for (size_t i = 0; i < c->ndisc; i++)
		if (!strcmp(c->disc[i].gv, gv))
			return &c->disc[i];
	return NULL;
}

void disc_store(struct kube_client *c, const char *gv, const char *group, const char *version,
		       const struct node *list)
{
	struct arena *a = &c->arena;
	c->disc = arena_grow(a, c->disc, c->ndisc * sizeof(*c->disc), (c->ndisc + 1) * sizeof(*c->disc));
	struct disc_gv *g = &c->disc[c->ndisc++];
	g->gv = arena_strdup(a, gv);
	size_t cap = list && list->kind == NODE_SEQ ? list->u.seq.n : 0;
	g->v = arena_alloc(a, (cap + 1) * sizeof(*g->v));
	for (size_t i = 0; i < cap; i++) {
		const struct node *r = list->u.seq.v[i];
		const char *name = node_str_or(map_get(r, "name"), NULL);
		const char *kind = node_str_or(map_get(r, "kind"), NULL);
		bool namespaced = false;
		if (!name || !kind || strchr(name, '/'))
			continue; /* subresources such as deployments/scale */
		node_get_bool(map_get(r, "namespaced"), &namespaced);
		g->v[g->n++] = (struct kube_resource){ arena_strdup(a, group), arena_strdup(a, version),
						       arena_strdup(a, kind), arena_strdup(a, name),
						       namespaced };
	}
}

static int discover(struct kube_client *c, const char *gv, const char *group, const char *version,
		    struct diags *d)
{
	struct arena a = ARENA_INIT;
	char *path = *group ? arena_printf(&a, "/apis/%s/%s", group, version) : arena_printf(&a, "/api/%s", version);
	struct kube_response r;
	int rc = kube_get(c, &a, path, NULL, &r, d);
	if (rc == 0 && r.code != 404 && !kube_ok(&r))
		rc = kube_fail(d, &r);
	if (rc == 0)
		disc_store(c, gv, group, version, r.code == 404 ? NULL : map_get(r.body, "resources"));
	arena_free(&a);
	return rc;
}

static const struct kube_resource *discovered(struct kube_client *c, const char *api_version,
					     const char *kind, struct diags *d, bool *failed)
{
	char group[256];
	const char *version;
	*failed = false;
	if (!c || !api_version || !split_gv(api_version, group, sizeof(group), &version))
		return NULL;
	const struct disc_gv *g = disc_cached(c, api_version);
	if (!g && discover(c, api_version, group, version, d) < 0) {
		*failed = true;
		return NULL;
	}
	g = disc_cached(c, api_version);
	for (size_t i = 0; g && i < g->n; i++)
		if (!strcmp(g->v[i].kind, kind))
			return &g->v[i];
	return NULL;
}

static int found(const struct kube_resource *r, const char *api_version, const char *kind,
		 struct kube_resource *out, struct diags *d)
{
	if (!r) {
		diag_error(d, NULL, "", "no matches for kind \"%s\" in version \"%s\" (ensure CRDs are "
			   "installed first)", kind ? kind : "", api_version ? api_version : "");
		return -1;
	}
	*out = *r;
	return 0;
}

int kube_resource_discover(struct kube_client *c, const char *api_version, const char *kind,
			   struct kube_resource *out, struct diags *d)
{
	bool failed;
	const struct kube_resource *r = discovered(c, api_version, kind, d, &failed);
	return failed ? -1 : found(r, api_version, kind, out, d);
}

int kube_resource_find(struct kube_client *c, const char *api_version, const char *kind,
		       struct kube_resource *out, struct diags *d)
{
	const struct kube_resource *r = kube_resource_builtin(api_version, kind);
	if (r)
		return found(r, api_version, kind, out, d);
	return kube_resource_discover(c, api_version, kind, out, d);
}

char *kube_object_path(struct kube_client *c, struct arena *a, const struct node *obj,
		       const char *default_ns, bool collection, struct kube_resource *res,
		       struct diags *d)
{
	const char *av = node_str_or(map_get(obj, "apiVersion"), NULL);
	const char *kind = node_str_or(map_get(obj, "kind"), NULL);
	const struct node *meta = map_get(obj, "metadata");
	const char *name = node_str_or(map_get(meta, "name"), NULL);
	const char *ns = node_str_or(map_get(meta, "namespace"), NULL);
	const struct pos *pos = obj ? &obj->pos : NULL;
	if (!av || !kind || (!collection && (!name || !*name))) {
		diag_error(d, pos, "", "an object needs apiVersion, kind and metadata.name");
		return NULL;
	}
	struct kube_resource r;
	size_t before = d->n;
	if (kube_resource_find(c, av, kind, &r, d) < 0) {
		if (d->n > before && pos) {
			d->v[d->n - 1].pos = *pos;
			if (pos->file)
				d->v[d->n - 1].pos.file = arena_strdup(d->arena, pos->file);
		}
		return NULL;
	}
	if (res)
		*res = r;
	return kube_path(a, &r, ns && *ns ? ns : default_ns, collection ? NULL : name, NULL);
}
