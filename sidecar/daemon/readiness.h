/*
 * readiness.h -- this pod's readiness as `feast-sidecar run` serves it: the
 * predicate (ready.h) fed by the checks of the local servers (health.h),
 * published on /readyz and `check ready` (probe mode, for the native
 * sidecar's readinessProbe) and, in gate mode, as the Pod condition
 * feast.dev/registry-ready (gate.h).
 *
 * The daemon's loop owns it and calls in from its one thread: it polls
 * readiness_fd() (results of the workers) and wakes at readiness_next(),
 * then calls readiness_poll(); it reports what the lock does -- a local
 * client granted (apply_begin), its guarded command over (apply_end), a new
 * registry generation seen on the Lease -- and the drain.  Transitions are
 * logged and, in gate mode, handed to the gate's worker; nothing here waits
 * for the API server.
 *
 * Options (readiness_opts[]) are parsed into struct readiness_cfg by
 * readiness_opt() and checked by readiness_cfg_finish().  Without a
 * --health target (readiness_cfg.on false) the daemon starts none and
 * answers ready while it is not draining, as a plain lock broker.
 *
 * Ownership: readiness_start() takes the gate's kube client (gate mode) and
 * returns an object readiness_stop() frees; stopping joins the workers, the
 * gate's last write bounded by the drain's deadline.
 */
#ifndef FEAST_READINESS_H
#define FEAST_READINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"
#include "opts.h"

struct buf;
struct kube_client;
struct readiness;

enum readiness_mode { READINESS_PROBE, READINESS_GATE };

struct readiness_cfg {
	bool on;                      /* at least one --health target */
	enum readiness_mode mode;
	struct health_target targets[HEALTH_MAX_TARGETS];
	int ntargets;
	int64_t period_ms, timeout_ms;
	int rise, fall;
	int64_t registry_ttl_ms, margin_ms;
	int64_t gate_resync_ms;
	int64_t drain_write_ms;       /* bound of the gate's False at shutdown */
	const char *pod;              /* gate mode: our Pod's name */
};

enum {
	RD_OPT_HEALTH = 5000, RD_OPT_READINESS, RD_OPT_POD, RD_OPT_PERIOD, RD_OPT_TIMEOUT, RD_OPT_RISE,
	RD_OPT_FALL, RD_OPT_TTL, RD_OPT_MARGIN, RD_OPT_RESYNC,
};

extern const struct opt readiness_opts[];

void readiness_cfg_init(struct readiness_cfg *c);
/* Handle one of readiness_opts[]; 1 when it was not one of them, -1 with a message. */
int readiness_opt(struct readiness_cfg *c, const struct opt *o, const char *value, char *err, size_t n);
/* Defaults ($POD_NAME) and checks; -1 with a message. */
int readiness_cfg_finish(struct readiness_cfg *c, char *err, size_t n);

/* Start the workers; `gate_client` (taken) and `ns` in gate mode, else NULL. */
struct readiness *readiness_start(const struct readiness_cfg *c, struct kube_client *gate_client, const char *ns,
				  char *err, size_t n);
int readiness_fd(const struct readiness *r);
/* Take the workers' results and let time pass. */
void readiness_poll(struct readiness *r, int64_t now);
/* When readiness_poll() must run again by itself (INT64_MAX: only when the fd fires). */
int64_t readiness_next(const struct readiness *r, int64_t now);

void readiness_apply_begin(struct readiness *r, int64_t now);
void readiness_apply_end(struct readiness *r, int64_t now);
void readiness_generation(struct readiness *r, int64_t generation, int64_t now);
void readiness_drain(struct readiness *r, int64_t now);

bool readiness_ready(const struct readiness *r);
/* "draining", "syncing 2300 ms left", ... for `check ready` and logs. */
void readiness_reason(const struct readiness *r, int64_t now, char *out, size_t n);
/* The /readyz answer: 200 or 503 with a JSON body. */
int readiness_http(struct readiness *r, int64_t now, struct buf *body);
/* The fields for the status JSON: `,"ready":...,"readiness":{...}`. */
void readiness_status(struct readiness *r, int64_t now, struct buf *b);

void readiness_stop(struct readiness *r);

#endif
