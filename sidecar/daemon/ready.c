/* ready.c -- the readiness predicate: hysteresis, the registry sync window, draining. */
#include "ready.h"

#define RUN_CAP (1 << 20) /* counters stop here: only comparisons with K and M matter */

const char *ready_why_name(enum ready_why w)
{
	static const char *const names[] = { "ready", "draining", "starting", "unhealthy", "applying", "syncing" };
	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "unknown";
}

void ready_init(struct ready *r, const struct ready_params *p, int64_t now)
{
	*r = (struct ready){ .p = *p, .sync_from = now, .changed_at = now };
	if (r->p.rise < 1)
		r->p.rise = 1;
	if (r->p.fall < 1)
		r->p.fall = 1;
	if (r->p.sync_ms < 0)
		r->p.sync_ms = 0;
}

static bool window_passed(const struct ready *r, int64_t now)
{
	return now - r->sync_from >= r->p.sync_ms;
}

/* Becoming ready needs everything; staying ready needs only fewer than M
 * failures in a row (and not draining). */
static bool eval(struct ready *r, int64_t now)
{
	bool next;
	if (r->draining)
		next = false;
	else if (r->ready)
		next = r->fail_run < r->p.fall;
	else
		next = r->ok_run >= r->p.rise && !r->busy && window_passed(r, now);
	if (next == r->ready)
		return false;
	r->ready = next;
	r->changed_at = now;
	r->transitions++;
	return true;
}

static void restart_window(struct ready *r, int64_t now)
{
	if (now > r->sync_from)
		r->sync_from = now;
}

bool ready_check(struct ready *r, bool ok, int64_t now)
{
	r->checked = true;
	if (ok) {
		r->fail_run = 0;
		if (r->ok_run < RUN_CAP)
			r->ok_run++;
	} else {
		r->ok_run = 0;
		if (r->fail_run < RUN_CAP)
			r->fail_run++;
	}
	return eval(r, now);
}

bool ready_apply_begin(struct ready *r, int64_t now)
{
	r->busy++;
	return eval(r, now);
}

bool ready_apply_end(struct ready *r, int64_t now)
{
	if (r->busy > 0)
		r->busy--;
	restart_window(r, now);
	return eval(r, now);
}

bool ready_generation(struct ready *r, int64_t now)
{
	restart_window(r, now);
	return eval(r, now);
}

bool ready_drain(struct ready *r, int64_t now)
{
	r->draining = true;
	return eval(r, now);
}

bool ready_tick(struct ready *r, int64_t now)
{
	return eval(r, now);
}

int64_t ready_next(const struct ready *r, int64_t now)
{
	if (r->ready || r->draining || r->ok_run < r->p.rise || r->busy || window_passed(r, now))
		return INT64_MAX;
	return r->sync_from + r->p.sync_ms;
}

int64_t ready_sync_left(const struct ready *r, int64_t now)
{
	return window_passed(r, now) ? 0 : r->sync_from + r->p.sync_ms - now;
}

enum ready_why ready_why(const struct ready *r, int64_t now)
{
	if (r->draining)
		return RW_DRAINING;
	if (r->ready)
		return RW_READY;
	if (r->ok_run < r->p.rise)
		return r->checked ? RW_UNHEALTHY : RW_STARTING;
	if (r->busy)
		return RW_APPLYING;
	return window_passed(r, now) ? RW_READY : RW_SYNCING;
}
