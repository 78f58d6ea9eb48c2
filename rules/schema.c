/* schema.c -- check a document against a CRD structural schema, as the API server does. */
#include "schema.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "json.h"
#include "k8sval.h"
#include "regex.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RE_CACHE 16

struct walk {
	struct diags *d;
	struct buf path;
	const struct schema_hooks *hooks;
	size_t start_errors, dropped;
	bool skip_status;
	const char *replicas_path; /* checked by check_scale instead */
	struct {
		const char *pattern;
		struct regex *re;
	} cache[RE_CACHE];
	size_t ncache;
};

/* ---- lookups ---- */

static int compare_name(const void *key, const void *prop)
{
	return strcmp(key, ((const struct sch_prop *)prop)->name);
}

const struct sch *sch_prop(const struct sch *s, const char *name)
{
	if (!s || !s->nprops)
		return NULL;
	const struct sch_prop *p = bsearch(name, s->props, s->nprops, sizeof(*p), compare_name);
	return p ? p->s : NULL;
}

const struct sch *sch_at(const struct sch *root, const char *path)
{
	char key[128];
	const struct sch *s = root;
	while (s && path_next(&path, key, sizeof(key)))
		s = sch_prop(s, key);
	return *path ? NULL : s;
}

const struct crd_def *crd_find(const char *group, const char *kind)
{
	for (const struct crd_def *const *c = crd_embedded; *c; c++)
		if (!strcmp((*c)->group, group) && !strcmp((*c)->kind, kind))
			return *c;
	return NULL;
}

const struct crd_version *crd_version(const struct crd_def *crd, const char *version)
{
	for (size_t i = 0; crd && i < crd->nversions; i++)
		if (!strcmp(crd->versions[i].name, version))
			return &crd->versions[i];
	return NULL;
}

bool api_version_split(const char *api_version, char *group, size_t gcap, const char **version)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0;
	if (glen >= gcap || (slash && strchr(slash + 1, '/')))
		return false;
	memcpy(group, api_version, glen);
	group[glen] = '\0';
	*version = slash ? slash + 1 : api_version;
	return **version != '\0';
}

/* ---- reporting ---- */

static bool full(const struct walk *w)
{
	return w->d->errors - w->start_errors >= SCHEMA_MAX_ERRORS;
}

static void fail(struct walk *w, const struct pos *pos, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct walk *w, const struct pos *pos, const char *rule, const char *fmt, ...)
{
	if (full(w)) {
		w->dropped++;
		return;
	}
	struct buf m = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	struct diag *x = diag_add(w->d, DIAG_ERROR, pos, w->path.data, "%s", m.data);
	x->rule = rule;
	buf_release(&m);
}

/* "Invalid value: <value>: <msg>" */
static void invalid(struct walk *w, const struct node *n, const char *rule, const char *msg)
{
	struct buf v = BUF_INIT;
	value_repr(&v, n);
	fail(w, &n->pos, rule, "Invalid value: %s: %s", v.data, msg);
	buf_release(&v);
}

static size_t push_key(struct walk *w, const char *key)
{
	size_t mark = w->path.len;
	if (w->path.len)
		buf_addc(&w->path, '.');
	buf_adds(&w->path, key);
	return mark;
}

static size_t push_index(struct walk *w, size_t i)
{
	size_t mark = w->path.len;
	buf_addf(&w->path, "[%zu]", i);
	return mark;
}

static void pop(struct walk *w, size_t mark)
{
	buf_truncate(&w->path, mark);
}

/* ---- types ---- */

static bool type_ok(const struct sch *s, const struct node *n)
{
	unsigned t = sch_json_type(n);
	if (s->flags & SCH_F_INT_OR_STRING)
		return t == SCH_T_INTEGER || t == SCH_T_STRING;
	if (!s->types)
		return t != 0;
	if ((s->types & SCH_T_NUMBER) && t == SCH_T_INTEGER)
		return true;
	return (s->types & t) != 0;
}

static void type_names(struct buf *b, const struct sch *s)
{
	static const char *const names[] = { "object", "array", "string", "integer", "number", "boolean" };
	unsigned types = s->flags & SCH_F_INT_OR_STRING ? SCH_T_INTEGER | SCH_T_STRING : s->types;
	if (!types) {
		buf_adds(b, "any");
		return;
	}
	/* integer before string, as the API server lists int-or-string */
	static const unsigned order[] = { SCH_T_OBJECT, SCH_T_ARRAY, SCH_T_INTEGER, SCH_T_NUMBER, SCH_T_BOOLEAN,
					  SCH_T_STRING };
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		if (!(types & order[i]))
			continue;
		if (b->len)
			buf_addc(b, ',');
		unsigned bit = 0;
		while ((1u << bit) != order[i])
			bit++;
		buf_adds(b, names[bit]);
	}
}

