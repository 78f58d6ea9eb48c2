/* reconcile.c -- a cluster command's session: configuration, client, rendered objects, paths, stored spec. */
#include "reconcile.h"
#include "buf.h"
#include "check.h"
#include "doc.h"
#include "json.h"
#include "shards.h"
#include "yaml_in.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void rec_init(struct rec_session *s)
{
	memset(s, 0, sizeof(*s));
	s->a = (struct arena)ARENA_INIT;
	diags_init(&s->d, &s->a);
}

void rec_free(struct rec_session *s)
{
	kube_client_free(s->c);
	s->c = NULL;
	arena_free(&s->a);
}

void rec_print(struct rec_session *s)
{
	diags_flush_warnings(stderr, &s->d);
	diags_print(stderr, &s->d);
	s->d.n = s->d.errors = s->d.warnings = 0;
}

void rec_drop_diags(struct rec_session *s, size_t n)
{
	while (s->d.n > n) {
		if (s->d.v[--s->d.n].level == DIAG_ERROR)
			s->d.errors--;
		else
			s->d.warnings--;
	}
}

int rec_config(struct rec_session *s)
{
	return kube_config_load(&s->a, &s->kf, NULL, &s->cfg, &s->d);
}

int rec_connect(struct rec_session *s)
{
	s->c = kube_client_new(&s->cfg, NULL, &s->d);
	return s->c ? 0 : -1;
}

struct rec_obj *rec_set_push(struct arena *a, struct rec_set *set)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		set->v = arena_grow(a, set->v, set->n * sizeof(*set->v), cap * sizeof(*set->v));
		set->cap = cap;
	}
	struct rec_obj *o = &set->v[set->n++];
	memset(o, 0, sizeof(*o));
	return o;
}

const char *rec_display(struct arena *a, const struct kube_resource *res, const char *name)
{
	struct buf b = BUF_INIT;
	for (const char *p = res->kind; *p; p++)
		buf_addc(&b, (char)tolower((unsigned char)*p));
	if (*res->group)
		buf_addf(&b, ".%s", res->group);
	buf_addf(&b, "/%s", name);
	const char *s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

static bool is_store(const struct node *root)
{
	return doc_is_featurestore(root);
}

static void collect_stores(struct rec_session *s, const struct doclist *docs, struct rec_set *set)
{
	set->stores = arena_alloc(&s->a, (docs->n + 1) * sizeof(*set->stores));
	set->nstores = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const struct node *root = docs->v[i].root;
		if (!is_store(root))
			continue;
		struct rec_store *st = &set->stores[set->nstores++];
		st->name = node_str_or(node_at(root, "metadata.name"), "");
		st->ns = node_str_or(node_at(root, "metadata.namespace"), s->cfg.namespace);
		st->doc = &docs->v[i];
	}
}

/* ---- render flags ---- */

static const char *const sidecar_modes[] = { "auto", "always", "none" };

static const char *options_json(struct arena *a, const struct render_flags *ro)
{
	struct arena t = ARENA_INIT;
	struct node *m = node_map(&t, NULL);
	if (ro->image)
		map_put(&t, m, "image", node_str(&t, ro->image));
	map_put(&t, m, "target", node_str(&t, ro->target == RENDER_TARGET_STANDALONE ? "standalone" : "operator"));
	if (ro->keda_adopt_hpa)
		map_put(&t, m, "kedaAdoptHpa", node_bool(&t, true));
	if (ro->sidecar != RENDER_SIDECAR_AUTO)
		map_put(&t, m, "sidecar", node_str(&t, sidecar_modes[ro->sidecar]));
	if (ro->sidecar_image)
		map_put(&t, m, "sidecarImage", node_str(&t, ro->sidecar_image));
	if (ro->readiness == RENDER_READINESS_GATE)
		map_put(&t, m, "readiness", node_str(&t, "gate"));
	if (ro->kube_minor)
		map_put(&t, m, "kubeVersion", node_strf(&t, "1.%d", ro->kube_minor));
	if (ro->prestop_seconds)
		map_put(&t, m, "prestopSeconds", node_int(&t, ro->prestop_seconds));
	if (ro->prometheus_operator)
		map_put(&t, m, "prometheusOperator", node_bool(&t, true));
	if (ro->openshift)
		map_put(&t, m, "openshift", node_bool(&t, true));
	if (ro->namespace_registry)
		map_put(&t, m, "namespaceRegistry", node_str(&t, ro->namespace_registry));
	if (ro->materialize_shards > 1)
		map_put(&t, m, "materializeShards", node_int(&t, ro->materialize_shards));
	struct buf b = BUF_INIT;
	json_emit(&b, m, 0);
	const char *s = arena_strdup(a, b.data);
	buf_release(&b);
	arena_free(&t);
	return s;
}

