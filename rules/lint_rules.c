/* lint_rules.c -- the lint rules: one table row each, and the checks that find them. */
#include "lint.h"
#include "lint_int.h"

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "keda.h"
#include "spec.h"
#include "yaml_in.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const struct lint_rule lint_rules[] = {
	{ "pdb-no-disruption", LINT_WARNING, "spec.services.podDisruptionBudgets",
	  "the PDB allows no voluntary disruption at the store's fewest replicas: node drains and cluster upgrades block",
	  "use maxUnavailable: 1, or a minAvailable below the fewest replicas the store runs" },
	{ "utilization-no-requests", LINT_WARNING, "spec.services.scaling.autoscaling.metrics",
	  "a cpu/memory Utilization target needs that request on every container: the HPA stays at <unknown>",
	  "set resources.requests (or limits) for that resource on every server, or target an AverageValue" },
	{ "single-replica", LINT_WARNING, "spec.services.scaling.autoscaling.minReplicas",
	  "the store can run one replica: a node drain or a crash then leaves no server, whatever the PDB says",
	  "set minReplicas (KEDA: minReplicaCount) or spec.replicas to 2 or more" },
	{ "spread-disabled", LINT_WARNING, "spec.services.topologySpreadConstraints",
	  "topologySpreadConstraints: [] turns off the operator's zone spread: every replica may land in one zone",
	  "remove the empty list (the operator then spreads across zones) or write your own constraints" },
	{ "anti-affinity-hard", LINT_WARNING,
	  "spec.services.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution",
	  "required anti-affinity allows one pod per node or zone: replicas beyond the declared count stay Pending",
	  "use preferredDuringSchedulingIgnoredDuringExecution, or keep the replicas within the nodes or zones" },
	{ "keda-targets-deployment", LINT_WARNING, "spec.scaleTargetRef",
	  "KEDA scaling the operator's Deployment fights the operator, which resets its replicas from spec.replicas",
	  "target the FeatureStore's scale subresource: apiVersion feast.dev/v1, kind FeatureStore, name <store>" },
	{ "image-unpinned", LINT_WARNING, "spec.services.*.server.image",
	  "an image without a tag or with :latest moves under a running store: replicas run different code",
	  "pin a version tag or a digest (@sha256:...)" },
	{ "grace-too-short", LINT_WARNING, "spec.template.spec.terminationGracePeriodSeconds",
	  "the kubelet kills the pod before preStop, the servers' shutdown and the sidecar's lock release finish",
	  "raise terminationGracePeriodSeconds to the longest preStop sleep + " LINT_STR(LINT_AFTER_PRESTOP_S)
	  " s (render gives 5 s more)" },
};
const size_t lint_rule_count = sizeof(lint_rules) / sizeof(lint_rules[0]);

#define K8S_DEFAULT_GRACE_S 30

struct lint_ctx {
	struct arena *a;
	const struct lint_opts *o;
	struct diags *d;
	struct keda_list keda;
	size_t found;
};

/* One FeatureStore with what the rules ask of it. */
struct store {
	const struct document *doc;
	const struct node *services, *autoscaling, *pdb;
	const struct keda_so *keda;
	int64_t floor, ceiling;    /* the fewest and the most replicas it runs */
	const char *floor_from, *ceiling_from;
	struct fs fs;
};

#define REPORT(c, doc, id, at, path, ...) ((c)->found += (size_t)lint_report((c)->d, doc, id, at, path, __VA_ARGS__))

static void replica_range(struct store *st)
{
	const struct node *spec = map_get(st->doc->root, "spec");
	int64_t v = 1;
	if (st->keda) {
		st->floor = st->keda->min, st->ceiling = st->keda->max;
		st->floor_from = "the ScaledObject's minReplicaCount";
		st->ceiling_from = "the ScaledObject's maxReplicaCount";
	} else if (st->autoscaling) {
		st->floor = node_get_int(map_get(st->autoscaling, "minReplicas"), &v) ? v : 1;
		st->ceiling = node_get_int(map_get(st->autoscaling, "maxReplicas"), &v) ? v : st->floor;
		st->floor_from = "services.scaling.autoscaling.minReplicas";
		st->ceiling_from = "services.scaling.autoscaling.maxReplicas";
	} else {
		st->floor = st->ceiling = node_get_int(map_get(spec, "replicas"), &v) ? v : 1;
		st->floor_from = st->ceiling_from = "spec.replicas";
	}
}

