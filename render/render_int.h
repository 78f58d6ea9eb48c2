/*
 * render_int.h -- what the object builders of render/ share.
 *
 * A render call owns one struct render_ctx: the diagnostics, the options, the
 * templates (parsed once per call) and the output list of the batch being
 * built.  Each FeatureStore is one struct store: its decoded spec
 * (render/spec.h), what the preparation stage derived (feature_store.yaml, the
 * values merged at pod start) and the objects later stages edit (the pod).
 * Builders are `void build_x(struct render_ctx *, struct store *)`, one file per
 * object kind, run in the order of the stage table in render.c; each clones its
 * template, fills it at the node level and hands it to obj_emit().
 *
 * Memory: builders allocate from r->a.  While streaming that is one store's
 * scratch arena, freed once its objects are out, so nothing a builder makes may
 * be kept in the context past its store; what the run keeps lives in r->run
 * (templates, the ScaledObject pairing, one struct store_sum per store).
 *
 * Templates mark optional fields with `~`; obj_emit() removes every null left
 * in an object, so a builder only sets what applies and key order stays the
 * template's.  User subtrees are copied with user_copy(), which drops nulls and
 * never shares nodes with the input.
 */
#ifndef FEAST_RENDER_INT_H
#define FEAST_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "render.h"
#include "spec.h"

struct doclist;
struct keda_list;
struct keda_so;
struct node;
struct render_ctx;

enum tmpl_id {
	T_SERVICEACCOUNT, T_ROLE, T_ROLEBINDING, T_CLUSTERROLE, T_CLUSTERROLEBINDING,
	T_CONFIGMAP, T_PVC, T_SERVICE, T_DEPLOYMENT, T_CONTAINER, T_HPA, T_PDB, T_SCALEDOBJECT, T_CRONJOB,
	T_RULES_AUTHZ, T_RULES_TOKEN_REVIEW, T_RULES_OIDC, T_RULES_CRONJOB,
	T_SIDECAR, T_RULES_SIDECAR, T_RULES_SIDECAR_GATE, T_RULES_SPARK_SERVER, T_RULES_SPARK_DRIVER,
	T_SERVICEMONITOR, T_ROUTE, T_RULES_NAMESPACE_REGISTRY, T_SHARD_JOB,
	/* Policy fragments (templates/fragments/): the HA defaults builders put into objects. */
	T_FRAG_ANTI_AFFINITY, T_FRAG_ZONE_SPREAD, T_FRAG_STRATEGY, T_FRAG_SERVER_PROBES, T_FRAG_SIDECAR_POD,
	T_COUNT
};

struct templates {
	struct node *t[T_COUNT];
	const char *secret_merge;   /* templates/scripts/secret-merge.py */
	const char *merge_cm;       /* its ConfigMap: feast-secret-merge-<content hash> */
	const char *shard_script;   /* templates/scripts/materialize-shard.py */
};

/* Parse every template; -1 (with an error in d) only if an embedded file is broken. */
int templates_load(struct arena *a, struct templates *tm, struct diags *d);
/* A copy of the value under `key` of template `id` (a fragment that offers a choice, such as
 * templates/fragments/deployment-strategy.yaml); NULL when the template has no such key. */
struct node *tmpl_clone_part(struct render_ctx *r, enum tmpl_id id, const char *key);

/* One-time warnings, by the field that triggers them. */
enum warn_id {
	W_LINEAGE_SERVER, W_OPENLINEAGE_CONSUMER, W_UI_ROUTE, W_SERVICE_MONITOR, W_BATCH_ENGINE_RBAC, W_MLFLOW_DISCOVERY, W_FEASTREF, W_SIDECAR_IMAGE,
	W_COUNT
};

/* What the run keeps of a store between its passes: what other stores (a feastRef) and the
 * shared objects (merge ConfigMaps, feast-configs-registry) need.  Strings are the input's. */
