/* cmd_man.c -- `kubectl-feast __man [DATE]`: kubectl-feast.1 from commands[] and their option tables. */
#include "buf.h"
#include "cli.h"
#include "manpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct man_section extra[] = {
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

int man_main(int argc, char **argv)
{
	if (argc > 1) {
		fputs("usage: kubectl-feast __man [DATE]\n", stderr);
		return EXIT_USAGE;
	}
	size_t n = 0;
	while (commands[n])
		n++;
	struct man_command *cmds = calloc(n ? n : 1, sizeof(*cmds));
	if (!cmds)
		return EXIT_INVALID;
	/* Each command's description, then its Examples as --help shows them. */
	struct buf descs[n ? n : 1];
	for (size_t i = 0; i < n; i++) {
		const struct command *c = commands[i];
		const char *ex = command_examples(c->name);
		descs[i] = (struct buf)BUF_INIT;
		buf_addf(&descs[i], "%s%s%s", c->description ? c->description : "", ex ? "\n\nExamples:\n" : "",
			 ex ? ex : "");
		cmds[i] = (struct man_command){ c->name, c->summary, c->usage, descs[i].data, c->opts };
	}
	char *summary = strdup(feast_blurb);
	if (!summary) {
		free(cmds);
		return EXIT_INVALID;
	}
	/* The NAME line is the blurb's first line, without its line break. */
	summary[strcspn(summary, "\n")] = '\0';
	struct buf desc = BUF_INIT;
	buf_addf(&desc,
		 "kubectl-feast is a kubectl plugin (kubectl runs it for `kubectl feast COMMAND`) to\n%s\n\n"
		 "Every command also takes -h or --help, which prints the same options as this page.\n",
		 feast_blurb);
	struct man_page page = {
		.prog = "kubectl-feast",
		.invocation = "kubectl feast",
		.version = feast_version(),
		.date = argc == 1 ? argv[0] : NULL,
		.summary = summary,
		.description = desc.data,
		.cmds = cmds,
		.ncmds = n,
		.exit_status = feast_exit_codes,
		.extra = extra,
		.nextra = sizeof(extra) / sizeof(extra[0]),
		.see_also = "kubectl(1), feast-sidecar(1)",
	};
	struct buf out = BUF_INIT;
	man_write(&out, &page);
	int rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0 ? EXIT_OK : EXIT_INVALID;
	buf_release(&out);
	buf_release(&desc);
	for (size_t i = 0; i < n; i++)
		buf_release(&descs[i]);
	free(summary);
	free(cmds);
	return rc;
}
