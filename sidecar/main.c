/* main.c -- feast-sidecar: dispatch to run, lock, status, check, version. */
#include "sccli.h"
#include "slog.h"

extern const struct sc_command cmd_run, cmd_lock, cmd_status, cmd_check, cmd_version;

static const struct sc_command *const commands[] = {
	&cmd_run, &cmd_lock, &cmd_status, &cmd_check, &cmd_version, NULL,
};

int main(int argc, char **argv)
{
	slog_init("feast-sidecar");
	return sc_main(commands,
		       "feast-sidecar: a cluster-wide lock on a Kubernetes Lease for Feast registry\n"
		       "mutations, served to the containers of a pod through a unix socket.",
		       argc, argv);
}
