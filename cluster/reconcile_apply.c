/* reconcile_apply.c -- server-side apply of rendered objects (prune: reconcile_prune.c). */
#include "reconcile.h"
#include "apply_noop.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kube_util.h"

#include <string.h>
#include <time.h>

#define MAX_RESENDS 3
#define MAX_RETRY_WAIT_S 5

static void sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int rec_request(struct rec_session *s, const struct kube_req *req, struct kube_response *r)
{
	struct kube_req q = *req;
	if (s->deadline_ms && (!q.deadline_ms || q.deadline_ms > s->deadline_ms))
		q.deadline_ms = s->deadline_ms;
	for (int attempt = 0;; attempt++) {
		if (kube_request(s->c, &s->a, &q, r, &s->d) < 0)
			return -1;
		/* client-go resends when the server asks it to wait (Retry-After). */
		bool again = (r->code == 429 || r->code >= 500) && r->status.retry_after_s > 0;
		if (!again || attempt == MAX_RESENDS)
			return 0;
		int wait = r->status.retry_after_s < MAX_RETRY_WAIT_S ? r->status.retry_after_s : MAX_RETRY_WAIT_S;
		sleep_ms(wait * 1000LL);
	}
}

int rec_get(struct rec_session *s, struct rec_obj *o)
{
	struct kube_req req = { .method = "GET", .path = o->path };
	struct kube_response r;
	o->live = NULL;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	if (r.code == 404 && !strcmp(r.status.reason, "NotFound"))
		return 0;
	if (!kube_ok(&r))
		return kube_fail(&s->d, &r);
	o->live = r.body;
	return 0;
}

/* Unlike rec_get, any 404 is "absent": status and scale NAME also ask for kinds (KEDA's, the
 * operator's) that a cluster may not serve at all. */
int rec_get_path(struct rec_session *s, const char *path, const char *query, struct node **out)
{
	struct kube_req req = { .method = "GET", .path = path, .query = query };
	struct kube_response r;
	*out = NULL;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	if (r.code == 404)
		return 0;
	if (!kube_ok(&r))
		return kube_fail(&s->d, &r);
	*out = r.body;
	return 0;
}

static const char *apply_query(struct rec_session *s, enum rec_dry dry, bool force)
{
	struct buf q = BUF_INIT;
	kube_query_add(&q, "fieldManager", REC_FIELD_MANAGER);
	kube_query_add(&q, "fieldValidation", "Strict");
	if (force)
		kube_query_add(&q, "force", "true");
	if (dry == REC_DRY_SERVER)
		kube_query_add(&q, "dryRun", "All");
	const char *r = arena_strdup(&s->a, q.data);
	buf_release(&q);
	return r;
}

void rec_print_verb(FILE *out, const struct rec_obj *o, enum rec_verb v, enum rec_dry dry)
{
	static const char *const words[] = { "created", "configured", "unchanged", "serverside-applied", "pruned",
					     "scaled", "deleted" };
	fprintf(out, "%s %s%s\n", o->display, words[v],
		dry == REC_DRY_CLIENT ? " (dry run)" : dry == REC_DRY_SERVER ? " (server dry run)" : "");
	fflush(out);
}

/* Dry runs compare with the live object: every GET, then every dry-run PATCH. */
static int apply_dry(struct rec_session *s, struct rec_set *set, enum rec_dry dry, bool force, bool all, FILE *out)
{
	enum rec_verb *verbs = arena_alloc(&s->a, (set->n + 1) * sizeof(*verbs));
	if (rec_dry_all(s, set, dry, force, verbs) < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		enum rec_verb v = verbs[i];
		if (set->v[i].scale_target && (v == REC_CONFIGURED || v == REC_APPLIED))
			v = REC_SCALED;
		if (all || (v != REC_UNCHANGED && v != REC_APPLIED) || set->v[i].scale_target)
			rec_print_verb(out, &set->v[i], v, dry);
	}
	return 0;
}

