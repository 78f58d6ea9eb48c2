/* main.c -- feast-sidecar: dispatch to run, lock, status, check, version. */
#include "sccli.h"
#include "slog.h"

extern const struct command cmd_run, cmd_lock, cmd_status, cmd_check, cmd_version;

static const struct command *const commands[] = {
	&cmd_run, &cmd_lock, &cmd_status, &cmd_check, &cmd_version, NULL,
};

#define SIDECAR_BLURB                                                                         \
	"a cluster-wide lock on a Kubernetes Lease for Feast registry\n"                      \
	"mutations, served to the containers of a pod through a unix socket."

static const struct man_section man_extra[] = {
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

static const struct man_page man = {
	/* The NAME line is the blurb's first sentence on one line. */
	.summary = "a cluster-wide lock on a Kubernetes Lease for Feast registry mutations, served to the "
		   "containers of a pod through a unix socket",
	.description = "feast-sidecar: " SIDECAR_BLURB,
	.extra = man_extra,
	.nextra = sizeof(man_extra) / sizeof(man_extra[0]),
	.see_also = "kubectl-feast(1), kubectl(1)",
};

static const struct program feast_sidecar = {
	.name = "feast-sidecar",
	.invocation = "feast-sidecar",
	.blurb = SIDECAR_BLURB,
	.commands = commands,
	SC_PROGRAM_COMMON,
	.man = &man,
};

int main(int argc, char **argv)
{
	slog_init("feast-sidecar");
	return program_main(&feast_sidecar, argc, argv);
}
