/* render_raw.c -- render from raw input streams, holding one FeatureStore's tree at a time. */
#include "arena.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "input.h"
#include "render_int.h"
#include "shards.h"
#include "unlist.h"
#include "yaml_in.h"

#include <stdlib.h>
#include <string.h>

/* Reads the streams again, in order, for the tree of one store at a time. */
struct reread {
	const struct inputs *in;
	struct doclist *docs;
	struct arena *names;       /* the run's: each opening copies the stream's name */
	size_t stream;             /* the stream open in `ys` */
	struct yaml_stream *ys;
	size_t next;               /* index in docs of the document `ys` gives next */
	struct arena tree;         /* the loaded document's nodes */
	struct document *loaded;
	struct diags quiet;        /* the streams were sound the first time */
	bool failed;               /* a stream did not give the documents it gave before */
};

static void reread_close(struct reread *rr)
{
	yaml_stream_close(rr->ys);
	rr->ys = NULL;
}

static void evict(struct reread *rr)
{
	if (rr->loaded)
		rr->loaded->root = NULL;
	rr->loaded = NULL;
	arena_free(&rr->tree);
}

/* The next document of the run into rr->tree, or false at the end of the input. */
static bool reread_next(struct reread *rr, struct document *doc)
{
	for (;;) {
		if (!rr->ys) {
			if (rr->stream >= rr->in->nstreams)
				return false;
			const struct input_stream *s = &rr->in->streams[rr->stream];
			rr->ys = yaml_stream_open(rr->names, s->name, s->text, s->len, NULL, &rr->quiet);
			if (!rr->ys)
				return false;
		}
		if (yaml_stream_next(rr->ys, &rr->tree, doc))
			return true;
		reread_close(rr);
		rr->stream++;
	}
}

static void reread_load(void *ctx, struct document *want)
{
	struct reread *rr = ctx;
	size_t j = (size_t)(want - rr->docs->v);
	if (want->root)
		return;
	evict(rr);
	if (j < rr->next) { /* a new pass: from the start */
		reread_close(rr);
		rr->stream = 0;
		rr->next = 0;
	}
	while (rr->next <= j) {
		struct document doc;
		arena_free(&rr->tree);
		if (!reread_next(rr, &doc)) {
			rr->failed = true;
			return;
		}
		if (rr->next++ == j) {
			if (doc.off != want->off || doc.end != want->end)
				rr->failed = true;
			want->root = doc.root;
			rr->loaded = want;
		}
	}
}

/* ---- the first pass: every document read, checked and surveyed once ---- */

struct first {
	struct render_ctx *r;
	struct doclist *docs;
	struct arena *kept;        /* the arenas of the documents that stay (all but stores) */
	size_t nkept, capkept;
	struct diags yaml;         /* the streams' own: any at all sends the run the whole way */
	char **ids;                /* open addressing: the identities seen, as docshape keys them */
	size_t nids, capids;
	/* Each store prepared as it is surveyed, saving a pass, until one names another by
	 * feastRef (its prepare needs the other's summary): then all of them after the survey. */
	struct diags prep;
	bool prepare_late;
};

static size_t key_slot(char *const *v, size_t cap, const char *key)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	size_t k = h & (cap - 1);
	while (v[k] && strcmp(v[k], key))
		k = (k + 1) & (cap - 1);
	return k;
}

/* Has an earlier document the identity of `root` (what docshape_check_unique() compares)? */
static bool seen_identity(struct first *f, const struct node *root)
{
	const char *api = node_text(map_get(root, "apiVersion"));
	const char *kind = node_text(map_get(root, "kind"));
	const char *name = node_text(node_at(root, "metadata.name"));
	if (!api || !kind || !name || !*name)
		return false;
	if (2 * (f->nids + 1) > f->capids) {
		size_t cap = f->capids ? f->capids * 2 : 1024;
		char **v = xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < f->capids; i++)
			if (f->ids[i])
				v[key_slot(v, cap, f->ids[i])] = f->ids[i];
		free(f->ids);
		f->ids = v;
		f->capids = cap;
	}
	size_t glen = strchr(api, '/') ? strcspn(api, "/") : 0;
	char *key = arena_printf(f->r->run, "%.*s\n%s\n%s\n%s", (int)glen, api, kind,
				 node_str_or(node_at(root, "metadata.namespace"), ""), name);
	size_t k = key_slot(f->ids, f->capids, key);
	if (f->ids[k])
		return true;
	f->ids[k] = key;
	f->nids++;
	return false;
}

/* The summaries point at documents of the array, which moves as it grows. */
static void push_doc(struct first *f, const struct document *doc)
{
	const struct document *old = f->docs->v;
	doclist_push(f->r->run, f->docs, doc);
	for (size_t i = 0; old != f->docs->v && i < f->r->nsums; i++)
		f->r->sums[i].doc = f->docs->v + (f->r->sums[i].doc - old);
}