/* The floor when rec_check_bindings did not read it: a LIST of one ConfigMap. */
static void take_floor(struct rec_session *s, const struct rec_set *set)
{
	if (s->floor.taken)
		return;
	const char *ns = s->cfg.namespace ? s->cfg.namespace : "default";
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].ns && *set->v[i].ns) {
			ns = set->v[i].ns;
			break;
		}
	const struct kube_resource *res = kube_resource_builtin("v1", "ConfigMap");
	struct kube_req req = { .method = "GET", .path = kube_path(&s->a, res, ns, NULL, NULL), .query = "limit=1" };
	struct kube_response r;
	size_t n = s->d.n, errors = s->d.errors, warnings = s->d.warnings;
	if (rec_request(s, &req, &r) < 0) {
		s->d.n = n, s->d.errors = errors, s->d.warnings = warnings; /* the applies will say */
		return;
	}
	kube_floor_from(&s->floor, &r);
}

/* ---- the live objects, listed before the first write ---- */

/* One LIST: a kind in a namespace, selected by the labels every object of the group carries
 * (an object the LIST misses is only sent, never judged). */
struct live_group {
	const char *path;    /* the collection */
	struct node *labels; /* those common to the group's objects so far */
	const struct node *items;
};

static void keep_common(struct live_group *g, struct arena *a, const struct node *labels)
{
	if (!g->labels) {
		g->labels = labels && labels->kind == NODE_MAP ? node_clone(a, labels) : node_map(a, NULL);
		return;
	}
	for (size_t i = g->labels->u.map.n; i-- > 0;) {
		const struct pair *p = &g->labels->u.map.v[i];
		if (!node_equal(p->val, map_get(labels, p->key)))
			map_del(g->labels, p->key);
	}
}

static const char *selector_query(struct arena *a, const struct node *labels)
{
	struct buf sel = BUF_INIT, q = BUF_INIT;
	node_map_each(labels, p)
		if (p->val->kind == NODE_SCALAR)
			buf_addf(&sel, "%s%s=%s", sel.len ? "," : "", p->key, node_str_or(p->val, ""));
	if (sel.len)
		kube_query_add(&q, "labelSelector", sel.data);
	const char *r = q.len ? arena_strdup(a, q.data) : NULL;
	buf_release(&sel);
	buf_release(&q);
	return r;
}

/* The groups of the run's objects; gi[i] is object i's. */
static size_t live_groups(struct rec_session *s, const struct rec_set *set, struct live_group *g, size_t *gi)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++) {
		const struct rec_obj *o = &set->v[i];
		const char *path = kube_path(&s->a, &o->res, o->ns, NULL, NULL);
		size_t k = 0;
		while (k < n && strcmp(g[k].path, path))
			k++;
		if (k == n)
			g[n++] = (struct live_group){ .path = path };
		keep_common(&g[k], &s->a, node_at(o->obj, "metadata.labels"));
		gi[i] = k;
		if (!strcmp(o->res.kind, "ClusterRoleBinding") && !strcmp(o->res.group, "rbac.authorization.k8s.io"))
			g[k].items = s->bindings; /* rec_check_bindings listed them */
	}
	return n;
}

/* Send the groups' LISTs at once; an answer that is not a list leaves the group unread.  The
 * first answer is the floor when none was read: every LIST comes before the first write. */
