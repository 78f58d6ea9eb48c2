/* lease.c -- the Lease lock decisions: acquire, renew, release, expire (no I/O). */
#include "lease.h"

#include <stdio.h>
#include <string.h>

static int64_t now_ms(const struct lease_machine *m)
{
	return m->env->now(m->env->ctx);
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

/* "1.5s" or "250ms", for messages about timings. */
static const char *fmt_ms(char *out, size_t n, int64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(out, n, "%llds", (long long)(ms / 1000));
	else if (ms >= 1000)
		snprintf(out, n, "%lld.%03llds", (long long)(ms / 1000), (long long)(ms % 1000));
	else
		snprintf(out, n, "%lldms", (long long)ms);
	return out;
}

int lease_timing_check(struct lease_timing *t, char *err, size_t errlen)
{
	char a[32], b[32], c[32], d[32];
	if (t->lease_ms <= 0 || t->renew_deadline_ms <= 0 || t->retry_ms <= 0 || t->kill_grace_ms < 0 ||
	    t->margin_ms < 0 || t->request_timeout_ms < 0) {
		snprintf(err, errlen, "timings must be positive");
		return -1;
	}
	if (t->lease_ms % 1000) {
		snprintf(err, errlen, "--lease-duration must be a whole number of seconds, got %s",
			 fmt_ms(a, sizeof(a), t->lease_ms));
		return -1;
	}
	if (!t->request_timeout_ms)
		t->request_timeout_ms = max64(1000, t->renew_deadline_ms / 2);
	/* client-go's constructor check: RenewDeadline > JitterFactor x RetryPeriod. */
	if (t->renew_deadline_ms * 10 <= t->retry_ms * 12) {
		snprintf(err, errlen, "--renew-deadline (%s) must be greater than 1.2 x --retry-period (%s)",
			 fmt_ms(a, sizeof(a), t->renew_deadline_ms), fmt_ms(b, sizeof(b), t->retry_ms));
		return -1;
	}
	/* The safety argument (notes 6.6): a holder stops within D + G of its last
	 * good send; a competitor waits L from a later observation. */
	if (t->lease_ms <= t->renew_deadline_ms + t->kill_grace_ms + t->margin_ms) {
		snprintf(err, errlen,
			 "--lease-duration (%s) must be greater than --renew-deadline (%s) + --kill-grace (%s) "
			 "+ --safety-margin (%s)",
			 fmt_ms(a, sizeof(a), t->lease_ms), fmt_ms(b, sizeof(b), t->renew_deadline_ms),
			 fmt_ms(c, sizeof(c), t->kill_grace_ms), fmt_ms(d, sizeof(d), t->margin_ms));
		return -1;
	}
	if (t->request_timeout_ms >= t->renew_deadline_ms) {
		snprintf(err, errlen, "--request-timeout (%s) must be less than --renew-deadline (%s)",
			 fmt_ms(a, sizeof(a), t->request_timeout_ms), fmt_ms(b, sizeof(b), t->renew_deadline_ms));
		return -1;
	}
	return 0;
}

const char *lease_result_name(enum lease_result r)
{
	static const char *const names[] = { "ok", "not found", "conflict", "invalid", "unauthorized",
					     "forbidden", "timeout", "unavailable", "configuration" };
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

const char *lease_state_name(enum lease_state s)
{
	static const char *const names[] = { "idle", "standby", "holding", "releasing" };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *lease_why_name(enum lease_why w)
{
	static const char *const names[] = { "none", "held", "unreachable", "forbidden", "config" };
	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}

int lease_init(struct lease_machine *m, const struct lease_env *env, const struct lease_timing *t,
	       const char *identity)
{
	if (!identity || !*identity || strlen(identity) >= LEASE_ID_MAX)
		return -1;
	for (const char *p = identity; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p == 0x7f)
			return -1;
	memset(m, 0, sizeof(*m));
	m->env = env;
	m->t = *t;
	copy_str(m->me, sizeof(m->me), identity);
	m->state = LEASE_IDLE;
	m->next_at = now_ms(m);
	return 0;
}

/* client-go's wait.JitterUntil: R .. R x (1 + 1.2). */
static int64_t jitter(const struct lease_machine *m)
{
	uint32_t u = m->env->rand(m->env->ctx) % 1000;
	return m->t.retry_ms + m->t.retry_ms * 12 / 10 * (int64_t)u / 1000;
}

static int64_t record_duration_ms(const struct lease_machine *m, const struct lease_record *r)
{
	/* The holder's own promise counts (client-go #114872); a record without
	 * one is judged by ours. */
	return r->duration_s > 0 ? (int64_t)r->duration_s * 1000 : m->t.lease_ms;
}

static bool is_me(const struct lease_machine *m, const struct lease_record *r)
{
	return strcmp(r->holder, m->me) == 0;
}

/* May the observed record be taken now? */
static bool acquirable(const struct lease_machine *m, int64_t t)
{
	const struct lease_record *r = &m->obs.rec;
	if (!m->have_obs)
		return false;
	if (!r->holder[0])
		return true;
	/* Our own take whose answer we never saw: nothing guarded ran under it.
	 * Any other record naming us (an earlier term, a previous incarnation
	 * with the same identity) is treated like a stranger's. */
	if (is_me(m, r) && m->claim_time[0] && strcmp(r->acquire_time, m->claim_time) == 0)
		return true;
	return t >= m->obs_time + record_duration_ms(m, r);
}

/* Record an observation; the expiry clock restarts on every new version. */
static void observe(struct lease_machine *m, const struct lease_obj *o, int64_t t)
{
	if (!m->have_obs || strcmp(m->obs.rv, o->rv) != 0) {
		m->obs = *o;
		m->obs_time = t;
		m->have_obs = true;
		m->events |= LEV_OBSERVED;
	}
	m->generation = o->rec.generation;
}

/* Standby: when to look again if the record is held by someone else. */
static int64_t standby_wait(const struct lease_machine *m, int64_t t)
{
	int64_t at = m->watching ? LEASE_NEVER : t + jitter(m);
	if (m->have_obs && m->obs.rec.holder[0])
		at = min64(at, m->obs_time + record_duration_ms(m, &m->obs.rec));
	return at;
}

void lease_want(struct lease_machine *m, bool want)
{
	m->want = want;
}

void lease_release(struct lease_machine *m, bool bump)
{
	if (m->state != LEASE_HOLDING)
		return;
	m->release_req = true;
	m->bump = bump;
}

void lease_set_watching(struct lease_machine *m, bool on)
{
	bool was = m->watching;
	m->watching = on;
	if (was && !on && m->state == LEASE_STANDBY && !m->inflight)
		m->next_at = min64(m->next_at, now_ms(m) + m->t.retry_ms);
}

static void send(struct lease_machine *m, enum lease_purpose p, enum lease_op op, int64_t timeout,
		 struct lease_req *req)
{
	m->req.op = op;
	m->req.timeout_ms = max64(1, min64(timeout, m->t.request_timeout_ms));
	m->inflight = p;
	m->sent_at = now_ms(m);
	if (op == LEASE_GET)
		m->stats.gets++;
	else if (op == LEASE_CREATE)
		m->stats.creates++;
	else
		m->stats.updates++;
	*req = m->req;
}

/* The record we write when taking the lock: everything else kept. */
static void fill_take(struct lease_machine *m, bool create)
{
	struct lease_record *r = &m->req.rec;
	if (create)
		memset(r, 0, sizeof(*r));
	else
		*r = m->obs.rec;
	copy_str(r->holder, sizeof(r->holder), m->me);
	r->duration_s = (int32_t)(m->t.lease_ms / 1000);
	m->env->wall(m->env->ctx, r->renew_time, sizeof(r->renew_time));
	copy_str(r->acquire_time, sizeof(r->acquire_time), r->renew_time);
	r->transitions = create ? 0 : m->obs.rec.transitions + 1;
	copy_str(m->claim_time, sizeof(m->claim_time), r->acquire_time);
}

static enum lease_action standby_next(struct lease_machine *m, int64_t t, struct lease_req *req,
				      int64_t *wake)
{
	if (t < m->next_at) {
		*wake = m->next_at;
		return LEASE_ACT_WAIT;
	}
	m->req.rv[0] = '\0';
	if (!m->need_get && m->have_obs && acquirable(m, t)) {
		fill_take(m, false);
		copy_str(m->req.rv, sizeof(m->req.rv), m->obs.rv);
		send(m, P_TAKE, LEASE_UPDATE, m->t.request_timeout_ms, req);
	} else if (!m->have_obs && m->next_is_create) {
		fill_take(m, true);
		send(m, P_CREATE, LEASE_CREATE, m->t.request_timeout_ms, req);
	} else {
		send(m, P_PROBE, LEASE_GET, m->t.request_timeout_ms, req);
	}
	return LEASE_ACT_SEND;
}

static void lose(struct lease_machine *m, int64_t t)
{
	m->state = m->want ? LEASE_STANDBY : LEASE_IDLE;
	m->events |= LEV_LOST;
	m->stats.lost++;
	m->release_req = m->renew_get = false;
	/* Look afresh and wait a whole lease from now before taking again: our
	 * own stale record is treated like anybody else's. */
	m->have_obs = false;
	m->next_at = t + jitter(m);
}

static enum lease_action holding_next(struct lease_machine *m, int64_t t, struct lease_req *req,
				      int64_t *wake)
{
	if (t < m->next_at) {
		*wake = min64(m->next_at, m->valid_until);
		return LEASE_ACT_WAIT;
	}
	/* Never let a request outlive the validity it is trying to extend. */
	int64_t left = m->valid_until - t;
	if (m->renew_get) {
		send(m, P_RENEW_GET, LEASE_GET, left, req);
		return LEASE_ACT_SEND;
	}
	m->req.rec = m->obs.rec;
	copy_str(m->req.rec.holder, sizeof(m->req.rec.holder), m->me);
	m->req.rec.duration_s = (int32_t)(m->t.lease_ms / 1000);
	m->env->wall(m->env->ctx, m->req.rec.renew_time, sizeof(m->req.rec.renew_time));
	copy_str(m->req.rv, sizeof(m->req.rv), m->obs.rv);
	send(m, P_RENEW, LEASE_UPDATE, left, req);
	return LEASE_ACT_SEND;
}

static void finish_release(struct lease_machine *m, bool ok, const struct lease_obj *o, int64_t t)
{
	m->state = m->want ? LEASE_STANDBY : LEASE_IDLE;
	m->release_req = m->bump = m->release_get = false;
	m->release_ok = ok;
	m->events |= LEV_RELEASED;
	m->stats.released++;
	if (o)
		observe(m, o, t);
	else
		m->have_obs = false;
	/* Local demand right after our own release waits a little, so that
	 * waiters in other pods (who see the release through their watch at
	 * once) get a fair chance at the lock. */
	m->next_at = t + m->t.retry_ms / 2;
}

static enum lease_action releasing_next(struct lease_machine *m, int64_t t, struct lease_req *req,
					int64_t *wake)
{
	if (t < m->next_at) {
		*wake = min64(m->next_at, m->release_until);
		return LEASE_ACT_WAIT;
	}
	int64_t left = m->release_until - t;
	if (m->release_get) {
		send(m, P_RELEASE_GET, LEASE_GET, left, req);
		return LEASE_ACT_SEND;
	}
	struct lease_record *r = &m->req.rec;
	*r = m->obs.rec;
	r->holder[0] = '\0';
	r->duration_s = 1;
	m->env->wall(m->env->ctx, r->renew_time, sizeof(r->renew_time));
	copy_str(r->acquire_time, sizeof(r->acquire_time), r->renew_time);
	r->generation = m->obs.rec.generation + (m->bump ? 1 : 0);
	copy_str(m->req.rv, sizeof(m->req.rv), m->obs.rv);
	send(m, P_RELEASE, LEASE_UPDATE, left, req);
	return LEASE_ACT_SEND;
}

enum lease_action lease_next(struct lease_machine *m, struct lease_req *req, int64_t *wake)
{
	for (;;) {
		int64_t t = now_ms(m);
		if (m->inflight) {
			*wake = LEASE_NEVER;
			return LEASE_ACT_WAIT;
		}
		switch (m->state) {
		case LEASE_IDLE:
			if (!m->want) {
				*wake = LEASE_NEVER;
				return LEASE_ACT_WAIT;
			}
			m->state = LEASE_STANDBY;
			/* Keep what we saw (an unchanged version has been unchanged
			 * since we first saw it), but read before writing unless a
			 * watch kept the view current. */
			m->need_get = !m->watching;
			m->next_is_create = false;
			m->next_at = t;
			continue;
		case LEASE_STANDBY:
			if (!m->want) {
				m->state = LEASE_IDLE;
				continue;
			}
			return standby_next(m, t, req, wake);
		case LEASE_HOLDING:
			if (t >= m->valid_until) {
				lose(m, t);
				continue;
			}
			if (!m->want && !m->release_req)
				m->release_req = true, m->bump = false;
			if (m->release_req) {
				m->state = LEASE_RELEASING;
				m->release_until = t + m->t.renew_deadline_ms;
				m->release_get = false;
				m->next_at = t;
				continue;
			}
			return holding_next(m, t, req, wake);
		case LEASE_RELEASING:
			if (t >= m->release_until) {
				finish_release(m, false, NULL, t);
				continue;
			}
			return releasing_next(m, t, req, wake);
		}
	}
}

static enum lease_why why_of(enum lease_result r)
{
	switch (r) {
	case LR_FORBIDDEN:
	case LR_UNAUTHORIZED:
		return WHY_FORBIDDEN;
	case LR_CONFIG:
	case LR_INVALID:
		return WHY_CONFIG;
	default:
		return WHY_UNREACHABLE;
	}
}

/* A write the server may have applied although we never saw the answer. */
static bool in_doubt(enum lease_result r)
{
	return r == LR_TIMEOUT || r == LR_UNAVAILABLE;
}

static void not_acquired(struct lease_machine *m, enum lease_why why, int64_t t)
{
	m->why = why;
	m->events |= LEV_ATTEMPT;
	m->next_at = why == WHY_HELD ? standby_wait(m, t) : t + jitter(m);
}

static void become_holder(struct lease_machine *m, const struct lease_obj *o, int64_t t)
{
	m->state = LEASE_HOLDING;
	m->obs = *o;
	m->have_obs = true;
	m->obs_time = t;
	m->generation = o->rec.generation;
	m->fence = o->rec.transitions;
	/* Valid from the send time: the server committed after we sent, and a
	 * competitor's expiry clock starts after the commit (notes 6.6). */
	m->valid_until = m->sent_at + m->t.renew_deadline_ms;
	m->next_at = m->sent_at + m->t.retry_ms;
	m->claim_time[0] = '\0';
	m->release_req = m->renew_get = false;
	m->why = WHY_NONE;
	m->events |= LEV_ACQUIRED;
	m->stats.acquired++;
}

static void done_probe(struct lease_machine *m, enum lease_result r, const struct lease_obj *o,
		       int64_t t)
{
	bool recheck = m->recheck;
	m->recheck = false;
	if (r == LR_OK && o) {
		observe(m, o, t);
		m->need_get = false;
		if (!m->want)
			return;
		/* A watch event raced this GET: either may be the newer, and
		 * resourceVersions are not ordered, so look once more. */
		if (recheck && !acquirable(m, t))
			m->need_get = true, m->next_at = t;
		else if (acquirable(m, t))
			m->next_at = t;
		else
			not_acquired(m, WHY_HELD, t);
	} else if (r == LR_NOT_FOUND) {
		m->have_obs = false;
		m->next_is_create = true;
		m->next_at = t;
	} else {
		m->stats.failures++;
		not_acquired(m, why_of(r), t);
	}
}

static void done_take(struct lease_machine *m, enum lease_purpose p, enum lease_result r,
		      const struct lease_obj *o, int64_t t)
{
	(void)p;
	m->next_is_create = false;
	if (r == LR_OK && o) {
		become_holder(m, o, t);
		/* The answer came so late (a stalled process) that the renew
		 * deadline counted from the send has already passed: the write is
		 * ours but no time is left to vouch for, so nothing may start. */
		if (t >= m->valid_until) {
			m->events &= ~LEV_ACQUIRED;
			lose(m, t);
		}
		return;
	}
	if (!in_doubt(r))
		m->claim_time[0] = '\0';
	if (r == LR_CONFLICT) {
		/* Lost the race, or the holder renewed since we looked: read
		 * again after a retry period, as client-go does.  When watching,
		 * the winner's record is on its way and the read is only a
		 * backstop for a watch that went quiet. */
		m->stats.conflicts++;
		m->need_get = true;
		m->why = WHY_HELD;
		m->events |= LEV_ATTEMPT;
		m->next_at = t + (m->watching ? m->t.retry_ms : jitter(m));
		return;
	}
	m->stats.failures++;
	m->need_get = true; /* re-read before deciding anything */
	not_acquired(m, why_of(r), t);
}

static void done_renew(struct lease_machine *m, enum lease_purpose p, enum lease_result r,
		       const struct lease_obj *o, int64_t t)
{
	bool get = p == P_RENEW_GET;
	if (r == LR_OK && o && !get) {
		m->obs = *o;
		m->obs_time = t;
		m->generation = o->rec.generation;
		m->valid_until = max64(m->valid_until, m->sent_at + m->t.renew_deadline_ms);
		m->next_at = m->sent_at + m->t.retry_ms;
		if (t < m->valid_until)
			m->events |= LEV_RENEWED; /* else lease_next declares the loss */
		return;
	}
	if (r == LR_OK && o && get) {
		/* Still ours (our last PUT landed but its answer was lost)? */
		if (is_me(m, &o->rec) && o->rec.transitions == m->fence) {
			m->obs = *o;
			m->renew_get = false;
			m->next_at = t;
		} else {
			lose(m, t);
		}
		return;
	}
	if (r == LR_NOT_FOUND && get) {
		lose(m, t);
		return;
	}
	if (r == LR_CONFLICT) {
		m->stats.conflicts++;
		m->renew_get = true;
		m->next_at = t;
		return;
	}
	/* Keep trying within the deadline; lease_next declares the loss. */
	m->stats.failures++;
	m->next_at = t + m->t.retry_ms / 4;
}

static void done_release(struct lease_machine *m, enum lease_purpose p, enum lease_result r,
			 const struct lease_obj *o, int64_t t)
{
	bool get = p == P_RELEASE_GET;
	if (r == LR_OK && o && !get) {
		finish_release(m, true, o, t);
	} else if (r == LR_OK && o && get) {
		if (is_me(m, &o->rec) && o->rec.transitions == m->fence) {
			m->obs = *o;
			m->release_get = false;
			m->next_at = t;
		} else {
			/* Already free (our write landed unseen) or taken over after expiry. */
			finish_release(m, true, o, t);
		}
	} else if (r == LR_NOT_FOUND) {
		finish_release(m, true, NULL, t);
	} else if (r == LR_CONFLICT) {
		m->stats.conflicts++;
		m->release_get = true;
		m->next_at = t;
	} else {
		m->stats.failures++;
		m->next_at = t + m->t.retry_ms / 4;
	}
}

void lease_done(struct lease_machine *m, enum lease_result r, const struct lease_obj *o)
{
	int64_t t = now_ms(m);
	enum lease_purpose p = m->inflight;
	m->inflight = P_NONE;
	if (r != LR_OK)
		o = NULL;
	switch (p) {
	case P_PROBE:
		done_probe(m, r, o, t);
		break;
	case P_CREATE:
	case P_TAKE:
		done_take(m, p, r, o, t);
		break;
	case P_RENEW:
	case P_RENEW_GET:
		done_renew(m, p, r, o, t);
		break;
	case P_RELEASE:
	case P_RELEASE_GET:
		done_release(m, p, r, o, t);
		break;
	case P_NONE:
		break;
	}
}

void lease_observe(struct lease_machine *m, const struct lease_obj *o)
{
	if (m->state == LEASE_HOLDING || m->state == LEASE_RELEASING)
		return;
	int64_t t = now_ms(m);
	if (m->inflight == P_PROBE) {
		m->recheck = true;
		return;
	}
	observe(m, o, t);
	if (m->state != LEASE_STANDBY || m->inflight)
		return;
	m->next_is_create = false;
	m->need_get = false; /* the watch just told us */
	if (!acquirable(m, t))
		m->next_at = standby_wait(m, t);
	else if (!o->rec.holder[0])
		/* A release reaches every watcher at once; spreading the takes
		 * over a quarter retry period lets the first winner's record
		 * reach the others before they write, instead of a 409 storm. */
		m->next_at = t + (int64_t)(m->env->rand(m->env->ctx) % (uint32_t)(m->t.retry_ms / 4 + 1));
	else
		m->next_at = t;
}

void lease_observe_deleted(struct lease_machine *m)
{
	if (m->state != LEASE_STANDBY || m->inflight)
		return;
	m->have_obs = false;
	m->need_get = true;
	m->next_at = now_ms(m);
}

unsigned lease_events(struct lease_machine *m)
{
	unsigned e = m->events;
	m->events = 0;
	return e;
}

bool lease_held(const struct lease_machine *m)
{
	return m->state == LEASE_HOLDING;
}

int64_t lease_valid_ms(const struct lease_machine *m)
{
	if (m->state != LEASE_HOLDING)
		return 0;
	return max64(0, m->valid_until - now_ms(m));
}
