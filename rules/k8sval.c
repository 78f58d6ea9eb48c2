/* k8sval.c -- Kubernetes name rules and ObjectMeta checks, with the API server's messages. */
#include "k8sval.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "json.h"

#include <inttypes.h>
#include <string.h>

#define QUOTE_MAX 200

static const char too_long_63[] = "must be no more than 63 characters";
static const char too_long_253[] = "must be no more than 253 characters";
static const char label_fmt[] =
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
	"start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
	"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char subdomain_fmt[] =
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
	"and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
	"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char dns1035_fmt[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
	"alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
	"regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
static const char label_value_fmt[] =
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
	"and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
	"'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
static const char qname_fmt[] =
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
	"an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
	"validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
static const char qname_parts[] =
	"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and "
	"end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
	"validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix "
	"and '/' (e.g. 'example.com/MyName')";
static const char qname_prefix_fmt[] =
	"prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	"'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
	"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool is_label(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool is_subdomain(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!is_label(s + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], or empty when allowed */
static bool is_label_value(const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (!alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* The API server's order: the format message first, the length one only for a well-formed name. */
static const char *format_then_length(const char *s, bool well_formed, const char *format, size_t max,
				      const char *too_long)
{
	if (!well_formed)
		return format;
	return strlen(s) > max ? too_long : NULL;
}

const char *dns1123_label_error(const char *s)
{
	return format_then_length(s, is_label(s, strlen(s)), label_fmt, DNS1123_LABEL_MAX, too_long_63);
}

const char *dns1123_subdomain_error(const char *s)
{
	return format_then_length(s, is_subdomain(s, strlen(s)), subdomain_fmt, DNS1123_SUBDOMAIN_MAX, too_long_253);
}

const char *dns1035_label_error(const char *s)
{
	bool ok = is_label(s, strlen(s)) && s[0] >= 'a' && s[0] <= 'z';
	return format_then_length(s, ok, dns1035_fmt, DNS1035_LABEL_MAX, too_long_63);
}

const char *label_value_error(const char *s)
{
	return format_then_length(s, is_label_value(s, strlen(s)), label_value_fmt, LABEL_VALUE_MAX, too_long_63);
}

const char *qualified_name_error(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = s;
	if (slash) {
		if (strchr(slash + 1, '/'))
			return qname_parts;
		size_t plen = (size_t)(slash - s);
		if (plen == 0)
			return "prefix part must be non-empty";
		if (!is_subdomain(s, plen))
			return qname_prefix_fmt;
		if (plen > DNS1123_SUBDOMAIN_MAX)
			return "prefix part must be no more than 253 characters";
		name = slash + 1;
	}
	size_t n = strlen(name);
	if (n == 0)
		return "name part must be non-empty";
	if (!is_label_value(name, n))
		return qname_fmt;
	return n > 63 ? "name part must be no more than 63 characters" : NULL;
}

/* ---- value quoting ---- */

void quote_str(struct buf *out, const char *s)
{
	/* whole, however long: the API server quotes values in full */
	json_quote(out, s, strlen(s));
}

void value_repr(struct buf *out, const struct node *n)
{
	int64_t v;
	if (!n) {
		buf_adds(out, "null");
	} else if (n->kind != NODE_SCALAR) {
		json_quote(out, node_type_name(n), (size_t)-1);
	} else if (n->u.sc.type == SCALAR_STR) {
		quote_str(out, n->u.sc.s);
	} else if (node_get_int(n, &v)) {
		buf_addf(out, "%" PRId64, v);
	} else if (n->u.sc.type == SCALAR_BOOL) {
		buf_adds(out, node_is_true(n) ? "true" : "false");
	} else if (n->u.sc.type == SCALAR_NULL) {
		buf_adds(out, "null");
	} else {
		buf_add(out, n->u.sc.s, n->u.sc.len);
	}
}

void type_error(struct diags *d, const struct pos *pos, const char *path, const struct node *n, const char *want,
		bool string_ok)
{
	struct buf m = BUF_INIT;
	const char *got = node_type_name(n);
	buf_addf(&m, "Invalid value: \"%s\": %s in body must be of type %s: \"%s\"", got, *path ? path : "body", want,
		 got);
	if (string_ok && n && n->kind == NODE_SCALAR && n->u.sc.style == STYLE_PLAIN && n->u.sc.type != SCALAR_STR &&
	    n->u.sc.type != SCALAR_NULL && n->u.sc.len <= QUOTE_MAX)
		buf_addf(&m, " (YAML reads the unquoted %s as %s %s: write \"%s\" to pass a string)", n->u.sc.s,
			 n->u.sc.type == SCALAR_INT ? "an" : "a", got, n->u.sc.s);
	struct diag *x = diag_add(d, DIAG_ERROR, pos, path, "%s", m.data);
	x->rule = "schema.type";
	buf_release(&m);
}

/* ---- ObjectMeta ---- */

struct meta_ctx {
	struct diags *d;
	struct buf path;
	size_t base, errors;
};

static void meta_path(struct meta_ctx *c, const char *field)
{
	buf_truncate(&c->path, c->base);
	buf_addf(&c->path, ".%s", field);
}

static void invalid(struct meta_ctx *c, const struct pos *pos, const char *value, const char *msg)
{
	struct buf m = BUF_INIT;
	buf_adds(&m, "Invalid value: ");
	quote_str(&m, value);
	buf_addf(&m, ": %s", msg);
	struct diag *x = diag_add(c->d, DIAG_ERROR, pos, c->path.data, "%s", m.data);
	x->rule = "metadata";
	buf_release(&m);
	c->errors++;
}

static bool want_kind(struct meta_ctx *c, const struct node *v, enum node_kind kind, enum scalar_type st)
{
	if (node_is_null(v))
		return false; /* Go's decoder leaves the zero value */
	bool ok = v->kind == kind && (kind != NODE_SCALAR || v->u.sc.type == st);
	if (!ok) {
		const char *want = kind == NODE_MAP ? "object" : kind == NODE_SEQ ? "array"
			: st == SCALAR_INT ? "integer" : "string";
		type_error(c->d, &v->pos, c->path.data, v, want, st == SCALAR_STR && kind == NODE_SCALAR);
		c->errors++;
	}
	return ok;
}

static void check_string_map(struct meta_ctx *c, const struct node *m, bool labels)
{
	size_t total = 0;
	for (size_t i = 0; i < m->u.map.n; i++) {
		const struct pair *p = &m->u.map.v[i];
		const struct pos *kpos = p->kpos.line ? &p->kpos : &p->val->pos;
		const char *kerr = qualified_name_error(p->key);
		if (kerr)
			invalid(c, kpos, p->key, kerr);
		size_t mark = c->path.len;
		buf_addf(&c->path, ".%s", p->key);
		bool ok = want_kind(c, p->val, NODE_SCALAR, SCALAR_STR);
		buf_truncate(&c->path, mark);
		if (!ok)
			continue;
		total += strlen(p->key) + p->val->u.sc.len;
		const char *verr = labels ? label_value_error(p->val->u.sc.s) : NULL;
		if (verr)
			invalid(c, &p->val->pos, p->val->u.sc.s, verr);
	}
	if (!labels && total > 256 * 1024) {
		diag_error(c->d, &m->pos, c->path.data, "Too long: must have at most %d bytes", 256 * 1024);
		c->errors++;
	}
}

static void check_meta_field(struct meta_ctx *c, const struct pair *p)
{
	static const char *const strings[] = { "generateName", "selfLink", "uid", "resourceVersion", NULL };
	static const char *const ints[] = { "generation", "deletionGracePeriodSeconds", NULL };
	static const char *const anything[] = { "creationTimestamp", "deletionTimestamp", "ownerReferences",
						"managedFields", NULL };
	const char *k = p->key;
	const struct node *v = p->val;
	meta_path(c, k);
	for (const char *const *s = strings; *s; s++)
		if (!strcmp(k, *s)) {
			want_kind(c, v, NODE_SCALAR, SCALAR_STR);
			return;
		}
	for (const char *const *s = ints; *s; s++)
		if (!strcmp(k, *s)) {
			want_kind(c, v, NODE_SCALAR, SCALAR_INT);
			return;
		}
	for (const char *const *s = anything; *s; s++)
		if (!strcmp(k, *s))
			return;
	if (!strcmp(k, "name") || !strcmp(k, "namespace")) {
		if (want_kind(c, v, NODE_SCALAR, SCALAR_STR) && v->u.sc.len) {
			const char *e = !strcmp(k, "name") ? dns1123_subdomain_error(v->u.sc.s)
							    : dns1123_label_error(v->u.sc.s);
			if (e)
				invalid(c, &v->pos, v->u.sc.s, e);
		}
	} else if (!strcmp(k, "labels") || !strcmp(k, "annotations")) {
		if (want_kind(c, v, NODE_MAP, SCALAR_STR))
			check_string_map(c, v, k[0] == 'l');
	} else if (!strcmp(k, "finalizers")) {
		if (want_kind(c, v, NODE_SEQ, SCALAR_STR))
			for (size_t i = 0; i < v->u.seq.n; i++)
				want_kind(c, v->u.seq.v[i], NODE_SCALAR, SCALAR_STR);
	} else {
		struct diag *x = diag_error(c->d, p->kpos.line ? &p->kpos : &v->pos, c->path.data,
					    "field not declared in schema");
		x->rule = "schema.unknown";
		c->errors++;
	}
}

size_t objmeta_check(const struct node *meta, const char *path, const struct pos *at, bool require_name,
		     struct diags *d)
{
	struct meta_ctx c = { d, BUF_INIT, 0, 0 };
	buf_adds(&c.path, path);
	c.base = c.path.len;
	if (meta && !node_is_null(meta) && !want_kind(&c, meta, NODE_MAP, SCALAR_STR)) {
		buf_release(&c.path);
		return c.errors;
	}
	node_map_each(meta, p)
		check_meta_field(&c, p);
	const char *name = NULL;
	if (require_name && (!node_get_str(map_get(meta, "name"), &name) || !*name)) {
		const struct node *n = map_get(meta, "name");
		meta_path(&c, "name");
		if (!n || node_is_null(n) || (n->kind == NODE_SCALAR && n->u.sc.type == SCALAR_STR)) {
			struct diag *x = diag_error(d, n ? &n->pos : at, c.path.data, "Required value");
			x->rule = "metadata";
			c.errors++;
		}
	}
	buf_release(&c.path);
	return c.errors;
}
