/* daemon_broker.c -- the broker's local clients: the wait queue, grants, the socket requests, timers. */
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "daemon_int.h"
#include "readiness.h"
#include "slog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

void broker_update_want(struct daemon *d)
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

/* The Lease is no longer held for the owner (lost or released): it stops being the owner.
 * NULL when there was none. */
static struct client *end_grant(struct daemon *d)
{
	struct client *o = d->owner;
	if (!o)
		return NULL;
	d->owner = NULL;
	if (d->ready)
		readiness_apply_end(d->ready, mono_ms());
	return o;
}

void broker_lost(struct daemon *d)
{
	struct client *o = end_grant(d);
	if (!o)
		return;
	if (o->st == C_GRANTED) {
		say(d, o, "LOST lease");
		o->st = C_LOST;
	} else {
		o->dead = o->fd < 0;
		o->st = C_DONE;
	}
}

void broker_released(struct daemon *d)
{
	struct client *o = end_grant(d);
	if (!o)
		return;
	if (o->st == C_RELEASING)
		say(d, o, "RELEASED %lld %s", (long long)d->m.generation, d->m.release_ok ? "ok" : "unconfirmed");
	o->st = C_DONE;
	o->dead = o->fd < 0;
}

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
		daemon_status_json(d, &b);
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
		} else if (!daemon_healthy(d, why, sizeof(why)))
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

void broker_read(struct daemon *d, struct client *c)
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

void broker_add(struct daemon *d, int fd)
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

void broker_accept(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		broker_add(d, fd);
	}
}

void broker_sweep(struct daemon *d)
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

void broker_timers(struct daemon *d, int64_t now)
{
	struct client *o = d->owner;
	if (o && o->st == C_GRACE && o->deadline != LEASE_NEVER && now >= o->deadline) {
		o->deadline = LEASE_NEVER; /* released once; now waiting for RELEASED */
		lease_release(&d->m, false);
	}
	expire_waiters(d, now);
	idle_timers(d, now);
}

int64_t broker_next_timer(const struct daemon *d, int64_t now, int64_t t)
{
	for (const struct client *c = d->clients; c; c = c->next) {
		int64_t at = c->deadline;
		if (c->st == C_WAITING && at <= now)
			at = now + 100; /* waiting for an attempt to end */
		if ((c->st == C_WAITING || c->st == C_GRACE) && at < t)
			t = at;
		if (idle_state(c) && c->active + d->cfg->idle_ms < t)
			t = c->active + d->cfg->idle_ms;
	}
	return t;
}

void broker_acquired(struct daemon *d)
{
	struct client *c = head_waiter(d);
	if (c && !d->owner)
		grant(d, c);
	else
		lease_release(&d->m, false);
}

/* Heartbeat: each renewal tells the holder how long its lock is good for. */
void broker_renewed(struct daemon *d)
{
	if (d->owner && d->owner->st == C_GRANTED)
		say(d, d->owner, "HELD %lld", (long long)lease_valid_ms(&d->m));
}

void broker_attempt_ended(struct daemon *d)
{
	fail_fast(d);
	expire_waiters(d, mono_ms());
}

void broker_refuse_waiters(struct daemon *d, const char *line)
{
	for (struct client *c = d->clients; c; c = c->next)
		if (c->st == C_WAITING)
			refuse(d, c, line);
}

void broker_free(struct daemon *d)
{
	for (struct client *c = d->clients, *next; c; c = next) {
		next = c->next;
		if (c->fd >= 0)
			close(c->fd);
		free(c);
	}
	d->clients = NULL;
}
