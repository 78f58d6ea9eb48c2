/* test_lease_machine.c -- the Lease machine's rules, one scripted exchange at a time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "lease.h"

static int64_t clock_ms;
static unsigned wall_n;
static uint32_t rand_v;

static int64_t t_now(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

static void t_wall(void *ctx, char *out, size_t n)
{
	(void)ctx;
	snprintf(out, n, "2026-01-01T00:00:%02u.%06uZ", (wall_n / 1000000) % 60, wall_n % 1000000);
	wall_n++;
}

static uint32_t t_rand(void *ctx)
{
	(void)ctx;
	return rand_v;
}

static const struct lease_env env = { t_now, t_wall, t_rand, NULL };
static struct lease_machine M;
static struct lease_timing T;

static void setup(void)
{
	clock_ms = 1000000;
	wall_n = 1;
	rand_v = 0;
	T = (struct lease_timing)LEASE_TIMING_DEFAULT;
	char err[256];
	cr_assert_eq(lease_timing_check(&T, err, sizeof(err)), 0);
	cr_assert_eq(lease_init(&M, &env, &T, "me"), 0);
}

TestSuite(lease, .init = setup);

static struct lease_obj obj(const char *rv, const char *holder, int transitions)
{
	struct lease_obj o;
	memset(&o, 0, sizeof(o));
	snprintf(o.rv, sizeof(o.rv), "%s", rv);
	snprintf(o.rec.holder, sizeof(o.rec.holder), "%s", holder);
	o.rec.duration_s = 15;
	o.rec.transitions = transitions;
	snprintf(o.rec.acquire_time, sizeof(o.rec.acquire_time), "2025-12-31T00:00:00.000000Z");
	return o;
}

static struct lease_req expect_send(enum lease_op op)
{
	struct lease_req req;
	int64_t wake = 0;
	enum lease_action a = lease_next(&M, &req, &wake);
	cr_assert_eq(a, LEASE_ACT_SEND, "expected a request at %lld, told to wait until %lld",
		     (long long)clock_ms, (long long)wake);
	cr_assert_eq(req.op, op, "expected op %d, got %d", op, req.op);
	return req;
}

static int64_t expect_wait(void)
{
	struct lease_req req;
	int64_t wake = 0;
	enum lease_action a = lease_next(&M, &req, &wake);
	cr_assert_eq(a, LEASE_ACT_WAIT, "expected to wait at %lld, got op %d", (long long)clock_ms, req.op);
	return wake;
}

/* Reply to a write by echoing its record under a new resourceVersion. */
static struct lease_obj echo(const struct lease_req *req, const char *rv)
{
	struct lease_obj o;
	memset(&o, 0, sizeof(o));
	o.rec = req->rec;
	snprintf(o.rv, sizeof(o.rv), "%s", rv);
	return o;
}

static void acquire_fresh(void)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	lease_done(&M, LR_NOT_FOUND, NULL);
	struct lease_req c = expect_send(LEASE_CREATE);
	struct lease_obj o = echo(&c, "1");
	lease_done(&M, LR_OK, &o);
	cr_assert(lease_events(&M) & LEV_ACQUIRED);
}

Test(lease, timing_defaults_and_constraints)
{
	struct lease_timing t = LEASE_TIMING_DEFAULT;
	char err[256];
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), 0);
	cr_assert_eq(t.request_timeout_ms, 5000, "max(1s, D/2)");
	t = (struct lease_timing){ 15000, 1300, 1000, 3000, 1000, 0 };
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), 0);
	cr_assert_eq(t.request_timeout_ms, 1000, "max(1s, D/2) with a short deadline");

	t = (struct lease_timing){ 15000, 10000, 9000, 3000, 1000, 0 };
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "--renew-deadline (10s) must be greater than 1.2 x --retry-period (9s)"), "%s", err);
	t = (struct lease_timing){ 15000, 1200, 1000, 3000, 1000, 500 }; /* exactly 1.2 R: not greater */
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), -1);

	t = (struct lease_timing){ 14000, 10000, 2000, 3000, 1000, 0 };
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "--lease-duration (14s) must be greater than --renew-deadline (10s) + "
			      "--kill-grace (3s) + --safety-margin (1s)"), "%s", err);
	t = (struct lease_timing){ 15500, 10000, 2000, 3000, 1000, 0 };
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "whole number of seconds"), "%s", err);
	t = (struct lease_timing){ 15000, 10000, 2000, 3000, 1000, 10000 };
	cr_assert_eq(lease_timing_check(&t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "--request-timeout"), "%s", err);
}

Test(lease, identity_is_checked)
{
	struct lease_machine m;
	cr_assert_eq(lease_init(&m, &env, &T, ""), -1);
	cr_assert_eq(lease_init(&m, &env, &T, "has space"), -1);
	char long_id[300];
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	cr_assert_eq(lease_init(&m, &env, &T, long_id), -1);
}

