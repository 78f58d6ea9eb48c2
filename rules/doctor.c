/* doctor.c -- a live store's findings: waiting containers, unready pods, the lock, the PDB, HPAs, missing refs. */
#include "doctor.h"

#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "kube_util.h"
#include "scale_target.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

const struct lint_rule doctor_rules[] = {
	{ "image-pull", LINT_ERROR, "status.containerStatuses[].state.waiting",
	  "the kubelet cannot pull a container's image: the pod never starts",
	  "check the image name, its tag and the pod's imagePullSecrets (feast-sidecar: render's --sidecar-image)" },
	{ "crash-loop", LINT_ERROR, "status.containerStatuses[].state.waiting",
	  "a container keeps exiting and the kubelet backs off restarting it: the pod never becomes Ready",
	  "read why it exited: kubectl logs POD -c CONTAINER --previous (feast-apply: the feature repository and the "
	  "registry store)" },
	{ "container-waiting", LINT_WARNING, "status.containerStatuses[].state.waiting",
	  "a container cannot be created or started",
	  "kubectl describe pod POD: the waiting message and the pod's events say what the kubelet needs" },
	{ "lock-wait", LINT_WARNING, "status.initContainerStatuses[feast-apply]",
	  "feast-apply has waited on the registry lock longer than --lock-wait: another pod holds it",
	  "see what the holder runs (kubectl logs HOLDER -c feast-apply); a holder that is gone frees the lock when "
	  "its Lease expires" },
	{ "lease-expired", LINT_WARNING, "spec.renewTime",
	  "the registry lock's Lease names a holder that stopped renewing it: the holder died without releasing",
	  "nothing, if a pod is waiting to take it over; else read the holder's feast-sidecar logs" },
	{ "lease-held-long", LINT_WARNING, "spec.acquireTime",
	  "one holder has kept the registry lock longer than --lock-wait: a feast apply or materialization is stuck",
	  "kubectl logs HOLDER -c feast-apply (or the job that holds it); deleting the holder pod releases the lock" },
	{ "pdb-blocked", LINT_WARNING, "status.disruptionsAllowed",
	  "the PodDisruptionBudget allows no eviction now: node drains and cluster upgrades wait",
	  "get the unready pods Ready (see the other findings), or allow more: maxUnavailable: 1" },
	{ "hpa-metrics", LINT_WARNING, "status.conditions",
	  "the HPA cannot read its metrics, so it does not scale: the replica count stays where it is",
	  "install metrics-server (kubectl top pods must work) and set the metric's resource requests on every "
	  "container" },
	{ "hpa-inactive", LINT_WARNING, "status.conditions[ScalingActive]",
	  "the HPA is not scaling (ScalingActive=False)",
	  "kubectl describe hpa NAME: the condition's message says why" },
	{ "ref-missing", LINT_ERROR, "spec",
	  "the store names a Secret or ConfigMap that does not exist: its pods cannot start or feast-init fails",
	  "create it in the store's namespace, or correct the name in the spec" },
	{ "pod-not-ready", LINT_WARNING, "status.conditions[Ready]",
	  "a pod is not Ready: it gets no traffic and counts against the PodDisruptionBudget",
	  "the reason in the finding; kubectl describe pod POD for its events" },
};
const size_t doctor_rule_count = sizeof(doctor_rules) / sizeof(doctor_rules[0]);

static void report(struct diags *d, const char *rule, const char *obj, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct diags *d, const char *rule, const char *obj, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	struct pos at = { obj, 0, 0 };
	struct diag *x = diag_warn(d, &at, path, "%s", msg);
	x->rule = rule;
}

/* ---- ages ---- */

