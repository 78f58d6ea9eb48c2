/* readiness.c -- the pod's readiness in the daemon: options, checks in, verdict out (/readyz, gate). */
#include "readiness.h"
#include "buf.h"
#include "clock.h"
#include "gate.h"
#include "json.h"
#include "ready.h"
#include "sccli.h"
#include "slog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define GATE_TIMEOUT_MS 2000 /* a status write that takes longer is retried; shutdown waits at most this */

const struct opt readiness_opts[] = {
	{ "health", 0, OPT_VALUE, RD_OPT_HEALTH, "URL", NULL, NULL,
	  "A server of this pod to check: http://127.0.0.1:6566/health, https://..., tcp://127.0.0.1:6570. "
	  "Repeat for each; none: readiness is only \"not draining\".", OPT_REPEAT },
	{ "readiness", 0, OPT_VALUE, RD_OPT_READINESS, "MODE", "probe|gate", "probe",
	  "probe: serve the verdict on /readyz and `check ready`; gate: also write the Pod condition "
	  "feast.dev/registry-ready (pods/status).", 0 },
	{ "pod", 0, OPT_VALUE, RD_OPT_POD, "NAME", NULL, "$POD_NAME", "This pod's name (gate mode).", 0 },
	{ "health-period", 0, OPT_VALUE, RD_OPT_PERIOD, "DURATION", NULL, "1s", "Between rounds of checks.", 0 },
	{ "health-timeout", 0, OPT_VALUE, RD_OPT_TIMEOUT, "DURATION", NULL, "1s", "Of each check.", 0 },
	{ "success-threshold", 0, OPT_VALUE, RD_OPT_RISE, "N", NULL, "2",
	  "Passed rounds in a row before the pod may become ready.", 0 },
	{ "failure-threshold", 0, OPT_VALUE, RD_OPT_FALL, "N", NULL, "3",
	  "Failed rounds in a row before a ready pod becomes not ready.", 0 },
	{ "registry-ttl", 0, OPT_VALUE, RD_OPT_TTL, "DURATION", NULL, "60s",
	  "The servers' registry refresh period (feast serve --registry_ttl_sec).", 0 },
	{ "sync-margin", 0, OPT_VALUE, RD_OPT_MARGIN, "DURATION", NULL, "2s",
	  "Added to --registry-ttl: the wait after an apply or a new registry generation.", 0 },
	{ "gate-resync", 0, OPT_VALUE, RD_OPT_RESYNC, "DURATION", NULL, "60s",
	  "Gate mode: write the unchanged condition again this often.", 0 },
	OPT_END,
};

struct readiness {
	struct readiness_cfg cfg;
	struct ready m;
	struct health_worker hw;
	struct gate gate;
	bool gated;
	int efd;
	int64_t generation;
	bool have_generation;
	bool last_ok;                 /* the last round passed */
	char last_why[200];           /* the last failure */
	unsigned long rounds_ok, rounds_failed;
};

void readiness_cfg_init(struct readiness_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = READINESS_PROBE;
	c->period_ms = 1000;
	c->timeout_ms = 1000;
	c->rise = 2;
	c->fall = 3;
	c->registry_ttl_ms = 60000;
	c->margin_ms = 2000;
	c->gate_resync_ms = 60000;
	c->drain_write_ms = 1000;
}

static int duration(const char *value, const struct opt *o, int64_t *out, char *err, size_t n)
{
	long long ms;
	if (!sc_parse_duration(value, &ms) || ms < 0) {
		snprintf(err, n, "invalid argument \"%s\" for \"--%s\" flag: not a duration (5s, 500ms)", value, o->name);
		return -1;
	}
	*out = ms;
	return 0;
}

