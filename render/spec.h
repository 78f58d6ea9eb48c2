/*
 * spec.h -- a typed view of one FeatureStore, with the operator's defaults applied.
 *
 * spec_decode() reads a FeatureStore document (v1 or v1alpha1) once and answers
 * every question the object builders ask: which servers run, their ports and
 * TLS, each store's persistence, scaling and HA decisions, the project
 * directory, authorization.  Builders read this view and never walk the spec
 * again, so defaults live in one place.  User subtrees that are copied into
 * objects (env, resources, affinity...) are kept as node pointers into the
 * input document; builders clone them before use.
 *
 * Strings and the view live in the caller's arena.  Problems that the schema
 * check would have caught (a wrong type) are reported to `d` with the field's
 * position, and spec_decode() then returns -1.
 */
#ifndef FEAST_RENDER_SPEC_H
#define FEAST_RENDER_SPEC_H

#include <stdbool.h>
#include <stdint.h>

struct arena;
struct diags;
struct document;
struct node;

/* Servers in the pod's container order. */
enum srv { SRV_REGISTRY, SRV_ONLINE, SRV_OFFLINE, SRV_UI, SRV_COUNT };
extern const char *const srv_names[SRV_COUNT];

struct tls {
	bool on;
	const char *secret;     /* secretRef.name */
	const char *crt, *key;  /* key names in the Secret, defaulted */
	bool serving_cert;      /* OpenShift makes the Secret (spec_decode with openshift) */
};

struct server {
	bool on;
	const struct node *cfg; /* the ServerConfigs map */
	const char *image;      /* resolved */
	const char *log_level;  /* upper case, or NULL */
	bool metrics_flag;      /* server.metrics: true -> `--metrics` */
	struct tls tls;
	int port;               /* container port (http or https) */
};

/* Persistence of one store.  For DB stores the Secret key is merged into
 * feature_store.yaml at pod start (never read here). */
enum pkind { PERSIST_DEFAULT, PERSIST_FILE, PERSIST_STORE };

struct pvc {
	bool on;
	bool create;
	const char *ref;              /* pvc.ref.name */
	const char *mount;            /* pvc.mountPath */
	const struct node *create_cfg;
};

struct persist {
	enum pkind kind;
	const char *type;             /* file type (offline) or DB store type */
	const char *path;             /* file path as written, or NULL */
	const char *secret;           /* store.secretRef.name */
	const char *secret_key;       /* store.secretKeyName, defaulted to the type */
	const struct node *file;      /* the `file` map (registry cache settings, s3 kwargs) */
	const struct node *pos;       /* where it was written, for messages */
	struct pvc pvc;
};

enum projdir { PROJDIR_INIT, PROJDIR_GIT, PROJDIR_PACKAGED };
enum authz { AUTHZ_KUBERNETES, AUTHZ_OIDC, AUTHZ_NONE };
enum registry_kind { REGISTRY_DEFAULT, REGISTRY_LOCAL, REGISTRY_REMOTE };

struct fs {
	const struct document *doc;
	const struct node *root, *spec, *services;
	bool v1alpha1;
	const char *name;         /* metadata.name */
	const char *ns;           /* metadata.namespace, else -n, else NULL */
	const char *feast_name;   /* feast-<name> */
	const char *app_version;  /* Feast's: the servers' image tag if a label value, else NULL */
	const char *project;

	/* project directory */
	enum projdir projdir;
	const struct node *projdir_cfg;  /* the git / init / packaged map */
	const char *mount;        /* /feast-data, or the offline PVC's mountPath */
	const char *repo_dir;     /* where the servers run (workingDir) */
	const char *init_image;
	bool init_containers;     /* !disableInitContainers */
	bool run_apply;           /* runFeastApplyOnInit (default true) */

	struct server srv[SRV_COUNT];
	bool online_store;        /* not disabled */
	bool offline_store;       /* services.offlineStore written */
	struct persist online, offline, registry;
	enum registry_kind registry_kind;
	bool grpc, rest;          /* registry server protocols */
	int rest_port;
	const char *remote_host;  /* remote registry host:port */
	const char *ref_name, *ref_ns;   /* registry.remote.feastRef, namespace defaulted */
	const struct node *ref_node;
	const struct node *remote_tls;  /* registry.remote.tls */
	bool empty_dir;           /* some store lacks a PVC: mount feast-data */

	/* authorization */
	enum authz authz;
	const struct node *authz_cfg;    /* kubernetes or oidc map */

	/* scaling and HA */
	int64_t replicas;         /* spec.replicas, default 1 */
	const struct node *autoscaling;
	const struct node *pdb;
	bool scaling;             /* replicas > 1 or autoscaling (or KEDA above 1: keda_attach) */
	bool replicas_external;   /* an autoscaler (HPA or KEDA) owns the count: no spec.replicas */

	bool metrics_port;        /* expose 8000 on the online server */
	const struct node *cronjob;
};

/* Decode `doc`.  `dflt_ns` is the -n namespace, `image` the feature-server image; with
 * `openshift`, servers that set no `tls` get OpenShift's serving certificates. */
int spec_decode(struct arena *a, const struct document *doc, const char *dflt_ns,
		const char *image, bool openshift, struct fs *out, struct diags *d);

/* Host name of a Service of this store: `<svc>.<ns>.svc.cluster.local`, or the
 * bare Service name when the namespace is unknown (it then resolves within the
 * pod's own namespace). */
const char *fs_service_host(struct arena *a, const struct fs *fs, const char *svc);

#endif
