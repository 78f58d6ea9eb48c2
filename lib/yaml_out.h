/*
 * yaml_out.h -- write document trees as YAML (libyaml's emitter).
 *
 * The output is made for Git: two-space indentation, sequences inside maps
 * not indented (kubectl's style), keys in tree order, no line folding, and a
 * `---` line before every document but the first.  Scalars are written so
 * that every YAML 1.1 or 1.2 reader reads back the same value and type:
 * strings that could pass for a bool, null, number or date are double-quoted,
 * multi-line strings become block literals, integers keep their digits and
 * booleans and nulls are normalised to true/false/null.
 *
 * The emitters append to a struct buf the caller owns; they return 0, or -1
 * if libyaml refused the tree (which would be a bug here).
 */
#ifndef FEAST_YAML_OUT_H
#define FEAST_YAML_OUT_H

#include <stddef.h>

struct buf;
struct node;

int yaml_emit(struct buf *out, const struct node *const *roots, size_t n);
int yaml_emit_one(struct buf *out, const struct node *root);

#endif
