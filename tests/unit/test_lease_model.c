/* test_lease_model.c -- many simulated candidates, one simulated API server, drifting clocks.
 *
 * A discrete-event simulation in real time (microseconds).  Each candidate
 * runs the real lease machine (sidecar/daemon/lease.c) on its own monotonic clock,
 * local = offset + real x (1 + drift) with drift within +-1 %, behind a
 * driver that behaves like the daemon: one request at a time, a per-request
 * timeout, a watch on the Lease.  Each candidate also models the broker and
 * the `lock` wrapper: a client arrives, is granted on acquisition, runs for
 * a while, and its child is killed when the lease is lost or its own
 * heartbeat deadline passes (dying at most kill-grace later).
 *
 * The API server serialises writes and enforces resourceVersion
 * preconditions.  Faults: request latency beyond the request timeout, hung
 * requests, 5xx, responses dropped after commit, watches that break or
 * silently lose events, daemon crashes and restarts (same or new identity),
 * daemon stalls (the wrapper keeps its own deadline).
 *
 * Checked: guarded intervals [grant, child dead] never overlap; fencing
 * tokens grow with every grant; a takeover of a record that was not released
 * commits no earlier than L/(1+rho) after that record; and, in fault-free
 * runs, liveness: takeover after a crash within L + 2.2 R + T_req (+ network
 * delays) of the dead holder's last write, and a handoff after a release
 * within one retry period.  A control run with timings that violate the
 * start-up constraint must find overlaps, so the checker can fail.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"

#define MAXC 50
#define US 1000LL /* microseconds per millisecond */

enum ev_kind {
	EV_WAKE, EV_ARRIVE, EV_REPLY, EV_TIMEOUT, EV_WATCH, EV_WANT, EV_WORK_DONE,
	EV_WRAP_DEADLINE, EV_CHILD_DEAD, EV_EOF_GRACE, EV_RELEASE, EV_CRASH, EV_RESTART, EV_STALL,
	EV_WATCH_TOGGLE,
};

struct event {
	int64_t t;      /* real time, us */
	uint64_t seq;   /* FIFO among equal times */
	enum ev_kind kind;
	int c;
	uint64_t tag;   /* epoch / request / child generation the event belongs to */
	enum lease_result r;
	struct lease_req req;
	struct lease_obj obj;
	bool drop_reply;
};

struct interval {
	int c;
	int64_t start, end; /* end -1: still running */
	int32_t fence;
};

struct write_rec {
	int64_t t;
	int c;
	uint64_t epoch;
};

struct cand {
	struct lease_machine m;
	struct lease_env env;
	char id[32];
	double drift;
	int64_t off_ms;
	bool alive;
	uint64_t epoch;            /* daemon incarnation */
	int64_t stalled_until;
	/* driver */
	bool req_out;
	uint64_t req_tag;
	int64_t req_sent_local;
	uint64_t wake_tag;
	bool watch_on, watch_silent;
	int64_t last_watch_t;
	/* broker + wrapper */
	bool client;               /* a client is connected and wants the lock */
	int64_t wait_since;        /* real time the client arrived */
	int64_t waited_us, held_us; /* for client-go's request count */
	int64_t granted_at;
	int grants;
	bool granted, child_alive, killing;
	uint64_t child_tag;
	int64_t wrap_deadline;     /* local ms */
	int iv;                    /* index of the running interval */
};

struct faults {
	double hang, err5xx, drop_reply, slow, silent_watch;
	int64_t slow_max_ms;
	double crash_per_min, stall_per_min, watch_break_per_min;
	int64_t stall_max_ms;
	bool same_identity_restart;
};

struct sim {
	struct lease_timing t;
	int n;
	struct cand c[MAXC];
	struct faults f;
	bool watch;                /* candidates use watches */
	uint64_t rng;
	int64_t now, end;
	uint64_t seq, tags;
	struct event *heap;
	size_t hn, hcap;
	/* server */
	bool exists;
	struct lease_obj obj;
	uint64_t rv;
	struct write_rec last_write;
	/* results */
	struct interval *iv;
	size_t niv, cap_iv;
	int32_t last_fence;
	int fence_errors, early_takeovers;
	int64_t max_crash_takeover, max_handoff, min_takeover_gap;
	int crash_takeovers, handoffs;
	/* liveness bookkeeping */
	int64_t crash_holder_last_write; /* last write of a holder that crashed, or -1 */
	int64_t release_commit;          /* last release commit while someone waited, or -1 */
	int64_t bound_violations;
	int64_t max_delay_us;
};

