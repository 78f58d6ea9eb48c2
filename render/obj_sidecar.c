/* obj_sidecar.c -- the feast-sidecar in a store's pod: the native sidecar, feast-apply under the
 * registry lock, the shared volume, preStop and grace period, readiness gate, Role and RoleBinding
 * feast-<name>-sidecar. */
#include "arena.h"
#include "doc.h"
#include "keda.h"
#include "render_int.h"

#include <string.h>

#define GATE_CONDITION "feast.dev/registry-ready"
/* The `feast serve` CLI refreshes its registry every 60 s unless told otherwise (its
 * --registry_ttl_sec default; the 5 s of Feast's Python API does not reach the CLI). */
#define REGISTRY_TTL_DEFAULT 60

static bool wanted(const struct render_ctx *r, const struct store *st)
{
	switch (r->opts->sidecar) {
	case RENDER_SIDECAR_ALWAYS: return true;
	case RENDER_SIDECAR_NONE: return false;
	default: return st->fs.scaling;
	}
}

static int kube_minor(const struct render_ctx *r)
{
	return r->opts->kube_minor > 0 ? r->opts->kube_minor : RENDER_KUBE_MINOR;
}

/* Why the pod gets the sidecar, for the message when it cannot: the field that makes it scale. */
static const struct node *scaling_field(const struct store *st, const char **path)
{
	const struct fs *fs = &st->fs;
	if (st->keda && st->keda->spec) {
		*path = "spec.maxReplicaCount";
		const struct node *max = map_get(st->keda->spec, "maxReplicaCount");
		return max ? max : st->keda->spec;
	}
	*path = "spec.services.scaling.autoscaling";
	if (fs->autoscaling)
		return fs->autoscaling;
	*path = "spec.replicas";
	const struct node *n = map_get(fs->spec, "replicas");
	return n ? n : fs->root;
}

/* Below 1.29 there are no native sidecars: nothing could serve the lock to feast-apply. */
static bool refused(struct render_ctx *r, const struct store *st)
{
	if (kube_minor(r) >= RENDER_KUBE_MINOR)
		return false;
	const char *path = "metadata.name";
	const struct node *at = map_get(map_get(st->fs.root, "metadata"), "name");
	const char *why = "with --sidecar always, its pod gets";
	if (r->opts->sidecar == RENDER_SIDECAR_AUTO) {
		at = scaling_field(st, &path);
		why = "it scales, so its pod gets";
	}
	diag_error(r->d, &at->pos, path,
		   "FeatureStore '%s': %s the feast-sidecar registry lock, a native sidecar container that "
		   "needs Kubernetes 1.29 or newer, but --kube-version is 1.%d; pass --sidecar none to render "
		   "the pod without the lock", st->fs.name, why, kube_minor(r));
	r->errors++;
	return true;
}

/* The store whose Lease guards this store's registry: its own, or, for a registry that is
 * another store's (feastRef) in the same namespace, that store's, so both take turns.  A Role
 * cannot name a Lease in another namespace: across namespaces a store keeps its own. */
static const char *registry_owner(const struct fs *fs)
{
	bool same_ns = fs->ref_ns == fs->ns || (fs->ref_ns && fs->ns && !strcmp(fs->ref_ns, fs->ns));
	if (fs->registry_kind == REGISTRY_REMOTE && fs->ref_name && *fs->ref_name && same_ns)
		return fs->ref_name;
	return fs->name;
}

static const char *lease_name(struct render_ctx *r, const struct store *st)
{
	return arena_printf(r->a, "feast-%s-registry-lock", registry_owner(&st->fs));
}

void build_sidecar_rbac(struct render_ctx *r, struct store *st)
{
	if (!wanted(r, st) || refused(r, st))
		return;
	const char *name = arena_printf(r->a, "%s-sidecar", st->fs.feast_name);
	struct node *role = obj_new(r, st, T_ROLE, name, true, NULL, "sidecar");
	struct node *rules = tmpl_clone(r, T_RULES_SIDECAR);
	const char *lease = lease_name(r, st);
	map_set(r->a, rules->u.seq.v[0], "resourceNames", strs_node(r, &lease, 1));
	if (r->opts->readiness == RENDER_READINESS_GATE) {
		struct node *gate = tmpl_clone(r, T_RULES_SIDECAR_GATE);
		for (size_t i = 0; i < gate->u.seq.n; i++)
			seq_push(r->a, rules, gate->u.seq.v[i]);
	}
	map_set(r->a, role, "rules", rules);
	obj_emit(r, st, role);
	emit_role_binding(r, st, name, NULL, "sidecar", st->fs.feast_name);
}

