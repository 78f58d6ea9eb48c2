/* render.c -- decode every FeatureStore of a run, then build its objects stage by stage, a store at a time. */
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

static const struct store_sum *find_sum(const struct render_ctx *r, const char *name, const char *ns)
{
	for (size_t i = 0; i < r->nsums; i++) {
		const struct store_sum *s = &r->sums[i];
		if (!strcmp(s->name, name) && ((!ns && !s->ns) || (ns && s->ns && !strcmp(ns, s->ns))))
			return s;
	}
	return NULL;
}

/* A remote registry named by feastRef: checked against the run's stores when present. */
static void check_feastref(struct render_ctx *r, const struct store_sum *s)
{
	if (!s->ref_name)
		return;
	const struct store_sum *ref = find_sum(r, s->ref_name, s->ref_ns);
	const char *path = "spec.services.registry.remote.feastRef";
	if (ref == s) {
		diag_error(r->d, &s->ref_node->pos, path,
			   "FeatureStore '%s' can't reference itself in `spec.services.registry.remote.feastRef`",
			   s->name);
		r->errors++;
	} else if (!ref) {
		if (r->opts->target == RENDER_TARGET_OPERATOR)
			return; /* the operator resolves it in the cluster */
		warn_once(r, W_FEASTREF, s->ref_node, path,
			  "FeatureStore '%s' is not in the input; assuming its registry serves gRPC on port 80",
			  s->ref_name);
	} else if (!ref->grpc_registry) {
		diag_error(r->d, &s->ref_node->pos, path,
			   "Remote feast registry of referenced FeatureStore '%s' must have gRPC server enabled",
			   s->ref_name);
		r->errors++;
	}
}

/* The host of a feastRef to a store of the run whose registry serves TLS: port 443. */
static void fix_feastref(struct render_ctx *r, struct store *st)
{
	struct fs *fs = &st->fs;
	const struct store_sum *ref = fs->ref_name ? find_sum(r, fs->ref_name, fs->ref_ns) : NULL;
	if (ref && ref->doc != fs->doc && ref->grpc_registry && ref->tls_registry) {
		size_t len = strlen(fs->remote_host);
		fs->remote_host = arena_printf(r->a, "%.*s:443", (int)(len - 3), fs->remote_host);
	}
}

/* While streaming, the previous store's objects go (and the label leaves made for them). */
static void scratch_reset(struct render_ctx *r)
{
	if (r->streaming) {
		arena_free(&r->scratch);
		memset(r->leaves, 0, sizeof(r->leaves));
		r->next_leaf = 0;
		memset(&r->batch, 0, sizeof(r->batch));
	}
	diags_init(&r->mute, r->a);
}

static int store_decode(struct render_ctx *r, const struct document *doc, struct store *st)
{
	const char *image = r->opts->image ? r->opts->image : RENDER_DEFAULT_IMAGE;
	memset(st, 0, sizeof(*st));
	return spec_decode(r->a, doc, r->opts->namespace, image, r->opts->openshift, &st->fs, r->d);
}

/* Store i once more, as the survey saw it: its diagnostics were given then. */
static void store_load(struct render_ctx *r, size_t i, struct store *st)
{
	struct diags *d = r->d;
	r->d = &r->mute;
	if (r->load)
		r->load(r->load_ctx, (struct document *)r->sums[i].doc);
	store_decode(r, r->sums[i].doc, st);
	st->shards = shards_effective(st->fs.root, r->opts->materialize_shards);
	fix_feastref(r, st);
	keda_attach(r, st);
	r->d = d;
}

static void store_prepare_muted(struct render_ctx *r, struct store *st)
{
	struct diags *d = r->d;
	r->d = &r->mute;
	store_prepare(r, st);
	r->d = d;
}

static void summarize(struct render_ctx *r, const struct fs *fs, struct store_sum *s)
{
	s->doc = fs->doc;
	/* Copies: the store's tree may be gone before the summary is read (render_stream_raw()). */
	s->name = arena_strdup(r->run, fs->name);
	s->ns = fs->ns ? arena_strdup(r->run, fs->ns) : NULL;
	s->feast_name = arena_strdup(r->run, fs->feast_name);
	s->ref_name = fs->ref_name ? arena_strdup(r->run, fs->ref_name) : NULL;
	s->ref_ns = fs->ref_ns ? arena_strdup(r->run, fs->ref_ns) : NULL;
	if (fs->ref_node) {
		struct node *at = arena_alloc(r->run, sizeof(*at));
		at->pos = fs->ref_node->pos; /* only its position is read */
		s->ref_node = at;
	}
	s->grpc_registry = fs->srv[SRV_REGISTRY].on && fs->grpc;
	s->tls_registry = fs->srv[SRV_REGISTRY].tls.on;
	r->token_review |= fs->authz == AUTHZ_KUBERNETES;
	r->oidc_token_review |= fs->authz == AUTHZ_OIDC;
}