static void list_groups(struct rec_session *s, struct live_group *g, size_t n)
{
	struct kube_call *calls = arena_alloc(&s->a, (n + 1) * sizeof(*calls));
	size_t *of = arena_alloc(&s->a, (n + 1) * sizeof(*of)), k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *query = selector_query(&s->a, g[i].labels);
		if (g[i].items || !query)
			continue; /* nothing in common: a LIST would read every object of the kind */
		calls[k].req = (struct kube_req){ .method = "GET", .path = g[i].path, .query = query,
						  .deadline_ms = s->deadline_ms };
		of[k++] = i;
	}
	size_t dn = s->d.n, errors = s->d.errors, warnings = s->d.warnings;
	/* Not resent after a lost connection: an unread group is only sent, and the applies
	 * report an outage on their own terms, within their own budget. */
	struct kube_run_opts ro = { .concurrency = s->concurrency };
	if (k && kube_run(s->c, &s->a, calls, k, &ro, &s->d) < 0)
		k = 0;
	s->d.n = dn, s->d.errors = errors, s->d.warnings = warnings; /* the applies will say */
	for (size_t j = 0; j < k; j++) {
		if (calls[j].rc < 0)
			continue;
		if (!s->floor.taken)
			kube_floor_from(&s->floor, &calls[j].resp);
		const struct node *items = kube_ok(&calls[j].resp) ? map_get(calls[j].resp.body, "items") : NULL;
		g[of[j]].items = items && items->kind == NODE_SEQ ? items : NULL;
	}
}

/* Find each object's live copy (o->live) in one LIST per kind and namespace. */
static void list_live(struct rec_session *s, struct rec_set *set)
{
	struct live_group *g = arena_alloc(&s->a, (set->n + 1) * sizeof(*g));
	size_t *gi = arena_alloc(&s->a, (set->n + 1) * sizeof(*gi));
	size_t n = live_groups(s, set, g, gi);
	list_groups(s, g, n);
	for (size_t i = 0; i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		o->live = NULL;
		o->absent = g[gi[i]].items != NULL;
		node_seq_each(g[gi[i]].items, item)
			if (!strcmp(node_str_or(node_at(item, "metadata.name"), ""), o->name)) {
				o->live = item;
				o->absent = false;
				break;
			}
	}
}

/* The apply would leave o->live as it is (apply_noop.h), judged on the body as sent. */
static bool provably_unchanged(struct rec_session *s, const struct rec_obj *o)
{
	if (!s->skip_unchanged || !o->live)
		return false;
	struct arena scratch = ARENA_INIT;
	struct buf b = BUF_INIT;
	json_emit(&b, o->obj, 0);
	struct diags d;
	diags_init(&d, &scratch);
	struct node *sent = json_parse(&scratch, b.data, b.len, "body", &d);
	buf_release(&b);
	bool same = sent && !apply_noop_why(&scratch, sent, o->live, REC_FIELD_MANAGER);
	arena_free(&scratch);
	return same;
}

struct apply_run {
	struct rec_session *s;
	struct rec_set *set;
	struct kube_call *calls;   /* one per object, by input index */
	enum rec_verb *verbs;
	bool *done, *printed;
	size_t applied, changed;
	bool all;
	FILE *out;
};

/* Print the objects applied so far, in input order: up to the first one not yet done, or
 * (at the end) every one done. */
static void print_done(struct apply_run *ar, bool final)
{
	for (size_t i = 0; i < ar->set->n; i++) {
		if (!ar->done[i] && !final)
			return;
		if (!ar->done[i] || ar->printed[i])
			continue;
		ar->printed[i] = true;
		const struct rec_obj *o = &ar->set->v[i];
		enum rec_verb v = ar->verbs[i];
		if (o->scale_target && v == REC_CONFIGURED)
			v = REC_SCALED;
		if (ar->all || v != REC_UNCHANGED || o->scale_target)
			rec_print_verb(ar->out, o, v, REC_DRY_NONE);
	}
}

