/*
 * crd_doc.h -- the embedded CRDs as documentation: `kubectl explain` text and a JSON Schema.
 *
 * crd_doc_find() parses the text of an embedded CRD (data/crds/, kept with its
 * descriptions, see data/module.mk) and picks the openAPIV3Schema of one version:
 * the one asked for, or the first served version that is not deprecated.  A resource
 * is named by kind, singular or plural, in any case (featurestore, FeatureStores).
 * crd_explain() writes what `kubectl explain RESOURCE.FIELD[.FIELD...]` writes for it
 * (arrays are stepped through, as kubectl does), with --recursive the field tree.
 * crd_json_schema() writes a draft-07 JSON Schema of the version for editors
 * (yaml-language-server): types, descriptions, required fields, enums, bounds,
 * patterns, defaults, int-or-string, nullable, and unknown fields refused where the
 * API server refuses them.
 *
 * Memory: everything lives in the caller's arena; output is appended to `out`.
 * Errors: -1 with a message in err (unknown resource, version or field).
 */
#ifndef FEAST_CRD_DOC_H
#define FEAST_CRD_DOC_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;
struct node;

struct crd_doc {
	const char *group, *kind, *plural, *version;
	const struct node *schema;   /* openAPIV3Schema */
};

int crd_doc_find(struct arena *a, const char *resource, const char *version, struct crd_doc *out, char *err,
		 size_t errlen);
/* `path` is the field path below the resource ("spec.services.scaling"), or "" for the kind. */
int crd_explain(struct buf *out, struct arena *a, const struct crd_doc *doc, const char *path, bool recursive,
		char *err, size_t errlen);
void crd_json_schema(struct buf *out, struct arena *a, const struct crd_doc *doc);

#endif
