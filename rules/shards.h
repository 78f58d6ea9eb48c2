/*
 * shards.h -- sharded materialization: how many shards a FeatureStore asks for, and the
 * rules a store must keep to be materialized by several processes at once.
 *
 * A store is materialized in N shards when its annotation feast.dev/materialize-shards
 * says N, else when render/apply ran with --materialize-shards N (the annotation wins:
 * it is the store's own word, the flag the run's default).  shards_rules[] is the table
 * of what that asks of the store (a registry that takes concurrent writers, a CronJob
 * command to shard; the redundancy of a batch engine that distributes itself), each row
 * an id, a level, the field it points at and the message.  shards_check() runs the rows
 * on one store; check_documents() runs it for stores that carry the annotation, render
 * for stores that take the count from the flag.
 *
 * Memory: diagnostics and their text live in the arena of `d`; documents are only read.
 */
#ifndef FEAST_SHARDS_H
#define FEAST_SHARDS_H

#include <stdbool.h>
#include <stddef.h>

struct diags;
struct doclist;
struct document;
struct node;

#define SHARDS_ANNOTATION "feast.dev/materialize-shards"
#define SHARDS_MAX 64

enum shards_level { SHARDS_ERROR, SHARDS_WARNING };

struct shards_rule {
	const char *id;
	enum shards_level level;
	const char *path;      /* the field it is reported on (its nearest written parent) */
	const char *message;   /* %s: the registry path or batch engine type, where it names one */
};

extern const struct shards_rule shards_rules[];
extern const size_t shards_rules_count;

/* The annotation's count: 0 when the store has none, -1 when it is not 1..SHARDS_MAX. */
int shards_annotation(const struct node *root);
/* The count a store is rendered with: the annotation's, else `flag` (0: none); at least 1. */
int shards_effective(const struct node *root, int flag);
/* The rules for `doc` (a FeatureStore) materialized in `shards` shards (> 1), with the
 * run's other documents `docs` (may be NULL) for its batch engine's ConfigMap and
 * `dflt_ns` the -n namespace (may be NULL).  Returns the number of errors added. */
size_t shards_check(const struct document *doc, const struct doclist *docs, const char *dflt_ns, int shards,
		    struct diags *d);
/* check_documents()' part: the annotation's value and, where it asks for shards, the rules. */
size_t shards_check_documents(const struct doclist *docs, struct diags *d);
/* Does the shell text `cmd` run a feast materialize command (what a shard runs)? */
bool shards_is_materialize(const char *cmd);

#endif