struct store_sum {
	const struct document *doc;
	const char *name, *ns, *feast_name;
	const char *ref_name, *ref_ns;   /* registry.remote.feastRef, or NULL */
	const struct node *ref_node;
	bool grpc_registry;              /* serves its registry over gRPC: a feastRef may name it */
	bool tls_registry;
	bool merges;                     /* merges values at pod start: its namespace gets the script */
};

struct idents;

struct render_ctx {
	struct arena *a;             /* where builders allocate: r->run, or one store's scratch arena */
	struct arena *run;           /* the caller's arena */
	struct arena scratch;
	bool streaming;              /* free each store's objects once handed on */
	struct diags *d;             /* r->live, or r->mute while a pass repeats work already reported */
	struct diags *live, mute;
	const struct render_opts *opts;
	struct templates tm;
	struct objlist *out;         /* the batch being built: objects from index `first` on */
	struct objlist batch;
	size_t first;
	struct store_sum *sums;
	size_t nsums, capsums;
	/* Make a store document's tree current before it is decoded (render_stream_raw(): the
	 * previous one's goes); NULL when every tree is there. */
	void (*load)(void *ctx, struct document *doc);
	void *load_ctx;
	bool prepared;               /* every store's prepare step is done (render_prepare_store()) */
	struct idents *ids;          /* identities seen, for the duplicate check; NULL: not checked */
	bool warned[W_COUNT];
	bool token_review, oidc_token_review;  /* shared ClusterRoles needed */
	struct keda_list *keda;      /* the run's ScaledObjects that scale stores (keda_attach) */
	const struct doclist *docs;  /* the run's input, for ConfigMaps the stores name */
	int errors;
	/* Recently used label values, shared read-only between objects (obj.c). */
	struct { const char *s; struct node *n; } leaves[16];
	unsigned next_leaf;
};

/* A Secret or ConfigMap key mounted read-only for the merge at pod start. */
struct mount_source {
	const char *volume;      /* volume name, also the directory under /var/run/feast/ */
	const char *object;      /* Secret or ConfigMap name */
	bool configmap;
	bool optional;
	const char *keys[2];     /* keys to project; none: the whole object */
	int nkeys;
};

/* One operation of templates/scripts/secret-merge.py. */
struct merge_op {
	const char *op, *section, *arg, *file;
};

#define MAX_SOURCES 8
#define MAX_MERGE_OPS 12
#define MERGE_DIR "/var/run/feast"
/* secret-merge.py, from the namespace's ConfigMap tm.merge_cm (obj_merge.c), in the
 * container that merges: the script ships once per namespace, not in every pod spec. */
#define MERGE_SCRIPT_VOLUME "feast-secret-merge"
#define MERGE_SCRIPT_DIR "/var/run/feast-secret-merge"
#define MERGE_SCRIPT_KEY "secret-merge.py"
#define FEAST_CONFIG_DIR "/feast-config"
/* The operator's tlsPathOidcCA: auth.ca_cert_path, a file mounted with subPath. */
#define OIDC_CA_CERT_PATH "/etc/pki/tls/oidc-ca/ca.crt"

struct store {
	struct fs fs;
	const char *fs_yaml_b64;     /* the servers' feature_store.yaml, base64 */
	struct mount_source sources[MAX_SOURCES];
	int nsources;
	struct merge_op ops[MAX_MERGE_OPS];
	int nops;
	const struct keda_so *keda;  /* the ScaledObject that scales it, or NULL (keda_attach) */
	struct node *deployment;     /* set by build_deployment */
	struct node *pod;            /* its template.spec, for later stages */
	bool sidecar;                /* the feast-sidecar is in the pod (obj_sidecar.c) */
	int shards;                  /* materialization shards (rules/shards.h), at least 1 */
	struct node *shard_pod;      /* with shards > 1: a copy of the pod before the sidecar */
};