void render_survey_store(struct render_ctx *r, const struct document *doc)
{
	if (!doc_is_featurestore(doc->root))
		return;
	struct store st;
	scratch_reset(r);
	if (store_decode(r, doc, &st) < 0) {
		r->errors++;
		return;
	}
	if (r->nsums == r->capsums) {
		size_t cap = r->capsums ? r->capsums * 2 : 64;
		r->sums = arena_grow(r->run, r->sums, r->nsums * sizeof(*r->sums), cap * sizeof(*r->sums));
		r->capsums = cap;
	}
	summarize(r, &st.fs, &r->sums[r->nsums++]);
	int shards = shards_effective(st.fs.root, r->opts->materialize_shards);
	/* check_documents() judged the stores that ask by annotation; these take the flag's. */
	if (shards > 1 && !shards_annotation(st.fs.root))
		r->errors += (int)shards_check(st.fs.doc, r->docs, r->opts->namespace, shards, r->d);
}

void render_survey_end(struct render_ctx *r)
{
	for (size_t i = 0; i < r->nsums; i++)
		check_feastref(r, &r->sums[i]);
	keda_resolve_run(r, r->docs);
}

/* Decode every FeatureStore first, keeping only its summary: nothing is built unless all of
 * them are sound, and later stores and the shared objects need only the summaries. */
static void survey(struct render_ctx *r)
{
	for (size_t i = 0; i < r->docs->n; i++)
		render_survey_store(r, &r->docs->v[i]);
	render_survey_end(r);
}

/* Prepared before anything is built: which namespaces need the merge script is known only then. */
void render_prepare_store(struct render_ctx *r, size_t i)
{
	struct store st;
	scratch_reset(r);
	store_load(r, i, &st);
	store_prepare(r, &st);
	r->sums[i].merges = st.nops > 0;
}

static void prepare_all(struct render_ctx *r)
{
	for (size_t i = 0; i < r->nsums; i++)
		render_prepare_store(r, i);
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
		/* Objects built for a store have the store as source; any other source is passed through. */
		bool as_written = o->src && (o->root == o->src->root || doc_is_featurestore(o->root) ||
					     !doc_is_featurestore(o->src->root));
		if (as_written && !r->opts->no_flux_warnings)
			flux_warn(r->d, o->root);
		else if (!as_written)
			flux_mark(r->a, o->root);
	}
}

/* ---- batches: the shared objects, each store's, the documents passed through ---- */

static void batch_begin(struct render_ctx *r)
{
	scratch_reset(r);
	r->first = r->out->n;
}

/* A batch is complete: marked for Flux, its identities checked, handed to the sink. */
static int batch_end(struct render_ctx *r, const struct render_sink *sink)
{
	flux_pass(r, r->first);
	const struct render_obj *v = r->out->v + r->first;
	size_t n = r->out->n - r->first;
	if (r->ids && n)
		idents_add(r, v, n);
	if (sink && n && !r->errors)
		return sink->put(sink->ctx, v, n);
	return 0;
}

/* --target operator: each store as written, then its ScaledObject; nothing else.  One batch:
 * the objects are the input documents, and warnings keep their order. */
static int operator_pass(struct render_ctx *r, const struct render_sink *sink)
{
	const struct doclist *docs = r->docs;
	size_t k = 0;
	batch_begin(r);
	for (size_t i = 0; i < docs->n; i++) {
		const struct document *doc = &docs->v[i];
		if (k < r->nsums && r->sums[k].doc == doc) {
			struct store st;
			store_load(r, k++, &st);
			obj_append(r, store_as_written(r, &st), doc);
			build_scaledobject(r, &st);
		} else if (!keda_consumed(r, doc) && doc->root) {
			const char *kind = node_str_or(map_get(doc->root, "kind"), "document");
			const char *name = node_str_or(node_at(doc->root, "metadata.name"), "");
			diag_warn(r->d, &doc->root->pos, "", "%s%s%s is not emitted with --target operator (only "
				  "FeatureStores and their ScaledObjects are)", kind, *name ? "/" : "", name);
		}
	}
	return batch_end(r, sink);
}

