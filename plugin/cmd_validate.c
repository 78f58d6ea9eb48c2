/* cmd_validate.c -- `kubectl feast validate`: check specs as the operator would. */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "docshape.h"
#include "render.h"

#include <string.h>

enum { OPT_OUTPUT = 1, OPT_NAMESPACE, OPT_STRICT };

static const struct opt validate_opts[] = {
	FILE_ARGS_OPTS,
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "json", "json", NULL,
	  "Print the violations as a JSON array (for CI tools) instead of error lines.", 0 },
	{ "namespace", 'n', OPT_VALUE, OPT_NAMESPACE, "NAMESPACE", NULL, NULL,
	  "The namespace render and apply would be given: objects that set none get it, others must match.", 0 },
	{ "strict", 0, OPT_BOOL, OPT_STRICT, NULL, NULL, "false",
	  "Fail on near misses (kind Featurestore, an API group with feast in it) instead of warning.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { validate_opts, help_opts, NULL };

struct validate_args {
	struct file_args files;
	const char *output;
	const char *namespace;
	bool strict;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct validate_args *v = ctx;
	const char *why;
	if (o->id == OPT_OUTPUT)
		v->output = value;
	if (o->id == OPT_STRICT)
		v->strict = !value || !strcmp(value, "true");
	if (o->id == OPT_NAMESPACE && *value && (why = docshape_namespace_error(value)) != NULL) {
		snprintf(err, errlen, "invalid argument \"%s\" for \"-n, --namespace\" flag: %s", value, why);
		return -1;
	}
	if (o->id == OPT_NAMESPACE)
		v->namespace = *value ? value : NULL;
	return 0;
}

/* Every document parsed and checked, then the render's checking pass: every problem of the
 * input, in the order render would give them. */
static void check_whole(struct arena *a, struct inputs *in, const struct diags *walk,
			const struct render_opts *ro, bool strict, struct diags *d)
{
	/* Streams that fail to parse contribute no documents; the others are
	 * still checked, so one run reports every problem. */
	bool loaded = parse_raw_inputs(a, in, walk, d) == 0;
	diags_set_source(d, 0, "input");
	check_documents(a, &in->docs, d);
	size_t shape_from = d->n;
	if (loaded && !d->errors)
		docshape_require_store(&in->docs, d);
	diags_set_source(d, shape_from, "input");
	if (strict)
		diags_promote(d, DOCSHAPE_NEAR_MISS);
	/* What only rendering finds (a namespace that does not match -n or is needed and
	 * missing, two objects of one name): render's errors, so that validate and render
	 * agree; its warnings are about the output and stay render's. */
	if (d->errors)
		return;
	size_t from = d->n;
	/* Only the checking pass: no sink, so each store's objects are freed as it is done. */
	render_stream(a, &in->docs, ro, NULL, d);
	diags_drop_warnings(d, from);
	/* No API server refuses these: the operator finds them while reconciling. */
	diags_set_source(d, from, "operator");
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct validate_args v;
	memset(&v, 0, sizeof(v));
	int rc = command_parse_files(cmd, argc, argv, on_opt, &v, &v.files);
	if (rc != CMD_RUN)
		return rc;

	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct inputs in;
	memset(&in, 0, sizeof(in));
	struct render_opts ro = { .namespace = v.namespace, .namespace_explicit = v.namespace != NULL };
	struct diags walk;
	diags_init(&walk, &a);
	load_raw_inputs(&a, &v.files, &in, &walk);
	struct diags quick;
	diags_init(&quick, &a);
	/* A clean input holds one store's tree at a time; what a clean run says at all are the
	 * render's warnings about its output, which are not validate's to give. */
	if (render_stream_raw(&a, &in, &ro, NULL, &walk, &quick) != 0)
		check_whole(&a, &in, &walk, &ro, v.strict, &d);

	int exit_code = d.errors ? EXIT_INVALID : EXIT_OK;
	diags_flush_warnings(stderr, &d);
	if (v.output) {
		struct buf b = BUF_INIT;
		diags_json(&b, &d);
		fputs(b.data, stdout);
		buf_release(&b);
	} else {
		diags_print(stderr, &d);
	}
	arena_free(&a);
	return exit_code;
}

const struct command cmd_validate = {
	"validate",
	"Check FeatureStore specs the way the Feast operator's CRD would, and more.",
	"kubectl feast validate -f FILENAME [-R] [-n NAMESPACE] [--strict] [-o json]",
	"Every FeatureStore in the input is checked against the CRD's OpenAPI schema (types,\n"
	"required fields, enums, unknown fields), its CEL rules (with the operator's own messages)\n"
	"and the names the render will derive, and the input as a whole as render takes it:\n"
	"every document an object with apiVersion and kind (List items each on their own), at\n"
	"least one FeatureStore, no two objects of one kind and name, namespaces that match -n\n"
	"(a store without one and without -n is refused where render needs one).  Near misses\n"
	"(kind Featurestore, a group naming feast) warn; --strict makes them errors.\n"
	"Nothing is printed when all is valid; otherwise\n"
	"every violation is listed as FILE:LINE:COL: field: message and the exit code is 1.\n"
	"With -o json the violations are a JSON array on standard output ([] when valid);\n"
	"warnings (such as a deprecated apiVersion) always go to standard error.",
	groups, run,
};
