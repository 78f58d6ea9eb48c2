/* cmd_run.c -- `feast-sidecar run`: the daemon (Lease client, lock broker, loopback HTTP). */
#include "backend.h"
#include "config.h"
#include "daemon.h"
#include "httpd.h"
#include "kube_config.h"
#include "lease_io.h"
#include "readiness.h"
#include "sccli.h"
#include "slog.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const struct opt *const run_groups[] = { config_daemon_opts, readiness_opts, config_lease_opts,
						kube_flag_opts, sc_help_opts, NULL };

struct run_args {
	struct sc_config cfg;
	struct readiness_cfg ready;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct run_args *a = ctx;
	int rc = readiness_opt(&a->ready, o, value, err, errlen);
	if (rc == 1)
		rc = config_opt(&a->cfg, o, value, err, errlen);
	return rc < 0 ? -1 : 0;
}

/* Readiness, when a server to check was named; the gate gets its own API client. */
static int start_readiness(struct run_args *a, struct readiness **out, char *err, size_t n)
{
	static char ns[64];
	*out = NULL;
	if (!a->ready.on)
		return 0;
	struct kube_client *client = NULL;
	if (a->ready.mode == READINESS_GATE && !(client = backend_client(&a->cfg, ns, sizeof(ns), err, n)))
		return -1;
	*out = readiness_start(&a->ready, client, ns, err, n);
	return *out ? 0 : -1;
}

static int mkdirs(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* A socket file left by a daemon that died is removed; one that answers
 * belongs to a live daemon and is an error. */
static int listen_unix(const char *path, unsigned mode, char *err, size_t n)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, n, "--socket %s: path too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdirs(dirname(dir)) < 0) {
		snprintf(err, n, "--socket %s: %s", path, strerror(errno));
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, n, "--socket %s: another feast-sidecar daemon is serving it", path);
		close(fd);
		return -1;
	}
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, mode) < 0 ||
	    listen(fd, 64) < 0) {
		snprintf(err, n, "--socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int copy_file(const char *src, const char *dst, char *err, size_t n)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", dst, (int)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, n, "lock client destination: path too long");
		return -1;
	}
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	int rc = in < 0 || out < 0 ? -1 : 0;
	char chunk[65536];
	while (rc == 0) {
		ssize_t r = read(in, chunk, sizeof(chunk));
		if (r == 0)
			break;
		if (r < 0 || write(out, chunk, (size_t)r) != r)
			rc = -1;
	}
	int e = errno;
	if (out >= 0 && (fchmod(out, 0755) < 0 || close(out) < 0))
		rc = -1;
	if (in >= 0)
		close(in);
	/* rename: a client starting right now sees the old file or the new
	 * one, never half of one. */
	if (rc < 0 || rename(tmp, dst) < 0) {
		if (snprintf(err, n, "copying %s to %s: %s", src, dst, strerror(rc < 0 ? e : errno)) >= (int)n)
			err[n - 2] = '.'; /* truncated: a long path, still the right message */
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The static lock client goes next to the socket, in the volume the other
 * containers share, so their images need nothing of ours. */
static int install_lock_client(const struct sc_config *cfg, char *err, size_t n)
{
	char src[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
	bool explicit = cfg->lock_client != NULL;
	if (explicit && !*cfg->lock_client)
		return 0;
	if (explicit) {
		snprintf(src, sizeof(src), "%s", cfg->lock_client);
	} else {
		ssize_t len = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		if (len < 0)
			return 0;
		dir[len] = '\0';
		snprintf(src, sizeof(src), "%s/%s", dirname(dir), SC_LOCK_CLIENT_NAME);
		if (access(src, R_OK) < 0) {
			slog(0, "run: no static lock client at %s; not installing one", src);
			return 0;
		}
	}
	snprintf(dir, sizeof(dir), "%s", cfg->socket);
	snprintf(dst, sizeof(dst), "%s/%s", dirname(dir), SC_LOCK_CLIENT_NAME);
	if (copy_file(src, dst, err, n) < 0)
		return explicit ? -1 : 0;
	slog(1, "run: installed the lock client at %s", dst);
	return 0;
}

/* Sockets, the lock client, readiness; then serve until drained. */
static int serve(struct run_args *a)
{
	struct sc_config *cfg = &a->cfg;
	char err[1024];
	int code = SC_CONFIG;
	struct lease_io *io = backend_open(cfg, &code, err, sizeof(err));
	if (!io) {
		fprintf(stderr, "error: %s\n", err);
		return code;
	}
	int http_fd = -1, listen_fd = -1;
	struct readiness *ready = NULL;
	if (*cfg->listen && (http_fd = httpd_listen(cfg->listen, err, sizeof(err))) < 0)
		goto fail;
	if (install_lock_client(cfg, err, sizeof(err)) < 0)
		goto fail;
	if (start_readiness(a, &ready, err, sizeof(err)) < 0)
		goto fail;
	if ((listen_fd = listen_unix(cfg->socket, cfg->socket_mode, err, sizeof(err))) < 0)
		goto fail;
	slog(0, "run: Lease %s via %s as %s; socket %s%s%s%s", cfg->lease, io->where, cfg->identity, cfg->socket,
	     *cfg->listen ? "; http " : "", cfg->listen,
	     !ready ? "" : a->ready.mode == READINESS_GATE ? "; readiness gate" : "; readiness probe");
	struct daemon_opts o = { cfg, io, listen_fd, http_fd, -1, true, ready };
	int rc = daemon_run(&o, -1);
	unlink(cfg->socket);
	readiness_stop(ready);
	return rc;
fail:
	fprintf(stderr, "error: %s\n", err);
	readiness_stop(ready);
	if (http_fd >= 0)
		close(http_fd);
	io->ops->destroy(io);
	return SC_CONFIG;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct run_args a;
	config_init(&a.cfg);
	readiness_cfg_init(&a.ready);
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &a, false, &args);
	if (rc)
		return rc < 0 ? SC_USAGE : SC_OK;
	if (args.n)
		return usage_error(cmd, "unexpected argument \"%s\"", args.v[0]);
	char err[1024];
	if (config_finish(&a.cfg, err, sizeof(err)) < 0 || readiness_cfg_finish(&a.ready, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return SC_CONFIG;
	}
	return serve(&a);
}

const struct command cmd_run = {
	"run",
	"Run the daemon: the registry lock's Lease client and lock broker.",
	"run (--name NAME | --lease NAME) [options]",
	"Serves the cluster-wide registry lock (a coordination.k8s.io/v1 Lease) to local clients on a\n"
	"unix socket (see `lock`), copies the static lock client next to the socket, and answers\n"
	"/healthz, /readyz, /leader and /status on a loopback HTTP port.\n"
	"\n"
	"Readiness (with --health): the pod is ready once its servers passed --success-threshold\n"
	"checks in a row, no apply runs in it, and --registry-ttl + --sync-margin have passed since\n"
	"the later of start, its own last apply and the last registry generation seen on the Lease.\n"
	"A ready pod stays ready until --failure-threshold checks in a row fail: the API server and\n"
	"other pods' applies never take it out.  The verdict is on /readyz and `check ready` and, with\n"
	"--readiness gate, in the Pod condition feast.dev/registry-ready (strategic-merge PATCH of\n"
	"pods/status on each change and every --gate-resync).\n"
	"\n"
	"SIGTERM drains: not ready at once (gate: the condition False, best effort), waiters are\n"
	"refused, a holder keeps its lock until it releases, then the Lease is released and the\n"
	"daemon exits 0.",
	run_groups,
	run,
};
