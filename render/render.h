/*
 * render.h -- FeatureStore specs in, the Kubernetes objects that run them out.
 *
 * Contract:
 *  - Call render_documents() or render_stream() on documents that
 *    check_documents() accepted.  They decode every FeatureStore into a typed
 *    view (render/spec.h), build its objects from the embedded templates (parsed
 *    once per call) in a fixed order; documents that are not FeatureStores come
 *    unchanged, after all stores.  Shared objects come first and appear
 *    once per call: the token-review ClusterRoles, then the secret-merge.py
 *    ConfigMap of each namespace (sorted) whose stores merge values at pod start.
 *  - A KEDA ScaledObject that scales a store of the run (rules/keda.h) is not
 *    passed through: it is completed (name, namespace, labels, target, HPA
 *    name, bounds) and comes with its store's objects, after the PDB; the
 *    Deployment then has no spec.replicas, and the HA treatment when KEDA may
 *    scale it above 1.
 *  - RENDER_TARGET_OPERATOR emits, per FeatureStore in input order, the
 *    document as written (only a missing namespace filled from -n) and its
 *    completed ScaledObject aimed at the FeatureStore's scale subresource;
 *    every other document is left out with a warning.
 *  - render_documents() appends every object to `out`: everything it builds
 *    lives in the arena `a` (apply and diff need the whole run at once).
 *  - render_stream() hands the objects to a sink a batch at a time (the shared
 *    objects, then each store's, then the documents passed through) and frees a
 *    store's objects once its batch is out, so memory does not grow with the
 *    number of stores beyond what the run keeps of each (its names, about 100
 *    bytes, and its objects' identities for the duplicate check, about 50 bytes
 *    an object).  No partial output: a first pass builds and checks every store
 *    and hands nothing on; only when it found no error does a second pass build
 *    them again for the sink.  That costs a second build (14% more CPU at 1,000
 *    stores, 36% at 5,000) and needs no disk, where buffering the text in a temp
 *    file would need the output's size in $TMPDIR.  With no sink it is only the
 *    first pass (validate).  --target operator is one batch: its output is the
 *    input documents themselves.
 *  - Input documents are only read (objects never share nodes with them).  Objects may share scalar
 *    leaves with each other (label values): edit them by replacing nodes,
 *    never scalar text in place.  Warnings (fields that are not
 *    rendered, once per field and call) and errors go to `d`.  It returns 0, or
 *    -1 when it added an error; then `out` must not be printed.
 *  - Output is deterministic: the same documents and options give the same
 *    objects, and a store's objects do not depend on the other stores of the
 *    run or on their order.
 *  - Flux: Flux's post-build substitution rewrites ${VAR} in every object it
 *    applies.  Built objects whose text (a key or a scalar) contains `${` get
 *    the annotation kustomize.toolkit.fluxcd.io/substitute: disabled; documents
 *    passed through stay as written, with a warning when they contain `${` and
 *    do not carry that annotation themselves (unless opts.no_flux_warnings).
 *  - render_write() appends the objects as YAML (documents separated by `---`)
 *    or as one kubectl-style `v1` `List` in JSON, two-space indented.
 *
 *  - Unless opts.sidecar says none, the pods of stores that scale (or all, with
 *    always) get the feast-sidecar (render/obj_sidecar.c): a native sidecar, the
 *    lock around feast-apply and the CronJob's commands, a preStop sleep, the
 *    Role and RoleBinding feast-<name>-sidecar; a cluster older than 1.29 is an
 *    error there.
 *
 * Extension points for later work: the per-store pipeline in render.c is a table of stages, each
 * a builder that appends objects or edits the ones already built (the
 * Deployment's pod is reachable as `store->pod` in render/render_int.h).
 */
#ifndef FEAST_RENDER_H
#define FEAST_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

struct arena;
struct diags;
struct doclist;
struct document;
struct node;

#define RENDER_DEFAULT_IMAGE "quay.io/feastdev/feature-server:0.66.0"
#define RENDER_CRONJOB_IMAGE "quay.io/openshift/origin-cli:4.17"

enum render_target {
	RENDER_TARGET_STANDALONE,  /* every object needed to run the stores */
	RENDER_TARGET_OPERATOR,    /* for the Feast operator: each FeatureStore as written and its ScaledObject */
};

enum render_format { RENDER_YAML, RENDER_JSON };

/* The feast-sidecar in the pod (render/obj_sidecar.c): the registry lock around feast-apply
 * and readiness gating.  Zero values are the command's defaults: injected when the store
 * scales, readiness by the sidecar's probe, Kubernetes 1.29, the preStop sleep of
 * templates/fragments/sidecar-pod.yaml. */
#define RENDER_SIDECAR_IMAGE "feast-sidecar:" FEAST_VERSION
/* On each Deployment: the plugin and version that rendered it (kubectl-feast/<version>).
 * Pods are labelled with Feast's version (app.kubernetes.io/version, from the image tag). */
#define RENDER_BY_ANNOTATION "feast.dev/rendered-by"
#define RENDER_KUBE_MINOR 29        /* native sidecars: on by default since 1.29 */