static void report_type(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at)
{
	if (full(w)) {
		w->dropped++;
		return;
	}
	struct buf want = BUF_INIT;
	type_names(&want, s);
	bool string_ok = (s->flags & SCH_F_INT_OR_STRING) || (s->types & SCH_T_STRING);
	const struct pos *pos = n->kind == NODE_SCALAR ? &n->pos : at;
	type_error(w->d, pos, w->path.data, n, want.data, string_ok);
	buf_release(&want);
	/* The API server also fails the int-or-string idiom's anyOf, naming its first branch. */
	if (s->flags & SCH_F_INT_OR_STRING && !full(w))
		type_error(w->d, pos, w->path.data, n, "integer", false);
}

/* ---- scalars ---- */

static bool as_double(const struct node *n, double *out)
{
	int64_t i;
	if (node_get_int(n, &i)) {
		*out = (double)i;
		return true;
	}
	if (n->u.sc.type != SCALAR_FLOAT)
		return false;
	char tmp[80];
	size_t k = 0;
	for (size_t j = 0; j < n->u.sc.len && k + 1 < sizeof(tmp); j++)
		if (n->u.sc.s[j] != '_')
			tmp[k++] = n->u.sc.s[j];
	tmp[k] = '\0';
	char *end;
	*out = strtod(tmp, &end);
	return *end == '\0' && isfinite(*out);
}

static void num_text(char *out, size_t cap, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, cap, "%.0f", v);
	else
		snprintf(out, cap, "%g", v);
}

static bool enum_match(const struct sch_enum *e, const struct node *n)
{
	double a, b;
	switch (e->type) {
	case SCH_T_STRING:
		return n->u.sc.type == SCALAR_STR && !strcmp(e->text, n->u.sc.s);
	case SCH_T_BOOLEAN:
		return n->u.sc.type == SCALAR_BOOL && node_is_true(n) == (e->text[0] == 't' || e->text[0] == 'T');
	case SCH_T_INTEGER:
	case SCH_T_NUMBER:
		if (!as_double(n, &a))
			return false;
		b = strtod(e->text, NULL);
		return a == b;
	}
	return n->u.sc.type == SCALAR_NULL;
}

static void check_enum(struct walk *w, const struct sch *s, const struct node *n)
{
	for (size_t i = 0; i < s->nenums; i++)
		if (enum_match(&s->enums[i], n))
			return;
	struct buf m = BUF_INIT;
	buf_adds(&m, "Unsupported value: ");
	value_repr(&m, n);
	buf_adds(&m, ": supported values: ");
	for (size_t i = 0; i < s->nenums; i++) {
		if (i)
			buf_adds(&m, ", ");
		if (s->enums[i].type == SCH_T_STRING)
			quote_str(&m, s->enums[i].text);
		else
			buf_adds(&m, s->enums[i].text);
	}
	fail(w, &n->pos, "schema.enum", "%s", m.data);
	buf_release(&m);
}

static void check_bounds(struct walk *w, const struct sch *s, const struct node *n)
{
	double v;
	char lim[64], msg[1200];
	if (!as_double(n, &v))
		return;
	if (s->flags & SCH_F_HAS_MIN) {
		bool excl = s->flags & SCH_F_EXCL_MIN;
		if (excl ? v <= s->minimum : v < s->minimum) {
			num_text(lim, sizeof(lim), s->minimum);
			snprintf(msg, sizeof(msg), "%s in body should be greater than %s%s", w->path.data,
				 excl ? "" : "or equal to ", lim);
			invalid(w, n, "schema.minimum", msg);
		}
	}
	if (s->flags & SCH_F_HAS_MAX) {
		bool excl = s->flags & SCH_F_EXCL_MAX;
		if (excl ? v >= s->maximum : v > s->maximum) {
			num_text(lim, sizeof(lim), s->maximum);
			snprintf(msg, sizeof(msg), "%s in body should be less than %s%s", w->path.data,
				 excl ? "" : "or equal to ", lim);
			invalid(w, n, "schema.maximum", msg);
		}
	}
}

/* The API server does not hold integers to their int32 format (it stores 2147483648),
 * but the operator's Go types cannot decode such a store: an operator finding. */