/* ---- the sidecar container ---- */

static void health_targets(struct render_ctx *r, const struct fs *fs, struct node *args)
{
	static const enum srv order[] = { SRV_REGISTRY, SRV_ONLINE, SRV_OFFLINE, SRV_UI };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum srv s = order[i];
		const struct server *sv = &fs->srv[s];
		if (!sv->on)
			continue;
		if (s == SRV_ONLINE)
			seq_push(r->a, args, node_strf(r->a, "--health=%s://127.0.0.1:%d/health",
						       sv->tls.on ? "https" : "http", sv->port));
		else if (s != SRV_REGISTRY || fs->grpc)
			seq_push(r->a, args, node_strf(r->a, "--health=tcp://127.0.0.1:%d", sv->port));
		if (s == SRV_REGISTRY && fs->rest)
			seq_push(r->a, args, node_strf(r->a, "--health=tcp://127.0.0.1:%d", fs->rest_port));
	}
}

static struct node *sidecar_args(struct render_ctx *r, const struct store *st)
{
	const struct fs *fs = &st->fs;
	struct node *args = node_seq(r->a, NULL);
	if (registry_owner(fs) == fs->name)
		seq_push(r->a, args, node_strf(r->a, "--name=%s", fs->name));
	else
		seq_push(r->a, args, node_strf(r->a, "--lease=%s", lease_name(r, st)));
	/* The servers and feast-apply may run as other users than the sidecar; the
	 * volume is private to the pod. */
	seq_push(r->a, args, str_node(r, "--socket-mode=0666"));
	seq_push(r->a, args, str_node(r, r->opts->readiness == RENDER_READINESS_GATE ? "--readiness=gate"
										 : "--readiness=probe"));
	health_targets(r, fs, args);
	int64_t ttl = REGISTRY_TTL_DEFAULT;
	const struct node *t = fs->srv[SRV_ONLINE].on ? node_at(fs->srv[SRV_ONLINE].cfg, "workerConfigs.registryTTLSeconds")
						       : NULL;
	if (t)
		node_get_int(t, &ttl);
	seq_push(r->a, args, node_strf(r->a, "--registry-ttl=%llds", (long long)ttl));
	return args;
}

/* The default names no registry, so the kubelet asks Docker Hub, which has no such image:
 * a pod that uses it is noted here and warned about once the run succeeded
 * (render_documents). */
static void note_local_image(struct render_ctx *r)
{
	if (!r->opts->sidecar_image)
		r->warned[W_SIDECAR_IMAGE] = true;
}

static struct node *sidecar_container(struct render_ctx *r, const struct store *st)
{
	struct node *c = tmpl_clone(r, T_SIDECAR);
	note_local_image(r);
	map_set(r->a, c, "image", str_node(r, r->opts->sidecar_image ? r->opts->sidecar_image : RENDER_SIDECAR_IMAGE));
	map_set(r->a, c, "args", sidecar_args(r, st));
	return c;
}

/* ---- edits of the built pod ---- */

/* map[key] = val, placed before `before` (or after `after`) when the map has it, else last. */
static void put_near(struct render_ctx *r, struct node *map, const char *key, struct node *val, const char *before,
		     const char *after)
{
	for (size_t i = 0; i < map->u.map.n; i++) {
		if (before && !strcmp(map->u.map.v[i].key, before)) {
			map_insert(r->a, map, i, key, val);
			return;
		}
		if (after && !strcmp(map->u.map.v[i].key, after)) {
			map_insert(r->a, map, i + 1, key, val);
			return;
		}
	}
	map_set(r->a, map, key, val);
}

static void mount(struct render_ctx *r, struct node *container)
{
	struct node *m = node_map(r->a, NULL);
	const char *volume = node_str_or(node_at(r->tm.t[T_FRAG_SIDECAR_POD], "volume.name"), "");
	map_put(r->a, m, "name", str_node(r, volume));
	map_put(r->a, m, "mountPath", str_node(r, SIDECAR_DIR));
	map_put(r->a, m, "readOnly", node_bool(r->a, true));
	seq_push(r->a, map_child_seq(r->a, container, "volumeMounts"), m);
}

