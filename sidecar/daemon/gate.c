/* gate.c -- the readiness gate condition on our Pod: strategic-merge PATCHes of pods/status from a worker. */
#include "gate.h"
#include "arena.h"
#include "clock.h"
#include "diag.h"
#include "doc.h"
#include "kube_client.h"
#include "kube_resource.h"
#include "slog.h"
#include "worker_thread.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POD_BODY_MAX (1u << 20)
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000

static void wall_seconds(char *out, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void gate_open(struct gate *g, struct kube_client *client, const char *ns, const char *pod, int64_t resync_ms,
	       int64_t timeout_ms, int efd)
{
	memset(g, 0, sizeof(*g));
	g->client = client;
	snprintf(g->pod, sizeof(g->pod), "%s", pod);
	struct arena a = ARENA_INIT;
	const struct kube_resource *res = kube_resource_builtin("v1", "Pod");
	snprintf(g->pod_path, sizeof(g->pod_path), "%s", kube_path(&a, res, ns, pod, NULL));
	snprintf(g->status_path, sizeof(g->status_path), "%s", kube_path(&a, res, ns, pod, "status"));
	arena_free(&a);
	g->resync_ms = resync_ms;
	g->timeout_ms = timeout_ms;
	g->efd = efd;
	g->stored = -1;
}

static void first_error(const struct diags *d, const struct kube_response *r, char *out, size_t n)
{
	if (d->n)
		snprintf(out, n, "%s", d->v[0].msg);
	else
		snprintf(out, n, "%ld %s: %s", r->code, r->status.reason, r->status.message);
}

/* Read our condition from the Pod, so a restarted sidecar keeps its lastTransitionTime. */
static void read_pod(struct gate *g)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct kube_req q = { .method = "GET", .path = g->pod_path, .timeout_ms = g->timeout_ms,
			      .deadline_ms = mono_ms() + g->timeout_ms, .max_bytes = POD_BODY_MAX };
	struct kube_response r;
	if (kube_request(g->client, &a, &q, &r, &d) < 0 || !kube_ok(&r)) {
		char why[256];
		first_error(&d, &r, why, sizeof(why));
		slog(0, "gate: cannot read pod %s (%s); the first write sets lastTransitionTime", g->pod, why);
	} else {
		const struct node *c = seq_find_by(node_at(r.body, "status.conditions"), "type", GATE_CONDITION);
		const char *status = node_str_or(map_get(c, "status"), "");
		g->stored = !strcmp(status, "True") ? 1 : !strcmp(status, "False") ? 0 : -1;
		snprintf(g->stored_since, sizeof(g->stored_since), "%s",
			 node_str_or(map_get(c, "lastTransitionTime"), ""));
	}
	arena_free(&a);
}

static struct node *patch_body(struct arena *a, bool ready, const char *reason, const char *message,
			       const char *since)
{
	struct node *cond = node_map(a, NULL);
	map_put(a, cond, "type", node_str(a, GATE_CONDITION));
	map_put(a, cond, "status", node_str(a, ready ? "True" : "False"));
	map_put(a, cond, "reason", node_str(a, reason));
	map_put(a, cond, "message", node_str(a, message));
	map_put(a, cond, "lastTransitionTime", node_str(a, since));
	struct node *conds = node_seq(a, NULL), *status = node_map(a, NULL), *root = node_map(a, NULL);
	seq_push(a, conds, cond);
	map_put(a, status, "conditions", conds);
	map_put(a, root, "status", status);
	return root;
}

/* One PATCH; 0 when written. */
static int write_condition(struct gate *g, bool ready, const char *reason, const char *message,
			   const char *since, int64_t deadline, char *err, size_t n)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	int64_t now = mono_ms();
	int64_t timeout = g->timeout_ms;
	if (deadline && deadline - now < timeout)
		timeout = deadline - now > 1 ? deadline - now : 1;
	struct kube_req q = { .method = "PATCH", .path = g->status_path, .query = "fieldManager=feast-sidecar",
			      .content_type = "application/strategic-merge-patch+json",
			      .obj = patch_body(&a, ready, reason, message, since), .timeout_ms = timeout,
			      .deadline_ms = now + timeout, .max_bytes = POD_BODY_MAX };
	struct kube_response r;
	int rc = 0;
	if (kube_request(g->client, &a, &q, &r, &d) < 0 || !kube_ok(&r)) {
		first_error(&d, &r, err, n);
		rc = -1;
	}
	arena_free(&a);
	return rc;
}

struct want {
	bool ready;
	char reason[64], message[256], since[40];
	uint64_t seq;
	int64_t deadline;
};

/* Wait for something to write; false when the worker should end. */
struct backoff {
	uint64_t failed_seq;    /* the value whose write failed last */
	int64_t retry_at, step;
};

