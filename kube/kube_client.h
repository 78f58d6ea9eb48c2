/*
 * kube_client.h -- a small REST client for the Kubernetes API server
 * (libcurl + OpenSSL, HTTP/1.1 keep-alive, JSON bodies through lib/json).
 *
 * Call order:
 *     kube_config_load(arena, &flags, NULL, &cfg, d);          kube_config.h
 *     struct kube_client *c = kube_client_new(&cfg, NULL, d);
 *     struct kube_response r;
 *     if (kube_get(c, arena, path, &r, d) < 0)  -> transport failure (diag added)
 *     else if (r.code == 404) ...               -> the server answered
 *     else if (!kube_ok(&r)) return kube_fail(d, &r);   -> diag with its Status
 *     kube_client_free(c);
 *
 * Return convention: the request functions return 0 when the API server
 * answered, whatever the HTTP status (read resp->code and resp->status), and
 * -1 when no answer came (no connection, TLS failure, timeout, credentials
 * that could not be obtained, a response too big or not JSON); then a
 * diagnostic was added and resp->err says which.  Callers map -1 and
 * kube_fail() to exit code 3.
 *
 * Ownership: the client owns a private copy of the configuration and its
 * curl handles; kube_client_free() releases everything (NULL is fine).
 * Responses (raw text, parsed body, Status strings) live in the arena the
 * caller passes with each request, so a long-running caller can use one
 * arena per cycle.  Bodies passed in are borrowed for the call.
 *
 * Transport: one curl easy handle per client, reused for every request, so
 * one kept-alive connection serves a whole command or daemon cycle.  Every
 * request's timeout runs from its send time: min(the request's timeout or
 * --request-timeout, its deadline - now); plus a connect timeout, a
 * low-speed abort, TCP keepalive, NOSIGNAL, and a response size bound.
 * Credentials: a token file (the in-cluster one included) is re-read every
 * minute; after a 401 a token file is re-read or an exec plugin re-run and
 * the request retried once if that gave new credentials.  Exec credentials
 * are cached until their expirationTimestamp.
 *
 * kube_run() sends many requests at once over a multi handle of its own (HTTP/2 where the
 * server offers it), with throttling (429) and failure resends.
 *
 * A client is not thread-safe, except kube_client_wakeup().
 */
#ifndef FEAST_KUBE_CLIENT_H
#define FEAST_KUBE_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "kube_config.h"

struct arena;
struct node;

struct kube_client;

struct kube_client_opts {
	const char *user_agent;        /* default "kubectl-feast/<version>" */
	long long connect_timeout_ms;  /* default 10 s (never longer than the request's timeout) */
	long long low_speed_ms;        /* abort when < 1 byte/s arrives this long; default 60 s; <0 off */
	size_t max_response_bytes;     /* default KUBE_MAX_RESPONSE */
	long long token_reload_ms;     /* token file re-read period; default 60 s */
	int stdin_fd;                  /* exec plugins' terminal; default 0 (set -1 for none) */
	bool stdin_fd_set;             /* stdin_fd was filled in (0 is a valid fd) */
};

#define KUBE_MAX_RESPONSE (16u << 20)

/* Why no answer came (resp->err). */
enum kube_err {
	KUBE_OK = 0,
	KUBE_E_CONFIG,       /* bad URL, unreadable CA/cert files, ... */
	KUBE_E_CREDENTIALS,  /* token file unreadable, exec plugin failed */
	KUBE_E_CONNECT,      /* DNS, refused, unreachable, reset */
	KUBE_E_TLS,          /* handshake or certificate verification failed */
	KUBE_E_TIMEOUT,      /* the request's timeout or deadline passed */
	KUBE_E_TOO_BIG,      /* response over the size bound */
	KUBE_E_BAD_RESPONSE, /* a 2xx body that is not JSON */
	KUBE_E_CANCELLED,    /* watch cancelled or woken (not an error for watches) */
	KUBE_E_TRANSPORT,    /* any other transfer failure */
};

/* The API server's Status object (metav1.Status), for failures.  When a
 * failure body is not a Status (a proxy's HTML page), one is made up from
 * the HTTP code so callers can always switch on `reason`. */
struct kube_status_cause {
	const char *reason, *message, *field;
};

struct kube_status {
	int code;                 /* Status.code, else the HTTP code */
	const char *status;       /* "Failure", "Success" or "" */
	const char *reason;       /* "NotFound", "AlreadyExists", "Conflict", "Invalid", ... or "" */
	const char *message;      /* never NULL once filled */
	const char *name, *group, *kind;   /* details.* ("" when absent) */
	const struct kube_status_cause *causes;
	size_t ncauses;
	int retry_after_s;        /* details.retryAfterSeconds or Retry-After; 0 */
};