/* Send one wave; returns false when an object of it failed. */
static bool apply_wave(struct apply_run *ar, unsigned wave, const char *query, size_t *idx)
{
	struct rec_session *s = ar->s;
	size_t k = 0;
	struct kube_call *calls = arena_alloc(&s->a, ar->set->n * sizeof(*calls));
	for (size_t i = 0; i < ar->set->n; i++) {
		struct rec_obj *o = &ar->set->v[i];
		if (kube_apply_wave(o->res.group, o->res.kind) != wave)
			continue;
		if (provably_unchanged(s, o)) {
			ar->verbs[i] = REC_UNCHANGED;
			ar->done[i] = true;
			ar->applied++;
			continue;
		}
		calls[k].req = (struct kube_req){ .method = "PATCH", .path = o->path, .query = query,
						  .content_type = "application/apply-patch+yaml", .obj = o->obj,
						  .deadline_ms = s->deadline_ms, .metadata_only = o->absent };
		idx[k++] = i;
	}
	struct kube_run_opts ro = { .concurrency = s->concurrency, .idempotent = true, .stop_on_failure = true };
	if (k && kube_run(s->c, &s->a, calls, k, &ro, &s->d) < 0)
		return false;
	bool ok = true;
	for (size_t j = 0; j < k; j++) {
		struct kube_call *c = &calls[j];
		size_t i = idx[j];
		ar->calls[i] = *c;
		if (c->rc < 0 || !kube_ok(&c->resp)) {
			ok = false;
			continue;
		}
		ar->set->v[i].result = c->resp.body;
		enum kube_outcome out = kube_apply_outcome(&c->resp, REC_FIELD_MANAGER, &s->floor, c->lost > 0);
		ar->verbs[i] = out == KUBE_APPLY_CREATED ? REC_CREATED : out == KUBE_APPLY_CONFIGURED ? REC_CONFIGURED
												      : REC_UNCHANGED;
		ar->done[i] = true;
		ar->applied++;
		ar->changed += out != KUBE_APPLY_UNCHANGED;
	}
	return ok;
}

/* Every failed object's reason (rec_call_failures), then how far the run got. */
static int report_failures(struct apply_run *ar)
{
	struct rec_session *s = ar->s;
	bool unreachable;
	const struct rec_obj *first = rec_call_failures(s, ar->set, ar->calls, ar->done, &unreachable);
	if (unreachable)
		diag_error(&s->d, NULL, "", "the API server could not be reached: %zu of %zu objects were not sent "
			   "(%zu applied, %zu changed); run the same command again once it can be reached",
			   ar->set->n - ar->applied, ar->set->n, ar->applied, ar->changed);
	else if (first)
		diag_error(&s->d, NULL, "",
			   "stopped at %s: %zu of %zu objects were applied (%zu changed), the rest were not; run "
			   "the same command again once the cause is fixed", first->display, ar->applied, ar->set->n,
			   ar->changed);
	return -1;
}

int rec_apply_all(struct rec_session *s, struct rec_set *set, enum rec_dry dry, bool force, bool all, FILE *out)
{
	if (dry != REC_DRY_NONE)
		return apply_dry(s, set, dry, force, all, out);
	if (s->skip_unchanged)
		list_live(s, set);
	take_floor(s, set);
	struct apply_run ar = { .s = s, .set = set, .all = all, .out = out };
	ar.calls = arena_alloc(&s->a, (set->n + 1) * sizeof(*ar.calls));
	ar.verbs = arena_alloc(&s->a, (set->n + 1) * sizeof(*ar.verbs));
	ar.done = arena_alloc(&s->a, (set->n + 1) * sizeof(*ar.done));
	ar.printed = arena_alloc(&s->a, (set->n + 1) * sizeof(*ar.printed));
	size_t *idx = arena_alloc(&s->a, (set->n + 1) * sizeof(*idx));
	const char *query = apply_query(s, dry, force);
	for (unsigned w = 0; w < KUBE_APPLY_WAVES; w++) {
		bool ok = apply_wave(&ar, w, query, idx);
		print_done(&ar, !ok);
		if (!ok)
			return report_failures(&ar);
	}
	return 0;
}

/* ---- cluster-scoped names ---- */

/* The first ServiceAccount subject of a binding whose namespace is not `ns` (NULL: any), or NULL. */
static const struct node *sa_subject(const struct node *binding, const char *ns)
{
	const struct node *subjects = map_get(binding, "subjects");
	node_seq_each(subjects, sub)
		if (!strcmp(node_str_or(map_get(sub, "kind"), ""), "ServiceAccount") &&
		    (!ns || strcmp(node_str_or(map_get(sub, "namespace"), ""), ns) != 0))
			return sub;
	return NULL;
}

