/* docshape.c -- documents must be objects, FeatureStores plain, near misses named, identities unique. */
#include "docshape.h"
#include "arena.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "k8sval.h"
#include "schema.h"
#include "yaml_in.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CORE_TAG "tag:yaml.org,2002:"

const char *docshape_tag_name(struct diags *d, const char *tag)
{
	size_t n = strlen(CORE_TAG);
	if (!strncmp(tag, CORE_TAG, n))
		return arena_printf(d->arena, "!!%s", tag + n);
	return tag;
}

/* Every tagged node under n, at its path. */
static void report_tags(struct diags *d, const struct node *n, const char *at)
{
	if (n->tag)
		diag_error(d, &n->pos, at, "the YAML tag %s is not allowed in a FeatureStore: kubectl reads another "
			   "value than the one written (write the plain value)", docshape_tag_name(d, n->tag));
	node_map_each(n, p)
		report_tags(d, p->val, *at ? arena_printf(d->arena, "%s.%s", at, p->key) : p->key);
	for (size_t i = 0; i < node_seq_len(n); i++)
		report_tags(d, n->u.seq.v[i], arena_printf(d->arena, "%s[%zu]", at, i));
}

static bool group_mentions_feast(const char *api)
{
	size_t glen = strcspn(api, "/");
	for (size_t i = 0; i + 5 <= glen; i++)
		if (!strncasecmp(api + i, "feast", 5))
			return true;
	return false;
}

/* kind: Featurestore, apiVersion: feast.io/v1 and the like pass through unchecked: say so. */
static void near_miss(const struct document *doc, const char *api, const char *kind, struct diags *d)
{
	char group[256];
	const char *version;
	if (doc_classify(doc->root) != DOC_OTHER)
		return;
	if (api_version_split(api, group, sizeof(group), &version) && crd_find(group, kind))
		return; /* one of the embedded CRDs: checked as such */
	if (strcasecmp(kind, "FeatureStore") != 0 && !group_mentions_feast(api))
		return;
	struct diag *x = diag_warn(d, &doc->root->pos, "kind",
				   "%s %s is not a FeatureStore (apiVersion feast.dev/v1, kind FeatureStore) and is passed "
				   "through unchecked", api, kind);
	x->rule = DOCSHAPE_NEAR_MISS;
}

size_t docshape_check(const struct document *doc, struct diags *d)
{
	const struct node *root = doc->root;
	size_t errors = d->errors;
	if (!root)
		return 0;
	if (root->kind != NODE_MAP) {
		diag_error(d, &root->pos, "", "a document must be a Kubernetes object (a mapping with apiVersion and "
			   "kind), not %s %s", root->kind == NODE_SEQ ? "an" : "a", node_type_name(root));
		return d->errors - errors;
	}
	const char *api = node_text(map_get(root, "apiVersion"));
	const char *kind = node_text(map_get(root, "kind"));
	if (!api || !*api)
		diag_error(d, &root->pos, "", "apiVersion not set");
	if (!kind || !*kind)
		diag_error(d, &root->pos, "", "kind not set");
	if (d->errors > errors)
		return d->errors - errors;
	near_miss(doc, api, kind, d);
	if (doc_is_featurestore(root))
		report_tags(d, root, "");
	return d->errors - errors;
}

/* ---- identities ---- */

struct ident {
	const char *key;  /* "group\nkind\nnamespace\nname" */
	const struct document *doc;
	size_t i;
};

static int compare_ident(const void *x, const void *y)
{
	const struct ident *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

size_t docshape_check_unique(const struct doclist *docs, struct diags *d)
{
	struct ident *v = xmalloc((docs->n ? docs->n : 1) * sizeof(*v));
	size_t n = 0, errors = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const struct node *root = docs->v[i].root;
		const char *api = node_text(map_get(root, "apiVersion"));
		const char *kind = node_text(map_get(root, "kind"));
		const char *name = node_text(node_at(root, "metadata.name"));
		if (!api || !kind || !name || !*name)
			continue;
		size_t glen = strchr(api, '/') ? strcspn(api, "/") : 0;
		v[n].key = arena_printf(d->arena, "%.*s\n%s\n%s\n%s", (int)glen, api, kind,
					node_str_or(node_at(root, "metadata.namespace"), ""), name);
		v[n].doc = &docs->v[i];
		v[n].i = i;
		n++;
	}
	qsort(v, n, sizeof(*v), compare_ident);
	/* Reported in document order: each repeat with the first of its identity. */
	const struct document **first = xcalloc(docs->n ? docs->n : 1, sizeof(*first));
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i].key, v[i - 1].key))
			first[v[i].i] = first[v[i - 1].i] ? first[v[i - 1].i] : v[i - 1].doc;
	for (size_t i = 0; i < docs->n; i++) {
		if (!first[i])
			continue;
		const struct node *dup = docs->v[i].root;
		const char *ns = node_str_or(node_at(dup, "metadata.namespace"), "");
		/* one file named twice (-f, or a directory and a file in it) */
		bool reread = !strcmp(first[i]->file, docs->v[i].file) && first[i]->root->pos.line == dup->pos.line &&
			      first[i]->root->pos.col == dup->pos.col;
		diag_error(d, &dup->pos, "metadata.name", "%s %s%s%s is defined twice, here and at %s:%u%s: two "
			   "objects may not have the same group, kind, namespace and name",
			   node_text(map_get(dup, "kind")), ns, *ns ? "/" : "", node_text(node_at(dup, "metadata.name")),
			   first[i]->file, first[i]->root->pos.line, reread ? " (the same file, read twice)" : "");
		errors++;
	}
	free(first);
	free(v);
	return errors;
}

size_t docshape_require_store(const struct doclist *docs, struct diags *d)
{
	for (size_t i = 0; i < docs->n; i++) {
		if (doc_is_featurestore(docs->v[i].root))
			return 0;
	}
	struct pos at = { docs->n ? docs->v[0].file : NULL, 0, 0 };
	diag_error(d, docs->n == 1 || (docs->n && !strcmp(docs->v[0].file, docs->v[docs->n - 1].file)) ? &at : NULL,
		   "", "no FeatureStore (apiVersion feast.dev/v1, kind FeatureStore) in the input");
	return 1;
}

const char *docshape_namespace_error(const char *ns)
{
	return dns1123_label_error(ns);
}
