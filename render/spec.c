/* spec.c -- decode a FeatureStore into the typed view the builders read (render/spec.h). */
#include "spec.h"
#include "arena.h"
#include "doc.h"
#include "yaml_in.h"

#include <ctype.h>
#include <string.h>

const char *const srv_names[SRV_COUNT] = { "registry", "online", "offline", "ui" };

/* Container ports: plain and TLS. */
static const int srv_ports[SRV_COUNT][2] = {
	{ 6570, 6571 }, { 6566, 6567 }, { 8815, 8816 }, { 8888, 8443 },
};

#define EPHEMERAL_PATH "/feast-data"

struct dec {
	struct arena *a;
	struct diags *d;
	int errors;
};

static void type_error(struct dec *x, const struct node *n, const char *path, const char *want)
{
	diag_error(x->d, &n->pos, path, "must be %s, not %s", want, node_type_name(n));
	x->errors++;
}

/* The node under `key` when it is of `kind`; NULL when absent or null, and NULL with a type
 * error (`want`) when it is of another kind. */
static const struct node *get_kind(struct dec *x, const struct node *parent, const char *key, const char *path,
				   enum node_kind kind, const char *want)
{
	const struct node *n = map_get(parent, key);
	if (!n || node_is_null(n))
		return NULL;
	if (n->kind != kind) {
		type_error(x, n, path, want);
		return NULL;
	}
	return n;
}

static const struct node *get_map(struct dec *x, const struct node *parent, const char *key,
				  const char *path)
{
	return get_kind(x, parent, key, path, NODE_MAP, "an object");
}

static const struct node *get_seq(struct dec *x, const struct node *parent, const char *key,
				  const char *path)
{
	return get_kind(x, parent, key, path, NODE_SEQ, "an array");
}

static const char *get_str(struct dec *x, const struct node *parent, const char *key,
			   const char *path)
{
	const struct node *n = map_get(parent, key);
	const char *s = NULL;
	if (!n || node_is_null(n))
		return NULL;
	if (!node_get_str(n, &s)) {
		type_error(x, n, path, "a string");
		return NULL;
	}
	return s;
}

static bool get_bool(struct dec *x, const struct node *parent, const char *key, const char *path,
		     bool dflt)
{
	const struct node *n = map_get(parent, key);
	bool b = dflt;
	if (n && !node_is_null(n) && !node_get_bool(n, &b))
		type_error(x, n, path, "a boolean");
	return b;
}

static int64_t get_int(struct dec *x, const struct node *parent, const char *key, const char *path,
		       int64_t dflt)
{
	const struct node *n = map_get(parent, key);
	int64_t v = dflt;
	if (n && !node_is_null(n) && !node_get_int(n, &v))
		type_error(x, n, path, "an integer");
	return v;
}

/* `path.key`, for messages. */
static const char *sub(struct dec *x, const char *path, const char *key)
{
	return arena_printf(x->a, "%s.%s", path, key);
}