const char *doctor_age(struct arena *a, long long ms)
{
	long long s = ms / 1000, m = s / 60, h = m / 60, days = h / 24, y = days / 365;
	if (ms < 0)
		return s < -1 ? "<invalid>" : "0s";
	if (s < 120)
		return arena_printf(a, "%llds", s);
	if (m < 10)
		return s % 60 ? arena_printf(a, "%lldm%llds", m, s % 60) : arena_printf(a, "%lldm", m);
	if (m < 180)
		return arena_printf(a, "%lldm", m);
	if (h < 8)
		return m % 60 ? arena_printf(a, "%lldh%lldm", h, m % 60) : arena_printf(a, "%lldh", h);
	if (h < 48)
		return arena_printf(a, "%lldh", h);
	if (h < 24 * 8)
		return h % 24 ? arena_printf(a, "%lldd%lldh", days, h % 24) : arena_printf(a, "%lldd", days);
	if (days < 365 * 2)
		return arena_printf(a, "%lldd", days);
	if (days < 365 * 8)
		return days % 365 ? arena_printf(a, "%lldy%lldd", y, days % 365) : arena_printf(a, "%lldy", y);
	return arena_printf(a, "%lldy", y);
}

/* Milliseconds since the timestamp at `path` of n, or -1 when it has none. */
static long long since(const struct node *n, const char *path, long long now_ms)
{
	long long t;
	const char *s = node_str_or(node_at(n, path), NULL);
	return s && kube_parse_time(s, &t) ? now_ms - t : -1;
}

const char *doctor_lease_name(struct arena *a, const struct node *dep, const char *store)
{
	static const char *const lists[] = { "spec.template.spec.initContainers", "spec.template.spec.containers" };
	for (size_t l = 0; l < 2; l++) {
		const struct node *side = seq_find_by(node_at(dep, lists[l]), "name", "feast-sidecar");
		const struct node *args = map_get(side, "args");
		node_seq_each(args, arg_node) {
			const char *arg = node_str_or(arg_node, "");
			if (!strncmp(arg, "--lease=", 8) && arg[8])
				return arena_strdup(a, arg + 8);
		}
	}
	return arena_printf(a, "feast-%s-registry-lock", store);
}

/* ---- Secrets and ConfigMaps ---- */

static void add_ref(struct arena *a, struct doctor_refs *out, const char *kind, const struct node *name,
		    const char *where, const char *path)
{
	const char *n = node_str_or(name, "");
	if (!*n)
		return;
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i].kind, kind) && !strcmp(out->v[i].name, n))
			return;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		struct doctor_ref *v = arena_alloc(a, cap * sizeof(*v));
		if (out->n)
			memcpy(v, out->v, out->n * sizeof(*v));
		out->v = v, out->cap = cap;
	}
	out->v[out->n++] = (struct doctor_ref){ kind, n, where, path, false };
}

/* The kind a reference under `key` names, and the key of its name; NULL when none. */
static const char *ref_kind(const char *key, const char **name_key)
{
	static const struct {
		const char *key, *kind, *name;
	} keys[] = {
		{ "secretRef", "Secret", "name" },     { "secretKeyRef", "Secret", "name" },
		{ "configMapRef", "ConfigMap", "name" }, { "configMapKeyRef", "ConfigMap", "name" },
		{ "secret", "Secret", "secretName" },    { "configMap", "ConfigMap", "name" },
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].key, key)) {
			*name_key = keys[i].name;
			return keys[i].kind;
		}
	return NULL;
}

static void walk_refs(struct arena *a, const struct node *n, const char *path, const char *where,
		      struct doctor_refs *out)
{
	for (size_t i = 0; i < node_seq_len(n); i++)
		walk_refs(a, n->u.seq.v[i], arena_printf(a, "%s[%zu]", path, i), where, out);
	node_map_each(n, p) {
		const char *key = p->key, *name_key;
		const struct node *v = p->val;
		const char *sub = *path ? arena_printf(a, "%s.%s", path, key) : key;
		const char *kind = ref_kind(key, &name_key);
		if (kind && v && v->kind == NODE_MAP && !node_is_true(map_get(v, "optional")))
			add_ref(a, out, kind, map_get(v, name_key), where, arena_printf(a, "%s.%s", sub, name_key));
		else if (!strcmp(key, "imagePullSecrets") && v && v->kind == NODE_SEQ)
			for (size_t j = 0; j < v->u.seq.n; j++)
				add_ref(a, out, "Secret", map_get(v->u.seq.v[j], "name"), where,
					arena_printf(a, "%s[%zu].name", sub, j));
		else
			walk_refs(a, v, sub, where, out);
	}
}

