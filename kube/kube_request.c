/* kube_request.c -- one API request: send, retry once after a 401, read the answer or say why none came. */
#include "kube_client_int.h"
#include "doc.h"
#include "json.h"
#include "kube_util.h"

#include <string.h>
#include <strings.h>

/* ---- failures without an answer ---- */

static void fmt_ms(char *out, size_t n, long long ms)
{
	if (ms % 1000)
		snprintf(out, n, "%lldms", ms);
	else
		snprintf(out, n, "%llds", ms / 1000);
}

static const char *ca_desc(const struct kube_client *c)
{
	return c->cfg.ca_origin ? c->cfg.ca_origin
				: "the system's trusted CAs (no certificate-authority is configured)";
}

static const char *cert_desc(const struct kube_client *c)
{
	if (c->cfg.cert_file)
		return c->cfg.cert_file;
	if (c->cfg.cert_data.data)
		return "client-certificate-data";
	return "from the exec plugin";
}

static enum kube_err tls_error(struct kube_client *c, CURLcode cc, const char *what, const char *detail,
			       struct diags *d)
{
	if (cc == CURLE_PEER_FAILED_VERIFICATION && (strstr(detail, "subject name") ||
						     strstr(detail, "does not match"))) {
		diag_error(d, NULL, "", "%s: the API server's certificate is not valid for the name "
			   "%s (%s)", what, c->cfg.tls_server_name ? c->cfg.tls_server_name : "in the "
			   "server URL", detail);
		return KUBE_E_TLS;
	}
	if (cc == CURLE_PEER_FAILED_VERIFICATION) {
		if (c->cfg.ca_origin)
			diag_error(d, NULL, "", "%s: the API server's certificate could not be verified "
				   "against the configured CA, %s (%s)", what, c->cfg.ca_origin, detail);
		else
			diag_error(d, NULL, "", "%s: the API server's certificate could not be verified "
				   "against the system's trusted CAs; no certificate-authority is "
				   "configured (%s)", what, detail);
		return KUBE_E_TLS;
	}
	if (cc == CURLE_SSL_CACERT_BADFILE) {
		diag_error(d, NULL, "", "%s: cannot load the CA from %s (%s)", what, ca_desc(c), detail);
		return KUBE_E_CONFIG;
	}
	if (cc == CURLE_SSL_CERTPROBLEM) {
		diag_error(d, NULL, "", "%s: cannot use the client certificate %s (%s)", what,
			   cert_desc(c), detail);
		return KUBE_E_CONFIG;
	}
	/* The connection dropped during the handshake (a restarting server, a load
	 * balancer shedding connections): an outage to wait out, not a TLS setup to fix. */
	static const char *const dropped[] = { "Connection reset", "Send failure", "Recv failure",
					       "SSL_ERROR_SYSCALL", "unexpected eof" };
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (strstr(detail, dropped[i])) {
			diag_error(d, NULL, "", "%s: cannot reach the API server (connection lost in the TLS "
				   "handshake: %s)", what, detail);
			return KUBE_E_CONNECT;
		}
	diag_error(d, NULL, "", "%s: TLS handshake with the API server failed (%s)", what, detail);
	return KUBE_E_TLS;
}

static enum kube_err transport_error(struct kube_client *c, const struct kube_req *req,
				     const struct xfer *x, CURLcode cc, long long timeout,
				     struct diags *d)
{
	char what[1024], t[32];
	snprintf(what, sizeof(what), "%s %s%s", method_of(req), c->cfg.server_shown, req->path ? req->path : "");
	const char *detail = x->errbuf && x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc);
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
		return tls_error(c, cc, what, detail, d);
	case CURLE_OPERATION_TIMEDOUT:
		fmt_ms(t, sizeof(t), timeout);
		diag_error(d, NULL, "", "%s: no answer within %s%s (%s)", what, t,
			   req->deadline_ms ? " (deadline)" : "", detail);
		return KUBE_E_TIMEOUT;
	case CURLE_WRITE_ERROR:
		if (x->too_big) {
			diag_error(d, NULL, "", "%s: the response is larger than %zu bytes", what,
				   x->body.limit);
			return KUBE_E_TOO_BIG;
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		diag_error(d, NULL, "", "%s: cannot reach the API server (%s)", what, detail);
		return KUBE_E_CONNECT;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		diag_error(d, NULL, "", "%s: invalid API server URL (%s)", what, detail);
		return KUBE_E_CONFIG;
	default:
		break;
	}
	diag_error(d, NULL, "", "%s: %s", what, detail);
	return KUBE_E_TRANSPORT;
}

