/* crd_doc.c -- explain fields and write a JSON Schema from the embedded CRDs' text. */
#include "crd_doc.h"

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "embedded.h"
#include "json.h"
#include "yaml_in.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

extern const struct embedded_file feast_crd_text[];

static bool names_resource(const struct node *names, const char *resource)
{
	static const char *const keys[] = { "kind", "singular", "plural" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = node_str_or(map_get(names, keys[i]), NULL);
		if (v && !strcasecmp(v, resource))
			return true;
	}
	const struct node *shorts = map_get(names, "shortNames");
	node_seq_each(shorts, s)
		if (!strcasecmp(node_str_or(s, ""), resource))
			return true;
	return false;
}

static const struct node *pick_version(const struct node *versions, const char *want)
{
	node_seq_each(versions, v) {
		const char *name = node_str_or(map_get(v, "name"), "");
		if (want ? !strcmp(name, want) : node_is_true(map_get(v, "served")) && !node_is_true(map_get(v, "deprecated")))
			return v;
	}
	return NULL;
}

int crd_doc_find(struct arena *a, const char *resource, const char *version, struct crd_doc *out, char *err,
		 size_t errlen)
{
	for (const struct embedded_file *f = feast_crd_text; f->name; f++) {
		struct doclist docs = { 0 };
		struct diags d;
		diags_init(&d, a);
		if (yaml_parse(a, f->name, f->data, f->len, NULL, &docs, &d) < 0 || !docs.n)
			continue;
		const struct node *spec = map_get(docs.v[0].root, "spec");
		if (!names_resource(map_get(spec, "names"), resource))
			continue;
		const struct node *v = pick_version(map_get(spec, "versions"), version);
		if (!v) {
			snprintf(err, errlen, "%s has no version \"%s\"", node_str_or(node_at(spec, "names.kind"), resource),
				 version ? version : "");
			return -1;
		}
		out->group = node_str_or(map_get(spec, "group"), "");
		out->kind = node_str_or(node_at(spec, "names.kind"), "");
		out->plural = node_str_or(node_at(spec, "names.plural"), "");
		out->version = node_str_or(map_get(v, "name"), "");
		out->schema = node_at(v, "schema.openAPIV3Schema");
		return 0;
	}
	snprintf(err, errlen, "the resource type \"%s\" is not one kubectl feast knows (featurestore, scaledobject)",
		 resource);
	return -1;
}

/* ---- explain ---- */

static const char *type_name(struct arena *a, const struct node *s)
{
	if (node_is_true(map_get(s, "x-kubernetes-int-or-string")))
		return "IntOrString";
	const char *t = node_str_or(map_get(s, "type"), "");
	const struct node *addl = map_get(s, "additionalProperties");
	if (!strcmp(t, "array"))
		return arena_printf(a, "[]%s", type_name(a, map_get(s, "items")));
	if (!strcmp(t, "object") && !map_get(s, "properties") && addl && addl->kind == NODE_MAP)
		return arena_printf(a, "map[string]%s", type_name(a, addl));
	if (!strcmp(t, "object") || !*t)
		return "Object";
	return t;
}

static bool is_required(const struct node *parent, const char *name)
{
	const struct node *req = map_get(parent, "required");
	node_seq_each(req, r)
		if (!strcmp(node_str_or(r, ""), name))
			return true;
	return false;
}

/* What a field's children hang on: an array's items, a map's values, or the object itself. */
static const struct node *container_of(const struct node *s)
{
	for (int i = 0; i < 8 && s; i++) {
		const struct node *addl = map_get(s, "additionalProperties");
		if (map_get(s, "items"))
			s = map_get(s, "items");
		else if (!map_get(s, "properties") && addl && addl->kind == NODE_MAP)
			s = addl;
		else
			break;
	}
	return s;
}

static void indented(struct buf *out, const char *text, int indent)
{
	const char *p = text && *text ? text : "<empty>";
	while (*p) {
		size_t n = strcspn(p, "\n");
		if (n)
			buf_addf(out, "%*s%.*s", indent, "", (int)n, p);
		buf_addc(out, '\n');
		p += n + (p[n] == '\n');
	}
}

