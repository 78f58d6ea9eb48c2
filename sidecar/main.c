/* main.c -- feast-sidecar: dispatch to run, lock, status, check, version. */
#include "sccli.h"
#include "slog.h"

#include <string.h>

extern const struct sc_command cmd_run, cmd_lock, cmd_status, cmd_check, cmd_version;

static const struct sc_command *const commands[] = {
	&cmd_run, &cmd_lock, &cmd_status, &cmd_check, &cmd_version, NULL,
};

static const char blurb[] =
	"feast-sidecar: a cluster-wide lock on a Kubernetes Lease for Feast registry\n"
	"mutations, served to the containers of a pod through a unix socket.";

int main(int argc, char **argv)
{
	slog_init("feast-sidecar");
	/* Hidden: the man page, for `make man` (sidecar/man.c). */
	if (argc > 1 && !strcmp(argv[1], "__man"))
		return sc_man(commands, blurb, argc - 2, argv + 2);
	/* Hidden: the option tables' self-check (tests/scripts/cli_option_ids.sh). */
	if (argc > 1 && !strcmp(argv[1], "__check-options"))
		return sc_check_options(commands);
	return sc_main(commands, blurb, argc, argv);
}
