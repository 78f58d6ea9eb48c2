/* kube_status.c -- the API server's Status bodies, and stand-ins for failures that carry none. */
#include "kube_client.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"

#include <string.h>

/* Reason and message client-go uses when a failure has no Status body
 * (apimachinery errors.NewGenericServerResponse). */
static const struct {
	int code;
	const char *reason, *message;
} generic[] = {
	{ 400, "BadRequest", "the server rejected our request for an unknown reason" },
	{ 401, "Unauthorized", "the server has asked for the client to provide credentials" },
	{ 403, "Forbidden", "the server does not allow access to the requested resource" },
	{ 404, "NotFound", "the server could not find the requested resource" },
	{ 405, "MethodNotAllowed", "the server does not allow this method on the requested resource" },
	{ 406, "NotAcceptable", "the server was unable to respond with a content type that the client supports" },
	{ 409, "Conflict", "the server reported a conflict" },
	{ 410, "Gone", "the server has removed the requested resource" },
	{ 415, "UnsupportedMediaType", "the server was unable to handle the media type requested" },
	{ 422, "Invalid", "the server rejected our request due to an error in our request" },
	{ 429, "TooManyRequests", "the server has received too many requests and has asked us to try again later" },
	{ 500, "InternalError", "an error on the server has prevented the request from succeeding" },
	{ 503, "ServiceUnavailable", "the server is currently unable to handle the request" },
	{ 504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request" },
};

static const char *str_at(const struct node *m, const char *key)
{
	return node_str_or(map_get(m, key), "");
}

static void read_causes(struct arena *a, const struct node *seq, struct kube_status *out)
{
	if (!seq || seq->kind != NODE_SEQ || !seq->u.seq.n)
		return;
	struct kube_status_cause *v = arena_alloc(a, seq->u.seq.n * sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < seq->u.seq.n; i++) {
		const struct node *c = seq->u.seq.v[i];
		if (c->kind != NODE_MAP)
			continue;
		v[n].reason = str_at(c, "reason");
		v[n].message = str_at(c, "message");
		v[n].field = str_at(c, "field");
		n++;
	}
	out->causes = v;
	out->ncauses = n;
}

static void read_status(struct arena *a, const struct node *b, struct kube_status *out)
{
	int64_t v;
	out->status = str_at(b, "status");
	out->reason = str_at(b, "reason");
	out->message = str_at(b, "message");
	if (node_get_int(map_get(b, "code"), &v) && v > 0 && v < 1000)
		out->code = (int)v;
	const struct node *det = map_get(b, "details");
	out->name = str_at(det, "name");
	out->group = str_at(det, "group");
	out->kind = str_at(det, "kind");
	if (node_get_int(map_get(det, "retryAfterSeconds"), &v) && v > 0 && v < 86400)
		out->retry_after_s = (int)v;
	read_causes(a, map_get(det, "causes"), out);
}

/* A short, printable excerpt of a body that is not a Status. */
static const char *excerpt(struct arena *a, const char *raw)
{
	struct buf b = BUF_INIT;
	for (const char *p = raw; *p && b.len < 160; p++) {
		unsigned char ch = (unsigned char)*p;
		buf_addc(&b, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	const char *s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

void kube_status_parse(struct arena *a, const struct node *body, long http_code, const char *raw,
		       struct kube_status *out)
{
	memset(out, 0, sizeof(*out));
	out->code = (int)http_code;
	out->status = out->reason = out->message = out->name = out->group = out->kind = "";
	const char *kind = node_str_or(map_get(body, "kind"), "");
	if (body && body->kind == NODE_MAP && !strcmp(kind, "Status"))
		read_status(a, body, out);
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		if (generic[i].code != out->code)
			continue;
		if (!*out->reason)
			out->reason = generic[i].reason;
		if (!*out->message)
			out->message = generic[i].message;
	}
	if (!*out->message) {
		const char *ex = raw && *raw ? excerpt(a, raw) : "";
		out->message = *ex ? arena_printf(a, "unexpected answer (HTTP %d): %s", out->code, ex)
				   : arena_printf(a, "unexpected answer (HTTP %d)", out->code);
	}
}
