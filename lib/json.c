/* json.c -- document trees as JSON text, and JSON text (jsmn) as trees. */
#include "json.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

void json_quote(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (len == (size_t)-1)
		len = strlen(s);
	buf_addc(out, '"');
	size_t run = 0; /* copy unescaped runs in one go */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c < 0x20) {
				u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0';
				u[4] = hex[c >> 4], u[5] = hex[c & 15], u[6] = '\0';
				esc = u;
			}
		}
		if (esc) {
			buf_add(out, s + run, i - run);
			buf_adds(out, esc);
			run = i + 1;
		}
	}
	buf_add(out, s + run, len - run);
	buf_addc(out, '"');
}

static void newline(struct buf *out, int indent, int level)
{
	if (!indent)
		return;
	buf_addc(out, '\n');
	for (int i = 0; i < indent * level; i++)
		buf_addc(out, ' ');
}

static void emit_scalar(struct buf *out, const struct node *n)
{
	int64_t v;
	bool b;
	switch (n->u.sc.type) {
	case SCALAR_INT:
		if (scalar_parse_int(n->u.sc.s, n->u.sc.len, &v)) {
			buf_addf(out, "%" PRId64, v);
			return;
		}
		break;
	case SCALAR_FLOAT: {
		/* JSON has no inf/nan and wants a digit before a leading dot. */
		const char *s = n->u.sc.s;
		if (strpbrk(s, "nN") || strpbrk(s, "iI"))
			break;
		if (*s == '+')
			s++;
		if (*s == '.')
			buf_addc(out, '0');
		else if (*s == '-' && s[1] == '.') {
			buf_adds(out, "-0");
			s++;
		}
		for (; *s; s++)
			if (*s != '_')
				buf_addc(out, *s);
		if (s[-1] == '.')
			buf_addc(out, '0');
		return;
	}
	case SCALAR_BOOL:
		if (node_get_bool(n, &b)) {
			buf_adds(out, b ? "true" : "false");
			return;
		}
		break;
	case SCALAR_NULL:
		buf_adds(out, "null");
		return;
	case SCALAR_STR:
		break;
	}
	json_quote(out, n->u.sc.s, n->u.sc.len);
}

static void emit(struct buf *out, const struct node *n, int indent, int level)
{
	if (!n) {
		buf_adds(out, "null");
		return;
	}
	if (n->kind == NODE_SCALAR) {
		emit_scalar(out, n);
		return;
	}
	bool map = n->kind == NODE_MAP;
	size_t count = map ? n->u.map.n : n->u.seq.n;
	if (!count) {
		buf_adds(out, map ? "{}" : "[]");
		return;
	}
	buf_addc(out, map ? '{' : '[');
	for (size_t i = 0; i < count; i++) {
		if (i)
			buf_addc(out, ',');
		newline(out, indent, level + 1);
		if (map) {
			json_quote(out, n->u.map.v[i].key, (size_t)-1);
			buf_adds(out, indent ? ": " : ":");
		}
		emit(out, map ? n->u.map.v[i].val : n->u.seq.v[i], indent, level + 1);
	}
	newline(out, indent, level);
	buf_addc(out, map ? '}' : ']');
}

void json_emit(struct buf *out, const struct node *n, int indent)
{
	emit(out, n, indent, 0);
}

void json_emit_at(struct buf *out, const struct node *n, int indent, int level)
{
	emit(out, n, indent, level);
}

/* ---- parsing ---- */

struct jreader {
	struct arena *a;
	const char *text;
	size_t len;
	const char *name;
	jsmntok_t *tok;
	int ntok;
	struct diags *d;
	bool failed;
};