Test(lease, idle_sends_nothing)
{
	cr_assert_eq(expect_wait(), LEASE_NEVER);
	clock_ms += 600000;
	cr_assert_eq(expect_wait(), LEASE_NEVER);
}

Test(lease, creates_on_404_then_renews_on_the_fast_path)
{
	lease_want(&M, true);
	struct lease_req g = expect_send(LEASE_GET);
	cr_assert_eq(g.timeout_ms, 5000);
	lease_done(&M, LR_NOT_FOUND, NULL);
	struct lease_req c = expect_send(LEASE_CREATE);
	cr_assert_str_eq(c.rec.holder, "me");
	cr_assert_eq(c.rec.duration_s, 15);
	cr_assert_eq(c.rec.transitions, 0);
	cr_assert_str_eq(c.rec.acquire_time, c.rec.renew_time);
	int64_t sent = clock_ms;
	clock_ms += 30; /* the answer takes a while: validity still counts from the send */
	struct lease_obj o = echo(&c, "1");
	lease_done(&M, LR_OK, &o);
	cr_assert_eq(lease_events(&M) & LEV_ACQUIRED, LEV_ACQUIRED);
	cr_assert(lease_held(&M));
	cr_assert_eq(lease_valid_ms(&M), 10000 - 30);
	cr_assert_eq(M.fence, 0);

	cr_assert_eq(expect_wait(), sent + 2000, "one renew per retry period");
	clock_ms = sent + 2000;
	struct lease_req r = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(r.rv, "1", "the fast path uses the cached resourceVersion");
	cr_assert_str_eq(r.rec.holder, "me");
	cr_assert_str_eq(r.rec.acquire_time, c.rec.acquire_time, "acquireTime is kept");
	cr_assert_str_neq(r.rec.renew_time, c.rec.renew_time);
	cr_assert_eq(r.rec.transitions, 0);
	struct lease_obj o2 = echo(&r, "2");
	lease_done(&M, LR_OK, &o2);
	cr_assert_eq(lease_events(&M) & LEV_RENEWED, LEV_RENEWED);
	cr_assert_eq(lease_valid_ms(&M), 10000);
	cr_assert_eq(M.stats.gets + M.stats.creates + M.stats.updates, 3);
}

Test(lease, waits_a_whole_lease_of_unchanged_record)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	int64_t t0 = clock_ms;
	struct lease_obj held = obj("5", "other", 7);
	lease_done(&M, LR_OK, &held);
	unsigned ev = lease_events(&M);
	cr_assert(ev & LEV_ATTEMPT);
	cr_assert_eq(M.why, WHY_HELD);
	int64_t wake = expect_wait();
	cr_assert(wake >= t0 + 2000 && wake <= t0 + 4400, "poll within R..2.2R, got +%lld", (long long)(wake - t0));
	/* Polls show the same version: the clock keeps running from t0. */
	for (clock_ms = wake; clock_ms < t0 + 15000; clock_ms = expect_wait()) {
		expect_send(LEASE_GET);
		lease_done(&M, LR_OK, &held);
	}
	cr_assert_eq(clock_ms, t0 + 15000, "woken exactly at expiry");
	struct lease_req take = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(take.rv, "5", "the take carries the resourceVersion it judged");
	cr_assert_str_eq(take.rec.holder, "me");
	cr_assert_eq(take.rec.transitions, 8, "leaseTransitions + 1");
	cr_assert_eq(take.rec.duration_s, 15);
	struct lease_obj o = echo(&take, "6");
	lease_done(&M, LR_OK, &o);
	cr_assert(lease_events(&M) & LEV_ACQUIRED);
	cr_assert_eq(M.fence, 8);
}

Test(lease, a_changed_record_restarts_the_clock)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	int64_t t0 = clock_ms;
	struct lease_obj a = obj("5", "other", 7), b = obj("9", "other", 7);
	lease_done(&M, LR_OK, &a);
	/* Unchanged for 10 s, then renewed by the holder. */
	for (clock_ms = expect_wait(); clock_ms < t0 + 10000; clock_ms = expect_wait()) {
		expect_send(LEASE_GET);
		lease_done(&M, LR_OK, &a);
	}
	expect_send(LEASE_GET);
	lease_done(&M, LR_OK, &b);
	int64_t t1 = clock_ms;
	for (clock_ms = expect_wait(); clock_ms < t1 + 15000; clock_ms = expect_wait()) {
		expect_send(LEASE_GET);
		lease_done(&M, LR_OK, &b);
	}
	cr_assert_eq(clock_ms, t1 + 15000, "expiry counted from the change, not from the first look");
	cr_assert_str_eq(expect_send(LEASE_UPDATE).rv, "9");
}