void doctor_refs(struct arena *a, const struct node *obj, const char *where, struct doctor_refs *out)
{
	if (!obj)
		return;
	const struct node *tmpl = node_at(obj, "spec.template.spec");
	if (tmpl)
		walk_refs(a, tmpl, "spec.template.spec", where, out);
	else
		walk_refs(a, map_get(obj, "spec"), "spec", where, out);
}

static void judge_refs(const struct doctor_refs *refs, struct diags *d)
{
	for (size_t i = 0; refs && i < refs->n; i++) {
		const struct doctor_ref *r = &refs->v[i];
		if (!r->exists)
			report(d, "ref-missing", r->where, r->path, "%s \"%s\" does not exist in the store's namespace",
			       r->kind, r->name);
	}
}

/* ---- pods ---- */

struct pod_ctx {
	struct arena *a;
	const struct doctor_input *in;
	struct diags *d;
	const char *obj;  /* "pod/NAME" */
};

static bool starting(const char *reason)
{
	return !strcmp(reason, "ContainerCreating") || !strcmp(reason, "PodInitializing");
}

/* The Lease's holder, for messages about waiting on it. */
static const char *holder_of(struct arena *a, const struct doctor_input *in)
{
	const char *h = node_str_or(node_at(in->lease, "spec.holderIdentity"), "");
	const char *lease = node_str_or(node_at(in->lease, "metadata.name"), "the registry lock");
	if (!*h)
		return arena_printf(a, "Lease %s has no holder now", lease);
	long long renewed = since(in->lease, "spec.renewTime", in->now_ms);
	return renewed < 0 ? arena_printf(a, "Lease %s is held by %s", lease, h)
			   : arena_printf(a, "Lease %s is held by %s (renewed %s ago)", lease, h,
					  doctor_age(a, renewed));
}

/* ", last exit code 1 (Error)" from lastState.terminated, or "". */
static const char *last_exit(struct arena *a, const struct node *cs)
{
	const struct node *t = node_at(cs, "lastState.terminated");
	int64_t code = 0;
	if (!t || !node_get_int(map_get(t, "exitCode"), &code))
		return "";
	const char *why = node_str_or(map_get(t, "reason"), NULL);
	return why ? arena_printf(a, ", last exit code %lld (%s)", (long long)code, why)
		   : arena_printf(a, ", last exit code %lld", (long long)code);
}

static void judge_container(struct pod_ctx *c, const struct node *cs, const char *list, bool init)
{
	const char *name = node_str_or(map_get(cs, "name"), "");
	const char *path = arena_printf(c->a, "status.%s[%s]", list, name);
	const struct node *waiting = node_at(cs, "state.waiting");
	int64_t restarts = 0;
	node_get_int(map_get(cs, "restartCount"), &restarts);
	if (waiting) {
		const char *reason = node_str_or(map_get(waiting, "reason"), "");
		const char *msg = node_str_or(map_get(waiting, "message"), "");
		const char *sep = *msg ? ": " : "";
		if (!strcmp(reason, "ImagePullBackOff") || !strcmp(reason, "ErrImagePull") ||
		    !strcmp(reason, "InvalidImageName"))
			report(c->d, "image-pull", c->obj, path, "container %s waits in %s for image \"%s\"%s%s", name,
			       reason, node_str_or(map_get(cs, "image"), "?"), sep, msg);
		else if (!strcmp(reason, "CrashLoopBackOff"))
			report(c->d, "crash-loop", c->obj, path, "container %s is in CrashLoopBackOff after %lld restart%s%s",
			       name, (long long)restarts, restarts == 1 ? "" : "s", last_exit(c->a, cs));
		else if (*reason && !starting(reason))
			report(c->d, "container-waiting", c->obj, path, "container %s waits: %s%s%s", name, reason, sep, msg);
		return;
	}
	long long ran = since(cs, "state.running.startedAt", c->in->now_ms);
	if (init && !strcmp(name, "feast-apply") && c->in->lock_wait_ms > 0 && ran > c->in->lock_wait_ms)
		report(c->d, "lock-wait", c->obj, path, "init container feast-apply has run for %s (--lock-wait %s): %s",
		       doctor_age(c->a, ran), doctor_age(c->a, c->in->lock_wait_ms), holder_of(c->a, c->in));
}