/* The ClusterRoleBindings labelled with the names of the run's stores that bind one (in
 * s->a), or NULL when they cannot be listed; the answer becomes the run's floor. */
static const struct node *list_bindings(struct rec_session *s, const struct rec_set *set)
{
	struct buf sel = BUF_INIT;
	for (size_t i = 0; i < set->n; i++) {
		const struct rec_obj *o = &set->v[i];
		const char *store = node_str_or(map_get(node_at(o->obj, "metadata.labels"), "feast.dev/name"), NULL);
		if (!strcmp(o->res.kind, "ClusterRoleBinding") && o->src && store)
			buf_addf(&sel, "%s%s", sel.len ? "," : "feast.dev/name in (", store);
	}
	if (!sel.len)
		return NULL;
	buf_adds(&sel, ")");
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", sel.data);
	const struct kube_resource *res = kube_resource_builtin("rbac.authorization.k8s.io/v1", "ClusterRoleBinding");
	struct kube_req req = { .method = "GET", .path = kube_path(&s->a, res, "", NULL, NULL),
				.query = arena_strdup(&s->a, q.data) };
	buf_release(&q);
	buf_release(&sel);
	struct kube_response r;
	size_t n = s->d.n, errors = s->d.errors, warnings = s->d.warnings;
	if (rec_request(s, &req, &r) < 0) {
		/* Unreadable (unreachable): the apply that follows meets the same failure at its
		 * first object and reports it in its order. */
		s->d.n = n, s->d.errors = errors, s->d.warnings = warnings;
		return NULL;
	}
	kube_floor_from(&s->floor, &r);
	const struct node *items = kube_ok(&r) ? map_get(r.body, "items") : NULL;
	s->bindings = items && items->kind == NODE_SEQ ? items : NULL;
	return s->bindings;
}

/* A store's live binding says whether the store's objects are members of an ApplySet: an
 * ApplySet run labels every object it sends, and kubectl-feast must have applied it. */
static void note_member(struct rec_set *set, const struct rec_obj *o, const struct node *live)
{
	for (size_t i = 0; i < set->nstores; i++) {
		if (set->stores[i].doc != o->src)
			continue;
		set->stores[i].member_known = true;
		set->stores[i].applyset = live && rec_applied_by_us(live) ?
			node_str_or(map_get(node_at(live, "metadata.labels"), APPLYSET_PART_OF_LABEL), NULL) : NULL;
	}
}

int rec_check_bindings(struct rec_session *s, struct rec_set *set)
{
	const struct node *items = list_bindings(s, set);
	int rc = 0;
	for (size_t i = 0; items && i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		if (strcmp(o->res.kind, "ClusterRoleBinding") || !o->src)
			continue; /* the shared ClusterRoles bind nothing */
		const char *ns = node_str_or(map_get(sa_subject(o->obj, NULL), "namespace"), "");
		const struct node *live = NULL;
		for (size_t k = 0; k < items->u.seq.n && !live; k++)
			if (!strcmp(node_str_or(node_at(items->u.seq.v[k], "metadata.name"), ""), o->name))
				live = items->u.seq.v[k];
		note_member(set, o, live);
		const struct node *theirs = live ? sa_subject(live, ns) : NULL;
		if (!theirs)
			continue;
		/* Applying would rebind it: the other store's pods lose their TokenReview rights. */
		const char *other = node_str_or(map_get(theirs, "namespace"), "");
		diag_error(&s->d, o->src->root ? &o->src->root->pos : NULL, "metadata.name",
			   "%s already binds ServiceAccount %s/%s, of the FeatureStore of the same name in "
			   "namespace \"%s\"; applying would take its TokenReview rights away.  ClusterRoleBinding "
			   "names are cluster-wide (feast-<name>-cluster-binding): rename one of the two stores, "
			   "or delete the binding if the store in \"%s\" is gone", o->display, other,
			   node_str_or(map_get(theirs, "name"), ""), other, other);
		rc = -1;
	}
	return rc;
}
