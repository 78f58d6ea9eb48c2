/* test_ready_machine.c -- the readiness predicate under a scripted clock, and random schedules. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "ready.h"

static struct ready R;
static const struct ready_params P = { .rise = 2, .fall = 3, .sync_ms = 6000 };

static void setup(void)
{
	ready_init(&R, &P, 1000);
}

TestSuite(ready, .init = setup);

/* n checks, one per second from t; returns the time after the last. */
static int64_t checks(int n, bool ok, int64_t t)
{
	for (int i = 0; i < n; i++, t += 1000)
		ready_check(&R, ok, t);
	return t;
}

Test(ready, starts_not_ready_and_waits_for_the_window)
{
	cr_assert_not(R.ready);
	cr_assert_eq(ready_why(&R, 1000), RW_STARTING);
	cr_assert_not(ready_check(&R, true, 2000));
	cr_assert_eq(ready_why(&R, 2000), RW_UNHEALTHY);
	cr_assert_not(ready_check(&R, true, 3000)); /* K passed, but the window runs to 7000 */
	cr_assert_eq(ready_why(&R, 3000), RW_SYNCING);
	cr_assert_eq(ready_sync_left(&R, 3000), 4000);
	cr_assert_eq(ready_next(&R, 3000), 7000);
	cr_assert_not(ready_tick(&R, 6999));
	cr_assert(ready_tick(&R, 7000));
	cr_assert(R.ready);
	cr_assert_eq(ready_why(&R, 7000), RW_READY);
	cr_assert_eq(ready_next(&R, 7000), INT64_MAX);
	cr_assert_eq(R.transitions, 1);
	cr_assert_eq(R.changed_at, 7000);
}

Test(ready, needs_k_passes_in_a_row)
{
	int64_t t = 8000; /* past the window */
	for (int i = 0; i < 10; i++) {
		cr_assert_not(ready_check(&R, true, t++));
		cr_assert_not(ready_check(&R, false, t++));
	}
	cr_assert_not(R.ready);
	cr_assert_eq(ready_why(&R, t), RW_UNHEALTHY);
	cr_assert_not(ready_check(&R, true, t++));
	cr_assert(ready_check(&R, true, t++));
}

Test(ready, falls_after_m_failures_in_a_row)
{
	int64_t t = checks(2, true, 8000);
	cr_assert(R.ready);
	t = checks(2, false, t);
	cr_assert(R.ready, "M-1 failures must not flip a ready pod");
	t = checks(1, true, t); /* resets the failure run */
	t = checks(2, false, t);
	cr_assert(R.ready);
	cr_assert(ready_check(&R, false, t));
	cr_assert_not(R.ready);
	cr_assert_eq(ready_why(&R, t), RW_UNHEALTHY);
	/* Back: K passes; the window started long ago. */
	cr_assert_not(ready_check(&R, true, t + 1000));
	cr_assert(ready_check(&R, true, t + 2000));
}

Test(ready, a_running_apply_holds_back_a_pod_that_is_not_ready)
{
	cr_assert_not(ready_apply_begin(&R, 1500));
	int64_t t = checks(20, true, 2000); /* healthy for 20 s, but the apply runs */
	cr_assert_not(R.ready);
	cr_assert_eq(ready_why(&R, t), RW_APPLYING);
	cr_assert_eq(ready_next(&R, t), INT64_MAX);
	cr_assert_not(ready_apply_end(&R, t)); /* the window restarts at the apply's end */
	cr_assert_eq(ready_why(&R, t), RW_SYNCING);
	cr_assert_eq(ready_next(&R, t), t + 6000);
	cr_assert_not(ready_tick(&R, t + 5999));
	cr_assert(ready_tick(&R, t + 6000));
}

Test(ready, nothing_from_the_lock_takes_a_ready_pod_out)
{
	int64_t t = checks(2, true, 8000);
	cr_assert(R.ready);
	cr_assert_not(ready_generation(&R, t));
	cr_assert_not(ready_apply_begin(&R, t + 1));
	cr_assert(R.ready);
	cr_assert_not(ready_apply_end(&R, t + 2));
	t = checks(30, true, t + 3);
	cr_assert(R.ready);
	cr_assert_eq(R.transitions, 1);
}

