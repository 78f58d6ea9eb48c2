/* check.c -- run every check on every document of a run, in document order. */
#include "check.h"
#include "arena.h"
#include "cel.h"
#include "diag.h"
#include "doc.h"
#include "docshape.h"
#include "keda.h"
#include "reconcile_rules.h"
#include "shards.h"
#include "schema.h"
#include "yaml_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum doc_kind doc_classify(const struct node *root)
{
	const char *api = node_text(map_get(root, "apiVersion"));
	const char *kind = node_text(map_get(root, "kind"));
	if (!api || !kind)
		return DOC_OTHER;
	if (!strcmp(kind, "FeatureStore")) {
		if (!strcmp(api, "feast.dev/v1"))
			return DOC_FEATURESTORE_V1;
		if (!strcmp(api, "feast.dev/v1alpha1"))
			return DOC_FEATURESTORE_V1ALPHA1;
	}
	if (!strcmp(kind, "ScaledObject") && !strcmp(api, "keda.sh/v1alpha1"))
		return DOC_SCALEDOBJECT;
	return DOC_OTHER;
}

bool doc_is_featurestore(const struct node *root)
{
	enum doc_kind k = doc_classify(root);
	return k == DOC_FEATURESTORE_V1 || k == DOC_FEATURESTORE_V1ALPHA1;
}

/* ---- document order ---- */

struct indexed {
	struct diag d;
	size_t i;
};

static int compare_pos(const void *x, const void *y)
{
	const struct indexed *a = x, *b = y;
	if (a->d.pos.line != b->d.pos.line)
		return a->d.pos.line < b->d.pos.line ? -1 : 1;
	if (a->d.pos.col != b->d.pos.col)
		return a->d.pos.col < b->d.pos.col ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i); /* stable */
}

static void sort_by_position(struct diags *d, size_t from)
{
	size_t n = d->n - from;
	if (n < 2)
		return;
	struct indexed *v = xmalloc(n * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].d = d->v[from + i];
		v[i].i = i;
	}
	qsort(v, n, sizeof(*v), compare_pos);
	for (size_t i = 0; i < n; i++)
		d->v[from + i] = v[i].d;
	free(v);
}

/* ---- one document ---- */

static const struct crd_version *unknown_version(const struct node *api, const char *kind, struct diags *d)
{
	struct diag *x = diag_error(d, &api->pos, "apiVersion", "no matches for kind \"%s\" in version \"%s\"", kind,
				    api->u.sc.s);
	x->rule = "schema.version";
	return NULL;
}

/* The CRD version the document claims, or NULL if it is not one of ours. */
static const struct crd_version *version_of(const struct node *root, const struct crd_def **crd, struct diags *d)
{
	const struct node *api = map_get(root, "apiVersion");
	const char *kind = node_text(map_get(root, "kind")), *version;
	char group[256];
	if (!kind || !api || api->kind != NODE_SCALAR || api->u.sc.type != SCALAR_STR)
		return NULL;
	bool ok = api_version_split(api->u.sc.s, group, sizeof(group), &version);
	if (!ok) { /* "feast.dev/" or "feast.dev/v1/x": ours, but no version of it */
		size_t glen = strcspn(api->u.sc.s, "/");
		snprintf(group, sizeof(group), "%.*s", (int)(glen < sizeof(group) ? glen : 0), api->u.sc.s);
	}
	*crd = crd_find(group, kind);
	if (!*crd)
		return NULL;
	const struct crd_version *v = ok ? crd_version(*crd, version) : NULL;
	if (!v || !v->served)
		return unknown_version(api, kind, d);
	if (v->deprecated) {
		struct diag *x = diag_warn(d, &api->pos, "apiVersion", "%s",
					   v->deprecation_warning ? v->deprecation_warning : "this version is deprecated");
		x->rule = "deprecated-version";
	}
	return v;
}

size_t check_document(const struct document *doc, struct diags *d)
{
	size_t from = d->n, errors = d->errors;
	const struct crd_def *crd = NULL;
	if (docshape_check(doc, d) || !doc->root || doc->root->kind != NODE_MAP) {
		sort_by_position(d, from);
		return d->errors - errors;
	}
	const struct crd_version *v = version_of(doc->root, &crd, d);
	if (v) {
		struct rule_ctx ctx = { NULL };
		struct schema_hooks hooks = { cel_hook, &ctx };
		/* render completes a ScaledObject's scaleTargetRef, so it may be left out */
		const struct node *root = doc->root;
		if (doc_classify(root) == DOC_SCALEDOBJECT)
			root = keda_schema_view(d->arena, root);
		schema_check(v, root, &hooks, d);
		diags_set_source(d, from, "schema"); /* the CEL rules' own are "cel" already */
		if (doc_is_featurestore(doc->root))
			reconcile_check(doc->root, d);
	}
	diags_set_source(d, from, v ? "operator" : "schema");
	sort_by_position(d, from);
	return d->errors - errors;
}

size_t check_documents(struct arena *a, const struct doclist *docs, struct diags *d)
{
	size_t errors = 0;
	for (size_t i = 0; i < docs->n; i++)
		errors += check_document(&docs->v[i], d);
	errors += docshape_check_unique(docs, d);
	/* Across documents (in ScaledObject order): ScaledObjects and the stores they scale. */
	size_t from = d->n;
	errors += keda_check(a, docs, d);
	errors += shards_check_documents(docs, d);
	diags_set_source(d, from, "operator"); /* no API server pairs documents */
	return errors;
}

/* ---- scaling with overrides ---- */

size_t rules_check_scaling(const struct node *fs_root, const struct scaling_override *o, struct diags *d)
{
	const struct pair *p = map_find(fs_root, "spec");
	const struct node *spec = p ? p->val : NULL;
	struct node empty = { .kind = NODE_MAP };
	if (!spec || node_is_null(spec))
		spec = &empty; /* no spec: the rules still judge the override */
	if (spec->kind != NODE_MAP)
		return 0;
	const struct pos *pos = p && p->kpos.line ? &p->kpos : &fs_root->pos;
	struct rule_ctx ctx = { o };
	size_t errors = 0;
	for (size_t i = 0; i < cel_rules_count; i++)
		if (cel_rules[i].flags & CEL_SCALING)
			errors += cel_report(&cel_rules[i], spec, &ctx, "spec", pos, d);
	return errors;
}