/* ---- helpers (render/obj.c) ---- */
struct node *tmpl_clone(struct render_ctx *r, enum tmpl_id id);
/* Clone template `id` and fill metadata: name, namespace (when `namespaced`),
 * labels for `svc_type` (feast.dev/service-type, may be NULL) and `component`. */
struct node *obj_new(struct render_ctx *r, const struct store *st, enum tmpl_id id, const char *name,
		     bool namespaced, const char *svc_type, const char *component);
struct node *labels_new(struct render_ctx *r, const struct fs *fs, const char *svc_type,
			const char *component);
struct node *selector_new(struct render_ctx *r, const struct fs *fs);
/* Drop the template's leftover nulls and append to the output. */
void obj_emit(struct render_ctx *r, const struct store *st, struct node *obj);
/* Append to the output as it is, `src` the document it comes from (or NULL). */
void obj_append(struct render_ctx *r, struct node *root, const struct document *src);
void node_prune(struct node *n);
/* Deep copy of a user subtree without its nulls; NULL stays NULL. */
struct node *user_copy(struct render_ctx *r, const struct node *n);
/* map[key] = user_copy(val), unless val is absent or empty. */
void set_user(struct render_ctx *r, struct node *map, const char *key, const struct node *val);
struct node *str_node(struct render_ctx *r, const char *s);
struct node *strs_node(struct render_ctx *r, const char *const *v, int n);
struct node *int_node(struct render_ctx *r, int64_t v);
/* A warning given at most once per render call. */
void warn_once(struct render_ctx *r, enum warn_id id, const struct node *at, const char *path,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* `true`/`false` strings become booleans (the operator's extraConfig coercion). */
struct node *coerce_extra(struct render_ctx *r, const struct node *v);

/* ---- the run as a whole (passthrough.c) ---- */
/* Is `kind` namespaced?  Built-in cluster-scoped kinds are not; unknown kinds are. */
bool kind_is_namespaced(const char *kind);
/* Every namespaced document naming a namespace other than -n: kubectl's error. */
int render_check_namespaces(struct render_ctx *r, const struct doclist *docs);
/* A document that is not a store, as emitted: -n filled in when it names no namespace,
 * YAML tags resolved as kubectl reads them (so YAML and JSON output agree). */
struct node *render_passthrough(struct render_ctx *r, const struct document *doc);

/* ---- the run's passes (render.c), for render_stream_raw() (render_raw.c) ---- */
void render_ctx_init(struct render_ctx *r, struct arena *a, const struct doclist *docs,
		     const struct render_opts *opts, struct diags *d);
/* Each store's objects in a scratch arena of their own, handed on a batch at a time. */
void render_ctx_streaming(struct render_ctx *r);
/* The survey, a document at a time (stores only; others are skipped), then across them. */
void render_survey_store(struct render_ctx *r, const struct document *doc);
void render_survey_end(struct render_ctx *r);
/* The prepare step of surveyed store i (what the shared objects need of it), its diagnostics
 * to r->d; prepare_all() is this for every store, after render_survey_end(). */
void render_prepare_store(struct render_ctx *r, size_t i);
/* After the survey: prepare and build every store for its errors (to `sink` too, when given);
 * `report` false: a repeated identity is counted in r->errors, not reported. */
int render_check_build(struct render_ctx *r, const struct render_sink *sink, bool report);
/* Given the check's result `rc`: the output pass to `sink`; frees the scratch arena. */
int render_output(struct render_ctx *r, int rc, const struct render_sink *sink);

/* ---- one object per identity (idents.c) ----
 * Every object with a source (not the shared ones) is remembered by group, kind, namespace
 * and name as its batch goes out; a second one is an error naming both inputs, reported by
 * idents_report() in identity order once the run is built. */
struct idents *idents_new(void);
void idents_add(struct render_ctx *r, const struct render_obj *v, size_t n);
void idents_report(struct render_ctx *r);
size_t idents_dups(const struct idents *ids);
/* Bytes it holds, for tests of the run's memory. */
size_t idents_bytes(const struct idents *ids);
void idents_free(struct idents *ids);

/* ---- stages ---- */
void store_prepare(struct render_ctx *r, struct store *st);          /* repo_config.c */
struct node *client_repo_config(struct render_ctx *r, struct store *st);
void build_serviceaccount(struct render_ctx *r, struct store *st);   /* obj_serviceaccount.c */
void build_authz(struct render_ctx *r, struct store *st);            /* obj_rbac.c */
void build_shared_rbac(struct render_ctx *r);
/* One ConfigMap tm.merge_cm per namespace whose stores merge values at pod start. */
void build_merge_configmaps(struct render_ctx *r, const struct store_sum *v, size_t n); /* obj_merge.c */
/* With --configs-registry: feast-configs-registry and its reader RBAC (obj_namespace_registry.c). */
void build_namespace_registry(struct render_ctx *r, const struct store_sum *v, size_t n);
void build_client_configmap(struct render_ctx *r, struct store *st);/* obj_configmap.c */
void build_pvcs(struct render_ctx *r, struct store *st);             /* obj_pvc.c */
void build_services(struct render_ctx *r, struct store *st);         /* obj_service.c */
void build_deployment(struct render_ctx *r, struct store *st);       /* obj_deployment.c */
void build_servicemonitor(struct render_ctx *r, struct store *st);    /* obj_servicemonitor.c */
void build_route(struct render_ctx *r, struct store *st);            /* obj_route.c */
void build_hpa(struct render_ctx *r, struct store *st);              /* obj_hpa.c */
void build_pdb(struct render_ctx *r, struct store *st);              /* obj_pdb.c */
/* The run's ScaledObjects that scale stores, once per run (in r->run); then each store is
 * paired with its own when it is decoded: KEDA owns those counts. */
void keda_resolve_run(struct render_ctx *r, const struct doclist *docs);
void keda_attach(struct render_ctx *r, struct store *st);
bool keda_consumed(const struct render_ctx *r, const struct document *doc);
void build_scaledobject(struct render_ctx *r, struct store *st);     /* obj_scaledobject.c */
void build_cronjob(struct render_ctx *r, struct store *st);          /* obj_cronjob.c */
/* The CronJob's Job spec `job` as an Indexed Job of st->shards pods (obj_shards.c). */
void shard_job(struct render_ctx *r, struct store *st, struct node *job);
/* The batch engine's RBAC, when its ConfigMap is in the run (obj_batch_engine.c). */
void build_batch_engine_rbac(struct render_ctx *r, struct store *st);
/* RoleBinding `name` of Role `name` to ServiceAccount `sa` in the store's namespace (obj_rbac.c),
 * labelled for `svc_type` and `component` as obj_new() does, then emitted. */
void emit_role_binding(struct render_ctx *r, struct store *st, const char *name, const char *svc_type,
		       const char *component, const char *sa);
/* The feast-sidecar (obj_sidecar.c): its RBAC with the other RBAC, then into the built pod. */
void build_sidecar_rbac(struct render_ctx *r, struct store *st);
void inject_sidecar(struct render_ctx *r, struct store *st);
/* A command under the pod's registry lock: the static client in the sidecar's volume. */
#define SIDECAR_DIR "/run/feast-sidecar"
#define SIDECAR_LOCK SIDECAR_DIR "/feast-lock"
/* The fragment's lockWaitSeconds, as feast-lock's -w argument (in r's arena). */
const char *sidecar_lock_wait(struct render_ctx *r);

/* ---- pod parts (pod_containers.c, pod_init.c) ---- */
struct node *server_container(struct render_ctx *r, const struct store *st, enum srv s);
void add_init_containers(struct render_ctx *r, const struct store *st, struct node *pod);
struct node *env_var(struct render_ctx *r, const char *name, const char *value);
/* Replace env entries by name or append them (the operator's envOverride). */
void env_override(struct render_ctx *r, struct node *env, const struct node *user);

#endif
