/* direct.c -- an in-process broker thread for `lock` when there is no daemon. */
#include "direct.h"
#include "backend.h"
#include "config.h"
#include "daemon.h"
#include "lease_io.h"
#include "sccli.h"
#include "worker_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

struct direct {
	pthread_t thread;
	struct daemon_opts opts;
	int stop_fd;
};

static void *direct_main(void *arg)
{
	struct direct *d = arg;
	daemon_run(&d->opts, d->stop_fd);
	return NULL;
}

struct direct *direct_open(struct sc_config *cfg, int *fd, int *code, char *err, size_t n)
{
	struct lease_io *io = backend_open(cfg, code, err, n);
	if (!io)
		return NULL;
	struct direct *d = calloc(1, sizeof(*d));
	int sv[2];
	if (!d || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, n, "socketpair: %s", strerror(errno));
		*code = SC_UNAVAILABLE;
		io->ops->destroy(io);
		free(d);
		return NULL;
	}
	d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->opts = (struct daemon_opts){ cfg, io, -1, -1, sv[1], false, NULL };
	/* The wrapper's thread handles signals; the broker thread blocks them. */
	int rc = worker_thread_start(&d->thread, direct_main, d);
	if (rc != 0) {
		snprintf(err, n, "cannot start the lease thread: %s", strerror(rc));
		*code = SC_UNAVAILABLE;
		close(sv[0]);
		close(sv[1]);
		close(d->stop_fd);
		io->ops->destroy(io);
		free(d);
		return NULL;
	}
	*fd = sv[0];
	return d;
}

void direct_close(struct direct *d)
{
	if (!d)
		return;
	uint64_t one = 1;
	ssize_t w = write(d->stop_fd, &one, sizeof(one));
	(void)w;
	pthread_join(d->thread, NULL);
	close(d->stop_fd);
	free(d);
}