static bool next_job(struct gate *g, int64_t resync_at, const struct backoff *b, struct want *w)
{
	pthread_mutex_lock(&g->mu);
	for (;;) {
		int64_t now = mono_ms();
		bool pending = g->seq != g->done_seq;
		/* A new value is written at once; only a value that failed backs off. */
		int64_t retry_at = pending && g->seq == b->failed_seq ? b->retry_at : now;
		if (g->quit) {
			/* Only the write still due, and only within its deadline. */
			if (!pending || (g->deadline && now >= g->deadline) || retry_at > now) {
				pthread_mutex_unlock(&g->mu);
				return false;
			}
			break;
		}
		if ((pending && now >= retry_at) || (g->seq && now >= resync_at))
			break;
		int64_t at = pending ? retry_at : g->seq ? resync_at : now + 3600000;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t left = at - now;
		ts.tv_sec += (time_t)(left / 1000);
		ts.tv_nsec += (long)(left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000)
			ts.tv_sec++, ts.tv_nsec -= 1000000000;
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
	}
	w->ready = g->want;
	memcpy(w->reason, g->reason, sizeof(w->reason));
	memcpy(w->message, g->message, sizeof(w->message));
	memcpy(w->since, g->since, sizeof(w->since));
	w->seq = g->seq;
	w->deadline = g->deadline;
	pthread_mutex_unlock(&g->mu);
	return true;
}

static void notify(struct gate *g)
{
	uint64_t one = 1;
	ssize_t k = write(g->efd, &one, sizeof(one));
	(void)k;
}

static void *worker_main(void *arg)
{
	struct gate *g = arg;
	int64_t resync_at = 0;
	struct backoff b = { 0, 0, BACKOFF_MIN_MS };
	read_pod(g);
	struct want w;
	while (next_job(g, resync_at, &b, &w)) {
		/* The status the Pod already has keeps its time. */
		const char *since = g->stored == (int)w.ready && g->stored_since[0] ? g->stored_since : w.since;
		char err[256] = "";
		int rc = write_condition(g, w.ready, w.reason, w.message, since, w.deadline, err, sizeof(err));
		int64_t now = mono_ms();
		pthread_mutex_lock(&g->mu);
		if (rc == 0) {
			g->stored = w.ready;
			snprintf(g->stored_since, sizeof(g->stored_since), "%s", since);
			g->done_seq = w.seq;
			g->stats.writes++;
			resync_at = now + g->resync_ms;
			b.step = BACKOFF_MIN_MS;
		} else {
			g->stats.failures++;
			snprintf(g->stats.last_error, sizeof(g->stats.last_error), "%s", err);
			if (b.failed_seq != w.seq)
				b.step = BACKOFF_MIN_MS;
			b.failed_seq = w.seq;
			b.retry_at = now + b.step;
			if (w.seq == g->done_seq)
				resync_at = b.retry_at; /* a resync that failed: the same backoff */
			b.step = b.step * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b.step * 2;
		}
		g->stats.synced = g->done_seq == g->seq;
		pthread_mutex_unlock(&g->mu);
		if (rc == 0)
			slog(1, "gate: %s=%s (%s) written", GATE_CONDITION, w.ready ? "True" : "False", w.reason);
		else
			slog(0, "gate: cannot write %s=%s: %s", GATE_CONDITION, w.ready ? "True" : "False", err);
		notify(g);
	}
	return NULL;
}

int gate_start(struct gate *g)
{
	worker_cond_init(&g->cv);
	pthread_mutex_init(&g->mu, NULL);
	int rc = worker_thread_start(&g->thread, worker_main, g);
	if (rc != 0) {
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		return -1;
	}
	g->running = true;
	return 0;
}

void gate_set(struct gate *g, bool ready, const char *reason, const char *message, int64_t deadline_ms)
{
	pthread_mutex_lock(&g->mu);
	if (!g->seq || g->want != ready)
		wall_seconds(g->since, sizeof(g->since));
	g->want = ready;
	snprintf(g->reason, sizeof(g->reason), "%s", reason);
	snprintf(g->message, sizeof(g->message), "%s", message);
	g->deadline = deadline_ms;
	g->seq++;
	g->stats.synced = false;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void gate_get_stats(struct gate *g, struct gate_stats *out)
{
	pthread_mutex_lock(&g->mu);
	*out = g->stats;
	pthread_mutex_unlock(&g->mu);
}

void gate_stop(struct gate *g)
{
	if (g->running) {
		worker_thread_quit(&g->mu, &g->cv, &g->quit);
		worker_thread_join(g->thread, &g->mu, &g->cv);
		g->running = false;
	}
	kube_client_free(g->client);
	g->client = NULL;
}
