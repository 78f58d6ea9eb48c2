/*
 * ready.h -- the readiness predicate of a feature-server pod as a sans-I/O
 * state machine (notes/sidecar.md 6.4).
 *
 *     ready = !draining && the local servers passed K checks in a row
 *             && no local guarded command (an apply) is running
 *             && the registry sync window has passed
 *
 * The sync window: the servers refresh their registry every registry_ttl_sec,
 * so a pod is ready only registry_ttl + margin after the later of the
 * machine's start, the end of this pod's own last guarded command (its
 * `feast apply`), and the last change of the Lease's registry generation it
 * observed.  Hysteresis: once ready, the pod becomes not ready only after M
 * failed checks in a row, or by draining (for good).  Neither the sync
 * window nor a running local command nor anything the API server says takes
 * a ready pod out: an API outage or another pod's apply must not empty every
 * Service; the window only holds back a pod that is not ready yet.
 *
 * Nothing here reads a clock or performs I/O: every call takes the current
 * monotonic time in milliseconds, so tests drive it with any clock.  The
 * calls that can change the verdict return true when it changed (a
 * transition); ready_next() says when time alone may change it.
 * struct ready is plain caller memory; one thread.
 */
#ifndef FEAST_READY_H
#define FEAST_READY_H

#include <stdbool.h>
#include <stdint.h>

struct ready_params {
	int rise;         /* K: passed checks in a row to become ready (>= 1) */
	int fall;         /* M: failed checks in a row to stop being ready (>= 1) */
	int64_t sync_ms;  /* registry refresh period + margin */
};

/* Why the pod is (not) ready, most important first. */
enum ready_why {
	RW_READY,
	RW_DRAINING,  /* shutting down: never ready again */
	RW_STARTING,  /* no check has finished yet */
	RW_UNHEALTHY, /* the last checks failed (or too few passed) */
	RW_APPLYING,  /* a local guarded command is running */
	RW_SYNCING,   /* inside the registry sync window */
};
const char *ready_why_name(enum ready_why w);

struct ready {
	struct ready_params p;
	bool ready, draining;
	bool checked;          /* a check has finished */
	int ok_run, fail_run;  /* passed / failed checks in a row */
	int busy;              /* local guarded commands running */
	int64_t sync_from;     /* start of the current sync window */
	int64_t changed_at;    /* time of the last transition (or start) */
	unsigned transitions;
};

void ready_init(struct ready *r, const struct ready_params *p, int64_t now);
/* One round of checks of the local servers finished: all passed, or not. */
bool ready_check(struct ready *r, bool ok, int64_t now);
/* A local client was granted the lock / its guarded command ended (released or lost). */
bool ready_apply_begin(struct ready *r, int64_t now);
bool ready_apply_end(struct ready *r, int64_t now);
/* The Lease's registry generation changed (another pod's apply, or ours). */
bool ready_generation(struct ready *r, int64_t now);
/* Shutting down: not ready from now on. */
bool ready_drain(struct ready *r, int64_t now);
/* Let time pass: the end of the sync window can make the pod ready. */
bool ready_tick(struct ready *r, int64_t now);
/* When ready_tick() may change the verdict; INT64_MAX when only an event can. */
int64_t ready_next(const struct ready *r, int64_t now);
/* The reason for the current verdict (RW_READY when ready). */
enum ready_why ready_why(const struct ready *r, int64_t now);
/* Milliseconds left in the sync window (0 when it has passed). */
int64_t ready_sync_left(const struct ready *r, int64_t now);

#endif
