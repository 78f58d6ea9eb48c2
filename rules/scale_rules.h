/*
 * scale_rules.h -- what both modes of `kubectl feast scale` refuse, with the same words.
 *
 * `scale -f FILE` (editing Git) and `scale NAME` (the live cluster) ask the one question
 * here before they change a count: a count below 1, an HPA or KEDA ScaledObject that owns
 * the count, and the operator's scaling rules (file-based persistence cannot run more than
 * one replica) are refused at the store's own fields, with rule ids scale-* and, for the
 * operator's rules, scaling-*.
 *
 * The check only reads the FeatureStore; its diagnostics live in the arena of `d`.
 */
#ifndef FEAST_SCALE_RULES_H
#define FEAST_SCALE_RULES_H

#include <stddef.h>
#include <stdint.h>

struct diags;
struct node;

/* Would setting FeatureStore `fs_root` (a document root) to `replicas` be acceptable?
 * `scaled_by` describes a KEDA ScaledObject that targets the store
 * (`ScaledObject "feast-x" (so.yaml:12)`), or is NULL.  Returns the number of errors added. */
size_t scale_check_rules(const struct node *fs_root, int64_t replicas, const char *scaled_by, struct diags *d);

#endif
