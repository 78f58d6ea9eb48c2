/* daemon_lease.c -- the broker's Lease driver: the machine's environment, requests and watches on the worker. */
#include "clock.h"
#include "config.h"
#include "daemon_int.h"
#include "readiness.h"
#include "slog.h"

#include <string.h>
#include <unistd.h>

#define WATCH_MAX_MS 300000   /* restart watches at least every 5 minutes */

static int64_t env_now(void *ctx)
{
	(void)ctx;
	return mono_ms();
}

static void env_wall(void *ctx, char *out, size_t n)
{
	(void)ctx;
	wall_micro(out, n);
}

static uint32_t env_rand(void *ctx)
{
	struct daemon *d = ctx;
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return (uint32_t)(d->rng >> 16);
}

/* React to the machine's events; true when wants may have changed. */
static bool handle_events(struct daemon *d)
{
	unsigned ev = lease_events(&d->m);
	if (ev & LEV_ACQUIRED) {
		slog(d->lv, "lease: acquired %s as %s (fence %d)", d->cfg->lease, d->m.me, d->m.fence);
		broker_acquired(d);
	}
	if (ev & LEV_RENEWED)
		broker_renewed(d);
	if (ev & LEV_LOST) {
		slog(0, "lease: LOST %s (fence %d)", d->cfg->lease, d->m.fence);
		broker_lost(d);
	}
	if (ev & LEV_RELEASED) {
		slog(d->lv, "lease: released %s%s (generation %lld)", d->cfg->lease,
		     d->m.release_ok ? "" : " (unconfirmed)", (long long)d->m.generation);
		broker_released(d);
	}
	if (ev & LEV_ATTEMPT) {
		d->attempts++;
		slog(1, "lease: not acquired: %s%s%s", why_word(d->m.why), d->err_msg[0] ? ": " : "", d->err_msg);
		broker_attempt_ended(d);
	}
	return ev != 0;
}

static void submit(struct daemon *d, const struct lease_req *req)
{
	static const char *const ops[] = { "GET", "POST", "PUT" };
	slog(2, "lease: %s %s rv=%s holder=%s", ops[req->op], d->cfg->lease, req->rv, req->rec.holder);
	d->calling = true;
	io_worker_call(&d->w, req);
}

static void maybe_watch(struct daemon *d, int64_t now)
{
	/* The machine may skip polling only while a watch really runs (or is
	 * about to restart from where the last one stopped). */
	if (!d->watching && !(d->m.state == LEASE_STANDBY && d->m.want))
		lease_set_watching(&d->m, false);
	if (d->calling || d->watching || d->pending || !d->w.io->ops->watch)
		return;
	/* A pod that is not ready yet follows the Lease too: each new registry
	 * generation restarts its sync window (readiness.h). */
	bool follow = (d->m.state == LEASE_STANDBY && d->m.want) ||
		      (d->m.state == LEASE_IDLE && d->ready && !d->draining && !readiness_ready(d->ready));
	if (!follow || now < d->watch_retry_at || d->wake <= now)
		return;
	/* The loop wakes the watch when the machine needs the worker (its wake
	 * time, or a request to send), so the watch itself may run long: one
	 * watch request per WATCH_MAX_MS while nothing changes. */
	d->watch_deadline = now + WATCH_MAX_MS;
	d->watching = true;
	io_worker_watch(&d->w, d->watch_deadline);
}

void driver_drive(struct daemon *d)
{
	for (int round = 0; round < 8 && !d->calling && !d->pending; round++) {
		broker_update_want(d);
		struct lease_req req;
		int64_t wake;
		enum lease_action a = lease_next(&d->m, &req, &wake);
		bool changed = handle_events(d);
		if (a == LEASE_ACT_SEND) {
			if (d->watching) {
				d->pending = true; /* sent once the watch has let go of the worker */
				d->pending_req = req;
				io_worker_wake(&d->w);
			} else {
				submit(d, &req);
			}
			return;
		}
		d->wake = wake;
		if (!changed)
			break;
	}
	maybe_watch(d, mono_ms());
}

static void note_failure(struct daemon *d, enum lease_result r, const char *msg)
{
	if (r == LR_OK || r == LR_NOT_FOUND || r == LR_CONFLICT)
		return;
	if (r != d->err_result || strcmp(msg, d->err_msg) != 0)
		slog(0, "lease: %s: %s%s%s", d->w.io->where, lease_result_name(r), *msg ? ": " : "", msg);
	d->err_result = r;
	snprintf(d->err_msg, sizeof(d->err_msg), "%s", msg);
}

static void on_watch_end(struct daemon *d, int rc, bool any, const char *msg)
{
	d->watching = false;
	if (rc == LIO_WATCH_BROKEN) {
		/* Fall back to polling and try again later, backing off. */
		lease_set_watching(&d->m, false);
		d->watch_backoff = d->watch_backoff ? d->watch_backoff * 2 : d->cfg->timing.retry_ms;
		if (d->watch_backoff > 60000)
			d->watch_backoff = 60000;
		d->watch_retry_at = mono_ms() + d->watch_backoff;
		slog(1, "lease: watch broken (%s); polling for %lld ms", msg, (long long)d->watch_backoff);
	} else if (any) {
		d->watch_backoff = 0;
	}
}

void driver_on_worker(struct daemon *d)
{
	io_worker_drain(&d->w);
	io_worker_lock(&d->w);
	bool call = d->w.call_done, ev = d->w.ev_pending, wend = d->w.watch_done;
	enum lease_result r = d->w.result;
	struct lease_obj obj = d->w.obj, evo = d->w.ev_obj;
	bool deleted = d->w.ev_deleted, any = d->w.ev_any;
	int rc = d->w.watch_rc;
	char msg[256];
	memcpy(msg, d->w.msg, sizeof(msg));
	d->w.ev_pending = false;
	if (call || wend) {
		d->w.call_done = d->w.watch_done = false;
		d->w.state = IO_IDLE;
	}
	io_worker_unlock(&d->w);
	if (ev) {
		lease_set_watching(&d->m, true);
		if (deleted)
			lease_observe_deleted(&d->m);
		else
			lease_observe(&d->m, &evo);
	}
	if (wend)
		on_watch_end(d, rc, any, msg);
	if (call) {
		d->calling = false;
		note_failure(d, r, msg);
		lease_done(&d->m, r, r == LR_OK ? &obj : NULL);
	}
	if (d->pending && !d->watching) {
		d->pending = false;
		submit(d, &d->pending_req);
	}
	driver_drive(d);
}

void driver_init_env(struct daemon *d)
{
	d->rng = (uint64_t)mono_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)d;
	d->env = (struct lease_env){ env_now, env_wall, env_rand, d };
}
