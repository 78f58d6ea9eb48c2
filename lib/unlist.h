/*
 * unlist.h -- unwrap Kubernetes List documents into their items, as kubectl does.
 *
 * `kubectl get featurestores -o yaml` writes one `v1` `List` whose `items`
 * are the objects; kubectl's resource builder, given such a document, works
 * on each item.  doclist_unwrap() replaces, in place and in order, every
 * document that is a `v1` `List` or any `*List` kind holding an `items`
 * sequence by one document per item (Lists inside Lists too), so that every
 * later stage checks and renders the items.  An item that is not a mapping
 * is an error at the item's position; `items` absent or null gives no
 * document.
 *
 * The new documents share the file, stream text and nodes of the List; their
 * byte span is the item's.  The list array is reallocated in the arena `a`.
 * Returns the number of errors added to `d`.
 */
#ifndef FEAST_UNLIST_H
#define FEAST_UNLIST_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct diags;
struct doclist;
struct node;

/* Is `root` a List kubectl would unwrap? */
bool doc_is_list(const struct node *root);

size_t doclist_unwrap(struct arena *a, struct doclist *docs, struct diags *d);

#endif
