/* cmd_query.c -- `status` and `check live|ready`: ask the daemon over its socket. */
#include "clock.h"
#include "lock_local.h"
#include "proto.h"
#include "sccli.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { ST_OPT_SOCKET = 1, ST_OPT_TIMEOUT };

static const struct opt status_opts[] = {
	{ "socket", 0, OPT_VALUE, ST_OPT_SOCKET, "PATH", NULL, "$FEAST_SIDECAR_SOCKET, else " SC_DEFAULT_SOCKET,
	  "The daemon's socket.", OPT_FILE },
	{ "timeout", 0, OPT_VALUE, ST_OPT_TIMEOUT, "DURATION", NULL, "5s", "Give up waiting for the daemon.", 0 },
	OPT_END,
};

static const struct opt *const status_groups[] = { status_opts, sc_help_opts, NULL };

struct st_args {
	const char *socket;
	long long timeout_ms;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct st_args *a = ctx;
	if (o->id == ST_OPT_SOCKET) {
		a->socket = value;
	} else if (!sc_parse_duration(value, &a->timeout_ms)) {
		snprintf(err, errlen, "invalid argument \"%s\" for \"--timeout\" flag: not a duration", value);
		return -1;
	}
	return 0;
}

/* One request, one answer line; -1 with a message on stderr. */
static int ask(const struct st_args *a, const char *request, char *answer, size_t n)
{
	const char *path = proto_socket_path(a->socket);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "error: cannot reach the feast-sidecar daemon at %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct linebuf lb = { .len = 0 };
	int64_t deadline = mono_ms() + a->timeout_ms;
	/* Even when the request cannot be sent, a refusing daemon's reason may wait to be read. */
	proto_send(fd, false, "%s", request);
	int rc = 0;
	while (rc == 0 && !linebuf_next(&lb, answer, n)) {
		int64_t left = deadline - mono_ms();
		struct pollfd p = { fd, POLLIN, 0 };
		int r;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || (r = linebuf_fill(&lb, fd)) == 0 || r == -1 || r == -3)
			rc = -1;
	}
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "error: no answer from the feast-sidecar daemon at %s\n", path);
		return -1;
	}
	/* "ERROR <kind> <message>": the daemon's reason, as `lock` prints it. */
	char *w[3];
	if (!strncmp(answer, "ERROR ", 6) && proto_words(answer, w, 3) == 3) {
		fprintf(stderr, "error: %s\n", w[2]);
		return -1;
	}
	return 0;
}

static int parse_args(const struct command *cmd, int argc, char **argv, struct st_args *a,
		      struct opt_args *args)
{
	a->socket = NULL;
	a->timeout_ms = 5000;
	int rc = command_parse(cmd, argc, argv, on_opt, a, false, args);
	return rc < 0 ? SC_USAGE : rc > 0 ? -1 : 0;
}

static int status(const struct command *cmd, struct st_args *a, const struct opt_args *args)
{
	if (args->n)
		return usage_error(cmd, "unexpected argument \"%s\"", args->v[0]);
	char answer[PROTO_LINE_MAX];
	if (ask(a, "STATUS", answer, sizeof(answer)) < 0)
		return SC_UNAVAILABLE;
	if (strncmp(answer, "STATUS ", 7) != 0) {
		fprintf(stderr, "error: unexpected answer: %s\n", answer);
		return SC_UNAVAILABLE;
	}
	printf("%s\n", answer + 7);
	return SC_OK;
}

static int check(const struct command *cmd, struct st_args *a, const struct opt_args *args)
{
	if (args->n != 1 || (strcmp(args->v[0], "live") && strcmp(args->v[0], "ready")))
		return usage_error(cmd, "want one of: live, ready");
	char request[32], answer[PROTO_LINE_MAX];
	snprintf(request, sizeof(request), "CHECK %s", args->v[0]);
	if (ask(a, request, answer, sizeof(answer)) < 0)
		return SC_FAIL;
	if (strcmp(answer, "OK") != 0) {
		fprintf(stderr, "%s: %s\n", args->v[0], answer);
		return SC_FAIL;
	}
	return SC_OK;
}

extern const struct command cmd_check;

/* status and check: the same options, then one question to the daemon. */
static int run_query(const struct command *cmd, int argc, char **argv)
{
	struct st_args a;
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = parse_args(cmd, argc, argv, &a, &args);
	if (rc)
		return rc < 0 ? SC_OK : rc;
	return cmd == &cmd_check ? check(cmd, &a, &args) : status(cmd, &a, &args);
}

const struct command cmd_status = {
	"status",
	"Print the lock's state as JSON: holder, me, held, transitions, generation.",
	"status [--socket PATH]",
	NULL,
	status_groups,
	run_query,
};

const struct command cmd_check = {
	"check",
	"Exit 0 when the daemon is live (loop and API requests not wedged) or ready; for exec probes.",
	"check live|ready [--socket PATH] [--timeout DURATION]",
	NULL,
	status_groups,
	run_query,
};

static int run_version(const struct command *cmd, int argc, char **argv)
{
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, NULL, false, &args);
	if (rc)
		return rc < 0 ? SC_USAGE : SC_OK;
	printf("%s %s%s\n", command_program->name, feast_version(), lock_build_note);
	lock_build_details(stdout);
	return SC_OK;
}

static const struct opt *const version_groups[] = { sc_help_opts, NULL };

const struct command cmd_version = {
	"version", "Print the version.", "version", NULL, version_groups, run_version,
};