static const char *upper(struct arena *a, const char *s)
{
	char *u = arena_strdup(a, s);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* ServerConfigs: image, log level, metrics flag, TLS. */
static void decode_server(struct dec *x, struct fs *fs, enum srv s, const struct node *cfg,
			  const char *path, const char *image)
{
	struct server *sv = &fs->srv[s];
	const char *p;
	sv->on = true;
	sv->cfg = cfg;
	p = sub(x, path, "image");
	sv->image = get_str(x, cfg, "image", p);
	if (!sv->image)
		sv->image = image;
	p = sub(x, path, "logLevel");
	const char *level = get_str(x, cfg, "logLevel", p);
	sv->log_level = level ? upper(x->a, level) : NULL;
	p = sub(x, path, "metrics");
	sv->metrics_flag = get_bool(x, cfg, "metrics", p, false);

	p = sub(x, path, "tls");
	const struct node *tls = get_map(x, cfg, "tls", p);
	bool disabled = get_bool(x, tls, "disable", p, false);
	const char *secret = get_str(x, map_get(tls, "secretRef"), "name", p);
	sv->tls.on = tls && !disabled && secret && *secret;
	sv->tls.secret = secret;
	const struct node *names = map_get(tls, "secretKeyNames");
	sv->tls.crt = get_str(x, names, "tlsCrt", p);
	sv->tls.key = get_str(x, names, "tlsKey", p);
	if (!sv->tls.crt || !*sv->tls.crt)
		sv->tls.crt = "tls.crt";
	if (!sv->tls.key || !*sv->tls.key)
		sv->tls.key = "tls.key";
	sv->port = srv_ports[s][sv->tls.on];
}

static void decode_pvc(struct dec *x, const struct node *file, const char *path, struct pvc *out)
{
	const char *p;
	p = sub(x, path, "pvc");
	const struct node *pvc = get_map(x, file, "pvc", p);
	if (!pvc)
		return;
	out->on = true;
	out->mount = get_str(x, pvc, "mountPath", p);
	out->ref = get_str(x, map_get(pvc, "ref"), "name", p);
	out->create_cfg = get_map(x, pvc, "create", p);
	out->create = out->create_cfg != NULL;
	if (!out->mount) {
		diag_error(x->d, &pvc->pos, p, "mountPath: Required value");
		x->errors++;
	}
}

/* One store's `persistence`: file (optionally on a PVC) or a DB store. */
static void decode_persist(struct dec *x, const struct node *persistence, const char *path,
			   struct persist *out)
{
	const char *p;
	const struct node *file, *store;
	out->pos = persistence;
	p = sub(x, path, "file");
	file = get_map(x, persistence, "file", p);
	p = sub(x, path, "store");
	store = get_map(x, persistence, "store", p);
	if (store) {
		out->kind = PERSIST_STORE;
		out->type = get_str(x, store, "type", p);
		out->secret = get_str(x, map_get(store, "secretRef"), "name", p);
		out->secret_key = get_str(x, store, "secretKeyName", p);
		if (!out->type || !out->secret || !*out->secret) {
			diag_error(x->d, &store->pos, p, "type and secretRef.name are required");
			x->errors++;
			return;
		}
		if (!out->secret_key || !*out->secret_key)
			out->secret_key = out->type;
	} else if (file) {
		out->kind = PERSIST_FILE;
		p = sub(x, path, "file");
		out->file = file;
		out->type = get_str(x, file, "type", p);
		out->path = get_str(x, file, "path", p);
		decode_pvc(x, file, p, &out->pvc);
	}
}

static void decode_registry(struct dec *x, struct fs *fs, const char *image)
{
	const char *base = "spec.services.registry";
	const struct node *reg = get_map(x, fs->services, "registry", base);
	if (!reg) {
		fs->registry_kind = REGISTRY_DEFAULT;
		return;
	}
	const struct node *remote = get_map(x, reg, "remote", "spec.services.registry.remote");
	if (remote) {
		fs->registry_kind = REGISTRY_REMOTE;
		fs->remote_tls = get_map(x, remote, "tls", "spec.services.registry.remote.tls");
		const char *host = get_str(x, remote, "hostname", "spec.services.registry.remote.hostname");
		const struct node *ref = get_map(x, remote, "feastRef", "spec.services.registry.remote.feastRef");
		if (host) {
			fs->remote_host = host;
		} else if (ref) {
			const char *name = get_str(x, ref, "name", "spec.services.registry.remote.feastRef.name");
			const char *ns = get_str(x, ref, "namespace",
						 "spec.services.registry.remote.feastRef.namespace");
			if (!ns || !*ns)
				ns = fs->ns;
			fs->ref_name = name;
			fs->ref_ns = ns;
			fs->ref_node = ref;
			const char *svc = arena_printf(x->a, "feast-%s-registry", name ? name : "");
			fs->remote_host = ns ? arena_printf(x->a, "%s.%s.svc.cluster.local:80", svc, ns)
					     : arena_printf(x->a, "%s:80", svc);
		}
		return;
	}
	fs->registry_kind = REGISTRY_LOCAL;
	const struct node *local = get_map(x, reg, "local", "spec.services.registry.local");
	decode_persist(x, get_map(x, local, "persistence", "spec.services.registry.local.persistence"),
		       "spec.services.registry.local.persistence", &fs->registry);
	const char *sp = "spec.services.registry.local.server";
	const struct node *server = get_map(x, local, "server", sp);
	if (!server)
		return;
	decode_server(x, fs, SRV_REGISTRY, server, sp, image);
	fs->grpc = get_bool(x, server, "grpc", sp, true);
	fs->rest = get_bool(x, server, "restAPI", sp, false);
	fs->rest_port = fs->srv[SRV_REGISTRY].tls.on ? 6573 : 6572;
	if (!fs->grpc && !fs->rest) {
		diag_error(x->d, &server->pos, sp, "At least one of restAPI or grpc must be true");
		x->errors++;
	}
}

static void decode_stores(struct dec *x, struct fs *fs, const char *image)
{
	const char *op = "spec.services.onlineStore";
	const struct node *online = get_map(x, fs->services, "onlineStore", op);
	fs->online_store = !get_bool(x, online, "disabled", op, false);
	decode_persist(x, get_map(x, online, "persistence", "spec.services.onlineStore.persistence"),
		       "spec.services.onlineStore.persistence", &fs->online);
	if (fs->online_store) {
		/* The operator always runs an online server unless the store is disabled. */
		const struct node *server = get_map(x, online, "server", "spec.services.onlineStore.server");
		decode_server(x, fs, SRV_ONLINE, server, "spec.services.onlineStore.server", image);
		const struct node *serving = map_get(online, "serving");
		fs->metrics_port = fs->srv[SRV_ONLINE].metrics_flag ||
				   node_is_true(node_at(serving, "metrics.enabled"));
	}

	const char *fp = "spec.services.offlineStore";
	const struct node *offline = get_map(x, fs->services, "offlineStore", fp);
	fs->offline_store = offline != NULL;
	decode_persist(x, get_map(x, offline, "persistence", "spec.services.offlineStore.persistence"),
		       "spec.services.offlineStore.persistence", &fs->offline);
	const struct node *oserver = get_map(x, offline, "server", "spec.services.offlineStore.server");
	if (oserver)
		decode_server(x, fs, SRV_OFFLINE, oserver, "spec.services.offlineStore.server", image);

	const struct node *ui = get_map(x, fs->services, "ui", "spec.services.ui");
	if (ui)
		decode_server(x, fs, SRV_UI, ui, "spec.services.ui", image);
	decode_registry(x, fs, image);
}

static void decode_projdir(struct dec *x, struct fs *fs)
{
	const struct node *dir = get_map(x, fs->spec, "feastProjectDir", "spec.feastProjectDir");
	const struct node *git = get_map(x, dir, "git", "spec.feastProjectDir.git");
	const struct node *packaged = get_map(x, dir, "packaged", "spec.feastProjectDir.packaged");
	fs->projdir = PROJDIR_INIT;
	fs->projdir_cfg = get_map(x, dir, "init", "spec.feastProjectDir.init");
	if (git) {
		fs->projdir = PROJDIR_GIT;
		fs->projdir_cfg = git;
	} else if (packaged) {
		fs->projdir = PROJDIR_PACKAGED;
		fs->projdir_cfg = packaged;
	}
}

/* Where the repository lives; needs the offline store's PVC, so runs after the stores. */
static void decode_paths(struct dec *x, struct fs *fs)
{
	fs->mount = fs->offline.pvc.on ? fs->offline.pvc.mount : EPHEMERAL_PATH;
	const char *repo_path = "feature_repo";
	if (fs->projdir == PROJDIR_GIT) {
		const char *git_path = get_str(x, fs->projdir_cfg, "featureRepoPath",
					       "spec.feastProjectDir.git.featureRepoPath");
		if (git_path && *git_path)
			repo_path = git_path;
	}
	const char *packaged_path = NULL;
	if (fs->projdir == PROJDIR_PACKAGED)
		packaged_path = get_str(x, fs->projdir_cfg, "featureRepoPath",
					"spec.feastProjectDir.packaged.featureRepoPath");
	if (packaged_path && !fs->init_containers)
		fs->repo_dir = packaged_path;
	else
		fs->repo_dir = arena_printf(x->a, "%s/%s/%s", fs->mount, fs->project, repo_path);
}

static void decode_authz(struct dec *x, struct fs *fs)
{
	const struct node *authz = get_map(x, fs->spec, "authz", "spec.authz");
	const struct node *k8s = get_map(x, authz, "kubernetes", "spec.authz.kubernetes");
	const struct node *oidc = get_map(x, authz, "oidc", "spec.authz.oidc");
	/* No authz at all means Kubernetes authorization, as the operator defaults it. */
	if (oidc) {
		fs->authz = AUTHZ_OIDC;
		fs->authz_cfg = oidc;
	} else if (k8s || !authz) {
		fs->authz = AUTHZ_KUBERNETES;
		fs->authz_cfg = k8s;
		get_seq(x, k8s, "roles", "spec.authz.kubernetes.roles");
	} else {
		fs->authz = AUTHZ_NONE;
	}
}

static void decode_scaling(struct dec *x, struct fs *fs)
{
	fs->replicas = get_int(x, fs->spec, "replicas", "spec.replicas", 1);
	const struct node *scaling = get_map(x, fs->services, "scaling", "spec.services.scaling");
	fs->autoscaling = get_map(x, scaling, "autoscaling", "spec.services.scaling.autoscaling");
	fs->pdb = get_map(x, fs->services, "podDisruptionBudgets", "spec.services.podDisruptionBudgets");
	/* The decisions every HA injection depends on (the operator's isScalingEnabled). */
	fs->scaling = fs->replicas > 1 || fs->autoscaling;
	fs->replicas_external = fs->autoscaling != NULL;
	if (fs->autoscaling && !map_get(fs->autoscaling, "maxReplicas")) {
		diag_error(x->d, &fs->autoscaling->pos, "spec.services.scaling.autoscaling.maxReplicas",
			   "Required value");
		x->errors++;
	}
}

static void decode_images(struct dec *x, struct fs *fs, const char *image, const char **server_image)
{
	const char *packaged_image = NULL;
	if (fs->projdir == PROJDIR_PACKAGED)
		packaged_image = get_str(x, fs->projdir_cfg, "image", "spec.feastProjectDir.packaged.image");
	/* A packaged repository ships in its own image, which then serves too. */
	*server_image = packaged_image && *packaged_image ? packaged_image : image;
	fs->init_image = get_str(x, fs->services, "initImage", "spec.services.initImage");
	if (!fs->init_image || !*fs->init_image)
		fs->init_image = *server_image;
}

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.';
}

