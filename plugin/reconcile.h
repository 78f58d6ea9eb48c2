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
 *     rec_free(&s);            client, arena (every object, answer, diagnostic)
 * The commands' run() functions use the wrappers at the end instead: rec_parse*()
 * (rec_init and argv), rec_prepare() (load to resolve), rec_finish() (print, free).
 *
 * Apply is server-side apply with field manager `kubectl-feast`: one PATCH per
 * object, sent in waves (kube_apply_wave: namespaces and CRDs, then what the
 * workloads need, bindings, workloads, what points at them), up to
 * s->concurrency at a time within a wave (kube_run).  Created / configured /
 * unchanged come from the answer and the floor read before the first write
 * (kube_apply.h); lines are printed in input order.  429s are waited out
 * within the request's budget, 5xx and lost connections resent a few times
 * (the apply is idempotent); anything else fails the object, and the run
 * stops after the wave it is in.  Dry runs and diff (rec_apply) GET first:
 * they must compare with the live object.
 *
 * Prune deletes, per FeatureStore of the run, objects in its namespace that
 * carry its labels (feast.dev/name, managed-by kubectl-feast), were applied
 * by the field manager kubectl-feast, are of a kind the plugin renders, have
 * no controller owner and are not rendered any more.  The one cluster-scoped
 * kind that qualifies, a ClusterRoleBinding, must also bind the store's own
 * ServiceAccount.  Nothing else is ever deleted.
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
#include "cli.h"
#include "diag.h"
#include "kube_apply.h"
#include "kube_client.h"
#include "kube_config.h"
#include "kube_resource.h"
#include "render.h"
#include "render_flags.h"

struct doclist;

#define REC_FIELD_MANAGER "kubectl-feast"
#define REC_ANN_SPEC "feast.dev/applied-spec"
#define REC_ANN_OPTIONS "feast.dev/applied-options"

enum rec_dry { REC_DRY_NONE, REC_DRY_CLIENT, REC_DRY_SERVER };

/* What a step did to one object, printed kubectl's way. */
enum rec_verb { REC_CREATED, REC_CONFIGURED, REC_UNCHANGED, REC_APPLIED, REC_PRUNED, REC_SCALED };

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
	struct node *live;          /* after rec_get or rec_apply: the live object, NULL if absent */
	struct node *result;        /* after rec_apply: the server's answer */
	bool scale_target;          /* rec_apply_all says "scaled" for it, and always prints it */
};

struct rec_store {
	const char *name, *ns;      /* a FeatureStore of the run and its effective namespace */
	const struct document *doc;
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

/* -f inputs, loaded and checked; -1 when any is unreadable or invalid. */
int rec_load(struct rec_session *s, const struct file_args *files, struct doclist *docs);

int rec_render(struct rec_session *s, const struct doclist *docs, const struct render_flags *ro,
	       bool stamp, struct rec_set *out);
int rec_resolve(struct rec_session *s, struct rec_set *set);

/* GET o->path into o->live (NULL when 404). */
int rec_get(struct rec_session *s, struct rec_obj *o);
/* A request with client-go's Retry-After retries (429, 5xx), at most 3 resends. */
int rec_request(struct rec_session *s, const struct kube_req *req, struct kube_response *r);
/* Server-side apply of o->obj (GET first); `verb` says what happened. */
int rec_apply(struct rec_session *s, struct rec_obj *o, enum rec_dry dry, bool force,
	      enum rec_verb *verb);
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
 * bindings it cannot list are left to the apply, which then fails on its own terms. */
int rec_check_bindings(struct rec_session *s, struct rec_set *set);

/* Live objects of the run's stores that prune would delete, in a stable order. */
int rec_prune_find(struct rec_session *s, const struct rec_set *set, struct rec_set *cands);
int rec_delete(struct rec_session *s, struct rec_obj *o, enum rec_dry dry);
/* Find and delete, printing "... pruned". */
int rec_prune_all(struct rec_session *s, const struct rec_set *set, enum rec_dry dry, FILE *out);

/* Append a rec_obj to a set (zeroed); the caller fills it. */
struct rec_obj *rec_set_push(struct arena *a, struct rec_set *set);

/* "deployment.apps/NAME". */
const char *rec_display(struct arena *a, const struct kube_resource *res, const char *name);

/* GET a path (`query` may be NULL): *out is the object, or NULL when it (or its kind)
 * does not exist. */
int rec_get_path(struct rec_session *s, const char *path, const char *query, struct node **out);

/* ---- a cluster command's run() ---- */

/* The start of apply's and diff's: rec_init(s), then argv with kubectl's connection flags
 * into s->kf, the render flags into *ro (their combination checked), -f/-R into *files
 * (FILE_ARGS_OPTS: command_parse_files()) and the command's own flags to fn(ctx).
 * Returns CMD_RUN, or the exit code (help or the usage error printed). */
int rec_parse_inputs(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		     struct rec_session *s, struct file_args *files, struct render_flags *ro);
/* The same for a command without inputs (status NAME): no render flags, and the positional
 * arguments are left in *args for the command to judge. */
int rec_parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
	      struct rec_session *s, struct opt_args *args);

/* What failed in rec_prepare(): the input (the command's "invalid" exit code) or the cluster. */
enum { REC_BAD_INPUT = 1, REC_BAD_CLUSTER };
/* apply's and diff's steps before their first write: load and check the inputs, read the
 * kubeconfig, render, print the warnings; then connect and resolve the objects' paths.
 * Returns 0 or the REC_BAD_* of the step that failed. */
int rec_prepare(struct rec_session *s, const struct file_args *files, const struct render_flags *ro,
		struct rec_set *set);

/* The end of every run(): print the diagnostics left, free s; returns rc. */
int rec_finish(struct rec_session *s, int rc);

/* ---- the stored spec ---- */

/* Read REC_ANN_SPEC / REC_ANN_OPTIONS of a live Deployment into a document
 * list of one FeatureStore and render options.  Returns 1 when found, 0 when
 * the Deployment carries none, -1 when they are unreadable (diagnostic). */
int rec_stored_spec(struct rec_session *s, const struct node *deployment, struct doclist *docs,
		    struct render_flags *ro);

#endif