/* ---- the answer ---- */

static bool json_type(const char *ct)
{
	return !*ct || strstr(ct, "json") != NULL;
}

static int read_body(struct kube_client *c, struct arena *a, const struct kube_req *req,
		     struct kube_response *resp, struct diags *d)
{
	if (!resp->raw_len)
		return 0;
	struct arena scratch = ARENA_INIT;
	struct diags jd;
	diags_init(&jd, &scratch);
	resp->body = json_parse(a, resp->raw, resp->raw_len, "response", &jd);
	int rc = 0;
	if (!resp->body && resp->code >= 200 && resp->code < 300 && json_type(resp->content_type)) {
		diag_error(d, NULL, "", "%s %s%s: the API server's answer is not JSON (%s)", method_of(req),
			   c->cfg.server_shown, req->path ? req->path : "", jd.n ? jd.v[0].msg : "?");
		resp->err = KUBE_E_BAD_RESPONSE;
		rc = -1;
	}
	arena_free(&scratch);
	return rc;
}

int xfer_finish(struct kube_client *c, struct arena *a, const struct kube_req *req, struct xfer *x,
		CURLcode cc, long long timeout, struct kube_response *resp, struct diags *d)
{
	resp->done_ms = kube_now_ms();
	long code = 0;
	curl_easy_getinfo(x->easy ? x->easy : c->easy, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK) {
		resp->code = 0;
		resp->err = transport_error(c, req, x, cc, timeout, d);
		resp->unsent = cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY ||
			       cc == CURLE_COULDNT_CONNECT || resp->err == KUBE_E_TLS;
		return -1;
	}
	resp->code = code;
	resp->err = KUBE_OK;
	resp->raw = arena_strndup(a, x->body.data, x->body.len);
	resp->raw_len = x->body.len;
	resp->content_type = arena_strdup(a, x->content_type);
	resp->date_ms = x->date_ms;
	if (read_body(c, a, req, resp, d) < 0)
		return -1;
	if (code >= 300) {
		kube_status_parse(a, resp->body, code, resp->raw, &resp->status);
		if (!resp->status.retry_after_s)
			resp->status.retry_after_s = x->retry_after_s;
	}
	return 0;
}

/* ---- requests ---- */

static int attempt(struct kube_client *c, struct arena *a, const struct kube_req *req,
		   struct kube_response *resp, struct diags *d)
{
	long long timeout = xfer_timeout(c, req);
	memset(resp, 0, sizeof(*resp));
	resp->raw = resp->content_type = "";
	if (timeout < 0) {
		diag_error(d, NULL, "", "%s %s%s: the deadline passed before the request could be sent",
			   method_of(req), c->cfg.server_shown, req->path ? req->path : "");
		resp->err = KUBE_E_TIMEOUT;
		return -1;
	}
	struct xfer x = { .c = c };
	buf_init(&x.body, req->max_bytes ? req->max_bytes : c->opts.max_response_bytes);
	buf_init(&x.line, 0);
	struct curl_slist *lists[2];
	xfer_setup(c, req, &x, timeout, lists);
	resp->sent_ms = kube_now_ms();
	CURLcode cc = xfer_perform(c, NULL);
	int rc = xfer_finish(c, a, req, &x, cc, timeout, resp, d);
	curl_slist_free_all(lists[0]);
	curl_slist_free_all(lists[1]);
	xfer_release(&x);
	return rc;
}

static void copy_diags(struct diags *to, const struct diags *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct diag *x = &from->v[i];
		diag_add(to, x->level, &x->pos, x->path, "%s", x->msg);
	}
}

/* A failed verification against a CA file may be a rotated CA that curl's
 * CA cache still holds (the in-cluster CA is re-projected): read the file
 * again on a fresh connection and try once more before giving up. */
static int attempt_reloading_ca(struct kube_client *c, struct arena *a, const struct kube_req *req,
				struct kube_response *resp, struct diags *d)
{
	if (!c->cfg.ca_file)
		return attempt(c, a, req, resp, d);
	struct arena scratch = ARENA_INIT;
	struct diags sd;
	diags_init(&sd, &scratch);
	int rc = attempt(c, a, req, resp, &sd);
	if (rc < 0 && c->last_cc == CURLE_PEER_FAILED_VERIFICATION) {
		c->ca_reload = true;
		rc = attempt(c, a, req, resp, d);
	} else {
		copy_diags(d, &sd);
	}
	arena_free(&scratch);
	return rc;
}

