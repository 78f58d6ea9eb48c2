/* obj_scaledobject.c -- KEDA ScaledObject for a store: the user's triggers, completed. */
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "keda.h"
#include "render_int.h"
#include "yaml_in.h"

#include <string.h>

#define TRANSFER_HPA "scaledobject.keda.sh/transfer-hpa-ownership"

void keda_resolve_run(struct render_ctx *r, const struct doclist *docs)
{
	struct keda_list *l = arena_alloc(r->run, sizeof(*l));
	/* check_documents() has reported every pairing problem; errors here are counted. */
	r->errors += (int)keda_resolve(r->run, docs, l, r->d);
	r->keda = l;
	if (r->opts->keda_adopt_hpa && !l->n)
		diag_warn(r->d, NULL, "", "--keda-adopt-hpa: no ScaledObject in the input scales a FeatureStore");
}

void keda_attach(struct render_ctx *r, struct store *st)
{
	const struct keda_so *so = keda_for_store(r->keda, st->fs.doc);
	if (!so)
		return;
	st->keda = so;
	/* KEDA owns the count; above 1 the store gets the same HA treatment as with an HPA. */
	st->fs.replicas_external = true;
	st->fs.scaling = st->fs.scaling || so->max > 1;
}

bool keda_consumed(const struct render_ctx *r, const struct document *doc)
{
	for (size_t i = 0; r->keda && i < r->keda->n; i++)
		if (r->keda->v[i].doc == doc)
			return true;
	return false;
}

/* The store's labels, then the user's own extra ones (ours win: prune and selectors rely on them). */
static struct node *labels(struct render_ctx *r, const struct store *st, const struct node *user)
{
	struct node *l = labels_new(r, &st->fs, NULL, "feature-server");
	node_map_each(user, u)
		if (!map_get(l, u->key) && !node_is_null(u->val))
			map_put(r->a, l, u->key, user_copy(r, u->val));
	return l;
}

/* name, namespace, labels, annotations; other metadata is not rendered (say so). */
static void metadata(struct render_ctx *r, const struct store *st, const struct keda_so *so, struct node *obj)
{
	const struct node *user = map_get(so->doc->root, "metadata");
	struct node *meta = map_get(obj, "metadata");
	const char *path = "metadata.namespace";
	if (so->ns && *so->ns && (!st->fs.ns || strcmp(so->ns, st->fs.ns))) {
		diag_error(r->d, &map_get(user, "namespace")->pos, path,
			   "the ScaledObject is in namespace \"%s\" but FeatureStore \"%s\" renders into %s%s%s; "
			   "KEDA scales only a target in its own namespace",
			   so->ns, st->fs.name, st->fs.ns ? "\"" : "no namespace (use -n)", st->fs.ns ? st->fs.ns : "",
			   st->fs.ns ? "\"" : "");
		r->errors++;
	}
	map_set(r->a, meta, "labels", labels(r, st, map_get(user, "labels")));
	struct node *ann = user_copy(r, map_get(user, "annotations"));
	if (r->opts->keda_adopt_hpa) {
		if (!ann || ann->kind != NODE_MAP)
			ann = node_map(r->a, NULL);
		map_set(r->a, ann, TRANSFER_HPA, str_node(r, "true"));
	}
	if (ann && ann->kind == NODE_MAP && ann->u.map.n)
		map_set(r->a, meta, "annotations", ann);
	node_map_each(user, u) {
		const char *k = u->key;
		if (strcmp(k, "name") && strcmp(k, "namespace") && strcmp(k, "labels") && strcmp(k, "annotations") &&
		    !node_is_null(u->val))
			diag_warn(r->d, &u->kpos, arena_printf(r->a, "metadata.%s", k),
				  "not rendered: a ScaledObject for Git carries name, namespace, labels and "
				  "annotations only");
	}
}

/* Standalone: the Deployment render makes; operator: the FeatureStore's scale subresource. */
static void target(struct render_ctx *r, const struct store *st, const struct keda_so *so, struct node *spec)
{
	struct node *ref = map_get(spec, "scaleTargetRef");
	bool op = r->opts->target == RENDER_TARGET_OPERATOR;
	map_set(r->a, ref, "apiVersion", str_node(r, op ? "feast.dev/v1" : "apps/v1"));
	map_set(r->a, ref, "kind", str_node(r, op ? "FeatureStore" : "Deployment"));
	map_set(r->a, ref, "name", str_node(r, op ? st->fs.name : st->fs.feast_name));
	set_user(r, ref, "envSourceContainerName", map_get(so->ref, "envSourceContainerName"));
}