/* The stored spec on each store's Deployment, for `scale NAME`. */
static void stamp_specs(struct rec_session *s, struct rec_set *set, const struct render_flags *ro)
{
	const char *opts = options_json(&s->a, ro);
	for (size_t i = 0; i < set->nstores; i++) {
		const struct document *doc = set->stores[i].doc;
		/* The namespace is written in, so -n and metadata.namespace store the same spec. */
		struct node *spec = node_clone(&s->a, doc->root);
		struct node *meta = map_child_map(&s->a, spec, "metadata");
		if (!map_has(meta, "namespace"))
			map_insert(&s->a, meta, 1, "namespace", node_str(&s->a, set->stores[i].ns));
		for (size_t j = 0; j < set->n; j++) {
			struct node *obj = set->v[j].obj;
			if (set->v[j].src != doc || strcmp(node_str_or(map_get(obj, "kind"), ""), "Deployment") ||
			    strcmp(node_str_or(map_get(obj, "apiVersion"), ""), "apps/v1"))
				continue;
			struct buf b = BUF_INIT;
			json_emit(&b, spec, 0);
			struct node *ann = map_child_map(&s->a, map_child_map(&s->a, obj, "metadata"), "annotations");
			map_set(&s->a, ann, REC_ANN_SPEC, node_str(&s->a, b.data));
			map_set(&s->a, ann, REC_ANN_OPTIONS, node_str(&s->a, opts));
			buf_release(&b);
		}
	}
}

/* A RollingUpdate Deployment sent with the API server's own defaults for rollingUpdate
 * (25% each). Left out, the server defaults them and no field manager owns them, so a
 * later apply of strategy Recreate (a store scaled back to one replica) cannot drop them
 * and the real API server refuses it ("may not be specified when strategy `type` is
 * 'Recreate'"). Sent, they are ours, and server-side apply removes them on that change;
 * the stored Deployment is the same either way. */
static void own_rolling_update(struct arena *a, struct rec_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct node *obj = set->v[i].obj;
		if (strcmp(node_str_or(map_get(obj, "kind"), ""), "Deployment") ||
		    strcmp(node_str_or(map_get(obj, "apiVersion"), ""), "apps/v1"))
			continue;
		struct node *st = node_at(obj, "spec.strategy");
		if (!st || st->kind != NODE_MAP || strcmp(node_str_or(map_get(st, "type"), ""), "RollingUpdate") ||
		    map_has(st, "rollingUpdate"))
			continue;
		struct node *ru = map_child_map(a, st, "rollingUpdate");
		map_set(a, ru, "maxUnavailable", node_str(a, "25%"));
		map_set(a, ru, "maxSurge", node_str(a, "25%"));
	}
}

int rec_render(struct rec_session *s, const struct doclist *docs, const struct render_flags *ro,
	       bool stamp, struct rec_set *out)
{
	struct render_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.namespace = s->cfg.namespace;
	opts.namespace_explicit = s->cfg.namespace_explicit;
	render_flags_to_opts(ro, &opts);
	out->target = ro->target;
	struct objlist objs = { 0 };
	if (render_documents(&s->a, docs, &opts, &objs, &s->d) < 0)
		return -1;
	collect_stores(s, docs, out);
	for (size_t i = 0; i < objs.n; i++) {
		struct rec_obj *o = rec_set_push(&s->a, out);
		o->obj = objs.v[i].root;
		o->src = objs.v[i].src;
	}
	own_rolling_update(&s->a, out);
	if (stamp)
		stamp_specs(s, out, ro);
	return 0;
}

