/*
 * reconcile.h -- what `apply`, `diff` and `scale NAME` share: FeatureStore
 * documents to the objects a cluster should hold, and the server-side apply
 * and prune that put them there.
 *
 * Call order (each step returns -1 after adding a diagnostic to s->d; the
 * command prints them and picks the exit code):
 *     rec_init(&s);            option handler fills s.kf (kube_flag_opts)
 *     rec_config(&s);          kubeconfig -> s.cfg (the namespace render needs); no network
 *     rec_render(&s, docs, &ro, stamp, &set);   checked documents -> objects
 *     rec_connect(&s);         the client
 *     rec_resolve(&s, &set);   REST paths (discovery for kinds the table lacks)
 *     rec_apply_all / rec_prune_find + rec_delete / rec_get ...
 *     (apply --applyset: rec_applyset_begin before the apply, rec_applyset_prune after)
 *     rec_free(&s);            client, arena (every object, answer, diagnostic)
 * The commands' run() functions use the wrappers of plugin/cli_cluster.h instead:
 * rec_parse*() (rec_init and argv), rec_prepare() (load to resolve), rec_finish().
 *
 * Apply is server-side apply with field manager `kubectl-feast`: one PATCH per
 * object, sent in waves (kube_apply_wave: namespaces and CRDs, then what the
 * workloads need, bindings, workloads, what points at them), up to
 * s->concurrency at a time within a wave (kube_run).  Created / configured /
 * unchanged come from the answer and the floor read before the first write
 * (kube_apply.h); lines are printed in input order.  With s->skip_unchanged the
 * live objects are listed first (one LIST per kind and namespace, selected by the
 * labels the objects share) and an object whose apply provably changes nothing
 * (apply_noop.h) is reported unchanged without a request.  429s are waited out
 * within the request's budget, 5xx and lost connections resent a few times
 * (the apply is idempotent); anything else fails the object, and the run
 * stops after the wave it is in; a server that cannot be reached at all is
 * one error for the run (rec_call_failures).  Dry runs and diff
 * (rec_dry_all) GET every object first, since they must compare with the
 * live object, then send the dry-run PATCHes, both s->concurrency at a time.
 *
 * ApplySet members: a plain apply or `scale NAME` of a store whose live
 * objects are members of an ApplySet keeps their applyset.kubernetes.io/
 * part-of label (rec_applyset_keep), read from the store's live
 * ClusterRoleBinding, which rec_check_bindings lists anyway.
 *
 * Prune deletes, per FeatureStore of the run, objects in its namespace that
 * carry its labels (feast.dev/name, managed-by kubectl-feast), were applied
 * by the field manager kubectl-feast, are of a kind render builds
 * (render_kinds(), deleted in reverse creation order), have no controller
 * owner and are not rendered any more.  The one cluster-scoped kind that
 * qualifies, a ClusterRoleBinding, must also bind the store's own
 * ServiceAccount.  With an ApplySet (rec_applyset_*) prune instead takes every
 * member the parent covers that this run did not send, keeping shared objects
 * still in use (rec_still_used); `delete` (rec_delete_plan) finds a store's
 * objects by the same labels.  Nothing else is ever deleted.
 *
 * The stored spec: with `stamp`, every store's Deployment gets the annotations
 * REC_ANN_SPEC (the FeatureStore document as JSON) and REC_ANN_OPTIONS (the
 * render flags), which `scale NAME` reads back to re-render.  Only apply
 * writes them; `render` output never carries them.
 */
#ifndef FEAST_RECONCILE_H
#define FEAST_RECONCILE_H

#include <stdbool.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"
#include "kube_applyset.h"
#include "kube_apply.h"
#include "kube_client.h"
#include "kube_config.h"
#include "kube_resource.h"
#include "render.h"
#include "render_flags.h"
#include "yaml_in.h"

#define REC_FIELD_MANAGER "kubectl-feast"
#define REC_ANN_SPEC "feast.dev/applied-spec"
#define REC_ANN_OPTIONS "feast.dev/applied-options"

enum rec_dry { REC_DRY_NONE, REC_DRY_CLIENT, REC_DRY_SERVER };

/* What a step did to one object, printed kubectl's way. */
enum rec_verb { REC_CREATED, REC_CONFIGURED, REC_UNCHANGED, REC_APPLIED, REC_PRUNED, REC_SCALED, REC_DELETED };

