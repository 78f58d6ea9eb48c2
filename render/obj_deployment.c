/* obj_deployment.c -- Deployment feast-<name>: the pod, its volumes, scheduling and HA. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

#include <string.h>

static void add_mount_sub(struct render_ctx *r, struct node *c, const char *name, const char *path,
			  bool ro, const char *sub_path)
{
	struct node *m = node_map(r->a, NULL);
	map_put(r->a, m, "name", str_node(r, name));
	map_put(r->a, m, "mountPath", str_node(r, path));
	if (ro)
		map_put(r->a, m, "readOnly", node_bool(r->a, true));
	if (sub_path)
		map_put(r->a, m, "subPath", str_node(r, sub_path));
	seq_push(r->a, map_child_seq(r->a, c, "volumeMounts"), m);
}

static void add_mount(struct render_ctx *r, struct node *c, const char *name, const char *path, bool ro)
{
	add_mount_sub(r, c, name, path, ro, NULL);
}

/* The operator appends to the servers first, then to every init container; each
 * container's list gets the same entry, so the order of the two loops is moot. */
static void mount_all_sub(struct render_ctx *r, struct node *pod, bool inits, const char *name,
			  const char *path, bool ro, const char *sub_path)
{
	struct node *lists[2] = { inits ? map_get(pod, "initContainers") : NULL, map_get(pod, "containers") };
	for (int l = 0; l < 2; l++)
		node_seq_each(lists[l], c)
			add_mount_sub(r, c, name, path, ro, sub_path);
}

static void mount_all(struct render_ctx *r, struct node *pod, bool inits, const char *name,
		      const char *path, bool ro)
{
	mount_all_sub(r, pod, inits, name, path, ro, NULL);
}

static struct node *find_container(struct node *pod, const char *list, const char *name)
{
	return seq_find_by(map_get(pod, list), "name", name);
}

static void add_volume(struct render_ctx *r, struct node *pod, const char *name, const char *kind,
		       struct node *source)
{
	struct node *v = node_map(r->a, NULL);
	map_put(r->a, v, "name", str_node(r, name));
	map_put(r->a, v, kind, source);
	seq_push(r->a, map_child_seq(r->a, pod, "volumes"), v);
}

static struct node *named_source(struct render_ctx *r, const char *key, const char *value)
{
	struct node *s = node_map(r->a, NULL);
	map_put(r->a, s, key, str_node(r, value));
	return s;
}

/* The OIDC provider's CA as the one file auth.ca_cert_path names (repo_config.c), in
 * every container: the operator's tls.go mountOidcCACert. */
static void mount_oidc_ca(struct render_ctx *r, const struct fs *fs, struct node *pod)
{
	const struct node *ca = fs->authz == AUTHZ_OIDC ? map_get(fs->authz_cfg, "caCertConfigMap") : NULL;
	if (!ca)
		return;
	const char *key = node_str_or(map_get(ca, "key"), "");
	add_volume(r, pod, "oidc-ca-cert", "configMap",
		   named_source(r, "name", node_str_or(map_get(ca, "name"), "")));
	mount_all_sub(r, pod, true, "oidc-ca-cert", OIDC_CA_CERT_PATH, true, *key ? key : "ca-bundle.crt");
}

/* The operator's tls.go mountTlsConfigs: TLS Secrets at /tls/<type>/ in their own
 * container and in every init container (feast-apply talks to the registry), a remote
 * registry's CA in all containers, then the OIDC CA. */
static void mount_tls(struct render_ctx *r, const struct store *st, struct node *pod)
{
	static const enum srv order[] = { SRV_REGISTRY, SRV_OFFLINE, SRV_ONLINE, SRV_UI };
	const struct fs *fs = &st->fs;
	const char *remote_cm = node_str_or(node_at(fs->remote_tls, "configMapRef.name"), NULL);
	if (fs->registry_kind == REGISTRY_REMOTE && remote_cm) {
		add_volume(r, pod, "registry-tls", "configMap", named_source(r, "name", remote_cm));
		mount_all(r, pod, true, "registry-tls", "/tls/registry/", true);
	}
	struct node *inits = map_get(pod, "initContainers");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct server *sv = &fs->srv[order[i]];
		if (!sv->on || !sv->tls.on)
			continue;
		const char *vol = arena_printf(r->a, "%s-tls", srv_names[order[i]]);
		const char *path = arena_printf(r->a, "/tls/%s/", srv_names[order[i]]);
		add_volume(r, pod, vol, "secret", named_source(r, "secretName", sv->tls.secret));
		add_mount(r, find_container(pod, "containers", srv_names[order[i]]), vol, path, true);
		node_seq_each(inits, c)
			add_mount(r, c, vol, path, true);
	}
	mount_oidc_ca(r, fs, pod);
}

