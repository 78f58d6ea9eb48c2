/* cmd_status.c -- `kubectl feast status NAME`: replicas, autoscaler, PDB, registry lock and pods of a store. */
#include "buf.h"
#include "cli.h"
#include "doc.h"
#include "json.h"
#include "kube_util.h"
#include "reconcile.h"
#include "rollout.h"
#include "yaml_out.h"

#include <string.h>

enum { OPT_OUTPUT = 1 };

static const struct opt cluster_status_opts[] = {
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "FORMAT", "yaml|json", NULL,
	  "Print the status as one YAML or JSON object instead of text.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { cluster_status_opts, kube_flag_opts, help_opts, NULL };

struct status_args {
	struct rec_session s;
	const char *output;
	const char *name, *ns;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct status_args *v = ctx;
	if (o->id == OPT_OUTPUT)
		v->output = value;
	return 0;
}

static const char *path_of(struct status_args *v, const char *api_version, const char *kind, const char *name)
{
	return kube_path(&v->s.a, kube_resource_builtin(api_version, kind), v->ns, name, NULL);
}

static struct node *items_of(struct node *list)
{
	struct node *items = map_get(list, "items");
	return items && items->kind == NODE_SEQ ? items : NULL;
}

static void put_int(struct arena *a, struct node *m, const char *key, const struct node *from, const char *path)
{
	int64_t x = 0;
	node_get_int(node_at(from, path), &x);
	map_put(a, m, key, node_int(a, x));
}

static void put_str(struct arena *a, struct node *m, const char *key, const char *val)
{
	if (val)
		map_put(a, m, key, node_str(a, val));
}

static struct node *deployment_view(struct arena *a, const struct node *dep)
{
	struct node *m = node_map(a, NULL);
	put_str(a, m, "name", node_str_or(node_at(dep, "metadata.name"), ""));
	const struct node *labels = node_at(dep, "metadata.labels");
	put_str(a, m, "managedBy", node_str_or(map_get(labels, "app.kubernetes.io/managed-by"), NULL));
	map_put(a, m, "storedSpec", node_bool(a, map_has(node_at(dep, "metadata.annotations"), REC_ANN_SPEC)));
	int64_t want = 1;
	node_get_int(node_at(dep, "spec.replicas"), &want);
	map_put(a, m, "desired", node_int(a, want));
	put_int(a, m, "updated", dep, "status.updatedReplicas");
	put_int(a, m, "ready", dep, "status.readyReplicas");
	put_int(a, m, "available", dep, "status.availableReplicas");
	put_int(a, m, "generation", dep, "metadata.generation");
	put_int(a, m, "observedGeneration", dep, "status.observedGeneration");
	char msg[512];
	int verdict = rollout_status(dep, msg, sizeof(msg));
	map_put(a, m, "rolledOut", node_bool(a, verdict > 0));
	put_str(a, m, "rollout", msg);
	return m;
}

/* Does an autoscaler's scaleTargetRef name the store's Deployment or its FeatureStore? */
static bool targets_store(const struct node *ref, const char *name, bool keda)
{
	const char *kind = node_str_or(map_get(ref, "kind"), keda ? "Deployment" : "");
	const char *target = node_str_or(map_get(ref, "name"), "");
	if (!strcmp(kind, "FeatureStore"))
		return !strcmp(target, name);
	return !strcmp(kind, "Deployment") && !strncmp(target, "feast-", 6) && !strcmp(target + 6, name);
}

static const char *condition(const struct node *obj, const char *type)
{
	const struct node *conds = node_at(obj, "status.conditions");
	for (size_t i = 0; conds && conds->kind == NODE_SEQ && i < conds->u.seq.n; i++)
		if (!strcmp(node_str_or(map_get(conds->u.seq.v[i], "type"), ""), type))
			return node_str_or(map_get(conds->u.seq.v[i], "status"), "Unknown");
	return NULL;
}

static struct node *hpa_view(struct arena *a, const struct node *hpa)
{
	struct node *m = node_map(a, NULL);
	put_str(a, m, "kind", "HorizontalPodAutoscaler");
	put_str(a, m, "name", node_str_or(node_at(hpa, "metadata.name"), ""));
	int64_t min = 1;
	node_get_int(node_at(hpa, "spec.minReplicas"), &min);
	map_put(a, m, "minReplicas", node_int(a, min));
	put_int(a, m, "maxReplicas", hpa, "spec.maxReplicas");
	put_int(a, m, "currentReplicas", hpa, "status.currentReplicas");
	put_int(a, m, "desiredReplicas", hpa, "status.desiredReplicas");
	return m;
}

static struct node *keda_view(struct arena *a, const struct node *so)
{
	struct node *m = node_map(a, NULL);
	put_str(a, m, "kind", "ScaledObject");
	put_str(a, m, "name", node_str_or(node_at(so, "metadata.name"), ""));
	int64_t min = 0, max = 100;
	node_get_int(node_at(so, "spec.minReplicaCount"), &min);
	node_get_int(node_at(so, "spec.maxReplicaCount"), &max);
	map_put(a, m, "minReplicas", node_int(a, min));
	map_put(a, m, "maxReplicas", node_int(a, max));
	put_str(a, m, "ready", condition(so, "Ready"));
	put_str(a, m, "active", condition(so, "Active"));
	put_str(a, m, "paused", condition(so, "Paused"));
	return m;
}

/* The HPA or ScaledObject that drives the store's replica count, if any. */
static int autoscaler(struct status_args *v, struct node *out)
{
	struct arena *a = &v->s.a;
	struct node *list;
	if (rec_get_path(&v->s, path_of(v, "autoscaling/v2", "HorizontalPodAutoscaler", NULL), NULL, &list) < 0)
		return -1;
	for (size_t i = 0; items_of(list) && i < items_of(list)->u.seq.n; i++) {
		const struct node *h = items_of(list)->u.seq.v[i];
		if (targets_store(node_at(h, "spec.scaleTargetRef"), v->name, false)) {
			map_put(a, out, "autoscaler", hpa_view(a, h));
			return 0;
		}
	}
	if (rec_get_path(&v->s, path_of(v, "keda.sh/v1alpha1", "ScaledObject", NULL), NULL, &list) < 0)
		return -1;
	for (size_t i = 0; items_of(list) && i < items_of(list)->u.seq.n; i++) {
		const struct node *so = items_of(list)->u.seq.v[i];
		if (targets_store(node_at(so, "spec.scaleTargetRef"), v->name, true)) {
			map_put(a, out, "autoscaler", keda_view(a, so));
			return 0;
		}
	}
	return 0;
}

static int disruption_budget(struct status_args *v, struct node *out)
{
	struct arena *a = &v->s.a;
	struct node *pdb;
	const char *name = arena_printf(a, "feast-%s", v->name);
	if (rec_get_path(&v->s, path_of(v, "policy/v1", "PodDisruptionBudget", name), NULL, &pdb) < 0)
		return -1;
	if (!pdb)
		return 0;
	struct node *m = node_map(a, NULL);
	put_str(a, m, "name", name);
	put_int(a, m, "disruptionsAllowed", pdb, "status.disruptionsAllowed");
	put_int(a, m, "currentHealthy", pdb, "status.currentHealthy");
	put_int(a, m, "desiredHealthy", pdb, "status.desiredHealthy");
	put_int(a, m, "expectedPods", pdb, "status.expectedPods");
	map_put(a, out, "podDisruptionBudget", m);
	return 0;
}

/* The Lease the store's feast-sidecar takes: its --lease argument (a store on another store's
 * registry shares that store's Lease), else feast-NAME-registry-lock. */
static const char *lease_name(struct arena *a, const struct node *dep, const char *store)
{
	static const char *const lists[] = { "spec.template.spec.initContainers", "spec.template.spec.containers" };
	for (size_t l = 0; l < 2; l++) {
		const struct node *side = seq_find_by(node_at(dep, lists[l]), "name", "feast-sidecar");
		const struct node *args = map_get(side, "args");
		for (size_t i = 0; args && args->kind == NODE_SEQ && i < args->u.seq.n; i++) {
			const char *arg = node_str_or(args->u.seq.v[i], "");
			if (!strncmp(arg, "--lease=", 8) && arg[8])
				return arena_strdup(a, arg + 8);
		}
	}
	return arena_printf(a, "feast-%s-registry-lock", store);
}

static int registry_lock(struct status_args *v, const struct node *dep, struct node *out)
{
	struct arena *a = &v->s.a;
	struct node *lease;
	const char *name = lease_name(a, dep, v->name);
	if (rec_get_path(&v->s, path_of(v, "coordination.k8s.io/v1", "Lease", name), NULL, &lease) < 0)
		return -1;
	struct node *m = node_map(a, NULL);
	put_str(a, m, "lease", name);
	const char *holder = node_str_or(node_at(lease, "spec.holderIdentity"), "");
	map_put(a, m, "holder", *holder ? node_str(a, holder) : node_null(a));
	const char *renew = node_str_or(node_at(lease, "spec.renewTime"), NULL);
	put_str(a, m, "renewTime", renew);
	int64_t dur = 0;
	long long renew_ms;
	if (node_get_int(node_at(lease, "spec.leaseDurationSeconds"), &dur))
		map_put(a, m, "leaseDurationSeconds", node_int(a, dur));
	if (*holder && renew && kube_parse_time(renew, &renew_ms))
		map_put(a, m, "expired", node_bool(a, renew_ms + dur * 1000 < kube_wall_ms()));
	map_put(a, m, "found", node_bool(a, lease != NULL));
	map_put(a, out, "registryLock", m);
	return 0;
}

static int pods(struct status_args *v, struct node *out)
{
	struct arena *a = &v->s.a;
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", arena_printf(a, "feast.dev/name=%s", v->name));
	struct node *list;
	int rc = rec_get_path(&v->s, path_of(v, "v1", "Pod", NULL), arena_strdup(a, q.data), &list);
	buf_release(&q);
	if (rc < 0)
		return -1;
	struct node *seq = node_seq(a, NULL);
	for (size_t i = 0; items_of(list) && i < items_of(list)->u.seq.n; i++) {
		const struct node *p = items_of(list)->u.seq.v[i];
		struct node *m = node_map(a, NULL);
		put_str(a, m, "name", node_str_or(node_at(p, "metadata.name"), ""));
		put_str(a, m, "phase", node_str_or(node_at(p, "status.phase"), "Unknown"));
		const char *ready = condition(p, "Ready");
		put_str(a, m, "ready", ready ? ready : "False");
		put_str(a, m, "registryReady", condition(p, "feast.dev/registry-ready"));
		seq_push(a, seq, m);
	}
	map_put(a, out, "pods", seq);
	return 0;
}

static int collect(struct status_args *v, struct node *out)
{
	struct arena *a = &v->s.a;
	struct node *fs, *dep;
	put_str(a, out, "name", v->name);
	put_str(a, out, "namespace", v->ns);
	if (rec_get_path(&v->s, path_of(v, "feast.dev/v1", "FeatureStore", v->name), NULL, &fs) < 0 ||
	    rec_get_path(&v->s, path_of(v, "apps/v1", "Deployment", arena_printf(a, "feast-%s", v->name)), NULL, &dep) < 0)
		return -1;
	if (!fs && !dep) {
		diag_error(&v->s.d, NULL, "", "no FeatureStore \"%s\" and no Deployment \"feast-%s\" in namespace \"%s\"",
			   v->name, v->name, v->ns);
		return -1;
	}
	if (fs) {
		struct node *m = node_map(a, NULL);
		int64_t replicas = 1;
		node_get_int(node_at(fs, "spec.replicas"), &replicas);
		map_put(a, m, "replicas", node_int(a, replicas));
		map_put(a, m, "autoscaling", node_bool(a, node_at(fs, "spec.services.scaling.autoscaling") != NULL));
		map_put(a, out, "featureStore", m);
	}
	if (dep)
		map_put(a, out, "deployment", deployment_view(a, dep));
	if (autoscaler(v, out) < 0 || disruption_budget(v, out) < 0 || registry_lock(v, dep, out) < 0 ||
	    pods(v, out) < 0)
		return -1;
	return 0;
}

static long long i_at(const struct node *n, const char *path)
{
	int64_t x = 0;
	node_get_int(node_at(n, path), &x);
	return (long long)x;
}

static const char *s_at(const struct node *n, const char *path)
{
	return node_str_or(node_at(n, path), "");
}

static void print_scaling(const struct node *st)
{
	const struct node *fs = map_get(st, "featureStore"), *dep = map_get(st, "deployment");
	if (fs)
		printf("FeatureStore:  %s (reconciled by the Feast operator): replicas %lld%s\n", s_at(st, "name"),
		       i_at(fs, "replicas"), node_is_true(map_get(fs, "autoscaling")) ? ", autoscaling" : "");
	if (dep) {
		printf("Deployment:    %s (managed by %s%s)\n", s_at(dep, "name"), node_str_or(map_get(dep, "managedBy"), "?"),
		       node_is_true(map_get(dep, "storedSpec")) ? "; spec stored by apply" : "");
		printf("Replicas:      %lld desired, %lld updated, %lld ready, %lld available\n", i_at(dep, "desired"),
		       i_at(dep, "updated"), i_at(dep, "ready"), i_at(dep, "available"));
		printf("Rollout:       %s\n", s_at(dep, "rollout"));
	} else {
		printf("Deployment:    none yet\n");
	}
	const struct node *as = map_get(st, "autoscaler");
	if (!as)
		printf("Autoscaler:    none (the replica count is fixed)\n");
	else if (!strcmp(s_at(as, "kind"), "ScaledObject"))
		printf("Autoscaler:    ScaledObject %s: %lld-%lld replicas, ready %s, active %s\n", s_at(as, "name"),
		       i_at(as, "minReplicas"), i_at(as, "maxReplicas"), node_str_or(map_get(as, "ready"), "Unknown"),
		       node_str_or(map_get(as, "active"), "Unknown"));
	else
		printf("Autoscaler:    HorizontalPodAutoscaler %s: %lld-%lld replicas, %lld current, %lld desired\n",
		       s_at(as, "name"), i_at(as, "minReplicas"), i_at(as, "maxReplicas"), i_at(as, "currentReplicas"),
		       i_at(as, "desiredReplicas"));
	const struct node *pdb = map_get(st, "podDisruptionBudget");
	if (pdb)
		printf("Disruptions:   PodDisruptionBudget %s: %lld allowed (%lld healthy, %lld desired)\n", s_at(pdb, "name"),
		       i_at(pdb, "disruptionsAllowed"), i_at(pdb, "currentHealthy"), i_at(pdb, "desiredHealthy"));
	else
		printf("Disruptions:   no PodDisruptionBudget\n");
}

static void print_lock(const struct node *lock)
{
	const char *holder = node_str_or(map_get(lock, "holder"), NULL);
	if (!node_is_true(map_get(lock, "found"))) {
		printf("Registry lock: free (no Lease %s)\n", s_at(lock, "lease"));
		return;
	}
	if (!holder || !*holder) {
		printf("Registry lock: free (Lease %s has no holder)\n", s_at(lock, "lease"));
		return;
	}
	long long renew_ms;
	const char *renew = node_str_or(map_get(lock, "renewTime"), NULL);
	printf("Registry lock: held by %s", holder);
	if (node_is_true(map_get(lock, "expired")))
		printf(", expired");
	if (renew && kube_parse_time(renew, &renew_ms))
		printf(" (renewed %llds ago, lease %llds)", (kube_wall_ms() - renew_ms) / 1000, i_at(lock, "leaseDurationSeconds"));
	printf("\n");
}

static void print_pods(const struct node *pods)
{
	size_t n = pods && pods->kind == NODE_SEQ ? pods->u.seq.n : 0;
	if (!n) {
		printf("Pods:          none\n");
		return;
	}
	int w = 4;
	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(s_at(pods->u.seq.v[i], "name"));
		w = len > w ? len : w;
	}
	printf("Pods:\n  %-*s   %-9s %-6s %s\n", w, "NAME", "PHASE", "READY", "REGISTRY-READY");
	for (size_t i = 0; i < n; i++) {
		const struct node *p = pods->u.seq.v[i];
		printf("  %-*s   %-9s %-6s %s\n", w, s_at(p, "name"), s_at(p, "phase"), s_at(p, "ready"),
		       node_str_or(map_get(p, "registryReady"), "-"));
	}
}

