/* man.c -- `feast-sidecar __man [DATE]`: feast-sidecar.1 from the sidecar's commands and option tables. */
#include "buf.h"
#include "manpage.h"
#include "sccli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct man_section extra[] = {
	{ "ENVIRONMENT",
	  "POD_NAME\n"
	  "    The default holder identity (the downward API's metadata.name).\n"
	  "POD_NAMESPACE\n"
	  "    The namespace of the Lease when the service account's namespace file is absent.\n"
	  "FEAST_SIDECAR_SOCKET\n"
	  "    The lock broker's unix socket, for the daemon and its clients (--socket wins).\n"
	  "KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT\n"
	  "    In a pod, the API server; the service account's token and CA are read from\n"
	  "    /var/run/secrets/kubernetes.io/serviceaccount/ unless kubeconfig flags say otherwise." },
	{ "FEAST-LOCK",
	  "feast-lock is the static build of the lock, status, check and version commands,\n"
	  "with the same options, for containers that lack the daemon's libraries: the daemon\n"
	  "copies it next to its socket at start.  Options or -- first imply lock:\n"
	  "\n"
	  "  feast-lock -w 30s -- feast apply" },
};

int sc_man(const struct sc_command *const *cmds, const char *blurb, int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s __man [DATE]\n", sc_prog);
		return SC_USAGE;
	}
	size_t n = 0;
	while (cmds[n])
		n++;
	struct man_command *v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return SC_FAIL;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct man_command){ cmds[i]->name, cmds[i]->summary, cmds[i]->usage,
					     cmds[i]->description, cmds[i]->opts };
	/* The blurb reads "feast-sidecar: a ... lock ...": its text after the colon, first
	 * sentence, is the NAME line. */
	const char *colon = strstr(blurb, ": ");
	const char *text = colon ? colon + 2 : blurb;
	struct buf summary = BUF_INIT;
	for (const char *p = text; *p && *p != '.'; p++)
		buf_addc(&summary, *p == '\n' ? ' ' : *p);
	struct man_page page = {
		.prog = sc_prog,
		.invocation = sc_prog,
		.version = sc_version(),
		.date = argc == 1 ? argv[0] : NULL,
		.summary = summary.data,
		.description = blurb,
		.cmds = v,
		.ncmds = n,
		.exit_status = SC_EXIT_CODES_HELP,
		.extra = extra,
		.nextra = sizeof(extra) / sizeof(extra[0]),
		.see_also = "kubectl-feast(1), kubectl(1)",
	};
	struct buf out = BUF_INIT;
	man_write(&out, &page);
	int rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0 ? SC_OK : SC_FAIL;
	buf_release(&out);
	buf_release(&summary);
	free(v);
	return rc;
}
