/* reconcile_applyset.c -- apply --prune --applyset: kubectl's ApplySet parent, member labels and the prune of whole stores. */
#include "reconcile.h"
#include "command.h"
#include "buf.h"
#include "doc.h"
#include "kube_util.h"

#include <string.h>

#define APPLYSET_MANAGER REC_FIELD_MANAGER "-applyset" /* kubectl: "<tool>-applyset" */
#define TOOL_NAME "kubectl-feast"

static int parent_error(struct rec_session *s, const struct rec_applyset *as, const char *fmt, const char *a,
			const char *b)
{
	char *why = arena_printf(&s->a, fmt, a, b);
	diag_error(&s->d, NULL, "", "ApplySet parent object %s in namespace \"%s\" %s", as->display, as->ns, why);
	return -1;
}

/* The parent as it stands: refused when another tool manages it, or it is another set. */
static int read_parent(struct rec_session *s, struct rec_applyset *as)
{
	struct node *live;
	if (rec_get_path(s, as->path, NULL, &live) < 0)
		return -1;
	applyset_list_add(&s->a, &as->nss, as->ns);
	if (!live)
		return 0;
	const struct node *ann = node_at(live, "metadata.annotations");
	const char *tooling = node_str_or(map_get(ann, APPLYSET_TOOLING_ANN), NULL);
	const char *id = node_str_or(map_get(node_at(live, "metadata.labels"), APPLYSET_ID_LABEL), NULL);
	if (!tooling)
		return parent_error(s, as, "already exists and is missing required annotation %s%s", APPLYSET_TOOLING_ANN, "");
	const char *tool = applyset_tooling_name(&s->a, tooling);
	if (strcmp(tool, TOOL_NAME))
		return parent_error(s, as, "already exists and is managed by tooling \"%s\" instead of \"%s\"", tool,
				    TOOL_NAME);
	if (!id || strcmp(id, as->id))
		return parent_error(s, as, "exists and has incorrect value for label " APPLYSET_ID_LABEL
				    " (got: %s, want: %s)", id ? id : "none", as->id);
	const char *gks = node_str_or(map_get(ann, APPLYSET_GKS_ANN), NULL);
	if (!gks)
		return parent_error(s, as, "lacks the annotation %s%s", APPLYSET_GKS_ANN, "");
	applyset_list_add_csv(&s->a, &as->gks, gks);
	applyset_list_add_csv(&s->a, &as->nss, node_str_or(map_get(ann, APPLYSET_NS_ANN), NULL));
	as->existed = true;
	return 0;
}

/* Server-side apply of the parent's id label and annotations, under its own field manager
 * (as kubectl does), so the members' manager never owns the parent. */
static int write_parent(struct rec_session *s, const struct rec_applyset *as, const struct applyset_list *gks,
			const struct applyset_list *nss, enum rec_dry dry)
{
	if (dry == REC_DRY_CLIENT)
		return 0;
	struct arena *a = &s->a;
	struct node *p = node_map(a, NULL);
	map_put(a, p, "apiVersion", node_str(a, "v1"));
	map_put(a, p, "kind", node_str(a, as->ref.kind));
	struct node *meta = map_child_map(a, p, "metadata");
	map_put(a, meta, "name", node_str(a, as->ref.name));
	map_put(a, meta, "namespace", node_str(a, as->ns));
	map_put(a, map_child_map(a, meta, "labels"), APPLYSET_ID_LABEL, node_str(a, as->id));
	struct node *ann = map_child_map(a, meta, "annotations");
	map_put(a, ann, APPLYSET_TOOLING_ANN, node_strf(a, TOOL_NAME "/v%s", feast_version()));
	map_put(a, ann, APPLYSET_GKS_ANN, node_str(a, applyset_list_join(a, gks, NULL)));
	map_put(a, ann, APPLYSET_NS_ANN, node_str(a, applyset_list_join(a, nss, as->ns)));
	struct buf q = BUF_INIT;
	kube_query_add(&q, "fieldManager", APPLYSET_MANAGER);
	kube_query_add(&q, "force", "true");
	if (dry == REC_DRY_SERVER)
		kube_query_add(&q, "dryRun", "All");
	struct kube_req req = { .method = "PATCH", .path = as->path, .query = arena_strdup(a, q.data),
				.content_type = "application/apply-patch+yaml", .obj = p };
	buf_release(&q);
	struct kube_response r;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	return kube_ok(&r) ? 0 : kube_fail(&s->d, &r);
}

