/* main.c -- kubectl-feast: dispatch `kubectl feast COMMAND` to its command. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

extern const struct command cmd_apply, cmd_completion, cmd_delete, cmd_diff, cmd_doctor, cmd_explain,
	cmd_init, cmd_lint, cmd_materialize, cmd_render, cmd_scale, cmd_schema, cmd_status, cmd_validate,
	cmd_version;

const struct command *const commands[] = {
	&cmd_completion,
	&cmd_render,
	&cmd_apply,
	&cmd_diff,
	&cmd_delete,
	&cmd_scale,
	&cmd_status,
	&cmd_doctor,
	&cmd_materialize,
	&cmd_validate,
	&cmd_lint,
	&cmd_explain,
	&cmd_schema,
	&cmd_init,
	&cmd_version,
	NULL,
};

const char feast_blurb[] =
	"render Feast FeatureStore specs into HA-ready Kubernetes manifests\n"
	"and reconcile them against a cluster.";
const char feast_exit_codes[] =
	"Exit codes: 0 ok, 1 invalid spec or refused by a rule, 2 usage error,\n"
	"3 cluster or API failure, 4 --wait timed out (diff: 0 same, 1 different, >1 error).";

static void main_help(FILE *f)
{
	fprintf(f, "kubectl feast: %s\n\nCommands:\n", feast_blurb);
	for (const struct command *const *c = commands; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\n%s\n\nUsage:\n  kubectl feast COMMAND [options]\n\n"
		"Use \"kubectl feast COMMAND --help\" for more information about a command.\n",
		feast_exit_codes);
}

/* As cobra words it, with the commands the user may have meant. */
static int unknown_command(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0])];
	size_t n = 0;
	char err[512];
	for (const struct command *const *c = commands; *c; c++)
		names[n++] = (*c)->name;
	snprintf(err, sizeof(err), "unknown command \"%s\" for \"kubectl feast\"", name);
	opts_suggest(err, sizeof(err), name, strlen(name), names, n, "");
	return usage_error(NULL, "%s", err);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			const struct command *c = command_find(argv[2]);
			if (!c)
				return unknown_command(argv[2]);
			command_help(c, stdout);
			return EXIT_OK;
		}
		main_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	/* Hidden entry points for the shell and the build, not commands of their own. */
	if (!strcmp(name, "__complete"))
		return complete_main(argc - 2, argv + 2);
	if (!strcmp(name, "__man"))
		return man_main(argc - 2, argv + 2);
	if (!strcmp(name, "__check-options"))
		return check_options_main();
	const struct command *cmd = command_find(name);
	if (!cmd)
		return unknown_command(name);
	return cmd->run(cmd, argc - 2, argv + 2);
}