static void check_int_format(struct walk *w, const struct sch *s, const struct node *n)
{
	int64_t v;
	if (s->format != SCH_FMT_INT32 || !node_get_int(n, &v) || (v >= INT32_MIN && v <= INT32_MAX) ||
	    (w->replicas_path && !strcmp(w->path.data, w->replicas_path)))
		return;
	size_t before = w->d->n;
	invalid(w, n, "schema.format",
		v < INT32_MIN ? "should be greater than or equal to -2147483648 (an int32 field: the operator "
				"cannot read the store)"
			      : "should be less than or equal to 2147483647 (an int32 field: the operator cannot "
				"read the store)");
	if (w->d->n > before)
		w->d->v[before].source = "operator";
}

static size_t rune_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* RFC 3339 date-time: 2006-01-02T15:04:05[.frac](Z|+07:00) */
static bool is_date_time(const char *s, size_t n)
{
	if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return false;
	size_t i = 19;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z'))
		return i + 1 == n;
	return i + 6 == n && (s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2) && s[i + 3] == ':' &&
	       digits(s + i + 4, 2);
}

/* A compiled pattern, cached for the run; *owned when the cache is full and
 * the caller must free it. */
static struct regex *get_regex(struct walk *w, const char *pattern, bool *owned)
{
	*owned = false;
	for (size_t i = 0; i < w->ncache; i++)
		if (w->cache[i].pattern == pattern)
			return w->cache[i].re;
	char err[128];
	struct regex *re = regex_compile(pattern, err, sizeof(err));
	if (re && w->ncache < RE_CACHE) {
		w->cache[w->ncache].pattern = pattern;
		w->cache[w->ncache++].re = re;
	} else {
		*owned = re != NULL;
	}
	return re;
}

static void check_pattern(struct walk *w, const struct sch *s, const struct node *n)
{
	bool owned;
	struct regex *re = get_regex(w, s->pattern, &owned);
	if (re && !regex_search(re, n->u.sc.s, n->u.sc.len)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "%s in body should match '%s'", w->path.data, s->pattern);
		invalid(w, n, "schema.pattern", m.data);
		buf_release(&m);
	}
	if (owned)
		regex_free(re);
}

static void check_string(struct walk *w, const struct sch *s, const struct node *n)
{
	char msg[1200];
	size_t len = s->min_length >= 0 || s->max_length >= 0 ? rune_count(n->u.sc.s, n->u.sc.len) : 0;
	if (s->min_length >= 0 && len < (size_t)s->min_length) {
		snprintf(msg, sizeof(msg), "%s in body should be at least %" PRId64 " chars long", w->path.data,
			 s->min_length);
		invalid(w, n, "schema.minLength", msg);
	}
	if (s->max_length >= 0 && len > (size_t)s->max_length) {
		snprintf(msg, sizeof(msg), "%s in body should be at most %" PRId64 " chars long", w->path.data,
			 s->max_length);
		invalid(w, n, "schema.maxLength", msg);
	}
	if (s->pattern)
		check_pattern(w, s, n);
	if (s->format == SCH_FMT_DATE_TIME && !is_date_time(n->u.sc.s, n->u.sc.len)) {
		struct buf m = BUF_INIT;
		buf_addf(&m, "%s in body must be of type date-time: ", w->path.data);
		quote_str(&m, n->u.sc.s);
		invalid(w, n, "schema.format", m.data);
		buf_release(&m);
	}
}

static void check_scalar(struct walk *w, const struct sch *s, const struct node *n)
{
	if (s->nenums)
		check_enum(w, s, n);
	switch (n->u.sc.type) {
	case SCALAR_INT:
		check_int_format(w, s, n);
		/* fall through */
	case SCALAR_FLOAT:
		check_bounds(w, s, n);
		break;
	case SCALAR_STR:
		check_string(w, s, n);
		break;
	default:
		break;
	}
}

/* ---- arrays ---- */

struct item_key {
	const char *key;
	size_t index;
};

