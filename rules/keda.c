/* keda.c -- pair ScaledObjects with the FeatureStores they scale, and check each pair. */
#include "keda.h"
#include "arena.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "yaml_in.h"

#include <string.h>

#define KEDA_NAME_MAX 63  /* the ScaledObject name is a label value on its HPA */

/* A field that is present and not null, else NULL. */
static const struct node *get(const struct node *n, const char *path)
{
	const struct node *v = node_at(n, path);
	return v && !node_is_null(v) ? v : NULL;
}

static const char *get_str(const struct node *n, const char *path)
{
	const char *s = NULL;
	return node_get_str(get(n, path), &s) ? s : NULL;
}

static const struct pos *pos_of(const struct node *n, const struct node *fallback)
{
	return n ? &n->pos : &fallback->pos;
}

/* ---- the run's stores ---- */

struct store_ref {
	const struct document *doc;
	const char *name, *ns;
};

static size_t list_stores(struct arena *a, const struct doclist *docs, struct store_ref **out)
{
	struct store_ref *v = arena_alloc(a, (docs->n ? docs->n : 1) * sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const char *name = get_str(docs->v[i].root, "metadata.name");
		if (!doc_is_featurestore(docs->v[i].root) || !name)
			continue;
		v[n].doc = &docs->v[i];
		v[n].name = name;
		v[n].ns = get_str(docs->v[i].root, "metadata.namespace");
		n++;
	}
	*out = v;
	return n;
}

static bool ns_match(const char *a, const char *b)
{
	return !a || !b || !*a || !*b || !strcmp(a, b);
}

static const char *store_names(struct arena *a, const struct store_ref *v, size_t n)
{
	const char *s = "";
	for (size_t i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? ", " : "", v[i].name);
	return s;
}

/* ---- which store a ScaledObject scales ---- */

struct resolver {
	struct arena *a;
	struct diags *d;
	struct store_ref *stores;
	size_t nstores;
	size_t errors;
};

static void error(struct resolver *r, const struct pos *pos, const char *path, const char *rule, const char *msg)
{
	struct diag *x = diag_error(r->d, pos, path, "%s", msg);
	x->rule = rule;
	r->errors++;
}

/* The store named `name` (by metadata.name, or by its Deployment feast-<name>). */
static const struct store_ref *find_store(struct resolver *r, const struct keda_so *so, const char *name,
					  bool deployment, const struct node *at)
{
	const struct store_ref *found = NULL;
	for (size_t i = 0; i < r->nstores; i++) {
		const struct store_ref *s = &r->stores[i];
		const char *want = deployment ? arena_printf(r->a, "feast-%s", s->name) : s->name;
		if (strcmp(want, name) || !ns_match(so->ns, s->ns))
			continue;
		if (found) {
			error(r, &at->pos, "spec.scaleTargetRef.name", "keda-target",
			      arena_printf(r->a, "FeatureStore \"%s\" is in the input more than once (namespaces \"%s\" "
						 "and \"%s\"); set metadata.namespace on the ScaledObject",
					   found->name, found->ns ? found->ns : "", s->ns ? s->ns : ""));
			return NULL;
		}
		found = s;
	}
	return found;
}

/* scaleTargetRef left out: the run's only store. */
static const struct store_ref *only_store(struct resolver *r, const struct keda_so *so)
{
	if (r->nstores == 1 && ns_match(so->ns, r->stores[0].ns))
		return &r->stores[0];
	if (r->nstores == 1) {
		error(r, &get(so->doc->root, "metadata.namespace")->pos, "metadata.namespace", "keda-target",
		      arena_printf(r->a, "the ScaledObject is in namespace \"%s\" but the input's FeatureStore \"%s\" "
					 "is in namespace \"%s\"; KEDA scales only a target in its own namespace",
				   so->ns, r->stores[0].name, r->stores[0].ns));
		return NULL;
	}
	const char *why = r->nstores == 0 ? "the input holds no FeatureStore"
		: arena_printf(r->a, "the input holds %zu FeatureStores (%s)", r->nstores,
			       store_names(r->a, r->stores, r->nstores));
	error(r, pos_of(so->spec, so->doc->root), "spec.scaleTargetRef", "keda-target",
	      arena_printf(r->a, "Required value: %s; name the one to scale "
				 "(scaleTargetRef: {apiVersion: feast.dev/v1, kind: FeatureStore, name: NAME})", why));
	return NULL;
}

