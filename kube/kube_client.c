/* kube_client.c -- requests to the API server over one kept-alive libcurl handle. */
#include "kube_client_int.h"
#include "doc.h"
#include "json.h"
#include "kube_util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef FEAST_VERSION
#define FEAST_VERSION "0.0.0-dev"
#endif

/* ---- configuration copy ---- */

static const char *dup_s(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static struct kube_blob dup_blob(struct arena *a, struct kube_blob b)
{
	if (!b.data)
		return b;
	return (struct kube_blob){ (const unsigned char *)arena_strndup(a, (const char *)b.data, b.len),
				   b.len };
}

static const char *const *dup_list(struct arena *a, const char *const *v, size_t n)
{
	if (!v)
		return NULL;
	const char **o = arena_alloc(a, (n + 1) * sizeof(*o));
	for (size_t i = 0; i < n; i++)
		o[i] = arena_strdup(a, v[i]);
	return o;
}

static const struct kube_exec_config *dup_exec(struct arena *a, const struct kube_exec_config *x)
{
	if (!x)
		return NULL;
	struct kube_exec_config *o = arena_alloc(a, sizeof(*o));
	*o = *x;
	o->api_version = dup_s(a, x->api_version);
	o->command = dup_s(a, x->command);
	o->install_hint = dup_s(a, x->install_hint);
	o->args = dup_list(a, x->args, x->nargs);
	o->env = dup_list(a, x->env, x->nenv);
	return o;
}

static void copy_config(struct arena *a, const struct kube_config *s, struct kube_config *o)
{
	*o = *s;
	o->server = dup_s(a, s->server);
	o->server_shown = kube_url_redacted(a, o->server ? o->server : "");
	o->tls_server_name = dup_s(a, s->tls_server_name);
	o->ca_file = dup_s(a, s->ca_file);
	o->ca_data = dup_blob(a, s->ca_data);
	o->cert_file = dup_s(a, s->cert_file);
	o->key_file = dup_s(a, s->key_file);
	o->cert_data = dup_blob(a, s->cert_data);
	o->key_data = dup_blob(a, s->key_data);
	o->token = dup_s(a, s->token);
	o->token_file = dup_s(a, s->token_file);
	o->username = dup_s(a, s->username);
	o->password = dup_s(a, s->password);
	o->as_user = dup_s(a, s->as_user);
	o->as_uid = dup_s(a, s->as_uid);
	o->as_groups = dup_list(a, s->as_groups, s->nas_groups);
	o->exec = dup_exec(a, s->exec);
	o->proxy_url = dup_s(a, s->proxy_url);
	o->namespace = dup_s(a, s->namespace ? s->namespace : "default");
	o->context_name = dup_s(a, s->context_name);
	o->cluster_name = dup_s(a, s->cluster_name);
	o->user_name = dup_s(a, s->user_name);
	o->ca_origin = dup_s(a, s->ca_origin);
	o->auth_origin = dup_s(a, s->auth_origin);
}

/* ---- life cycle ---- */

static void default_opts(struct kube_client_opts *o, const struct kube_client_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->user_agent)
		o->user_agent = "kubectl-feast/" FEAST_VERSION;
	if (!o->connect_timeout_ms)
		o->connect_timeout_ms = 10000;
	if (!o->low_speed_ms)
		o->low_speed_ms = 60000;
	if (!o->max_response_bytes)
		o->max_response_bytes = KUBE_MAX_RESPONSE;
	if (!o->token_reload_ms)
		o->token_reload_ms = 60000;
	if (!o->stdin_fd_set)
		o->stdin_fd = 0;
}

static bool server_ok(const char *s)
{
	/* A query string or fragment would end up inside every request path. */
	return (!strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7)) && !strpbrk(s, "?#");
}

struct kube_client *kube_client_new(const struct kube_config *cfg, const struct kube_client_opts *opts,
				    struct diags *d)
{
	if (!cfg->server || !server_ok(cfg->server)) {
		struct arena scratch = ARENA_INIT; /* d's arena keeps its own copy */
		diag_error(d, NULL, "", "invalid API server URL \"%s\": want https://HOST[:PORT]",
			   kube_url_redacted(&scratch, cfg->server ? cfg->server : ""));
		arena_free(&scratch);
		return NULL;
	}
	CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (init != CURLE_OK) {
		diag_error(d, NULL, "", "cannot initialise libcurl: %s", curl_easy_strerror(init));
		return NULL;
	}
	struct kube_client *c = xcalloc(1, sizeof(*c));
	copy_config(&c->arena, cfg, &c->cfg);
	default_opts(&c->opts, opts);
	c->opts.user_agent = arena_strdup(&c->arena, c->opts.user_agent);
	c->easy = curl_easy_init();
	c->multi = curl_multi_init();
	if (!c->easy || !c->multi) {
		diag_error(d, NULL, "", "cannot initialise libcurl handles");
		kube_client_free(c);
		return NULL;
	}
	/* One connection is all a client uses; keep it. */
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, 1L);
	c->use_exec = c->cfg.exec && !c->cfg.token && !c->cfg.token_file && !c->cfg.cert_file &&
		      !c->cfg.cert_data.data && !c->cfg.username && !c->cfg.password;
	return c;
}

