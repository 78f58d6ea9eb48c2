/* doc.c -- the document tree: constructors, lookups, copies and scalar typing. */
#include "doc.h"
#include "arena.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct node *node_new(struct arena *a, enum node_kind kind, const struct pos *pos)
{
	struct node *n = arena_alloc(a, sizeof(*n));
	n->kind = kind;
	if (pos)
		n->pos = *pos;
	return n;
}

struct node *node_map(struct arena *a, const struct pos *pos)
{
	return node_new(a, NODE_MAP, pos);
}

struct node *node_seq(struct arena *a, const struct pos *pos)
{
	return node_new(a, NODE_SEQ, pos);
}

struct node *node_scalar(struct arena *a, const struct pos *pos, const char *s, size_t len,
			 enum scalar_type type, enum scalar_style style)
{
	struct node *n = node_new(a, NODE_SCALAR, pos);
	n->u.sc.s = arena_strndup(a, s, len);
	n->u.sc.len = len;
	n->u.sc.type = type;
	n->u.sc.style = style;
	return n;
}

struct node *node_str(struct arena *a, const char *s)
{
	return node_scalar(a, NULL, s, strlen(s), SCALAR_STR, STYLE_ANY);
}

struct node *node_strf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(a, fmt, ap);
	va_end(ap);
	struct node *n = node_new(a, NODE_SCALAR, NULL);
	n->u.sc.s = s;
	n->u.sc.len = strlen(s);
	n->u.sc.type = SCALAR_STR;
	return n;
}

struct node *node_int(struct arena *a, int64_t v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	return node_scalar(a, NULL, tmp, (size_t)len, SCALAR_INT, STYLE_ANY);
}

struct node *node_bool(struct arena *a, bool v)
{
	return node_scalar(a, NULL, v ? "true" : "false", v ? 4 : 5, SCALAR_BOOL, STYLE_ANY);
}

struct node *node_null(struct arena *a)
{
	return node_scalar(a, NULL, "null", 4, SCALAR_NULL, STYLE_ANY);
}

/* ---- maps ---- */