static const struct store_ref *target_of(struct resolver *r, const struct keda_so *so)
{
	if (!so->ref)
		return only_store(r, so);
	if (so->ref->kind != NODE_MAP)
		return NULL; /* the schema reports it */
	const char *kind = get_str(so->ref, "kind"), *api = get_str(so->ref, "apiVersion");
	const char *name = get_str(so->ref, "name");
	if (!name)
		return NULL; /* required: the schema reports it */
	const struct node *at = get(so->ref, "name");
	if (kind && !strcmp(kind, "FeatureStore")) {
		if (api && strncmp(api, "feast.dev/", 10)) {
			error(r, &get(so->ref, "apiVersion")->pos, "spec.scaleTargetRef.apiVersion", "keda-target",
			      arena_printf(r->a, "a FeatureStore is feast.dev/v1, not \"%s\"", api));
			return NULL;
		}
		size_t before = r->errors;
		const struct store_ref *s = find_store(r, so, name, false, at);
		if (!s && r->errors == before)
			error(r, &at->pos, "spec.scaleTargetRef.name", "keda-target",
			      arena_printf(r->a, "FeatureStore \"%s\"%s%s%s is not in the input (FeatureStores in the "
						 "input: %s); render a ScaledObject together with the store it scales",
					   name, so->ns ? " in namespace \"" : "", so->ns ? so->ns : "",
					   so->ns ? "\"" : "",
					   r->nstores ? store_names(r->a, r->stores, r->nstores) : "none"));
		return s;
	}
	/* KEDA's defaults: apps/v1 Deployment.  The store's own Deployment counts too. */
	bool deployment = (!kind || !strcmp(kind, "Deployment")) && (!api || !strcmp(api, "apps/v1"));
	if (!deployment || strncmp(name, "feast-", 6))
		return NULL;
	return find_store(r, so, name, true, at);
}

static void read_counts(struct keda_so *so)
{
	so->min = KEDA_DEFAULT_MIN;
	so->max = KEDA_DEFAULT_MAX;
	so->min_set = node_get_int(get(so->spec, "minReplicaCount"), &so->min);
	so->max_set = node_get_int(get(so->spec, "maxReplicaCount"), &so->max);
}

/* A second ScaledObject on one store: KEDA refuses it, and render could not pick. */
static bool taken(struct resolver *r, const struct keda_list *l, const struct keda_so *so)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].fs != so->fs)
			continue;
		const struct node *first = l->v[i].doc->root;
		error(r, pos_of(so->ref, so->doc->root), "spec.scaleTargetRef", "keda-target",
		      arena_printf(r->a, "FeatureStore \"%s\" is already scaled by ScaledObject \"%s\" (%s:%u); "
					 "KEDA accepts one ScaledObject per target",
				   get_str(so->fs->root, "metadata.name"),
				   l->v[i].name ? l->v[i].name : "(unnamed)", first->pos.file, first->pos.line));
		return true;
	}
	return false;
}

size_t keda_resolve(struct arena *a, const struct doclist *docs, struct keda_list *out, struct diags *d)
{
	struct resolver r = { a, d, NULL, 0, 0 };
	r.nstores = list_stores(a, docs, &r.stores);
	out->v = arena_alloc(a, (docs->n ? docs->n : 1) * sizeof(*out->v));
	out->n = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const struct node *root = docs->v[i].root;
		const struct node *spec = get(root, "spec");
		if (doc_classify(root) != DOC_SCALEDOBJECT || !spec || spec->kind != NODE_MAP)
			continue;
		struct keda_so so = { .doc = &docs->v[i], .spec = spec };
		so.name = get_str(root, "metadata.name");
		so.ns = get_str(root, "metadata.namespace");
		so.ref = get(spec, "scaleTargetRef");
		const struct store_ref *s = target_of(&r, &so);
		if (!s)
			continue;
		so.fs = s->doc;
		read_counts(&so);
		if (!taken(&r, out, &so))
			out->v[out->n++] = so;
	}
	return r.errors;
}

const struct keda_so *keda_for_store(const struct keda_list *l, const struct document *fs)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i].fs == fs)
			return &l->v[i];
	return NULL;
}

/* ---- the rules of one pair ---- */

static const char *so_label(struct arena *a, const struct keda_so *so)
{
	const struct pos *p = &so->doc->root->pos;
	return arena_printf(a, "ScaledObject \"%s\" (%s:%u)", so->name ? so->name : "(unnamed)", p->file, p->line);
}

/* With the store: not another autoscaler, no fixed count above 1. */
static size_t check_store_side(struct arena *a, const struct keda_so *so, struct diags *d)
{
	const struct node *spec = get(so->fs->root, "spec");
	const struct node *as = get(spec, "services.scaling.autoscaling");
	const struct node *rep = get(spec, "replicas");
	int64_t replicas = 1;
	size_t errors = 0;
	struct diag *x;
	if (as) {
		x = diag_error(d, &as->pos, "spec.services.scaling.autoscaling",
			       "%s also scales this FeatureStore: a KEDA ScaledObject and services.scaling.autoscaling "
			       "are mutually exclusive (KEDA's admission webhook rejects two autoscalers on one "
			       "target); remove one of them",
			       so_label(a, so));
		x->rule = "keda-autoscaling";
		errors++;
	}
	if (node_get_int(rep, &replicas) && replicas > 1) {
		x = diag_error(d, &rep->pos, "spec.replicas",
			       "replicas > 1 and a KEDA ScaledObject are mutually exclusive: %s owns the replica "
			       "count; remove spec.replicas",
			       so_label(a, so));
		x->rule = "keda-replicas";
		errors++;
	}
	return errors;
}

