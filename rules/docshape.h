/*
 * docshape.h -- what every document of a run must be before its content is
 * checked: a Kubernetes object, one of a kind, meaning the same to kubectl.
 *
 * docshape_check() judges one document: a scalar or sequence document, or a
 * mapping without apiVersion or kind (a kustomization.yaml), is an error
 * (kubectl refuses to apply it); a FeatureStore using a non-core YAML tag
 * (!!binary, !foo) is an error, because kubectl would read another value
 * than the one written; a near miss of a FeatureStore (kind FeatureStore in
 * another case, or an API group containing "feast" that is not one of the
 * embedded CRDs) is a warning with rule id DOCSHAPE_NEAR_MISS, which
 * `--strict` turns into an error (diags_promote()).
 *
 * docshape_check_unique() reports every document whose group, kind,
 * namespace (as written) and name another document of the run already has,
 * naming both places.  Only reads the documents; diagnostics go to `d`.
 * Both return the number of errors added.  docshape_namespace_error() is
 * NULL for a valid -n value, else why not (a DNS-1123 label, as the API
 * server requires of namespace names).
 */
#ifndef FEAST_DOCSHAPE_H
#define FEAST_DOCSHAPE_H

#include <stddef.h>

struct diags;
struct doclist;
struct document;
struct node;

#define DOCSHAPE_NEAR_MISS "near-miss-kind"

size_t docshape_check(const struct document *doc, struct diags *d);
size_t docshape_check_unique(const struct doclist *docs, struct diags *d);

/* No FeatureStore among the documents: an error (validate's; kubectl apply's is
 * "no objects passed to apply"); returns the number of errors added. */
size_t docshape_require_store(const struct doclist *docs, struct diags *d);

/* "!!binary" for tag:yaml.org,2002:binary, other tags as written; into the arena of d. */
const char *docshape_tag_name(struct diags *d, const char *tag);

const char *docshape_namespace_error(const char *ns);

#endif