struct pair *map_find(const struct node *map, const char *key)
{
	node_map_each(map, p)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

struct node *map_get(const struct node *map, const char *key)
{
	struct pair *p = map_find(map, key);
	return p ? p->val : NULL;
}

bool map_has(const struct node *map, const char *key)
{
	return map_find(map, key) != NULL;
}

static void map_reserve(struct arena *a, struct node *map)
{
	if (map->u.map.n < map->u.map.cap)
		return;
	size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
	map->u.map.v = arena_grow(a, map->u.map.v, map->u.map.n * sizeof(struct pair),
				  cap * sizeof(struct pair));
	map->u.map.cap = cap;
}

void map_insert(struct arena *a, struct node *map, size_t at, const char *key, struct node *val)
{
	map_reserve(a, map);
	if (at > map->u.map.n)
		at = map->u.map.n;
	struct pair *v = map->u.map.v;
	memmove(&v[at + 1], &v[at], (map->u.map.n - at) * sizeof(*v));
	memset(&v[at], 0, sizeof(*v));
	v[at].key = key;
	v[at].val = val;
	map->u.map.n++;
}

void map_put(struct arena *a, struct node *map, const char *key, struct node *val)
{
	map_insert(a, map, map->u.map.n, key, val);
}

void map_set(struct arena *a, struct node *map, const char *key, struct node *val)
{
	struct pair *p = map_find(map, key);
	if (p)
		p->val = val;
	else
		map_put(a, map, key, val);
}

bool map_del(struct node *map, const char *key)
{
	struct pair *p = map_find(map, key);
	if (!p)
		return false;
	size_t i = (size_t)(p - map->u.map.v);
	memmove(p, p + 1, (map->u.map.n - i - 1) * sizeof(*p));
	map->u.map.n--;
	return true;
}

static struct node *child_of_kind(struct arena *a, struct node *map, const char *key, enum node_kind kind)
{
	struct node *c = map_get(map, key);
	if (c && c->kind == kind)
		return c;
	c = kind == NODE_MAP ? node_map(a, NULL) : node_seq(a, NULL);
	map_set(a, map, key, c);
	return c;
}

struct node *map_child_map(struct arena *a, struct node *map, const char *key)
{
	return child_of_kind(a, map, key, NODE_MAP);
}

struct node *map_child_seq(struct arena *a, struct node *map, const char *key)
{
	return child_of_kind(a, map, key, NODE_SEQ);
}

/* ---- sequences ---- */

void seq_push(struct arena *a, struct node *seq, struct node *item)
{
	if (seq->u.seq.n == seq->u.seq.cap) {
		size_t cap = seq->u.seq.cap ? seq->u.seq.cap * 2 : 4;
		seq->u.seq.v = arena_grow(a, seq->u.seq.v, seq->u.seq.n * sizeof(struct node *),
					  cap * sizeof(struct node *));
		seq->u.seq.cap = cap;
	}
	seq->u.seq.v[seq->u.seq.n++] = item;
}

struct node *seq_find_by(const struct node *seq, const char *key, const char *value)
{
	node_seq_each(seq, it) {
		const char *s = node_text(map_get(it, key));
		if (s && strcmp(s, value) == 0)
			return it;
	}
	return NULL;
}

bool path_next(const char **path, char *key, size_t cap)
{
	const char *p = *path;
	const char *dot = strchr(p, '.');
	size_t len = dot ? (size_t)(dot - p) : strlen(p);
	if (!*p || len >= cap)
		return false;
	memcpy(key, p, len);
	key[len] = '\0';
	*path = p + len + (dot ? 1 : 0);
	return true;
}

struct node *node_at(const struct node *root, const char *path)
{
	const struct node *n = root;
	char key[256];
	while (n && path_next(&path, key, sizeof(key)))
		n = map_get(n, key);
	return *path ? NULL : (struct node *)n;
}

/* ---- scalar readers ---- */

const char *node_text(const struct node *n)
{
	return n && n->kind == NODE_SCALAR ? n->u.sc.s : NULL;
}

bool node_get_str(const struct node *n, const char **out)
{
	if (!n || n->kind != NODE_SCALAR || n->u.sc.type != SCALAR_STR)
		return false;
	*out = n->u.sc.s;
	return true;
}

const char *node_str_or(const struct node *n, const char *dflt)
{
	const char *s = dflt;
	node_get_str(n, &s);
	return s;
}

bool node_get_int(const struct node *n, int64_t *out)
{
	if (!n || n->kind != NODE_SCALAR || n->u.sc.type != SCALAR_INT)
		return false;
	return scalar_parse_int(n->u.sc.s, n->u.sc.len, out);
}

bool node_get_bool(const struct node *n, bool *out)
{
	if (!n || n->kind != NODE_SCALAR || n->u.sc.type != SCALAR_BOOL)
		return false;
	char c = n->u.sc.s[0];
	*out = c == 't' || c == 'T' || c == 'y' || c == 'Y' || (c == 'o' && (n->u.sc.s[1] == 'n')) ||
	       (c == 'O' && (n->u.sc.s[1] == 'n' || n->u.sc.s[1] == 'N'));
	return true;
}

bool node_is_null(const struct node *n)
{
	return n && n->kind == NODE_SCALAR && n->u.sc.type == SCALAR_NULL;
}

bool node_is_true(const struct node *n)
{
	bool b = false;
	return node_get_bool(n, &b) && b;
}

bool node_is_empty(const struct node *n)
{
	if (!n)
		return true;
	switch (n->kind) {
	case NODE_MAP:
		return n->u.map.n == 0;
	case NODE_SEQ:
		return n->u.seq.n == 0;
	case NODE_SCALAR:
		return n->u.sc.type == SCALAR_NULL || (n->u.sc.type == SCALAR_STR && n->u.sc.len == 0);
	}
	return true;
}

const char *node_type_name(const struct node *n)
{
	if (!n)
		return "null";
	switch (n->kind) {
	case NODE_MAP:
		return "object";
	case NODE_SEQ:
		return "array";
	case NODE_SCALAR:
		switch (n->u.sc.type) {
		case SCALAR_STR:
			return "string";
		case SCALAR_INT:
			return "integer";
		case SCALAR_FLOAT:
			return "number";
		case SCALAR_BOOL:
			return "boolean";
		case SCALAR_NULL:
			return "null";
		}
	}
	return "unknown";
}

/* Copies get arrays of exactly their size: render clones a template per object, and
 * doubling from a default capacity would waste most of each copy. */
struct node *node_clone(struct arena *a, const struct node *n)
{
	if (!n)
		return NULL;
	struct node *c = arena_alloc(a, sizeof(*c));
	*c = *n;
	switch (n->kind) {
	case NODE_SCALAR:
		break; /* scalar text is immutable and may be shared */
	case NODE_MAP:
		c->u.map.cap = n->u.map.n;
		c->u.map.v = n->u.map.n ? arena_alloc(a, n->u.map.n * sizeof(struct pair)) : NULL;
		for (size_t i = 0; i < n->u.map.n; i++) {
			c->u.map.v[i] = n->u.map.v[i];
			c->u.map.v[i].val = node_clone(a, n->u.map.v[i].val);
		}
		break;
	case NODE_SEQ:
		c->u.seq.cap = n->u.seq.n;
		c->u.seq.v = n->u.seq.n ? arena_alloc(a, n->u.seq.n * sizeof(struct node *)) : NULL;
		for (size_t i = 0; i < n->u.seq.n; i++)
			c->u.seq.v[i] = node_clone(a, n->u.seq.v[i]);
		break;
	}
	return c;
}

static bool scalar_equal(const struct node *a, const struct node *b)
{
	if (a->u.sc.type != b->u.sc.type)
		return false;
	if (a->u.sc.type == SCALAR_INT) {
		int64_t x, y;
		if (scalar_parse_int(a->u.sc.s, a->u.sc.len, &x) &&
		    scalar_parse_int(b->u.sc.s, b->u.sc.len, &y))
			return x == y;
	}
	if (a->u.sc.type == SCALAR_BOOL) {
		bool x = false, y = false;
		node_get_bool(a, &x);
		node_get_bool(b, &y);
		return x == y;
	}
	if (a->u.sc.type == SCALAR_NULL)
		return true;
	return a->u.sc.len == b->u.sc.len && memcmp(a->u.sc.s, b->u.sc.s, a->u.sc.len) == 0;
}

bool node_equal(const struct node *a, const struct node *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case NODE_SCALAR:
		return scalar_equal(a, b);
	case NODE_MAP:
		if (a->u.map.n != b->u.map.n)
			return false;
		for (size_t i = 0; i < a->u.map.n; i++) {
			struct node *other = map_get(b, a->u.map.v[i].key);
			if (!other || !node_equal(a->u.map.v[i].val, other))
				return false;
		}
		return true;
	case NODE_SEQ:
		if (a->u.seq.n != b->u.seq.n)
			return false;
		for (size_t i = 0; i < a->u.seq.n; i++)
			if (!node_equal(a->u.seq.v[i], b->u.seq.v[i]))
				return false;
		return true;
	}
	return false;
}