/* The operator's scaling rules, as if KEDA had set spec.replicas to maxReplicaCount
 * through the scale subresource (which is what the CRD's rules then judge). */
static size_t check_persistence(struct arena *a, const struct keda_so *so, struct diags *d)
{
	struct scaling_override o = { .set_replicas = true, .replicas = so->max, .set_autoscaler = true,
				      .autoscaler = false };
	size_t from = d->n;
	size_t errors = rules_check_scaling(so->fs->root, &o, d);
	for (size_t i = from; i < d->n; i++)
		d->v[i].msg = arena_printf(a, "%s (%s can scale it to %lld replicas%s)", d->v[i].msg,
					   so_label(a, so), (long long)so->max,
					   so->max_set ? "" : ": maxReplicaCount defaults to 100");
	return errors;
}

static bool cpu_memory_only(const struct node *triggers)
{
	if (!triggers || triggers->kind != NODE_SEQ || !triggers->u.seq.n)
		return false;
	for (size_t i = 0; i < triggers->u.seq.n; i++) {
		const char *t = get_str(triggers->u.seq.v[i], "type");
		if (!t || (strcmp(t, "cpu") && strcmp(t, "memory")))
			return false;
	}
	return true;
}

/* What KEDA's admission webhook checks on the ScaledObject alone (its messages). */
static size_t check_webhook_rules(const struct keda_so *so, struct diags *d)
{
	size_t errors = 0;
	int64_t idle;
	struct diag *x;
	const struct node *idle_n = get(so->spec, "idleReplicaCount");
	if (node_get_int(idle_n, &idle) && idle >= so->min) {
		x = diag_error(d, &idle_n->pos, "spec.idleReplicaCount",
			       "IdleReplicaCount=%lld must be less than MinReplicaCount=%lld%s", (long long)idle,
			       (long long)so->min, so->min_set ? "" : " (render writes minReplicaCount: 1 when none is given)");
		x->rule = "keda-idle";
		errors++;
	}
	if (so->min_set && so->min == 0 && cpu_memory_only(get(so->spec, "triggers"))) {
		x = diag_error(d, &get(so->spec, "minReplicaCount")->pos, "spec.minReplicaCount",
			       "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't "
			       "work in this case)");
		x->rule = "keda-scale-to-zero";
		errors++;
	}
	if (so->name && strlen(so->name) > KEDA_NAME_MAX) {
		x = diag_error(d, &get(so->doc->root, "metadata.name")->pos, "metadata.name",
			       "scaledobject name \"%s\" is %zu characters long; must be no more than %d characters "
			       "because it is used as the \"scaledobject.keda.sh/name\" label value",
			       so->name, strlen(so->name), KEDA_NAME_MAX);
		x->rule = "keda-name";
		errors++;
	}
	return errors;
}

size_t keda_check_pair(struct arena *a, const struct keda_so *so, struct diags *d)
{
	/* A store that already scales by itself is refused above (and by its own rules). */
	size_t errors = check_store_side(a, so, d);
	if (!errors)
		errors += check_persistence(a, so, d);
	return errors + check_webhook_rules(so, d);
}

size_t keda_check(struct arena *a, const struct doclist *docs, struct diags *d)
{
	struct keda_list l;
	size_t errors = keda_resolve(a, docs, &l, d);
	for (size_t i = 0; i < l.n; i++)
		errors += keda_check_pair(a, &l.v[i], d);
	return errors;
}

/* ---- what the CRD schema sees ---- */

const struct node *keda_schema_view(struct arena *a, const struct node *root)
{
	const struct node *spec = get(root, "spec"), *meta = get(root, "metadata");
	bool no_ref = spec && spec->kind == NODE_MAP && !get(spec, "scaleTargetRef");
	bool no_name = !meta || (meta->kind == NODE_MAP && !get(meta, "name"));
	if (!no_ref && !no_name)
		return root;
	/* Stand-ins that satisfy the schema; keda_resolve() decides the real target, and
	 * render names the ScaledObject feast-<store>. */
	struct node *r = node_clone(a, root);
	if (no_ref) {
		struct node *ref = node_map(a, &spec->pos);
		map_put(a, ref, "name", node_scalar(a, &spec->pos, "-", 1, SCALAR_STR, STYLE_PLAIN));
		map_set(a, map_get(r, "spec"), "scaleTargetRef", ref);
	}
	if (no_name) {
		struct node *m = meta ? map_get(r, "metadata") : node_map(a, &root->pos);
		map_set(a, m, "name", node_scalar(a, &m->pos, "x", 1, SCALAR_STR, STYLE_PLAIN));
		if (!meta)
			map_set(a, r, "metadata", m);
	}
	return r;
}
