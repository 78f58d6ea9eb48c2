/* cmd_validate.c -- `kubectl feast validate`: check specs as the operator would. */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "diag.h"

#include <string.h>

enum { OPT_OUTPUT = 1 };

static const struct opt validate_opts[] = {
	FILE_ARGS_OPTS,
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "json", "json", NULL,
	  "Print the violations as a JSON array (for CI tools) instead of error lines.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { validate_opts, help_opts, NULL };

struct validate_args {
	struct file_args files;
	const char *output;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct validate_args *v = ctx;
	if (o->id == OPT_OUTPUT)
		v->output = value;
	return 0;
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
	/* Streams that fail to parse contribute no documents; the others are
	 * still checked, so one run reports every problem. */
	load_inputs(&a, &v.files, &in, &d);
	diags_set_source(&d, 0, "input");
	check_documents(&a, &in.docs, &d);

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
	"kubectl feast validate -f FILENAME [-R] [-o json]",
	"Every FeatureStore in the input is checked against the CRD's OpenAPI schema (types,\n"
	"required fields, enums, unknown fields), its CEL rules (with the operator's own messages)\n"
	"and the names the render will derive.  Nothing is printed when all is valid; otherwise\n"
	"every violation is listed as FILE:LINE:COL: field: message and the exit code is 1.\n"
	"With -o json the violations are a JSON array on standard output ([] when valid);\n"
	"warnings (such as a deprecated apiVersion) always go to standard error.",
	groups, run,
};