struct kube_response {
	long code;                /* HTTP status; 0 when no answer */
	enum kube_err err;
	const char *raw;          /* body text, NUL-terminated ("" when empty) */
	size_t raw_len;
	struct node *body;        /* parsed JSON body, or NULL (empty or not JSON) */
	const char *content_type; /* may be "" */
	struct kube_status status;/* filled when code >= 300 */
	long long sent_ms;        /* kube_now_ms() when the (last) attempt was sent */
	long long done_ms;        /* kube_now_ms() when it ended */
	long long date_ms;        /* the answer's Date header (the server's clock, whole seconds),
				   * ms since the epoch; 0 when absent */
	bool auth_retried;        /* a 401 refreshed the credentials and the request was resent */
	bool unsent;              /* no answer because the request never left: no address (DNS),
				   * connection refused, or the TLS handshake failed */
};

struct kube_req {
	const char *method;       /* GET, POST, PUT, PATCH, DELETE */
	const char *path;         /* API path, e.g. /api/v1/namespaces/ns/pods/x */
	const char *query;        /* encoded, without '?' (kube_query_add), or NULL */
	const char *content_type; /* of the body; default application/json */
	const char *body;         /* NULL for none */
	size_t body_len;
	const struct node *obj;   /* or a tree, sent as compact JSON when body is NULL */
	long long timeout_ms;     /* 0: the configured --request-timeout (0 there = none) */
	long long deadline_ms;    /* absolute kube_now_ms() time, 0 = none */
	size_t max_bytes;         /* 0: the client's bound */
	bool metadata_only;       /* ask for the answer as PartialObjectMetadata; a server that
				   * cannot still sends the whole object */
};

struct kube_client *kube_client_new(const struct kube_config *cfg, const struct kube_client_opts *opts,
				    struct diags *d);
void kube_client_free(struct kube_client *c);

/* The configuration the client uses (its own copy). */
const struct kube_config *kube_client_config(const struct kube_client *c);

int kube_request(struct kube_client *c, struct arena *a, const struct kube_req *req,
		 struct kube_response *resp, struct diags *d);

/* Shorthands.  `obj` bodies are sent as compact JSON.  `query` may be NULL.
 * For a deadline, a timeout or a size bound of its own, fill a struct
 * kube_req (with .obj for a tree body) and call kube_request(). */
enum kube_patch_type {
	KUBE_PATCH_MERGE,      /* application/merge-patch+json */
	KUBE_PATCH_STRATEGIC,  /* application/strategic-merge-patch+json */
	KUBE_PATCH_JSON,       /* application/json-patch+json */
	KUBE_PATCH_APPLY,      /* application/apply-patch+yaml (server-side apply; JSON is YAML) */
};

int kube_get(struct kube_client *c, struct arena *a, const char *path, const char *query,
	     struct kube_response *resp, struct diags *d);
int kube_list(struct kube_client *c, struct arena *a, const char *path, const char *label_selector,
	      struct kube_response *resp, struct diags *d);
int kube_create(struct kube_client *c, struct arena *a, const char *collection_path,
		const struct node *obj, const char *query, struct kube_response *resp, struct diags *d);
int kube_replace(struct kube_client *c, struct arena *a, const char *path, const struct node *obj,
		 const char *query, struct kube_response *resp, struct diags *d);
int kube_patch(struct kube_client *c, struct arena *a, const char *path, enum kube_patch_type type,
	       const struct node *patch, const char *query, struct kube_response *resp,
	       struct diags *d);
int kube_delete(struct kube_client *c, struct arena *a, const char *path, const char *query,
		struct kube_response *resp, struct diags *d);

/* 2xx? */
bool kube_ok(const struct kube_response *r);
/* Add a diagnostic for a failed answer: `from server (Reason): message`
 * (kubectl's "Error from server"), and return -1. */
int kube_fail(struct diags *d, const struct kube_response *r);

/* Parse a Status body (exposed for tests and for watch ERROR events). */
void kube_status_parse(struct arena *a, const struct node *body, long http_code, const char *raw,
		       struct kube_status *out);

/* ---- watch ---- */

enum kube_watch_end {
	KUBE_WATCH_DEADLINE = 1, /* the deadline passed: the normal end */
	KUBE_WATCH_STOPPED,      /* the callback returned non-zero */
	KUBE_WATCH_CLOSED,       /* the server ended the stream (timeoutSeconds, restart) */
	KUBE_WATCH_WOKEN,        /* wake_fd became readable or kube_client_wakeup() */
	KUBE_WATCH_CANCELLED,    /* *cancel became non-zero */
	KUBE_WATCH_REFUSED,      /* the server answered with an error (see resp) */
};

struct kube_watch_opts {
	long long deadline_ms;                /* absolute kube_now_ms(); 0 = none */
	int wake_fd;                          /* -1: none */
	const volatile sig_atomic_t *cancel;  /* may be NULL; checked at least every 100 ms */
	size_t max_event_bytes;               /* default 1 MiB */
};

/* One event: type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (then
 * `object` is a Status).  The nodes live in `event_arena`, which is freed
 * when the callback returns: copy what you keep.  Return non-zero to stop. */
typedef int (*kube_watch_fn)(void *ctx, const char *type, const struct node *object,
			     struct arena *event_arena);