static struct sim *S;

/* ---- randomness and clocks ---- */

static uint64_t rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static double unif(struct sim *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

static bool chance(struct sim *s, double p)
{
	return unif(s) < p;
}

static int64_t local_ms(const struct cand *c, int64_t t_us)
{
	return c->off_ms + (int64_t)floor((double)t_us * (1.0 + c->drift) / 1000.0);
}

static int64_t real_at(const struct cand *c, int64_t l_ms)
{
	if (l_ms <= local_ms(c, S->now))
		return S->now;
	int64_t t = (int64_t)ceil((double)(l_ms - c->off_ms) * 1000.0 / (1.0 + c->drift));
	while (local_ms(c, t) < l_ms)
		t++;
	return t < S->now ? S->now : t;
}

static int64_t env_now(void *ctx)
{
	return local_ms(ctx, S->now);
}

static void env_wall(void *ctx, char *out, size_t n)
{
	/* Unique per write: microseconds of local time plus a counter. */
	const struct cand *c = ctx;
	static unsigned k;
	snprintf(out, n, "T%lld.%06u", (long long)local_ms(c, S->now), k++ % 1000000);
}

static uint32_t env_rand(void *ctx)
{
	(void)ctx;
	return (uint32_t)rnd(S);
}

/* ---- event queue (binary heap) ---- */

static bool before(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static struct event *push(int64_t t, enum ev_kind k, int c, uint64_t tag)
{
	struct sim *s = S;
	if (s->hn == s->hcap) {
		s->hcap = s->hcap ? s->hcap * 2 : 256;
		s->heap = realloc(s->heap, s->hcap * sizeof(*s->heap));
	}
	size_t i = s->hn++;
	struct event e = { 0 };
	e.t = t < s->now ? s->now : t;
	e.seq = s->seq++;
	e.kind = k;
	e.c = c;
	e.tag = tag;
	while (i > 0 && before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
	return &s->heap[i];
}

/* push() may move entries; fill payloads through this. */
static void push_payload(int64_t t, enum ev_kind k, int c, uint64_t tag, enum lease_result r,
			 const struct lease_req *req, const struct lease_obj *obj, bool drop)
{
	struct event e = { 0 };
	e.r = r;
	if (req)
		e.req = *req;
	if (obj)
		e.obj = *obj;
	e.drop_reply = drop;
	struct event *p = push(t, k, c, tag);
	e.t = p->t, e.seq = p->seq, e.kind = k, e.c = c, e.tag = tag;
	*p = e;
}

static struct event pop(void)
{
	struct sim *s = S;
	struct event top = s->heap[0];
	struct event last = s->heap[--s->hn];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct event *best = &last;
		if (l < s->hn && before(&s->heap[l], best))
			m = l, best = &s->heap[l];
		if (r < s->hn && before(&s->heap[r], best))
			m = r;
		if (m == i)
			break;
		s->heap[i] = s->heap[m];
		i = m;
	}
	if (s->hn)
		s->heap[i] = last;
	return top;
}

/* ---- network and server ---- */

static int64_t net_delay(struct sim *s)
{
	int64_t d = 200 + (int64_t)(unif(s) * 20000); /* 0.2 .. 20 ms */
	if (chance(s, s->f.slow))
		d += (int64_t)(unif(s) * (double)s->f.slow_max_ms) * US;
	return d;
}

static void watch_deliver(struct sim *s)
{
	for (int i = 0; i < s->n; i++) {
		struct cand *c = &s->c[i];
		if (!c->alive || !c->watch_on)
			continue;
		if (c->watch_silent || chance(s, s->f.silent_watch))
			continue; /* lost without the driver noticing */
		int64_t t = s->now + 200 + (int64_t)(unif(s) * 5000);
		if (t <= c->last_watch_t)
			t = c->last_watch_t + 1;
		c->last_watch_t = t;
		push_payload(t, EV_WATCH, i, c->epoch, LR_OK, NULL, &s->obj, false);
	}
}

static void commit(struct sim *s, const struct lease_record *rec, int c, uint64_t epoch)
{
	struct cand *cd = &s->c[c];
	const struct lease_record *prev = &s->obj.rec;
	bool take = s->exists && rec->transitions != prev->transitions;
	/* A takeover of a record that was not released must come at least a
	 * lease duration (on the fastest clock) after that record was written,
	 * unless it is the same incarnation confirming its own unseen write. */
	if (take && prev->holder[0] && !(s->last_write.c == c && s->last_write.epoch == epoch)) {
		int64_t gap = s->now - s->last_write.t;
		int64_t min_gap = (int64_t)((double)s->t.lease_ms * US / 1.0101);
		if (gap < min_gap)
			s->early_takeovers++;
		if (s->min_takeover_gap < 0 || gap < s->min_takeover_gap)
			s->min_takeover_gap = gap;
	}
	(void)cd;
	s->obj.rec = *rec;
	snprintf(s->obj.rv, sizeof(s->obj.rv), "%llu", (unsigned long long)++s->rv);
	s->exists = true;
	s->last_write = (struct write_rec){ s->now, c, epoch };
	if (!rec->holder[0] && s->release_commit < 0) {
		for (int i = 0; i < s->n; i++)
			if (i != c && s->c[i].alive && s->c[i].client && !s->c[i].granted &&
			    s->c[i].wait_since < s->now)
				s->release_commit = s->now;
	}
	watch_deliver(s);
}

static enum lease_result serve(struct sim *s, const struct event *e, struct lease_obj *out)
{
	const struct lease_req *q = &e->req;
	if (q->op == LEASE_GET) {
		if (!s->exists)
			return LR_NOT_FOUND;
		*out = s->obj;
		return LR_OK;
	}
	if (q->op == LEASE_CREATE) {
		if (s->exists)
			return LR_CONFLICT;
	} else {
		if (!s->exists)
			return LR_NOT_FOUND;
		if (!q->rv[0])
			return LR_INVALID;
		if (strcmp(q->rv, s->obj.rv) != 0)
			return LR_CONFLICT;
	}
	commit(s, &q->rec, e->c, e->tag >> 32);
	*out = s->obj;
	return LR_OK;
}

/* ---- candidate: driver, broker and wrapper ---- */

static void handle_events(struct sim *s, struct cand *c, int ci);

static void drive(struct sim *s, int ci)
{
	struct cand *c = &s->c[ci];
	if (!c->alive || s->now < c->stalled_until)
		return;
	for (;;) {
		if (c->req_out)
			break;
		struct lease_req req;
		int64_t wake;
		enum lease_action a = lease_next(&c->m, &req, &wake);
		handle_events(s, c, ci);
		if (a == LEASE_ACT_WAIT) {
			if (wake != LEASE_NEVER)
				push(real_at(c, wake), EV_WAKE, ci, ++c->wake_tag);
			break;
		}
		c->req_out = true;
		c->req_tag = ++s->tags;
		c->req_sent_local = local_ms(c, s->now);
		uint64_t tag = (c->epoch << 32) | (c->req_tag & 0xffffffffu);
		if (!chance(s, s->f.hang))
			push_payload(s->now + net_delay(s), EV_ARRIVE, ci, tag, LR_OK, &req, NULL, false);
		push(real_at(c, c->req_sent_local + req.timeout_ms), EV_TIMEOUT, ci, c->req_tag);
	}
	handle_events(s, c, ci);
}

static int64_t kill_delay(struct sim *s)
{
	/* The child dies somewhere within the grace; often at its very end. */
	return chance(s, 0.5) ? s->t.kill_grace_ms * US : (int64_t)(unif(s) * (double)s->t.kill_grace_ms * US);
}

static void start_kill(struct sim *s, struct cand *c, int ci)
{
	if (!c->child_alive || c->killing)
		return;
	c->killing = true;
	push(s->now + kill_delay(s), EV_CHILD_DEAD, ci, c->child_tag);
}

static void grant(struct sim *s, struct cand *c, int ci)
{
	if (s->niv == s->cap_iv) {
		s->cap_iv = s->cap_iv ? s->cap_iv * 2 : 256;
		s->iv = realloc(s->iv, s->cap_iv * sizeof(*s->iv));
	}
	if (getenv("FEAST_MODEL_TRACE"))
		fprintf(stderr, "%9lld c%-2d GRANT fence %d valid_until %lld\n", (long long)s->now / 1000, ci,
			c->m.fence, (long long)c->m.valid_until);
	c->iv = (int)s->niv;
	s->iv[s->niv++] = (struct interval){ ci, s->now, -1, c->m.fence };
	if (c->m.fence <= s->last_fence && s->niv > 1)
		s->fence_errors++;
	s->last_fence = c->m.fence;
	if (s->crash_holder_last_write >= 0) {
		int64_t d = s->now - s->crash_holder_last_write;
		if (d > s->max_crash_takeover)
			s->max_crash_takeover = d;
		s->crash_takeovers++;
		s->crash_holder_last_write = -1;
	}
	if (s->release_commit >= 0) {
		int64_t d = s->now - s->release_commit;
		if (d > s->max_handoff)
			s->max_handoff = d;
		s->handoffs++;
		s->release_commit = -1;
	}
	c->granted = c->child_alive = true;
	c->waited_us += s->now - c->wait_since;
	c->granted_at = s->now;
	c->grants++;
	c->killing = false;
	c->child_tag = ++s->tags;
	c->wrap_deadline = c->m.valid_until;
	int64_t work_ms = 10 + (int64_t)(unif(s) * (chance(s, 0.1) ? 30000 : 4000));
	push(real_at(c, local_ms(c, s->now) + work_ms), EV_WORK_DONE, ci, c->child_tag);
	push(real_at(c, c->wrap_deadline), EV_WRAP_DEADLINE, ci, c->child_tag);
}

static void child_dead(struct sim *s, struct cand *c)
{
	if (getenv("FEAST_MODEL_TRACE"))
		fprintf(stderr, "%9lld c%-2d CHILD DEAD\n", (long long)s->now / 1000, (int)(c - s->c));
	c->child_alive = false;
	s->iv[c->iv].end = s->now;
}

static void client_arrives_later(struct sim *s, int ci)
{
	push(s->now + (int64_t)(unif(s) * 6000) * US, EV_WANT, ci, s->c[ci].epoch);
}

static void handle_events(struct sim *s, struct cand *c, int ci)
{
	unsigned ev = lease_events(&c->m);
	if (ev & LEV_ACQUIRED) {
		if (c->client && !c->granted)
			grant(s, c, ci);
		else
			lease_release(&c->m, false);
	}
	if ((ev & LEV_RENEWED) && c->child_alive && !c->killing) {
		/* HELD <valid_ms> crosses a unix socket: up to 5 ms late. */
		int64_t late = (int64_t)(unif(s) * 5);
		c->wrap_deadline = c->m.valid_until + late;
		push(real_at(c, c->wrap_deadline), EV_WRAP_DEADLINE, ci, c->child_tag);
	}
	if ((ev & LEV_LOST) && c->granted) {
		start_kill(s, c, ci);
		/* The wrapper exits 70 once its child is dead; the broker then
		 * has nothing left to release (the lease is already lost). */
	}
}

static void crash(struct sim *s, int ci)
{
	struct cand *c = &s->c[ci];
	if (!c->alive)
		return;
	/* Liveness is measured only when another pod was already waiting when
	 * the dead holder last wrote, and only until the next crash. */
	s->crash_holder_last_write = -1;
	if (lease_held(&c->m) && s->last_write.c == ci && s->last_write.epoch == c->epoch) {
		for (int i = 0; i < s->n; i++) {
			const struct cand *w = &s->c[i];
			if (i != ci && w->alive && w->client && !w->granted && w->wait_since <= s->last_write.t)
				s->crash_holder_last_write = s->last_write.t;
		}
	}
	c->alive = false;
	c->epoch++;
	c->req_out = false;
	c->client = false;
	if (c->child_alive)
		start_kill(s, c, ci); /* the wrapper sees EOF */
	c->granted = false;
	push(s->now + (int64_t)(unif(s) * 20000) * US, EV_RESTART, ci, c->epoch);
}

static void restart(struct sim *s, int ci)
{
	struct cand *c = &s->c[ci];
	if (!s->f.same_identity_restart)
		snprintf(c->id, sizeof(c->id), "c%d-%llu", ci, (unsigned long long)c->epoch);
	cr_assert_eq(lease_init(&c->m, &c->env, &s->t, c->id), 0);
	lease_set_watching(&c->m, c->watch_on);
	c->alive = true;
	c->stalled_until = 0;
	c->req_out = false;
	client_arrives_later(s, ci);
}

/* A stalled daemon handles nothing until the stall ends. */
static bool deferred(struct sim *s, const struct event *e)
{
	struct cand *c = &s->c[e->c];
	if (s->now >= c->stalled_until)
		return false;
	struct event copy = *e;
	push_payload(c->stalled_until, copy.kind, copy.c, copy.tag, copy.r, &copy.req, &copy.obj,
		     copy.drop_reply);
	return true;
}

static void on_reply(struct sim *s, const struct event *e)
{
	struct cand *c = &s->c[e->c];
	if ((e->tag >> 32) != c->epoch || !c->req_out || (e->tag & 0xffffffffu) != (c->req_tag & 0xffffffffu))
		return; /* late: the request already timed out, or the daemon restarted */
	if (deferred(s, e))
		return;
	c->req_out = false;
	lease_done(&c->m, e->r, e->r == LR_OK ? &e->obj : NULL);
	drive(s, e->c);
}

static void on_arrive(struct sim *s, const struct event *e)
{
	struct lease_obj out;
	memset(&out, 0, sizeof(out));
	enum lease_result r;
	if (chance(s, s->f.err5xx))
		r = LR_UNAVAILABLE;
	else
		r = serve(s, e, &out);
	if (chance(s, s->f.drop_reply))
		return; /* committed (maybe), answer lost */
	push_payload(s->now + net_delay(s), EV_REPLY, e->c, e->tag, r, NULL, &out, false);
}

static const char *const ev_names[] = { "wake", "arrive", "reply", "timeout", "watch", "want", "work-done",
	"wrap-deadline", "child-dead", "eof-grace", "release", "crash", "restart", "stall", "watch-toggle" };

static void trace(struct sim *s, const struct event *e)
{
	static int on = -1;
	if (on < 0)
		on = getenv("FEAST_MODEL_TRACE") != NULL;
	if (!on)
		return;
	const struct cand *c = &s->c[e->c];
	fprintf(stderr, "%9lld c%-2d %-13s st=%-9s local=%lld valid=%lld", (long long)s->now / 1000, e->c,
		ev_names[e->kind], lease_state_name(c->m.state), (long long)local_ms(c, s->now),
		(long long)c->m.valid_until);
	if (e->kind == EV_ARRIVE)
		fprintf(stderr, " op=%d rv=%s holder=%s tr=%d", e->req.op, e->req.rv, e->req.rec.holder,
			e->req.rec.transitions);
	if (e->kind == EV_REPLY || e->kind == EV_WATCH)
		fprintf(stderr, " r=%s rv=%s holder=%s tr=%d", lease_result_name(e->r), e->obj.rv,
			e->obj.rec.holder, e->obj.rec.transitions);
	fputc('\n', stderr);
}

static void step(struct sim *s, const struct event *e)
{
	struct cand *c = &s->c[e->c];
	trace(s, e);
	switch (e->kind) {
	case EV_ARRIVE:
		on_arrive(s, e);
		break;
	case EV_REPLY:
		on_reply(s, e);
		break;
	case EV_TIMEOUT:
		if (!c->alive || !c->req_out || e->tag != c->req_tag || deferred(s, e))
			break;
		c->req_out = false;
		lease_done(&c->m, LR_TIMEOUT, NULL);
		drive(s, e->c);
		break;
	case EV_WAKE:
		if (c->alive && e->tag == c->wake_tag && !deferred(s, e))
			drive(s, e->c);
		break;
	case EV_WATCH:
		if (c->alive && e->tag == c->epoch && c->watch_on && !deferred(s, e)) {
			lease_observe(&c->m, &e->obj);
			drive(s, e->c);
		}
		break;
	case EV_WANT:
		if (!c->alive || e->tag != c->epoch || c->client)
			break;
		if (deferred(s, e))
			break;
		c->client = true;
		c->wait_since = s->now;
		c->granted = false;
		lease_want(&c->m, true);
		drive(s, e->c);
		break;
	case EV_WORK_DONE:
		if (e->tag != c->child_tag || !c->child_alive || c->killing)
			break;
		child_dead(s, c);
		push(s->now, EV_RELEASE, e->c, c->epoch);
		break;
	case EV_RELEASE:
		/* The wrapper's RELEASE line: the generation bump rides on the release write. */
		if (!c->alive || e->tag != c->epoch || !c->client || deferred(s, e))
			break;
		c->client = c->granted = false;
		c->held_us += s->now - c->granted_at;
		lease_release(&c->m, true);
		lease_want(&c->m, false);
		drive(s, e->c);
		client_arrives_later(s, e->c);
		break;
	case EV_WRAP_DEADLINE:
		/* The wrapper's own clock: independent of daemon stalls. */
		if (e->tag == c->child_tag && c->child_alive && local_ms(c, s->now) >= c->wrap_deadline)
			start_kill(s, c, e->c);
		break;
	case EV_CHILD_DEAD:
		if (e->tag != c->child_tag || !c->child_alive)
			break;
		child_dead(s, c);
		if (c->alive && c->client)
			push(s->now + s->t.kill_grace_ms * US, EV_EOF_GRACE, e->c, c->epoch);
		break;
	case EV_EOF_GRACE:
		/* The wrapper exited without RELEASE: after the grace, let go. */
		if (!c->alive || e->tag != c->epoch || deferred(s, e))
			break;
		c->client = c->granted = false;
		lease_want(&c->m, false);
		drive(s, e->c);
		client_arrives_later(s, e->c);
		break;
	case EV_CRASH:
		crash(s, e->c);
		push(s->now + (int64_t)(60000.0 / s->f.crash_per_min * unif(s) * 2) * US, EV_CRASH, e->c, 0);
		break;
	case EV_RESTART:
		if (!c->alive && e->tag == c->epoch)
			restart(s, e->c);
		break;
	case EV_STALL:
		if (c->alive && s->now >= c->stalled_until)
			c->stalled_until = s->now + (int64_t)(unif(s) * (double)s->f.stall_max_ms) * US;
		push(s->now + (int64_t)(60000.0 / s->f.stall_per_min * unif(s) * 2) * US, EV_STALL, e->c, 0);
		break;
	case EV_WATCH_TOGGLE:
		if (c->alive && s->watch) {
			/* A break the driver notices, or one it does not. */
			if (chance(s, 0.5)) {
				c->watch_on = !c->watch_on;
				lease_set_watching(&c->m, c->watch_on);
				drive(s, e->c);
			} else {
				c->watch_silent = !c->watch_silent;
			}
		}
		push(s->now + (int64_t)(60000.0 / s->f.watch_break_per_min * unif(s) * 2) * US, EV_WATCH_TOGGLE,
		     e->c, 0);
		break;
	}
}

struct result {
	size_t intervals;
	int overlaps, fence_errors, early_takeovers;
	int64_t max_crash_takeover_ms, max_handoff_ms, min_takeover_gap_ms;
	int crash_takeovers, handoffs;
	uint64_t requests;
	double client_go_requests; /* client-go's count for the same waiting and holding */
};

static int count_overlaps(struct sim *s)
{
	int overlaps = 0;
	/* Intervals were appended in grant order, so starts are sorted. */
	for (size_t i = 0; i + 1 < s->niv; i++) {
		int64_t end = s->iv[i].end < 0 ? INT64_MAX : s->iv[i].end;
		if (end > s->iv[i + 1].start) {
			overlaps++;
			if (getenv("FEAST_MODEL_TRACE"))
				fprintf(stderr, "overlap: c%d [%lld, %lld] fence %d vs c%d [%lld, ...] fence %d\n",
					s->iv[i].c, (long long)s->iv[i].start / 1000, (long long)end / 1000,
					s->iv[i].fence, s->iv[i + 1].c, (long long)s->iv[i + 1].start / 1000,
					s->iv[i + 1].fence);
		}
	}
	return overlaps;
}

static struct result run(uint64_t seed, int n, const struct lease_timing *t, const struct faults *f,
			 bool watch, int64_t seconds)
{
	struct sim *s = calloc(1, sizeof(*s));
	S = s;
	s->t = *t;
	s->n = n;
	s->f = *f;
	s->watch = watch;
	s->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	s->end = seconds * 1000 * US;
	s->min_takeover_gap = -1;
	s->crash_holder_last_write = -1;
	s->release_commit = -1;
	s->last_write.c = -1;
	for (int i = 0; i < n; i++) {
		struct cand *c = &s->c[i];
		c->drift = (unif(s) * 2 - 1) * 0.01;
		c->off_ms = (int64_t)(unif(s) * 1e9);
		c->env = (struct lease_env){ env_now, env_wall, env_rand, c };
		snprintf(c->id, sizeof(c->id), "c%d", i);
		cr_assert_eq(lease_init(&c->m, &c->env, &s->t, c->id), 0);
		c->alive = true;
		c->watch_on = watch;
		lease_set_watching(&c->m, watch);
		client_arrives_later(s, i);
		if (f->crash_per_min > 0)
			push((int64_t)(60000.0 / f->crash_per_min * unif(s) * 2) * US, EV_CRASH, i, 0);
		if (f->stall_per_min > 0)
			push((int64_t)(60000.0 / f->stall_per_min * unif(s) * 2) * US, EV_STALL, i, 0);
		if (watch && f->watch_break_per_min > 0)
			push((int64_t)(60000.0 / f->watch_break_per_min * unif(s) * 2) * US, EV_WATCH_TOGGLE, i, 0);
	}
	while (s->hn) {
		struct event e = pop();
		if (e.t > s->end)
			break;
		s->now = e.t;
		step(s, &e);
	}
	struct result r = { 0 };
	r.intervals = s->niv;
	r.overlaps = count_overlaps(s);
	r.fence_errors = s->fence_errors;
	r.early_takeovers = s->early_takeovers;
	r.max_crash_takeover_ms = s->max_crash_takeover / US;
	r.max_handoff_ms = s->max_handoff / US;
	r.min_takeover_gap_ms = s->min_takeover_gap < 0 ? -1 : s->min_takeover_gap / US;
	r.crash_takeovers = s->crash_takeovers;
	r.handoffs = s->handoffs;
	for (int i = 0; i < n; i++) {
		r.requests += s->c[i].m.stats.gets + s->c[i].m.stats.creates + s->c[i].m.stats.updates;
		/* client-go: a candidate GETs at once and then every
		 * R + 1.2 R x U(0,1) (1.6 R on average); the winning attempt
		 * PUTs; the leader PUTs every R; release is a PUT.  Its 409s
		 * after a release are not counted, in its favour. */
		r.client_go_requests += (double)s->c[i].held_us / (double)(s->t.retry_ms * US) +
					(double)s->c[i].waited_us / (1.6 * (double)(s->t.retry_ms * US)) +
					3.0 * (double)s->c[i].grants;
	}
	free(s->heap);
	free(s->iv);
	free(s);
	S = NULL;
	return r;
}

static const struct faults chaos = {
	.hang = 0.02, .err5xx = 0.05, .drop_reply = 0.05, .slow = 0.03, .silent_watch = 0.05,
	.slow_max_ms = 12000, .crash_per_min = 0.5, .stall_per_min = 0.3, .watch_break_per_min = 1,
	.stall_max_ms = 25000, .same_identity_restart = true,
};

static const struct faults crashes_only = {
	.crash_per_min = 0.3, .same_identity_restart = false,
};

static const struct faults none = { 0 };

static struct lease_timing timing(void)
{
	struct lease_timing t = LEASE_TIMING_DEFAULT;
	char err[256];
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), 0, "%s", err);
	return t;
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : dflt;
}

