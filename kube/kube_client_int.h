/*
 * kube_client_int.h -- the client's insides, shared by kube_client.c (setup,
 * requests), kube_auth.c (credentials) and kube_watch.c (streams).  Not
 * for use outside kube/.
 */
#ifndef FEAST_KUBE_CLIENT_INT_H
#define FEAST_KUBE_CLIENT_INT_H

#include <curl/curl.h>
#include <stdatomic.h>

#include "arena.h"
#include "buf.h"
#include "kube_client.h"
#include "kube_exec.h"
#include "kube_resource.h"

/* One transfer's state, handed to the curl callbacks. */
struct xfer {
	struct kube_client *c;
	CURL *easy;               /* the handle it runs on: c->easy, or one of kube_run's */
	char *errbuf;             /* CURL_ERROR_SIZE bytes: c->errbuf, or kube_run's */
	struct buf body;          /* the response body (non-watch, or a watch refused) */
	bool too_big;
	char content_type[128];
	int retry_after_s;
	long long date_ms;        /* the Date header, ms since the epoch; 0 when absent */
	/* watch streaming */
	bool watching;
	kube_watch_fn fn;
	void *ctx;
	struct buf line;          /* partial event line */
	size_t max_event;
	bool stopped;             /* the callback asked to stop */
	const char *bad_event;    /* why the stream was abandoned, or NULL */
};

/* How perform() waits: NULL for plain requests. */
struct waiter {
	int wake_fd;
	const volatile sig_atomic_t *cancel;
	int why;                  /* set to KUBE_WATCH_WOKEN or KUBE_WATCH_CANCELLED */
};

/* A discovered group/version: its resources (kube_resource.c). */
struct disc_gv {
	const char *gv;
	struct kube_resource *v;
	size_t n;
};

struct kube_client {
	struct arena arena;       /* the copied configuration */
	struct kube_config cfg;
	struct kube_client_opts opts;
	CURL *easy;
	CURLM *multi;
	CURLM *batch;             /* kube_run()'s, made by its first call: its connections last
				   * from one run to the next */
	char errbuf[CURL_ERROR_SIZE];
	atomic_int wakeup;
	/* credentials */
	char *token;              /* current bearer token (malloc), or NULL */
	long long token_read_ms;
	bool use_exec;
	bool have_exec;
	struct kube_exec_cred exec;
	bool fresh_connect;       /* the client certificate changed: do not reuse */
	bool ca_reload;           /* read the CA file again, bypassing curl's CA cache */
	CURLcode last_cc;         /* how the last transfer ended */
	struct kube_client_stats stats;
	/* discovery cache, in `arena` */
	struct disc_gv *disc;
	size_t ndisc;
};

/* kube_auth.c */
int auth_prepare(struct kube_client *c, struct diags *d);
bool auth_refresh_after_401(struct kube_client *c, struct diags *d);
struct curl_slist *auth_headers(struct kube_client *c, struct curl_slist *h);
void auth_tls(struct kube_client *c, CURL *e);
void auth_free(struct kube_client *c);

/* kube_client.c, for kube_watch.c */
long long xfer_timeout(const struct kube_client *c, const struct kube_req *req);
int xfer_setup(struct kube_client *c, const struct kube_req *req, struct xfer *x, long long timeout,
	       struct curl_slist **headers);
CURLcode xfer_perform(struct kube_client *c, struct waiter *w);
int xfer_finish(struct kube_client *c, struct arena *a, const struct kube_req *req, struct xfer *x,
		CURLcode cc, long long timeout, struct kube_response *resp, struct diags *d);
void xfer_release(struct xfer *x);

/* kube_resource.c: cache a group/version's discovery document (its `resources`
 * list, or NULL for a 404); the fuzz target (tests/fuzz/fuzz_discovery.c) calls
 * it on a client that never connects. */
void disc_store(struct kube_client *c, const char *gv, const char *group, const char *version,
		const struct node *list);

/* kube_watch.c: the body callback while a watch streams events. */
size_t watch_on_data(struct xfer *x, const char *p, size_t len);
const char *method_of(const struct kube_req *req);

#endif
