/*
 * health.h -- checks of the feature servers in this pod, over loopback, from
 * a thread of their own.
 *
 * A target is one of
 *     http://HOST:PORT/PATH    GET; any 2xx passes (the online server's /health)
 *     https://HOST:PORT/PATH   the same over TLS, the certificate not verified (as
 *                              kubelet's HTTPS probes: our own server, whose
 *                              certificate names its Service, not 127.0.0.1)
 *     tcp://HOST:PORT          a TCP connect passes (registry, offline, UI servers)
 * HOST must be a loopback address or "localhost": checking a Service instead
 * would make this pod's readiness depend on other pods.  Every check opens a
 * new connection and gives up after its timeout; proxies are never used.
 *
 * The worker runs one round per period -- every target once; the round
 * passes when all do -- and queues the round's result, then writes to the
 * owner's eventfd.  The owner drains results with health_take() from its own
 * thread.  A round that ends late is never hurried: the next starts a period
 * after the previous one started, or at once when that time has passed.
 *
 * Ownership: struct health_worker is caller memory; health_start() copies the
 * targets; health_stop() joins the thread (within one check's timeout) and
 * frees what the worker holds.  The eventfd stays the owner's.
 */
#ifndef FEAST_HEALTH_H
#define FEAST_HEALTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEALTH_MAX_TARGETS 8

enum health_kind { HEALTH_HTTP, HEALTH_HTTPS, HEALTH_TCP };

struct health_target {
	enum health_kind kind;
	char spec[256];   /* as given, for messages */
	char ip[64];      /* numeric loopback address */
	int family;       /* AF_INET or AF_INET6 */
	int port;
	char url[300];    /* http(s): the URL requested, host numeric */
};

/* Parse and check one target; -1 with a message. */
int health_parse(const char *spec, struct health_target *t, char *err, size_t n);

/* One check, blocking at most timeout_ms.  `curl` is a CURL easy handle for
 * http(s) targets (NULL for tcp).  true when it passed; else why says why. */
bool health_check(const struct health_target *t, void *curl, int64_t timeout_ms, char *why, size_t n);

struct health_result {
	bool ok;
	int64_t at;       /* mono_ms when the round ended */
	char why[200];    /* the first failure */
};

#define HEALTH_RING 16

struct health_worker {
	struct health_target t[HEALTH_MAX_TARGETS];
	int n;
	int64_t period_ms, timeout_ms;
	int efd;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool quit, running;
	struct health_result ring[HEALTH_RING]; /* under mu */
	unsigned head, len;
	uint64_t rounds, dropped;
};

/* Start checking n targets every period_ms; -1 when the thread cannot start. */
int health_start(struct health_worker *w, const struct health_target *t, int n, int64_t period_ms,
		 int64_t timeout_ms, int efd);
/* The oldest result not taken yet; false when none. */
bool health_take(struct health_worker *w, struct health_result *out);
void health_stop(struct health_worker *w);

#endif