int rec_applyset_plan(struct rec_session *s, struct rec_set *set, const struct applyset_ref *ref,
		      struct rec_applyset *as)
{
	memset(as, 0, sizeof(*as));
	as->ref = *ref;
	as->ns = s->cfg.namespace;
	if (!as->ns || !*as->ns) {
		diag_error(&s->d, NULL, "", "namespace is required to use namespace-scoped ApplySet (-n)");
		return -1;
	}
	as->res = *kube_resource_builtin("v1", ref->kind);
	as->path = kube_path(&s->a, &as->res, as->ns, ref->name, NULL);
	as->display = rec_display(&s->a, &as->res, ref->name);
	as->id = applyset_id(&s->a, ref->name, as->ns, ref->kind, "");
	if (read_parent(s, as) < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		struct node *labels = map_child_map(&s->a, map_child_map(&s->a, o->obj, "metadata"), "labels");
		if (map_has(labels, APPLYSET_PART_OF_LABEL)) {
			const struct node *root = o->src ? o->src->root : NULL;
			diag_error(&s->d, root ? &root->pos : NULL, "metadata.labels",
				   "%s: ApplySet label %s already set in input data", o->display, APPLYSET_PART_OF_LABEL);
			return -1;
		}
		map_put(&s->a, labels, APPLYSET_PART_OF_LABEL, node_str(&s->a, as->id));
		applyset_list_add(&s->a, &as->new_gks, applyset_gk(&s->a, o->res.kind, o->res.group));
		if (o->res.namespaced)
			applyset_list_add(&s->a, &as->new_nss, o->ns);
	}
	/* Before any member is written the parent covers both sets (begin), so an apply cut
	 * short leaves nothing outside the set for the next prune. */
	struct applyset_list gks = as->gks, nss = as->nss;
	for (size_t i = 0; i < as->new_gks.n; i++)
		applyset_list_add(&s->a, &gks, as->new_gks.v[i]);
	for (size_t i = 0; i < as->new_nss.n; i++)
		applyset_list_add(&s->a, &nss, as->new_nss.v[i]);
	as->all_gks = gks;
	as->all_nss = nss;
	return 0;
}

int rec_applyset_begin(struct rec_session *s, struct rec_set *set, const struct applyset_ref *ref, enum rec_dry dry,
		       struct rec_applyset *as)
{
	if (rec_applyset_plan(s, set, ref, as) < 0)
		return -1;
	return write_parent(s, as, &as->all_gks, &as->all_nss, dry);
}

/* The resource of a group-kind the parent lists: from the run's objects, render's kinds,
 * or the server's preferred version of the group.  1: not served (nothing of it to prune). */
static int gk_resource(struct rec_session *s, const struct rec_set *set, const char *gk, struct kube_resource *out)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(applyset_gk(&s->a, set->v[i].res.kind, set->v[i].res.group), gk))
			return *out = set->v[i].res, 0;
	const char *kind, *group;
	applyset_gk_split(&s->a, gk, &kind, &group);
	const char *gv = "v1";
	if (*group) {
		struct node *g;
		if (rec_get_path(s, arena_printf(&s->a, "/apis/%s", group), NULL, &g) < 0)
			return -1;
		gv = node_str_or(node_at(g, "preferredVersion.groupVersion"), NULL);
		if (!gv)
			return 1;
	}
	size_t n = s->d.n;
	if (kube_resource_find(s->c, gv, kind, out, &s->d) < 0) {
		rec_drop_diags(s, n); /* a kind its CRD no longer serves holds no objects */
		return 1;
	}
	return 0;
}

static int list_members(struct rec_session *s, const struct rec_set *set, const struct rec_applyset *as,
			const struct kube_resource *res, struct rec_set *cands)
{
	const char *sel = arena_printf(&s->a, "%s=%s", APPLYSET_PART_OF_LABEL, as->id);
	for (size_t k = 0; k < (res->namespaced ? as->all_nss.n : 1); k++) {
		const struct node *items;
		const char *ns = res->namespaced ? as->all_nss.v[k] : "";
		if (rec_list(s, res, ns, sel, &items) < 0)
			return -1;
		for (size_t i = 0; items && i < items->u.seq.n; i++) {
			struct node *item = items->u.seq.v[i];
			const char *name = node_str_or(node_at(item, "metadata.name"), "");
			if (*name && !rec_set_has(set, res, ns, name) && rec_applied_by_us(item) && !rec_has_controller(item))
				rec_add_live(s, cands, res, item);
		}
	}
	return 0;
}

/* The parent's kinds in the order to delete them: render's kinds dependents first, then the
 * rest (documents passed through) as the annotation sorts them. */
