/* reconcile_dry.c -- dry runs and diff in parallel (GET, then dry-run PATCH), and how a run's failed requests are told. */
#include "reconcile.h"
#include "buf.h"
#include "doc.h"
#include "kube_util.h"

#include <string.h>

static bool not_found(const struct kube_call *c)
{
	return c->rc == 0 && c->resp.code == 404 && !strcmp(c->resp.status.reason, "NotFound");
}

int rec_get_all(struct rec_session *s, struct rec_set *set, const bool *want, struct kube_call *calls, bool *done)
{
	size_t *idx = arena_alloc(&s->a, (set->n + 1) * sizeof(*idx));
	struct kube_call *run = arena_alloc(&s->a, (set->n + 1) * sizeof(*run));
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		if (!want || want[i]) {
			run[n].req = (struct kube_req){ .method = "GET", .path = set->v[i].path, .deadline_ms = s->deadline_ms };
			idx[n++] = i;
		}
	/* An object not created yet is a 404, the answer sought; anything else stops the run (an
	 * unreachable server after the calls in flight, not after every object's resends). */
	struct kube_run_opts ro = { .concurrency = s->concurrency, .idempotent = true, .stop_on_failure = true,
				    .not_found_ok = true };
	if (n && kube_run(s->c, &s->a, run, n, &ro, &s->d) < 0)
		return -1;
	bool failed = false;
	for (size_t j = 0; j < n; j++) {
		size_t i = idx[j];
		calls[i] = run[j];
		set->v[i].live = kube_ok(&run[j].resp) ? run[j].resp.body : NULL;
		done[i] = kube_ok(&run[j].resp) || not_found(&run[j]);
		failed |= run[j].started && !done[i];
	}
	return failed ? -1 : 0;
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
	node_seq_each(mf, e) {
		map_del(e, "time");
		if (!strcmp(node_str_or(map_get(e, "subresource"), ""), "status"))
			map_del(e, "fieldsV1");
	}
	return c;
}

/* Created when nothing lives there; else unchanged when nothing but what moves on its own
 * differs (a dry run's answer keeps the resourceVersion whatever it changes). */
static enum rec_verb dry_verb(struct rec_session *s, const struct rec_obj *o, long code)
{
	if (code == 201 || !o->live)
		return o->live ? REC_CONFIGURED : REC_CREATED;
	return node_equal(comparable(&s->a, o->live), comparable(&s->a, o->result)) ? REC_UNCHANGED
										    : REC_CONFIGURED;
}

static const char *dry_query(struct rec_session *s, bool force)
{
	struct buf q = BUF_INIT;
	kube_query_add(&q, "fieldManager", REC_FIELD_MANAGER);
	kube_query_add(&q, "fieldValidation", "Strict");
	if (force)
		kube_query_add(&q, "force", "true");
	kube_query_add(&q, "dryRun", "All");
	const char *r = arena_strdup(&s->a, q.data);
	buf_release(&q);
	return r;
}

/* The summary after the failures: nothing was written either way. */
static int dry_failed(struct rec_session *s, const struct rec_set *set, const struct kube_call *calls,
		      const bool *done)
{
	bool unreachable;
	const struct rec_obj *first = rec_call_failures(s, set, calls, done, &unreachable);
	size_t answered = 0;
	for (size_t i = 0; i < set->n; i++)
		answered += done[i];
	if (unreachable)
		diag_error(&s->d, NULL, "", "the API server could not be reached: %zu of %zu objects were not sent "
			   "(dry run: nothing was changed)", set->n - answered, set->n);
	else if (first)
		diag_error(&s->d, NULL, "", "stopped at %s (dry run: nothing was changed)", first->display);
	return -1;
}

