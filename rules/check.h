/*
 * check.h -- decide whether a run's documents are acceptable, before any
 * rendering: every FeatureStore is checked against the CRD's own OpenAPI
 * schema, its CEL rules and the derived-name rules; problems are reported as
 * diagnostics in document order, all of them, not only the first.
 *
 * check_documents() only reads the documents.  Diagnostics and their text live
 * in the arena of `d`.  It returns the number of errors it added.
 */
#ifndef FEAST_CHECK_H
#define FEAST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct diags;
struct doclist;
struct node;

enum doc_kind {
	DOC_OTHER,              /* passed through by render */
	DOC_FEATURESTORE_V1,
	DOC_FEATURESTORE_V1ALPHA1,
	DOC_SCALEDOBJECT,       /* keda.sh/v1alpha1 ScaledObject */
};

enum doc_kind doc_classify(const struct node *root);

size_t check_documents(struct arena *a, const struct doclist *docs, struct diags *d);

#endif
