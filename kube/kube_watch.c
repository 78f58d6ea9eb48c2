/* kube_watch.c -- stream watch events (one JSON object per line) to a callback until a deadline, a stop or a wake-up. */
#include "kube_client_int.h"
#include "doc.h"
#include "json.h"
#include "kube_util.h"

#include <string.h>

#define WATCH_MAX_EVENT (1u << 20)

/* Parse one event line in its own arena and hand it over.  Returns 1 when
 * the callback wants to stop, -1 when the line is not a watch event. */
static int deliver(struct xfer *x, const char *s, size_t n)
{
	struct arena ev = ARENA_INIT;
	struct diags dd;
	diags_init(&dd, &ev);
	const struct node *e = json_parse(&ev, s, n, "watch event", &dd);
	const char *type = node_str_or(map_get(e, "type"), NULL);
	const struct node *obj = map_get(e, "object");
	int r;
	if (!e || !type || !obj || obj->kind != NODE_MAP) {
		x->bad_event = "a watch event is not {\"type\": ..., \"object\": {...}}";
		r = -1;
	} else {
		r = x->fn(x->ctx, type, obj, &ev) ? 1 : 0;
	}
	arena_free(&ev);
	return r;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r", s[i]))
			return false;
	return true;
}

/* Returns false to abort the transfer (stop requested or bad stream). */
static bool take_line(struct xfer *x, const char *p, size_t n)
{
	const char *s = p;
	if (x->line.len) {
		if (x->line.len + n > x->max_event)
			goto too_big;
		buf_add(&x->line, p, n);
		s = x->line.data;
		n = x->line.len;
	}
	int r = blank(s, n) ? 0 : deliver(x, s, n);
	buf_reset(&x->line);
	if (r > 0)
		x->stopped = true;
	return r == 0;
too_big:
	x->bad_event = "a watch event is larger than the event size bound";
	return false;
}

size_t watch_on_data(struct xfer *x, const char *p, size_t len)
{
	long code = 0;
	curl_easy_getinfo(x->c->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		/* A refused watch carries a Status: keep it as a body. */
		if (buf_add(&x->body, p, len) < 0) {
			x->too_big = true;
			return 0;
		}
		return len;
	}
	size_t off = 0;
	while (off < len) {
		const char *nl = memchr(p + off, '\n', len - off);
		if (!nl) {
			if (x->line.len + (len - off) > x->max_event) {
				x->bad_event = "a watch event is larger than the event size bound";
				return 0;
			}
			buf_add(&x->line, p + off, len - off);
			break;
		}
		if (!take_line(x, p + off, (size_t)(nl - (p + off))))
			return 0;
		off = (size_t)(nl - p) + 1;
	}
	return len;
}

struct watch_call {
	struct kube_req req;
	long long timeout;
	const struct kube_watch_opts *o;
};

/* One attempt; returns a kube_watch_end or -1. */
static int watch_once(struct kube_client *c, struct arena *a, struct watch_call *w, kube_watch_fn fn,
		      void *ctx, struct kube_response *resp, struct diags *d)
{
	memset(resp, 0, sizeof(*resp));
	resp->raw = resp->content_type = "";
	struct xfer x = { .c = c, .watching = true, .fn = fn, .ctx = ctx };
	x.max_event = w->o->max_event_bytes ? w->o->max_event_bytes : WATCH_MAX_EVENT;
	buf_init(&x.body, c->opts.max_response_bytes);
	buf_init(&x.line, 0);
	struct curl_slist *lists[2];
	xfer_setup(c, &w->req, &x, w->timeout, lists);
	curl_easy_setopt(c->easy, CURLOPT_LOW_SPEED_TIME, 0L); /* a quiet watch is not a stall */
	struct waiter wt = { w->o->wake_fd, w->o->cancel, 0 };
	resp->sent_ms = kube_now_ms();
	CURLcode cc = xfer_perform(c, &wt);
	long code = 0;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
	int ret;
	if (wt.why) {
		ret = wt.why;
	} else if (x.stopped) {
		ret = KUBE_WATCH_STOPPED;
	} else if (x.bad_event) {
		diag_error(d, NULL, "", "watch %s%s: %s", c->cfg.server_shown, w->req.path, x.bad_event);
		resp->err = KUBE_E_BAD_RESPONSE;
		ret = -1;
	} else if (cc == CURLE_OPERATION_TIMEDOUT && code == 200 && w->o->deadline_ms) {
		ret = KUBE_WATCH_DEADLINE;
	} else if (cc == CURLE_OK && code == 200) {
		ret = KUBE_WATCH_CLOSED;
	} else {
		ret = xfer_finish(c, a, &w->req, &x, cc, w->timeout, resp, d) < 0 ? -1 : KUBE_WATCH_REFUSED;
	}
	if (ret > 0) {
		resp->code = code;
		resp->done_ms = kube_now_ms();
		if (ret == KUBE_WATCH_WOKEN || ret == KUBE_WATCH_CANCELLED)
			resp->err = KUBE_E_CANCELLED;
	}
	curl_slist_free_all(lists[0]);
	curl_slist_free_all(lists[1]);
	xfer_release(&x);
	return ret;
}

int kube_watch(struct kube_client *c, struct arena *a, const char *path, const char *query,
	       const struct kube_watch_opts *o, kube_watch_fn fn, void *ctx,
	       struct kube_response *resp, struct diags *d)
{
	static const struct kube_watch_opts none = { 0, -1, NULL, 0 };
	if (!o)
		o = &none;
	memset(resp, 0, sizeof(*resp));
	resp->raw = resp->content_type = "";
	if (o->deadline_ms && o->deadline_ms <= kube_now_ms())
		return KUBE_WATCH_DEADLINE;
	if (auth_prepare(c, d) < 0) {
		resp->err = KUBE_E_CREDENTIALS;
		return -1;
	}
	struct buf q = BUF_INIT;
	buf_adds(&q, "watch=1");
	if (query && *query)
		buf_addf(&q, "&%s", query);
	struct watch_call w = { { .method = "GET", .path = path, .query = q.data }, 0, o };
	w.timeout = o->deadline_ms ? o->deadline_ms - kube_now_ms() : 0;
	if (o->deadline_ms && w.timeout <= 0) {
		buf_release(&q);
		return KUBE_WATCH_DEADLINE;
	}
	int ret = watch_once(c, a, &w, fn, ctx, resp, d);
	if (ret == KUBE_WATCH_REFUSED && resp->code == 401 && auth_refresh_after_401(c, d)) {
		w.timeout = o->deadline_ms ? o->deadline_ms - kube_now_ms() : 0;
		ret = o->deadline_ms && w.timeout <= 0 ? KUBE_WATCH_DEADLINE : watch_once(c, a, &w, fn, ctx, resp, d);
		resp->auth_retried = true;
	}
	buf_release(&q);
	return ret;
}