static void fields(struct buf *out, struct arena *a, const struct node *s, bool recursive, int depth)
{
	const struct node *props = map_get(container_of(s), "properties");
	node_map_each(props, p) {
		buf_addf(out, "%*s%s\t<%s>%s\n", 2 + 2 * depth, "", p->key, type_name(a, p->val),
			 is_required(container_of(s), p->key) ? " -required-" : "");
		if (recursive && depth < 64)
			fields(out, a, p->val, true, depth + 1);
		else if (!recursive) {
			indented(out, node_str_or(map_get(p->val, "description"), ""), 4);
			buf_addc(out, '\n');
		}
	}
}

int crd_explain(struct buf *out, struct arena *a, const struct crd_doc *doc, const char *path, bool recursive,
		char *err, size_t errlen)
{
	const struct node *s = doc->schema;
	const char *last = NULL;
	for (const char *p = path; p && *p;) {
		size_t n = strcspn(p, ".");
		char *name = arena_strndup(a, p, n);
		const struct node *child = map_get(map_get(container_of(s), "properties"), name);
		if (!child) {
			snprintf(err, errlen, "field \"%s\" does not exist", name);
			return -1;
		}
		s = child, last = name;
		p += n + (p[n] == '.');
	}
	buf_addf(out, "GROUP:      %s\nKIND:       %s\nVERSION:    %s\n\n", doc->group, doc->kind, doc->version);
	if (last)
		buf_addf(out, "FIELD: %s <%s>\n\n", last, type_name(a, s));
	buf_adds(out, "DESCRIPTION:\n");
	indented(out, node_str_or(map_get(s, "description"), ""), 4);
	const struct node *en = map_get(s, "enum");
	if (en && en->kind == NODE_SEQ) {
		buf_adds(out, "    ENUM:\n");
		for (size_t i = 0; i < en->u.seq.n; i++)
			buf_addf(out, "        %s\n", node_text(en->u.seq.v[i]) ? node_text(en->u.seq.v[i]) : "null");
	}
	if (map_get(container_of(s), "properties")) {
		buf_adds(out, "\nFIELDS:\n");
		fields(out, a, s, recursive, 0);
	}
	return 0;
}

/* ---- JSON Schema ---- */

/* `field`: the schema of an object's property, where the API server prunes a null
 * (it counts as absent), so null is accepted there whatever the type. */
static struct node *to_json_schema(struct arena *a, const struct node *s, int depth, bool field);

static void copy_keys(struct arena *a, struct node *out, const struct node *s)
{
	static const char *const same[] = { "description", "enum", "format", "default", "pattern", "minimum",
					    "maximum", "minLength", "maxLength", "minItems", "maxItems",
					    "minProperties", "maxProperties", "required" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		const struct node *v = map_get(s, same[i]);
		if (v)
			map_put(a, out, same[i], node_clone(a, v));
	}
	/* OpenAPI 3.0's boolean exclusive bounds are numbers in draft-07. */
	if (node_is_true(map_get(s, "exclusiveMinimum")) && map_get(s, "minimum") && map_del(out, "minimum"))
		map_put(a, out, "exclusiveMinimum", node_clone(a, map_get(s, "minimum")));
	if (node_is_true(map_get(s, "exclusiveMaximum")) && map_get(s, "maximum") && map_del(out, "maximum"))
		map_put(a, out, "exclusiveMaximum", node_clone(a, map_get(s, "maximum")));
}