static const char *cond_why(struct arena *a, const struct node *cond)
{
	const char *reason = node_str_or(map_get(cond, "reason"), ""), *msg = node_str_or(map_get(cond, "message"), "");
	if (!*reason && !*msg)
		return "";
	return arena_printf(a, " (%s%s%s)", reason, *reason && *msg ? ": " : "", msg);
}

/* Why a pod is not Ready, in the order the kubelet gets there. */
static const char *unready_why(struct arena *a, const struct node *pod)
{
	const struct node *sched = kube_condition(pod, "PodScheduled"), *gate = kube_condition(pod, "feast.dev/registry-ready");
	if (sched && strcmp(node_str_or(map_get(sched, "status"), ""), "True"))
		return arena_printf(a, "not scheduled%s", cond_why(a, sched));
	static const char *const lists[] = { "status.initContainerStatuses", "status.containerStatuses" };
	for (size_t l = 0; l < 2; l++) {
		const struct node *v = node_at(pod, lists[l]);
		node_seq_each(v, cs) {
			const struct node *w = node_at(cs, "state.waiting");
			if (w)
				return arena_printf(a, "%scontainer %s is waiting (%s)", l ? "" : "init ",
						    node_str_or(map_get(cs, "name"), ""), node_str_or(map_get(w, "reason"), "?"));
			if (l && !node_is_true(map_get(cs, "ready")))
				return arena_printf(a, "container %s is not ready", node_str_or(map_get(cs, "name"), ""));
		}
	}
	if (gate && strcmp(node_str_or(map_get(gate, "status"), ""), "True"))
		return arena_printf(a, "its feast.dev/registry-ready condition is %s%s: the registry it serves is not "
				    "synced (feast-sidecar's logs say why)", node_str_or(map_get(gate, "status"), "Unknown"),
				    cond_why(a, gate));
	const struct node *ready = kube_condition(pod, "Ready");
	return arena_printf(a, "phase %s%s", node_str_or(node_at(pod, "status.phase"), "Unknown"),
			    ready ? cond_why(a, ready) : "");
}

static void judge_pod(struct arena *a, const struct doctor_input *in, const struct node *pod, struct diags *d)
{
	struct pod_ctx c = { a, in, d, arena_printf(a, "pod/%s", node_str_or(node_at(pod, "metadata.name"), "")) };
	const char *phase = node_str_or(node_at(pod, "status.phase"), "");
	if (node_at(pod, "metadata.deletionTimestamp") || !strcmp(phase, "Succeeded"))
		return;
	static const char *const lists[] = { "initContainerStatuses", "containerStatuses" };
	for (size_t l = 0; l < 2; l++) {
		const struct node *v = node_at(pod, arena_printf(a, "status.%s", lists[l]));
		node_seq_each(v, cs)
			judge_container(&c, cs, lists[l], l == 0);
	}
	const struct node *ready = kube_condition(pod, "Ready");
	if (!ready || strcmp(node_str_or(map_get(ready, "status"), ""), "True"))
		report(d, "pod-not-ready", c.obj, "status.conditions[Ready]", "not Ready: %s", unready_why(a, pod));
}

/* ---- the lock, the PDB, the HPAs ---- */