Test(lease, the_recorded_duration_counts)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	int64_t t0 = clock_ms;
	struct lease_obj held = obj("5", "other", 1);
	held.rec.duration_s = 60; /* a holder promising longer must be waited for longer */
	lease_done(&M, LR_OK, &held);
	for (clock_ms = expect_wait(); clock_ms < t0 + 60000; clock_ms = expect_wait()) {
		expect_send(LEASE_GET);
		lease_done(&M, LR_OK, &held);
	}
	cr_assert_eq(clock_ms, t0 + 60000);
	expect_send(LEASE_UPDATE);
}

Test(lease, free_record_is_taken_at_once)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	struct lease_obj free = obj("5", "", 3);
	lease_done(&M, LR_OK, &free);
	struct lease_req take = expect_send(LEASE_UPDATE);
	cr_assert_eq(take.rec.transitions, 4);
}

Test(lease, release_writes_empty_holder_and_bumps_generation)
{
	acquire_fresh();
	lease_release(&M, true);
	struct lease_req r = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(r.rv, "1");
	cr_assert_str_eq(r.rec.holder, "");
	cr_assert_eq(r.rec.duration_s, 1);
	cr_assert_eq(r.rec.transitions, 0, "release keeps leaseTransitions");
	cr_assert_eq(r.rec.generation, 1);
	struct lease_obj o = echo(&r, "2");
	lease_done(&M, LR_OK, &o);
	cr_assert(lease_events(&M) & LEV_RELEASED);
	cr_assert(M.release_ok);
	cr_assert_eq(M.state, LEASE_STANDBY, "still wanted: goes back to standby");
	lease_want(&M, false);
	cr_assert_eq(expect_wait(), LEASE_NEVER);
}

Test(lease, release_without_bump_keeps_generation)
{
	acquire_fresh();
	lease_want(&M, false); /* dropping the want while holding releases, no bump */
	struct lease_req r = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(r.rec.holder, "");
	cr_assert_eq(r.rec.generation, 0);
}

Test(lease, release_409_rereads_and_does_not_bump_twice)
{
	acquire_fresh();
	lease_release(&M, true);
	expect_send(LEASE_UPDATE);
	lease_done(&M, LR_TIMEOUT, NULL); /* it landed, but we did not hear */
	clock_ms = expect_wait();
	expect_send(LEASE_UPDATE);
	lease_done(&M, LR_CONFLICT, NULL);
	expect_send(LEASE_GET);
	struct lease_obj landed = obj("2", "", 0);
	landed.rec.generation = 1;
	lease_done(&M, LR_OK, &landed);
	cr_assert(lease_events(&M) & LEV_RELEASED);
	cr_assert_eq(M.generation, 1);
	cr_assert_eq(M.state, LEASE_STANDBY);
}

Test(lease, renew_409_rereads_and_continues_if_still_ours)
{
	acquire_fresh();
	clock_ms = expect_wait();
	expect_send(LEASE_UPDATE);
	lease_done(&M, LR_CONFLICT, NULL);
	expect_send(LEASE_GET);
	struct lease_obj mine = obj("7", "me", 0);
	lease_done(&M, LR_OK, &mine);
	struct lease_req r = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(r.rv, "7");
	cr_assert(lease_held(&M));
}

Test(lease, renew_409_by_someone_else_is_lost)
{
	acquire_fresh();
	clock_ms = expect_wait();
	expect_send(LEASE_UPDATE);
	lease_done(&M, LR_CONFLICT, NULL);
	expect_send(LEASE_GET);
	struct lease_obj theirs = obj("7", "other", 1);
	lease_done(&M, LR_OK, &theirs);
	cr_assert(lease_events(&M) & LEV_LOST);
	cr_assert(!lease_held(&M));
}

Test(lease, renew_failures_lose_exactly_at_the_deadline)
{
	acquire_fresh();
	int64_t deadline = M.valid_until;
	int requests = 0;
	for (;;) {
		struct lease_req req;
		int64_t wake;
		if (lease_next(&M, &req, &wake) == LEASE_ACT_SEND) {
			cr_assert_leq(clock_ms + req.timeout_ms, deadline, "a request outlives the deadline");
			clock_ms += req.timeout_ms;
			lease_done(&M, LR_TIMEOUT, NULL);
			requests++;
			continue;
		}
		if (lease_events(&M) & LEV_LOST)
			break;
		cr_assert_leq(wake, deadline);
		clock_ms = wake;
	}
	cr_assert_eq(clock_ms, deadline);
	cr_assert_geq(requests, 2);
	cr_assert_eq(lease_valid_ms(&M), 0);
}

