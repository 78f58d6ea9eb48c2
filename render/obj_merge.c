/* obj_merge.c -- ConfigMap feast-secret-merge-<hash>: secret-merge.py, once per namespace. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

#include <string.h>

static int ns_cmp(const char *a, const char *b)
{
	return !a || !b ? (a != NULL) - (b != NULL) : strcmp(a, b);
}

static void merge_configmap(struct render_ctx *r, const char *ns)
{
	struct node *cm = obj_new(r, NULL, T_CONFIGMAP, r->tm.merge_cm, false, NULL, "secret-merge");
	if (ns)
		map_set(r->a, map_get(cm, "metadata"), "namespace", str_node(r, ns));
	struct node *data = node_map(r->a, NULL);
	const char *py = r->tm.secret_merge;
	map_put(r->a, data, MERGE_SCRIPT_KEY, node_scalar(r->a, NULL, py, strlen(py), SCALAR_STR, STYLE_LITERAL));
	map_set(r->a, cm, "data", data);
	/* Named by its content: a change is a new ConfigMap, never an edit of this one. */
	map_set(r->a, cm, "immutable", node_bool(r->a, true));
	obj_emit(r, NULL, cm);
}

/* Namespaces in sorted order, so the shared objects do not depend on the input's order. */
void build_merge_configmaps(struct render_ctx *r, const struct store_sum *v, size_t n)
{
	const char **ns = arena_alloc(r->a, (n ? n : 1) * sizeof(*ns));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].merges)
			continue;
		size_t j = 0;
		while (j < k && ns_cmp(ns[j], v[i].ns) < 0)
			j++;
		if (j < k && !ns_cmp(ns[j], v[i].ns))
			continue;
		memmove(ns + j + 1, ns + j, (k - j) * sizeof(*ns));
		ns[j] = v[i].ns;
		k++;
	}
	for (size_t i = 0; i < k; i++)
		merge_configmap(r, ns[i]);
}
