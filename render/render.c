/* render.c -- decode every FeatureStore of a run, then build its objects stage by stage. */
#include "render.h"
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "json.h"
#include "render_int.h"
#include "shards.h"
#include "yaml_in.h"
#include "yaml_out.h"

#include <stdlib.h>
#include <string.h>

typedef void (*store_stage)(struct render_ctx *, struct store *);

/* Each store's objects, in this order.  inject_sidecar edits st->pod once the
 * Deployment is built. */
static const store_stage stages[] = {
	build_serviceaccount,
	build_authz,
	build_sidecar_rbac,
	build_batch_engine_rbac,
	build_client_configmap,
	build_pvcs,
	build_services,
	build_servicemonitor,
	build_route,
	build_deployment,
	inject_sidecar,
	build_hpa,
	build_pdb,
	build_scaledobject,
	build_cronjob,
};

/* Fields the plugin does not render: one warning per field and run. */
static void warn_unrendered(struct render_ctx *r, const struct store *st)
{
	const struct fs *fs = &st->fs;
	if (fs->srv[SRV_UI].on && !r->opts->openshift)
		warn_once(r, W_UI_ROUTE, map_get(fs->services, "ui"), "spec.services.ui",
			  "no OpenShift Route is rendered for the UI without --openshift; expose Service %s-ui "
			  "yourself", fs->feast_name);
	if (fs->metrics_port && fs->srv[SRV_ONLINE].on && !r->opts->prometheus_operator)
		warn_once(r, W_SERVICE_MONITOR, node_at(fs->services, "onlineStore"), "spec.services.onlineStore",
			  "no ServiceMonitor is rendered without --prometheus-operator; scrape port `metrics` "
			  "(8000) of Service %s-online", fs->feast_name);
}

static const struct store *find_store(const struct store *v, size_t n, const char *name, const char *ns)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].fs.name, name) && ((!ns && !v[i].fs.ns) || (ns && v[i].fs.ns && !strcmp(ns, v[i].fs.ns))))
			return &v[i];
	return NULL;
}

/* A remote registry named by feastRef: checked against the run's stores when present. */
static void resolve_feastref(struct render_ctx *r, struct store *st, const struct store *all, size_t n)
{
	struct fs *fs = &st->fs;
	if (!fs->ref_name)
		return;
	const struct store *ref = find_store(all, n, fs->ref_name, fs->ref_ns);
	const char *path = "spec.services.registry.remote.feastRef";
	if (ref == st) {
		diag_error(r->d, &fs->ref_node->pos, path,
			   "FeatureStore '%s' can't reference itself in `spec.services.registry.remote.feastRef`",
			   fs->name);
		r->errors++;
	} else if (!ref) {
		if (r->opts->target == RENDER_TARGET_OPERATOR)
			return; /* the operator resolves it in the cluster */
		warn_once(r, W_FEASTREF, fs->ref_node, path,
			  "FeatureStore '%s' is not in the input; assuming its registry serves gRPC on port 80",
			  fs->ref_name);
	} else if (!ref->fs.srv[SRV_REGISTRY].on || !ref->fs.grpc) {
		diag_error(r->d, &fs->ref_node->pos, path,
			   "Remote feast registry of referenced FeatureStore '%s' must have gRPC server enabled",
			   fs->ref_name);
		r->errors++;
	} else if (ref->fs.srv[SRV_REGISTRY].tls.on) {
		size_t len = strlen(fs->remote_host);
		fs->remote_host = arena_printf(r->a, "%.*s:443", (int)(len - 3), fs->remote_host);
	}
}

/* Decode every FeatureStore first: nothing is built unless all of them are sound. */
static struct store *decode_all(struct render_ctx *r, const struct doclist *docs, size_t *n)
{
	struct store *v = arena_alloc(r->a, (docs->n ? docs->n : 1) * sizeof(*v));
	const char *image = r->opts->image ? r->opts->image : RENDER_DEFAULT_IMAGE;
	*n = 0;
	for (size_t i = 0; i < docs->n; i++) {
		enum doc_kind kind = doc_classify(docs->v[i].root);
		if (kind != DOC_FEATURESTORE_V1 && kind != DOC_FEATURESTORE_V1ALPHA1)
			continue;
		if (spec_decode(r->a, &docs->v[i], r->opts->namespace, image, r->opts->openshift, &v[*n].fs, r->d) < 0)
			r->errors++;
		else
			(*n)++;
	}
	for (size_t i = 0; i < *n; i++) {
		resolve_feastref(r, &v[i], v, *n);
		v[i].shards = shards_effective(v[i].fs.root, r->opts->materialize_shards);
		/* check_documents() judged the stores that ask by annotation; these take the flag's. */
		if (v[i].shards > 1 && !shards_annotation(v[i].fs.root))
			r->errors += (int)shards_check(v[i].fs.doc, docs, r->opts->namespace, v[i].shards, r->d);
		r->token_review |= v[i].fs.authz == AUTHZ_KUBERNETES;
		r->oidc_token_review |= v[i].fs.authz == AUTHZ_OIDC;
	}
	keda_attach(r, docs, v, *n);
	return v;
}

