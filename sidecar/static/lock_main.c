/* lock_main.c -- feast-lock, the static lock client: lock, status, check through the daemon's socket.
 *
 * Built without libcurl and linked statically so it runs in any image (the
 * daemon copies it into the volume it shares with the other containers).
 * `feast-lock lock -- CMD` and `feast-lock -w 5 -- CMD` are the same.
 */
#include "sccli.h"
#include "slog.h"

extern const struct command cmd_lock, cmd_status, cmd_check, cmd_version;

static const struct command *const commands[] = {
	&cmd_lock, &cmd_status, &cmd_check, &cmd_version, NULL,
};

static const struct program feast_lock = {
	.name = "feast-lock",
	.invocation = "feast-lock",
	.blurb = "run a command under the cluster-wide Feast registry lock held by the\n"
		 "feast-sidecar daemon of this pod (static client; talks only to the daemon's socket).",
	.commands = commands,
	/* Options or "--" first: the lock command is implied. */
	.implied = &cmd_lock,
	SC_PROGRAM_COMMON,
};

int main(int argc, char **argv)
{
	slog_init("feast-lock");
	return program_main(&feast_lock, argc, argv);
}
