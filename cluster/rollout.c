/* rollout.c -- wait for Deployments to roll out (kubectl rollout status's rules), showing progress. */
#include "rollout.h"
#include "buf.h"
#include "doc.h"
#include "kube_util.h"

#include <string.h>
#include <time.h>

static int64_t int_at(const struct node *n, const char *path, int64_t dflt)
{
	int64_t v = dflt;
	node_get_int(node_at(n, path), &v);
	return v;
}

static bool deadline_exceeded(const struct node *dep)
{
	const struct node *c = kube_condition(dep, "Progressing");
	return !strcmp(node_str_or(map_get(c, "reason"), ""), "ProgressDeadlineExceeded");
}

int rollout_status(const struct node *dep, char *msg, size_t len)
{
	const char *name = node_str_or(node_at(dep, "metadata.name"), "");
	int64_t gen = int_at(dep, "metadata.generation", 0), seen = int_at(dep, "status.observedGeneration", 0);
	int64_t want = int_at(dep, "spec.replicas", 1), updated = int_at(dep, "status.updatedReplicas", 0);
	int64_t have = int_at(dep, "status.replicas", 0), avail = int_at(dep, "status.availableReplicas", 0);
	if (seen < gen) {
		snprintf(msg, len, "Waiting for deployment spec update to be observed...");
		return 0;
	}
	if (deadline_exceeded(dep)) {
		snprintf(msg, len, "deployment \"%s\" exceeded its progress deadline", name);
		return -1;
	}
	if (updated < want)
		snprintf(msg, len,
			 "Waiting for deployment \"%s\" rollout to finish: %lld out of %lld new replicas have been updated...",
			 name, (long long)updated, (long long)want);
	else if (have > updated)
		snprintf(msg, len, "Waiting for deployment \"%s\" rollout to finish: %lld old replicas are pending termination...",
			 name, (long long)(have - updated));
	else if (avail < updated)
		snprintf(msg, len, "Waiting for deployment \"%s\" rollout to finish: %lld of %lld updated replicas are available...",
			 name, (long long)avail, (long long)updated);
	else {
		snprintf(msg, len, "deployment \"%s\" successfully rolled out", name);
		return 1;
	}
	return 0;
}

struct follow {
	FILE *out;
	bool live_line;
	char last[512];
	int verdict;       /* rollout_status() of the newest state */
	bool gone, restart;
	char rv[64];
};

static void show(struct follow *f, const struct node *dep)
{
	char msg[512];
	f->verdict = rollout_status(dep, msg, sizeof(msg));
	snprintf(f->rv, sizeof(f->rv), "%s", node_str_or(node_at(dep, "metadata.resourceVersion"), ""));
	if (!strcmp(msg, f->last))
		return;
	snprintf(f->last, sizeof(f->last), "%s", msg);
	if (f->live_line)
		fprintf(f->out, "\r\033[K%s%s", msg, f->verdict ? "\n" : "");
	else
		fprintf(f->out, "%s\n", msg);
	fflush(f->out);
}

/* A Deployment somebody else makes (the Feast operator) and that is not there yet. */
static void show_missing(struct follow *f, const char *name)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "Waiting for deployment \"%s\" to be created...", name);
	f->verdict = 0;
	if (!strcmp(msg, f->last))
		return;
	snprintf(f->last, sizeof(f->last), "%s", msg);
	fprintf(f->out, f->live_line ? "\r\033[K%s" : "%s\n", msg);
	fflush(f->out);
}

static int on_event(void *ctx, const char *type, const struct node *obj, struct arena *ea)
{
	(void)ea;
	struct follow *f = ctx;
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED"))
		show(f, obj);
	else if (!strcmp(type, "DELETED"))
		f->gone = true;
	else if (!strcmp(type, "ERROR"))
		f->restart = true; /* e.g. 410 Expired: start over from a GET */
	return f->verdict != 0 || f->gone || f->restart;
}

static void pause_until(long long deadline_ms, long long ms)
{
	long long now = kube_now_ms();
	if (deadline_ms && now + ms > deadline_ms)
		ms = deadline_ms > now ? deadline_ms - now : 0;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Watch from f->rv until something worth a new GET happens; failures only slow us down. */
static void watch_once(struct rec_session *s, const struct rec_obj *o, struct follow *f, long long deadline_ms)
{
	struct arena a = ARENA_INIT;
	struct diags scratch;
	diags_init(&scratch, &a);
	struct buf q = BUF_INIT;
	kube_query_add(&q, "fieldSelector", arena_printf(&a, "metadata.name=%s", o->name));
	if (f->rv[0])
		kube_query_add(&q, "resourceVersion", f->rv);
	struct kube_watch_opts wo = { .deadline_ms = deadline_ms, .wake_fd = -1 };
	struct kube_response r;
	f->restart = false;
	int rc = kube_watch(s->c, &a, kube_path(&a, &o->res, o->ns, NULL, NULL), q.data, &wo, on_event, f, &r,
			    &scratch);
	if (rc < 0 || rc == KUBE_WATCH_REFUSED)
		pause_until(deadline_ms, 1000);
	buf_release(&q);
	arena_free(&a);
}

static int timed_out(struct rec_session *s, struct follow *f, const struct rec_obj *o, long long timeout_ms)
{
	if (f->live_line && f->last[0])
		fputc('\n', f->out);
	diag_error(&s->d, NULL, "", "timed out after %.1fs waiting for deployment \"%s\" to roll out (%s)",
		   (double)timeout_ms / 1000.0, o->name, f->last[0] ? f->last : "no status yet");
	return 1;
}

static int follow_one(struct rec_session *s, const struct rec_obj *o, long long deadline_ms, long long timeout_ms,
		      FILE *out, bool live_line)
{
	struct follow f;
	memset(&f, 0, sizeof(f));
	f.out = out;
	f.live_line = live_line;
	for (;;) {
		struct rec_obj cur = *o;
		size_t before = s->d.n;
		if (rec_get(s, &cur) < 0) {
			if (!deadline_ms || kube_now_ms() < deadline_ms)
				return -1;
			rec_drop_diags(s, before); /* the request ran into our own deadline */
			return timed_out(s, &f, o, timeout_ms);
		}
		if (!cur.live && (o->obj || f.rv[0])) {
			diag_error(&s->d, NULL, "", "deployment \"%s\" is gone: it was deleted while waiting", o->name);
			return -1;
		}
		if (cur.live)
			show(&f, cur.live);
		else
			show_missing(&f, o->name);
		if (f.verdict > 0)
			return 0;
		if (f.verdict < 0) {
			diag_error(&s->d, NULL, "", "%s", f.last);
			return 1;
		}
		if (deadline_ms && kube_now_ms() >= deadline_ms)
			return timed_out(s, &f, o, timeout_ms);
		watch_once(s, o, &f, deadline_ms);
	}
}

int rollout_wait(struct rec_session *s, const struct rec_obj *const *deps, size_t n, long long timeout_ms,
		 FILE *progress, bool live_line)
{
	long long deadline_ms = timeout_ms ? kube_now_ms() + timeout_ms : 0;
	long long saved = s->deadline_ms;
	s->deadline_ms = deadline_ms;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = follow_one(s, deps[i], deadline_ms, timeout_ms, progress, live_line);
	s->deadline_ms = saved;
	return rc;
}