Test(ready, a_generation_change_extends_the_window_of_a_pod_that_is_not_ready)
{
	checks(2, true, 2000);
	cr_assert_not(ready_generation(&R, 5000)); /* window now ends at 11000, not 7000 */
	cr_assert_not(ready_tick(&R, 7000));
	cr_assert_not(ready_tick(&R, 10999));
	cr_assert_eq(ready_sync_left(&R, 10000), 1000);
	cr_assert(ready_tick(&R, 11000));
	/* An older event never moves the window back. */
	struct ready r2;
	ready_init(&r2, &P, 1000);
	ready_generation(&r2, 9000);
	ready_apply_end(&r2, 4000);
	cr_assert_eq(r2.sync_from, 9000);
}

Test(ready, draining_is_immediate_and_final)
{
	int64_t t = checks(2, true, 8000);
	cr_assert(R.ready);
	cr_assert(ready_drain(&R, t));
	cr_assert_not(R.ready);
	cr_assert_eq(ready_why(&R, t), RW_DRAINING);
	checks(10, true, t);
	cr_assert_not(ready_tick(&R, t + 100000));
	cr_assert_not(R.ready);
	cr_assert_eq(ready_next(&R, t), INT64_MAX);
	cr_assert_not(ready_drain(&R, t + 1)); /* no second transition */
}

Test(ready, thresholds_of_one_and_no_window)
{
	struct ready r;
	ready_init(&r, &(struct ready_params){ .rise = 0, .fall = -4, .sync_ms = -1 }, 0);
	cr_assert(ready_check(&r, true, 0));
	cr_assert(ready_check(&r, false, 1));
	cr_assert(ready_check(&r, true, 2));
}

/* Random schedules against the definition: every transition happens exactly
 * when the predicate says, and nothing else moves the verdict. */
struct model {
	int ok_run, fail_run, busy;
	int64_t from;
	bool draining, ready;
};

static void model_step(struct model *m, int ev, int64_t now, const struct ready_params *p)
{
	switch (ev) {
	case 0: m->ok_run++, m->fail_run = 0; break;
	case 1: m->fail_run++, m->ok_run = 0; break;
	case 2: m->busy++; break;
	case 3: m->busy -= m->busy > 0, m->from = now > m->from ? now : m->from; break;
	case 4: m->from = now > m->from ? now : m->from; break;
	case 5: m->draining = true; break;
	default: break;
	}
	if (m->draining)
		m->ready = false;
	else if (m->ready)
		m->ready = m->fail_run < p->fall;
	else
		m->ready = m->ok_run >= p->rise && !m->busy && now - m->from >= p->sync_ms;
}

Test(ready, random_schedules)
{
	unsigned seed = 12345;
	for (int round = 0; round < 400; round++) {
		struct ready_params p = { 1 + (int)(rand_r(&seed) % 4), 1 + (int)(rand_r(&seed) % 4),
					  (int64_t)(rand_r(&seed) % 5000) };
		struct ready r;
		int64_t now = 1000;
		ready_init(&r, &p, now);
		struct model m = { .from = now };
		for (int i = 0; i < 300; i++) {
			now += rand_r(&seed) % 1500;
			unsigned x = rand_r(&seed) % 100;
			/* checks dominate; applies come in pairs; draining is rare */
			int ev = x < 40 ? 0 : x < 65 ? 1 : x < 72 ? 2 : x < 80 ? 3 : x < 88 ? 4 : x < 89 ? 5 : 6;
			if (ev == 3 && !m.busy)
				ev = 6;
			bool was = r.ready;
			bool changed = ev == 0 ? ready_check(&r, true, now) : ev == 1 ? ready_check(&r, false, now)
				       : ev == 2 ? ready_apply_begin(&r, now) : ev == 3 ? ready_apply_end(&r, now)
				       : ev == 4 ? ready_generation(&r, now) : ev == 5 ? ready_drain(&r, now)
				       : ready_tick(&r, now);
			model_step(&m, ev, now, &p);
			cr_assert_eq(r.ready, m.ready, "round %d step %d event %d at %lld", round, i, ev, (long long)now);
			cr_assert_eq(changed, was != r.ready);
			/* Between events only the window's end can change the verdict, at ready_next. */
			int64_t nx = ready_next(&r, now);
			if (nx != INT64_MAX) {
				cr_assert_gt(nx, now);
				cr_assert_not(ready_tick(&r, nx - 1));
				cr_assert(ready_tick(&r, nx));
				now = nx;
				model_step(&m, 6, now, &p);
				cr_assert(m.ready);
			} else if (!r.ready) {
				cr_assert_not(ready_tick(&r, now + 1000000));
				cr_assert_neq(ready_why(&r, now), RW_READY);
			}
		}
	}
}
