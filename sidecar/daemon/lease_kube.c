/* lease_kube.c -- the Lease on the API server: GET/POST/PUT with resourceVersion, and a watch.
 *
 * One kube client (one kept-alive connection) for the backend's life; each
 * request gets its own arena, freed when it returns, so a daemon that runs
 * for months does not grow.  The last Lease body read (from any answer or
 * watch event) is kept as text: a PUT replaces the whole object, so updates
 * start from it and keep what others wrote (labels, annotations).
 *
 * Answers map to lease results as the machine needs them: 409 is a
 * conflict (re-read); 404 on create (the namespace is missing) and 4xx
 * validation errors are configuration; TLS and credential failures are
 * configuration (fail closed); no answer in time is a timeout (the write
 * may have landed); connection failures, 429 and 5xx are unavailability.
 * Watches follow the one object (fieldSelector=metadata.name=NAME) from the
 * last resourceVersion seen, so a restarted watch misses nothing; 410 Gone
 * restarts from the current state.
 */
#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "doc.h"
#include "json.h"
#include "kjson.h"
#include "kube_client.h"
#include "kube_resource.h"
#include "kube_util.h"
#include "lease_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_BODY_MAX (64u << 10) /* a Lease is small; bound what a hostile server can make us keep */

struct lease_kube {
	struct lease_io io;
	struct kube_client *client;
	char name[254];
	char ns[64];
	char *path, *collection;
	struct buf last_body;      /* the last Lease seen, as JSON text */
	char last_rv[LEASE_RV_MAX];/* where a new watch starts */
};

static void keep_body(struct lease_kube *k, const struct node *obj, const char *rv)
{
	buf_reset(&k->last_body);
	json_emit(&k->last_body, obj, 0);
	snprintf(k->last_rv, sizeof(k->last_rv), "%s", rv);
}

static void first_diag(const struct diags *d, char *msg, size_t n)
{
	if (d->n)
		snprintf(msg, n, "%s", d->v[0].msg);
}

static enum lease_result no_answer(const struct kube_response *r)
{
	switch (r->err) {
	case KUBE_E_TLS:
	case KUBE_E_CONFIG:
	case KUBE_E_CREDENTIALS:
		return LR_CONFIG;
	case KUBE_E_TIMEOUT:
		return LR_TIMEOUT;
	default:
		return LR_UNAVAILABLE;
	}
}

static enum lease_result from_code(const struct kube_response *r, enum lease_op op, char *msg, size_t n)
{
	if (r->code >= 300)
		snprintf(msg, n, "%ld %s: %s", r->code, r->status.reason, r->status.message);
	switch (r->code) {
	case 404:
		/* GET/PUT: the Lease is not there; POST: its namespace is not. */
		return op == LEASE_CREATE ? LR_INVALID : LR_NOT_FOUND;
	case 409:
		return LR_CONFLICT;
	case 401:
		return LR_UNAUTHORIZED;
	case 403:
		return LR_FORBIDDEN;
	case 429:
		return LR_UNAVAILABLE;
	default:
		return r->code >= 400 && r->code < 500 ? LR_INVALID : LR_UNAVAILABLE;
	}
}

static enum lease_result kube_call(struct lease_io *io, const struct lease_req *req, struct lease_obj *out,
				   char *msg, size_t n)
{
	struct lease_kube *k = (struct lease_kube *)io;
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct kube_req kr;
	memset(&kr, 0, sizeof(kr));
	kr.timeout_ms = req->timeout_ms;
	kr.deadline_ms = kube_now_ms() + req->timeout_ms;
	kr.max_bytes = LEASE_BODY_MAX;
	kr.query = "fieldManager=feast-sidecar";
	if (req->op == LEASE_GET) {
		kr.method = "GET";
		kr.path = k->path;
		kr.query = NULL;
	} else {
		const struct node *base = NULL;
		if (req->op == LEASE_UPDATE && k->last_body.len)
			base = json_parse(&a, k->last_body.data, k->last_body.len, "last lease", &d);
		kr.obj = lease_to_node(&a, base, k->name, k->ns, req);
		kr.method = req->op == LEASE_CREATE ? "POST" : "PUT";
		kr.path = req->op == LEASE_CREATE ? k->collection : k->path;
	}
	struct kube_response r;
	enum lease_result res;
	if (kube_request(k->client, &a, &kr, &r, &d) < 0) {
		first_diag(&d, msg, n);
		res = no_answer(&r);
	} else if (r.code == 200 || r.code == 201) {
		res = lease_from_node(r.body, out) == 0 ? LR_OK : LR_UNAVAILABLE;
		if (res == LR_OK)
			keep_body(k, r.body, out->rv);
		else
			snprintf(msg, n, "the API server's answer is not a Lease");
	} else {
		res = from_code(&r, req->op, msg, n);
	}
	arena_free(&a);
	return res;
}