/* An IntOrString percentage ("25%"): true and its number. */
static bool percent(const struct node *n, int64_t *p)
{
	const char *s;
	if (!node_get_str(n, &s) || !*s || s[strlen(s) - 1] != '%')
		return false;
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '%' || v < 0)
		return false;
	*p = v;
	return true;
}

/* Percentages scale up, as the disruption controller rounds them. */
static int64_t scaled(int64_t pct, int64_t n)
{
	return (pct * n + 99) / 100;
}

/* ---- FeatureStore rules ---- */

static void check_pdb(struct lint_ctx *c, const struct store *st)
{
	const struct node *min = map_get(st->pdb, "minAvailable"), *max = map_get(st->pdb, "maxUnavailable");
	int64_t n = st->floor, v, allowed;
	/* The operator creates the PDB only when the store scales; single-replica covers the rest. */
	if (!st->pdb || (!st->keda && !st->autoscaling && n <= 1))
		return;
	if (max) {
		allowed = percent(max, &v) ? scaled(v, n) : node_get_int(max, &v) ? v : 1;
		if (allowed <= 0)
			REPORT(c, st->doc, "pdb-no-disruption", max, "spec.services.podDisruptionBudgets.maxUnavailable",
			       "maxUnavailable %s lets no pod go: node drains and cluster upgrades block",
			       node_text(max));
	}
	if (min) {
		allowed = n - (percent(min, &v) ? scaled(v, n) : node_get_int(min, &v) ? v : 0);
		if (allowed <= 0)
			REPORT(c, st->doc, "pdb-no-disruption", min, "spec.services.podDisruptionBudgets.minAvailable",
			       "minAvailable %s leaves no pod to disrupt at %lld replicas (%s): node drains and "
			       "cluster upgrades block",
			       node_text(min), (long long)n, st->floor_from);
	}
}

/* Does server `s` ask for `res` (a request, or a limit the API server copies into it)? */
static bool has_request(const struct server *sv, const char *res)
{
	const struct node *r = map_get(sv->cfg, "resources");
	return !node_is_empty(map_get(map_get(r, "requests"), res)) || !node_is_empty(map_get(map_get(r, "limits"), res));
}

static const char *const server_paths[SRV_COUNT] = {
	"spec.services.registry.local.server", "spec.services.onlineStore.server",
	"spec.services.offlineStore.server", "spec.services.ui",
};

/* A Utilization target on `res` (only container `only`, if set) over containers without it. */
static void need_requests(struct lint_ctx *c, const struct store *st, const struct node *at, const char *path,
			  const char *res, const char *only, const char *who)
{
	if (!res || (strcmp(res, "cpu") && strcmp(res, "memory")))
		return;
	for (int s = 0; s < SRV_COUNT; s++) {
		const struct server *sv = &st->fs.srv[s];
		if (!sv->on || (only && strcmp(only, srv_names[s])) || has_request(sv, res))
			continue;
		REPORT(c, st->doc, "utilization-no-requests", at, path,
		       "%s targets %s Utilization, but container \"%s\" requests no %s (%s.resources.requests.%s): "
		       "the HPA cannot compute utilization and stays at <unknown>",
		       who, res, srv_names[s], res, server_paths[s], res);
	}
}