enum render_sidecar {
	RENDER_SIDECAR_AUTO,     /* when scaling is enabled: replicas > 1, HPA or KEDA */
	RENDER_SIDECAR_ALWAYS,
	RENDER_SIDECAR_NONE,     /* exactly the operator's pod */
};

enum render_readiness {
	RENDER_READINESS_PROBE,  /* the sidecar's readinessProbe */
	RENDER_READINESS_GATE,   /* a pod readiness gate the sidecar sets (pods/status) */
};

struct render_opts {
	const char *namespace;   /* -n: namespace of objects without one; NULL: none */
	bool namespace_explicit; /* given as -n: an object naming another namespace is an error (kubectl's) */
	const char *image;       /* feature-server image; NULL: RENDER_DEFAULT_IMAGE */
	enum render_target target;
	bool keda_adopt_hpa;     /* ScaledObjects take over the existing HPA feast-<name> */
	enum render_sidecar sidecar;
	const char *sidecar_image;       /* NULL: RENDER_SIDECAR_IMAGE */
	enum render_readiness readiness;
	int kube_minor;                  /* target cluster 1.<minor>; 0: RENDER_KUBE_MINOR */
	int prestop_seconds;             /* servers' preStop sleep; 0: templates/fragments/sidecar-pod.yaml's, < 0: none */
	bool no_flux_warnings;           /* no warning for passed-through documents holding `${` */
	bool prometheus_operator;        /* the cluster has ServiceMonitor: render one for metrics */
	bool openshift;                  /* serving certificates, the UI Route, OpenShift's CronJob UIDs */
	const char *namespace_registry;  /* namespace of feast-configs-registry; NULL: not rendered */
	int materialize_shards;          /* the CronJob as an Indexed Job of N shards; 0, 1: one pod */
};

/* One rendered object and where it came from. */
struct render_obj {
	struct node *root;
	const struct document *src;  /* the FeatureStore (or passed-through document); NULL for shared objects */
};

struct objlist {
	struct render_obj *v;
	size_t n, cap;
};

int render_documents(struct arena *a, const struct doclist *docs, const struct render_opts *opts,
		     struct objlist *out, struct diags *d);

/* Every kind of object render builds for a store or shares between stores (from the
 * templates: what passes through is not listed), in creation order: each kind after the
 * kinds its objects refer to.  The array lives in `a`. */
struct render_kind {
	const char *api_version, *kind;
};
int render_kinds(struct arena *a, struct render_kind **out, size_t *n, struct diags *d);

/* Where render_stream() puts its batches.  ready() (may be NULL) is called once, after the
 * checking pass found no error and before the first put(); a put() that returns -1 stops the
 * render (render_stream() then returns -1, adding no diagnostic: the sink knows why).  The
 * objects live only until put() returns. */
struct render_sink {
	int (*ready)(void *ctx);
	int (*put)(void *ctx, const struct render_obj *v, size_t n);
	void *ctx;
};

/* As render_documents(), streaming to `sink` (NULL: check only).  `a` holds the templates and
 * what the run keeps of each store; each store's objects live in an arena of their own. */
int render_stream(struct arena *a, const struct doclist *docs, const struct render_opts *opts,
		  const struct render_sink *sink, struct diags *d);

/* As render_stream(), from raw input streams (lib/input.h, opts.raw; `walk` holds their load's
 * diagnostics), holding the tree of one FeatureStore at a time: a first pass reads, checks
 * (check_document(), identities, -n) and surveys each document and keeps only the trees of the
 * documents that are not stores; the check and output passes read each store's again.  Memory
 * then grows with the run's stores by their summaries and identities, not their trees.
 * RENDER_WHOLE, having added nothing to `d` and handed nothing on: the run takes the
 * whole-tree path (inputs_parse(), check_documents(), render_stream()), which alone
 * reports problems of the input, pairs ScaledObjects and shards with other documents,
 * unwraps Lists, renders --target operator and runs with no FeatureStore; its output and
 * diagnostics are the ones this path gives when it does not step aside.  0: every check
 * passed, and what `d` got are the render's own warnings, about its output. */
#define RENDER_WHOLE 1
struct inputs;
int render_stream_raw(struct arena *a, const struct inputs *in, const struct render_opts *opts,
		      const struct render_sink *sink, const struct diags *walk, struct diags *d);

/* A sink writing YAML or the JSON List to a stream, batch by batch: the same bytes as
 * render_fwrite() of the whole run.  failed: a write failed (nothing more is written). */
struct render_writer {
	FILE *f;
	enum render_format format;
	size_t n;        /* objects written */
	struct buf b;
	bool failed;
};

void render_writer_init(struct render_writer *w, FILE *f, enum render_format format);
int render_writer_put(void *w, const struct render_obj *v, size_t n);
/* Closes the JSON List and releases the buffer; -1 when any write failed. */
int render_writer_end(struct render_writer *w);

int render_write(struct buf *out, const struct objlist *objs, enum render_format format);
/* The same bytes to a stream, one object at a time (a run's text is never held whole);
 * -1 on a write error. */
int render_fwrite(FILE *f, const struct objlist *objs, enum render_format format);

#endif