int rec_resolve(struct rec_session *s, struct rec_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct rec_obj *o = &set->v[i];
		o->path = kube_object_path(s->c, &s->a, o->obj, s->cfg.namespace, false, &o->res, &s->d);
		if (!o->path)
			return -1;
		const struct node *meta = map_get(o->obj, "metadata");
		o->name = node_str_or(map_get(meta, "name"), "");
		o->ns = !o->res.namespaced ? "" : node_str_or(map_get(meta, "namespace"), s->cfg.namespace);
		if (!*o->ns && o->res.namespaced)
			o->ns = s->cfg.namespace;
		o->display = rec_display(&s->a, &o->res, o->name);
	}
	return 0;
}

/* ---- the stored spec, read back ---- */

static int stored_options(struct rec_session *s, const char *text, const char *where,
			  struct render_flags *ro)
{
	memset(ro, 0, sizeof(*ro));
	if (!text)
		return 0;
	struct node *m = json_parse(&s->a, text, strlen(text), where, &s->d);
	if (!m || m->kind != NODE_MAP) {
		if (m)
			diag_error(&s->d, NULL, "", "%s: not a JSON object", where);
		return -1;
	}
	const char *target = node_str_or(map_get(m, "target"), "standalone");
	const char *sidecar = node_str_or(map_get(m, "sidecar"), "auto");
	int64_t prestop = 0, shards = 0;
	/* scale NAME re-renders: a CronJob applied in shards stays in shards. */
	node_get_int(map_get(m, "materializeShards"), &shards);
	ro->materialize_shards = shards > 1 && shards <= SHARDS_MAX ? (int)shards : 0;
	ro->image = node_str_or(map_get(m, "image"), NULL);
	ro->keda_adopt_hpa = node_is_true(map_get(m, "kedaAdoptHpa"));
	ro->prometheus_operator = node_is_true(map_get(m, "prometheusOperator"));
	ro->openshift = node_is_true(map_get(m, "openshift"));
	ro->namespace_registry = node_str_or(map_get(m, "namespaceRegistry"), NULL);
	ro->sidecar_image = node_str_or(map_get(m, "sidecarImage"), NULL);
	ro->readiness = !strcmp(node_str_or(map_get(m, "readiness"), ""), "gate") ? RENDER_READINESS_GATE
										    : RENDER_READINESS_PROBE;
	ro->kube_minor = map_has(m, "kubeVersion") ? render_kube_minor(node_str_or(map_get(m, "kubeVersion"), "")) : 0;
	node_get_int(map_get(m, "prestopSeconds"), &prestop);
	ro->prestop_seconds = prestop >= -1 && prestop <= 3600 ? (int)prestop : 0;
	ro->sidecar = RENDER_SIDECAR_AUTO;
	for (int i = 0; i < 3; i++)
		if (!strcmp(sidecar, sidecar_modes[i]))
			ro->sidecar = (enum render_sidecar)i;
	if ((strcmp(target, "standalone") && strcmp(target, "operator")) || ro->kube_minor < 0) {
		diag_error(&s->d, NULL, "", "%s: unreadable render options %s", where, text);
		return -1;
	}
	ro->target = strcmp(target, "operator") ? RENDER_TARGET_STANDALONE : RENDER_TARGET_OPERATOR;
	return 0;
}

int rec_stored_spec(struct rec_session *s, const struct node *deployment, struct doclist *docs,
		    struct render_flags *ro)
{
	const struct node *ann = node_at(deployment, "metadata.annotations");
	const char *spec = node_str_or(map_get(ann, REC_ANN_SPEC), NULL);
	if (!spec)
		return 0;
	const char *dep = node_str_or(node_at(deployment, "metadata.name"), "");
	const char *where = arena_printf(&s->a, "deployment.apps/%s[%s]", dep, REC_ANN_SPEC);
	struct node *root = json_parse(&s->a, spec, strlen(spec), where, &s->d);
	if (!root)
		return -1;
	if (!is_store(root)) {
		diag_error(&s->d, NULL, "", "%s: the stored spec is not a FeatureStore", where);
		return -1;
	}
	const char *owhere = arena_printf(&s->a, "deployment.apps/%s[%s]", dep, REC_ANN_OPTIONS);
	if (stored_options(s, node_str_or(map_get(ann, REC_ANN_OPTIONS), NULL), owhere, ro) < 0)
		return -1;
	struct document doc;
	memset(&doc, 0, sizeof(doc));
	doc.root = root;
	doc.file = where;
	doc.src = spec;
	doc.src_len = strlen(spec);
	doc.end = doc.src_len;
	doclist_push(&s->a, docs, &doc);
	return 1;
}