static void check_hpa_metrics(struct lint_ctx *c, const struct store *st)
{
	const struct node *metrics = map_get(st->autoscaling, "metrics");
	if (!st->autoscaling)
		return;
	if (!metrics || metrics->kind != NODE_SEQ) {
		need_requests(c, st, st->autoscaling, "spec.services.scaling.autoscaling", "cpu", NULL,
			      "the HPA (80% cpu when metrics is left out)");
		return;
	}
	for (size_t i = 0; i < metrics->u.seq.n; i++) {
		const struct node *m = metrics->u.seq.v[i];
		const char *type = node_str_or(map_get(m, "type"), "");
		const struct node *src = map_get(m, !strcmp(type, "Resource") ? "resource" : "containerResource");
		if (strcmp(type, "Resource") && strcmp(type, "ContainerResource"))
			continue;
		if (strcmp(node_str_or(node_at(src, "target.type"), ""), "Utilization"))
			continue;
		need_requests(c, st, m, arena_printf(c->a, "spec.services.scaling.autoscaling.metrics[%zu]", i),
			      node_str_or(map_get(src, "name"), NULL), node_str_or(map_get(src, "container"), NULL),
			      "the HPA");
	}
}

static void check_single_replica(struct lint_ctx *c, const struct store *st)
{
	if (st->autoscaling && st->floor <= 1) {
		const struct node *min = map_get(st->autoscaling, "minReplicas");
		REPORT(c, st->doc, "single-replica", min ? min : st->autoscaling,
		       min ? "spec.services.scaling.autoscaling.minReplicas" : "spec.services.scaling.autoscaling",
		       "the HPA may scale the store down to %lld replica%s%s: a node drain or a crash then leaves "
		       "no server",
		       (long long)st->floor, st->floor == 1 ? "" : "s", min ? "" : " (minReplicas defaults to 1)");
	} else if (st->pdb && !st->autoscaling && !st->keda && st->floor <= 1) {
		REPORT(c, st->doc, "single-replica", st->pdb, "spec.services.podDisruptionBudgets",
		       "a PDB on a store of 1 replica: the operator creates none without scaling, and a drain "
		       "takes the only pod down anyway");
	}
}

static void check_spread(struct lint_ctx *c, const struct store *st)
{
	const struct node *tsc = map_get(st->services, "topologySpreadConstraints");
	if (!tsc || tsc->kind != NODE_SEQ || tsc->u.seq.n || st->ceiling <= 1 || c->o->zones == 1)
		return;
	REPORT(c, st->doc, "spread-disabled", tsc, "spec.services.topologySpreadConstraints",
	       "[] turns off the operator's zone spread for up to %lld replicas (%s): all of them may land in "
	       "one zone%s",
	       (long long)st->ceiling, st->ceiling_from,
	       c->o->zones > 1 ? arena_printf(c->a, " of the %d declared with --zones", c->o->zones) : "");
}

