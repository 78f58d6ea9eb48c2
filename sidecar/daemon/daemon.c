/* daemon.c -- the lock broker's poll loop: drain, timers and dispatch to the Lease driver, clients and HTTP. */
#include "daemon.h"
#include "clock.h"
#include "config.h"
#include "daemon_int.h"
#include "readiness.h"
#include "slog.h"
#include "wrap.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The loop's next wake-up: the machine's, a client's, an HTTP connection's or readiness's. */
static int64_t next_timer(const struct daemon *d, int64_t now)
{
	int64_t t = broker_next_timer(d, now, d->calling ? LEASE_NEVER : d->wake);
	int64_t h = httpd_expire((struct http_conn *)d->http, now);
	if (d->ready && readiness_next(d->ready, now) < h)
		h = readiness_next(d->ready, now);
	return h < t ? h : t;
}

static void begin_drain(struct daemon *d, const char *why)
{
	if (d->draining) {
		d->forced = true;
		return;
	}
	slog(d->lv, "daemon: %s: draining (holder keeps its lock until it lets go)", why);
	d->draining = true;
	if (d->ready)
		readiness_drain(d->ready, mono_ms());
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	d->listen_fd = -1;
	broker_refuse_waiters(d, "ERROR unavailable the feast-sidecar daemon is shutting down");
}

static bool finished(const struct daemon *d)
{
	if (d->forced)
		return true;
	bool idle = !d->owner && !d->calling && !d->pending && d->m.state == LEASE_IDLE;
	if (d->draining)
		return idle;
	return d->direct && idle && !d->clients;
}

enum { PF_STOP, PF_SIG, PF_LISTEN, PF_HTTP, PF_WORKER, PF_READY, PF_FIXED };

static int build_poll(struct daemon *d, struct pollfd *p, struct client **who)
{
	p[PF_STOP] = (struct pollfd){ d->stop_fd, POLLIN, 0 };
	p[PF_SIG] = (struct pollfd){ d->sig_fd, POLLIN, 0 };
	p[PF_LISTEN] = (struct pollfd){ d->listen_fd, POLLIN, 0 };
	p[PF_HTTP] = (struct pollfd){ d->http_fd, POLLIN, 0 };
	p[PF_WORKER] = (struct pollfd){ d->w.efd, POLLIN, 0 };
	p[PF_READY] = (struct pollfd){ d->ready ? readiness_fd(d->ready) : -1, POLLIN, 0 };
	int n = PF_FIXED;
	for (struct client *c = d->clients; c; c = c->next)
		if (c->fd >= 0) {
			who[n] = c;
			p[n++] = (struct pollfd){ c->fd, POLLIN, 0 };
		}
	for (int i = 0; i < HTTPD_MAX_CONNS; i++)
		if (d->http[i].fd >= 0) {
			who[n] = NULL;
			p[n++] = (struct pollfd){ d->http[i].fd, POLLIN, 0 };
		}
	return n;
}

static void on_signals(struct daemon *d)
{
	for (int sig; (sig = wrap_next_signal(d->sig_fd));)
		if (sig != SIGCHLD)
			begin_drain(d, strsignal(sig));
}

static void dispatch(struct daemon *d, struct pollfd *p, struct client **who, int n)
{
	if (p[PF_STOP].revents)
		begin_drain(d, "stop requested");
	if (p[PF_SIG].revents)
		on_signals(d);
	if (p[PF_LISTEN].revents)
		broker_accept(d);
	if (p[PF_HTTP].revents)
		httpd_accept(d->http_fd, d->http, mono_ms());
	for (int i = PF_FIXED; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (who[i]) {
			broker_read(d, who[i]);
			continue;
		}
		for (int k = 0; k < HTTPD_MAX_CONNS; k++)
			if (d->http[k].fd == p[i].fd)
				httpd_read(&d->http[k], daemon_route, d);
	}
	if (p[PF_WORKER].revents)
		driver_on_worker(d);
}

static void loop(struct daemon *d)
{
	struct pollfd p[PF_FIXED + MAX_CLIENTS + HTTPD_MAX_CONNS];
	struct client *who[PF_FIXED + MAX_CLIENTS + HTTPD_MAX_CONNS];
	driver_drive(d);
	while (!finished(d)) {
		int64_t now = mono_ms();
		int64_t t = next_timer(d, now);
		int timeout = t == LEASE_NEVER ? -1 : t <= now ? 0 : (int)(t - now > 3600000 ? 3600000 : t - now);
		int n = build_poll(d, p, who);
		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		dispatch(d, p, who, n);
		now = mono_ms();
		broker_timers(d, now);
		if (d->watching && !d->calling && now >= d->wake)
			io_worker_wake(&d->w); /* time to act: the watch must let go of the worker */
		driver_drive(d);
		broker_sweep(d);
		if (d->ready) {
			if (d->m.have_obs)
				readiness_generation(d->ready, d->m.generation, now);
			readiness_poll(d->ready, now);
		}
	}
}

static void shutdown_daemon(struct daemon *d)
{
	io_worker_stop(&d->w);
	broker_free(d);
	for (int i = 0; i < HTTPD_MAX_CONNS; i++)
		if (d->http[i].fd >= 0)
			close(d->http[i].fd);
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->http_fd >= 0)
		close(d->http_fd);
}

int daemon_run(const struct daemon_opts *o, int stop_fd)
{
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d)
		return 70;
	d->cfg = o->cfg;
	d->ready = o->ready;
	d->listen_fd = o->listen_fd;
	d->http_fd = o->http_fd;
	d->stop_fd = stop_fd;
	d->sig_fd = o->signals ? wrap_signals() : -1;
	d->direct = o->client_fd >= 0;
	d->lv = d->direct ? 1 : 0;
	for (int i = 0; i < HTTPD_MAX_CONNS; i++)
		d->http[i].fd = -1;
	driver_init_env(d);
	int rc = 0;
	if (lease_init(&d->m, &d->env, &o->cfg->timing, o->cfg->identity) < 0 || io_worker_start(&d->w, o->io) < 0) {
		slog(0, "daemon: cannot start");
		o->io->ops->destroy(o->io);
		free(d);
		return 70;
	}
	if (o->client_fd >= 0)
		broker_add(d, o->client_fd);
	slog(1, "daemon: serving Lease %s as %s", o->cfg->lease, o->cfg->identity);
	loop(d);
	if (d->forced && lease_held(&d->m))
		slog(0, "daemon: exiting while holding %s; it expires after %lld ms", o->cfg->lease,
		     (long long)o->cfg->timing.lease_ms);
	shutdown_daemon(d);
	free(d);
	return rc;
}