TestSuite(lease_model, .timeout = 600);

Test(lease_model, chaos_never_overlaps)
{
	struct lease_timing t = timing();
	int seeds = env_int("FEAST_MODEL_SEEDS", 60);
	size_t grants = 0;
	int64_t min_gap = -1;
	for (int seed = env_int("FEAST_MODEL_FIRST", 1); seed <= seeds; seed++) {
		int n = 2 + seed % 19; /* 2 .. 20 candidates */
		if (seed % 10 == 0)
			n = 50;
		struct result r = run((uint64_t)seed, n, &t, &chaos, seed % 3 != 0, 900);
		cr_assert_eq(r.overlaps, 0, "seed %d (%d candidates): %d overlapping guarded intervals", seed, n,
			     r.overlaps);
		cr_assert_eq(r.fence_errors, 0, "seed %d: fencing token did not grow", seed);
		cr_assert_eq(r.early_takeovers, 0, "seed %d: takeover earlier than L/(1+rho)", seed);
		grants += r.intervals;
		if (r.min_takeover_gap_ms >= 0 && (min_gap < 0 || r.min_takeover_gap_ms < min_gap))
			min_gap = r.min_takeover_gap_ms;
	}
	cr_assert_gt(grants, (size_t)seeds * 20, "too few grants (%zu): the model is not exercising the lock", grants);
	cr_log_info("chaos: %d runs, %zu grants, 0 overlaps, shortest takeover gap %lld ms", seeds, grants,
		    (long long)min_gap);
}