static void append(struct render_ctx *r, struct node *root, const struct document *src)
{
	struct objlist *out = r->out;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 32;
		out->v = arena_grow(r->a, out->v, out->n * sizeof(*out->v), cap * sizeof(*out->v));
		out->cap = cap;
	}
	out->v[out->n].root = root;
	out->v[out->n].src = src;
	out->n++;
}

/* The FeatureStore as written; only a missing namespace comes from -n, as for every object. */
static struct node *store_as_written(struct render_ctx *r, const struct store *st)
{
	struct node *root = (struct node *)st->fs.root;
	const struct node *meta = map_get(root, "metadata");
	if (!st->fs.ns || !meta || meta->kind != NODE_MAP || !node_is_empty(map_get(meta, "namespace")))
		return root; /* the document itself: the emitter only reads it */
	root = node_clone(r->a, root);
	struct node *m = map_get(root, "metadata");
	map_del(m, "namespace");
	size_t at = 0;
	while (at < m->u.map.n && strcmp(m->u.map.v[at].key, "name"))
		at++;
	map_insert(r->a, m, at < m->u.map.n ? at + 1 : 0, "namespace", str_node(r, st->fs.ns));
	return root;
}

/* --target operator: each store as written, then its ScaledObject; nothing else. */
static void render_for_operator(struct render_ctx *r, const struct doclist *docs, struct store *v, size_t n)
{
	for (size_t i = 0; i < docs->n; i++) {
		const struct document *doc = &docs->v[i];
		struct store *st = NULL;
		for (size_t s = 0; s < n && !st; s++)
			if (v[s].fs.doc == doc)
				st = &v[s];
		if (st) {
			append(r, store_as_written(r, st), doc);
			build_scaledobject(r, st);
		} else if (!keda_consumed(r, doc) && doc->root) {
			const char *kind = node_str_or(map_get(doc->root, "kind"), "document");
			const char *name = node_str_or(node_at(doc->root, "metadata.name"), "");
			diag_warn(r->d, &doc->root->pos, "", "%s%s%s is not emitted with --target operator (only "
				  "FeatureStores and their ScaledObjects are)", kind, *name ? "/" : "", name);
		}
	}
}

/* ---- Flux post-build substitution ----
 * Flux's kustomize-controller replaces ${VAR} anywhere in the objects it
 * applies when postBuild.substitute is set, unless an object opts out with
 * this annotation.  Rendered objects carry `${` only where it must reach the
 * pod as written (shell in init scripts, DB URLs that Feast expands), so they
 * opt out; documents passed through are the user's and stay as written. */
#define FLUX_SUBSTITUTE "kustomize.toolkit.fluxcd.io/substitute"

/* The first node under n whose key or scalar text contains `${`; its path into *path. */
static const struct node *find_subst(const struct node *n, struct buf *path)
{
	if (n->kind == NODE_SCALAR)
		return strstr(n->u.sc.s, "${") ? n : NULL;
	size_t mark = path->len;
	if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < n->u.seq.n; i++) {
			buf_addf(path, "[%zu]", i);
			const struct node *hit = find_subst(n->u.seq.v[i], path);
			if (hit)
				return hit;
			buf_truncate(path, mark);
		}
		return NULL;
	}
	for (size_t i = 0; i < n->u.map.n; i++) {
		const struct pair *p = &n->u.map.v[i];
		buf_addf(path, "%s%s", mark ? "." : "", p->key);
		if (strstr(p->key, "${"))
			return p->val;
		const struct node *hit = find_subst(p->val, path);
		if (hit)
			return hit;
		buf_truncate(path, mark);
	}
	return NULL;
}

static bool flux_opted_out(const struct node *root)
{
	const char *v = node_text(map_get(node_at(root, "metadata.annotations"), FLUX_SUBSTITUTE));
	return v && !strcmp(v, "disabled");
}

static void flux_mark(struct arena *a, struct node *root)
{
	struct buf path = BUF_INIT;
	const struct node *hit = find_subst(root, &path);
	buf_release(&path);
	struct node *meta = map_get(root, "metadata");
	if (!hit || !meta || meta->kind != NODE_MAP || flux_opted_out(root))
		return;
	/* A copy: annotation maps may be shared with the input or other objects. */
	const struct node *old = map_get(meta, "annotations");
	struct node *ann = old && old->kind == NODE_MAP ? node_clone(a, old) : node_map(a, NULL);
	map_set(a, ann, FLUX_SUBSTITUTE, node_str(a, "disabled"));
	map_set(a, meta, "annotations", ann);
}

static void flux_warn(struct diags *d, const struct node *root)
{
	struct buf path = BUF_INIT;
	const struct node *hit = find_subst(root, &path);
	if (hit && !flux_opted_out(root))
		diag_warn(d, &hit->pos, path.data,
			  "contains `${`, which Flux post-build substitution rewrites; passed through as "
			  "written (annotate it " FLUX_SUBSTITUTE ": disabled to keep it)");
	buf_release(&path);
}

/* Objects built here opt out of substitution when they hold `${`; documents
 * emitted as written (passed through, or the stores themselves with --target
 * operator) are only warned about. */
