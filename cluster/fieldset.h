/*
 * fieldset.h -- server-side apply field sets (metadata.managedFields,
 * FieldsV1) of one field manager, and the part of an object they cover.
 *
 * `diff` shows only what this tool manages: it takes kubectl-feast's field
 * set from the live object and from the dry-run result (fieldset_of), joins
 * them (fieldset_union) and cuts both objects down to it (fieldset_project).
 * FieldsV1 keys: "f:NAME" a map field, "k:{JSON}" a list item by its key
 * fields, "v:JSON" a set item by value, "i:N" a list item by index, "." the
 * item itself.  A set with no children covers the whole value.
 *
 * Ownership: results live in the arena; projections may share unchanged
 * subtrees with the object (read them, do not edit them).
 */
#ifndef FEAST_FIELDSET_H
#define FEAST_FIELDSET_H

struct arena;
struct node;

/* The union of every managedFields entry of `manager` on the main resource
 * (not subresources); NULL when it owns nothing. */
struct node *fieldset_of(struct arena *a, const struct node *obj, const char *manager);
struct node *fieldset_union(struct arena *a, const struct node *x, const struct node *y);
/* The fields of `obj` that `set` covers, in the object's order; NULL when none. */
struct node *fieldset_project(struct arena *a, const struct node *obj, const struct node *set);

#endif