static void put_type(struct arena *a, struct node *out, const struct node *s, bool field)
{
	bool nullable = field || node_is_true(map_get(s, "nullable"));
	if (node_is_true(map_get(s, "x-kubernetes-int-or-string"))) {
		struct node *any = node_seq(a, NULL), *i = node_map(a, NULL), *t = node_map(a, NULL);
		map_put(a, i, "type", node_str(a, "integer"));
		map_put(a, t, "type", node_str(a, "string"));
		seq_push(a, any, i);
		seq_push(a, any, t);
		if (nullable) {
			struct node *z = node_map(a, NULL);
			map_put(a, z, "type", node_str(a, "null"));
			seq_push(a, any, z);
		}
		map_put(a, out, "anyOf", any);
		return;
	}
	const struct node *t = map_get(s, "type");
	if (!t)
		return;
	if (!nullable) {
		map_put(a, out, "type", node_clone(a, t));
		return;
	}
	struct node *both = node_seq(a, NULL);
	seq_push(a, both, node_clone(a, t));
	seq_push(a, both, node_str(a, "null"));
	map_put(a, out, "type", both);
}

static void put_object(struct arena *a, struct node *out, const struct node *s, int depth)
{
	const struct node *props = map_get(s, "properties"), *addl = map_get(s, "additionalProperties");
	if (props && props->kind == NODE_MAP) {
		struct node *p = node_map(a, NULL);
		for (size_t i = 0; i < props->u.map.n; i++)
			map_put(a, p, props->u.map.v[i].key, to_json_schema(a, props->u.map.v[i].val, depth + 1, true));
		map_put(a, out, "properties", p);
	}
	if (addl && addl->kind == NODE_MAP)
		map_put(a, out, "additionalProperties", to_json_schema(a, addl, depth + 1, false));
	else if (addl)
		map_put(a, out, "additionalProperties", node_clone(a, addl));
	/* The API server refuses unknown fields (strict field validation) unless the schema keeps them. */
	else if (props && !node_is_true(map_get(s, "x-kubernetes-preserve-unknown-fields")) &&
		 !node_is_true(map_get(s, "x-kubernetes-embedded-resource")))
		map_put(a, out, "additionalProperties", node_bool(a, false));
}

static struct node *to_json_schema(struct arena *a, const struct node *s, int depth, bool field)
{
	struct node *out = node_map(a, NULL);
	if (!s || s->kind != NODE_MAP || depth > 100)
		return out;
	put_type(a, out, s, field);
	copy_keys(a, out, s);
	struct node *en = map_get(out, "enum");
	if (field && en && en->kind == NODE_SEQ)
		seq_push(a, en, node_null(a));
	put_object(a, out, s, depth);
	const struct node *items = map_get(s, "items");
	if (items)
		map_put(a, out, "items", to_json_schema(a, items, depth + 1, false));
	return out;
}

void crd_json_schema(struct buf *out, struct arena *a, const struct crd_doc *doc)
{
	struct node *root = node_map(a, NULL);
	map_put(a, root, "$schema", node_str(a, "http://json-schema.org/draft-07/schema#"));
	map_put(a, root, "title", node_strf(a, "%s %s/%s", doc->kind, doc->group, doc->version));
	struct node *body = to_json_schema(a, doc->schema, 0, false);
	for (size_t i = 0; i < body->u.map.n; i++)
		map_put(a, root, body->u.map.v[i].key, body->u.map.v[i].val);
	struct node *props = map_get(root, "properties");
	/* What names this kind: editors then apply the schema only where it fits. */
	struct node *api = node_map(a, NULL), *kind = node_map(a, NULL);
	map_put(a, api, "const", node_strf(a, "%s/%s", doc->group, doc->version));
	map_put(a, kind, "const", node_str(a, doc->kind));
	if (props) {
		map_set(a, props, "apiVersion", api);
		map_set(a, props, "kind", kind);
	}
	struct node *req = map_get(root, "required");
	if (!req) {
		req = node_seq(a, NULL);
		map_put(a, root, "required", req);
	}
	static const char *const must[] = { "apiVersion", "kind" };
	for (size_t m = 0; m < 2; m++) {
		bool have = false;
		for (size_t i = 0; i < req->u.seq.n; i++)
			have |= !strcmp(node_str_or(req->u.seq.v[i], ""), must[m]);
		if (!have)
			seq_push(a, req, node_str(a, must[m]));
	}
	json_emit(out, root, 2);
	buf_adds(out, "\n");
}
