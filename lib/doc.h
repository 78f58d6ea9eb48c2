/*
 * doc.h -- the one document tree: YAML input, templates, JSON bodies, output.
 *
 * A node is a map, a sequence or a scalar.  Every node carries the position it
 * came from (file, line, column, byte offsets) so that any later stage can
 * report a problem where the user wrote it.  Absent and empty stay distinct:
 * map_get() returns NULL for an absent key, while `key: []`, `key: {}` and
 * `key: null` are an empty sequence, an empty map and a null scalar.
 *
 * Ownership: nodes, keys and scalar text live in the arena passed to the
 * constructors; nothing here frees.  Trees may share subtrees (YAML aliases,
 * template fragments) and are then treated as read-only; mutate only nodes
 * you built or node_clone()d.  Map keys keep insertion order, which is the
 * order the emitters write.
 */
#ifndef FEAST_DOC_H
#define FEAST_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct arena;

enum node_kind { NODE_SCALAR, NODE_MAP, NODE_SEQ };

/* What a scalar means, resolved once when it is built or parsed. */
enum scalar_type { SCALAR_STR, SCALAR_INT, SCALAR_FLOAT, SCALAR_BOOL, SCALAR_NULL };

/* How a scalar was written; the emitters decide how to write it back. */
enum scalar_style { STYLE_ANY, STYLE_PLAIN, STYLE_SINGLE, STYLE_DOUBLE, STYLE_LITERAL, STYLE_FOLDED };

struct node;

struct pair {
	const char *key;
	struct pos kpos;
	size_t koff;        /* byte offset of the key in its source (0 when built) */
	struct node *val;
};

struct node {
	enum node_kind kind;
	struct pos pos;
	size_t off, end;    /* byte offsets of the node's text in its source */
	const char *tag;    /* an explicit non-core tag such as !!binary, or NULL */
	union {
		struct {
			const char *s; /* NUL-terminated; len excludes the NUL */
			size_t len;
			enum scalar_type type;
			enum scalar_style style;
		} sc;
		struct {
			struct pair *v;
			size_t n, cap;
		} map;
		struct {
			struct node **v;
			size_t n, cap;
		} seq;
	} u;
};

/* Constructors.  `pos` may be NULL (built nodes have no source). */
struct node *node_map(struct arena *a, const struct pos *pos);
struct node *node_seq(struct arena *a, const struct pos *pos);
struct node *node_scalar(struct arena *a, const struct pos *pos, const char *s, size_t len,
			 enum scalar_type type, enum scalar_style style);
struct node *node_str(struct arena *a, const char *s);         /* copies s */
struct node *node_strf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct node *node_int(struct arena *a, int64_t v);
struct node *node_bool(struct arena *a, bool v);
struct node *node_null(struct arena *a);

/* Maps.  map_get and friends accept NULL or a non-map and then find nothing. */
struct node *map_get(const struct node *map, const char *key);
struct pair *map_find(const struct node *map, const char *key);
bool map_has(const struct node *map, const char *key);
/* Append without looking for an existing key: for building fresh maps. */
void map_put(struct arena *a, struct node *map, const char *key, struct node *val);
/* Replace the value of `key` in place, or append it. */
void map_set(struct arena *a, struct node *map, const char *key, struct node *val);
/* Insert at position `at` (clamped to the end). */
void map_insert(struct arena *a, struct node *map, size_t at, const char *key, struct node *val);
bool map_del(struct node *map, const char *key);
/* Get the map or sequence under `key`, creating an empty one when absent. */
struct node *map_child_map(struct arena *a, struct node *map, const char *key);
struct node *map_child_seq(struct arena *a, struct node *map, const char *key);

/* Sequences. */
void seq_push(struct arena *a, struct node *seq, struct node *item);

/* Iteration without a kind check at each loop: the lengths are 0 for NULL and for a
 * node of another kind.
 *
 *     node_seq_each(containers, c) { ... c ... }     struct node *c, each item in order
 *     node_map_each(labels, p) { ... p->key, p->val ... }   struct pair *p, each entry
 *
 * break and continue work as in a for loop (the inner loop runs once per item and
 * carries the break out).  The node expression is evaluated at each step: pass a
 * variable, not a call. */
static inline size_t node_seq_len(const struct node *n)
{
	return n && n->kind == NODE_SEQ ? n->u.seq.n : 0;
}

static inline size_t node_map_len(const struct node *n)
{
	return n && n->kind == NODE_MAP ? n->u.map.n : 0;
}

#define node_seq_each(list, it)                                                                        \
	for (size_t it##_i_ = 0, it##_go_ = 1; it##_go_ && it##_i_ < node_seq_len(list);               \
	     it##_go_ = !it##_go_, it##_i_++)                                                            \
		for (struct node *it = (list)->u.seq.v[it##_i_]; it##_go_; it##_go_ = !it##_go_)
#define node_map_each(obj, it)                                                                         \
	for (size_t it##_i_ = 0, it##_go_ = 1; it##_go_ && it##_i_ < node_map_len(obj);                \
	     it##_go_ = !it##_go_, it##_i_++)                                                            \
		for (struct pair *it = &(obj)->u.map.v[it##_i_]; it##_go_; it##_go_ = !it##_go_)
struct node *seq_find_by(const struct node *seq, const char *key, const char *value);

/* Dotted lookup from a node: node_at(doc, "spec.services.onlineStore").
 * Only map keys; a key containing '.' cannot be reached this way. */
struct node *node_at(const struct node *root, const char *path);

/* The walk every dotted lookup shares: copy the next segment of *PATH into KEY and move
 * *PATH past it and its dot. False at the end of the path, or, leaving *PATH where it
 * was, when the segment does not fit in CAP bytes. */
bool path_next(const char **path, char *key, size_t cap);

/* Scalar readers.  They return false (and leave *out alone) when the node is
 * absent or of another type, so callers can keep a default. */
const char *node_text(const struct node *n);          /* any scalar's text, else NULL */
bool node_get_str(const struct node *n, const char **out); /* string scalars only */
bool node_get_int(const struct node *n, int64_t *out);
bool node_get_bool(const struct node *n, bool *out);
bool node_is_null(const struct node *n);
bool node_is_true(const struct node *n);
bool node_is_empty(const struct node *n);  /* absent, null, {}, [] or "" */
const char *node_str_or(const struct node *n, const char *dflt);
/* "string", "integer", "number", "boolean", "null", "object", "array". */
const char *node_type_name(const struct node *n);

struct node *node_clone(struct arena *a, const struct node *n);
bool node_equal(const struct node *a, const struct node *b);

/*
 * Scalar resolution.  scalar_resolve() types a plain (unquoted) scalar the
 * way kubectl's YAML reader does (YAML 1.1 booleans such as `yes` and `on`,
 * 1.1 integers and floats).  scalar_is_ambiguous() is the emitter's question:
 * would a YAML 1.1 or 1.2 reader (PyYAML, go-yaml, libyaml-based tools) take
 * this text, written plain, for anything but a string?  If so it is quoted.
 */
enum scalar_type scalar_resolve(const char *s, size_t len);
bool scalar_is_ambiguous(const char *s, size_t len);
/* Parse an integer as kubectl's YAML reader does (decimal, 0x, 0o, 0b, 1.1
 * octal with a leading 0, underscores); false on overflow or junk. */
bool scalar_parse_int(const char *s, size_t len, int64_t *out);

#endif
