/* health.c -- loopback checks of the pod's feature servers (HTTP, HTTPS, TCP) on a worker thread. */
#include "health.h"
#include "clock.h"
#include "sccli.h"
#include "worker_thread.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (64u << 10) /* a health answer is tiny; a server that streams is failing */

/* ---- targets ---- */

static int loopback(const char *host, struct health_target *t)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127) {
		t->family = AF_INET;
		snprintf(t->ip, sizeof(t->ip), "%s", host);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6)) {
		t->family = AF_INET6;
		snprintf(t->ip, sizeof(t->ip), "%s", host);
		return 0;
	}
	return -1;
}

/* HOST:PORT, HOST possibly [v6]; the rest (a path) in *rest. */
static int host_port(const char *s, char *host, size_t hn, int *port, const char **rest)
{
	const char *end = s[0] == '[' ? strchr(s, ']') : strchr(s, ':');
	if (!end)
		return -1;
	const char *h = s[0] == '[' ? s + 1 : s;
	size_t len = (size_t)(end - h);
	const char *colon = s[0] == '[' ? end + 1 : end;
	if (*colon != ':' || len == 0 || len >= hn)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	char *after;
	long p = strtol(colon + 1, &after, 10);
	if (after == colon + 1 || p < 1 || p > 65535 || (*after && *after != '/'))
		return -1;
	*port = (int)p;
	*rest = after;
	return 0;
}

int health_parse(const char *spec, struct health_target *t, char *err, size_t n)
{
	memset(t, 0, sizeof(*t));
	static const struct { const char *prefix; enum health_kind kind; } schemes[] = {
		{ "http://", HEALTH_HTTP }, { "https://", HEALTH_HTTPS }, { "tcp://", HEALTH_TCP },
	};
	size_t i = 0;
	while (i < 3 && strncmp(spec, schemes[i].prefix, strlen(schemes[i].prefix)))
		i++;
	char host[64];
	const char *path;
	if (i == 3 || strlen(spec) >= sizeof(t->spec) ||
	    host_port(spec + strlen(schemes[i].prefix), host, sizeof(host), &t->port, &path) < 0) {
		snprintf(err, n, "--health \"%s\": want http://HOST:PORT/PATH, https://HOST:PORT/PATH or tcp://HOST:PORT",
			 spec);
		return -1;
	}
	t->kind = schemes[i].kind;
	snprintf(t->spec, sizeof(t->spec), "%s", spec);
	if (loopback(host, t) < 0) {
		snprintf(err, n, "--health \"%s\": only loopback addresses (127.0.0.0/8, ::1, localhost): "
				 "readiness checks this pod's own servers", spec);
		return -1;
	}
	if (t->kind == HEALTH_TCP && *path) {
		snprintf(err, n, "--health \"%s\": a tcp:// target has no path", spec);
		return -1;
	}
	const char *fmt = t->family == AF_INET6 ? "%s://[%s]:%d%s" : "%s://%s:%d%s";
	snprintf(t->url, sizeof(t->url), fmt, t->kind == HEALTH_HTTPS ? "https" : "http", t->ip, t->port,
		 *path ? path : "/");
	return 0;
}

/* ---- one check ---- */

static bool tcp_check(const struct health_target *t, int64_t timeout_ms, char *why, size_t n)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (t->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)t->port);
		inet_pton(AF_INET, t->ip, &a->sin_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)t->port);
		inet_pton(AF_INET6, t->ip, &a->sin6_addr);
		len = sizeof(*a);
	}
	int fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			int r = poll(&p, 1, (int)timeout_ms);
			socklen_t el = sizeof(err);
			if (r == 0)
				err = ETIMEDOUT;
			else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
		}
	}
	if (fd >= 0)
		close(fd);
	if (err)
		snprintf(why, n, "%s: %s", t->spec, strerror(err));
	return err == 0;
}

static size_t discard(char *p, size_t size, size_t nmemb, void *ctx)
{
	(void)p;
	size_t *seen = ctx;
	*seen += size * nmemb;
	return *seen > BODY_MAX ? 0 : size * nmemb;
}

