/* cmd_version.c -- `kubectl feast version`: print the plugin's version. */
#include "buf.h"
#include "cli.h"
#include "json.h"

#include <string.h>

enum { OPT_OUTPUT = 1 };

static const struct opt version_opts[] = {
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "json|yaml", "json|yaml", NULL,
	  "Print the version as JSON or YAML instead of one line.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { version_opts, help_opts, NULL };

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (o->id == OPT_OUTPUT)
		*(const char **)ctx = value;
	return 0;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	const char *output = NULL;
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &output, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n)
		return usage_error(cmd, "unexpected argument \"%s\"", args.v[0]);
	if (!output) {
		printf("kubectl-feast %s\n", feast_version());
	} else if (!strcmp(output, "json")) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "{\n  \"version\": ");
		json_quote(&b, feast_version(), (size_t)-1);
		buf_adds(&b, "\n}\n");
		fputs(b.data, stdout);
		buf_release(&b);
	} else {
		printf("version: \"%s\"\n", feast_version());
	}
	return EXIT_OK;
}

const struct command cmd_version = {
	"version", "Print the version of kubectl-feast.", "kubectl feast version [-o json|yaml]",
	NULL, groups, run,
};