static void check_anti_affinity(struct lint_ctx *c, const struct store *st)
{
	const struct node *req =
		node_at(st->services, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution");
	for (size_t i = 0; i < node_seq_len(req); i++) {
		const char *key = node_str_or(map_get(req->u.seq.v[i], "topologyKey"), "");
		bool node = !strcmp(key, "kubernetes.io/hostname");
		bool zone = !strcmp(key, "topology.kubernetes.io/zone");
		int have = node ? c->o->nodes : zone ? c->o->zones : 0;
		if (!have || st->ceiling <= have)
			continue;
		REPORT(c, st->doc, "anti-affinity-hard", req->u.seq.v[i],
		       arena_printf(c->a,
				    "spec.services.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[%zu]",
				    i),
		       "one pod per %s: %lld replicas (%s) cannot fit on the %d %s declared with --%s; the rest stay "
		       "Pending",
		       node ? "node" : "zone", (long long)st->ceiling, st->ceiling_from, have, node ? "nodes" : "zones",
		       node ? "nodes" : "zones");
	}
}

/* Why an image reference is not pinned (no tag and no digest, or :latest), or NULL. */
static const char *unpinned(const char *image)
{
	if (!image || strchr(image, '@'))
		return NULL;
	const char *slash = strrchr(image, '/'), *colon = strrchr(image, ':');
	if (!colon || (slash && colon < slash))
		return "no tag";
	return strcmp(colon + 1, "latest") ? NULL : "the tag latest";
}

static void check_server_images(struct lint_ctx *c, const struct store *st)
{
	for (int s = 0; s < SRV_COUNT; s++) {
		const struct node *img = map_get(st->fs.srv[s].cfg, "image");
		const char *why = unpinned(node_str_or(img, NULL));
		if (st->fs.srv[s].on && why)
			REPORT(c, st->doc, "image-unpinned", img, arena_printf(c->a, "%s.image", server_paths[s]),
			       "image \"%s\" of the %s server has %s", node_text(img), srv_names[s], why);
	}
}

static void lint_store(struct lint_ctx *c, const struct document *doc)
{
	struct store st;
	memset(&st, 0, sizeof(st));
	st.doc = doc;
	st.services = node_at(doc->root, "spec.services");
	st.autoscaling = node_at(st.services, "scaling.autoscaling");
	st.pdb = map_get(st.services, "podDisruptionBudgets");
	st.keda = keda_for_store(&c->keda, doc);
	struct diags scratch;
	diags_init(&scratch, c->a);
	/* check_documents() accepted the store, so its typed view decodes. */
	if (spec_decode(c->a, doc, NULL, NULL, false, &st.fs, &scratch) < 0)
		return;
	replica_range(&st);
	check_pdb(c, &st);
	check_hpa_metrics(c, &st);
	check_single_replica(c, &st);
	check_spread(c, &st);
	check_anti_affinity(c, &st);
	check_server_images(c, &st);
}

/* ---- ScaledObject rules ---- */

static void lint_scaledobject(struct lint_ctx *c, const struct document *doc)
{
	const struct keda_so *so = NULL;
	for (size_t i = 0; i < c->keda.n && !so; i++)
		if (c->keda.v[i].doc == doc)
			so = &c->keda.v[i];
	if (!so)
		return;
	const char *store = node_str_or(node_at(so->fs->root, "metadata.name"), "");
	/* KEDA's default kind is Deployment. */
	if (c->o->target_operator && so->ref && !strcmp(node_str_or(map_get(so->ref, "kind"), "Deployment"), "Deployment"))
		REPORT(c, doc, "keda-targets-deployment", so->ref, "spec.scaleTargetRef",
		       "scales the Deployment feast-%s, whose replicas the operator resets from FeatureStore \"%s\" "
		       "spec.replicas: KEDA and the operator fight over the count",
		       store, store);
	if (so->max > 1 && so->min <= 1) {
		const struct node *min = map_get(so->spec, "minReplicaCount");
		REPORT(c, doc, "single-replica", min ? min : so->spec, min ? "spec.minReplicaCount" : "spec",
		       "KEDA may scale FeatureStore \"%s\" down to %lld replica%s%s: a node drain or a crash then "
		       "leaves no server",
		       store, (long long)so->min, so->min == 1 ? "" : "s",
		       min ? "" : " (render writes minReplicaCount: 1 when none is given)");
	}
	const struct node *triggers = map_get(so->spec, "triggers");
	struct store st;
	memset(&st, 0, sizeof(st));
	st.doc = doc;
	struct diags scratch;
	diags_init(&scratch, c->a);
	if (!triggers || triggers->kind != NODE_SEQ || spec_decode(c->a, so->fs, NULL, NULL, false, &st.fs, &scratch) < 0)
		return;
	for (size_t i = 0; i < triggers->u.seq.n; i++) {
		const struct node *t = triggers->u.seq.v[i];
		const char *mt = node_str_or(map_get(t, "metricType"), node_str_or(node_at(t, "metadata.type"), ""));
		if (!strcmp(mt, "Utilization"))
			need_requests(c, &st, t, arena_printf(c->a, "spec.triggers[%zu]", i),
				      node_str_or(map_get(t, "type"), NULL),
				      node_str_or(node_at(t, "metadata.containerName"), NULL), "the KEDA trigger");
	}
}

/* ---- Deployments in the input (rendered manifests, overlays) ---- */

/* The preStop sleep of a container, in seconds (the sleep action or `sleep N`), or 0. */
static int64_t prestop_seconds(const struct node *ctr)
{
	const struct node *pre = node_at(ctr, "lifecycle.preStop");
	int64_t v = 0;
	if (node_get_int(node_at(pre, "sleep.seconds"), &v))
		return v;
	const struct node *cmd = node_at(pre, "exec.command");
	node_seq_each(cmd, word) {
		const char *w = node_text(word), *s;
		if (w && (s = strstr(w, "sleep")) != NULL)
			return strtoll(s + 5 + strspn(s + 5, " "), NULL, 10);
	}
	return 0;
}

static void check_containers(struct lint_ctx *c, const struct document *doc, const struct node *list,
			     const char *path, bool *sidecar, int64_t *prestop)
{
	for (size_t i = 0; i < node_seq_len(list); i++) {
		const struct node *ctr = list->u.seq.v[i], *img = map_get(ctr, "image");
		const char *name = node_str_or(map_get(ctr, "name"), ""), *why = unpinned(node_str_or(img, NULL));
		if (why)
			REPORT(c, doc, "image-unpinned", img, arena_printf(c->a, "%s[%zu].image", path, i),
			       "image \"%s\" of container \"%s\" has %s", node_text(img), name, why);
		*sidecar |= !strcmp(name, "feast-sidecar");
		int64_t p = prestop_seconds(ctr);
		*prestop = p > *prestop ? p : *prestop;
	}
}

static void lint_deployment(struct lint_ctx *c, const struct document *doc)
{
	const struct node *pod = node_at(doc->root, "spec.template.spec");
	bool sidecar = false;
	int64_t prestop = 0, grace = K8S_DEFAULT_GRACE_S;
	check_containers(c, doc, map_get(pod, "initContainers"), "spec.template.spec.initContainers", &sidecar,
			 &prestop);
	check_containers(c, doc, map_get(pod, "containers"), "spec.template.spec.containers", &sidecar, &prestop);
	const struct node *g = map_get(pod, "terminationGracePeriodSeconds");
	node_get_int(g, &grace);
	if (sidecar && grace < prestop + LINT_AFTER_PRESTOP_S)
		REPORT(c, doc, "grace-too-short", g ? g : pod,
		       g ? "spec.template.spec.terminationGracePeriodSeconds" : "spec.template.spec",
		       "terminationGracePeriodSeconds %lld%s is shorter than the %lld s preStop sleep + %d s server "
		       "shutdown + %d s lock release of feast-sidecar (%lld s)",
		       (long long)grace, g ? "" : " (the default)", (long long)prestop, LINT_SERVER_STOP_S,
		       LINT_LOCK_RELEASE_S, (long long)(prestop + LINT_AFTER_PRESTOP_S));
}

static bool is_deployment(const struct node *root)
{
	return !strcmp(node_str_or(map_get(root, "kind"), ""), "Deployment") &&
	       !strcmp(node_str_or(map_get(root, "apiVersion"), ""), "apps/v1");
}

static int by_pos(const void *x, const void *y)
{
	const struct diag *a = x, *b = y;
	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	if (a->pos.col != b->pos.col)
		return a->pos.col < b->pos.col ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

size_t lint_documents(struct arena *a, const struct doclist *docs, const struct lint_opts *o, struct diags *d)
{
	struct lint_ctx c = { .a = a, .o = o, .d = d };
	struct diags scratch;
	diags_init(&scratch, a);
	keda_resolve(a, docs, &c.keda, &scratch);
	for (size_t i = 0; i < docs->n; i++) {
		const struct document *doc = &docs->v[i];
		size_t from = d->n;
		switch (doc_classify(doc->root)) {
		case DOC_FEATURESTORE_V1:
		case DOC_FEATURESTORE_V1ALPHA1: lint_store(&c, doc); break;
		case DOC_SCALEDOBJECT: lint_scaledobject(&c, doc); break;
		default:
			if (is_deployment(doc->root))
				lint_deployment(&c, doc);
		}
		/* One document's findings in source order, whichever rule found them first. */
		if (d->n - from > 1)
			qsort(d->v + from, d->n - from, sizeof(d->v[0]), by_pos);
	}
	return c.found;
}