static int print_status(struct status_args *v, const struct node *st)
{
	struct buf b = BUF_INIT;
	if (v->output && !strcmp(v->output, "json")) {
		json_emit(&b, st, 2);
		buf_addc(&b, '\n');
	} else if (v->output) {
		yaml_emit_one(&b, st);
	}
	if (v->output) {
		fwrite(b.data, 1, b.len, stdout);
	} else {
		printf("Name:          %s\nNamespace:     %s\n", v->name, v->ns);
		print_scaling(st);
		print_lock(map_get(st, "registryLock"));
		print_pods(map_get(st, "pods"));
	}
	buf_release(&b);
	if (fflush(stdout) != 0) {
		diag_error(&v->s.d, NULL, "", "writing the status failed");
		return EXIT_CLUSTER;
	}
	return EXIT_OK;
}

static int status_run(struct status_args *v)
{
	if (rec_config(&v->s) < 0)
		return EXIT_CLUSTER;
	rec_print(&v->s);
	if (rec_connect(&v->s) < 0)
		return EXIT_CLUSTER;
	v->ns = v->s.cfg.namespace;
	struct node *st = node_map(&v->s.a, NULL);
	if (collect(v, st) < 0)
		return EXIT_CLUSTER;
	return print_status(v, st);
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct status_args v;
	memset(&v, 0, sizeof(v));
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = rec_parse(cmd, argc, argv, on_opt, &v, &v.s, &args);
	if (rc == CMD_RUN && !args.n)
		rc = usage_error(cmd, "must name the FeatureStore: kubectl feast status NAME");
	if (rc == CMD_RUN && args.n > 1)
		rc = usage_error(cmd, "unexpected argument \"%s\"", args.v[1]);
	if (rc == CMD_RUN) {
		v.name = args.v[0];
		rc = status_run(&v);
	}
	return rec_finish(&v.s, rc);
}

const struct command cmd_status = {
	"status",
	"Show how a store's feature servers are doing: replicas, autoscaler, disruptions, registry lock, pods.",
	"kubectl feast status NAME [-o yaml|json] [kubectl connection flags]",
	"NAME is the FeatureStore's name: its Deployment is feast-NAME, whether `apply` or the Feast\n"
	"operator made it.  Shown: the desired, updated, ready and available replicas and the rollout\n"
	"(as kubectl rollout status words it), the HorizontalPodAutoscaler or KEDA ScaledObject that\n"
	"drives the count, the PodDisruptionBudget's allowed disruptions, the holder of the registry\n"
	"lock (the Lease the store's feast-sidecar takes: feast-NAME-registry-lock, or that of the\n"
	"store whose registry it uses) and each pod's phase, readiness and\n"
	"feast.dev/registry-ready condition (\"-\" when the pod has none).\n"
	"\n"
	"Exit codes: 0 shown, 2 usage, 3 cluster or API failure (also when there is no such store).",
	groups, run,
};