static void judge_lease(struct arena *a, const struct doctor_input *in, struct diags *d)
{
	const char *holder = node_str_or(node_at(in->lease, "spec.holderIdentity"), "");
	if (!*holder)
		return;
	const char *obj = arena_printf(a, "lease/%s", node_str_or(node_at(in->lease, "metadata.name"), ""));
	int64_t dur = 0;
	node_get_int(node_at(in->lease, "spec.leaseDurationSeconds"), &dur);
	long long renewed = since(in->lease, "spec.renewTime", in->now_ms);
	long long held = since(in->lease, "spec.acquireTime", in->now_ms);
	if (renewed > dur * 1000)
		report(d, "lease-expired", obj, "spec.renewTime",
		       "held by %s, last renewed %s ago, past its %llds leaseDurationSeconds", holder,
		       doctor_age(a, renewed), (long long)dur);
	else if (in->lock_wait_ms > 0 && held > in->lock_wait_ms)
		report(d, "lease-held-long", obj, "spec.acquireTime", "held by %s for %s (--lock-wait %s)", holder,
		       doctor_age(a, held), doctor_age(a, in->lock_wait_ms));
}

static void judge_pdb(struct arena *a, const struct node *pdb, struct diags *d)
{
	int64_t allowed = 1, expected = 0, healthy = 0, desired = 0;
	if (!pdb || !node_get_int(node_at(pdb, "status.disruptionsAllowed"), &allowed) || allowed > 0)
		return;
	node_get_int(node_at(pdb, "status.expectedPods"), &expected);
	node_get_int(node_at(pdb, "status.currentHealthy"), &healthy);
	node_get_int(node_at(pdb, "status.desiredHealthy"), &desired);
	if (expected <= 0)
		return;
	report(d, "pdb-blocked", arena_printf(a, "poddisruptionbudget.policy/%s",
					      node_str_or(node_at(pdb, "metadata.name"), "")),
	       "status.disruptionsAllowed", "0 disruptions allowed: %lld of %lld pods healthy, %lld must stay healthy",
	       (long long)healthy, (long long)expected, (long long)desired);
}

static void judge_hpa(struct arena *a, const struct node *hpa, struct diags *d)
{
	const char *obj = arena_printf(a, "horizontalpodautoscaler.autoscaling/%s",
				       node_str_or(node_at(hpa, "metadata.name"), ""));
	const struct node *conds = node_at(hpa, "status.conditions");
	const struct node *active = kube_condition(hpa, "ScalingActive");
	bool metrics = false;
	node_seq_each(conds, c) {
		if (!strncmp(node_str_or(map_get(c, "reason"), ""), "FailedGet", 9) &&
		    strcmp(node_str_or(map_get(c, "status"), ""), "True")) {
			report(d, "hpa-metrics", obj, arena_printf(a, "status.conditions[%s]", node_str_or(map_get(c, "type"), "")),
			       "%s=False%s", node_str_or(map_get(c, "type"), "?"), cond_why(a, c));
			metrics = true;
			break;
		}
	}
	if (!metrics && active && !strcmp(node_str_or(map_get(active, "status"), ""), "False"))
		report(d, "hpa-inactive", obj, "status.conditions[ScalingActive]", "ScalingActive=False%s",
		       cond_why(a, active));
}

size_t doctor_judge(struct arena *a, const struct doctor_input *in, struct diags *d)
{
	size_t before = d->n;
	const struct node *pods = map_get(in->pods, "items"), *hpas = map_get(in->hpas, "items");
	node_seq_each(pods, pod)
		judge_pod(a, in, pod, d);
	judge_lease(a, in, d);
	judge_pdb(a, in->pdb, d);
	node_seq_each(hpas, hpa)
		if (scale_ref_aims_at(node_at(hpa, "spec.scaleTargetRef"), in->store, SCALE_AIM_ANY, false))
			judge_hpa(a, hpa, d);
	judge_refs(in->refs, d);
	return d->n - before;
}