static int standalone_pass(struct render_ctx *r, const struct render_sink *sink)
{
	batch_begin(r);
	build_shared_rbac(r);
	build_merge_configmaps(r, r->sums, r->nsums);
	build_namespace_registry(r, r->sums, r->nsums);
	if (batch_end(r, sink) < 0)
		return -1;
	for (size_t i = 0; i < r->nsums; i++) {
		struct store st;
		batch_begin(r);
		store_load(r, i, &st);
		store_prepare_muted(r, &st);
		warn_unrendered(r, &st);
		for (size_t s = 0; s < sizeof(stages) / sizeof(stages[0]); s++)
			stages[s](r, &st);
		if (batch_end(r, sink) < 0)
			return -1;
	}
	/* Everything else (Secrets, backing services, other workloads' ScaledObjects) as written. */
	batch_begin(r);
	for (size_t i = 0; i < r->docs->n; i++) {
		const struct document *doc = &r->docs->v[i];
		/* No tree: a store whose tree is not loaded (render_stream_raw()). */
		if (!doc->root || doc_is_featurestore(doc->root) || keda_consumed(r, doc))
			continue;
		obj_append(r, render_passthrough(r, doc), doc);
	}
	return batch_end(r, sink);
}

static int build_pass(struct render_ctx *r, const struct render_sink *sink)
{
	return r->opts->target == RENDER_TARGET_OPERATOR ? operator_pass(r, sink) : standalone_pass(r, sink);
}

/* Survey, then one pass that builds and checks every object (handing batches to `sink`
 * only when `check_first` is false). */
static int check_pass(struct render_ctx *r, const struct render_sink *sink)
{
	if (templates_load(r->run, &r->tm, r->d) < 0)
		return -1;
	render_check_namespaces(r, r->docs);
	survey(r);
	if (r->errors)
		return -1;
	return render_check_build(r, sink, true);
}

int render_check_build(struct render_ctx *r, const struct render_sink *sink, bool report)
{
	if (r->opts->target == RENDER_TARGET_STANDALONE && !r->prepared)
		prepare_all(r);
	r->ids = idents_new();
	int rc = build_pass(r, sink);
	if (report)
		idents_report(r);
	else if (idents_dups(r->ids))
		r->errors++;
	idents_free(r->ids);
	r->ids = NULL;
	if (!r->errors && r->warned[W_SIDECAR_IMAGE])
		diag_warn(r->d, NULL, "", "the feast-sidecar image " RENDER_SIDECAR_IMAGE " is a local default that "
			  "no registry serves: build it with `make image`, push it with `skopeo copy "
			  "oci-archive:dist/feast-sidecar-" FEAST_VERSION ".oci.tar docker://REGISTRY/feast-sidecar:"
			  FEAST_VERSION "` and render with --sidecar-image REGISTRY/feast-sidecar:" FEAST_VERSION);
	return r->errors || rc < 0 ? -1 : 0;
}

void render_ctx_init(struct render_ctx *r, struct arena *a, const struct doclist *docs,
		     const struct render_opts *opts, struct diags *d)
{
	memset(r, 0, sizeof(*r));
	r->run = a;
	r->a = a;
	r->d = r->live = d;
	r->opts = opts;
	r->docs = docs;
}

int render_documents(struct arena *a, const struct doclist *docs, const struct render_opts *opts,
		     struct objlist *out, struct diags *d)
{
	struct render_ctx r;
	render_ctx_init(&r, a, docs, opts, d);
	r.out = out;
	return check_pass(&r, NULL);
}

int render_stream(struct arena *a, const struct doclist *docs, const struct render_opts *opts,
		  const struct render_sink *sink, struct diags *d)
{
	struct render_ctx r;
	render_ctx_init(&r, a, docs, opts, d);
	render_ctx_streaming(&r);
	return render_output(&r, check_pass(&r, NULL), sink);
}

void render_ctx_streaming(struct render_ctx *r)
{
	r->streaming = true;
	r->a = &r->scratch;
	r->out = &r->batch;
}

int render_output(struct render_ctx *r, int rc, const struct render_sink *sink)
{
	struct diags *d = r->live;
	if (!rc && sink && sink->ready)
		rc = sink->ready(sink->ctx);
	if (!rc && sink) {
		/* The same work again, for the sink: everything it could say was said above. */
		r->d = &r->mute;
		rc = build_pass(r, sink);
		r->d = r->live;
		if (r->errors) {
			diag_error(d, NULL, "", "internal error: the output pass found an error the check did not");
			rc = -1;
		}
	}
	arena_free(&r->scratch);
	return rc;
}
