/* daemon_http.c -- the broker's loopback routes (/healthz, /readyz, /leader, /status) and its status object. */
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "daemon_int.h"
#include "json.h"
#include "readiness.h"

#include <stdio.h>
#include <string.h>

#define STUCK_SLACK_MS 5000   /* /healthz: a request this far past its timeout means a wedged worker */

bool daemon_healthy(const struct daemon *d, char *why, size_t n)
{
	int64_t now = mono_ms();
	if (d->calling && now - d->w.started > d->cfg->timing.request_timeout_ms + STUCK_SLACK_MS) {
		snprintf(why, n, "API request stuck for %lld ms", (long long)(now - d->w.started));
		return false;
	}
	if (d->watching && now > d->watch_deadline + STUCK_SLACK_MS) {
		snprintf(why, n, "watch stuck for %lld ms past its deadline", (long long)(now - d->watch_deadline));
		return false;
	}
	if (lease_held(&d->m) && now > d->m.valid_until + STUCK_SLACK_MS) {
		snprintf(why, n, "holding past the renew deadline");
		return false;
	}
	return true;
}

void daemon_status_json(const struct daemon *d, struct buf *b)
{
	const struct lease_record *r = &d->m.obs.rec;
	bool known = d->m.have_obs;
	unsigned waiters = 0;
	for (const struct client *c = d->clients; c; c = c->next)
		waiters += c->st == C_WAITING;
	buf_adds(b, "{\"lease\":");
	json_quote(b, d->cfg->lease, (size_t)-1);
	buf_adds(b, ",\"namespace\":");
	json_quote(b, d->cfg->namespace ? d->cfg->namespace : "", (size_t)-1);
	buf_adds(b, ",\"me\":");
	json_quote(b, d->m.me, (size_t)-1);
	buf_adds(b, ",\"holder\":");
	json_quote(b, known ? r->holder : "", (size_t)-1);
	buf_addf(b, ",\"held\":%s,\"state\":\"%s\",\"transitions\":%d,\"generation\":%lld,\"validMs\":%lld",
		 lease_held(&d->m) ? "true" : "false", lease_state_name(d->m.state), known ? r->transitions : 0,
		 (long long)d->m.generation, (long long)lease_valid_ms(&d->m));
	buf_addf(b, ",\"waiters\":%u,\"granted\":%s,\"watching\":%s,\"lastError\":", waiters,
		 d->owner && d->owner->st == C_GRANTED ? "true" : "false", d->m.watching ? "true" : "false");
	json_quote(b, d->err_msg, (size_t)-1);
	if (d->ready)
		readiness_status(d->ready, mono_ms(), b);
	buf_adds(b, "}");
}

int daemon_route(void *ctx, const char *path, struct buf *body)
{
	struct daemon *d = ctx;
	char why[200];
	if (!strcmp(path, "/healthz")) {
		if (!daemon_healthy(d, why, sizeof(why))) {
			buf_adds(body, "{\"status\":\"unhealthy\",\"reason\":");
			json_quote(body, why, (size_t)-1);
			buf_adds(body, "}\n");
			return 503;
		}
		buf_adds(body, "{\"status\":\"ok\"}\n");
		return 200;
	}
	if (!strcmp(path, "/readyz")) {
		if (d->ready)
			return readiness_http(d->ready, mono_ms(), body);
		buf_addf(body, "{\"ready\":%s}\n", d->draining ? "false" : "true");
		return d->draining ? 503 : 200;
	}
	if (!strcmp(path, "/leader")) {
		buf_adds(body, "{\"holder\":");
		json_quote(body, d->m.have_obs ? d->m.obs.rec.holder : "", (size_t)-1);
		buf_adds(body, ",\"me\":");
		json_quote(body, d->m.me, (size_t)-1);
		buf_addf(body, ",\"held\":%s}\n", lease_held(&d->m) ? "true" : "false");
		return 200;
	}
	if (!strcmp(path, "/status")) {
		daemon_status_json(d, body);
		buf_addc(body, '\n');
		return 200;
	}
	buf_adds(body, "{\"error\":\"not found\"}\n");
	return 404;
}