/* The dry-run PATCHes; a refused one stops the run as it would stop the apply. */
static int dry_patch_all(struct rec_session *s, struct rec_set *set, bool force, enum rec_verb *verbs)
{
	struct kube_call *calls = arena_alloc(&s->a, (set->n + 1) * sizeof(*calls));
	bool *done = arena_alloc(&s->a, (set->n + 1) * sizeof(*done));
	const char *query = dry_query(s, force);
	for (size_t i = 0; i < set->n; i++)
		calls[i].req = (struct kube_req){ .method = "PATCH", .path = set->v[i].path, .query = query,
						  .content_type = "application/apply-patch+yaml", .obj = set->v[i].obj,
						  .deadline_ms = s->deadline_ms };
	struct kube_run_opts ro = { .concurrency = s->concurrency, .idempotent = true, .stop_on_failure = true };
	if (set->n && kube_run(s->c, &s->a, calls, set->n, &ro, &s->d) < 0)
		return -1;
	bool ok = true;
	for (size_t i = 0; i < set->n; i++) {
		done[i] = calls[i].rc == 0 && kube_ok(&calls[i].resp);
		ok &= done[i];
		if (done[i]) {
			set->v[i].result = calls[i].resp.body;
			verbs[i] = dry_verb(s, &set->v[i], calls[i].resp.code);
		}
	}
	return ok ? 0 : dry_failed(s, set, calls, done);
}

int rec_dry_all(struct rec_session *s, struct rec_set *set, enum rec_dry dry, bool force, enum rec_verb *verbs)
{
	struct kube_call *calls = arena_alloc(&s->a, (set->n + 1) * sizeof(*calls));
	bool *done = arena_alloc(&s->a, (set->n + 1) * sizeof(*done));
	if (rec_get_all(s, set, NULL, calls, done) < 0)
		return dry_failed(s, set, calls, done);
	if (dry == REC_DRY_SERVER)
		return dry_patch_all(s, set, force, verbs);
	/* Without the server's merge, an existing object can only be "applied". */
	for (size_t i = 0; i < set->n; i++)
		verbs[i] = set->v[i].live ? REC_APPLIED : REC_CREATED;
	return 0;
}

/* ---- what failed ---- */

/* A connection reset after the request went out is not this: the server was there. */
static bool no_answer(const struct kube_call *c)
{
	return c->rc < 0 && c->resp.unsent;
}

/* Every failed call went unanswered because the server could not be reached. */
static bool all_unreachable(const struct rec_set *set, const struct kube_call *calls, const bool *done)
{
	bool any = false;
	for (size_t i = 0; i < set->n; i++) {
		if (done[i] || !calls[i].started)
			continue;
		if (!no_answer(&calls[i]))
			return false;
		any = true;
	}
	return any;
}

void rec_conflict_hint(struct rec_session *s, const struct kube_response *r)
{
	if (r->code != 409 || !r->status.ncauses)
		return;
	diag_error(&s->d, NULL, "", "%s",
		   s->conflict_hint ? s->conflict_hint
				    : "the fields above have other managers: run again with --force-conflicts to take "
				      "them over, or stop setting them in the other tool (see "
				      "https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts)");
}

static void add_failure(struct rec_session *s, const struct kube_call *c)
{
	if (c->rc < 0)
		diag_error(&s->d, NULL, "", "%s", c->error ? c->error : "no answer");
	else
		kube_fail(&s->d, &c->resp);
}

const struct rec_obj *rec_call_failures(struct rec_session *s, const struct rec_set *set,
					const struct kube_call *calls, const bool *done, bool *unreachable)
{
	*unreachable = all_unreachable(set, calls, done);
	const struct rec_obj *first = NULL;
	const char *first_msg = NULL;
	struct buf same = BUF_INIT;
	for (size_t i = 0; i < set->n; i++) {
		const struct kube_call *c = &calls[i];
		if (done[i] || !c->started)
			continue;
		const struct rec_obj *o = &set->v[i];
		size_t before = s->d.n;
		if (first && *unreachable)
			break; /* the first one said it for all */
		add_failure(s, c);
		if (!first) {
			first = o;
			first_msg = s->d.n > before ? s->d.v[before].msg : "";
			if (c->rc == 0)
				rec_conflict_hint(s, &c->resp);
		} else if (s->d.n > before && !strcmp(s->d.v[before].msg, first_msg)) {
			rec_drop_diags(s, before);
			buf_addf(&same, "%s%s", same.len ? ", " : "", o->display);
		} else if (s->d.n > before) {
			s->d.v[before].msg = arena_printf(&s->a, "%s: %s", o->display, s->d.v[before].msg);
		}
	}
	if (same.len)
		diag_error(&s->d, NULL, "", "the same for %s", same.data);
	buf_release(&same);
	return first;
}