Test(lease_model, crash_takeover_within_bounds)
{
	struct lease_timing t = timing();
	int seeds = env_int("FEAST_MODEL_SEEDS", 60) / 2;
	int64_t worst = 0;
	int takeovers = 0;
	for (int seed = 1; seed <= seeds; seed++) {
		bool watch = seed % 2;
		struct result r = run((uint64_t)seed + 1000, 3 + seed % 8, &t, &crashes_only, watch, 900);
		cr_assert_eq(r.overlaps, 0);
		cr_assert_eq(r.early_takeovers, 0);
		/* L on the slowest clock + one poll (2.2 R) + one request, plus
		 * network delays (20 ms each way, a GET and a PUT). */
		int64_t bound = (int64_t)((double)t.lease_ms * 1.0102) + t.retry_ms * 22 / 10 +
				t.request_timeout_ms + 100;
		cr_assert_leq(r.max_crash_takeover_ms, bound, "seed %d: takeover took %lld ms > %lld", seed,
			      (long long)r.max_crash_takeover_ms, (long long)bound);
		if (r.max_crash_takeover_ms > worst)
			worst = r.max_crash_takeover_ms;
		takeovers += r.crash_takeovers;
	}
	cr_assert_gt(takeovers, seeds, "too few crash takeovers (%d) to say anything", takeovers);
	cr_log_info("crash takeovers: %d, slowest %lld ms after the dead holder's last write", takeovers,
		    (long long)worst);
}