static void flux_pass(struct render_ctx *r, size_t first)
{
	for (size_t i = first; i < r->out->n; i++) {
		const struct render_obj *o = &r->out->v[i];
		enum doc_kind kind = doc_classify(o->root), src = o->src ? doc_classify(o->src->root) : DOC_OTHER;
		/* Objects built for a store have the store as source; any other source is passed through. */
		bool as_written = o->src && (o->root == o->src->root || kind == DOC_FEATURESTORE_V1 ||
					     kind == DOC_FEATURESTORE_V1ALPHA1 ||
					     (src != DOC_FEATURESTORE_V1 && src != DOC_FEATURESTORE_V1ALPHA1));
		if (as_written && !r->opts->no_flux_warnings)
			flux_warn(r->d, o->root);
		else if (!as_written)
			flux_mark(r->a, o->root);
	}
}

int render_documents(struct arena *a, const struct doclist *docs, const struct render_opts *opts,
		     struct objlist *out, struct diags *d)
{
	struct render_ctx r;
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.d = d;
	r.opts = opts;
	r.out = out;
	r.docs = docs;
	size_t first = out->n;
	if (templates_load(a, &r.tm, d) < 0)
		return -1;
	size_t n;
	render_check_namespaces(&r, docs);
	struct store *stores = decode_all(&r, docs, &n);
	if (r.errors)
		return -1;
	if (opts->target == RENDER_TARGET_OPERATOR) {
		render_for_operator(&r, docs, stores, n);
		flux_pass(&r, first);
		render_check_unique(&r, first);
		return r.errors ? -1 : 0;
	}
	/* Prepared first: which namespaces need the merge script is known only then. */
	for (size_t i = 0; i < n; i++)
		store_prepare(&r, &stores[i]);
	build_shared_rbac(&r);
	build_merge_configmaps(&r, stores, n);
	build_namespace_registry(&r, stores, n);
	for (size_t i = 0; i < n; i++) {
		warn_unrendered(&r, &stores[i]);
		for (size_t s = 0; s < sizeof(stages) / sizeof(stages[0]); s++)
			stages[s](&r, &stores[i]);
	}
	/* Everything else (Secrets, backing services, other workloads' ScaledObjects) as written. */
	for (size_t i = 0; i < docs->n; i++) {
		enum doc_kind kind = doc_classify(docs->v[i].root);
		if (kind == DOC_FEATURESTORE_V1 || kind == DOC_FEATURESTORE_V1ALPHA1 || keda_consumed(&r, &docs->v[i]))
			continue;
		append(&r, render_passthrough(&r, &docs->v[i]), &docs->v[i]);
	}
	flux_pass(&r, first);
	render_check_unique(&r, first);
	if (!r.errors && r.warned[W_SIDECAR_IMAGE])
		diag_warn(d, NULL, "", "the feast-sidecar image " RENDER_SIDECAR_IMAGE " is a local default that "
			  "no registry serves: build it with `make image`, push it with `skopeo copy "
			  "oci-archive:dist/feast-sidecar-" FEAST_VERSION ".oci.tar docker://REGISTRY/feast-sidecar:"
			  FEAST_VERSION "` and render with --sidecar-image REGISTRY/feast-sidecar:" FEAST_VERSION);
	return r.errors ? -1 : 0;
}

int render_fwrite(FILE *f, const struct objlist *objs, enum render_format format)
{
	struct buf b = BUF_INIT;
	int rc = 0;
	if (format == RENDER_JSON) {
		rc = render_write(&b, objs, format);
		if (!rc && fwrite(b.data, 1, b.len, f) != b.len)
			rc = -1;
		buf_release(&b);
		return rc;
	}
	/* yaml_emit() writes `---` before every document but the first, nothing else between. */
	for (size_t i = 0; i < objs->n && !rc; i++) {
		buf_reset(&b);
		if (i)
			buf_adds(&b, "---\n");
		rc = yaml_emit_one(&b, objs->v[i].root);
		if (!rc && fwrite(b.data, 1, b.len, f) != b.len)
			rc = -1;
	}
	buf_release(&b);
	return rc;
}

int render_write(struct buf *out, const struct objlist *objs, enum render_format format)
{
	if (format == RENDER_YAML) {
		if (!objs->n)
			return 0;
		const struct node **roots = xmalloc(objs->n * sizeof(*roots));
		for (size_t i = 0; i < objs->n; i++)
			roots[i] = objs->v[i].root;
		int rc = yaml_emit(out, roots, objs->n);
		free(roots);
		return rc;
	}
	/* kubectl's List, with the objects as they are (nodes are only read). */
	struct arena a = ARENA_INIT;
	struct node *list = node_map(&a, NULL);
	map_put(&a, list, "apiVersion", node_str(&a, "v1"));
	map_put(&a, list, "kind", node_str(&a, "List"));
	struct node *items = node_seq(&a, NULL);
	for (size_t i = 0; i < objs->n; i++)
		seq_push(&a, items, objs->v[i].root);
	map_put(&a, list, "items", items);
	json_emit(out, list, 2);
	buf_addc(out, '\n');
	arena_free(&a);
	return 0;
}
