/*
 * json.h -- JSON text to and from document trees.
 *
 * json_emit() writes a tree as JSON: indent 2 gives kubectl's `-o json`
 * layout, indent 0 a compact body for the API server.  Integers are written
 * from their digits (never through a double); YAML-only values that JSON
 * cannot carry (.inf, .nan) are written as strings.
 *
 * json_parse() reads untrusted JSON (API server bodies) with jsmn in strict
 * mode: it counts tokens first, bounds the body size and nesting depth, and
 * unescapes strings (\uXXXX with surrogate pairs) into the arena.  Errors go
 * to `d` with the byte offset as the column of line 1, named `name`.
 */
#ifndef FEAST_JSON_H
#define FEAST_JSON_H

#include <stddef.h>

#include "diag.h"

struct arena;
struct buf;
struct node;

void json_quote(struct buf *out, const char *s, size_t len); /* len (size_t)-1: strlen */
void json_emit(struct buf *out, const struct node *n, int indent);
/* The same text as `n` nested `level` containers deep in a tree json_emit() writes: a
 * list's items written one at a time read as the list written whole. */
void json_emit_at(struct buf *out, const struct node *n, int indent, int level);

#define JSON_MAX_BYTES (16u << 20)
#define JSON_MAX_DEPTH 128

struct node *json_parse(struct arena *a, const char *text, size_t len, const char *name,
			struct diags *d);

#endif
