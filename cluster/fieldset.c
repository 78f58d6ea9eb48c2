/* fieldset.c -- FieldsV1 union and projection: the part of an object one field manager owns. */
#include "fieldset.h"
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

struct node *fieldset_union(struct arena *a, const struct node *x, const struct node *y)
{
	if (!x || x->kind != NODE_MAP)
		return y ? node_clone(a, y) : NULL;
	if (!y || y->kind != NODE_MAP)
		return node_clone(a, x);
	struct node *u = node_map(a, NULL);
	for (size_t i = 0; i < x->u.map.n; i++) {
		const struct pair *p = &x->u.map.v[i];
		map_put(a, u, p->key, fieldset_union(a, p->val, map_get(y, p->key)));
	}
	for (size_t i = 0; i < y->u.map.n; i++)
		if (!map_has(x, y->u.map.v[i].key))
			map_put(a, u, y->u.map.v[i].key, node_clone(a, y->u.map.v[i].val));
	return u;
}

struct node *fieldset_of(struct arena *a, const struct node *obj, const char *manager)
{
	const struct node *mf = node_at(obj, "metadata.managedFields");
	struct node *set = NULL;
	node_seq_each(mf, e) {
		const char *sub = node_str_or(map_get(e, "subresource"), "");
		if (strcmp(node_str_or(map_get(e, "manager"), ""), manager) || *sub)
			continue;
		set = fieldset_union(a, set, map_get(e, "fieldsV1"));
	}
	return set;
}

static bool has_children(const struct node *set)
{
	node_map_each(set, p)
		if (strcmp(p->key, "."))
			return true;
	return false;
}

/* Parse the JSON after a "k:" or "v:" prefix (in a scratch arena owned by the caller). */
static struct node *key_json(struct arena *scratch, const char *text)
{
	struct diags d;
	diags_init(&d, scratch);
	return json_parse(scratch, text, strlen(text), "fieldsV1", &d);
}

static bool key_matches(struct arena *scratch, const char *key, const struct node *item, size_t index)
{
	if (!strncmp(key, "i:", 2))
		return strtoul(key + 2, NULL, 10) == index;
	struct node *want = (!strncmp(key, "k:", 2) || !strncmp(key, "v:", 2)) ? key_json(scratch, key + 2) : NULL;
	if (!want)
		return false;
	if (key[0] == 'v')
		return node_equal(want, item);
	if (want->kind != NODE_MAP || !item || item->kind != NODE_MAP)
		return false;
	for (size_t i = 0; i < want->u.map.n; i++)
		if (!node_equal(want->u.map.v[i].val, map_get(item, want->u.map.v[i].key)))
			return false;
	return true;
}

static const struct node *item_set(struct arena *scratch, const struct node *set, const struct node *item,
				   size_t index)
{
	for (size_t i = 0; i < set->u.map.n; i++)
		if (key_matches(scratch, set->u.map.v[i].key, item, index))
			return set->u.map.v[i].val;
	return NULL;
}

static struct node *project(struct arena *a, struct arena *scratch, const struct node *val, const struct node *set)
{
	if (!has_children(set) || val->kind == NODE_SCALAR)
		return (struct node *)val;
	if (val->kind == NODE_MAP) {
		struct node *out = node_map(a, NULL);
		for (size_t i = 0; i < val->u.map.n; i++) {
			const struct pair *p = &val->u.map.v[i];
			const struct node *sub = map_get(set, arena_printf(scratch, "f:%s", p->key));
			if (sub)
				map_put(a, out, p->key, project(a, scratch, p->val, sub));
		}
		return out;
	}
	struct node *out = node_seq(a, NULL);
	for (size_t i = 0; i < val->u.seq.n; i++) {
		const struct node *sub = item_set(scratch, set, val->u.seq.v[i], i);
		if (sub)
			seq_push(a, out, project(a, scratch, val->u.seq.v[i], sub));
	}
	return out;
}

struct node *fieldset_project(struct arena *a, const struct node *obj, const struct node *set)
{
	if (!obj || !set)
		return NULL;
	struct arena scratch = ARENA_INIT;
	struct node *out = project(a, &scratch, obj, set);
	arena_free(&scratch);
	return out;
}
