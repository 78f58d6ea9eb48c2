/* reconcile_prune.c -- deleting what apply made: prune by store labels or by ApplySet, and what is still in use. */
#include "reconcile.h"
#include "buf.h"
#include "doc.h"
#include "kube_applyset.h"
#include "kube_util.h"

#include <string.h>

/* ---- what every deletion path asks of a live object ---- */

bool rec_applied_by_us(const struct node *item)
{
	const struct node *mf = node_at(item, "metadata.managedFields");
	node_seq_each(mf, e)
		if (!strcmp(node_str_or(map_get(e, "manager"), ""), REC_FIELD_MANAGER) &&
		    !strcmp(node_str_or(map_get(e, "operation"), ""), "Apply"))
			return true;
	return false;
}

bool rec_has_controller(const struct node *item)
{
	const struct node *refs = node_at(item, "metadata.ownerReferences");
	node_seq_each(refs, r)
		if (node_is_true(map_get(r, "controller")))
			return true;
	return false;
}

bool rec_set_has(const struct rec_set *set, const struct kube_resource *res, const char *ns, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct rec_obj *o = &set->v[i];
		if (!strcmp(o->res.plural, res->plural) && !strcmp(o->res.group, res->group) &&
		    !strcmp(o->ns, ns) && !strcmp(o->name, name))
			return true;
	}
	return false;
}

int rec_kinds(struct rec_session *s, enum render_target target, const struct kube_resource ***out, size_t *n)
{
	struct render_kind *v;
	size_t nv;
	if (render_kinds(&s->a, &v, &nv, &s->d) < 0)
		return -1;
	const struct kube_resource **r = arena_alloc(&s->a, (nv + 1) * sizeof(*r));
	*n = 0;
	for (size_t i = nv; i-- > 0;) {
		/* For the operator target the plugin renders ScaledObjects only; the rest is the operator's. */
		if (target == RENDER_TARGET_OPERATOR && strcmp(v[i].kind, "ScaledObject"))
			continue;
		const struct kube_resource *res = kube_resource_builtin(v[i].api_version, v[i].kind);
		if (!res) {
			diag_error(&s->d, NULL, "", "%s %s: no REST path for a kind render builds (build problem)",
				   v[i].api_version, v[i].kind);
			return -1;
		}
		r[(*n)++] = res;
	}
	*out = r;
	return 0;
}

int rec_list(struct rec_session *s, const struct kube_resource *res, const char *ns, const char *selector,
	     const struct node **items)
{
	struct buf q = BUF_INIT;
	if (selector)
		kube_query_add(&q, "labelSelector", selector);
	struct kube_req req = { .method = "GET", .path = kube_path(&s->a, res, res->namespaced ? ns : "", NULL, NULL),
				.query = q.len ? arena_strdup(&s->a, q.data) : NULL };
	buf_release(&q);
	struct kube_response r;
	*items = NULL;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	if (r.code == 404)
		return 0; /* the kind is not served here (no KEDA, no Prometheus Operator) */
	if (!kube_ok(&r))
		return kube_fail(&s->d, &r);
	*items = map_get(r.body, "items");
	if (*items && (*items)->kind != NODE_SEQ)
		*items = NULL;
	return 0;
}

struct rec_obj *rec_add_live(struct rec_session *s, struct rec_set *set, const struct kube_resource *res,
			     struct node *item)
{
	struct rec_obj *o = rec_set_push(&s->a, set);
	o->obj = o->live = item;
	o->res = *res;
	o->ns = res->namespaced ? node_str_or(node_at(item, "metadata.namespace"), "") : "";
	o->name = node_str_or(node_at(item, "metadata.name"), "");
	o->path = kube_path(&s->a, res, o->ns, o->name, NULL);
	o->display = rec_display(&s->a, res, o->name);
	return o;
}

/* ---- shared objects: still in use? ---- */

