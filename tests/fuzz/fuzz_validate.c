/* fuzz_validate.c -- the fuzz entry point: bytes -> YAML documents -> every check -> output. */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "yaml_in.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything `kubectl feast validate` does with untrusted input, plus the
 * scaling API other commands call, and both output formats. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct doclist docs = { 0 };
	const char *text = arena_strndup(&a, (const char *)data, size);
	yaml_parse(&a, "fuzz.yaml", text, size, NULL, &docs, &d);
	check_documents(&a, &docs, &d);
	struct scaling_override o = { true, 3, true, true };
	for (size_t i = 0; i < docs.n; i++)
		if (doc_classify(docs.v[i].root) == DOC_FEATURESTORE_V1)
			rules_check_scaling(docs.v[i].root, &o, &d);
	struct buf out = BUF_INIT;
	diags_json(&out, &d);
	for (size_t i = 0; i < d.n; i++)
		diag_format(&out, &d.v[i]);
	buf_release(&out);
	arena_free(&a);
	return 0;
}
