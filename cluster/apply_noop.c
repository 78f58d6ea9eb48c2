/* apply_noop.c -- decide that a server-side apply would change nothing, from the live object alone. */
#include "apply_noop.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

/* The rules of one kind (a slice of ssa_rules[], sorted by path) and the walk's state. */
struct walk {
	struct arena *a;
	const struct ssa_rule *rules;
	size_t n;
	bool ok;          /* false once the object holds something not modelled */
	char path[1024];
	const char *differs; /* where the first value that differs is */
};

static bool kind_rules(struct walk *w, const struct node *obj)
{
	const char *av = node_str_or(map_get(obj, "apiVersion"), "");
	const char *kind = node_str_or(map_get(obj, "kind"), "");
	size_t i = 0;
	while (i < ssa_nrules && (strcmp(ssa_rules[i].api_version, av) || strcmp(ssa_rules[i].kind, kind)))
		i++;
	size_t j = i;
	while (j < ssa_nrules && !strcmp(ssa_rules[j].api_version, av) && !strcmp(ssa_rules[j].kind, kind))
		j++;
	w->rules = ssa_rules + i;
	w->n = j - i;
	return w->n > 0;
}

/* The rule at w->path; 0 when the defaults apply. */
static char rule_at(const struct walk *w, const char **keys)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w->rules[mid].path, w->path);
		if (!c) {
			*keys = w->rules[mid].keys;
			return w->rules[mid].type == 'K' ? 0 : w->rules[mid].type;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Extend w->path by `sep` and `name`; returns the old length to cut back to. */
static size_t push(struct walk *w, const char *sep, const char *name)
{
	size_t len = strlen(w->path);
	if (!*w->path && *sep == '.')
		sep = "";
	int n = snprintf(w->path + len, sizeof(w->path) - len, "%s%s", sep, name);
	if (n < 0 || (size_t)n >= sizeof(w->path) - len)
		w->ok = false; /* cut short: a path no rule matches */
	return len;
}

static void member(struct walk *w, struct node *set)
{
	map_set(w->a, set, ".", node_map(w->a, NULL));
}

/* The path element of a list item: "v:" and its JSON for a set, "k:" and its key fields for
 * a map list; NULL when it has none. */
static const char *item_key(struct walk *w, const struct node *item, char rule, const char *keys)
{
	struct buf b = BUF_INIT;
	if (rule == 'S' && item->kind == NODE_SCALAR && item->u.sc.type != SCALAR_NULL) {
		buf_adds(&b, "v:");
		json_emit(&b, item, 0);
	} else if (rule == 'M') {
		struct node *k = node_map(w->a, NULL);
		char name[128];
		for (const char *p = keys; *p;) {
			size_t len = strcspn(p, ",");
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			const struct node *v = map_get(item, name);
			if (!v || v->kind != NODE_SCALAR || v->u.sc.type == SCALAR_NULL)
				k = NULL;
			if (!k)
				break;
			map_put(w->a, k, arena_strdup(w->a, name), (struct node *)v);
			p += len + (p[len] == ',');
		}
		if (k) {
			buf_adds(&b, "k:");
			json_emit(&b, k, 0);
		}
	}
	const char *r = b.len ? arena_strdup(w->a, b.data) : NULL;
	buf_release(&b);
	return r;
}

static void walk_value(struct walk *w, const struct node *v, struct node *set, bool untyped);

static void walk_map(struct walk *w, const struct node *v, struct node *set, char rule, bool untyped)
{
	bool element = rule == 'E' || untyped;
	node_map_each(v, p) {
		size_t len = push(w, ".", element ? "*" : p->key);
		struct node *sub = map_child_map(w->a, set, arena_printf(w->a, "f:%s", p->key));
		walk_value(w, p->val, sub, untyped);
		/* structured-merge-diff owns a field itself (not only its children) when it is an
		 * element of a map or an empty map. */
		if (element || (p->val->kind == NODE_MAP && !p->val->u.map.n))
			member(w, sub);
		w->path[len] = 0;
	}
}

static void walk_list(struct walk *w, const struct node *v, struct node *set, char rule, const char *keys,
		      bool untyped)
{
	if (!v->u.seq.n)
		w->ok = false; /* an empty keyed list owns nothing: its effect is not modelled */
	node_seq_each(v, item) {
		const char *key = item_key(w, item, rule, keys);
		if (!key || map_has(set, key)) {
			w->ok = false; /* no key, or a duplicate */
			return;
		}
		size_t len = push(w, "", "[]");
		struct node *sub = map_child_map(w->a, set, key);
		walk_value(w, item, sub, untyped);
		member(w, sub);
		w->path[len] = 0;
	}
}

static void walk_value(struct walk *w, const struct node *v, struct node *set, bool untyped)
{
	const char *keys = "";
	char rule = untyped ? 0 : rule_at(w, &keys);
	if (rule == 'D')
		untyped = true;
	if (v->kind == NODE_SCALAR) {
		if (v->u.sc.type == SCALAR_NULL)
			w->ok = false; /* a null in an apply removes: not modelled */
		member(w, set);
	} else if (v->kind == NODE_MAP && rule != 'A') {
		walk_map(w, v, set, rule, untyped);
	} else if (v->kind == NODE_SEQ && !untyped && (rule == 'S' || rule == 'M')) {
		walk_list(w, v, set, rule, keys, untyped);
	} else {
		member(w, set); /* an atomic map or list: owned whole */
	}
}

/* A member with no children is written {}, one with children holds "." too. */
static void normalize(struct node *set)
{
	node_map_each(set, p)
		normalize(p->val);
	if (set->u.map.n == 1 && !strcmp(set->u.map.v[0].key, "."))
		map_del(set, ".");
}

/* The API server leaves out of every field set what identifies the object or is its own. */
static void strip_meta(struct node *set)
{
	static const char *const own[] = { ".", "f:name", "f:namespace", "f:creationTimestamp", "f:selfLink",
					   "f:uid", "f:clusterName", "f:generation", "f:managedFields",
					   "f:resourceVersion" };
	map_del(set, "f:apiVersion");
	map_del(set, "f:kind");
	struct node *meta = map_get(set, "f:metadata");
	for (size_t i = 0; meta && i < sizeof(own) / sizeof(own[0]); i++)
		map_del(meta, own[i]);
	if (meta && !meta->u.map.n)
		map_del(set, "f:metadata");
}

struct node *apply_noop_fieldset(struct arena *a, const struct node *obj)
{
	struct walk w = { .a = a, .ok = true };
	if (!obj || obj->kind != NODE_MAP || map_has(obj, "status") || !kind_rules(&w, obj))
		return NULL;
	struct node *set = node_map(a, NULL);
	walk_map(&w, obj, set, 0, false);
	if (!w.ok)
		return NULL;
	strip_meta(set);
	normalize(set);
	return set;
}

/* ---- comparing field sets ---- */

static bool keys_equal(struct arena *scratch, const char *x, const char *y)
{
	if (strncmp(x, "k:", 2) && strncmp(x, "v:", 2))
		return !strcmp(x, y);
	if (strncmp(x, y, 2))
		return false;
	struct diags d;
	diags_init(&d, scratch);
	struct node *jx = json_parse(scratch, x + 2, strlen(x + 2), "fieldsV1", &d);
	struct node *jy = json_parse(scratch, y + 2, strlen(y + 2), "fieldsV1", &d);
	return jx && jy && node_equal(jx, jy);
}

static bool sets_equal(struct arena *scratch, const struct node *x, const struct node *y)
{
	if (!x || !y || x->kind != NODE_MAP || y->kind != NODE_MAP || x->u.map.n != y->u.map.n)
		return false;
	node_map_each(x, p) {
		const struct node *other = map_get(y, p->key);
		for (size_t i = 0; !other && i < y->u.map.n; i++)
			if (keys_equal(scratch, p->key, y->u.map.v[i].key))
				other = y->u.map.v[i].val;
		if (!other || !sets_equal(scratch, p->val, other))
			return false;
	}
	return true;
}

bool apply_noop_fieldset_equal(const struct node *x, const struct node *y)
{
	struct arena scratch = ARENA_INIT;
	bool eq = sets_equal(&scratch, x, y);
	arena_free(&scratch);
	return eq;
}

/* ---- comparing values ---- */

static bool same_value(struct walk *w, const struct node *v, const struct node *live, bool untyped);

static bool differs(struct walk *w)
{
	if (!w->differs)
		w->differs = arena_strdup(w->a, w->path);
	return false;
}

/* The index of the live item with the same path element as `item`, or -1 (also when two have it). */
static long live_item(struct walk *w, const struct node *item, const struct node *live, char rule, const char *keys)
{
	const char *key = item_key(w, item, rule, keys);
	long found = -1;
	for (size_t i = 0; key && i < live->u.seq.n; i++) {
		const char *k = item_key(w, live->u.seq.v[i], rule, keys);
		if (k && !strcmp(k, key)) {
			if (found >= 0)
				return -1;
			found = (long)i;
		}
	}
	return found;
}

/* Each item sent is live, in the same relative order (the merge orders shared items as sent). */
static bool same_items(struct walk *w, const struct node *v, const struct node *live, char rule, const char *keys,
		       bool untyped)
{
	long last = -1;
	node_seq_each(v, item) {
		long at = live_item(w, item, live, rule, keys);
		if (at <= last)
			return differs(w);
		last = at;
		size_t len = push(w, "", "[]");
		bool same = same_value(w, item, live->u.seq.v[at], untyped);
		w->path[len] = 0;
		if (!same)
			return false;
	}
	return true;
}

static bool same_value(struct walk *w, const struct node *v, const struct node *live, bool untyped)
{
	const char *keys = "";
	char rule = untyped ? 0 : rule_at(w, &keys);
	untyped = untyped || rule == 'D';
	if (!live || live->kind != v->kind)
		return differs(w);
	if (v->kind == NODE_SCALAR || rule == 'A' || (v->kind == NODE_SEQ && (untyped || (rule != 'S' && rule != 'M'))))
		return node_equal(v, live) || differs(w);
	if (v->kind == NODE_SEQ)
		return same_items(w, v, live, rule, keys, untyped);
	bool element = rule == 'E' || untyped;
	node_map_each(v, p) {
		size_t len = push(w, ".", element ? "*" : p->key);
		bool same = same_value(w, p->val, map_get(live, p->key), untyped);
		w->path[len] = 0;
		if (!same)
			return false;
	}
	return true;
}

/* The manager's one Apply entry for the main resource, or NULL. */
static const struct node *apply_entry(const struct node *live, const char *manager)
{
	const struct node *mf = node_at(live, "metadata.managedFields");
	const struct node *found = NULL;
	node_seq_each(mf, e) {
		if (strcmp(node_str_or(map_get(e, "manager"), ""), manager) ||
		    strcmp(node_str_or(map_get(e, "operation"), ""), "Apply") ||
		    *node_str_or(map_get(e, "subresource"), ""))
			continue;
		if (found)
			return NULL;
		found = e;
	}
	return found;
}

const char *apply_noop_why(struct arena *a, const struct node *obj, const struct node *live, const char *manager)
{
	if (!live)
		return "no live object";
	const struct node *e = apply_entry(live, manager);
	if (!e)
		return "no single Apply entry of the field manager";
	if (strcmp(node_str_or(map_get(e, "apiVersion"), ""), node_str_or(map_get(obj, "apiVersion"), "")) ||
	    strcmp(node_str_or(map_get(e, "fieldsType"), ""), "FieldsV1"))
		return "the field manager's entry is of another apiVersion or format";
	struct node *set = apply_noop_fieldset(a, obj);
	if (!set)
		return "the object holds what the field set computation does not model";
	if (!apply_noop_fieldset_equal(set, map_get(e, "fieldsV1")))
		return "the field set differs";
	struct walk w = { .a = a, .ok = true };
	kind_rules(&w, obj);
	node_map_each(obj, p) {
		if (!strcmp(p->key, "apiVersion") || !strcmp(p->key, "kind"))
			continue; /* list items may leave them out; the path already matched them */
		size_t len = push(&w, ".", p->key);
		bool same = same_value(&w, p->val, map_get(live, p->key), false);
		if (!same)
			return arena_printf(a, "the live value differs at %s", w.differs ? w.differs : w.path);
		w.path[len] = 0;
	}
	return w.ok ? NULL : "the object holds what the comparison does not model";
}
