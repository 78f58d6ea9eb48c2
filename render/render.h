/*
 * render.h -- FeatureStore specs in, the Kubernetes objects that run them out.
 *
 * Contract:
 *  - Call render_documents() on documents that check_documents() accepted.  It
 *    decodes every FeatureStore into a typed view (render/spec.h), builds its
 *    objects from the embedded templates (parsed once per call) in a fixed
 *    order, and appends them to `out`; documents that are not FeatureStores are
 *    appended unchanged, after all stores.  Shared objects come first and appear
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
 *  - Everything it builds lives in the arena `a`; input documents are only
 *    read (objects never share nodes with them).  Objects may share scalar
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

struct arena;
struct buf;
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
 * scales, readiness by the sidecar's probe, Kubernetes 1.29, a 5 s preStop sleep. */
#define RENDER_SIDECAR_IMAGE "feast-sidecar:" FEAST_VERSION
/* On each Deployment: the plugin and version that rendered it (kubectl-feast/<version>).
 * Pods are labelled with Feast's version (app.kubernetes.io/version, from the image tag). */
#define RENDER_BY_ANNOTATION "feast.dev/rendered-by"
#define RENDER_KUBE_MINOR 29        /* native sidecars: on by default since 1.29 */
#define RENDER_PRESTOP_SECONDS 5

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
	int prestop_seconds;             /* servers' preStop sleep; 0: RENDER_PRESTOP_SECONDS, < 0: none */
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

int render_write(struct buf *out, const struct objlist *objs, enum render_format format);
/* The same bytes to a stream, one object at a time (a run's text is never held whole);
 * -1 on a write error. */
int render_fwrite(FILE *f, const struct objlist *objs, enum render_format format);

#endif
