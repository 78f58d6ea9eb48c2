/*
 * check.h -- decide whether a run's documents are acceptable, before any
 * rendering.  This is the API other commands use; the pieces behind it are
 * schema.h (the CRD's OpenAPI schema), cel.h (its CEL rules),
 * reconcile_rules.h (what the operator only finds out when it reconciles) and
 * keda.h (ScaledObjects and the FeatureStores they scale).
 *
 * check_documents() first checks that each document is an object of a
 * kind, and unique in the run (docshape.h), then every document whose apiVersion/kind names an
 * embedded CRD (data/crds/): schema, CEL rules, and for FeatureStores the
 * reconcile-time rules and derived object names.  Other documents are left
 * alone (render passes them through).  A deprecated version (FeatureStore
 * v1alpha1) adds a warning naming the file.  Each document's diagnostics are
 * sorted by source position, so they read in document order; all of them
 * are reported, not only the first.  Then the rules that span documents: each
 * KEDA ScaledObject with the FeatureStore it scales (keda.h), in ScaledObject
 * order.  It returns the number of errors added.  A ScaledObject may leave
 * spec.scaleTargetRef out (render completes it).
 *
 * rules_check_scaling() runs only the operator's four scaling rules on a
 * FeatureStore, with the replica count and/or "an autoscaler drives it"
 * overridden: what `scale`, `scale -f` and a KEDA ScaledObject need to ask
 * ("would the operator accept this store at N replicas?").  Its errors carry
 * the CRD's messages and the rule ids scaling-*, at the spec's position.
 *
 * Only reads the documents.  Diagnostics and their text live in the arena of
 * `d`.
 */
#ifndef FEAST_CHECK_H
#define FEAST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct diags;
struct doclist;
struct document;
struct node;

enum doc_kind {
	DOC_OTHER,              /* passed through by render */
	DOC_FEATURESTORE_V1,
	DOC_FEATURESTORE_V1ALPHA1,
	DOC_SCALEDOBJECT,       /* keda.sh/v1alpha1 ScaledObject */
};

enum doc_kind doc_classify(const struct node *root);
/* A feast.dev FeatureStore of a version we know (v1 or v1alpha1): the documents render
 * builds a store from and the operator's rules apply to. */
bool doc_is_featurestore(const struct node *root);

size_t check_documents(struct arena *a, const struct doclist *docs, struct diags *d);
size_t check_document(const struct document *doc, struct diags *d);

/* What to assume instead of the spec as written when judging scaling. */
struct scaling_override {
	bool set_replicas;    /* use `replicas` instead of spec.replicas */
	int64_t replicas;
	bool set_autoscaler;  /* use `autoscaler` instead of "services.scaling.autoscaling is set" */
	bool autoscaler;      /* e.g. a KEDA ScaledObject targets the store */
};

/* `fs_root` is a FeatureStore document root; `o` may be NULL (the spec as
 * written).  Returns the number of errors added (0: the operator would
 * accept the store scaled that way). */
size_t rules_check_scaling(const struct node *fs_root, const struct scaling_override *o, struct diags *d);

#endif