void kube_client_free(struct kube_client *c)
{
	if (!c)
		return;
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	if (c->batch)
		curl_multi_cleanup(c->batch);
	auth_free(c);
	arena_free(&c->arena);
	free(c);
	curl_global_cleanup();
}

const struct kube_config *kube_client_config(const struct kube_client *c)
{
	return &c->cfg;
}

void kube_client_stats(const struct kube_client *c, struct kube_client_stats *out)
{
	*out = c->stats;
}

void kube_client_wakeup(struct kube_client *c)
{
	atomic_store(&c->wakeup, 1);
	curl_multi_wakeup(c->multi);
}

/* ---- curl callbacks ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud);

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		/* A new response (after 100 Continue or a retry): forget the old one. */
		x->content_type[0] = '\0';
		x->retry_after_s = 0;
		x->date_ms = 0;
	} else if (len > 5 && !strncasecmp(p, "Date:", 5)) {
		char v[64];
		size_t vl = len - 5 < sizeof(v) - 1 ? len - 5 : sizeof(v) - 1;
		memcpy(v, p + 5, vl);
		v[vl] = '\0';
		if (!kube_parse_http_date(v, &x->date_ms))
			x->date_ms = 0;
	} else if (len > 13 && !strncasecmp(p, "Content-Type:", 13)) {
		const char *v = p + 13;
		size_t vl = len - 13;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		if (vl >= sizeof(x->content_type))
			vl = sizeof(x->content_type) - 1;
		memcpy(x->content_type, v, vl);
		x->content_type[vl] = '\0';
	} else if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		int v = 0;
		size_t i = 12;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++; /* "Retry-After: 1": the value follows optional whitespace */
		for (; i < len && p[i] >= '0' && p[i] <= '9' && v < 86400; i++)
			v = v * 10 + (p[i] - '0');
		x->retry_after_s = v;
	}
	return len;
}

/* ---- building a request ---- */

const char *method_of(const struct kube_req *req)
{
	return req->method ? req->method : "GET";
}

long long xfer_timeout(const struct kube_client *c, const struct kube_req *req)
{
	long long t = req->timeout_ms ? req->timeout_ms : c->cfg.timeout_ms;
	if (req->deadline_ms) {
		long long left = req->deadline_ms - kube_now_ms();
		if (left <= 0)
			return -1;
		if (!t || left < t)
			t = left;
	}
	return t;
}

static char *build_url(struct kube_client *c, const struct kube_req *req)
{
	struct buf u = BUF_INIT;
	buf_adds(&u, c->cfg.server);
	buf_adds(&u, req->path && *req->path == '/' ? "" : "/");
	buf_adds(&u, req->path ? req->path : "");
	if (req->query && *req->query)
		buf_addf(&u, "?%s", req->query);
	return buf_detach(&u, NULL);
}

/* tls-server-name: libcurl verifies (and sends as SNI) the URL's host, so
 * the URL names that host and CONNECT_TO sends the connection to the real
 * one; Host still names the real server. */
static struct curl_slist *server_name_override(struct kube_client *c, struct curl_slist **connect_to,
					       struct curl_slist *h)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	if (curl_url_set(u, CURLUPART_URL, c->cfg.server, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		char line[1024];
		snprintf(line, sizeof(line), "%s:%s:%s:%s", c->cfg.tls_server_name, port, host, port);
		*connect_to = curl_slist_append(*connect_to, line);
		snprintf(line, sizeof(line), "Host: %s:%s", host, port);
		h = curl_slist_append(h, line);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return h;
}

static char *url_with_server_name(struct kube_client *c, const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_HOST, c->cfg.tls_server_name, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_URL, &out, 0);
	curl_url_cleanup(u);
	char *r = out ? xstrdup(out) : xstrdup(url);
	curl_free(out);
	return r;
}

static void setup_tls(struct kube_client *c, CURL *e)
{
	const struct kube_config *k = &c->cfg;
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, k->insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, k->insecure ? 0L : 2L);
	if (k->ca_file || k->ca_data.data) {
		/* A configured CA replaces the system's, as in Go: no CA path. */
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
		if (k->ca_file) {
			curl_easy_setopt(e, CURLOPT_CAINFO, k->ca_file);
		} else {
			struct curl_blob b = { (void *)k->ca_data.data, k->ca_data.len, CURL_BLOB_COPY };
			curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
		}
	}
#if LIBCURL_VERSION_NUM >= 0x075700
	/* The in-cluster CA rotates; do not trust a parsed copy for a day. */
	curl_easy_setopt(e, CURLOPT_CA_CACHE_TIMEOUT, c->ca_reload ? 0L : 60L);
#endif
	if (c->ca_reload) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		c->ca_reload = false;
	}
	auth_tls(c, e);
}