static bool label_alnum(char c)
{
	return label_char(c) && c != '-' && c != '_' && c != '.';
}

/* The tag of `image` when it can be a label value (the app's version, as the recommended
 * labels define it); NULL for an image named by digest only, or a tag a label refuses. */
static const char *image_version(struct arena *a, const char *image)
{
	const char *slash = image ? strrchr(image, '/') : NULL;
	const char *name = slash ? slash + 1 : image;
	const char *colon = name ? memchr(name, ':', strcspn(name, "@")) : NULL;
	if (!colon)
		return NULL;
	size_t n = strcspn(colon + 1, "@");
	if (!n || n > 63 || !label_alnum(colon[1]) || !label_alnum(colon[n]))
		return NULL;
	for (size_t i = 1; i <= n; i++)
		if (!label_char(colon[i]))
			return NULL;
	return arena_strndup(a, colon + 1, n);
}

/* The first enabled server's image, in the operator's container order. */
static void decode_app_version(struct arena *a, struct fs *fs)
{
	static const enum srv order[] = { SRV_REGISTRY, SRV_ONLINE, SRV_OFFLINE, SRV_UI };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (fs->srv[order[i]].on) {
			fs->app_version = image_version(a, fs->srv[order[i]].image);
			return;
		}
}

static int decode_meta(struct dec *x, const struct document *doc, const char *dflt_ns, struct fs *fs)
{
	const struct node *meta = get_map(x, doc->root, "metadata", "metadata");
	fs->name = get_str(x, meta, "name", "metadata.name");
	const char *ns = get_str(x, meta, "namespace", "metadata.namespace");
	fs->ns = ns && *ns ? ns : dflt_ns;
	fs->project = get_str(x, fs->spec, "feastProject", "spec.feastProject");
	if (!fs->name || !fs->project) {
		diag_error(x->d, &doc->root->pos, fs->name ? "spec.feastProject" : "metadata.name",
			   "Required value");
		return -1;
	}
	fs->feast_name = arena_printf(x->a, "feast-%s", fs->name);
	return 0;
}