struct rec_session {
	struct arena a;
	struct diags d;
	struct kube_flags kf;
	struct kube_config cfg;
	struct kube_client *c;
	long long deadline_ms;      /* when set (absolute kube_now_ms()), bounds every request */
	const char *conflict_hint;  /* after a 409 with conflicting fields; NULL: apply's */
	const char *no_objects;     /* the error when the input holds no document; NULL: none */
	unsigned concurrency;       /* applies in flight at most (--concurrency); 0: the default */
	struct kube_floor floor;    /* the cluster before the run's first write (rec_check_bindings
				     * or rec_apply_all reads it) */
	bool skip_unchanged;        /* rec_apply_all lists the live objects first and sends no apply
				     * that apply_noop.h shows would change nothing */
	const struct node *bindings; /* rec_check_bindings' answer: live ClusterRoleBindings */
};

/* The render flags apply and diff take and scale reads back (render_flags.h); the stored
 * options (options_json() / stored_options() in reconcile.c) follow struct render_flags. */

struct rec_obj {
	struct node *obj;           /* the object applied (or, for prune, the live one) */
	const struct document *src; /* its FeatureStore or passed-through document; may be NULL */
	struct kube_resource res;
	const char *ns;             /* effective namespace; "" when cluster-scoped */
	const char *name;
	const char *path;           /* REST path of the object */
	const char *display;        /* "deployment.apps/feast-x", as kubectl prints it */
	struct node *live;          /* after rec_get or rec_dry_all: the live object, NULL if absent */
	struct node *result;        /* after an apply (rec_apply_all, rec_dry_all): the server's answer */
	bool scale_target;          /* rec_apply_all says "scaled" for it, and always prints it */
	bool absent;                /* rec_apply_all's LIST of its kind read no live copy */
};

struct rec_store {
	const char *name, *ns;      /* a FeatureStore of the run and its effective namespace */
	const struct document *doc;
	bool member_known;          /* rec_check_bindings saw whether its live binding is a member */
	const char *applyset;       /* then: the ApplySet id that binding carries, or NULL */
};

struct rec_set {
	struct rec_obj *v;
	size_t n, cap;
	struct rec_store *stores;
	size_t nstores;
	enum render_target target;  /* what was rendered: prune only considers those kinds */
};

void rec_init(struct rec_session *s);
void rec_free(struct rec_session *s);
/* Print the diagnostics (warnings, then errors) and forget them. */
void rec_print(struct rec_session *s);
/* Forget the diagnostics added after the first `n`. */
void rec_drop_diags(struct rec_session *s, size_t n);

int rec_config(struct rec_session *s);
int rec_connect(struct rec_session *s);

int rec_render(struct rec_session *s, const struct doclist *docs, const struct render_flags *ro,
	       bool stamp, struct rec_set *out);
int rec_resolve(struct rec_session *s, struct rec_set *set);

/* GET o->path into o->live (NULL when 404). */
int rec_get(struct rec_session *s, struct rec_obj *o);
/* A request with client-go's Retry-After retries (429, 5xx), at most 3 resends. */
int rec_request(struct rec_session *s, const struct kube_req *req, struct kube_response *r);
/* Dry runs and diff: GET every object into o->live (NULL when absent), then, for a server
 * dry run, send its apply PATCH with dryRun=All (answer in o->result); both through kube_run,
 * s->concurrency at a time.  verbs[i] is what would happen to set->v[i] (client dry run:
 * created or applied).  Nothing is printed.  On a failure the objects are reported
 * (rec_call_failures) with a summary saying nothing was changed, and -1 is returned. */
int rec_dry_all(struct rec_session *s, struct rec_set *set, enum rec_dry dry, bool force, enum rec_verb *verbs);
/* GET the objects of `set` (those with want[i], when want is not NULL) into o->live (NULL
 * when absent), s->concurrency at a time; once one fails (no answer, or an error other
 * than NotFound) no more are sent.  calls[i] and done[i] are set->v[i]'s, for
 * rec_call_failures.  Returns 0, or -1 when one failed (nothing reported yet). */
int rec_get_all(struct rec_session *s, struct rec_set *set, const bool *want, struct kube_call *calls, bool *done);
/* After a 409 naming conflicting fields: how to resolve it (s->conflict_hint, or apply's). */
void rec_conflict_hint(struct rec_session *s, const struct kube_response *r);
/* The calls of a run (calls[i] is set->v[i]'s, done[i]: it succeeded) that were sent and did
 * not succeed, as diagnostics: the first one's reason, the others named, those that failed as
 * the first one did in one line.  When none of them got an answer because the server could
 * not be reached (refused, DNS, TLS), only the first one's reason.  Returns the first failed
 * object (NULL: none); *unreachable says which case it was. */