static void setup_transport(struct kube_client *c, CURL *e, char *errbuf, long long timeout)
{
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->opts.user_agent);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout > 0 ? timeout : 0));
	long long ct = c->opts.connect_timeout_ms;
	if (timeout > 0 && timeout < ct)
		ct = timeout;
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)ct);
	if (c->opts.low_speed_ms > 0) {
		long secs = (long)((c->opts.low_speed_ms + 999) / 1000);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, secs);
	}
	if (c->cfg.proxy_url)
		curl_easy_setopt(e, CURLOPT_PROXY, c->cfg.proxy_url);
	if (c->fresh_connect) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		c->fresh_connect = false;
	}
}

static void setup_method(CURL *e, const struct kube_req *req)
{
	const char *m = method_of(req);
	if (!strcmp(m, "GET"))
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else if (strcmp(m, "POST"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	if (req->body || !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH")) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}
}

static struct curl_slist *request_headers(struct kube_client *c, const struct kube_req *req,
					  bool tls)
{
	struct curl_slist *h = NULL;
	/* Offered first, with plain JSON as the fallback every server serves. */
	h = curl_slist_append(h, req->metadata_only ? "Accept: application/json;as=PartialObjectMetadata;"
						     "g=meta.k8s.io;v=v1, application/json"
						   : "Accept: application/json");
	/* No 100-continue round trip before bodies. */
	h = curl_slist_append(h, "Expect:");
	if (req->body) {
		char line[256];
		snprintf(line, sizeof(line), "Content-Type: %s",
			 req->content_type ? req->content_type : "application/json");
		h = curl_slist_append(h, line);
	}
	/* client-go sends credentials only over TLS; so do we. */
	if (tls)
		h = auth_headers(c, h);
	return h;
}

/* `headers` gets two lists to free after the transfer (headers, connect_to). */
int xfer_setup(struct kube_client *c, const struct kube_req *req, struct xfer *x, long long timeout,
	       struct curl_slist **headers)
{
	if (!x->easy) {
		x->easy = c->easy;
		x->errbuf = c->errbuf;
	}
	CURL *e = x->easy;
	curl_easy_reset(e);
	x->errbuf[0] = '\0';
	bool tls = !strncasecmp(c->cfg.server, "https://", 8);
	char *url = build_url(c, req);
	headers[0] = request_headers(c, req, tls);
	headers[1] = NULL;
	if (c->cfg.tls_server_name && tls) {
		headers[0] = server_name_override(c, &headers[1], headers[0]);
		char *u2 = url_with_server_name(c, url);
		free(url);
		url = u2;
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, headers[1]);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	free(url);
	setup_transport(c, e, x->errbuf, timeout);
	if (tls)
		setup_tls(c, e);
	setup_method(e, req);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers[0]);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	return 0;
}

/* ---- running it ---- */

static bool should_stop(struct kube_client *c, struct waiter *w)
{
	if (!w)
		return false;
	if (atomic_exchange(&c->wakeup, 0)) {
		w->why = KUBE_WATCH_WOKEN;
		return true;
	}
	if (w->cancel && *w->cancel) {
		w->why = KUBE_WATCH_CANCELLED;
		return true;
	}
	return false;
}

static CURLcode transfer_result(CURLM *m)
{
	int left;
	CURLMsg *msg;
	CURLcode cc = CURLE_RECV_ERROR;
	while ((msg = curl_multi_info_read(m, &left)))
		if (msg->msg == CURLMSG_DONE)
			cc = msg->data.result;
	return cc;
}

/* Drive the transfer through the multi handle (so that its connection cache
 * keeps the connection between requests, and a watch can be woken). */
CURLcode xfer_perform(struct kube_client *c, struct waiter *w)
{
	curl_multi_add_handle(c->multi, c->easy);
	CURLcode cc = CURLE_OK;
	for (;;) {
		int running = 0;
		if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
			cc = CURLE_RECV_ERROR;
			break;
		}
		if (!running) {
			cc = transfer_result(c->multi);
			break;
		}
		if (should_stop(c, w)) {
			cc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		struct curl_waitfd extra = { w ? w->wake_fd : -1, CURL_WAIT_POLLIN, 0 };
		bool use_extra = w && w->wake_fd >= 0;
		curl_multi_poll(c->multi, use_extra ? &extra : NULL, use_extra ? 1 : 0, w ? 100 : 1000, NULL);
		if (use_extra && extra.revents) {
			w->why = KUBE_WATCH_WOKEN;
			cc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
	}
	curl_multi_remove_handle(c->multi, c->easy);
	c->last_cc = cc;
	long n = 0;
	if (curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &n) == CURLE_OK && n > 0)
		c->stats.connects += (unsigned long)n;
	c->stats.requests++;
	return cc;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	if (x->watching)
		return watch_on_data(x, p, len);
	if (buf_add(&x->body, p, len) < 0) {
		x->too_big = true;
		return 0;
	}
	return len;
}

void xfer_release(struct xfer *x)
{
	buf_release(&x->body);
	buf_release(&x->line);
}