/* PVCs (registry, offline, online, as the operator orders them), then feast-data. */
static void mount_data(struct render_ctx *r, const struct store *st, struct node *pod)
{
	const struct persist *p[] = { &st->fs.registry, &st->fs.offline, &st->fs.online };
	const enum srv s[] = { SRV_REGISTRY, SRV_OFFLINE, SRV_ONLINE };
	for (int i = 0; i < 3; i++) {
		if (!p[i]->pvc.on)
			continue;
		const char *vol = arena_printf(r->a, "%s-%s", st->fs.feast_name, srv_names[s[i]]);
		const char *claim = p[i]->pvc.ref && *p[i]->pvc.ref ? p[i]->pvc.ref : vol;
		add_volume(r, pod, vol, "persistentVolumeClaim", named_source(r, "claimName", claim));
		mount_all(r, pod, true, vol, p[i]->pvc.mount, false);
	}
	if (st->fs.empty_dir) {
		add_volume(r, pod, "feast-data", "emptyDir", node_map(r->a, NULL));
		mount_all(r, pod, true, "feast-data", "/feast-data", false);
	}
}

static struct node *key_items(struct render_ctx *r, const char *const *keys, int n)
{
	struct node *items = node_seq(r->a, NULL);
	for (int i = 0; i < n; i++) {
		struct node *it = node_map(r->a, NULL);
		map_put(r->a, it, "key", str_node(r, keys[i]));
		map_put(r->a, it, "path", str_node(r, keys[i]));
		seq_push(r->a, items, it);
	}
	return items;
}

/* What the plugin adds to the operator's pod: the merge inputs and their mounts. */
static void mount_extras(struct render_ctx *r, const struct store *st, struct node *pod)
{
	const struct fs *fs = &st->fs;
	if (!fs->init_containers && st->nops) {
		add_volume(r, pod, "feast-config", "emptyDir", named_source(r, "medium", "Memory"));
		add_mount(r, find_container(pod, "initContainers", "feast-config"), "feast-config",
			  FEAST_CONFIG_DIR, false);
		mount_all(r, pod, false, "feast-config", FEAST_CONFIG_DIR, true);
	}
	struct node *merger = find_container(pod, "initContainers",
					     fs->init_containers ? "feast-init" : "feast-config");
	if (merger && st->nops) {
		add_volume(r, pod, MERGE_SCRIPT_VOLUME, "configMap", named_source(r, "name", r->tm.merge_cm));
		add_mount(r, merger, MERGE_SCRIPT_VOLUME, MERGE_SCRIPT_DIR, true);
	}
	for (int i = 0; merger && i < st->nsources; i++) {
		const struct mount_source *src = &st->sources[i];
		struct node *v = named_source(r, src->configmap ? "name" : "secretName", src->object);
		if (src->nkeys)
			map_put(r->a, v, "items", key_items(r, src->keys, src->nkeys));
		if (src->optional)
			map_put(r->a, v, "optional", node_bool(r->a, true));
		add_volume(r, pod, src->volume, src->configmap ? "configMap" : "secret", v);
		add_mount(r, merger, src->volume, arena_printf(r->a, "%s/%s", MERGE_DIR, src->volume), true);
	}
}

/* Pod nodeSelector, then each server's (registry, offline, online, ui); later keys win. */
static void node_selector(struct render_ctx *r, const struct fs *fs, struct node *pod)
{
	static const enum srv order[] = { SRV_REGISTRY, SRV_OFFLINE, SRV_ONLINE, SRV_UI };
	struct node *sel = node_map(r->a, NULL);
	const struct node *maps[1 + SRV_COUNT] = { map_get(fs->services, "nodeSelector") };
	for (int i = 0; i < SRV_COUNT; i++)
		maps[1 + i] = fs->srv[order[i]].on ? map_get(fs->srv[order[i]].cfg, "nodeSelector") : NULL;
	for (int m = 0; m < 1 + SRV_COUNT; m++)
		node_map_each(maps[m], p)
			if (!node_is_null(p->val))
				map_set(r->a, sel, p->key, user_copy(r, p->val));
	if (sel->u.map.n)
		map_set(r->a, pod, "nodeSelector", sel);
}

/* The store's pod selector into every `matchLabels: ~` of an HA fragment, so a fragment
 * may gain terms (a second spread, a required term) without a change here. */
static void fill_selectors(struct render_ctx *r, const struct fs *fs, struct node *n)
{
	node_map_each(n, p) {
		if (!strcmp(p->key, "matchLabels") && node_is_null(p->val))
			p->val = selector_new(r, fs);
		else
			fill_selectors(r, fs, p->val);
	}
	node_seq_each(n, item)
		fill_selectors(r, fs, item);
}

