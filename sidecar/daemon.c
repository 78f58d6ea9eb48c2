/* daemon.c -- the lock broker's poll loop: Lease machine, I/O worker, local clients, HTTP. */
#include "daemon.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "httpd.h"
#include "json.h"
#include "lease.h"
#include "lease_io.h"
#include "proto.h"
#include "readiness.h"
#include "slog.h"
#include "wrap.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define WATCH_MAX_MS 300000   /* restart watches at least every 5 minutes */
#define STUCK_SLACK_MS 5000   /* /healthz: a request this far past its timeout means a wedged worker */

enum cstate { C_NEW, C_WAITING, C_GRANTED, C_GRACE, C_RELEASING, C_LOST, C_DONE };

struct client {
	struct client *next;
	int fd;               /* -1 once the connection ended */
	unsigned id;
	enum cstate st;
	int64_t deadline;     /* waiting: give up at; grace: release at */
	int64_t active;       /* when it last sent a line (or connected) */
	uint64_t mark;        /* attempts counter when it began to wait */
	pid_t pid;
	uid_t uid;
	bool dead;
	struct linebuf lb;
};

struct daemon {
	const struct sc_config *cfg;
	struct lease_machine m;
	struct lease_env env;
	uint64_t rng;
	struct io_worker w;
	bool calling, watching, pending;
	struct lease_req pending_req;
	int64_t wake, watch_deadline, watch_retry_at, watch_backoff;
	int listen_fd, http_fd, stop_fd, sig_fd;
	struct client *clients, *owner;
	unsigned next_id, nclients;
	uint64_t attempts;
	bool direct, draining, forced;
	int lv;                   /* level of routine log lines: 1 inside `lock`, 0 in the daemon */
	enum lease_result err_result;
	char err_msg[256];
	struct http_conn http[HTTPD_MAX_CONNS];
	struct readiness *ready;  /* NULL: a lock broker only */
};

/* ---- environment for the machine ---- */

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

/* ---- clients ---- */

static const char *why_word(enum lease_why w)
{
	return w == WHY_NONE ? "held" : lease_why_name(w);
}

