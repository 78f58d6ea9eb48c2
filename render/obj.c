/* obj.c -- helpers every object builder uses: metadata, labels, copies, pruning. */
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "render_int.h"

#include <stdarg.h>
#include <string.h>

struct node *tmpl_clone(struct render_ctx *r, enum tmpl_id id)
{
	return node_clone(r->a, r->tm.t[id]);
}

struct node *str_node(struct render_ctx *r, const char *s)
{
	return node_str(r->a, s);
}

struct node *int_node(struct render_ctx *r, int64_t v)
{
	return node_int(r->a, v);
}

struct node *strs_node(struct render_ctx *r, const char *const *v, int n)
{
	struct node *seq = node_seq(r->a, NULL);
	for (int i = 0; i < n; i++)
		seq_push(r->a, seq, node_str(r->a, v[i]));
	return seq;
}

/* A scalar leaf shared by every object that uses the same label value: label maps
 * are most of a run's nodes, and leaves are never edited in place (doc.h). */
static struct node *leaf(struct render_ctx *r, const char *s)
{
	for (size_t i = 0; i < sizeof(r->leaves) / sizeof(r->leaves[0]); i++)
		if (r->leaves[i].s && !strcmp(r->leaves[i].s, s))
			return r->leaves[i].n;
	unsigned i = r->next_leaf++ % (sizeof(r->leaves) / sizeof(r->leaves[0]));
	r->leaves[i].s = s;
	r->leaves[i].n = str_node(r, s);
	return r->leaves[i].n;
}

/* Labels in key order; `instance` never goes into a selector (Argo CD rewrites it). */
struct node *labels_new(struct render_ctx *r, const struct fs *fs, const char *svc_type,
			const char *component)
{
	struct node *l = node_map(r->a, NULL);
	map_put(r->a, l, "app.kubernetes.io/component", leaf(r, component));
	if (fs)
		map_put(r->a, l, "app.kubernetes.io/instance", leaf(r, fs->name));
	map_put(r->a, l, "app.kubernetes.io/managed-by", leaf(r, "kubectl-feast"));
	map_put(r->a, l, "app.kubernetes.io/name", leaf(r, "feast"));
	map_put(r->a, l, "app.kubernetes.io/part-of", leaf(r, "feast"));
	/* Feast's version, not the plugin's: a plugin upgrade must not restart the servers. */
	if (fs && fs->app_version)
		map_put(r->a, l, "app.kubernetes.io/version", leaf(r, fs->app_version));
	if (fs)
		map_put(r->a, l, "feast.dev/name", leaf(r, fs->name));
	if (svc_type)
		map_put(r->a, l, "feast.dev/service-type", leaf(r, svc_type));
	return l;
}

/* The operator's immutable selector: feast.dev/name only. */
struct node *selector_new(struct render_ctx *r, const struct fs *fs)
{
	struct node *l = node_map(r->a, NULL);
	map_put(r->a, l, "feast.dev/name", leaf(r, fs->name));
	return l;
}

struct node *obj_new(struct render_ctx *r, const struct store *st, enum tmpl_id id, const char *name,
		     bool namespaced, const char *svc_type, const char *component)
{
	struct node *obj = tmpl_clone(r, id);
	struct node *meta = map_child_map(r->a, obj, "metadata");
	const struct fs *fs = st ? &st->fs : NULL;
	map_set(r->a, meta, "name", str_node(r, name));
	if (namespaced && fs && fs->ns)
		map_set(r->a, meta, "namespace", str_node(r, fs->ns));
	map_set(r->a, meta, "labels", labels_new(r, fs, svc_type, component));
	return obj;
}

/* Drop nulls, and maps that held only nulls (a template's `metadata: {annotations: ~}`);
 * a map that was empty to begin with (`emptyDir: {}`) means something and stays. */
void node_prune(struct node *n)
{
	if (!n)
		return;
	if (n->kind == NODE_MAP) {
		size_t keep = 0;
		for (size_t i = 0; i < n->u.map.n; i++) {
			struct pair *p = &n->u.map.v[i];
			if (!p->val || node_is_null(p->val))
				continue;
			bool had = p->val->kind == NODE_MAP && p->val->u.map.n > 0;
			node_prune(p->val);
			if (had && p->val->u.map.n == 0)
				continue;
			n->u.map.v[keep++] = *p;
		}
		n->u.map.n = keep;
	}
	node_seq_each(n, item)
		node_prune(item);
}

void obj_emit(struct render_ctx *r, const struct store *st, struct node *obj)
{
	node_prune(obj);
	obj_append(r, obj, st ? st->fs.doc : NULL);
}

void obj_append(struct render_ctx *r, struct node *root, const struct document *src)
{
	struct objlist *l = r->out;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		l->v = arena_grow(r->a, l->v, l->n * sizeof(*l->v), cap * sizeof(*l->v));
		l->cap = cap;
	}
	l->v[l->n].root = root;
	l->v[l->n].src = src;
	l->n++;
}

struct node *user_copy(struct render_ctx *r, const struct node *n)
{
	if (!n)
		return NULL;
	struct node *c = node_clone(r->a, n);
	node_prune(c);
	return c;
}

void set_user(struct render_ctx *r, struct node *map, const char *key, const struct node *val)
{
	if (!node_is_empty(val))
		map_set(r->a, map, key, user_copy(r, val));
}

void warn_once(struct render_ctx *r, enum warn_id id, const struct node *at, const char *path,
	       const char *fmt, ...)
{
	if (r->warned[id])
		return;
	r->warned[id] = true;
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	diag_warn(r->d, at ? &at->pos : NULL, path, "%s", msg);
}

struct node *coerce_extra(struct render_ctx *r, const struct node *v)
{
	const char *s = NULL;
	if (node_get_str(v, &s) && (!strcmp(s, "true") || !strcmp(s, "false")))
		return node_bool(r->a, s[0] == 't');
	return user_copy(r, v);
}