static bool http_check(const struct health_target *t, CURL *c, int64_t timeout_ms, char *why, size_t n)
{
	char ua[64];
	size_t seen = 0;
	snprintf(ua, sizeof(ua), "feast-sidecar/%s", feast_version());
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, t->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &seen);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (t->kind == HEALTH_HTTPS) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		snprintf(why, n, "%s: %s", t->spec, rc == CURLE_WRITE_ERROR ? "answer too long" : curl_easy_strerror(rc));
		return false;
	}
	if (code < 200 || code > 299) {
		snprintf(why, n, "%s: HTTP %ld", t->spec, code);
		return false;
	}
	return true;
}

bool health_check(const struct health_target *t, void *curl, int64_t timeout_ms, char *why, size_t n)
{
	if (timeout_ms < 1)
		timeout_ms = 1;
	if (t->kind == HEALTH_TCP)
		return tcp_check(t, timeout_ms, why, n);
	if (!curl) {
		snprintf(why, n, "%s: no HTTP client", t->spec);
		return false;
	}
	return http_check(t, curl, timeout_ms, why, n);
}

/* ---- the worker ---- */

static void post(struct health_worker *w, const struct health_result *r)
{
	pthread_mutex_lock(&w->mu);
	if (w->len == HEALTH_RING) {
		/* The owner is not reading: keep the newest rounds. */
		w->head = (w->head + 1) % HEALTH_RING;
		w->len--;
		w->dropped++;
	}
	w->ring[(w->head + w->len) % HEALTH_RING] = *r;
	w->len++;
	w->rounds++;
	pthread_mutex_unlock(&w->mu);
	uint64_t one = 1;
	ssize_t k = write(w->efd, &one, sizeof(one));
	(void)k;
}

static void round_once(struct health_worker *w, CURL *c)
{
	struct health_result r = { .ok = true };
	for (int i = 0; i < w->n; i++) {
		char why[sizeof(r.why)] = "";
		if (!health_check(&w->t[i], c, w->timeout_ms, why, sizeof(why)) && r.ok) {
			r.ok = false;
			memcpy(r.why, why, sizeof(r.why));
		}
	}
	r.at = mono_ms();
	post(w, &r);
}

/* Wait until `at` (mono_ms) or quit; true when it is time to quit. */
static bool wait_until(struct health_worker *w, int64_t at)
{
	pthread_mutex_lock(&w->mu);
	while (!w->quit) {
		int64_t left = at - mono_ms();
		if (left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(left / 1000);
		ts.tv_nsec += (long)(left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	bool quit = w->quit;
	pthread_mutex_unlock(&w->mu);
	return quit;
}

static void *worker_main(void *arg)
{
	struct health_worker *w = arg;
	CURL *c = curl_easy_init();
	int64_t next = mono_ms();
	while (!wait_until(w, next)) {
		int64_t start = mono_ms();
		round_once(w, c);
		next = start + w->period_ms;
	}
	if (c)
		curl_easy_cleanup(c);
	return NULL;
}

int health_start(struct health_worker *w, const struct health_target *t, int n, int64_t period_ms,
		 int64_t timeout_ms, int efd)
{
	memset(w, 0, sizeof(*w));
	if (n > HEALTH_MAX_TARGETS)
		n = HEALTH_MAX_TARGETS;
	memcpy(w->t, t, (size_t)n * sizeof(*t));
	w->n = n;
	w->period_ms = period_ms > 0 ? period_ms : 1000;
	w->timeout_ms = timeout_ms > 0 ? timeout_ms : 1000;
	w->efd = efd;
	worker_cond_init(&w->cv);
	pthread_mutex_init(&w->mu, NULL);
	/* libcurl's global state is set up here, on the owner's thread, before any worker uses it. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = worker_thread_start(&w->thread, worker_main, w);
	if (rc != 0) {
		curl_global_cleanup();
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		return -1;
	}
	w->running = true;
	return 0;
}

bool health_take(struct health_worker *w, struct health_result *out)
{
	pthread_mutex_lock(&w->mu);
	bool any = w->len > 0;
	if (any) {
		*out = w->ring[w->head];
		w->head = (w->head + 1) % HEALTH_RING;
		w->len--;
	}
	pthread_mutex_unlock(&w->mu);
	return any;
}

void health_stop(struct health_worker *w)
{
	if (!w->running)
		return;
	worker_thread_quit(&w->mu, &w->cv, &w->quit);
	worker_thread_join(w->thread, &w->mu, &w->cv);
	curl_global_cleanup();
	w->running = false;
}
