/* unlist.c -- v1 List and *List documents become one document per item. */
#include "unlist.h"
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "yaml_in.h"

#include <string.h>

bool doc_is_list(const struct node *root)
{
	const char *kind = node_text(map_get(root, "kind"));
	const char *api = node_text(map_get(root, "apiVersion"));
	if (!kind || !api)
		return false;
	if (!strcmp(api, "v1") && !strcmp(kind, "List"))
		return true;
	/* Typed lists (FeatureStoreList, ConfigMapList): kubectl unwraps any kind
	 * ending in List that carries an items array. */
	size_t n = strlen(kind);
	const struct node *items = map_get(root, "items");
	return n > 4 && !strcmp(kind + n - 4, "List") && items && items->kind == NODE_SEQ;
}

/* Append `doc`, or its items when it is a List; nesting is bounded by the parser's depth limit. */
static size_t add_unwrapped(struct arena *a, struct doclist *out, const struct document *doc, struct diags *d)
{
	if (!doc->root || doc->root->kind != NODE_MAP || !doc_is_list(doc->root)) {
		doclist_push(a, out, doc);
		return 0;
	}
	const struct node *items = map_get(doc->root, "items");
	size_t errors = 0;
	if (!items || node_is_null(items))
		return 0;
	if (items->kind != NODE_SEQ) {
		diag_error(d, &items->pos, "items", "must be a list of objects");
		return 1;
	}
	for (size_t i = 0; i < items->u.seq.n; i++) {
		struct node *item = items->u.seq.v[i];
		if (item->kind != NODE_MAP) {
			diag_error(d, &item->pos, arena_printf(d->arena, "items[%zu]", i),
				   "a List item must be an object (a mapping), not %s", node_type_name(item));
			errors++;
			continue;
		}
		struct document sub = *doc;
		sub.root = item;
		sub.off = item->off;
		sub.end = item->end;
		errors += add_unwrapped(a, out, &sub, d);
	}
	return errors;
}

size_t doclist_unwrap(struct arena *a, struct doclist *docs, struct diags *d)
{
	bool any = false;
	for (size_t i = 0; i < docs->n && !any; i++)
		any = docs->v[i].root && doc_is_list(docs->v[i].root);
	if (!any)
		return 0;
	struct doclist out = { 0 };
	size_t errors = 0;
	for (size_t i = 0; i < docs->n; i++)
		errors += add_unwrapped(a, &out, &docs->v[i], d);
	*docs = out;
	return errors;
}
