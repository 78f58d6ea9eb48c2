/* schema_build.c -- a CRD document tree to the struct sch graph the checker walks. */
#include "schema.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "regex.h"

#include <stdlib.h>
#include <string.h>

struct builder {
	struct arena *a;
	struct diags *d;
	struct buf path;   /* where in the CRD we are, for messages */
	bool failed;
};

static void bad(struct builder *b, const struct node *n, const char *fmt, const char *arg)
{
	diag_error(b->d, n ? &n->pos : NULL, b->path.data, fmt, arg);
	b->failed = true;
}

static size_t path_push(struct builder *b, const char *seg)
{
	size_t mark = b->path.len;
	if (b->path.len)
		buf_addc(&b->path, '.');
	buf_adds(&b->path, seg);
	return mark;
}

static unsigned type_bit(const char *t)
{
	static const struct {
		const char *name;
		unsigned bit;
	} types[] = {
		{ "object", SCH_T_OBJECT }, { "array", SCH_T_ARRAY },     { "string", SCH_T_STRING },
		{ "integer", SCH_T_INTEGER }, { "number", SCH_T_NUMBER }, { "boolean", SCH_T_BOOLEAN },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (!strcmp(t, types[i].name))
			return types[i].bit;
	return 0;
}

unsigned sch_json_type(const struct node *n)
{
	if (n->kind == NODE_MAP)
		return SCH_T_OBJECT;
	if (n->kind == NODE_SEQ)
		return SCH_T_ARRAY;
	switch (n->u.sc.type) {
	case SCALAR_STR:
		return SCH_T_STRING;
	case SCALAR_INT:
		return SCH_T_INTEGER;
	case SCALAR_FLOAT:
		return SCH_T_NUMBER;
	case SCALAR_BOOL:
		return SCH_T_BOOLEAN;
	case SCALAR_NULL:
		return 0;
	}
	return 0;
}

static bool get_number(const struct node *n, double *out)
{
	int64_t i;
	if (node_get_int(n, &i)) {
		*out = (double)i;
		return true;
	}
	if (n && n->kind == NODE_SCALAR && n->u.sc.type == SCALAR_FLOAT) {
		char *end;
		*out = strtod(n->u.sc.s, &end);
		return *end == '\0';
	}
	return false;
}

static int64_t get_count(struct builder *b, const struct node *n, const char *kw)
{
	int64_t v;
	if (!node_get_int(n, &v) || v < 0) {
		bad(b, n, "%s must be a non-negative integer", kw);
		return -1;
	}
	return v;
}

static const char *const *string_list(struct builder *b, const struct node *n, size_t *count, const char *kw)
{
	*count = 0;
	if (!n || n->kind != NODE_SEQ) {
		bad(b, n, "%s must be a list of strings", kw);
		return NULL;
	}
	const char **v = arena_alloc(b->a, (n->u.seq.n + 1) * sizeof(*v));
	for (size_t i = 0; i < n->u.seq.n; i++)
		if (!node_get_str(n->u.seq.v[i], &v[i]))
			bad(b, n->u.seq.v[i], "%s must be a list of strings", kw);
	*count = n->u.seq.n;
	return v;
}

static const struct sch *build(struct builder *b, const struct node *n);

static int compare_props(const void *x, const void *y)
{
	return strcmp(((const struct sch_prop *)x)->name, ((const struct sch_prop *)y)->name);
}

static void build_props(struct builder *b, struct sch *s, const struct node *n)
{
	if (!n || n->kind != NODE_MAP) {
		bad(b, n, "%s must be a map", "properties");
		return;
	}
	struct sch_prop *v = arena_alloc(b->a, (n->u.map.n + 1) * sizeof(*v));
	size_t mark = path_push(b, "properties");
	for (size_t i = 0; i < n->u.map.n; i++) {
		size_t m = path_push(b, n->u.map.v[i].key);
		v[i].name = n->u.map.v[i].key;
		v[i].s = build(b, n->u.map.v[i].val);
		buf_truncate(&b->path, m);
	}
	buf_truncate(&b->path, mark);
	qsort(v, n->u.map.n, sizeof(*v), compare_props);
	s->props = v;
	s->nprops = n->u.map.n;
}

static void build_enum(struct builder *b, struct sch *s, const struct node *n)
{
	if (!n || n->kind != NODE_SEQ) {
		bad(b, n, "%s must be a list", "enum");
		return;
	}
	struct sch_enum *v = arena_alloc(b->a, (n->u.seq.n + 1) * sizeof(*v));
	for (size_t i = 0; i < n->u.seq.n; i++) {
		const struct node *e = n->u.seq.v[i];
		if (e->kind != NODE_SCALAR) {
			bad(b, e, "%s values must be scalars", "enum");
			continue;
		}
		v[i].text = e->u.sc.s;
		v[i].type = sch_json_type(e);
	}
	s->enums = v;
	s->nenums = n->u.seq.n;
}

static void build_rules(struct builder *b, struct sch *s, const struct node *n)
{
	if (!n || n->kind != NODE_SEQ) {
		bad(b, n, "%s must be a list", "x-kubernetes-validations");
		return;
	}
	struct sch_rule *v = arena_alloc(b->a, (n->u.seq.n + 1) * sizeof(*v));
	for (size_t i = 0; i < n->u.seq.n; i++) {
		const struct node *r = n->u.seq.v[i];
		if (!node_get_str(map_get(r, "rule"), &v[i].rule))
			bad(b, r, "%s needs a rule", "x-kubernetes-validations");
		node_get_str(map_get(r, "message"), &v[i].message);
		if (map_has(r, "messageExpression") && !v[i].message)
			bad(b, r, "%s: messageExpression without message is not supported", "x-kubernetes-validations");
	}
	s->rules = v;
	s->nrules = n->u.seq.n;
}

static void build_type(struct builder *b, struct sch *s, const struct node *n)
{
	const char *t;
	if (!node_get_str(n, &t) || !(s->types = type_bit(t)))
		bad(b, n, "unknown type \"%s\"", node_text(n) ? node_text(n) : "");
}

static void build_format(struct sch *s, const struct node *n)
{
	const char *f = node_str_or(n, "");
	s->format = !strcmp(f, "int32")       ? SCH_FMT_INT32
		    : !strcmp(f, "int64")     ? SCH_FMT_INT64
		    : !strcmp(f, "date-time") ? SCH_FMT_DATE_TIME
					      : SCH_FMT_OTHER; /* the API server ignores unknown formats */
}

static void build_pattern(struct builder *b, struct sch *s, const struct node *n)
{
	char err[160];
	if (!node_get_str(n, &s->pattern)) {
		bad(b, n, "%s must be a string", "pattern");
		return;
	}
	struct regex *re = regex_compile(s->pattern, err, sizeof(err));
	if (!re)
		bad(b, n, "pattern not supported: %s", err);
	regex_free(re);
}

static void build_additional(struct builder *b, struct sch *s, const struct node *n)
{
	bool any;
	if (node_get_bool(n, &any)) {
		if (any)
			s->flags |= SCH_F_ADDL_ANY;
		return;
	}
	size_t mark = path_push(b, "additionalProperties");
	s->addl = build(b, n);
	buf_truncate(&b->path, mark);
}

static void build_list_type(struct builder *b, struct sch *s, const struct node *n)
{
	const char *t = node_str_or(n, "");
	if (!strcmp(t, "atomic"))
		s->list_type = SCH_LIST_ATOMIC;
	else if (!strcmp(t, "set"))
		s->list_type = SCH_LIST_SET;
	else if (!strcmp(t, "map"))
		s->list_type = SCH_LIST_MAP;
	else
		bad(b, n, "unknown x-kubernetes-list-type \"%s\"", t);
}

static void set_flag(struct sch *s, const struct node *n, unsigned flag)
{
	if (node_is_true(n))
		s->flags |= flag;
}

/* anyOf is accepted in the int-or-string idiom only: [{type: integer}, {type: string}]. */
static void check_any_of(struct builder *b, const struct node *schema, const struct node *n)
{
	if (!node_is_true(map_get(schema, "x-kubernetes-int-or-string")))
		bad(b, n, "%s is only supported with x-kubernetes-int-or-string", "anyOf");
}

/* Keywords that only document, or that the API server does not enforce. */
static bool ignored_keyword(const char *k)
{
	static const char *const kw[] = { "description", "title", "example", "externalDocs",
					  "x-kubernetes-map-type", NULL };
	for (const char *const *p = kw; *p; p++)
		if (!strcmp(k, *p))
			return true;
	return false;
}

static bool bound_keyword(struct builder *b, struct sch *s, const char *k, const struct node *v)
{
	if (!strcmp(k, "minimum") || !strcmp(k, "maximum")) {
		bool min = k[1] == 'i';
		if (!get_number(v, min ? &s->minimum : &s->maximum))
			bad(b, v, "%s must be a number", k);
		s->flags |= min ? SCH_F_HAS_MIN : SCH_F_HAS_MAX;
	} else if (!strcmp(k, "exclusiveMinimum")) {
		set_flag(s, v, SCH_F_EXCL_MIN);
	} else if (!strcmp(k, "exclusiveMaximum")) {
		set_flag(s, v, SCH_F_EXCL_MAX);
	} else if (!strcmp(k, "minLength")) {
		s->min_length = get_count(b, v, k);
	} else if (!strcmp(k, "maxLength")) {
		s->max_length = get_count(b, v, k);
	} else if (!strcmp(k, "minItems")) {
		s->min_items = get_count(b, v, k);
	} else if (!strcmp(k, "maxItems")) {
		s->max_items = get_count(b, v, k);
	} else if (!strcmp(k, "minProperties")) {
		s->min_props = get_count(b, v, k);
	} else if (!strcmp(k, "maxProperties")) {
		s->max_props = get_count(b, v, k);
	} else {
		return false;
	}
	return true;
}

static bool k8s_keyword(struct builder *b, struct sch *s, const char *k, const struct node *v)
{
	if (!strcmp(k, "x-kubernetes-preserve-unknown-fields"))
		set_flag(s, v, SCH_F_PRESERVE_UNKNOWN);
	else if (!strcmp(k, "x-kubernetes-embedded-resource"))
		set_flag(s, v, SCH_F_EMBEDDED);
	else if (!strcmp(k, "x-kubernetes-int-or-string"))
		set_flag(s, v, SCH_F_INT_OR_STRING);
	else if (!strcmp(k, "x-kubernetes-list-type"))
		build_list_type(b, s, v);
	else if (!strcmp(k, "x-kubernetes-list-map-keys"))
		s->map_keys = string_list(b, v, &s->nmap_keys, k);
	else if (!strcmp(k, "x-kubernetes-validations"))
		build_rules(b, s, v);
	else
		return false;
	return true;
}

static void keyword(struct builder *b, struct sch *s, const struct node *schema, const struct pair *p)
{
	const char *k = p->key;
	const struct node *v = p->val;
	if (ignored_keyword(k) || bound_keyword(b, s, k, v) || k8s_keyword(b, s, k, v))
		return;
	if (!strcmp(k, "type"))
		build_type(b, s, v);
	else if (!strcmp(k, "format"))
		build_format(s, v);
	else if (!strcmp(k, "default"))
		s->flags |= SCH_F_HAS_DEFAULT;
	else if (!strcmp(k, "nullable"))
		set_flag(s, v, SCH_F_NULLABLE);
	else if (!strcmp(k, "enum"))
		build_enum(b, s, v);
	else if (!strcmp(k, "pattern"))
		build_pattern(b, s, v);
	else if (!strcmp(k, "properties"))
		build_props(b, s, v);
	else if (!strcmp(k, "required"))
		s->required = string_list(b, v, &s->nrequired, k);
	else if (!strcmp(k, "items")) {
		size_t mark = path_push(b, "items");
		s->items = build(b, v);
		buf_truncate(&b->path, mark);
	} else if (!strcmp(k, "additionalProperties"))
		build_additional(b, s, v);
	else if (!strcmp(k, "anyOf"))
		check_any_of(b, schema, v);
	else
		bad(b, v, "schema keyword \"%s\" is not supported", k);
}

static const struct sch *build(struct builder *b, const struct node *n)
{
	struct sch *s = arena_alloc(b->a, sizeof(*s));
	s->min_length = s->max_length = s->min_items = s->max_items = s->min_props = s->max_props = -1;
	if (!n || n->kind != NODE_MAP) {
		bad(b, n, "%s must be a map", "a schema");
		return s;
	}
	for (size_t i = 0; i < n->u.map.n; i++)
		keyword(b, s, n, &n->u.map.v[i]);
	if (s->flags & SCH_F_INT_OR_STRING)
		s->types = 0; /* the anyOf branches carry the types; the flag says it all */
	return s;
}

static bool build_version(struct builder *b, struct crd_version *v, const struct node *n)
{
	if (!node_get_str(map_get(n, "name"), &v->name)) {
		bad(b, n, "%s needs a name", "a version");
		return false;
	}
	v->served = node_is_true(map_get(n, "served"));
	v->deprecated = node_is_true(map_get(n, "deprecated"));
	node_get_str(map_get(n, "deprecationWarning"), &v->deprecation_warning);
	v->status_subresource = map_has(map_get(n, "subresources"), "status");
	const char *replicas;
	if (node_get_str(node_at(n, "subresources.scale.specReplicasPath"), &replicas))
		v->spec_replicas_path = replicas + (*replicas == '.');
	const struct node *schema = node_at(n, "schema.openAPIV3Schema");
	size_t mark = path_push(b, v->name);
	if (!schema)
		bad(b, n, "%s has no schema.openAPIV3Schema", "version");
	else
		v->schema = build(b, schema);
	buf_truncate(&b->path, mark);
	return schema != NULL;
}

const struct crd_def *crd_build(struct arena *a, const struct node *crd, struct diags *d)
{
	struct builder b = { a, d, BUF_INIT, false };
	struct crd_def *c = arena_alloc(a, sizeof(*c));
	const struct node *spec = map_get(crd, "spec");
	const struct node *versions = map_get(spec, "versions");
	if (strcmp(node_str_or(map_get(crd, "kind"), ""), "CustomResourceDefinition") != 0 ||
	    !node_get_str(node_at(crd, "metadata.name"), &c->name) || !node_get_str(map_get(spec, "group"), &c->group) ||
	    !node_get_str(node_at(spec, "names.kind"), &c->kind) || !versions || versions->kind != NODE_SEQ) {
		bad(&b, crd, "%s", "not a CustomResourceDefinition with metadata.name, spec.group, spec.names.kind and spec.versions");
		buf_release(&b.path);
		return NULL;
	}
	struct crd_version *v = arena_alloc(a, (versions->u.seq.n + 1) * sizeof(*v));
	for (size_t i = 0; i < versions->u.seq.n; i++)
		build_version(&b, &v[i], versions->u.seq.v[i]);
	c->versions = v;
	c->nversions = versions->u.seq.n;
	buf_release(&b.path);
	return b.failed ? NULL : c;
}