static int compare_item_keys(const void *x, const void *y)
{
	const struct item_key *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The identity of a list item: the item itself (set) or its map keys (map). */
static bool item_identity(struct buf *b, const struct sch *s, const struct node *item)
{
	if (s->list_type == SCH_LIST_SET) {
		json_emit(b, item, 0);
		return true;
	}
	if (item->kind != NODE_MAP)
		return false;
	buf_addc(b, '{');
	for (size_t k = 0; k < s->nmap_keys; k++) {
		const struct node *v = map_get(item, s->map_keys[k]);
		if (k)
			buf_addc(b, ',');
		json_quote(b, s->map_keys[k], (size_t)-1);
		buf_addc(b, ':');
		if (v)
			json_emit(b, v, 0);
		else
			buf_adds(b, "null");
	}
	buf_addc(b, '}');
	return true;
}

static void check_unique(struct walk *w, const struct sch *s, const struct node *n)
{
	size_t count = n->u.seq.n, m = 0;
	struct item_key *keys = xcalloc(count + 1, sizeof(*keys));
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < count; i++) {
		const struct node *item = n->u.seq.v[i];
		if (s->list_type == SCH_LIST_MAP && item->kind == NODE_SCALAR && !node_is_null(item)) {
			/* besides the items' own type error, as the API server reports it */
			size_t mark = push_index(w, i);
			invalid(w, item, "schema.listType", "must be an object for an array of list-type map");
			pop(w, mark);
			continue;
		}
		buf_reset(&b);
		if (item_identity(&b, s, item)) {
			keys[m].key = xstrdup(b.data);
			keys[m++].index = i;
		}
	}
	qsort(keys, m, sizeof(*keys), compare_item_keys);
	for (size_t i = 1; i < m; i++) {
		if (strcmp(keys[i - 1].key, keys[i].key) != 0)
			continue;
		size_t mark = push_index(w, keys[i].index);
		fail(w, &n->u.seq.v[keys[i].index]->pos, "schema.listType", "Duplicate value: %.300s", keys[i].key);
		pop(w, mark);
	}
	for (size_t i = 0; i < m; i++)
		free((char *)keys[i].key);
	free(keys);
	buf_release(&b);
}

static void check_node(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at);

static void check_array(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at)
{
	size_t count = n->u.seq.n;
	if (s->min_items >= 0 && count < (size_t)s->min_items)
		fail(w, at, "schema.minItems", "Invalid value: %zu: %s in body should have at least %" PRId64 " items",
		     count, w->path.data, s->min_items);
	if (s->max_items >= 0 && count > (size_t)s->max_items)
		fail(w, at, "schema.maxItems", "Too many: %zu: must have at most %" PRId64 " items", count,
		     s->max_items);
	for (size_t i = 0; s->items && i < count; i++) {
		size_t mark = push_index(w, i);
		check_node(w, s->items, n->u.seq.v[i], &n->u.seq.v[i]->pos);
		pop(w, mark);
	}
	if (s->list_type == SCH_LIST_SET || s->list_type == SCH_LIST_MAP)
		check_unique(w, s, n);
}

/* ---- objects ---- */

static bool pruned(const struct sch *s, const struct node *v)
{
	return node_is_null(v) && !(s->flags & SCH_F_NULLABLE);
}

/* apiVersion and kind of a resource not described by the schema itself. */
static void check_type_field(struct walk *w, const struct node *v, const struct pos *at)
{
	static const struct sch string_sch = { .types = SCH_T_STRING, .min_length = -1, .max_length = -1,
					       .min_items = -1, .max_items = -1, .min_props = -1, .max_props = -1 };
	if (!node_is_null(v))
		check_node(w, &string_sch, v, at);
}

static void check_field(struct walk *w, const struct sch *s, const struct pair *p, bool resource, bool root)
{
	const struct pos *at = p->kpos.line ? &p->kpos : &p->val->pos;
	size_t mark = push_key(w, p->key);
	const struct sch *child = sch_prop(s, p->key);
	if (!child)
		child = s->addl;
	if (resource && !strcmp(p->key, "metadata")) {
		if (!full(w))
			objmeta_check(p->val, w->path.data, at, root, w->d);
	} else if (root && w->skip_status && !strcmp(p->key, "status")) {
		/* dropped by the API server on create */
	} else if (child) {
		if (!pruned(child, p->val))
			check_node(w, child, p->val, at);
	} else if (resource && (!strcmp(p->key, "apiVersion") || !strcmp(p->key, "kind"))) {
		check_type_field(w, p->val, at);
	} else if (!(s->flags & (SCH_F_ADDL_ANY | SCH_F_PRESERVE_UNKNOWN))) {
		fail(w, at, "schema.unknown", "field not declared in schema");
	}
	pop(w, mark);
}

static void check_required(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at)
{
	for (size_t i = 0; i < s->nrequired; i++) {
		const char *name = s->required[i];
		const struct sch *prop = sch_prop(s, name);
		const struct pair *p = map_find(n, name);
		bool present = p && !(prop ? pruned(prop, p->val) : node_is_null(p->val));
		if (present || (prop && (prop->flags & SCH_F_HAS_DEFAULT)))
			continue;
		size_t mark = push_key(w, name);
		fail(w, at, "schema.required", "Required value");
		pop(w, mark);
	}
}

