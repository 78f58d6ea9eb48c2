/* cmd_schema.c -- `kubectl feast schema`: a JSON Schema of FeatureStore for editors. */
#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "crd_doc.h"

#include <string.h>

enum { OPT_API_VERSION = 1 };

static const struct opt schema_opts[] = {
	{ "api-version", 0, OPT_VALUE, OPT_API_VERSION, "VERSION", NULL, NULL,
	  "The resource's version (v1, v1alpha1, or feast.dev/v1); the preferred one by default.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { schema_opts, help_opts, NULL };

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen, (void)o;
	*(const char **)ctx = strrchr(value, '/') ? strrchr(value, '/') + 1 : value;
	return 0;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	const char *version = NULL;
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &version, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n > 1)
		return usage_error(cmd, "unexpected argument \"%s\"", args.v[1]);

	struct arena a = ARENA_INIT;
	struct crd_doc doc;
	struct buf out = BUF_INIT;
	char err[256];
	rc = crd_doc_find(&a, args.n ? args.v[0] : "featurestore", version, &doc, err, sizeof(err));
	if (rc)
		fprintf(stderr, "error: %s\n", err);
	else {
		crd_json_schema(&out, &a, &doc);
		fputs(out.data, stdout);
	}
	buf_release(&out);
	arena_free(&a);
	return rc ? EXIT_INVALID : EXIT_OK;
}

const struct command cmd_schema = {
	"schema",
	"Print a JSON Schema of FeatureStore (or ScaledObject) for editors and CI.",
	"kubectl feast schema [RESOURCE] [--api-version VERSION] > featurestore.schema.json",
	"A draft-07 JSON Schema made from the CRD compiled into the plugin: every field with its\n"
	"type, description, enum, bounds, pattern and default; required fields; unknown fields\n"
	"refused where the API server refuses them; apiVersion and kind fixed to the version's.\n"
	"yaml-language-server (VS Code's YAML extension, Neovim, Helix) completes and checks\n"
	"specs with it; CEL rules and what the operator checks stay validate's work.\n"
	"RESOURCE is featurestore (the default) or scaledobject.",
	groups, run,
};
