/* cmd_explain.c -- `kubectl feast explain`: field documentation from the embedded CRDs, offline. */
#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "crd_doc.h"

#include <string.h>

enum { OPT_RECURSIVE = 1, OPT_API_VERSION };

static const struct opt explain_opts[] = {
	{ "recursive", 0, OPT_BOOL, OPT_RECURSIVE, NULL, NULL, "false",
	  "Print the fields of fields, as a tree (names and types only).", 0 },
	{ "api-version", 0, OPT_VALUE, OPT_API_VERSION, "VERSION", NULL, NULL,
	  "The resource's version (v1, v1alpha1, or feast.dev/v1); the preferred one by default.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { explain_opts, help_opts, NULL };

struct explain_args {
	bool recursive;
	const char *version;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct explain_args *x = ctx;
	if (o->id == OPT_RECURSIVE)
		x->recursive = !value || !strcmp(value, "true");
	else if (o->id == OPT_API_VERSION)
		x->version = strrchr(value, '/') ? strrchr(value, '/') + 1 : value;
	return 0;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct explain_args x = { 0 };
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &x, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n != 1)
		return usage_error(cmd, args.n ? "unexpected argument \"%s\"" : "%s",
				   args.n ? args.v[1] : "you must specify the type of resource to explain");

	struct arena a = ARENA_INIT;
	struct crd_doc doc;
	struct buf out = BUF_INIT;
	char err[256];
	const char *arg = args.v[0];
	size_t n = strcspn(arg, ".");
	char *resource = arena_strndup(&a, arg, n);
	rc = crd_doc_find(&a, resource, x.version, &doc, err, sizeof(err));
	if (!rc)
		rc = crd_explain(&out, &a, &doc, arg[n] ? arg + n + 1 : "", x.recursive, err, sizeof(err));
	if (rc)
		fprintf(stderr, "error: %s\n", err);
	else
		fputs(out.data, stdout);
	buf_release(&out);
	arena_free(&a);
	return rc ? EXIT_INVALID : EXIT_OK;
}

const struct command cmd_explain = {
	"explain",
	"Describe the fields of FeatureStore (or ScaledObject) from the CRD, offline.",
	"kubectl feast explain RESOURCE[.FIELD...] [--recursive] [--api-version VERSION]",
	"As `kubectl explain` does for a cluster's CRDs, from the CRDs compiled into the plugin:\n"
	"the field's type and description, then its fields with theirs (with --recursive, the\n"
	"whole tree below it, names and types).  RESOURCE is featurestore (or FeatureStore,\n"
	"featurestores, feast) or scaledobject; FIELDs step through lists as kubectl does.\n"
	"An unknown resource or field exits 1.",
	groups, run,
};