/* ---- scalar resolution ---- */

static bool in_list(const char *s, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && memcmp(*list, s, len) == 0)
			return true;
	return false;
}

/* go-yaml v2 (kubectl's reader) resolves these plain words; y/n included. */
static const char *const null_words[] = { "~", "null", "Null", "NULL", NULL };
static const char *const bool_words[] = {
	"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
	"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL
};
static const char *const float_words[] = {
	".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
	"-.inf", "-.Inf", "-.INF", NULL
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Copy s without '_' into tmp (go-yaml strips underscores before parsing). */
static size_t strip_underscores(const char *s, size_t len, char *tmp, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < cap; i++)
		if (s[i] != '_')
			tmp[n++] = s[i];
	tmp[n] = '\0';
	return n;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

bool scalar_parse_int(const char *s, size_t len, int64_t *out)
{
	char tmp[80];
	if (len == 0 || len >= sizeof(tmp))
		return false;
	size_t n = strip_underscores(s, len, tmp, sizeof(tmp));
	const char *p = tmp, *end = tmp + n;
	bool neg = false;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p == end)
		return false;
	int base = 10;
	if (p[0] == '0' && end - p > 1) {
		if (p[1] == 'x' || p[1] == 'X')
			base = 16, p += 2;
		else if (p[1] == 'o' || p[1] == 'O')
			base = 8, p += 2;
		else if (p[1] == 'b' || p[1] == 'B')
			base = 2, p += 2;
		else
			base = 8, p += 1;
		if (p == end)
			return false;
	}
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		int d = digit_value(*p);
		if (d >= base)
			return false;
		if (v > (limit - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool looks_float(const char *s, size_t len)
{
	size_t i = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	size_t digits = 0;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && is_digit(s[i]))
			i++, digits++;
		if (!digits)
			return false;
	} else {
		while (i < len && is_digit(s[i]))
			i++, digits++;
		if (!digits)
			return false;
		if (i < len && s[i] == '.')
			for (i++; i < len && is_digit(s[i]); i++)
				;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t exp = 0;
		while (i < len && is_digit(s[i]))
			i++, exp++;
		if (!exp)
			return false;
	}
	return i == len;
}

enum scalar_type scalar_resolve(const char *s, size_t len)
{
	if (len == 0 || in_list(s, len, null_words))
		return SCALAR_NULL;
	if (in_list(s, len, bool_words))
		return SCALAR_BOOL;
	if (in_list(s, len, float_words))
		return SCALAR_FLOAT;
	if (!(is_digit(s[0]) || s[0] == '+' || s[0] == '-' || s[0] == '.'))
		return SCALAR_STR;
	int64_t v;
	if (scalar_parse_int(s, len, &v))
		return SCALAR_INT;
	char tmp[80];
	if (len < sizeof(tmp)) {
		size_t n = strip_underscores(s, len, tmp, sizeof(tmp));
		if (looks_float(tmp, n))
			return SCALAR_FLOAT;
	}
	return SCALAR_STR;
}

/* Characters that make up YAML 1.1/1.2 numbers, sexagesimals and timestamps. */
static bool numberish_char(char c)
{
	return is_digit(c) || strchr("+-._:xXoObBeEaAcCdDfFtTzZ ", c) != NULL;
}

bool scalar_is_ambiguous(const char *s, size_t len)
{
	if (len == 0)
		return true;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
		return true;
	if (scalar_resolve(s, len) != SCALAR_STR)
		return true;
	if (len == 2 && memcmp(s, "<<", 2) == 0)
		return true; /* YAML 1.1 merge key */
	if (len == 1 && s[0] == '=')
		return true; /* YAML 1.1 value key */
	/* Anything that starts like a number and is made only of number, base
	 * prefix, sexagesimal or timestamp characters may be read as a number or
	 * a date by some reader (0o17, 1:20, 2001-12-14, 1_000, 0x1F): quote it. */
	size_t i = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (i < len && s[i] == '.')
		i++;
	if (i >= len || !is_digit(s[i]))
		return false;
	for (i = 0; i < len; i++)
		if (!numberish_char(s[i]))
			return false;
	return true;
}