const struct rec_obj *rec_call_failures(struct rec_session *s, const struct rec_set *set,
					const struct kube_call *calls, const bool *done, bool *unreachable);
/* Apply every object, printing one line each to `out` in input order (objects
 * left unchanged only when `all` is set).  On a failure it stops after the
 * wave and says how many objects were written. */
int rec_apply_all(struct rec_session *s, struct rec_set *set, enum rec_dry dry, bool force, bool all,
		  FILE *out);
void rec_print_verb(FILE *out, const struct rec_obj *o, enum rec_verb v, enum rec_dry dry);
/* Before any write: each ClusterRoleBinding of the run that already exists and binds a
 * ServiceAccount of another namespace (a store of the same name elsewhere) is an error
 * that says how to resolve it.  One LIST of the bindings labelled with the run's store
 * names (a binding of another manager would fail the apply with a conflict anyway); its
 * answer is also the run's floor.  Returns -1 with errors in s->d (refused), else 0;
 * bindings it cannot list are left to the apply, which then fails on its own terms.
 * It also notes, per store whose binding it could read, whether that binding is an
 * ApplySet member (rec_store.member_known, .applyset). */
int rec_check_bindings(struct rec_session *s, struct rec_set *set);

/* ---- deleting (reconcile_prune.c, reconcile_applyset.c, reconcile_delete.c) ---- */

/* Live objects of the run's stores that prune would delete, in a stable order. */
int rec_prune_find(struct rec_session *s, const struct rec_set *set, struct rec_set *cands);
/* DELETE with the live object's uid as precondition, propagation Background; 404 is done. */
int rec_delete(struct rec_session *s, struct rec_obj *o, enum rec_dry dry);
/* Delete each object in order, printing "<display> <verb>"; the first failure stops it. */
int rec_delete_each(struct rec_session *s, struct rec_set *objs, enum rec_dry dry, enum rec_verb verb, FILE *out);
/* Find and delete, printing "... pruned". */
int rec_prune_all(struct rec_session *s, const struct rec_set *set, enum rec_dry dry, FILE *out);

/* Applied by the field manager kubectl-feast (an Apply entry in managedFields). */
bool rec_applied_by_us(const struct node *obj);
/* Has an owner reference with controller: true (the garbage collector's to delete). */
bool rec_has_controller(const struct node *obj);
/* The set holds an object of that resource, namespace and name. */
bool rec_set_has(const struct rec_set *set, const struct kube_resource *res, const char *ns, const char *name);
/* Would prune delete `item`, a live object of `res` listed by store st's labels?  Only when
 * it has a name, the run did not render it, kubectl-feast applied it, no controller owns it,
 * and (cluster-scoped) it binds the store's own ServiceAccount. */
bool rec_prune_candidate(const struct rec_set *set, const struct rec_store *st, const struct kube_resource *res,
			 const struct node *item);
/* Binds the ServiceAccount feast-<name> of namespace ns (a store's ClusterRoleBinding). */
bool rec_binds_store(const struct node *binding, const char *name, const char *ns);
/* The kinds render builds (render_kinds()), dependents first: the order to delete in.  For
 * the operator target ScaledObjects only (the operator owns the rest). */
int rec_kinds(struct rec_session *s, enum render_target target, const struct kube_resource ***out, size_t *n);
/* List a kind in ns ("" or cluster-scoped: all) with a label selector (may be NULL);
 * *items is NULL when the kind is not served. */
int rec_list(struct rec_session *s, const struct kube_resource *res, const char *ns, const char *selector,
	     const struct node **items);
/* Append a live object (from a list) to a set, its path and display filled in. */
struct rec_obj *rec_add_live(struct rec_session *s, struct rec_set *set, const struct kube_resource *res,
			     struct node *item);
/* For an object the stores share (it has no feast.dev/name: the token-review ClusterRoles, a
 * namespace's secret-merge ConfigMap): 1 while a binding or a workload that `gone` (may be
 * NULL) does not hold still names it, 0 when free or not shared, -1 on failure. */