static bool mentions(const struct node *n, const char *name)
{
	if (!n)
		return false;
	if (n->kind == NODE_SCALAR)
		return !strcmp(n->u.sc.s, name);
	if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < n->u.seq.n; i++)
			if (mentions(n->u.seq.v[i], name))
				return true;
	} else if (n->kind == NODE_MAP) {
		for (size_t i = 0; i < n->u.map.n; i++)
			if (mentions(n->u.map.v[i].val, name))
				return true;
	}
	return false;
}

/* 1 when some object of `res` in `ns` that `gone` does not hold passes `uses`. */
static int any_user(struct rec_session *s, const struct kube_resource *res, const char *ns, const struct rec_set *gone,
		    bool (*uses)(const struct node *, const struct rec_obj *), const struct rec_obj *o)
{
	const struct node *items;
	if (rec_list(s, res, ns, NULL, &items) < 0)
		return -1;
	for (size_t i = 0; items && i < items->u.seq.n; i++) {
		const struct node *it = items->u.seq.v[i];
		const char *its_ns = node_str_or(node_at(it, "metadata.namespace"), "");
		if (uses(it, o) && !(gone && rec_set_has(gone, res, its_ns, node_str_or(node_at(it, "metadata.name"), ""))))
			return 1;
	}
	return 0;
}

static bool refs_role(const struct node *binding, const struct rec_obj *o)
{
	const struct node *ref = map_get(binding, "roleRef");
	return !strcmp(node_str_or(map_get(ref, "kind"), ""), o->res.kind) &&
	       !strcmp(node_str_or(map_get(ref, "name"), ""), o->name);
}

static bool pod_mentions(const struct node *workload, const struct rec_obj *o)
{
	return mentions(map_get(workload, "spec"), o->name);
}

/* The stores share ClusterRoles (token review) and, per namespace, the secret-merge.py
 * ConfigMap; such an object carries no feast.dev/name.  It is in use while a binding names
 * the role, or a Deployment or CronJob names the ConfigMap, that is not being deleted too. */
int rec_still_used(struct rec_session *s, const struct rec_obj *o, const struct rec_set *gone)
{
	if (map_has(node_at(o->live, "metadata.labels"), "feast.dev/name"))
		return 0;
	const char *rbac = "rbac.authorization.k8s.io/v1";
	if (!strcmp(o->res.kind, "ClusterRole") || !strcmp(o->res.kind, "Role")) {
		/* Any namespace's RoleBinding may name a ClusterRole too. */
		struct kube_resource rb = *kube_resource_builtin(rbac, "RoleBinding");
		const char *ns = o->res.namespaced ? o->ns : "";
		if (!*ns)
			rb.namespaced = false; /* the list across namespaces: /apis/.../rolebindings */
		int used = any_user(s, &rb, ns, gone, refs_role, o);
		if (used || o->res.namespaced)
			return used;
		return any_user(s, kube_resource_builtin(rbac, "ClusterRoleBinding"), "", gone, refs_role, o);
	}
	if (!strcmp(o->res.kind, "ConfigMap") || !strcmp(o->res.kind, "Secret")) {
		int used = any_user(s, kube_resource_builtin("apps/v1", "Deployment"), o->ns, gone, pod_mentions, o);
		return used ? used : any_user(s, kube_resource_builtin("batch/v1", "CronJob"), o->ns, gone, pod_mentions, o);
	}
	return 0;
}

/* ---- prune by the stores' labels ---- */

/* A ClusterRoleBinding is the store's only when it binds the store's ServiceAccount. */
bool rec_binds_store(const struct node *item, const char *name, const char *ns)
{
	const struct node *subjects = map_get(item, "subjects");
	node_seq_each(subjects, sub) {
		const char *sa = node_str_or(map_get(sub, "name"), "");
		if (!strcmp(node_str_or(map_get(sub, "kind"), ""), "ServiceAccount") &&
		    !strcmp(node_str_or(map_get(sub, "namespace"), ""), ns) && !strncmp(sa, "feast-", 6) &&
		    !strcmp(sa + 6, name))
			return true;
	}
	return false;
}