static void check_resource_fields(struct walk *w, const struct node *n, const struct pos *at, bool root)
{
	if (root && !map_has(n, "metadata")) {
		size_t mark = push_key(w, "metadata");
		objmeta_check(NULL, w->path.data, at, true, w->d);
		pop(w, mark);
	}
	if (root)
		return;
	static const char *const type_fields[] = { "apiVersion", "kind" };
	for (size_t i = 0; i < 2; i++) {
		const char *v = node_str_or(map_get(n, type_fields[i]), "");
		if (*v)
			continue;
		size_t mark = push_key(w, type_fields[i]);
		fail(w, at, "schema.required", "Required value: must not be empty");
		pop(w, mark);
	}
}

static void check_object(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at,
			 bool root)
{
	bool resource = root || (s->flags & SCH_F_EMBEDDED);
	for (size_t i = 0; i < n->u.map.n; i++)
		check_field(w, s, &n->u.map.v[i], resource, root);
	check_required(w, s, n, at);
	if (resource)
		check_resource_fields(w, n, at, root);
	size_t count = n->u.map.n;
	if (s->min_props >= 0 && count < (size_t)s->min_props)
		fail(w, at, "schema.minProperties", "Invalid value: %zu: %s in body should have at least %" PRId64
		     " properties", count, w->path.data, s->min_props);
	if (s->max_props >= 0 && count > (size_t)s->max_props)
		fail(w, at, "schema.maxProperties", "Too many: %zu: must have at most %" PRId64 " properties", count,
		     s->max_props);
}

static void run_rules(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at)
{
	for (size_t i = 0; i < s->nrules && !full(w); i++)
		w->hooks->rule(w->hooks->ctx, &s->rules[i], n, w->path.data, at, w->d);
}

static void check_node(struct walk *w, const struct sch *s, const struct node *n, const struct pos *at)
{
	if (node_is_null(n) && (s->flags & SCH_F_NULLABLE))
		return;
	if (!type_ok(s, n)) {
		report_type(w, s, n, at);
		/* the enum is a validator of its own: the API server reports both */
		if (s->nenums && n->kind == NODE_SCALAR)
			check_enum(w, s, n);
		return;
	}
	switch (n->kind) {
	case NODE_SCALAR:
		check_scalar(w, s, n);
		break;
	case NODE_SEQ:
		check_array(w, s, n, at);
		break;
	case NODE_MAP:
		check_object(w, s, n, at, false);
		break;
	}
	if (s->nrules && w->hooks)
		run_rules(w, s, n, at);
}

/* The scale subresource's replicas: the API server's own check, in its words, whatever
 * the schema allows (a value of another type is the schema's error). */
static void check_scale(struct walk *w, const struct crd_version *v, const struct node *obj)
{
	const struct node *n = node_at(obj, v->spec_replicas_path);
	int64_t r;
	if (!n || !node_get_int(n, &r) || (r >= 0 && r <= INT32_MAX))
		return;
	buf_truncate(&w->path, 0);
	buf_adds(&w->path, v->spec_replicas_path);
	invalid(w, n, "schema.scale", r < 0 ? "should be a non-negative integer" : "should be less than or equal to 2147483647");
	buf_truncate(&w->path, 0);
}

size_t schema_check(const struct crd_version *v, const struct node *obj, const struct schema_hooks *hooks,
		    struct diags *d)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	w.d = d;
	buf_init(&w.path, 0);
	w.hooks = hooks && hooks->rule ? hooks : NULL;
	w.start_errors = d->errors;
	w.skip_status = v->status_subresource;
	w.replicas_path = v->spec_replicas_path;
	const struct sch *s = v->schema;
	if (!type_ok(s, obj)) {
		report_type(&w, s, obj, &obj->pos);
	} else if (obj->kind == NODE_MAP) {
		check_object(&w, s, obj, &obj->pos, true);
		if (s->nrules && w.hooks)
			run_rules(&w, s, obj, &obj->pos);
		if (v->spec_replicas_path)
			check_scale(&w, v, obj);
	}
	if (w.dropped)
		diag_error(d, &obj->pos, "", "too many errors: %zu more not reported", w.dropped);
	for (size_t i = 0; i < w.ncache; i++)
		regex_free(w.cache[i].re);
	buf_release(&w.path);
	return d->errors - w.start_errors;
}