int rec_still_used(struct rec_session *s, const struct rec_obj *o, const struct rec_set *gone);

/* apply --prune --applyset: kubectl's ApplySet (kube_applyset.h) with a Secret or ConfigMap
 * parent in the session's namespace.  begin() refuses a parent another tool manages or whose
 * id is not this one's, labels every object of `set` as a member, and writes the parent
 * covering the old and the new kinds and namespaces (field manager kubectl-feast-applyset);
 * after the apply, prune() deletes the members no longer in `set` (shared objects still in
 * use stay) and writes the parent with exactly the new ones. */
struct rec_applyset {
	struct applyset_ref ref;
	struct kube_resource res;         /* the parent's kind */
	const char *ns, *id, *path, *display;
	bool existed;
	struct applyset_list gks, nss;         /* the parent's before this run (nss with its own) */
	struct applyset_list new_gks, new_nss; /* this run's objects */
	struct applyset_list all_gks, all_nss; /* both: where prune looks */
};
int rec_applyset_begin(struct rec_session *s, struct rec_set *set, const struct applyset_ref *ref, enum rec_dry dry,
		       struct rec_applyset *as);
int rec_applyset_prune(struct rec_session *s, const struct rec_set *set, const struct rec_applyset *as,
		       enum rec_dry dry, FILE *out);
/* begin() without writing anything (diff --applyset): the parent read and checked, the
 * objects of `set` labelled as members, the lists filled in. */
int rec_applyset_plan(struct rec_session *s, struct rec_set *set, const struct applyset_ref *ref,
		      struct rec_applyset *as);
/* The members prune() would delete, in the order it deletes them (no writes). */
int rec_applyset_find(struct rec_session *s, const struct rec_set *set, const struct rec_applyset *as,
		      struct rec_set *go);
/* A run without --applyset (apply, diff, scale NAME), after rec_check_bindings: the objects
 * of a store whose live binding is a member of an ApplySet get its part-of label, so that
 * server-side apply does not take them out of the set (new objects of the store join it).
 * Objects of no store (shared ClusterRoles and ConfigMaps, passed-through documents) are
 * read when some store of the run is a member, or when no binding could tell (the operator
 * target): each keeps the label its live version carries, if kubectl-feast applied it.
 * Nothing is written; objects that cannot be read keep no label (the apply reports them). */
int rec_applyset_keep(struct rec_session *s, struct rec_set *set);

/* delete NAME...: per store (its name and namespace), every live object of a kind render
 * builds that carries its labels (feast.dev/name, managed-by kubectl-feast; a
 * ClusterRoleBinding must bind its ServiceAccount) and has no controller, and the
 * FeatureStore itself when one exists: those applied by kubectl-feast go to `go`, the rest to
 * `left`.  Then the shared objects they name (the ClusterRole of a binding, the secret-merge
 * ConfigMap a pod mounts) join `go` when applied by kubectl-feast and used by nothing outside
 * it; `kept` counts those still in use.  A store without any object is an error in s->d. */
struct rec_delete_plan {
	struct rec_set go, left;
	size_t kept;
};
int rec_delete_plan(struct rec_session *s, const struct rec_store *stores, size_t n, struct rec_delete_plan *p);
/* Poll until every object of `gone` (by uid) and every pod labelled with a store's name is
 * gone, a line on `err` per change.  0 done, 1 timed out (error in s->d), -1 failure. */
int rec_delete_wait(struct rec_session *s, const struct rec_store *stores, size_t n, const struct rec_set *gone,
		    long long timeout_ms, FILE *err);

/* Append a rec_obj to a set (zeroed); the caller fills it. */
struct rec_obj *rec_set_push(struct arena *a, struct rec_set *set);

/* "deployment.apps/NAME". */
const char *rec_display(struct arena *a, const struct kube_resource *res, const char *name);

/* GET a path (`query` may be NULL): *out is the object, or NULL when it (or its kind)
 * does not exist. */
int rec_get_path(struct rec_session *s, const char *path, const char *query, struct node **out);

/* ---- the stored spec ---- */

/* Read REC_ANN_SPEC / REC_ANN_OPTIONS of a live Deployment into a document
 * list of one FeatureStore and render options.  Returns 1 when found, 0 when
 * the Deployment carries none, -1 when they are unreadable (diagnostic). */
int rec_stored_spec(struct rec_session *s, const struct node *deployment, struct doclist *docs,
		    struct render_flags *ro);

#endif
