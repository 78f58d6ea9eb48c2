/* lock_main.c -- feast-lock, the static lock client: lock, status, check through the daemon's socket.
 *
 * Built without libcurl and linked statically so it runs in any image (the
 * daemon copies it into the volume it shares with the other containers).
 * `feast-lock lock -- CMD` and `feast-lock -w 5 -- CMD` are the same.
 */
#include "sccli.h"
#include "slog.h"

#include <string.h>

extern const struct sc_command cmd_lock, cmd_status, cmd_check, cmd_version;

static const struct sc_command *const commands[] = {
	&cmd_lock, &cmd_status, &cmd_check, &cmd_version, NULL,
};

int main(int argc, char **argv)
{
	sc_prog = "feast-lock";
	slog_init("feast-lock");
	if (argc > 1 && !strcmp(argv[1], "__check-options"))
		return sc_check_options(commands);
	/* Options or "--" first: the lock command is implied. */
	if (argc > 1 && argv[1][0] == '-' && strcmp(argv[1], "--help") && strcmp(argv[1], "-h") &&
	    strcmp(argv[1], "--version"))
		return cmd_lock.run(&cmd_lock, argc - 1, argv + 1);
	return sc_main(commands,
		       "feast-lock: run a command under the cluster-wide Feast registry lock held by the\n"
		       "feast-sidecar daemon of this pod (static client; talks only to the daemon's socket).",
		       argc, argv);
}