/* The operator's tls.go setOpenshiftTls: on OpenShift a server whose spec has no `tls` serves
 * with the certificate the service CA writes into Secret <its Service>-tls; a registry with
 * both protocols uses the gRPC Service's. */
static void openshift_tls(struct arena *a, struct fs *fs)
{
	for (int s = 0; s < SRV_COUNT; s++) {
		struct server *sv = &fs->srv[s];
		if (!sv->on || map_get(sv->cfg, "tls"))
			continue;
		const char *svc = arena_printf(a, "%s-%s%s", fs->feast_name, srv_names[s],
					       s == SRV_REGISTRY && !fs->grpc ? "-rest" : "");
		sv->tls = (struct tls){ true, arena_printf(a, "%s-tls", svc), "tls.crt", "tls.key", true };
		sv->port = srv_ports[s][1];
		if (s == SRV_REGISTRY)
			fs->rest_port = 6573;
	}
}

int spec_decode(struct arena *a, const struct document *doc, const char *dflt_ns, const char *image,
		bool openshift, struct fs *fs, struct diags *d)
{
	struct dec x = { a, d, 0 };
	const char *server_image;
	memset(fs, 0, sizeof(*fs));
	fs->doc = doc;
	fs->root = doc->root;
	fs->v1alpha1 = strcmp(node_str_or(map_get(doc->root, "apiVersion"), ""), "feast.dev/v1alpha1") == 0;
	fs->spec = get_map(&x, doc->root, "spec", "spec");
	if (decode_meta(&x, doc, dflt_ns, fs) < 0)
		return -1;
	fs->services = get_map(&x, fs->spec, "services", "spec.services");
	fs->init_containers = !get_bool(&x, fs->services, "disableInitContainers",
					"spec.services.disableInitContainers", false);
	fs->run_apply = get_bool(&x, fs->services, "runFeastApplyOnInit",
				 "spec.services.runFeastApplyOnInit", true);

	/* Images depend on the project dir kind, the paths on the stores. */
	decode_projdir(&x, fs);
	decode_images(&x, fs, image, &server_image);
	decode_stores(&x, fs, server_image);
	if (openshift)
		openshift_tls(a, fs);
	decode_app_version(a, fs);
	decode_paths(&x, fs);
	fs->empty_dir = !fs->online.pvc.on || !fs->offline.pvc.on || !fs->registry.pvc.on;
	decode_authz(&x, fs);
	decode_scaling(&x, fs);
	fs->cronjob = get_map(&x, fs->spec, "cronJob", "spec.cronJob");

	if (!fs->srv[SRV_REGISTRY].on && !fs->srv[SRV_ONLINE].on && !fs->srv[SRV_OFFLINE].on) {
		diag_error(d, &(fs->services ? fs->services : doc->root)->pos, "spec.services",
			   "at least one local server must be configured. e.g. registry / online / offline");
		x.errors++;
	}
	return x.errors ? -1 : 0;
}

const char *fs_service_host(struct arena *a, const struct fs *fs, const char *svc)
{
	if (!fs->ns)
		return svc;
	return arena_printf(a, "%s.%s.svc.cluster.local", svc, fs->ns);
}