static void prepare_early(struct first *f)
{
	struct render_ctx *r = f->r;
	if (!f->prepare_late && r->sums[r->nsums - 1].ref_name) {
		/* Undone: the prepare pass will say it all again, in its order. */
		f->prepare_late = true;
		diags_init(&f->prep, r->run);
		memset(r->warned, 0, sizeof(r->warned)); /* only prepare steps have warned yet */
	}
	if (f->prepare_late)
		return;
	struct diags *d = r->d;
	r->d = &f->prep;
	render_prepare_store(r, r->nsums - 1);
	r->d = d;
}

/* One document: false when the run has to take the whole-tree path after all. */
static bool first_doc(struct first *f, struct document *doc, struct arena *tree)
{
	struct render_ctx *r = f->r;
	enum doc_kind kind = doc_classify(doc->root);
	bool store = doc_is_featurestore(doc->root);
	if (doc_is_list(doc->root) || kind == DOC_SCALEDOBJECT || (store && shards_annotation(doc->root)))
		return false;
	/* What the checks allocate goes with the tree: a clean document leaves nothing behind. */
	struct diags checks;
	diags_init(&checks, tree);
	check_document(doc, &checks);
	if (checks.n || seen_identity(f, doc->root))
		return false;
	push_doc(f, doc);
	struct document *mine = &f->docs->v[f->docs->n - 1];
	struct doclist one = { mine, 1, 1 };
	render_check_namespaces(r, &one);
	size_t sums = r->nsums;
	render_survey_store(r, mine);
	if (r->nsums > sums)
		prepare_early(f);
	if (r->errors)
		return false;
	if (store) {
		mine->root = NULL;
		arena_free(tree);
		return true;
	}
	if (f->nkept == f->capkept) {
		f->capkept = f->capkept ? f->capkept * 2 : 16;
		f->kept = xrealloc(f->kept, f->capkept * sizeof(*f->kept));
	}
	f->kept[f->nkept++] = *tree;
	*tree = (struct arena)ARENA_INIT;
	return true;
}

static bool first_pass(struct first *f, const struct inputs *in)
{
	struct arena tree = ARENA_INIT;
	bool ok = true;
	for (size_t i = 0; ok && i < in->nstreams; i++) {
		const struct input_stream *s = &in->streams[i];
		struct yaml_stream *ys = yaml_stream_open(f->r->run, s->name, s->text, s->len, NULL, &f->yaml);
		struct document doc;
		while (ok && ys && yaml_stream_next(ys, &tree, &doc))
			ok = !yaml_stream_errors(ys) && first_doc(f, &doc, &tree);
		ok = ok && ys && !yaml_stream_errors(ys);
		yaml_stream_close(ys);
		arena_free(&tree);
	}
	return ok;
}

/* What only the whole-tree path does: the operator's output, and runs whose rules pair
 * documents (ScaledObjects, shards) or whose input is not clean. */
static bool streamable(const struct inputs *in, const struct render_opts *opts, const struct diags *walk)
{
	return !walk->n && !in->docs.n && opts->target == RENDER_TARGET_STANDALONE &&
	       opts->materialize_shards <= 1 && !opts->keda_adopt_hpa;
}

static int raw_run(struct render_ctx *r, struct first *f, const struct inputs *in, struct reread *rr,
		   const struct render_sink *sink, struct diags *d)
{
	/* No store: nothing to hold one at a time, and the whole-tree path says what is missing. */
	if (!first_pass(f, in) || !r->nsums)
		return RENDER_WHOLE;
	render_survey_end(r);
	/* The prepare step's diagnostics come after the survey's, as prepare_all() gives them. */
	if (!f->prepare_late) {
		diags_copy(r->d, &f->prep, 0, f->prep.n);
		r->prepared = true;
	}
	if (r->errors)
		return RENDER_WHOLE;
	r->load = reread_load;
	r->load_ctx = rr;
	int rc = render_check_build(r, NULL, false);
	if (rc < 0 || rr->failed)
		return RENDER_WHOLE;
	/* Clean: what the run said is what the whole-tree path would have said after its checks. */
	diags_copy(d, r->d, 0, r->d->n);
	r->live = r->d = d;
	rc = render_output(r, 0, sink);
	return rr->failed ? -1 : rc;
}

int render_stream_raw(struct arena *a, const struct inputs *in, const struct render_opts *opts,
		      const struct render_sink *sink, const struct diags *walk, struct diags *d)
{
	if (!streamable(in, opts, walk))
		return RENDER_WHOLE;
	struct doclist docs = { 0 };
	struct diags own;
	diags_init(&own, a);
	struct render_ctx r;
	render_ctx_init(&r, a, &docs, opts, &own);
	render_ctx_streaming(&r);
	struct first f = { .r = &r, .docs = &docs };
	diags_init(&f.yaml, a);
	diags_init(&f.prep, a);
	struct reread rr = { .in = in, .docs = &docs, .names = a };
	diags_init(&rr.quiet, a);
	int rc = templates_load(a, &r.tm, r.d) < 0 ? RENDER_WHOLE : raw_run(&r, &f, in, &rr, sink, d);
	if (rc == RENDER_WHOLE)
		arena_free(&r.scratch);
	evict(&rr);
	reread_close(&rr);
	for (size_t i = 0; i < f.nkept; i++)
		arena_free(&f.kept[i]);
	free(f.kept);
	free(f.ids);
	return rc;
}