/* advanced.horizontalPodAutoscalerConfig.name: feast-<name>, the HPA render makes for
 * services.scaling.autoscaling, so that --keda-adopt-hpa takes over exactly that one. */
static void advanced(struct render_ctx *r, const struct store *st, const struct keda_so *so, struct node *spec)
{
	struct node *adv = user_copy(r, map_get(so->spec, "advanced"));
	if (!adv || adv->kind != NODE_MAP)
		adv = node_map(r->a, NULL);
	struct node *hpa = map_get(adv, "horizontalPodAutoscalerConfig");
	if (!hpa || hpa->kind != NODE_MAP) {
		hpa = node_map(r->a, NULL);
		map_insert(r->a, adv, 0, "horizontalPodAutoscalerConfig", hpa);
	}
	const struct node *name = map_get(hpa, "name");
	const char *given = node_str_or(name, NULL);
	if (!given || !*given)
		map_insert(r->a, hpa, 0, "name", str_node(r, st->fs.feast_name));
	else if (r->opts->keda_adopt_hpa && strcmp(given, st->fs.feast_name)) {
		const struct node *at = node_at(so->spec, "advanced.horizontalPodAutoscalerConfig.name");
		diag_error(r->d, &at->pos, "spec.advanced.horizontalPodAutoscalerConfig.name",
			   "--keda-adopt-hpa takes over the HPA %s that services.scaling.autoscaling renders, but this "
			   "ScaledObject names its HPA \"%s\"; leave the name out or set it to %s",
			   st->fs.feast_name, given, st->fs.feast_name);
		r->errors++;
	}
	map_set(r->a, spec, "advanced", adv);
}

/* cpu and memory triggers need requests (or limits) on the containers they measure. */
static void check_resources(struct render_ctx *r, const struct store *st, const struct node *trigger, size_t index)
{
	static const char *const paths[SRV_COUNT] = { "services.registry.local.server", "services.onlineStore.server",
						      "services.offlineStore.server", "services.ui" };
	const char *type = node_str_or(map_get(trigger, "type"), "");
	const char *only = node_str_or(node_at(trigger, "metadata.containerName"), NULL);
	if (strcmp(type, "cpu") && strcmp(type, "memory"))
		return;
	for (int s = 0; s < SRV_COUNT; s++) {
		const struct server *sv = &st->fs.srv[s];
		if (!sv->on || (only && strcmp(only, srv_names[s])))
			continue;
		const struct node *res = map_get(sv->cfg, "resources");
		if (!node_is_empty(node_at(map_get(res, "requests"), type)) ||
		    !node_is_empty(node_at(map_get(res, "limits"), type)))
			continue;
		diag_warn(r->d, &trigger->pos, arena_printf(r->a, "spec.triggers[%zu]", index),
			  "the %s trigger needs a %s request or limit on container \"%s\" (%s without one, unless "
			  "a LimitRange sets a default); set spec.%s.resources.requests.%s of FeatureStore \"%s\"",
			  type, type, srv_names[s],
			  r->opts->target == RENDER_TARGET_OPERATOR ? "the HPA that KEDA makes cannot compute utilization"
								    : "KEDA's admission webhook refuses the ScaledObject",
			  paths[s], type, st->fs.name);
	}
}

void build_scaledobject(struct render_ctx *r, struct store *st)
{
	const struct keda_so *so = st->keda;
	if (!so)
		return;
	const char *name = so->name && *so->name ? so->name : st->fs.feast_name;
	struct node *obj = obj_new(r, st, T_SCALEDOBJECT, name, true, NULL, "feature-server");
	struct node *spec = map_get(obj, "spec");
	metadata(r, st, so, obj);
	target(r, st, so, spec);
	static const char *const copied[] = { "pollingInterval", "cooldownPeriod", "initialCooldownPeriod",
					      "idleReplicaCount", "fallback", "triggers" };
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		set_user(r, spec, copied[i], map_get(so->spec, copied[i]));
	/* Both bounds in Git: the minimum is 1 unless asked (KEDA's own default is 0, scale to zero). */
	map_set(r->a, spec, "minReplicaCount", int_node(r, so->min));
	map_set(r->a, spec, "maxReplicaCount", int_node(r, so->max));
	advanced(r, st, so, spec);
	const struct node *triggers = map_get(so->spec, "triggers");
	for (size_t i = 0; i < node_seq_len(triggers); i++)
		check_resources(r, st, triggers->u.seq.v[i], i);
	obj_emit(r, st, obj);
}