Test(lease_model, release_handoff_within_one_retry_period)
{
	struct lease_timing t = timing();
	int seeds = env_int("FEAST_MODEL_SEEDS", 60) / 2;
	int64_t worst_watch = 0, worst_poll = 0;
	for (int seed = 1; seed <= seeds; seed++) {
		struct result rw = run((uint64_t)seed + 2000, 2 + seed % 10, &t, &none, true, 600);
		struct result rp = run((uint64_t)seed + 3000, 2 + seed % 10, &t, &none, false, 600);
		cr_assert_eq(rw.overlaps + rp.overlaps, 0);
		cr_assert_gt(rw.handoffs, 0);
		/* Watching: the release is seen at once; polling: within 2.2 R. */
		cr_assert_leq(rw.max_handoff_ms, t.retry_ms, "seed %d: handoff %lld ms with a watch", seed,
			      (long long)rw.max_handoff_ms);
		cr_assert_leq(rp.max_handoff_ms, t.retry_ms * 22 / 10 + 100, "seed %d: handoff %lld ms polling",
			      seed, (long long)rp.max_handoff_ms);
		if (rw.max_handoff_ms > worst_watch)
			worst_watch = rw.max_handoff_ms;
		if (rp.max_handoff_ms > worst_poll)
			worst_poll = rp.max_handoff_ms;
	}
	cr_log_info("handoff after release: <= %lld ms watching, <= %lld ms polling", (long long)worst_watch,
		    (long long)worst_poll);
}