struct watch_ctx {
	struct lease_kube *k;
	lease_io_event_fn fn;
	void *ctx;
	bool gone; /* 410: our resourceVersion is too old */
};

static int on_event(void *arg, const char *type, const struct node *object, struct arena *ea)
{
	struct watch_ctx *w = arg;
	(void)ea;
	struct lease_obj o;
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) {
		if (lease_from_node(object, &o) == 0) {
			keep_body(w->k, object, o.rv);
			w->fn(w->ctx, false, &o);
		}
	} else if (!strcmp(type, "DELETED")) {
		buf_reset(&w->k->last_body);
		const char *rv;
		if (node_get_str(node_at(object, "metadata.resourceVersion"), &rv))
			snprintf(w->k->last_rv, sizeof(w->k->last_rv), "%s", rv);
		w->fn(w->ctx, true, NULL);
	} else if (!strcmp(type, "BOOKMARK")) {
		const char *rv;
		if (node_get_str(node_at(object, "metadata.resourceVersion"), &rv))
			snprintf(w->k->last_rv, sizeof(w->k->last_rv), "%s", rv);
	} else if (!strcmp(type, "ERROR")) {
		int64_t code = 0;
		node_get_int(map_get(object, "code"), &code);
		if (code == 410) {
			w->gone = true;
			return 1;
		}
	}
	return 0;
}

static int kube_watch_lease(struct lease_io *io, int64_t deadline, lease_io_event_fn fn, void *ctx, char *msg,
			    size_t n)
{
	struct lease_kube *k = (struct lease_kube *)io;
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct buf q = BUF_INIT;
	char sel[300];
	snprintf(sel, sizeof(sel), "metadata.name=%s", k->name);
	kube_query_add(&q, "fieldSelector", sel);
	kube_query_add(&q, "allowWatchBookmarks", "true");
	long long left_s = (deadline - mono_ms()) / 1000 + 5;
	char secs[32];
	snprintf(secs, sizeof(secs), "%lld", left_s < 1 ? 1 : left_s);
	kube_query_add(&q, "timeoutSeconds", secs);
	if (k->last_rv[0])
		kube_query_add(&q, "resourceVersion", k->last_rv);
	struct kube_watch_opts o = { deadline, -1, NULL, LEASE_BODY_MAX };
	struct watch_ctx w = { k, fn, ctx, false };
	struct kube_response r;
	int rc = kube_watch(k->client, &a, k->collection, q.data, &o, on_event, &w, &r, &d);
	if (rc == KUBE_WATCH_REFUSED && r.code == 410)
		w.gone = true;
	if (w.gone) {
		k->last_rv[0] = '\0'; /* start over from the current state, at once */
		rc = KUBE_WATCH_STOPPED;
	}
	if (rc < 0 || rc == KUBE_WATCH_REFUSED) {
		if (rc < 0)
			first_diag(&d, msg, n);
		else
			snprintf(msg, n, "%ld %s: %s", r.code, r.status.reason, r.status.message);
	}
	buf_release(&q);
	arena_free(&a);
	return rc < 0 || rc == KUBE_WATCH_REFUSED ? LIO_WATCH_BROKEN : LIO_WATCH_DONE;
}

static void kube_wakeup(struct lease_io *io)
{
	kube_client_wakeup(((struct lease_kube *)io)->client);
}

static void kube_destroy(struct lease_io *io)
{
	struct lease_kube *k = (struct lease_kube *)io;
	kube_client_free(k->client);
	buf_release(&k->last_body);
	free(k->path);
	free(k->collection);
	free(k);
}

static const struct lease_io_ops kube_ops = { kube_call, kube_watch_lease, kube_wakeup, kube_destroy };

struct lease_io *lease_kube_open(struct kube_client *client, const char *ns, const char *name)
{
	struct lease_kube *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	struct arena a = ARENA_INIT;
	const struct kube_resource *res = kube_resource_builtin("coordination.k8s.io/v1", "Lease");
	k->io.ops = &kube_ops;
	k->client = client;
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->ns, sizeof(k->ns), "%s", ns);
	k->path = strdup(kube_path(&a, res, ns, name, NULL));
	k->collection = strdup(kube_path(&a, res, ns, NULL, NULL));
	arena_free(&a);
	buf_init(&k->last_body, LEASE_BODY_MAX);
	snprintf(k->io.where, sizeof(k->io.where), "namespaces/%s/leases/%s", ns, name);
	return &k->io;
}
