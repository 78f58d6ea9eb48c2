/* cmd_status.c -- `kubectl feast status [NAME]`: one store in detail, or a table of stores; -w follows them. */
#include "buf.h"
#include "cli.h"
#include "doc.h"
#include "doctor.h"
#include "json.h"
#include "kube_util.h"
#include "cli_cluster.h"
#include "rollout.h"
#include "scale_target.h"
#include "store_view.h"
#include "yaml_out.h"

#include <signal.h>
#include <string.h>

enum { OPT_OUTPUT = 1, OPT_WATCH, OPT_ALL_NAMESPACES };

static const struct opt cluster_status_opts[] = {
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "FORMAT", "yaml|json", NULL,
	  "Print the status as one YAML or JSON object instead of text.", 0 },
	{ "watch", 'w', OPT_BOOL, OPT_WATCH, NULL, NULL, "false",
	  "After printing, print again on every change (events from a watch, until --request-timeout or ^C).", 0 },
	{ "all-namespaces", 'A', OPT_BOOL, OPT_ALL_NAMESPACES, NULL, NULL, "false",
	  "Without NAME: list the stores of every namespace.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { cluster_status_opts, kube_flag_opts, help_opts, NULL };

struct status_args {
	struct rec_session s;
	const char *output;
	const char *name, *ns;  /* ns: NULL with -A */
	bool watch, all;
	const char *list_rv;    /* the resourceVersion of the List the watch follows */
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct status_args *v = ctx;
	bool on = !value || !strcmp(value, "true");
	if (o->id == OPT_OUTPUT)
		v->output = value;
	else if (o->id == OPT_WATCH)
		v->watch = on;
	else if (o->id == OPT_ALL_NAMESPACES)
		v->all = on;
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
	put_str(a, m, "ready", kube_condition_status(so, "Ready"));
	put_str(a, m, "active", kube_condition_status(so, "Active"));
	put_str(a, m, "paused", kube_condition_status(so, "Paused"));
	return m;
}

/* The ScaledObject or HPA that drives the store's replica count, if any (rules/scale_target.h). */
static int autoscaler(struct status_args *v, struct node *out)
{
	struct arena *a = &v->s.a;
	struct node *hpas, *sos;
	if (rec_get_path(&v->s, path_of(v, "autoscaling/v2", "HorizontalPodAutoscaler", NULL), NULL, &hpas) < 0 ||
	    rec_get_path(&v->s, path_of(v, "keda.sh/v1alpha1", "ScaledObject", NULL), NULL, &sos) < 0)
		return -1;
	bool hpa;
	const struct node *it = scale_owner_find(sos, hpas, v->name, NULL, SCALE_AIM_ANY, &hpa);
	if (it)
		map_put(a, out, "autoscaler", hpa ? hpa_view(a, it) : keda_view(a, it));
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

static int registry_lock(struct status_args *v, const struct node *dep, struct node *out)
{
	struct arena *a = &v->s.a;
	struct node *lease;
	const char *name = doctor_lease_name(a, dep, v->name);
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
	long long now = kube_wall_ms();
	const struct node *items = items_of(list);
	node_seq_each(items, pod)
		seq_push(a, seq, store_pod_view(a, pod, now));
	v->list_rv = node_str_or(node_at(list, "metadata.resourceVersion"), NULL);
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
		return 1;
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

static void print_scaling(struct buf *b, const struct node *st)
{
	const struct node *fs = map_get(st, "featureStore"), *dep = map_get(st, "deployment");
	if (fs)
		buf_addf(b, "FeatureStore:  %s (reconciled by the Feast operator): replicas %lld%s\n", s_at(st, "name"),
			 i_at(fs, "replicas"), node_is_true(map_get(fs, "autoscaling")) ? ", autoscaling" : "");
	if (dep) {
		buf_addf(b, "Deployment:    %s (managed by %s%s)\n", s_at(dep, "name"),
			 node_str_or(map_get(dep, "managedBy"), "?"),
			 node_is_true(map_get(dep, "storedSpec")) ? "; spec stored by apply" : "");
		buf_addf(b, "Replicas:      %lld desired, %lld updated, %lld ready, %lld available\n", i_at(dep, "desired"),
			 i_at(dep, "updated"), i_at(dep, "ready"), i_at(dep, "available"));
		buf_addf(b, "Rollout:       %s\n", s_at(dep, "rollout"));
	} else {
		buf_addf(b, "Deployment:    none yet\n");
	}
	const struct node *as = map_get(st, "autoscaler");
	if (!as)
		buf_addf(b, "Autoscaler:    none (the replica count is fixed)\n");
	else if (!strcmp(s_at(as, "kind"), "ScaledObject"))
		buf_addf(b, "Autoscaler:    ScaledObject %s: %lld-%lld replicas, ready %s, active %s\n", s_at(as, "name"),
			 i_at(as, "minReplicas"), i_at(as, "maxReplicas"), node_str_or(map_get(as, "ready"), "Unknown"),
			 node_str_or(map_get(as, "active"), "Unknown"));
	else
		buf_addf(b, "Autoscaler:    HorizontalPodAutoscaler %s: %lld-%lld replicas, %lld current, %lld desired\n",
			 s_at(as, "name"), i_at(as, "minReplicas"), i_at(as, "maxReplicas"), i_at(as, "currentReplicas"),
			 i_at(as, "desiredReplicas"));
	const struct node *pdb = map_get(st, "podDisruptionBudget");
	if (pdb)
		buf_addf(b, "Disruptions:   PodDisruptionBudget %s: %lld allowed (%lld healthy, %lld desired)\n",
			 s_at(pdb, "name"), i_at(pdb, "disruptionsAllowed"), i_at(pdb, "currentHealthy"),
			 i_at(pdb, "desiredHealthy"));
	else
		buf_addf(b, "Disruptions:   no PodDisruptionBudget\n");
}

static void print_lock(struct buf *b, const struct node *lock)
{
	const char *holder = node_str_or(map_get(lock, "holder"), NULL);
	if (!node_is_true(map_get(lock, "found"))) {
		buf_addf(b, "Registry lock: free (no Lease %s)\n", s_at(lock, "lease"));
		return;
	}
	if (!holder || !*holder) {
		buf_addf(b, "Registry lock: free (Lease %s has no holder)\n", s_at(lock, "lease"));
		return;
	}
	long long renew_ms;
	const char *renew = node_str_or(map_get(lock, "renewTime"), NULL);
	buf_addf(b, "Registry lock: held by %s", holder);
	if (node_is_true(map_get(lock, "expired")))
		buf_addf(b, ", expired");
	if (renew && kube_parse_time(renew, &renew_ms))
		buf_addf(b, " (renewed %llds ago, lease %llds)", (kube_wall_ms() - renew_ms) / 1000,
			 i_at(lock, "leaseDurationSeconds"));
	buf_addf(b, "\n");
}

/* A container's state as its line shows it: "Waiting: CrashLoopBackOff", "Running". */
static const char *state_text(struct arena *a, const struct node *c)
{
	const char *reason = node_str_or(map_get(c, "reason"), NULL);
	return reason ? arena_printf(a, "%s: %s", s_at(c, "state"), reason) : s_at(c, "state");
}

static void print_pods(struct arena *a, struct buf *b, const struct node *pods)
{
	size_t n = pods && pods->kind == NODE_SEQ ? pods->u.seq.n : 0;
	if (!n) {
		buf_addf(b, "Pods:          none\n");
		return;
	}
	int w = 4, cw = 9, sw = 5;
	for (size_t i = 0; i < n; i++) {
		const struct node *cs = map_get(pods->u.seq.v[i], "containers");
		int len = (int)strlen(s_at(pods->u.seq.v[i], "name"));
		w = len > w ? len : w;
		node_seq_each(cs, c) {
			int l = (int)strlen(s_at(c, "name")) + 5, sl = (int)strlen(state_text(a, c));
			cw = l > cw ? l : cw, sw = sl > sw ? sl : sw;
		}
	}
	buf_addf(b, "Pods:\n  %-*s   %-9s %-6s %-8s %-6s %s\n", w, "NAME", "PHASE", "READY", "RESTARTS", "AGE",
		 "REGISTRY-READY");
	for (size_t i = 0; i < n; i++) {
		const struct node *p = pods->u.seq.v[i], *cs = map_get(p, "containers");
		buf_addf(b, "  %-*s   %-9s %-6s %-8lld %-6s %s\n", w, s_at(p, "name"), s_at(p, "phase"), s_at(p, "ready"),
			 i_at(p, "restarts"), s_at(p, "age"), node_str_or(map_get(p, "registryReady"), "-"));
		node_seq_each(cs, c) {
			const char *name = node_is_true(map_get(c, "init")) ? arena_printf(a, "init %s", s_at(c, "name"))
									     : s_at(c, "name");
			buf_addf(b, "    %-*s %-*s %lld restart%s%s%s\n", cw, name, sw, state_text(a, c), i_at(c, "restarts"),
				 i_at(c, "restarts") == 1 ? "" : "s", map_get(c, "age") ? ", up " : "",
				 node_str_or(map_get(c, "age"), ""));
		}
	}
}

static void format_object(const struct status_args *v, struct buf *b, const struct node *st)
{
	if (!strcmp(v->output, "json")) {
		json_emit(b, st, 2);
		buf_addc(b, '\n');
	} else {
		yaml_emit_one(b, st);
	}
}

static void format_status(struct status_args *v, struct buf *b, const struct node *st)
{
	if (v->output) {
		format_object(v, b, st);
		return;
	}
	buf_addf(b, "Name:          %s\nNamespace:     %s\n", v->name, v->ns);
	print_scaling(b, st);
	print_lock(b, map_get(st, "registryLock"));
	print_pods(&v->s.a, b, map_get(st, "pods"));
}

/* ---- without NAME: a table of the stores ---- */

static int collect_rows(struct status_args *v, struct store_row **rows, size_t *n)
{
	struct rec_session *s = &v->s;
	struct node *fs, *deps, *hpas, *sos, *leases;
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", "feast.dev/name");
	const char *sel = arena_strdup(&s->a, q.data);
	buf_release(&q);
	if (rec_get_path(s, path_of(v, "feast.dev/v1", "FeatureStore", NULL), NULL, &fs) < 0 ||
	    rec_get_path(s, path_of(v, "apps/v1", "Deployment", NULL), sel, &deps) < 0 ||
	    rec_get_path(s, path_of(v, "autoscaling/v2", "HorizontalPodAutoscaler", NULL), NULL, &hpas) < 0 ||
	    rec_get_path(s, path_of(v, "keda.sh/v1alpha1", "ScaledObject", NULL), NULL, &sos) < 0 ||
	    rec_get_path(s, path_of(v, "coordination.k8s.io/v1", "Lease", NULL), NULL, &leases) < 0)
		return -1;
	struct store_lists in = { fs, deps, hpas, sos, leases };
	*n = store_rows(&s->a, &in, kube_wall_ms(), rows);
	v->list_rv = node_str_or(node_at(deps, "metadata.resourceVersion"), NULL);
	return 0;
}

static struct node *rows_object(struct arena *a, const struct store_row *rows, size_t n)
{
	struct node *seq = node_seq(a, NULL);
	for (size_t i = 0; i < n; i++) {
		struct node *m = node_map(a, NULL);
		map_put(a, m, "namespace", node_str(a, rows[i].ns));
		map_put(a, m, "name", node_str(a, rows[i].name));
		map_put(a, m, "ready", node_str(a, rows[i].ready));
		map_put(a, m, "autoscaler", node_str(a, rows[i].autoscaler));
		map_put(a, m, "lockHolder", node_str(a, rows[i].holder));
		map_put(a, m, "age", node_str(a, rows[i].age));
		seq_push(a, seq, m);
	}
	struct node *list = node_map(a, NULL);
	map_put(a, list, "stores", seq);
	return list;
}

/* The table as kubectl get prints it: columns three spaces apart, NAMESPACE first with -A. */
static void format_rows(struct status_args *v, struct buf *b, const struct store_row *rows, size_t n)
{
	static const char *const head[] = { "NAMESPACE", "NAME", "READY", "AUTOSCALER", "LOCK HOLDER", "AGE" };
	int w[6];
	for (size_t c = 0; c < 6; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const char *cell[6] = { rows[i].ns, rows[i].name, rows[i].ready, rows[i].autoscaler, rows[i].holder, rows[i].age };
		for (size_t c = 0; c < 6; c++)
			w[c] = (int)strlen(cell[c]) > w[c] ? (int)strlen(cell[c]) : w[c];
	}
	size_t from = v->all ? 0 : 1;
	for (size_t r = 0; r <= n; r++) {
		const char *cell[6] = { head[0], head[1], head[2], head[3], head[4], head[5] };
		if (r > 0)
			cell[0] = rows[r - 1].ns, cell[1] = rows[r - 1].name, cell[2] = rows[r - 1].ready,
			cell[3] = rows[r - 1].autoscaler, cell[4] = rows[r - 1].holder, cell[5] = rows[r - 1].age;
		struct buf line = BUF_INIT;
		for (size_t c = from; c < 6; c++)
			buf_addf(&line, c < 5 ? "%-*s   " : "%-*s", c < 5 ? w[c] : 0, cell[c]);
		while (line.len && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		buf_addf(b, "%s\n", line.data);
		buf_release(&line);
	}
}

/* One round: collect and format into `b`; *rows says how many stores the table has.  Returns
 * 0, 1 (no such store) or -1 (cluster). */
static int render_once(struct status_args *v, struct buf *b, size_t *nrows)
{
	*nrows = 1;
	if (!v->name) {
		struct store_row *rows;
		if (collect_rows(v, &rows, nrows) < 0)
			return -1;
		if (v->output)
			format_object(v, b, rows_object(&v->s.a, rows, *nrows));
		else if (*nrows)
			format_rows(v, b, rows, *nrows);
		return 0;
	}
	struct node *st = node_map(&v->s.a, NULL);
	int rc = collect(v, st);
	if (rc == 0)
		format_status(v, b, st);
	return rc;
}

/* ---- --watch ---- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Any change to what the watch follows ends this watch: the caller collects again. */
static int on_event(void *ctx, const char *type, const struct node *obj, struct arena *ea)
{
	(void)obj, (void)ea;
	bool *changed = ctx;
	*changed = true;
	(void)type;
	return 1;
}

/* The watch that says something changed: the store's pods, or (without NAME) the stores'
 * Deployments.  Returns 1 on a change, 0 at the deadline or ^C, -1 when it broke. */
static int wait_change(struct status_args *v, long long deadline_ms)
{
	struct arena a = ARENA_INIT;
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", v->name ? arena_printf(&a, "feast.dev/name=%s", v->name) : "feast.dev/name");
	if (v->list_rv)
		kube_query_add(&q, "resourceVersion", v->list_rv);
	kube_query_add(&q, "allowWatchBookmarks", "false");
	const char *path = v->name ? path_of(v, "v1", "Pod", NULL) : path_of(v, "apps/v1", "Deployment", NULL);
	struct kube_watch_opts wo = { .deadline_ms = deadline_ms, .wake_fd = -1, .cancel = &interrupted };
	struct kube_response r;
	bool changed = false;
	int rc = kube_watch(v->s.c, &a, path, q.data, &wo, on_event, &changed, &r, &v->s.d);
	buf_release(&q);
	arena_free(&a);
	if (rc < 0)
		return -1;
	if (rc == KUBE_WATCH_DEADLINE || rc == KUBE_WATCH_CANCELLED)
		return 0;
	/* A refused or closed watch (410 Expired, the server's own timeout) starts over from a new List. */
	return 1;
}

/* A row without its AGE (the last column): an age that moved on is no change. */
static size_t row_key(const char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	while (len && line[len - 1] != ' ')
		len--;
	return len;
}

/* Print what changed since `prev`: the whole status again, or only the table's new rows. */
static void print_change(struct status_args *v, const struct buf *prev, const struct buf *cur)
{
	const char *p = prev->data ? prev->data : "", *c = cur->data ? cur->data : "";
	if (!strcmp(p, c))
		return;
	if (v->name || v->output) {
		fputs(v->output ? "" : "\n", stdout);
		fputs(c, stdout);
		return;
	}
	for (const char *line = strchr(c, '\n') ? strchr(c, '\n') + 1 : ""; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line), key = row_key(line, len);
		bool seen = false;
		for (const char *q = p; *q && !seen;) {
			const char *qe = strchr(q, '\n');
			size_t ql = qe ? (size_t)(qe - q + 1) : strlen(q);
			seen = row_key(q, ql) == key && !memcmp(q, line, key);
			q += ql;
		}
		if (!seen)
			fwrite(line, 1, len, stdout);
		line += len;
	}
}

static int watch_loop(struct status_args *v, struct buf *prev)
{
	long long timeout = v->s.cfg.timeout_ms, deadline = timeout ? kube_now_ms() + timeout : 0;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);
	int rc = 0;
	while (!interrupted && (!deadline || kube_now_ms() < deadline)) {
		int w = wait_change(v, deadline);
		if (w <= 0) {
			rc = w;
			break;
		}
		struct buf cur = BUF_INIT;
		size_t n;
		/* Each round's answers go to the session arena; a watch of hours grows it slowly. */
		if (render_once(v, &cur, &n) != 0) {
			buf_release(&cur);
			rc = -1;
			break;
		}
		print_change(v, prev, &cur);
		fflush(stdout);
		buf_release(prev);
		*prev = cur;
	}
	sigaction(SIGINT, &old, NULL);
	return rc;
}

static int status_run(struct status_args *v)
{
	if (rec_config(&v->s) < 0)
		return EXIT_CLUSTER;
	rec_print(&v->s);
	if (rec_connect(&v->s) < 0)
		return EXIT_CLUSTER;
	v->ns = v->all ? NULL : v->s.cfg.namespace;
	struct buf b = BUF_INIT;
	size_t n;
	int rc = render_once(v, &b, &n);
	if (rc != 0) {
		buf_release(&b);
		return rc > 0 ? EXIT_INVALID : EXIT_CLUSTER;
	}
	if (!n && !v->output)
		fprintf(stderr, v->ns ? "No resources found in %s namespace.\n" : "No resources found\n", v->ns);
	fputs(b.data ? b.data : "", stdout);
	fflush(stdout);
	if (v->watch && watch_loop(v, &b) < 0) {
		buf_release(&b);
		return EXIT_CLUSTER;
	}
	buf_release(&b);
	if (fflush(stdout) != 0) {
		diag_error(&v->s.d, NULL, "", "writing the status failed");
		return EXIT_CLUSTER;
	}
	return EXIT_OK;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct status_args v;
	memset(&v, 0, sizeof(v));
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = rec_parse(cmd, argc, argv, on_opt, &v, &v.s, &args);
	if (rc == CMD_RUN && args.n > 1)
		rc = usage_error(cmd, "unexpected argument \"%s\"", args.v[1]);
	if (rc == CMD_RUN && args.n && v.all)
		rc = usage_error(cmd, "a NAME names one store in one namespace: leave out -A/--all-namespaces");
	if (rc == CMD_RUN) {
		v.name = args.n ? args.v[0] : NULL;
		rc = status_run(&v);
	}
	return rec_finish(&v.s, rc);
}

const struct command cmd_status = {
	"status",
	"Show how stores are doing: replicas, autoscaler, disruptions, registry lock, pods.",
	"kubectl feast status [NAME | -A] [-w] [-o yaml|json] [kubectl connection flags]",
	"Without NAME: one row per store of the namespace (-A: of every namespace), as kubectl get\n"
	"prints them: NAME, READY (ready/desired replicas), AUTOSCALER (the ScaledObject or HPA that\n"
	"drives the count), LOCK HOLDER (of the registry lock) and AGE.  A store is a FeatureStore, or\n"
	"a Deployment `apply` made (labelled feast.dev/name).\n"
	"\n"
	"With NAME, the FeatureStore's name (its Deployment is feast-NAME, whether `apply` or the\n"
	"Feast operator made it): the desired, updated, ready and available replicas and the rollout\n"
	"(as kubectl rollout status words it), the ScaledObject or HorizontalPodAutoscaler that\n"
	"drives the count (a ScaledObject first: KEDA scales through an HPA of its own), the\n"
	"PodDisruptionBudget's allowed disruptions, the holder of the registry lock (the Lease the\n"
	"store's feast-sidecar takes: feast-NAME-registry-lock, or that of the store whose registry\n"
	"it uses), and each pod's phase, readiness, restarts, age and feast.dev/registry-ready\n"
	"condition (\"-\" when the pod has none, that is outside gate mode), with one line per\n"
	"container: its state, the reason it is waiting or terminated, its restarts and uptime.\n"
	"\n"
	"-w/--watch prints again on every change: of the store's pods with NAME (the whole status),\n"
	"of the stores' Deployments without (only the rows that changed, as kubectl get -w).  It\n"
	"follows a watch, not a poll, and ends at --request-timeout (exit 0) or ^C.\n"
	"\n"
	"Exit codes: 0 shown, 1 no such store (as kubectl get), 2 usage, 3 cluster or API failure.",
	groups, run,
};
