/* obj_shards.c -- a sharded materialization CronJob: its Job as an Indexed Job whose pods are
 * the store's pod with one container that materializes the shard's feature views. */
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "render_int.h"
#include "shards.h"

#include <string.h>

#define SHARD_DEFAULT_COMMAND "feast materialize-incremental $(date -u +'%Y-%m-%dT%H:%M:%S')"

/* What each shard runs: the last materialize command of spec.cronJob, else the operator's. */
static const char *shard_command(const struct store *st)
{
	const struct node *cmds = node_at(st->fs.cronjob, "containerConfigs.commands");
	const char *found = NULL;
	node_seq_each(cmds, cmd)
		if (shards_is_materialize(node_str_or(cmd, "")))
			found = node_str_or(cmd, "");
	return found ? found : SHARD_DEFAULT_COMMAND;
}

/* `from`'s items appended to `to`, skipping those whose `key` is already there. */
static void union_by(struct render_ctx *r, struct node *to, const struct node *from, const char *key)
{
	node_seq_each(from, item) {
		const char *k = key ? node_text(map_get(item, key)) : NULL;
		if (!k || !seq_find_by(to, key, k))
			seq_push(r->a, to, user_copy(r, item));
	}
}

static void set_seq(struct render_ctx *r, struct node *c, const char *key, struct node *seq)
{
	if (seq->u.seq.n)
		map_set(r->a, c, key, seq);
}

/* The servers' image, working directory, environment and mounts in one container: it reads
 * the registry and the offline store and writes the online store, as all of them do. */
static struct node *shard_container(struct render_ctx *r, const struct store *st, const struct node *servers)
{
	const struct node *cfg = map_get(st->fs.cronjob, "containerConfigs");
	const struct node *first = servers && servers->kind == NODE_SEQ && servers->u.seq.n ? servers->u.seq.v[0] : NULL;
	struct node *c = tmpl_clone(r, T_CONTAINER);
	map_set(r->a, c, "name", str_node(r, "materialize"));
	map_set(r->a, c, "image", str_node(r, node_str_or(map_get(first, "image"), st->fs.init_image)));
	static const char *const py[] = { "python3", "-c" };
	struct node *command = strs_node(r, py, 2);
	seq_push(r->a, command, node_scalar(r->a, NULL, r->tm.shard_script, strlen(r->tm.shard_script), SCALAR_STR,
					    STYLE_LITERAL));
	map_set(r->a, c, "command", command);
	const char *cmd = shard_command(st);
	map_set(r->a, c, "args", strs_node(r, &cmd, 1));
	map_set(r->a, c, "workingDir", str_node(r, node_str_or(map_get(first, "workingDir"), st->fs.repo_dir)));
	struct node *env = node_seq(r->a, NULL), *env_from = node_seq(r->a, NULL), *mounts = node_seq(r->a, NULL);
	for (size_t i = 0; first && i < servers->u.seq.n; i++) {
		env_override(r, env, map_get(servers->u.seq.v[i], "env"));
		union_by(r, env_from, map_get(servers->u.seq.v[i], "envFrom"), NULL);
		union_by(r, mounts, map_get(servers->u.seq.v[i], "volumeMounts"), "mountPath");
	}
	env_override(r, env, map_get(cfg, "env"));
	seq_push(r->a, env, env_var(r, "FEAST_MATERIALIZE_SHARDS", arena_printf(r->a, "%d", st->shards)));
	union_by(r, env_from, map_get(cfg, "envFrom"), NULL);
	set_seq(r, c, "envFrom", env_from);
	set_seq(r, c, "env", env);
	set_user(r, c, "resources", map_get(cfg, "resources"));
	set_seq(r, c, "volumeMounts", mounts);
	set_user(r, c, "imagePullPolicy", map_get(first, "imagePullPolicy"));
	set_user(r, c, "securityContext", map_get(first, "securityContext"));
	return c;
}

/* The store's pod as built before the sidecar: the same init containers write the repo and
 * feature_store.yaml, but feast-apply is the servers' business, not each shard's. */
static struct node *shard_pod(struct render_ctx *r, const struct store *st)
{
	const struct node *from = st->shard_pod;
	struct node *pod = node_map(r->a, NULL);
	map_put(r->a, pod, "serviceAccountName", user_copy(r, map_get(from, "serviceAccountName")));
	map_put(r->a, pod, "restartPolicy", str_node(r, "Never"));
	const struct node *svc = st->fs.services;
	for (size_t i = 0; i < from->u.map.n; i++) {
		const char *k = from->u.map.v[i].key;
		struct node *v = from->u.map.v[i].val;
		/* The anti-affinity and zone spread the servers get when they scale select server pods. */
		bool dflt = (!strcmp(k, "affinity") || !strcmp(k, "topologySpreadConstraints")) &&
			    node_is_empty(map_get(svc, k));
		if (dflt || !strcmp(k, "serviceAccountName") || !strcmp(k, "restartPolicy"))
			continue;
		if (!strcmp(k, "initContainers")) {
			struct node *inits = node_seq(r->a, NULL);
			node_seq_each(v, c)
				if (strcmp(node_str_or(map_get(c, "name"), ""), "feast-apply"))
					seq_push(r->a, inits, c);
			if (inits->u.seq.n)
				map_put(r->a, pod, k, inits);
		} else if (!strcmp(k, "containers")) {
			struct node *list = node_seq(r->a, NULL);
			seq_push(r->a, list, shard_container(r, st, v));
			map_put(r->a, pod, k, list);
		} else {
			map_put(r->a, pod, k, v);
		}
	}
	set_user(r, pod, "nodeSelector", node_at(st->fs.cronjob, "containerConfigs.nodeSelector"));
	return pod;
}

void shard_job(struct render_ctx *r, struct store *st, struct node *job)
{
	/* Below 1.29 the API server drops backoffLimitPerIndex: one failed shard would fail them all. */
	int minor = r->opts->kube_minor > 0 ? r->opts->kube_minor : RENDER_KUBE_MINOR;
	if (minor < 29) {
		const struct node *at = map_get(map_get(st->fs.root, "metadata"), "name");
		diag_error(r->d, &at->pos, "metadata.name",
			   "FeatureStore '%s': its materialization runs in %d shards, an Indexed Job with "
			   "backoffLimitPerIndex, which needs Kubernetes 1.29 or newer, but --kube-version is 1.%d",
			   st->fs.name, st->shards, minor);
		r->errors++;
	}
	const struct node *t = r->tm.t[T_SHARD_JOB];
	for (size_t i = 0; i < t->u.map.n; i++) {
		const char *k = t->u.map.v[i].key;
		/* The user's retry policy stands; the shape of the Job is the shards'. */
		if (!strcmp(k, "backoffLimitPerIndex") && map_get(job, k) && !node_is_null(map_get(job, k)))
			continue;
		map_set(r->a, job, k, node_clone(r->a, t->u.map.v[i].val));
	}
	map_set(r->a, job, "completions", int_node(r, st->shards));
	map_set(r->a, job, "parallelism", int_node(r, st->shards));
	map_set(r->a, map_get(job, "template"), "spec", shard_pod(r, st));
}
