/* check.c -- run every check on every document of a run, in document order. */
#include "check.h"
#include "doc.h"
#include "yaml_in.h"

#include <string.h>

enum doc_kind doc_classify(const struct node *root)
{
	const char *api = node_text(map_get(root, "apiVersion"));
	const char *kind = node_text(map_get(root, "kind"));
	if (!api || !kind)
		return DOC_OTHER;
	if (!strcmp(kind, "FeatureStore")) {
		if (!strcmp(api, "feast.dev/v1"))
			return DOC_FEATURESTORE_V1;
		if (!strcmp(api, "feast.dev/v1alpha1"))
			return DOC_FEATURESTORE_V1ALPHA1;
	}
	if (!strcmp(kind, "ScaledObject") && !strcmp(api, "keda.sh/v1alpha1"))
		return DOC_SCALEDOBJECT;
	return DOC_OTHER;
}

static size_t check_metadata(const struct document *doc, struct diags *d)
{
	const struct node *meta = map_get(doc->root, "metadata");
	const char *name = NULL;
	if (!node_get_str(map_get(meta, "name"), &name) || !*name) {
		diag_error(d, meta ? &meta->pos : &doc->root->pos, "metadata.name", "Required value");
		return 1;
	}
	return 0;
}

size_t check_documents(struct arena *a, const struct doclist *docs, struct diags *d)
{
	(void)a;
	size_t errors = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const struct document *doc = &docs->v[i];
		switch (doc_classify(doc->root)) {
		case DOC_FEATURESTORE_V1ALPHA1:
			diag_warn(d, &doc->root->pos, "apiVersion",
				  "feast.dev/v1alpha1 is deprecated and will be removed in a future release. "
				  "Please migrate to v1.");
			/* fall through */
		case DOC_FEATURESTORE_V1:
			errors += check_metadata(doc, d);
			break;
		default:
			break;
		}
	}
	return errors;
}