/* Watch `path` (a collection; add fieldSelector=metadata.name%3DX to follow
 * one object, resourceVersion=RV to start after RV) and call fn for each
 * event until one of kube_watch_end happens.  `watch=1` is added to query.
 * Returns a kube_watch_end, or -1 when the watch could not be started or
 * broke (diag added, resp->err set).  resp (in arena `a`) carries the HTTP
 * code and, for KUBE_WATCH_REFUSED, the Status. */
int kube_watch(struct kube_client *c, struct arena *a, const char *path, const char *query,
	       const struct kube_watch_opts *o, kube_watch_fn fn, void *ctx,
	       struct kube_response *resp, struct diags *d);

/* Make a running kube_watch() return KUBE_WATCH_WOKEN; safe from another
 * thread (curl_multi_wakeup).  A wake-up that comes while no watch runs is
 * kept: the next kube_watch() returns KUBE_WATCH_WOKEN at once. */
void kube_client_wakeup(struct kube_client *c);

/* ---- many requests at once ---- */

/* One request of kube_run(): fill `req`; the rest is what happened to it. */
struct kube_call {
	struct kube_req req;       /* borrowed until kube_run() returns; an .obj is encoded once */
	struct kube_response resp; /* the last answer, in kube_run()'s arena */
	int rc;                    /* 0: answered (read resp.code); -1: no answer, or never sent */
	const char *error;         /* why no answer came (a diagnostic's text), else NULL */
	bool started;              /* false: never sent, because the run stopped first */
	unsigned sends;            /* attempts, resends included */
	unsigned throttled;        /* 429 answers waited out */
	unsigned lost;             /* attempts that ended without an answer or with a 5xx: the
				    * server may have acted on them */
};

struct kube_run_opts {
	unsigned concurrency;      /* requests in flight at most; 0: KUBE_RUN_CONCURRENCY */
	long long budget_ms;       /* each call's time from its first send to its last answer,
				    * waits and resends included; 0: the configured
				    * --request-timeout, or KUBE_RUN_BUDGET_MS when that is 0 */
	bool idempotent;           /* resending is harmless (server-side apply, GET): resend after
				    * 5xx answers and lost connections too, not only after 429 */
	bool stop_on_failure;      /* start no new call once one ends without a 2xx answer */
	bool not_found_ok;         /* ... where a 404 counts as an answer (GETs of objects that
				    * may not exist yet) */
};

/* As many as kube-apiserver takes as streams of one HTTP/2 connection (100 since the
 * rapid-reset fix); beyond that libcurl opens a connection for each further request (29 at
 * 128).  Measured on a first apply of 100 stores, each run on a new control plane, four
 * rounds interleaved: on loopback 3.1 s at 32, 2.4 s at 100, 2.1 s at 128 on two
 * connections; across a 20 ms round trip 2.2 s at 32, 1.8 s at 128.  The API server does
 * less work per request the more it has at once, and kinds it serialises (a Service's
 * cluster IP) hold fewer of the slots the others need.  Its fair queuing shares its seats
 * among clients, so 100 does not starve the others. */
#define KUBE_RUN_CONCURRENCY 100
#define KUBE_STRINGIFY_(x) #x
#define KUBE_STRINGIFY(x) KUBE_STRINGIFY_(x)
#define KUBE_RUN_CONCURRENCY_TEXT KUBE_STRINGIFY(KUBE_RUN_CONCURRENCY) /* for help text */
#define KUBE_RUN_BUDGET_MS (5 * 60 * 1000LL)

/* Send calls[0..n), at most `concurrency` at a time, each on its own curl handle driven by
 * one multi handle of the run's: over TLS the handles ask for HTTP/2 (ALPN) and wait for
 * the first connection, so an API server that speaks it carries every request as a stream
 * of one connection; one that does not gets up to `concurrency` HTTP/1.1 connections.
 * Calls start in index order.  A 429 (API Priority and Fairness) is resent after its
 * Retry-After, or a growing back-off without one, as long as the call's budget lasts;
 * with `idempotent`, 5xx answers and lost connections are resent a few times as well.
 * A 401 refreshes the credentials once for the run and resends the calls it struck.
 * When a call's budget runs out it ends with its last answer (or a timeout).
 * Returns how many calls did not end with a 2xx answer (never-started ones included),
 * or -1 when the run could not be set up (diag added). */
long kube_run(struct kube_client *c, struct arena *a, struct kube_call *calls, size_t n,
	      const struct kube_run_opts *o, struct diags *d);

/* ---- statistics (tests, benchmarks) ---- */

struct kube_client_stats {
	unsigned long requests;     /* attempts sent, retries included */
	unsigned long connects;     /* new connections opened (CURLINFO_NUM_CONNECTS) */
	unsigned long token_reads;  /* token file reads */
	unsigned long exec_runs;    /* exec plugin runs */
};

void kube_client_stats(const struct kube_client *c, struct kube_client_stats *out);

#endif
