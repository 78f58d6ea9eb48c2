/* fuzz_validate.c -- the fuzz entry point: bytes -> YAML documents -> every check -> render -> output. */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "render.h"
#include "yaml_in.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a spec the checks accept goes through next: render, in the option sets that take
 * different paths (the standalone objects with the sidecar as the command defaults it, every
 * pod with the sidecar and a readiness gate, no sidecar, the operator target), to YAML and
 * JSON. Each run has its own arena, as each `kubectl feast render` has. */
static const struct render_opts render_runs[] = {
	{ .namespace = "fuzz" },
	{ .sidecar = RENDER_SIDECAR_ALWAYS, .readiness = RENDER_READINESS_GATE, .keda_adopt_hpa = true,
	  .kube_minor = 32, .prestop_seconds = -1 },
	{ .sidecar = RENDER_SIDECAR_NONE, .image = "example.com/feast:1" },
	{ .namespace = "fuzz", .target = RENDER_TARGET_OPERATOR },
};

static void render_accepted(const struct doclist *docs)
{
	for (size_t r = 0; r < sizeof(render_runs) / sizeof(render_runs[0]); r++) {
		struct arena a = ARENA_INIT;
		struct diags d;
		diags_init(&d, &a);
		struct objlist objs = { 0 };
		if (render_documents(&a, docs, &render_runs[r], &objs, &d) == 0) {
			struct buf out = BUF_INIT;
			render_write(&out, &objs, r % 2 ? RENDER_JSON : RENDER_YAML);
			buf_release(&out);
		}
		arena_free(&a);
	}
}

/* Everything `kubectl feast validate` and `render` do with untrusted input, plus the
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
	if (!d.errors)
		render_accepted(&docs);
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