static int send_request(struct kube_client *c, struct arena *a, const struct kube_req *req,
			struct kube_response *resp, struct diags *d)
{
	int rc = attempt_reloading_ca(c, a, req, resp, d);
	/* 401: the token may have rotated under us.  Refresh and resend once;
	 * the server rejected the first attempt before acting on it. */
	if (rc == 0 && resp->code == 401 && auth_refresh_after_401(c, d)) {
		rc = attempt_reloading_ca(c, a, req, resp, d);
		resp->auth_retried = true;
	}
	return rc;
}

int kube_request(struct kube_client *c, struct arena *a, const struct kube_req *req,
		 struct kube_response *resp, struct diags *d)
{
	memset(resp, 0, sizeof(*resp));
	resp->raw = resp->content_type = "";
	if (auth_prepare(c, d) < 0) {
		resp->err = KUBE_E_CREDENTIALS;
		return -1;
	}
	if (req->body || !req->obj)
		return send_request(c, a, req, resp, d);
	struct buf b = BUF_INIT;
	json_emit(&b, req->obj, 0);
	struct kube_req r = *req;
	r.body = b.data;
	r.body_len = b.len;
	int rc = send_request(c, a, &r, resp, d);
	buf_release(&b);
	return rc;
}

/* ---- shorthands ---- */

static int with_body(struct kube_client *c, struct arena *a, const char *method, const char *path,
		     const char *ctype, const struct node *obj, const char *query,
		     struct kube_response *resp, struct diags *d)
{
	struct kube_req req = { .method = method, .path = path, .query = query, .content_type = ctype,
				.obj = obj };
	return kube_request(c, a, &req, resp, d);
}

int kube_get(struct kube_client *c, struct arena *a, const char *path, const char *query,
	     struct kube_response *resp, struct diags *d)
{
	struct kube_req req = { .method = "GET", .path = path, .query = query };
	return kube_request(c, a, &req, resp, d);
}

int kube_list(struct kube_client *c, struct arena *a, const char *path, const char *label_selector,
	      struct kube_response *resp, struct diags *d)
{
	struct buf q = BUF_INIT;
	if (label_selector && *label_selector)
		kube_query_add(&q, "labelSelector", label_selector);
	int rc = kube_get(c, a, path, q.len ? q.data : NULL, resp, d);
	buf_release(&q);
	return rc;
}

int kube_create(struct kube_client *c, struct arena *a, const char *collection_path,
		const struct node *obj, const char *query, struct kube_response *resp, struct diags *d)
{
	return with_body(c, a, "POST", collection_path, NULL, obj, query, resp, d);
}

int kube_replace(struct kube_client *c, struct arena *a, const char *path, const struct node *obj,
		 const char *query, struct kube_response *resp, struct diags *d)
{
	return with_body(c, a, "PUT", path, NULL, obj, query, resp, d);
}

int kube_patch(struct kube_client *c, struct arena *a, const char *path, enum kube_patch_type type,
	       const struct node *patch, const char *query, struct kube_response *resp,
	       struct diags *d)
{
	static const char *const types[] = {
		[KUBE_PATCH_MERGE] = "application/merge-patch+json",
		[KUBE_PATCH_STRATEGIC] = "application/strategic-merge-patch+json",
		[KUBE_PATCH_JSON] = "application/json-patch+json",
		[KUBE_PATCH_APPLY] = "application/apply-patch+yaml",
	};
	return with_body(c, a, "PATCH", path, types[type], patch, query, resp, d);
}

int kube_delete(struct kube_client *c, struct arena *a, const char *path, const char *query,
		struct kube_response *resp, struct diags *d)
{
	struct kube_req req = { .method = "DELETE", .path = path, .query = query };
	return kube_request(c, a, &req, resp, d);
}

bool kube_ok(const struct kube_response *r)
{
	return r->code >= 200 && r->code < 300;
}

int kube_fail(struct diags *d, const struct kube_response *r)
{
	const struct kube_status *s = &r->status;
	if (r->code < 300 && r->code >= 200)
		diag_error(d, NULL, "", "internal error: kube_fail on a successful answer");
	else if (s->reason && *s->reason)
		diag_error(d, NULL, "", "from server (%s): %s", s->reason, s->message);
	else
		diag_error(d, NULL, "", "from server (HTTP %ld): %s", r->code, s->message ? s->message : "");
	return -1;
}
