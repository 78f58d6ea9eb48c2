/* kube_batch.c -- many requests at once over one multi handle: bounded, HTTP/2 where offered, throttling waited out. */
#include "kube_client_int.h"
#include "json.h"
#include "kube_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Resends after a 5xx or a lost connection; a 429 is bounded by the budget alone, since
 * APF answers it to say "later", not "broken". */
#define MAX_FAILURE_RESENDS 4
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 4000
/* The longest the loop sleeps while requests are in flight.  libcurl 7.88 (Debian 12) can read
 * a stream's last frame while serving another stream and report that transfer done only at
 * its next curl_multi_perform(), without making curl_multi_poll() return: measured, a no-op
 * apply of 100 stores sat out a whole 1 s poll in 3 runs of 25.  Waking every 50 ms
 * bounds that stall at almost no cost. */
#define POLL_MAX_MS 50

struct slot {
	struct kube_call *call;   /* NULL: free */
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	struct kube_req req;      /* call->req with its body encoded */
	struct buf body;
	struct xfer x;
	struct curl_slist *lists[2];
	long long first_ms, due_ms, timeout;
	unsigned failures;
	bool in_multi, waiting, auth_resent;
	unsigned sent;            /* request headers libcurl sent for this attempt */
};

struct run {
	struct kube_client *c;
	struct arena *a;
	CURLM *m;
	struct slot *slots;
	unsigned nslots;
	const struct kube_run_opts *o;
	long long budget;
	bool stopping;
	int refresh;              /* after a 401: 0 not tried, 1 new credentials, -1 none */
};

static void sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void end_call(struct run *r, struct slot *s, int rc, const struct kube_response *resp, const char *error)
{
	struct kube_call *k = s->call;
	if (resp)
		k->resp = *resp;
	k->rc = rc;
	k->error = error ? arena_strdup(r->a, error) : NULL;
	if (r->o->stop_on_failure && (rc < 0 || !kube_ok(&k->resp)) && !(r->o->not_found_ok && k->resp.code == 404))
		r->stopping = true;
	buf_release(&s->body);
	s->call = NULL;
	s->waiting = false;
}

/* Counts the requests libcurl sends for a transfer (its own resends included). */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *ud)
{
	(void)e, (void)data, (void)size;
	if (type == CURLINFO_HEADER_OUT)
		((struct slot *)ud)->sent++;
	return 0;
}