/* The checker must be able to fail: with L below D + G (the start-up check
 * refuses this), a lost holder's child outlives the lease and overlaps. */
Test(lease_model, control_bad_timings_overlap)
{
	struct lease_timing t = { 8000, 10000, 2000, 3000, 0, 0 };
	char err[256];
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), -1);
	t.request_timeout_ms = 5000;
	int overlaps = 0;
	for (int seed = 1; seed <= 20 && !overlaps; seed++)
		overlaps += run((uint64_t)seed + 4000, 8, &t, &chaos, true, 900).overlaps;
	cr_assert_gt(overlaps, 0, "the model found no overlap even with unsafe timings");
}

/* API requests under full contention (every pod always wants the lock),
 * against what client-go would send for the same holding and waiting time.
 * Watch connections are not counted (one per pod per watch timeout). */
Test(lease_model, request_rate)
{
	struct lease_timing t = timing();
	for (int watch = 0; watch <= 1; watch++) {
		struct result r = run(77, 10, &t, &none, watch, 600);
		double ours = (double)r.requests / 10 / 10, theirs = r.client_go_requests / 10 / 10;
		/* Polling is client-go's own schedule plus a wake-up at expiry,
		 * so it may come out a hair either side; a watch must win. */
		cr_assert_leq(ours, theirs * (watch ? 1.0 : 1.1), "%s: %.1f requests/min/pod, client-go %.1f",
			      watch ? "watching" : "polling", ours, theirs);
		cr_log_info("%s: %.1f requests/min/pod under full contention (client-go: %.1f)",
			    watch ? "watching" : "polling", ours, theirs);
	}
}