static void jerror(struct jreader *r, size_t off, const char *msg)
{
	struct pos pos = { r->name, 1, (unsigned)off + 1 };
	diag_error(r->d, &pos, "", "%s", msg);
	r->failed = true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool read_u16(const char *p, const char *end, unsigned *out)
{
	if (end - p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Unescape the string token t; its length never grows, so len+1 is enough. */
static char *unescape(struct jreader *r, const jsmntok_t *t, size_t *outlen)
{
	const char *p = r->text + t->start, *end = r->text + t->end;
	char *o = arena_alloc(r->a, (size_t)(end - p) + 1), *start = o;
	while (p < end) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		char c = p < end ? *p++ : '\0';
		unsigned cp, lo;
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (!read_u16(p, end, &cp)) {
				jerror(r, (size_t)(p - r->text), "invalid \\u escape in JSON string");
				return NULL;
			}
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    read_u16(p + 2, end, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD; /* a lone surrogate: replace, as Go's decoder does */
			}
			o += put_utf8(o, cp);
			break;
		default:
			jerror(r, (size_t)(p - r->text), "invalid escape in JSON string");
			return NULL;
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - start);
	return start;
}

static struct node *build(struct jreader *r, int *i, int depth);

/* jsmn does not check what lies between tokens ([1,] and [1 2] pass), so
 * every gap must be whitespace holding exactly the separator `sep`, if any. */
static bool gap_ok(struct jreader *r, size_t from, size_t to, char sep)
{
	int seps = 0;
	for (size_t k = from; k < to; k++) {
		char c = r->text[k];
		if (c == sep)
			seps++;
		else if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			seps = 99;
	}
	if (seps == (sep ? 1 : 0))
		return true;
	jerror(r, from, sep ? "JSON separator missing or repeated" : "unexpected character in JSON");
	return false;
}

/* Where a token's text really starts and ends (jsmn leaves out the quotes). */
static size_t tok_begin(const jsmntok_t *t)
{
	return (size_t)t->start - (t->type == JSMN_STRING);
}

static size_t tok_end(const jsmntok_t *t)
{
	return (size_t)t->end + (t->type == JSMN_STRING);
}

static struct node *build_primitive(struct jreader *r, const jsmntok_t *t)
{
	const char *s = r->text + t->start;
	size_t len = (size_t)(t->end - t->start);
	struct pos pos = { r->name, 1, (unsigned)t->start + 1 };
	enum scalar_type type;
	if (len == 4 && !memcmp(s, "true", 4))
		type = SCALAR_BOOL;
	else if (len == 5 && !memcmp(s, "false", 5))
		type = SCALAR_BOOL;
	else if (len == 4 && !memcmp(s, "null", 4))
		type = SCALAR_NULL;
	else {
		int64_t v;
		type = scalar_parse_int(s, len, &v) && memchr("-0123456789", s[0], 11) &&
				       !(len > 1 && s[0] == '0') && !(len > 2 && s[0] == '-' && s[1] == '0')
			       ? SCALAR_INT
			       : SCALAR_FLOAT;
		for (size_t k = 0; k < len; k++)
			if (!memchr("+-.0123456789eE", s[k], 15)) {
				jerror(r, (size_t)t->start, "invalid JSON value");
				return NULL;
			}
	}
	struct node *n = node_scalar(r->a, &pos, s, len, type, STYLE_PLAIN);
	n->off = (size_t)t->start;
	n->end = (size_t)t->end;
	return n;
}

static struct node *build(struct jreader *r, int *i, int depth)
{
	if (*i >= r->ntok) {
		jerror(r, r->len, "JSON value missing");
		return NULL;
	}
	const jsmntok_t *t = &r->tok[(*i)++];
	struct pos pos = { r->name, 1, (unsigned)t->start + 1 };
	if (depth > JSON_MAX_DEPTH) {
		jerror(r, (size_t)t->start, "JSON nested too deeply");
		return NULL;
	}
	switch (t->type) {
	case JSMN_PRIMITIVE:
		return build_primitive(r, t);
	case JSMN_STRING: {
		size_t len = 0;
		char *s = unescape(r, t, &len);
		if (!s)
			return NULL;
		struct node *n = node_scalar(r->a, &pos, "", 0, SCALAR_STR, STYLE_DOUBLE);
		n->u.sc.s = s;
		n->u.sc.len = len;
		n->off = tok_begin(t);
		n->end = tok_end(t);
		return n;
	}
	case JSMN_OBJECT: {
		struct node *m = node_map(r->a, &pos);
		m->off = (size_t)t->start;
		m->end = (size_t)t->end;
		size_t prev = m->off + 1;
		for (int k = 0; k < t->size; k++) {
			if (*i >= r->ntok || r->tok[*i].type != JSMN_STRING) {
				jerror(r, (size_t)t->start, "JSON object key is not a string");
				return NULL;
			}
			const jsmntok_t *kt = &r->tok[(*i)++];
			if (!gap_ok(r, prev, tok_begin(kt), k ? ',' : 0))
				return NULL;
			size_t klen = 0;
			char *key = unescape(r, kt, &klen);
			if (!key)
				return NULL;
			struct node *v = build(r, i, depth + 1);
			if (!v || !gap_ok(r, tok_end(kt), v->off, ':'))
				return NULL;
			prev = v->end;
			/* Duplicate keys: the last one wins, as with Go's decoder. */
			map_set(r->a, m, key, v);
		}
		return gap_ok(r, prev, m->end - 1, 0) ? m : NULL;
	}
	case JSMN_ARRAY: {
		struct node *s = node_seq(r->a, &pos);
		s->off = (size_t)t->start;
		s->end = (size_t)t->end;
		size_t prev = s->off + 1;
		for (int k = 0; k < t->size; k++) {
			struct node *v = build(r, i, depth + 1);
			if (!v || !gap_ok(r, prev, v->off, k ? ',' : 0))
				return NULL;
			prev = v->end;
			seq_push(r->a, s, v);
		}
		return gap_ok(r, prev, s->end - 1, 0) ? s : NULL;
	}
	default:
		jerror(r, (size_t)t->start, "unexpected JSON token");
		return NULL;
	}
}

struct node *json_parse(struct arena *a, const char *text, size_t len, const char *name,
			struct diags *d)
{
	struct jreader r = { a, text, len, name ? name : "json", NULL, 0, d, false };
	if (len > JSON_MAX_BYTES) {
		jerror(&r, 0, "JSON body too large");
		return NULL;
	}
	jsmn_parser p;
	jsmn_init(&p);
	int n = jsmn_parse(&p, text, len, NULL, 0);
	if (n < 0) {
		jerror(&r, p.pos, n == JSMN_ERROR_PART ? "truncated JSON" : "invalid JSON");
		return NULL;
	}
	if (n == 0) {
		jerror(&r, 0, "empty JSON body");
		return NULL;
	}
	r.tok = xmalloc((size_t)n * sizeof(jsmntok_t));
	jsmn_init(&p);
	r.ntok = jsmn_parse(&p, text, len, r.tok, (unsigned)n);
	struct node *root = NULL;
	if (r.ntok < 0) {
		jerror(&r, p.pos, "invalid JSON");
	} else {
		int i = 0;
		root = build(&r, &i, 0);
		if (root && i != r.ntok) {
			jerror(&r, (size_t)r.tok[i].start, "trailing data after JSON value");
			root = NULL;
		}
	}
	free(r.tok);
	return r.failed ? NULL : root;
}