/* The sidecar first, so the lock is served before feast-apply runs. */
static void add_first_init(struct render_ctx *r, struct node *pod, struct node *c)
{
	struct node *old = map_get(pod, "initContainers"), *inits = node_seq(r->a, NULL);
	seq_push(r->a, inits, c);
	node_seq_each(old, o)
		seq_push(r->a, inits, o);
	if (old)
		map_set(r->a, pod, "initContainers", inits);
	else
		put_near(r, pod, "initContainers", inits, "containers", NULL);
}

static void lock_apply(struct render_ctx *r, struct node *pod)
{
	struct node *apply = seq_find_by(map_get(pod, "initContainers"), "name", "feast-apply");
	if (!apply)
		return;
	const char *cmd[] = { SIDECAR_LOCK, "lock", "-w", sidecar_lock_wait(r), "--", "feast", "apply" };
	map_set(r->a, apply, "command", strs_node(r, cmd, 7));
	mount(r, apply);
}

static struct node *pre_stop(struct render_ctx *r, int seconds)
{
	struct node *action = node_map(r->a, NULL), *hook = node_map(r->a, NULL), *lc = node_map(r->a, NULL);
	if (kube_minor(r) >= 30) {
		/* The sleep action (beta and on by default in 1.30): no sleep binary needed. */
		map_put(r->a, action, "seconds", int_node(r, seconds));
		map_put(r->a, hook, "sleep", action);
	} else {
		const char *cmd[] = { "sleep", arena_printf(r->a, "%d", seconds) };
		map_put(r->a, action, "command", strs_node(r, cmd, 2));
		map_put(r->a, hook, "exec", action);
	}
	map_put(r->a, lc, "preStop", hook);
	return lc;
}

/* The fragment's integer at `path` (templates/fragments/sidecar-pod.yaml). */
static int policy_int(const struct render_ctx *r, const char *path)
{
	int64_t v = 0;
	node_get_int(node_at(r->tm.t[T_FRAG_SIDECAR_POD], path), &v);
	return (int)v;
}

const char *sidecar_lock_wait(struct render_ctx *r)
{
	return arena_printf(r->a, "%d", policy_int(r, "lockWaitSeconds"));
}

/* Servers: the lock client at hand (the CronJob's commands run in them), and a preStop
 * sleep so the endpoints drop a terminating pod before its server stops. */
static int edit_servers(struct render_ctx *r, struct node *pod)
{
	int prestop = r->opts->prestop_seconds == 0 ? policy_int(r, "preStopSeconds") : r->opts->prestop_seconds;
	if (prestop < 0)
		prestop = 0;
	struct node *list = map_get(pod, "containers");
	node_seq_each(list, c) {
		mount(r, c);
		if (prestop)
			map_set(r->a, c, "lifecycle", pre_stop(r, prestop));
	}
	return prestop;
}

/* The pod's grace: the preStop sleep, then each step of the fragment's terminationGrace. */
static int grace_seconds(const struct render_ctx *r, int prestop)
{
	const struct node *steps = map_get(r->tm.t[T_FRAG_SIDECAR_POD], "terminationGrace");
	int grace = prestop;
	node_map_each(steps, step) {
		int64_t s = 0;
		node_get_int(step->val, &s);
		grace += (int)s;
	}
	return grace;
}

static void add_volume(struct render_ctx *r, struct node *pod)
{
	struct node *v = tmpl_clone_part(r, T_FRAG_SIDECAR_POD, "volume");
	struct node *vols = map_get(pod, "volumes");
	if (!vols) {
		vols = node_seq(r->a, NULL);
		put_near(r, pod, "volumes", vols, NULL, "containers");
	}
	seq_push(r->a, vols, v);
}

void inject_sidecar(struct render_ctx *r, struct store *st)
{
	if (!wanted(r, st) || kube_minor(r) < RENDER_KUBE_MINOR || !st->pod)
		return;
	struct node *pod = st->pod;
	st->sidecar = true;
	add_first_init(r, pod, sidecar_container(r, st));
	lock_apply(r, pod);
	int prestop = edit_servers(r, pod);
	add_volume(r, pod);
	put_near(r, pod, "terminationGracePeriodSeconds", int_node(r, grace_seconds(r, prestop)), NULL,
		 "serviceAccountName");
	if (r->opts->readiness == RENDER_READINESS_GATE) {
		struct node *gate = node_map(r->a, NULL), *gates = node_seq(r->a, NULL);
		map_put(r->a, gate, "conditionType", str_node(r, GATE_CONDITION));
		seq_push(r->a, gates, gate);
		put_near(r, pod, "readinessGates", gates, NULL, "terminationGracePeriodSeconds");
	}
}