/* Send (or resend) the slot's call; ends it when that cannot be done. */
static void send_call(struct run *r, struct slot *s)
{
	struct arena scratch = ARENA_INIT;
	struct diags d;
	diags_init(&d, &scratch);
	long long left = r->budget - (kube_now_ms() - s->first_ms);
	long long t = xfer_timeout(r->c, &s->req);
	if (left <= 0 || t < 0)
		diag_error(&d, NULL, "", "%s %s%s: no answer within the request's time budget", method_of(&s->req),
			   r->c->cfg.server_shown, s->req.path ? s->req.path : "");
	else if (auth_prepare(r->c, &d) == 0) {
		s->timeout = t && t < left ? t : left;
		memset(&s->x, 0, sizeof(s->x));
		s->x.c = r->c;
		s->x.easy = s->easy;
		s->x.errbuf = s->errbuf;
		buf_init(&s->x.body, s->req.max_bytes ? s->req.max_bytes : r->c->opts.max_response_bytes);
		buf_init(&s->x.line, 0);
		xfer_setup(r->c, &s->req, &s->x, s->timeout, s->lists);
		curl_easy_setopt(s->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
		/* Wait for the first connection's ALPN answer rather than opening one each. */
		curl_easy_setopt(s->easy, CURLOPT_PIPEWAIT, 1L);
		curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (void *)s);
		s->sent = 0;
		curl_easy_setopt(s->easy, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(s->easy, CURLOPT_DEBUGDATA, (void *)s);
		curl_easy_setopt(s->easy, CURLOPT_VERBOSE, 1L);
		if (curl_multi_add_handle(r->m, s->easy) == CURLM_OK) {
			s->in_multi = true;
			s->waiting = false;
			s->call->sends++;
			r->c->stats.requests++;
			arena_free(&scratch);
			return;
		}
		curl_slist_free_all(s->lists[0]);
		curl_slist_free_all(s->lists[1]);
		xfer_release(&s->x);
		diag_error(&d, NULL, "", "cannot add a request to libcurl's multi handle");
	}
	struct kube_response none = { .raw = "", .content_type = "", .err = KUBE_E_TIMEOUT };
	end_call(r, s, -1, &none, d.n ? d.v[d.n - 1].msg : "no answer");
	arena_free(&scratch);
}

static void start_call(struct run *r, struct slot *s, struct kube_call *k)
{
	s->call = k;
	k->started = true;
	s->req = k->req;
	s->failures = 0;
	s->auth_resent = false;
	s->first_ms = kube_now_ms();
	buf_init(&s->body, 0);
	if (!k->req.body && k->req.obj) {
		json_emit(&s->body, k->req.obj, 0);
		s->req.body = s->body.data;
		s->req.body_len = s->body.len;
	}
	send_call(r, s);
}

static long long backoff_ms(unsigned n, const struct slot *s, const struct run *r)
{
	long long ms = BACKOFF_FIRST_MS;
	for (unsigned i = 1; i < n && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	/* Spread the slots a little so that a storm's resends do not arrive together. */
	return ms + (long long)((s - r->slots) * 37 % 100);
}

/* How long to wait before resending the answer `resp` (rc: the request's), or -1: keep it. */
static long long resend_after(struct run *r, struct slot *s, int rc, const struct kube_response *resp)
{
	long long wait = -1;
	if (rc == 0 && resp->code == 401 && !s->auth_resent) {
		struct arena scratch = ARENA_INIT;
		struct diags d;
		diags_init(&d, &scratch);
		if (!r->refresh)
			r->refresh = auth_refresh_after_401(r->c, &d) ? 1 : -1;
		arena_free(&scratch);
		s->auth_resent = true;
		return r->refresh > 0 ? 0 : -1;
	}
	bool failed = rc == 0 ? resp->code >= 500 : resp->err == KUBE_E_CONNECT || resp->err == KUBE_E_TRANSPORT;
	s->call->lost += failed;
	if (rc == 0 && resp->code == 429) {
		s->call->throttled++;
		wait = resp->status.retry_after_s > 0 ? resp->status.retry_after_s * 1000LL
						      : backoff_ms(s->call->throttled, s, r);
	} else if (failed && (r->o->idempotent || (rc == 0 && resp->status.retry_after_s > 0)) &&
		   s->failures < MAX_FAILURE_RESENDS) {
		s->failures++;
		wait = rc == 0 && resp->status.retry_after_s > 0 ? resp->status.retry_after_s * 1000LL
								 : backoff_ms(s->failures, s, r);
	}
	if (wait >= 0 && kube_now_ms() + wait - s->first_ms >= r->budget)
		return -1; /* no time left for another answer: keep this one */
	return wait;
}

static void on_done(struct run *r, struct slot *s, CURLcode cc)
{
	curl_multi_remove_handle(r->m, s->easy);
	s->in_multi = false;
	r->c->last_cc = cc;
	long nc = 0;
	if (curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &nc) == CURLE_OK && nc > 0)
		r->c->stats.connects += (unsigned long)nc;
	/* libcurl resends by itself, on another connection, a request whose kept-alive
	 * connection died unanswered: the server may have acted on the first send. */
	if (s->sent > 1)
		s->call->lost++;
	struct arena scratch = ARENA_INIT;
	struct diags d;
	diags_init(&d, &scratch);
	struct kube_response resp;
	memset(&resp, 0, sizeof(resp));
	resp.raw = resp.content_type = "";
	resp.sent_ms = s->first_ms;
	int rc = xfer_finish(r->c, r->a, &s->req, &s->x, cc, s->timeout, &resp, &d);
	resp.auth_retried = s->auth_resent;
	curl_slist_free_all(s->lists[0]);
	curl_slist_free_all(s->lists[1]);
	xfer_release(&s->x);
	long long wait = resend_after(r, s, rc, &resp);
	if (wait >= 0) {
		s->waiting = true;
		s->due_ms = kube_now_ms() + wait;
	} else {
		end_call(r, s, rc, &resp, d.n ? d.v[d.n - 1].msg : NULL);
	}
	arena_free(&scratch);
}

/* Returns how many calls' attempts ended. */
static unsigned collect(struct run *r)
{
	unsigned ended = 0;
	int left;
	CURLMsg *msg;
	while ((msg = curl_multi_info_read(r->m, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		void *p = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		if (p)
			on_done(r, p, msg->data.result);
		ended++;
	}
	return ended;
}

/* Start calls into free slots and resend those whose wait is over; returns the ms until the
 * next wait ends (1000 when none waits), or -1 when no slot is busy any more. */
static long long schedule(struct run *r, struct kube_call *calls, size_t n, size_t *next)
{
	long long now = kube_now_ms(), soonest = 1000;
	bool busy = false;
	for (unsigned i = 0; i < r->nslots; i++) {
		struct slot *s = &r->slots[i];
		if (!s->call && !r->stopping && *next < n)
			start_call(r, s, &calls[(*next)++]);
		if (s->call && s->waiting && s->due_ms <= now)
			send_call(r, s);
		if (s->call && s->waiting && s->due_ms - now < soonest)
			soonest = s->due_ms - now;
		busy |= s->call != NULL;
	}
	return busy ? (soonest > 0 ? soonest : 0) : -1;
}

static bool any_in_multi(const struct run *r)
{
	for (unsigned i = 0; i < r->nslots; i++)
		if (r->slots[i].in_multi)
			return true;
	return false;
}

static int setup(struct run *r, struct kube_client *c, struct arena *a, const struct kube_run_opts *o, size_t n,
		 struct diags *d)
{
	memset(r, 0, sizeof(*r));
	r->c = c, r->a = a, r->o = o;
	r->budget = o->budget_ms ? o->budget_ms : c->cfg.timeout_ms ? c->cfg.timeout_ms : KUBE_RUN_BUDGET_MS;
	r->nslots = o->concurrency ? o->concurrency : KUBE_RUN_CONCURRENCY;
	if (r->nslots > n)
		r->nslots = n ? (unsigned)n : 1;
	if (!c->batch)
		c->batch = curl_multi_init();
	r->m = c->batch;
	r->slots = xcalloc(r->nslots, sizeof(*r->slots));
	for (unsigned i = 0; r->m && i < r->nslots; i++)
		if (!(r->slots[i].easy = curl_easy_init()))
			break;
	if (!r->m || !r->slots[r->nslots - 1].easy) {
		diag_error(d, NULL, "", "cannot initialise libcurl handles");
		return -1;
	}
	curl_multi_setopt(r->m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	/* Without HTTP/2 every slot needs a connection of its own; keep them between waves. */
	curl_multi_setopt(r->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)r->nslots);
	curl_multi_setopt(r->m, CURLMOPT_MAXCONNECTS, (long)r->nslots);
	return 0;
}

static void teardown(struct run *r)
{
	for (unsigned i = 0; r->slots && i < r->nslots; i++) {
		struct slot *s = &r->slots[i];
		if (s->in_multi) {
			curl_multi_remove_handle(r->m, s->easy);
			curl_slist_free_all(s->lists[0]);
			curl_slist_free_all(s->lists[1]);
			xfer_release(&s->x);
			s->in_multi = false;
		}
		if (s->call) {
			struct kube_response none = { .raw = "", .content_type = "", .err = KUBE_E_TRANSPORT };
			end_call(r, s, -1, &none, "libcurl's multi handle failed");
		}
		if (s->easy)
			curl_easy_cleanup(s->easy);
	}
	free(r->slots);
}

long kube_run(struct kube_client *c, struct arena *a, struct kube_call *calls, size_t n,
	      const struct kube_run_opts *o, struct diags *d)
{
	for (size_t i = 0; i < n; i++) {
		memset(&calls[i].resp, 0, sizeof(calls[i].resp));
		calls[i].resp.raw = calls[i].resp.content_type = "";
		calls[i].rc = -1;
		calls[i].error = NULL;
		calls[i].started = false;
		calls[i].sends = calls[i].throttled = calls[i].lost = 0;
	}
	struct run r;
	if (setup(&r, c, a, o, n, d) < 0) {
		teardown(&r);
		return -1;
	}
	size_t next = 0;
	for (;;) {
		long long wait = schedule(&r, calls, n, &next);
		if (wait < 0)
			break;
		if (!any_in_multi(&r)) {
			sleep_ms(wait);
			continue;
		}
		int running = 0;
		if (curl_multi_perform(r.m, &running) != CURLM_OK)
			break;
		/* An attempt that ended frees a slot: fill it before sleeping. */
		if (collect(&r) == 0 && running)
			curl_multi_poll(r.m, NULL, 0, (int)(wait < POLL_MAX_MS ? wait : POLL_MAX_MS), NULL);
	}
	teardown(&r);
	long failed = 0;
	for (size_t i = 0; i < n; i++)
		failed += calls[i].rc < 0 || !kube_ok(&calls[i].resp);
	return failed;
}
