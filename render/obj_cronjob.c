/* obj_cronjob.c -- CronJob feast-<name> with its ServiceAccount, Role and RoleBinding
 * feast-<name>-cronjob: each command runs in the Deployment's pod through kubectl exec. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

static const char *const job_fields[] = {
	"parallelism", "completions", "completionMode", "activeDeadlineSeconds", "backoffLimit",
	"backoffLimitPerIndex", "maxFailedIndexes", "podFailurePolicy", "podReplacementPolicy", "suspend",
	"ttlSecondsAfterFinished",
};

static const char *const cron_fields[] = {
	"timeZone", "startingDeadlineSeconds", "concurrencyPolicy", "suspend", "successfulJobsHistoryLimit",
	"failedJobsHistoryLimit",
};

static void cronjob_rbac(struct render_ctx *r, struct store *st, const char *name)
{
	obj_emit(r, st, obj_new(r, st, T_SERVICEACCOUNT, name, true, "cronjob", "cronjob"));
	struct node *role = obj_new(r, st, T_ROLE, name, true, "cronjob", "cronjob");
	struct node *rules = tmpl_clone(r, T_RULES_CRONJOB);
	const char *dep = st->fs.feast_name;
	map_set(r->a, rules->u.seq.v[0], "resourceNames", strs_node(r, &dep, 1));
	map_set(r->a, role, "rules", rules);
	obj_emit(r, st, role);
	emit_role_binding(r, st, name, "cronjob", "cronjob", name);
}

static struct node *step(struct render_ctx *r, const struct store *st, const struct node *cfg, int i,
			 const char *command)
{
	struct node *c = tmpl_clone(r, T_CONTAINER);
	map_set(r->a, c, "name", node_strf(r->a, "feast-%d", i));
	map_set(r->a, c, "image", str_node(r, node_str_or(map_get(cfg, "image"), RENDER_CRONJOB_IMAGE)));
	const char *target = arena_printf(r->a, "deploy/%s", st->fs.feast_name);
	const char *plain[] = { "kubectl", "exec", target, "-i", "--", "bash", "-c", command };
	/* With the feast-sidecar the commands change the registry under its lock (materialize
	 * records its intervals there), through the client in the servers' shared volume. */
	const char *locked[] = { "kubectl", "exec", target, "-i", "--", SIDECAR_LOCK, "lock", "-w",
				 sidecar_lock_wait(r), "--", "bash", "-c", command };
	map_set(r->a, c, "command", st->sidecar ? strs_node(r, locked, 13) : strs_node(r, plain, 8));
	set_user(r, c, "envFrom", map_get(cfg, "envFrom"));
	set_user(r, c, "env", map_get(cfg, "env"));
	set_user(r, c, "resources", map_get(cfg, "resources"));
	set_user(r, c, "imagePullPolicy", map_get(cfg, "imagePullPolicy"));
	struct node *sc = node_map(r->a, NULL), *caps = node_map(r->a, NULL);
	static const char *const all[] = { "ALL" };
	map_put(r->a, sc, "allowPrivilegeEscalation", node_bool(r->a, false));
	map_put(r->a, caps, "drop", strs_node(r, all, 1));
	map_put(r->a, sc, "capabilities", caps);
	map_set(r->a, c, "securityContext", sc);
	return c;
}

/* All commands but the last run as init containers, so they run in order. */
static void steps(struct render_ctx *r, const struct store *st, struct node *pod)
{
	static const char *const dflt[] = {
		"feast apply", "feast materialize-incremental $(date -u +'%Y-%m-%dT%H:%M:%S')",
	};
	const struct node *cfg = map_get(st->fs.cronjob, "containerConfigs");
	const struct node *cmds = map_get(cfg, "commands");
	/* `commands: null` (or []) is what the API server stores for no commands: the defaults. */
	bool own = cmds && cmds->kind == NODE_SEQ && cmds->u.seq.n;
	int n = own ? (int)cmds->u.seq.n : 2;
	struct node *inits = node_seq(r->a, NULL), *main = node_seq(r->a, NULL);
	for (int i = 0; i < n; i++) {
		const char *cmd = own ? node_str_or(cmds->u.seq.v[i], "") : dflt[i];
		seq_push(r->a, i < n - 1 ? inits : main, step(r, st, cfg, i, cmd));
	}
	if (inits->u.seq.n)
		map_set(r->a, pod, "initContainers", inits);
	map_set(r->a, pod, "containers", main);
	set_user(r, pod, "nodeSelector", map_get(cfg, "nodeSelector"));
}

static void copy_fields(struct render_ctx *r, struct node *to, const struct node *from,
			const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct node *v = map_get(from, fields[i]);
		if (v && !node_is_null(v))
			map_set(r->a, to, fields[i], user_copy(r, v));
	}
}

void build_cronjob(struct render_ctx *r, struct store *st)
{
	const struct node *cj = st->fs.cronjob;
	if (!cj)
		return;
	const char *name = arena_printf(r->a, "%s-cronjob", st->fs.feast_name);
	/* Shards run in pods of their own: no kubectl exec, so no rights to it. */
	if (st->shards <= 1)
		cronjob_rbac(r, st, name);
	struct node *obj = obj_new(r, st, T_CRONJOB, st->fs.feast_name, true, "cronjob", "cronjob");
	set_user(r, map_get(obj, "metadata"), "annotations", map_get(cj, "annotations"));
	struct node *spec = map_get(obj, "spec");
	const char *schedule = node_str_or(map_get(cj, "schedule"), NULL);
	if (schedule && *schedule) {
		map_set(r->a, spec, "schedule", str_node(r, schedule));
	} else {
		/* The operator's never-running default, to be started by hand. */
		map_set(r->a, spec, "schedule", str_node(r, "@yearly"));
		map_set(r->a, spec, "startingDeadlineSeconds", int_node(r, 5));
		map_set(r->a, spec, "concurrencyPolicy", str_node(r, "Replace"));
		map_set(r->a, spec, "suspend", node_bool(r->a, true));
	}
	copy_fields(r, spec, cj, cron_fields, sizeof(cron_fields) / sizeof(cron_fields[0]));
	struct node *job = node_at(spec, "jobTemplate.spec");
	const struct node *job_spec = map_get(cj, "jobSpec");
	copy_fields(r, job, job_spec, job_fields, sizeof(job_fields) / sizeof(job_fields[0]));
	struct node *tmpl = map_get(job, "template");
	set_user(r, map_get(tmpl, "metadata"), "annotations", map_get(job_spec, "podTemplateAnnotations"));
	if (st->shards > 1) {
		shard_job(r, st, job);
		obj_emit(r, st, obj);
		return;
	}
	struct node *pod = map_get(tmpl, "spec");
	map_set(r->a, pod, "serviceAccountName", str_node(r, name));
	/* OpenShift's restricted SCC assigns a UID from the namespace's range (getCronJobPodSpec). */
	if (r->opts->openshift)
		map_del(map_get(pod, "securityContext"), "runAsUser");
	steps(r, st, pod);
	obj_emit(r, st, obj);
}