Test(lease, own_take_whose_answer_was_lost_is_recognised)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	struct lease_obj free = obj("5", "", 3);
	lease_done(&M, LR_OK, &free);
	struct lease_req take = expect_send(LEASE_UPDATE);
	lease_done(&M, LR_TIMEOUT, NULL);
	clock_ms = expect_wait();
	expect_send(LEASE_GET);
	struct lease_obj landed = echo(&take, "6");
	lease_done(&M, LR_OK, &landed);
	struct lease_req again = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(again.rv, "6");
	cr_assert_eq(again.rec.transitions, 5, "a new term: the fence still grows");
}

Test(lease, a_record_naming_us_from_before_is_waited_out)
{
	/* A restarted daemon with the same identity must not inherit the hold. */
	lease_want(&M, true);
	expect_send(LEASE_GET);
	int64_t t0 = clock_ms;
	struct lease_obj old = obj("5", "me", 2);
	lease_done(&M, LR_OK, &old);
	cr_assert_eq(M.why, WHY_HELD);
	for (clock_ms = expect_wait(); clock_ms < t0 + 15000; clock_ms = expect_wait()) {
		expect_send(LEASE_GET);
		lease_done(&M, LR_OK, &old);
	}
	cr_assert_eq(clock_ms, t0 + 15000);
}

Test(lease, late_answer_after_a_stall_grants_nothing)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	struct lease_obj free = obj("5", "", 3);
	lease_done(&M, LR_OK, &free);
	struct lease_req take = expect_send(LEASE_UPDATE);
	clock_ms += 10000; /* the process was stopped for the whole renew deadline */
	struct lease_obj o = echo(&take, "6");
	lease_done(&M, LR_OK, &o);
	unsigned ev = lease_events(&M);
	cr_assert_eq(ev & LEV_ACQUIRED, 0);
	cr_assert(!lease_held(&M));
}

Test(lease, watch_events_are_ignored_while_holding)
{
	acquire_fresh();
	struct lease_obj theirs = obj("99", "other", 5);
	lease_observe(&M, &theirs);
	clock_ms = expect_wait();
	struct lease_req r = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(r.rv, "1", "never adopt a resourceVersion we did not write");
}

Test(lease, watching_standby_does_not_poll_and_reacts_to_release)
{
	lease_set_watching(&M, true);
	lease_want(&M, true);
	expect_send(LEASE_GET); /* first look */
	int64_t t0 = clock_ms;
	struct lease_obj held = obj("5", "other", 2);
	lease_done(&M, LR_OK, &held);
	cr_assert_eq(expect_wait(), t0 + 15000, "no polling while the watch works");
	clock_ms += 3000;
	struct lease_obj renewed = obj("6", "other", 2);
	lease_observe(&M, &renewed);
	cr_assert_eq(expect_wait(), clock_ms + 15000);
	clock_ms += 1000;
	rand_v = 123;
	struct lease_obj released = obj("7", "", 2);
	lease_observe(&M, &released);
	int64_t wake = expect_wait();
	cr_assert_eq(wake, clock_ms + 123, "takes are spread over R/4 after a release");
	clock_ms = wake;
	struct lease_req take = expect_send(LEASE_UPDATE);
	cr_assert_str_eq(take.rv, "7");
	cr_assert_eq(M.stats.gets, 1);
}

Test(lease, watch_event_racing_a_get_forces_another_look)
{
	lease_set_watching(&M, true);
	lease_want(&M, true);
	expect_send(LEASE_GET);
	struct lease_obj released = obj("7", "", 2);
	lease_observe(&M, &released); /* arrives while the GET is out */
	struct lease_obj older = obj("6", "other", 2);
	lease_done(&M, LR_OK, &older);
	expect_send(LEASE_GET);
	lease_done(&M, LR_OK, &released);
	expect_send(LEASE_UPDATE);
}

Test(lease, errors_say_why)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	lease_done(&M, LR_FORBIDDEN, NULL);
	cr_assert(lease_events(&M) & LEV_ATTEMPT);
	cr_assert_eq(M.why, WHY_FORBIDDEN);
	clock_ms = expect_wait();
	expect_send(LEASE_GET);
	lease_done(&M, LR_UNAVAILABLE, NULL);
	cr_assert_eq(M.why, WHY_UNREACHABLE);
	clock_ms = expect_wait();
	expect_send(LEASE_GET);
	lease_done(&M, LR_CONFIG, NULL);
	cr_assert_eq(M.why, WHY_CONFIG);
}

Test(lease, create_race_lost_reads_again)
{
	lease_want(&M, true);
	expect_send(LEASE_GET);
	lease_done(&M, LR_NOT_FOUND, NULL);
	expect_send(LEASE_CREATE);
	lease_done(&M, LR_CONFLICT, NULL); /* AlreadyExists: somebody else created it */
	clock_ms = expect_wait();
	expect_send(LEASE_GET);
	struct lease_obj theirs = obj("3", "other", 0);
	lease_done(&M, LR_OK, &theirs);
	cr_assert_eq(M.why, WHY_HELD);
}
