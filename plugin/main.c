/* main.c -- kubectl-feast: dispatch `kubectl feast COMMAND` to its command. */
#include "buf.h"
#include "cli.h"


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

#define FEAST_BLURB                                                                \
	"render Feast FeatureStore specs into HA-ready Kubernetes manifests\n" \
	"and reconcile them against a cluster."

static const struct man_section man_extra[] = {
	{ "ENVIRONMENT",
	  "KUBECONFIG\n"
	  "    A list of kubeconfig files separated by `:`, merged as kubectl merges them\n"
	  "    (the first file to set a value wins); --kubeconfig replaces it.\n"
	  "\n"
	  "Commands that talk to a cluster resolve the server, the credentials and the namespace\n"
	  "exactly as kubectl does: flags, then the kubeconfig context, then the in-cluster\n"
	  "service account.  render and validate never contact a cluster." },
	{ "SHELL COMPLETION",
	  "kubectl 1.26 and later complete `kubectl feast ...` through the kubectl_complete-feast\n"
	  "executable shipped next to kubectl-feast; put both on PATH.  For kubectl-feast run\n"
	  "directly, load the output of `kubectl feast completion bash` or\n"
	  "`kubectl feast completion zsh` in your shell." },
};

static const struct man_page man = {
	/* The NAME line is the blurb's first line. */
	.summary = "render Feast FeatureStore specs into HA-ready Kubernetes manifests",
	.description = "kubectl-feast is a kubectl plugin (kubectl runs it for `kubectl feast COMMAND`) to\n" FEAST_BLURB
		       "\n\nEvery command also takes -h or --help, which prints the same options as this page.\n",
	.extra = man_extra,
	.nextra = sizeof(man_extra) / sizeof(man_extra[0]),
	.see_also = "kubectl(1), feast-sidecar(1)",
};

static void examples(const struct command *cmd, struct buf *b)
{
	const char *ex = command_examples(cmd->name);
	if (ex)
		buf_adds(b, ex);
}

static int run_complete(const struct command *cmd, int argc, char **argv)
{
	(void)cmd;
	return complete_main(argc, argv);
}

static const struct command complete_cmd = { "__complete", NULL, NULL, NULL, NULL, run_complete };
static const struct command *const hidden[] = { &complete_cmd, NULL };

static const struct program kubectl_feast = {
	.name = "kubectl-feast",
	.invocation = "kubectl feast",
	.blurb = FEAST_BLURB,
	.exit_codes = "Exit codes: 0 ok, 1 invalid spec or refused by a rule, 2 usage error,\n"
		      "3 cluster or API failure, 4 --wait timed out (diff: 0 same, 1 different, >1 error).",
	.commands = commands,
	.hidden = hidden,
	.name_width = 10,
	.usage_exit = EXIT_USAGE,
	.fail_exit = EXIT_INVALID,
	.examples = examples,
	.man = &man,
	.man_examples = true,
};

int main(int argc, char **argv)
{
	return program_main(&kubectl_feast, argc, argv);
}