/* An HA default (templates/fragments/) for this store's pods. */
static struct node *ha_fragment(struct render_ctx *r, const struct fs *fs, enum tmpl_id id)
{
	struct node *n = tmpl_clone(r, id);
	fill_selectors(r, fs, n);
	return n;
}

/* User settings win as given (no merge; `[]` disables the spread); the defaults are
 * injected only when the store scales. */
static void scheduling(struct render_ctx *r, const struct fs *fs, struct node *pod)
{
	node_selector(r, fs, pod);
	set_user(r, pod, "tolerations", map_get(fs->services, "tolerations"));
	const struct node *affinity = map_get(fs->services, "affinity");
	if (affinity && !node_is_null(affinity))
		set_user(r, pod, "affinity", affinity);
	else if (fs->scaling)
		map_set(r->a, pod, "affinity", ha_fragment(r, fs, T_FRAG_ANTI_AFFINITY));
	const struct node *tsc = map_get(fs->services, "topologySpreadConstraints");
	if (tsc && !node_is_null(tsc))
		set_user(r, pod, "topologySpreadConstraints", tsc);
	else if (fs->scaling)
		map_set(r->a, pod, "topologySpreadConstraints", ha_fragment(r, fs, T_FRAG_ZONE_SPREAD));
	set_user(r, pod, "resourceClaims", map_get(fs->services, "resourceClaims"));
}

static void containers(struct render_ctx *r, const struct store *st, struct node *pod)
{
	struct node *list = node_seq(r->a, NULL);
	for (int s = 0; s < SRV_COUNT; s++)
		if (st->fs.srv[s].on)
			seq_push(r->a, list, server_container(r, st, (enum srv)s));
	/* A protected project tags itself in a shared registry. */
	const struct node *ann = node_at(st->fs.root, "metadata.annotations");
	if (!strcmp(node_str_or(map_get(ann, "feast.dev/protected-project"), ""), "true"))
		for (size_t i = 0; i < list->u.seq.n; i++)
			seq_push(r->a, map_child_seq(r->a, list->u.seq.v[i], "env"),
				 env_var(r, "FEAST_PROTECTED_PROJECT", "true"));
	map_set(r->a, pod, "containers", list);
}

static struct node *strategy(struct render_ctx *r, const struct fs *fs)
{
	const struct node *user = map_get(fs->services, "deploymentStrategy");
	if (user && !node_is_null(user))
		return user_copy(r, user);
	return tmpl_clone_part(r, T_FRAG_STRATEGY, fs->scaling ? "scaling" : "single");
}

void build_deployment(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	struct node *dep = obj_new(r, st, T_DEPLOYMENT, fs->feast_name, true, NULL, "feature-server");
	/* The plugin's version, outside the pod template: an upgrade changes no pod. */
	struct node *ann = node_map(r->a, NULL);
	map_put(r->a, ann, RENDER_BY_ANNOTATION, str_node(r, "kubectl-feast/" FEAST_VERSION));
	map_set(r->a, map_get(dep, "metadata"), "annotations", ann);
	struct node *spec = map_get(dep, "spec");
	/* With an autoscaler the count is its business: no replicas for GitOps to fight over. */
	if (!fs->replicas_external)
		map_set(r->a, spec, "replicas", int_node(r, fs->replicas));
	map_set(r->a, map_get(spec, "selector"), "matchLabels", selector_new(r, fs));
	map_set(r->a, spec, "strategy", strategy(r, fs));
	struct node *tmpl = map_get(spec, "template");
	struct node *meta = map_get(tmpl, "metadata");
	map_set(r->a, meta, "labels", labels_new(r, fs, NULL, "feature-server"));
	set_user(r, meta, "annotations", map_get(fs->services, "podAnnotations"));
	struct node *pod = map_get(tmpl, "spec");
	map_set(r->a, pod, "serviceAccountName", str_node(r, fs->feast_name));
	set_user(r, pod, "securityContext", map_get(fs->services, "securityContext"));
	add_init_containers(r, st, pod);
	containers(r, st, pod);
	mount_tls(r, st, pod);
	mount_data(r, st, pod);
	const struct node *volumes = map_get(fs->services, "volumes");
	node_seq_each(volumes, v)
		seq_push(r->a, map_child_seq(r->a, pod, "volumes"), user_copy(r, v));
	mount_extras(r, st, pod);
	scheduling(r, fs, pod);
	st->deployment = dep;
	st->pod = pod;
	if (st->shards > 1 && fs->cronjob)
		st->shard_pod = user_copy(r, pod);
	obj_emit(r, st, dep);
}