static void say(struct daemon *d, struct client *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(struct daemon *d, struct client *c, const char *fmt, ...)
{
	(void)d;
	if (c->fd < 0)
		return;
	char line[PROTO_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A client whose socket buffer is full is not reading: drop it (its
	 * lock, if any, then goes through the kill grace). */
	if (proto_send(c->fd, true, "%s", line) < 0) {
		slog(0, "client %u: cannot write (%s); closing", c->id, strerror(errno));
		shutdown(c->fd, SHUT_RDWR);
	}
}

static struct client *head_waiter(const struct daemon *d)
{
	for (struct client *c = d->clients; c; c = c->next)
		if (c->st == C_WAITING)
			return c;
	return NULL;
}

static void update_want(struct daemon *d)
{
	lease_want(&d->m, d->owner != NULL || head_waiter(d) != NULL);
}

static void grant(struct daemon *d, struct client *c)
{
	d->owner = c;
	c->st = C_GRANTED;
	if (d->ready)
		readiness_apply_begin(d->ready, mono_ms());
	slog(d->lv, "lock: granted to client %u (pid %d, uid %d), fence %d", c->id, (int)c->pid, (int)c->uid, d->m.fence);
	say(d, c, "GRANTED %s %lld %d %lld", d->m.me, (long long)lease_valid_ms(&d->m), d->m.fence,
	    (long long)d->cfg->timing.kill_grace_ms);
}

static void refuse(struct daemon *d, struct client *c, const char *line)
{
	say(d, c, "%s", line);
	c->st = C_DONE;
	(void)d;
}

/* Waiters whose time is up.  The first waiter is the one the Lease is being
 * acquired for: it is answered with the reason of an attempt that ended after
 * it arrived (so --no-wait makes one real attempt), others at once. */
static void expire_waiters(struct daemon *d, int64_t now)
{
	struct client *head = d->owner ? NULL : head_waiter(d);
	for (struct client *c = d->clients; c; c = c->next) {
		if (c->st != C_WAITING || now < c->deadline)
			continue;
		if (c != head) {
			refuse(d, c, "TIMEOUT held");
		} else if (d->attempts > c->mark || now >= c->deadline + d->cfg->timing.request_timeout_ms + 1000) {
			char line[64];
			snprintf(line, sizeof(line), "TIMEOUT %s", why_word(d->m.why));
			refuse(d, c, line);
		} else {
			continue;
		}
		slog(1, "client %u: not acquired in time", c->id);
	}
}

/* Errors that waiting will not fix: refuse every waiter at once. */
static void fail_fast(struct daemon *d)
{
	const char *kind = NULL;
	if (d->m.why == WHY_CONFIG)
		kind = "config";
	else if (d->m.why == WHY_FORBIDDEN && d->err_result == LR_FORBIDDEN)
		kind = "unavailable";
	if (!kind)
		return;
	for (struct client *c = d->clients; c; c = c->next)
		if (c->st == C_WAITING) {
			char line[400];
			snprintf(line, sizeof(line), "ERROR %s %s", kind, d->err_msg[0] ? d->err_msg : lease_why_name(d->m.why));
			refuse(d, c, line);
		}
}

static void on_lost(struct daemon *d)
{
	slog(0, "lease: LOST %s (fence %d)", d->cfg->lease, d->m.fence);
	struct client *o = d->owner;
	if (!o)
		return;
	d->owner = NULL;
	if (d->ready)
		readiness_apply_end(d->ready, mono_ms());
	if (o->st == C_GRANTED) {
		say(d, o, "LOST lease");
		o->st = C_LOST;
	} else {
		o->dead = o->fd < 0;
		o->st = C_DONE;
	}
}

static void on_released(struct daemon *d)
{
	slog(d->lv, "lease: released %s%s (generation %lld)", d->cfg->lease, d->m.release_ok ? "" : " (unconfirmed)",
	     (long long)d->m.generation);
	struct client *o = d->owner;
	if (!o)
		return;
	d->owner = NULL;
	if (d->ready)
		readiness_apply_end(d->ready, mono_ms());
	if (o->st == C_RELEASING)
		say(d, o, "RELEASED %lld %s", (long long)d->m.generation, d->m.release_ok ? "ok" : "unconfirmed");
	o->st = C_DONE;
	o->dead = o->fd < 0;
}

/* React to the machine's events; true when wants may have changed. */
static bool handle_events(struct daemon *d)
{
	unsigned ev = lease_events(&d->m);
	if (ev & LEV_ACQUIRED) {
		slog(d->lv, "lease: acquired %s as %s (fence %d)", d->cfg->lease, d->m.me, d->m.fence);
		struct client *c = head_waiter(d);
		if (c && !d->owner)
			grant(d, c);
		else
			lease_release(&d->m, false);
	}
	if ((ev & LEV_RENEWED) && d->owner && d->owner->st == C_GRANTED)
		say(d, d->owner, "HELD %lld", (long long)lease_valid_ms(&d->m));
	if (ev & LEV_LOST)
		on_lost(d);
	if (ev & LEV_RELEASED)
		on_released(d);
	if (ev & LEV_ATTEMPT) {
		d->attempts++;
		slog(1, "lease: not acquired: %s%s%s", why_word(d->m.why), d->err_msg[0] ? ": " : "", d->err_msg);
		fail_fast(d);
		expire_waiters(d, mono_ms());
	}
	return ev != 0;
}

/* ---- the machine and the worker ---- */

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

static void drive(struct daemon *d)
{
	for (int round = 0; round < 8 && !d->calling && !d->pending; round++) {
		update_want(d);
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

static void on_worker(struct daemon *d)
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
	drive(d);
}

/* ---- status ---- */

static bool healthy(const struct daemon *d, char *why, size_t n)
{
	int64_t now = mono_ms();
	if (d->calling && now - d->w.started > d->cfg->timing.request_timeout_ms + STUCK_SLACK_MS) {
		snprintf(why, n, "API request stuck for %lld ms", (long long)(now - d->w.started));
		return false;
	}
	if (d->watching && now > d->watch_deadline + STUCK_SLACK_MS) {
		snprintf(why, n, "watch stuck for %lld ms past its deadline", (long long)(now - d->watch_deadline));
		return false;
	}
	if (lease_held(&d->m) && now > d->m.valid_until + STUCK_SLACK_MS) {
		snprintf(why, n, "holding past the renew deadline");
		return false;
	}
	return true;
}

static void status_json(const struct daemon *d, struct buf *b)
{
	const struct lease_record *r = &d->m.obs.rec;
	bool known = d->m.have_obs;
	unsigned waiters = 0;
	for (const struct client *c = d->clients; c; c = c->next)
		waiters += c->st == C_WAITING;
	buf_adds(b, "{\"lease\":");
	json_quote(b, d->cfg->lease, (size_t)-1);
	buf_adds(b, ",\"namespace\":");
	json_quote(b, d->cfg->namespace ? d->cfg->namespace : "", (size_t)-1);
	buf_adds(b, ",\"me\":");
	json_quote(b, d->m.me, (size_t)-1);
	buf_adds(b, ",\"holder\":");
	json_quote(b, known ? r->holder : "", (size_t)-1);
	buf_addf(b, ",\"held\":%s,\"state\":\"%s\",\"transitions\":%d,\"generation\":%lld,\"validMs\":%lld",
		 lease_held(&d->m) ? "true" : "false", lease_state_name(d->m.state), known ? r->transitions : 0,
		 (long long)d->m.generation, (long long)lease_valid_ms(&d->m));
	buf_addf(b, ",\"waiters\":%u,\"granted\":%s,\"watching\":%s,\"lastError\":", waiters,
		 d->owner && d->owner->st == C_GRANTED ? "true" : "false", d->m.watching ? "true" : "false");
	json_quote(b, d->err_msg, (size_t)-1);
	if (d->ready)
		readiness_status(d->ready, mono_ms(), b);
	buf_adds(b, "}");
}

static int route(void *ctx, const char *path, struct buf *body)
{
	struct daemon *d = ctx;
	char why[200];
	if (!strcmp(path, "/healthz")) {
		if (!healthy(d, why, sizeof(why))) {
			buf_adds(body, "{\"status\":\"unhealthy\",\"reason\":");
			json_quote(body, why, (size_t)-1);
			buf_adds(body, "}\n");
			return 503;
		}
		buf_adds(body, "{\"status\":\"ok\"}\n");
		return 200;
	}
	if (!strcmp(path, "/readyz")) {
		if (d->ready)
			return readiness_http(d->ready, mono_ms(), body);
		buf_addf(body, "{\"ready\":%s}\n", d->draining ? "false" : "true");
		return d->draining ? 503 : 200;
	}
	if (!strcmp(path, "/leader")) {
		buf_adds(body, "{\"holder\":");
		json_quote(body, d->m.have_obs ? d->m.obs.rec.holder : "", (size_t)-1);
		buf_adds(body, ",\"me\":");
		json_quote(body, d->m.me, (size_t)-1);
		buf_addf(body, ",\"held\":%s}\n", lease_held(&d->m) ? "true" : "false");
		return 200;
	}
	if (!strcmp(path, "/status")) {
		status_json(d, body);
		buf_addc(body, '\n');
		return 200;
	}
	buf_adds(body, "{\"error\":\"not found\"}\n");
	return 404;
}

/* ---- client requests ---- */

static void on_acquire(struct daemon *d, struct client *c, char **w, int n)
{
	long long timeout;
	if (c->st != C_NEW) {
		say(d, c, "ERROR usage one ACQUIRE per connection");
		return;
	}
	if (n != 3 || !proto_num(w[2], &timeout)) {
		say(d, c, "ERROR usage ACQUIRE <lease|-> <timeout_ms|-1>");
		return;
	}
	if (strcmp(w[1], "-") != 0 && strcmp(w[1], d->cfg->lease) != 0) {
		say(d, c, "ERROR config this daemon serves Lease %s, not %s", d->cfg->lease, w[1]);
		return;
	}
	if (d->draining) {
		say(d, c, "ERROR unavailable the feast-sidecar daemon is shutting down");
		return;
	}
	int64_t now = mono_ms();
	c->st = C_WAITING;
	c->deadline = timeout < 0 ? LEASE_NEVER : now + timeout;
	c->mark = d->attempts;
	slog(1, "client %u (pid %d, uid %d): ACQUIRE %s, timeout %lld ms", c->id, (int)c->pid, (int)c->uid,
	     d->cfg->lease, timeout);
	expire_waiters(d, now);
}

static void on_release(struct daemon *d, struct client *c, char **w, int n)
{
	bool bump = n >= 2 && !strcmp(w[1], "bump");
	if (c->st == C_GRANTED) {
		slog(1, "client %u: RELEASE%s", c->id, bump ? " bump" : "");
		c->st = C_RELEASING;
		lease_release(&d->m, bump);
	} else if (c->st == C_LOST) {
		say(d, c, "RELEASED %lld lost", (long long)d->m.generation);
		c->st = C_DONE;
	} else {
		say(d, c, "ERROR usage nothing to release");
	}
}

static void on_line(struct daemon *d, struct client *c, char *line)
{
	char *w[PROTO_MAX_WORDS];
	int n = proto_words(line, w, PROTO_MAX_WORDS);
	if (n == 0)
		return;
	char why[200];
	if (!strcmp(w[0], "ACQUIRE")) {
		on_acquire(d, c, w, n);
	} else if (!strcmp(w[0], "RELEASE")) {
		on_release(d, c, w, n);
	} else if (!strcmp(w[0], "STATUS")) {
		struct buf b = BUF_INIT;
		status_json(d, &b);
		say(d, c, "STATUS %s", b.data);
		buf_release(&b);
	} else if (!strcmp(w[0], "CHECK") && n == 2 && (!strcmp(w[1], "live") || !strcmp(w[1], "ready"))) {
		bool ready = !strcmp(w[1], "ready");
		if (ready && d->ready) {
			/* Readiness is local: a wedged API request is liveness's business. */
			readiness_reason(d->ready, mono_ms(), why, sizeof(why));
			if (readiness_ready(d->ready))
				say(d, c, "OK");
			else
				say(d, c, "FAIL %s", why);
		} else if (!healthy(d, why, sizeof(why)))
			say(d, c, "FAIL %s", why);
		else if (ready && d->draining)
			say(d, c, "FAIL draining");
		else
			say(d, c, "OK");
	} else {
		say(d, c, "ERROR usage unknown request %s", w[0]);
	}
}

static void client_gone(struct daemon *d, struct client *c)
{
	close(c->fd);
	c->fd = -1;
	if (c->st == C_GRANTED) {
		/* Its command may still be running (a wrapper killed without
		 * being PID 1): keep the lock for the kill grace, then let go. */
		c->st = C_GRACE;
		c->deadline = mono_ms() + d->cfg->timing.kill_grace_ms;
		slog(0, "client %u: connection closed without RELEASE; keeping the lock %lld ms before releasing",
		     c->id, (long long)d->cfg->timing.kill_grace_ms);
	} else if (c->st != C_RELEASING && c->st != C_GRACE) {
		c->dead = true;
	}
}

static void on_client(struct daemon *d, struct client *c)
{
	int r = linebuf_fill(&c->lb, c->fd);
	char line[PROTO_LINE_MAX];
	while (c->fd >= 0 && linebuf_next(&c->lb, line, sizeof(line))) {
		c->active = mono_ms();
		on_line(d, c, line);
	}
	if (r == 0 || r == -1 || r == -3)
		client_gone(d, c);
}

static void add_client(struct daemon *d, int fd)
{
	if (d->nclients >= MAX_CLIENTS) {
		proto_send(fd, true, "ERROR unavailable too many clients");
		close(fd);
		return;
	}
	struct client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->id = ++d->next_id;
	c->active = mono_ms();
	c->pid = -1;
	c->uid = (uid_t)-1;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	/* The peer's pid is 0 when it lives in another PID namespace (another
	 * container of the pod): logged as such. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		c->pid = cred.pid, c->uid = cred.uid;
	struct client **tail = &d->clients;
	while (*tail)
		tail = &(*tail)->next;
	*tail = c;
	d->nclients++;
}

static void accept_clients(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		add_client(d, fd);
	}
}

static void sweep(struct daemon *d)
{
	for (struct client **p = &d->clients; *p;) {
		struct client *c = *p;
		if (c->st == C_DONE && c->fd < 0)
			c->dead = true;
		if (c->dead && c != d->owner) {
			if (c->fd >= 0)
				close(c->fd);
			*p = c->next;
			free(c);
			d->nclients--;
		} else {
			p = &c->next;
		}
	}
}

/* Waiting for a request (new, or answered and done): the only states in which the client
 * owes the next word. */
static bool idle_state(const struct client *c)
{
	return c->fd >= 0 && (c->st == C_NEW || c->st == C_DONE);
}

/* Each connection holds one of MAX_CLIENTS slots: one that asks nothing must not keep it. */
static void idle_timers(struct daemon *d, int64_t now)
{
	for (struct client *c = d->clients; c; c = c->next)
		if (idle_state(c) && now >= c->active + d->cfg->idle_ms) {
			slog(1, "client %u: nothing asked in %lld ms; closing", c->id, (long long)d->cfg->idle_ms);
			say(d, c, "ERROR usage no request in %lld ms; closing", (long long)d->cfg->idle_ms);
			client_gone(d, c);
		}
}

static void grace_timers(struct daemon *d, int64_t now)
{
	struct client *o = d->owner;
	if (o && o->st == C_GRACE && o->deadline != LEASE_NEVER && now >= o->deadline) {
		o->deadline = LEASE_NEVER; /* released once; now waiting for RELEASED */
		lease_release(&d->m, false);
	}
	expire_waiters(d, now);
	idle_timers(d, now);
}

static int64_t next_timer(const struct daemon *d, int64_t now)
{
	int64_t t = d->calling ? LEASE_NEVER : d->wake;
	for (const struct client *c = d->clients; c; c = c->next) {
		int64_t at = c->deadline;
		if (c->st == C_WAITING && at <= now)
			at = now + 100; /* waiting for an attempt to end */
		if ((c->st == C_WAITING || c->st == C_GRACE) && at < t)
			t = at;
		if (idle_state(c) && c->active + d->cfg->idle_ms < t)
			t = c->active + d->cfg->idle_ms;
	}
	int64_t h = httpd_expire((struct http_conn *)d->http, now);
	if (d->ready && readiness_next(d->ready, now) < h)
		h = readiness_next(d->ready, now);
	return h < t ? h : t;
}

/* ---- the loop ---- */

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
	for (struct client *c = d->clients; c; c = c->next)
		if (c->st == C_WAITING)
			refuse(d, c, "ERROR unavailable the feast-sidecar daemon is shutting down");
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
		accept_clients(d);
	if (p[PF_HTTP].revents)
		httpd_accept(d->http_fd, d->http, mono_ms());
	for (int i = PF_FIXED; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (who[i]) {
			on_client(d, who[i]);
			continue;
		}
		for (int k = 0; k < HTTPD_MAX_CONNS; k++)
			if (d->http[k].fd == p[i].fd)
				httpd_read(&d->http[k], route, d);
	}
	if (p[PF_WORKER].revents)
		on_worker(d);
}

static void loop(struct daemon *d)
{
	struct pollfd p[PF_FIXED + MAX_CLIENTS + HTTPD_MAX_CONNS];
	struct client *who[PF_FIXED + MAX_CLIENTS + HTTPD_MAX_CONNS];
	drive(d);
	while (!finished(d)) {
		int64_t now = mono_ms();
		int64_t t = next_timer(d, now);
		int timeout = t == LEASE_NEVER ? -1 : t <= now ? 0 : (int)(t - now > 3600000 ? 3600000 : t - now);
		int n = build_poll(d, p, who);
		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		dispatch(d, p, who, n);
		now = mono_ms();
		grace_timers(d, now);
		if (d->watching && !d->calling && now >= d->wake)
			io_worker_wake(&d->w); /* time to act: the watch must let go of the worker */
		drive(d);
		sweep(d);
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
	for (struct client *c = d->clients, *next; c; c = next) {
		next = c->next;
		if (c->fd >= 0)
			close(c->fd);
		free(c);
	}
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
	d->rng = (uint64_t)mono_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)d;
	for (int i = 0; i < HTTPD_MAX_CONNS; i++)
		d->http[i].fd = -1;
	d->env = (struct lease_env){ env_now, env_wall, env_rand, d };
	int rc = 0;
	if (lease_init(&d->m, &d->env, &o->cfg->timing, o->cfg->identity) < 0 || io_worker_start(&d->w, o->io) < 0) {
		slog(0, "daemon: cannot start");
		o->io->ops->destroy(o->io);
		free(d);
		return 70;
	}
	if (o->client_fd >= 0)
		add_client(d, o->client_fd);
	slog(1, "daemon: serving Lease %s as %s", o->cfg->lease, o->cfg->identity);
	loop(d);
	if (d->forced && lease_held(&d->m))
		slog(0, "daemon: exiting while holding %s; it expires after %lld ms", o->cfg->lease,
		     (long long)o->cfg->timing.lease_ms);
	shutdown_daemon(d);
	free(d);
	return rc;
}
