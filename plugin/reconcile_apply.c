/* reconcile_apply.c -- server-side apply of rendered objects (prune: reconcile_prune.c). */
#include "reconcile.h"
#include "buf.h"
#include "doc.h"
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

/* A copy without what moves on its own: resourceVersion, status (a controller may write it
 * between our GET and our apply), managedFields times. */
static struct node *comparable(struct arena *a, const struct node *obj)
{
	struct node *c = node_clone(a, obj);
	struct node *meta = map_get(c, "metadata");
	map_del(meta, "resourceVersion");
	map_del(c, "status");
	struct node *mf = map_get(meta, "managedFields");
	for (size_t i = 0; mf && mf->kind == NODE_SEQ && i < mf->u.seq.n; i++) {
		struct node *e = mf->u.seq.v[i];
		map_del(e, "time");
		if (!strcmp(node_str_or(map_get(e, "subresource"), ""), "status"))
			map_del(e, "fieldsV1");
	}
	return c;
}

/* Created when the server says so; else unchanged when nothing but what moves on its own
 * differs.  A stored write that changes nothing keeps even the resourceVersion; a dry run
 * keeps it whatever it changes. */
static enum rec_verb verb_of(struct rec_session *s, const struct rec_obj *o, long code, enum rec_dry dry)
{
	if (code == 201 || !o->live)
		return o->live ? REC_CONFIGURED : REC_CREATED;
	const char *before = node_str_or(node_at(o->live, "metadata.resourceVersion"), "");
	const char *after = node_str_or(node_at(o->result, "metadata.resourceVersion"), "");
	if (dry == REC_DRY_NONE && !strcmp(before, after))
		return REC_UNCHANGED;
	return node_equal(comparable(&s->a, o->live), comparable(&s->a, o->result)) ? REC_UNCHANGED
										    : REC_CONFIGURED;
}

static void conflict_hint(struct rec_session *s, const struct kube_response *r)
{
	if (r->code != 409 || !r->status.ncauses)
		return;
	diag_error(&s->d, NULL, "", "%s",
		   s->conflict_hint ? s->conflict_hint
				    : "the fields above have other managers: run again with --force-conflicts to take "
				      "them over, or stop setting them in the other tool (see "
				      "https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts)");
}

int rec_apply(struct rec_session *s, struct rec_obj *o, enum rec_dry dry, bool force, enum rec_verb *verb)
{
	if (rec_get(s, o) < 0)
		return -1;
	if (dry == REC_DRY_CLIENT) {
		/* Without the server's merge, an existing object can only be "applied". */
		*verb = o->live ? REC_APPLIED : REC_CREATED;
		return 0;
	}
	struct kube_req req = { .method = "PATCH", .path = o->path, .query = apply_query(s, dry, force),
				.content_type = "application/apply-patch+yaml", .obj = o->obj };
	struct kube_response r;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	if (!kube_ok(&r)) {
		kube_fail(&s->d, &r);
		conflict_hint(s, &r);
		return -1;
	}
	o->result = r.body;
	*verb = verb_of(s, o, r.code, dry);
	return 0;
}

void rec_print_verb(FILE *out, const struct rec_obj *o, enum rec_verb v, enum rec_dry dry)
{
	static const char *const words[] = { "created", "configured", "unchanged", "serverside-applied", "pruned",
					     "scaled", "deleted" };
	fprintf(out, "%s %s%s\n", o->display, words[v],
		dry == REC_DRY_CLIENT ? " (dry run)" : dry == REC_DRY_SERVER ? " (server dry run)" : "");
	fflush(out);
}

int rec_apply_all(struct rec_session *s, struct rec_set *set, enum rec_dry dry, bool force, bool all, FILE *out)
{
	size_t written = 0;
	for (size_t i = 0; i < set->n; i++) {
		enum rec_verb v;
		if (rec_apply(s, &set->v[i], dry, force, &v) < 0) {
			if (dry != REC_DRY_NONE)
				diag_error(&s->d, NULL, "", "stopped at %s (dry run: nothing was changed)",
					   set->v[i].display);
			else
				diag_error(&s->d, NULL, "",
					   "stopped at %s: %zu of %zu objects were applied before it (%zu changed), "
					   "the rest were not; run the same command again once the cause is fixed",
					   set->v[i].display, i, set->n, written);
			return -1;
		}
		written += v == REC_CREATED || v == REC_CONFIGURED;
		if (set->v[i].scale_target && (v == REC_CONFIGURED || v == REC_APPLIED))
			v = REC_SCALED;
		if (all || (v != REC_UNCHANGED && v != REC_APPLIED) || set->v[i].scale_target)
			rec_print_verb(out, &set->v[i], v, dry);
	}
	return 0;
}

/* ---- cluster-scoped names ---- */

/* The first ServiceAccount subject of a binding whose namespace is not `ns` (NULL: any), or NULL. */
static const struct node *sa_subject(const struct node *binding, const char *ns)
{
	const struct node *subjects = map_get(binding, "subjects");
	for (size_t i = 0; subjects && subjects->kind == NODE_SEQ && i < subjects->u.seq.n; i++) {
		const struct node *sub = subjects->u.seq.v[i];
		if (!strcmp(node_str_or(map_get(sub, "kind"), ""), "ServiceAccount") &&
		    (!ns || strcmp(node_str_or(map_get(sub, "namespace"), ""), ns) != 0))
			return sub;
	}
	return NULL;
}

int rec_check_bindings(struct rec_session *s, struct rec_set *set)
{
	int rc = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		if (strcmp(o->res.kind, "ClusterRoleBinding") || !o->src)
			continue; /* the shared ClusterRoles bind nothing */
		const char *ns = node_str_or(map_get(sa_subject(o->obj, NULL), "namespace"), "");
		size_t n = s->d.n, errors = s->d.errors, warnings = s->d.warnings;
		if (rec_get(s, o) < 0) {
			/* Unreadable (forbidden, unreachable): the apply that follows meets the same
			 * failure at its first object and reports it in its order. */
			s->d.n = n, s->d.errors = errors, s->d.warnings = warnings;
			o->live = NULL;
			continue;
		}
		const struct node *theirs = o->live ? sa_subject(o->live, ns) : NULL;
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
