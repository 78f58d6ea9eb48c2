/* cmd_lock.c -- `lock [-w SECONDS] [--no-wait] [--lease NAME] -- CMD [ARGS...]`, like flock(1). */
#include "clock.h"
#include "lock_local.h"
#include "proto.h"
#include "sccli.h"
#include "slog.h"
#include "wrap.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { LOCK_OPT_WAIT = 1, LOCK_OPT_NO_WAIT, LOCK_OPT_LEASE, LOCK_OPT_SOCKET, LOCK_OPT_GRACE };

const struct opt lock_opts[] = {
	{ "timeout", 'w', OPT_VALUE, LOCK_OPT_WAIT, "SECONDS", NULL, "wait forever",
	  "Give up (exit 75) when the lock is not acquired within this many seconds.", 0 },
	{ "no-wait", 0, OPT_BOOL, LOCK_OPT_NO_WAIT, NULL, NULL, NULL,
	  "Fail at once (exit 75) when the lock is held elsewhere.", 0 },
	{ "lease", 0, OPT_VALUE, LOCK_OPT_LEASE, "NAME", NULL, "the daemon's",
	  "Lease to lock (with a daemon: must be the one it serves).", 0 },
	{ "socket", 0, OPT_VALUE, LOCK_OPT_SOCKET, "PATH", NULL, "$FEAST_SIDECAR_SOCKET, else " SC_DEFAULT_SOCKET,
	  "The daemon's socket; when absent, lock the Lease directly.", OPT_FILE },
	{ "kill-grace", 0, OPT_VALUE, LOCK_OPT_GRACE, "DURATION", NULL, "3s",
	  "Between SIGTERM and SIGKILL when the lock is lost (never longer than the daemon's).", 0 },
	OPT_END,
};

struct lock_args {
	long long wait_ms; /* -1: forever */
	const char *lease;
	const char *socket;
	long long grace_ms;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct lock_args *a = ctx;
	long long ms;
	if (!opt_in(lock_opts, o))
		return lock_local_opt(o, value, err, errlen);
	switch (o->id) {
	case LOCK_OPT_WAIT:
		if (!sc_parse_seconds(value, &ms)) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"-w\" flag: not a number of seconds", value);
			return -1;
		}
		a->wait_ms = ms;
		return 0;
	case LOCK_OPT_NO_WAIT:
		if (!value || !strcmp(value, "true"))
			a->wait_ms = 0;
		return 0;
	case LOCK_OPT_LEASE:
		a->lease = value;
		return 0;
	case LOCK_OPT_SOCKET:
		a->socket = value;
		return 0;
	case LOCK_OPT_GRACE:
		if (!sc_parse_duration(value, &ms)) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"--kill-grace\" flag: not a duration", value);
			return -1;
		}
		a->grace_ms = ms;
		return 0;
	}
	return 0;
}

/* ---- talking to the broker ---- */

struct channel {
	int fd;
	struct linebuf lb;
	bool local;   /* a broker of our own (lock_local.h), not the daemon */
};

static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A daemon being restarted leaves its socket refusing for a moment: retry
 * until the wait runs out. */
static int connect_daemon(const char *path, int64_t deadline, int sigfd)
{
	for (;;) {
		int fd = connect_unix(path);
		if (fd >= 0)
			return fd;
		if (errno != ECONNREFUSED && errno != ENOENT && errno != EAGAIN) {
			fprintf(stderr, "error: cannot connect to the feast-sidecar daemon at %s: %s\n", path,
				strerror(errno));
			return -SC_UNAVAILABLE;
		}
		if (mono_ms() >= deadline) {
			fprintf(stderr, "error: the feast-sidecar daemon at %s does not answer: %s\n", path,
				strerror(errno));
			return -SC_UNAVAILABLE;
		}
		struct pollfd p = { sigfd, POLLIN, 0 };
		if (poll(&p, 1, 200) > 0) {
			int sig = wrap_next_signal(sigfd);
			if (sig && sig != SIGCHLD)
				return -(128 + sig);
		}
	}
}