static int prune_kinds(struct rec_session *s, const struct rec_set *set, const struct rec_applyset *as,
		       struct kube_resource **out, size_t *n)
{
	const struct kube_resource **kinds;
	size_t nkinds;
	if (rec_kinds(s, RENDER_TARGET_STANDALONE, &kinds, &nkinds) < 0)
		return -1;
	struct kube_resource *v = arena_alloc(&s->a, (as->all_gks.n + 1) * sizeof(*v));
	bool *done = arena_alloc(&s->a, (as->all_gks.n + 1) * sizeof(*done));
	*n = 0;
	for (size_t k = 0; k < nkinds; k++)
		for (size_t g = 0; g < as->all_gks.n; g++)
			if (!done[g] && !strcmp(as->all_gks.v[g], applyset_gk(&s->a, kinds[k]->kind, kinds[k]->group))) {
				done[g] = true;
				v[(*n)++] = *kinds[k];
			}
	for (size_t g = 0; g < as->all_gks.n; g++) {
		if (done[g])
			continue;
		int rc = gk_resource(s, set, as->all_gks.v[g], &v[*n]);
		if (rc < 0)
			return -1;
		*n += rc == 0;
	}
	*out = v;
	return 0;
}

int rec_applyset_find(struct rec_session *s, const struct rec_set *set, const struct rec_applyset *as,
		      struct rec_set *go)
{
	struct kube_resource *kinds;
	size_t nkinds;
	memset(go, 0, sizeof(*go));
	if (prune_kinds(s, set, as, &kinds, &nkinds) < 0)
		return -1;
	struct rec_set cands = { 0 };
	for (size_t k = 0; k < nkinds; k++)
		if (list_members(s, set, as, &kinds[k], &cands) < 0)
			return -1;
	/* A shared ClusterRole or secret-merge ConfigMap stays while a store outside this set
	 * (another ApplySet's, or one applied without) still uses it. */
	for (size_t i = 0; i < cands.n; i++) {
		int used = rec_still_used(s, &cands.v[i], &cands);
		if (used < 0)
			return -1;
		if (!used)
			*rec_set_push(&s->a, go) = cands.v[i];
	}
	return 0;
}

int rec_applyset_prune(struct rec_session *s, const struct rec_set *set, const struct rec_applyset *as,
		       enum rec_dry dry, FILE *out)
{
	struct rec_set go;
	if (rec_applyset_find(s, set, as, &go) < 0 || rec_delete_each(s, &go, dry, REC_PRUNED, out) < 0)
		return -1;
	struct applyset_list nss = as->new_nss;
	applyset_list_add(&s->a, &nss, as->ns);
	return write_parent(s, as, &as->new_gks, &nss, dry);
}

/* ---- a run without --applyset: members stay members ---- */

static const struct rec_store *store_of(const struct rec_set *set, const struct document *src)
{
	for (size_t i = 0; src && i < set->nstores; i++)
		if (set->stores[i].doc == src)
			return &set->stores[i];
	return NULL;
}

static void label_member(struct rec_session *s, struct rec_obj *o, const char *id)
{
	struct node *labels = map_child_map(&s->a, map_child_map(&s->a, o->obj, "metadata"), "labels");
	if (!map_has(labels, APPLYSET_PART_OF_LABEL))
		map_put(&s->a, labels, APPLYSET_PART_OF_LABEL, node_str(&s->a, id));
}

/* The objects no store's binding speaks for, read: each keeps the part-of label its live
 * version carries where kubectl-feast applied it (and so owns the label). */
static int keep_read(struct rec_session *s, struct rec_set *set, const bool *want)
{
	struct kube_call *calls = arena_alloc(&s->a, (set->n + 1) * sizeof(*calls));
	bool *done = arena_alloc(&s->a, (set->n + 1) * sizeof(*done));
	size_t n = s->d.n;
	(void)rec_get_all(s, set, want, calls, done);
	rec_drop_diags(s, n); /* unread: the apply that follows meets the same failure */
	for (size_t i = 0; i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		const char *id = o->live ? node_str_or(map_get(node_at(o->live, "metadata.labels"),
							       APPLYSET_PART_OF_LABEL), NULL) : NULL;
		if (want[i] && id && rec_applied_by_us(o->live))
			label_member(s, o, id);
		o->live = NULL;
	}
	return 0;
}

int rec_applyset_keep(struct rec_session *s, struct rec_set *set)
{
	bool any_member = false, any_known = false, any_binding = false;
	for (size_t i = 0; i < set->nstores; i++) {
		any_member |= set->stores[i].applyset != NULL;
		any_known |= set->stores[i].member_known;
	}
	bool *want = arena_alloc(&s->a, (set->n + 1) * sizeof(*want));
	size_t nwant = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		const struct rec_store *st = store_of(set, o->src);
		any_binding |= st && !strcmp(o->res.kind, "ClusterRoleBinding");
		if (st && st->member_known) {
			if (st->applyset)
				label_member(s, o, st->applyset);
			continue;
		}
		want[i] = true;
		nwant++;
	}
	/* Bindings that could not be listed (unreachable, forbidden) tell nothing: the objects
	 * are not read either, and keep no label. */
	if (!nwant || !(any_member || (!any_known && !any_binding)))
		return 0;
	return keep_read(s, set, want);
}
