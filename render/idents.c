/* idents.c -- one object per group, kind, namespace and name, checked as batches stream out. */
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "render_int.h"
#include "yaml_in.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The objects themselves are gone by the time a later store repeats an identity, so only
 * the key text and the input document are kept: 8 bytes a slot and the key's bytes. */
struct slot {
	uint32_t key;  /* offset + 1 into keys; 0: empty */
	uint32_t doc;  /* index of the input document that made the object last seen */
};

struct dup {
	uint32_t key, first, doc;
	size_t seq;    /* output position of the second object: the order within one key */
};

struct idents {
	struct buf keys;   /* "group\nkind\nnamespace\nname\0", one after another */
	struct buf key;    /* the key being looked up */
	struct slot *slot;
	size_t cap, n;
	struct dup *dup;
	size_t ndup, dupcap;
	size_t seq;
};

struct idents *idents_new(void)
{
	struct idents *ids = xcalloc(1, sizeof(*ids));
	ids->keys = (struct buf)BUF_INIT;
	ids->key = (struct buf)BUF_INIT;
	ids->cap = 1024;
	ids->slot = xcalloc(ids->cap, sizeof(*ids->slot));
	return ids;
}

void idents_free(struct idents *ids)
{
	if (!ids)
		return;
	buf_release(&ids->keys);
	buf_release(&ids->key);
	free(ids->slot);
	free(ids->dup);
	free(ids);
}

size_t idents_bytes(const struct idents *ids)
{
	return ids->keys.cap + ids->key.cap + ids->cap * sizeof(*ids->slot) + ids->dupcap * sizeof(*ids->dup);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static const char *key_at(const struct idents *ids, uint32_t key)
{
	return ids->keys.data + key - 1;
}

/* The slot holding `k`, or the empty one where it would go. */
static struct slot *find(struct idents *ids, const char *k)
{
	size_t mask = ids->cap - 1;
	for (size_t i = hash(k) & mask;; i = (i + 1) & mask)
		if (!ids->slot[i].key || !strcmp(key_at(ids, ids->slot[i].key), k))
			return &ids->slot[i];
}

static void grow(struct idents *ids)
{
	struct slot *old = ids->slot;
	size_t n = ids->cap;
	ids->cap *= 2;
	ids->slot = xcalloc(ids->cap, sizeof(*ids->slot));
	for (size_t i = 0; i < n; i++)
		if (old[i].key)
			*find(ids, key_at(ids, old[i].key)) = old[i];
	free(old);
}

static void add_dup(struct idents *ids, const struct slot *s, uint32_t doc)
{
	if (ids->ndup == ids->dupcap) {
		ids->dupcap = ids->dupcap ? ids->dupcap * 2 : 8;
		ids->dup = xrealloc(ids->dup, ids->dupcap * sizeof(*ids->dup));
	}
	ids->dup[ids->ndup++] = (struct dup){ s->key, s->doc, doc, ids->seq };
}

static void add_one(struct render_ctx *r, const struct render_obj *o)
{
	struct idents *ids = r->ids;
	const char *api = node_str_or(map_get(o->root, "apiVersion"), "");
	const char *name = node_text(node_at(o->root, "metadata.name"));
	ids->seq++;
	if (!o->src || !name)
		return; /* shared objects are built once per run */
	size_t glen = strchr(api, '/') ? strcspn(api, "/") : 0;
	buf_reset(&ids->key);
	buf_addf(&ids->key, "%.*s\n%s\n%s\n%s", (int)glen, api, node_str_or(map_get(o->root, "kind"), ""),
		 node_str_or(node_at(o->root, "metadata.namespace"), ""), name);
	uint32_t doc = (uint32_t)(o->src - r->docs->v);
	struct slot *s = find(ids, ids->key.data);
	if (s->key) {
		/* Paired with the previous one, so three of a kind make two errors, as ever. */
		add_dup(ids, s, doc);
		s->doc = doc;
		return;
	}
	s->key = (uint32_t)ids->keys.len + 1;
	s->doc = doc;
	buf_add(&ids->keys, ids->key.data, ids->key.len + 1);
	if (++ids->n * 2 > ids->cap)
		grow(ids);
}

void idents_add(struct render_ctx *r, const struct render_obj *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_one(r, &v[i]);
}

static int compare_dup(const void *x, const void *y, void *ctx)
{
	const struct dup *a = x, *b = y;
	const struct idents *ids = ctx;
	int c = a->key == b->key ? 0 : strcmp(key_at(ids, a->key), key_at(ids, b->key));
	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static void report_twice(struct render_ctx *r, const struct dup *x)
{
	const char *k = key_at(r->ids, x->key);
	const char *kind = strchr(k, '\n') + 1, *ns = strchr(kind, '\n') + 1, *name = strchr(ns, '\n') + 1;
	char *kind_s = arena_strndup(r->run, kind, (size_t)(ns - 1 - kind));
	char *ns_s = arena_strndup(r->run, ns, (size_t)(name - 1 - ns));
	const struct document *first = &r->docs->v[x->first], *dup = &r->docs->v[x->doc];
	const struct node *a = first->root, *b = dup->root;
	const char *dflt = r->opts->namespace ? r->opts->namespace : "";
	const char *ans = node_str_or(node_at(a, "metadata.namespace"), dflt);
	const char *bns = node_str_or(node_at(b, "metadata.namespace"), dflt);
	bool cluster = !kind_is_namespaced(kind_s) && strcmp(ans, bns);
	diag_error(r->d, &b->pos, "metadata.name", "%s %s%s%s would be rendered twice, from %s:%u and from here%s",
		   kind_s, ns_s, *ns_s ? "/" : "", name, first->file, a->pos.line,
		   cluster ? ": it is cluster-scoped, and FeatureStores of the same name in different namespaces "
			     "share it (rename one of them)"
			   : ": two objects may not have the same group, kind, namespace and name");
	r->errors++;
}

size_t idents_dups(const struct idents *ids)
{
	return ids->ndup;
}

void idents_report(struct render_ctx *r)
{
	struct idents *ids = r->ids;
	if (!ids->ndup)
		return; /* no array to sort (qsort_r may not be given NULL) */
	qsort_r(ids->dup, ids->ndup, sizeof(*ids->dup), compare_dup, ids);
	for (size_t i = 0; i < ids->ndup; i++)
		report_twice(r, &ids->dup[i]);
	ids->ndup = 0;
}