static int open_channel(struct lock_args *a, int64_t deadline, int sigfd, struct channel *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
	const char *path = proto_socket_path(a->socket);
	struct stat st;
	if (stat(path, &st) < 0) {
		int rc = lock_local_open(path, a->socket != NULL, a->lease, a->grace_ms, &ch->fd);
		if (rc <= 0) {
			ch->local = rc == 0;
			return rc;
		}
	}
	int fd = connect_daemon(path, deadline, sigfd);
	if (fd < 0)
		return fd;
	ch->fd = fd;
	return 0;
}

static void close_channel(struct channel *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
	if (ch->local)
		lock_local_close();
	ch->local = false;
}

/* Wait for one line until deadline; 1 line, 0 timeout, -1 end of stream,
 * -(128+sig) on a terminating signal. */
static int read_line(struct channel *ch, int sigfd, int64_t deadline, char *line, size_t n)
{
	for (;;) {
		if (linebuf_next(&ch->lb, line, n))
			return 1;
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd p[2] = { { ch->fd, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
		if (poll(p, 2, left > 1000000 ? 1000000 : (int)left) < 0 && errno != EINTR)
			return -1;
		if (p[1].revents) {
			int sig = wrap_next_signal(sigfd);
			if (sig && sig != SIGCHLD)
				return -(128 + sig);
			wrap_reap(&(struct wrap){ 0 });
		}
		if (p[0].revents) {
			int r = linebuf_fill(&ch->lb, ch->fd);
			if (r == 0 || r == -1 || r == -3)
				return -1;
		}
	}
}

struct grant {
	long long valid_ms, fence, grace_ms;
	int64_t received;
	char holder[PROTO_LINE_MAX];
};

static int exit_for(const char *kind)
{
	if (!strcmp(kind, "held"))
		return SC_TEMPFAIL;
	if (!strcmp(kind, "config") || !strcmp(kind, "usage"))
		return SC_CONFIG;
	return SC_UNAVAILABLE;
}

/* ACQUIRE and wait for the answer; 0 granted, else an exit code. */
static int acquire(struct channel *ch, const struct lock_args *a, int sigfd, struct grant *g)
{
	/* The daemon enforces the timeout; ours is only a backstop for a
	 * daemon that stopped answering. */
	int64_t deadline = a->wait_ms < 0 ? INT64_MAX : mono_ms() + a->wait_ms + 30000;
	bool sent = proto_send(ch->fd, false, "ACQUIRE %s %lld", a->lease ? a->lease : "-", a->wait_ms) == 0;
	/* A daemon that refuses a client ("too many clients") says why before it closes, maybe
	 * before our request arrives: that line is still there to read. */
	if (!sent)
		deadline = mono_ms() + 1000;
	char line[PROTO_LINE_MAX];
	int r = read_line(ch, sigfd, deadline, line, sizeof(line));
	if (r < -1)
		return -r;
	if (r <= 0) {
		fprintf(stderr, "error: %s\n", sent ? "no answer from the feast-sidecar daemon"
						    : "the feast-sidecar daemon closed the connection");
		return SC_UNAVAILABLE;
	}
	char *w[PROTO_MAX_WORDS];
	/* ERROR keeps its message (spaces and all) in the third word. */
	int n = proto_words(line, w, strncmp(line, "ERROR ", 6) ? 6 : 3);
	if (n == 5 && !strcmp(w[0], "GRANTED") && proto_num(w[2], &g->valid_ms) && proto_num(w[3], &g->fence) &&
	    proto_num(w[4], &g->grace_ms)) {
		g->received = mono_ms();
		snprintf(g->holder, sizeof(g->holder), "%s", w[1]);
		return 0;
	}
	if (n >= 2 && !strcmp(w[0], "TIMEOUT")) {
		fprintf(stderr, "error: lock not acquired in time (%s)\n", w[1]);
		return exit_for(w[1]);
	}
	if (n >= 2 && !strcmp(w[0], "ERROR")) {
		fprintf(stderr, "error: %s\n", n > 2 ? w[2] : w[1]);
		return exit_for(w[1]);
	}
	fprintf(stderr, "error: unexpected answer from the feast-sidecar daemon: %s\n", w[0]);
	return SC_UNAVAILABLE;
}

/* ---- supervising the command ---- */

struct run {
	struct wrap w;
	bool lost;
	int64_t hb_deadline;
	int64_t exited_at; /* when the command itself exited */
	const char *why;
};

/* After the command exits, the rest of its group gets this long to finish
 * on its own (a process already dying is still in the group until reaped)
 * before it is treated as left behind and killed. */
#define LEFTOVER_MS 200

static void lose(struct run *r, const char *why)
{
	if (r->lost)
		return;
	r->lost = true;
	r->why = why;
	slog(0, "lock: %s: killing the command (SIGTERM, SIGKILL after %lld ms)", why, (long long)r->w.grace_ms);
	wrap_kill(&r->w, mono_ms());
}

static void on_daemon_line(struct run *r, char *line)
{
	char *w[PROTO_MAX_WORDS];
	int n = proto_words(line, w, 3);
	long long v;
	if (n == 2 && !strcmp(w[0], "HELD") && proto_num(w[1], &v)) {
		if (!r->lost)
			r->hb_deadline = mono_ms() + v;
	} else if (n >= 1 && !strcmp(w[0], "LOST")) {
		lose(r, "the lock was lost");
	}
}

static void poll_daemon(struct run *r, struct channel *ch)
{
	int rc = linebuf_fill(&ch->lb, ch->fd);
	char line[PROTO_LINE_MAX];
	while (linebuf_next(&ch->lb, line, sizeof(line)))
		on_daemon_line(r, line);
	if (rc == 0 || rc == -1 || rc == -3) {
		close(ch->fd);
		ch->fd = -1;
		lose(r, "the feast-sidecar daemon went away");
	}
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Run until the command and everything in its group are gone. */
static void supervise(struct run *r, struct channel *ch, int sigfd)
{
	for (;;) {
		int64_t now = mono_ms();
		if (!r->lost && now >= r->hb_deadline)
			lose(r, "no heartbeat from the daemon before the lock's deadline");
		if (wrap_reap(&r->w) && wrap_group_gone(&r->w))
			return;
		if (r->w.exited && !r->exited_at)
			r->exited_at = now;
		if (r->w.exited && !r->w.killing && now >= r->exited_at + LEFTOVER_MS) {
			slog(0, "lock: the command exited but left processes in its group: killing them");
			wrap_kill(&r->w, now);
		}
		int64_t next = min64(wrap_tick(&r->w, now), r->lost ? INT64_MAX : r->hb_deadline);
		if (r->w.exited)
			next = min64(next, now + 20); /* leftovers that are not our children */
		struct pollfd p[2] = { { sigfd, POLLIN, 0 }, { ch->fd, POLLIN, 0 } };
		int64_t wait = next == INT64_MAX ? -1 : next - now;
		if (poll(p, ch->fd >= 0 ? 2 : 1, wait < 0 ? -1 : (int)min64(wait, 1000000)) < 0 && errno != EINTR)
			continue;
		if (p[0].revents)
			for (int sig; (sig = wrap_next_signal(sigfd));)
				if (sig != SIGCHLD)
					wrap_forward(&r->w, sig);
		if (ch->fd >= 0 && p[1].revents)
			poll_daemon(r, ch);
	}
}

static void release(struct channel *ch, int sigfd, bool bump)
{
	if (ch->fd < 0 || proto_send(ch->fd, false, "RELEASE%s", bump ? " bump" : "") < 0)
		return;
	char line[PROTO_LINE_MAX];
	for (int64_t deadline = mono_ms() + 30000;;) {
		int r = read_line(ch, sigfd, deadline, line, sizeof(line));
		if (r < -1)
			continue; /* the command is gone; finish the release first */
		if (r <= 0) {
			slog(0, "lock: release not confirmed by the daemon; the Lease will expire");
			return;
		}
		if (!strncmp(line, "RELEASED", 8)) {
			slog(1, "lock: %s", line);
			return;
		}
	}
}

static char *const *fence_env(long long fence, char *buf, size_t n)
{
	static char *env[2];
	snprintf(buf, n, "FEAST_REGISTRY_FENCE=%lld", fence);
	env[0] = buf;
	env[1] = NULL;
	return env;
}

static int run_locked(struct channel *ch, const struct lock_args *a, int sigfd, const struct grant *g,
		      char **cmd)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.hb_deadline = g->received + g->valid_ms;
	/* Never wait longer between SIGTERM and SIGKILL than the daemon's
	 * timings allow for (lease > renew deadline + its kill grace). */
	long long grace = a->grace_ms < 0 || a->grace_ms > g->grace_ms ? g->grace_ms : a->grace_ms;
	char envbuf[64], err[512];
	int code;
	slog(1, "lock: granted to %s (fence %lld, valid %lld ms)", g->holder, g->fence, g->valid_ms);
	if (wrap_start(&r.w, cmd, fence_env(g->fence, envbuf, sizeof(envbuf)), grace, err, sizeof(err), &code) < 0) {
		fprintf(stderr, "error: %s\n", err);
		release(ch, sigfd, false);
		return code;
	}
	supervise(&r, ch, sigfd);
	wrap_restore_tty(&r.w);
	int status = wrap_exit_code(&r.w);
	if (r.lost) {
		fprintf(stderr, "error: %s; the command was killed (its status was %d)\n", r.why, status);
		return SC_LOST;
	}
	release(ch, sigfd, status == 0);
	return status;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct lock_args a;
	memset(&a, 0, sizeof(a));
	a.wait_ms = -1;
	a.grace_ms = -1;
	lock_local_init();
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &a, true, &args);
	if (rc)
		return rc < 0 ? SC_USAGE : SC_OK;
	/* flock(1) style without "--" is ambiguous with options after the
	 * command; demand the separator. */
	if (args.n)
		return usage_error(cmd, "unexpected argument \"%s\": put the command after --", args.v[0]);
	if (!args.nrest)
		return usage_error(cmd, "missing command: lock [options] -- CMD [ARGS...]");
	int sigfd = wrap_signals();
	if (sigfd < 0) {
		perror("error: pipe");
		return SC_UNAVAILABLE;
	}
	int64_t deadline = a.wait_ms < 0 ? INT64_MAX : mono_ms() + a.wait_ms;
	struct channel ch;
	rc = open_channel(&a, deadline, sigfd, &ch);
	if (rc < 0)
		return -rc;
	struct grant g;
	rc = acquire(&ch, &a, sigfd, &g);
	if (rc == 0)
		rc = run_locked(&ch, &a, sigfd, &g, args.rest);
	close_channel(&ch);
	return rc;
}

const struct command cmd_lock = {
	"lock",
	"Run a command while holding the cluster-wide registry lock.",
	"lock [-w SECONDS] [--no-wait] [--lease NAME] -- CMD [ARGS...]",
	"Acquires the Lease through the feast-sidecar daemon's socket (or, when there is none and this\n"
	"is not the static client, directly against the API server), runs CMD in its own process group\n"
	"with FEAST_REGISTRY_FENCE set to the Lease's leaseTransitions, forwards SIGTERM and SIGINT,\n"
	"and reaps children (it may be PID 1).  CMD is killed (SIGTERM, then SIGKILL) when the lock is\n"
	"lost or no heartbeat arrives before the lock's deadline.  After CMD exits 0 the Lease\n"
	"annotation feast.dev/registry-generation is incremented as the lock is released.",
	lock_groups,
	run,
};