static int count(const char *value, const struct opt *o, int *out, char *err, size_t n)
{
	char *end;
	long v = strtol(value, &end, 10);
	if (!*value || *end || v < 1 || v > 1000) {
		snprintf(err, n, "invalid argument \"%s\" for \"--%s\" flag: want a number from 1 to 1000", value, o->name);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int readiness_opt(struct readiness_cfg *c, const struct opt *o, const char *value, char *err, size_t n)
{
	if (!opt_in(readiness_opts, o))
		return 1;
	switch (o->id) {
	case RD_OPT_HEALTH:
		if (c->ntargets == HEALTH_MAX_TARGETS) {
			snprintf(err, n, "at most %d --health targets", HEALTH_MAX_TARGETS);
			return -1;
		}
		if (health_parse(value, &c->targets[c->ntargets], err, n) < 0)
			return -1;
		c->ntargets++;
		c->on = true;
		return 0;
	case RD_OPT_READINESS: c->mode = strcmp(value, "gate") ? READINESS_PROBE : READINESS_GATE; return 0;
	case RD_OPT_POD: c->pod = value; return 0;
	case RD_OPT_PERIOD: return duration(value, o, &c->period_ms, err, n);
	case RD_OPT_TIMEOUT: return duration(value, o, &c->timeout_ms, err, n);
	case RD_OPT_RISE: return count(value, o, &c->rise, err, n);
	case RD_OPT_FALL: return count(value, o, &c->fall, err, n);
	case RD_OPT_TTL: return duration(value, o, &c->registry_ttl_ms, err, n);
	case RD_OPT_MARGIN: return duration(value, o, &c->margin_ms, err, n);
	case RD_OPT_RESYNC: return duration(value, o, &c->gate_resync_ms, err, n);
	}
	return 1;
}

int readiness_cfg_finish(struct readiness_cfg *c, char *err, size_t n)
{
	if (c->period_ms < 100 || c->timeout_ms < 10 || c->timeout_ms > c->period_ms) {
		snprintf(err, n, "want --health-period >= 100ms and 10ms <= --health-timeout <= --health-period");
		return -1;
	}
	if (c->gate_resync_ms < 1000) {
		snprintf(err, n, "--gate-resync must be at least 1s");
		return -1;
	}
	if (c->mode != READINESS_GATE)
		return 0;
	if (!c->on) {
		snprintf(err, n, "--readiness gate needs at least one --health target");
		return -1;
	}
	if (!c->pod || !*c->pod)
		c->pod = getenv("POD_NAME");
	if (!c->pod || !*c->pod) {
		snprintf(err, n, "--readiness gate needs the pod's name: --pod NAME or $POD_NAME (downward API)");
		return -1;
	}
	return 0;
}

/* ---- verdict ---- */

static const char *gate_reason(enum ready_why w)
{
	static const char *const reasons[] = { "RegistrySynced", "Draining", "Starting", "ServerUnhealthy",
					       "ApplyRunning", "RegistrySyncing" };
	return reasons[w];
}

static void explain(const struct readiness *r, int64_t now, char *out, size_t n)
{
	enum ready_why w = ready_why(&r->m, now);
	switch (w) {
	case RW_READY: snprintf(out, n, "feature servers healthy; registry refreshed since the last change"); break;
	case RW_DRAINING: snprintf(out, n, "the pod is shutting down"); break;
	case RW_STARTING: snprintf(out, n, "no health check has finished yet"); break;
	case RW_UNHEALTHY:
		if (r->last_ok)
			snprintf(out, n, "%d of %d passed checks in a row", r->m.ok_run, r->m.p.rise);
		else
			snprintf(out, n, "%s", r->last_why);
		break;
	case RW_APPLYING: snprintf(out, n, "a registry mutation (feast apply) runs in this pod"); break;
	case RW_SYNCING:
		snprintf(out, n, "waiting %lld ms more for the servers to refresh the registry",
			 (long long)ready_sync_left(&r->m, now));
		break;
	}
}

void readiness_reason(const struct readiness *r, int64_t now, char *out, size_t n)
{
	char why[256];
	explain(r, now, why, sizeof(why));
	const char *name = ready_why_name(ready_why(&r->m, now));
	if (snprintf(out, n, "%s: %s", name, why) >= (int)n && n > 4)
		memcpy(out + n - 4, "...", 4);
}

static void publish(struct readiness *r, int64_t now, int64_t deadline)
{
	char why[300];
	explain(r, now, why, sizeof(why));
	slog(0, "readiness: %s (%s): %s", r->m.ready ? "READY" : "NOT READY", ready_why_name(ready_why(&r->m, now)),
	     why);
	if (r->gated) {
		explain(r, now, why, sizeof(why));
		gate_set(&r->gate, r->m.ready, gate_reason(ready_why(&r->m, now)), why, deadline);
	}
}

static void after(struct readiness *r, bool changed, int64_t now)
{
	if (changed)
		publish(r, now, 0);
}

/* ---- lifecycle ---- */

struct readiness *readiness_start(const struct readiness_cfg *c, struct kube_client *gate_client, const char *ns,
				  char *err, size_t n)
{
	struct readiness *r = calloc(1, sizeof(*r));
	if (!r || (r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		snprintf(err, n, "readiness: out of resources");
		free(r);
		return NULL;
	}
	r->cfg = *c;
	int64_t now = mono_ms();
	struct ready_params p = { c->rise, c->fall, c->registry_ttl_ms + c->margin_ms };
	ready_init(&r->m, &p, now);
	if (c->mode == READINESS_GATE) {
		gate_open(&r->gate, gate_client, ns, c->pod, c->gate_resync_ms, GATE_TIMEOUT_MS, r->efd);
		r->gated = gate_start(&r->gate) == 0;
		if (!r->gated) {
			gate_stop(&r->gate);
			snprintf(err, n, "readiness: cannot start the gate's thread");
			goto fail;
		}
	}
	if (health_start(&r->hw, c->targets, c->ntargets, c->period_ms, c->timeout_ms, r->efd) < 0) {
		snprintf(err, n, "readiness: cannot start the health checks' thread");
		goto fail;
	}
	publish(r, now, 0);
	return r;
fail:
	if (r->gated)
		gate_stop(&r->gate);
	close(r->efd);
	free(r);
	return NULL;
}

void readiness_stop(struct readiness *r)
{
	if (!r)
		return;
	health_stop(&r->hw);
	if (r->gated)
		gate_stop(&r->gate);
	close(r->efd);
	free(r);
}

int readiness_fd(const struct readiness *r)
{
	return r->efd;
}

static void on_round(struct readiness *r, const struct health_result *h, int64_t now)
{
	if (h->ok)
		r->rounds_ok++;
	else
		r->rounds_failed++;
	/* Log when the picture changes, not every second of a server that is still starting. */
	if (!h->ok && (r->last_ok || strcmp(h->why, r->last_why)))
		slog(r->m.ready ? 0 : 1, "readiness: check failed: %s", h->why);
	else if (h->ok && !r->last_ok && r->m.checked)
		slog(1, "readiness: checks pass again");
	r->last_ok = h->ok;
	if (!h->ok)
		snprintf(r->last_why, sizeof(r->last_why), "%s", h->why);
	after(r, ready_check(&r->m, h->ok, now), now);
}

void readiness_poll(struct readiness *r, int64_t now)
{
	uint64_t v;
	ssize_t k = read(r->efd, &v, sizeof(v));
	(void)k;
	struct health_result h;
	while (health_take(&r->hw, &h))
		on_round(r, &h, now);
	after(r, ready_tick(&r->m, now), now);
}

int64_t readiness_next(const struct readiness *r, int64_t now)
{
	return ready_next(&r->m, now);
}

void readiness_apply_begin(struct readiness *r, int64_t now)
{
	after(r, ready_apply_begin(&r->m, now), now);
}

void readiness_apply_end(struct readiness *r, int64_t now)
{
	after(r, ready_apply_end(&r->m, now), now);
}

void readiness_generation(struct readiness *r, int64_t generation, int64_t now)
{
	if (r->have_generation && generation == r->generation)
		return;
	r->have_generation = true;
	r->generation = generation;
	after(r, ready_generation(&r->m, now), now);
}

void readiness_drain(struct readiness *r, int64_t now)
{
	if (ready_drain(&r->m, now))
		publish(r, now, now + r->cfg.drain_write_ms);
}

bool readiness_ready(const struct readiness *r)
{
	return r->m.ready;
}

/* ---- reporting ---- */

static void fields(struct readiness *r, int64_t now, struct buf *b)
{
	char why[256];
	explain(r, now, why, sizeof(why));
	buf_addf(b, "\"ready\":%s,\"reason\":\"%s\",\"message\":", readiness_ready(r) ? "true" : "false",
		 ready_why_name(ready_why(&r->m, now)));
	json_quote(b, why, (size_t)-1);
	buf_addf(b, ",\"mode\":\"%s\",\"targets\":%d,\"passedInARow\":%d,\"failedInARow\":%d,\"syncLeftMs\":%lld",
		 r->cfg.mode == READINESS_GATE ? "gate" : "probe", r->cfg.ntargets, r->m.ok_run, r->m.fail_run,
		 (long long)ready_sync_left(&r->m, now));
	buf_addf(b, ",\"sinceMs\":%lld,\"transitions\":%u", (long long)(now - r->m.changed_at), r->m.transitions);
	if (r->gated) {
		struct gate_stats s;
		gate_get_stats(&r->gate, &s);
		buf_addf(b, ",\"gate\":{\"synced\":%s,\"writes\":%lu,\"failures\":%lu,\"lastError\":",
			 s.synced ? "true" : "false", s.writes, s.failures);
		json_quote(b, s.last_error, (size_t)-1);
		buf_addc(b, '}');
	}
}

int readiness_http(struct readiness *r, int64_t now, struct buf *body)
{
	buf_addc(body, '{');
	fields(r, now, body);
	buf_adds(body, "}\n");
	return readiness_ready(r) ? 200 : 503;
}

void readiness_status(struct readiness *r, int64_t now, struct buf *b)
{
	buf_addf(b, ",\"ready\":%s,\"readiness\":{", readiness_ready(r) ? "true" : "false");
	fields(r, now, b);
	buf_addc(b, '}');
}