bool rec_prune_candidate(const struct rec_set *set, const struct rec_store *st, const struct kube_resource *res,
			 const struct node *item)
{
	const char *name = node_str_or(node_at(item, "metadata.name"), "");
	const char *ns = res->namespaced ? st->ns : "";
	if (!*name || rec_set_has(set, res, ns, name) || !rec_applied_by_us(item) || rec_has_controller(item))
		return false;
	return res->namespaced || rec_binds_store(item, st->name, st->ns);
}

static int prune_list(struct rec_session *s, const struct rec_set *set, const struct rec_store *st,
		      const struct kube_resource *res, struct rec_set *cands)
{
	const char *ns = res->namespaced ? st->ns : "";
	const char *sel = arena_printf(&s->a, "feast.dev/name=%s,app.kubernetes.io/managed-by=%s", st->name,
				       REC_FIELD_MANAGER);
	const struct node *items;
	if (rec_list(s, res, ns, sel, &items) < 0)
		return -1;
	for (size_t i = 0; items && i < items->u.seq.n; i++)
		if (rec_prune_candidate(set, st, res, items->u.seq.v[i]))
			rec_add_live(s, cands, res, items->u.seq.v[i]);
	return 0;
}

int rec_prune_find(struct rec_session *s, const struct rec_set *set, struct rec_set *cands)
{
	memset(cands, 0, sizeof(*cands));
	const struct kube_resource **kinds;
	size_t nkinds;
	if (rec_kinds(s, set->target, &kinds, &nkinds) < 0)
		return -1;
	for (size_t i = 0; i < set->nstores; i++)
		for (size_t k = 0; k < nkinds; k++) {
			/* ClusterRoles are shared and carry no store's name: no list can find one. */
			if (!strcmp(kinds[k]->kind, "ClusterRole"))
				continue;
			if (prune_list(s, set, &set->stores[i], kinds[k], cands) < 0)
				return -1;
		}
	return 0;
}

int rec_delete(struct rec_session *s, struct rec_obj *o, enum rec_dry dry)
{
	if (dry == REC_DRY_CLIENT)
		return 0;
	struct arena *a = &s->a;
	struct node *opts = node_map(a, NULL);
	map_put(a, opts, "apiVersion", node_str(a, "v1"));
	map_put(a, opts, "kind", node_str(a, "DeleteOptions"));
	map_put(a, opts, "propagationPolicy", node_str(a, "Background"));
	/* kube-apiserver reads DeleteOptions from the body when there is one and then ignores
	 * the query: dryRun=All in the URL alone deletes for real. */
	if (dry == REC_DRY_SERVER)
		seq_push(a, map_child_seq(a, opts, "dryRun"), node_str(a, "All"));
	/* Delete the object that was judged, not one re-created under its name since. */
	const char *uid = node_str_or(node_at(o->live, "metadata.uid"), NULL);
	if (uid)
		map_put(a, map_child_map(a, opts, "preconditions"), "uid", node_str(a, uid));
	struct kube_req req = { .method = "DELETE", .path = o->path, .obj = opts,
				.query = dry == REC_DRY_SERVER ? "dryRun=All" : NULL };
	struct kube_response r;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	if (r.code == 404)
		return 0; /* gone already */
	return kube_ok(&r) ? 0 : kube_fail(&s->d, &r);
}

int rec_delete_each(struct rec_session *s, struct rec_set *objs, enum rec_dry dry, enum rec_verb verb, FILE *out)
{
	for (size_t i = 0; i < objs->n; i++) {
		if (rec_delete(s, &objs->v[i], dry) < 0) {
			diag_error(&s->d, NULL, "", "%s stopped at %s: %zu of %zu objects were %s before it",
				   verb == REC_PRUNED ? "pruning" : "deleting", objs->v[i].display, i, objs->n,
				   verb == REC_PRUNED ? "pruned" : "deleted");
			return -1;
		}
		rec_print_verb(out, &objs->v[i], verb, dry);
	}
	return 0;
}

int rec_prune_all(struct rec_session *s, const struct rec_set *set, enum rec_dry dry, FILE *out)
{
	struct rec_set cands;
	if (rec_prune_find(s, set, &cands) < 0)
		return -1;
	return rec_delete_each(s, &cands, dry, REC_PRUNED, out);
}
