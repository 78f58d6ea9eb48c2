/*
 * lease.h -- client-go's Lease lock algorithm as a sans-I/O state machine.
 *
 * The machine decides; it never performs I/O.  A driver asks lease_next()
 * what to do: send one request (GET, POST or PUT carrying a resourceVersion)
 * or wait until a monotonic time.  The driver performs the request however it
 * likes (blocking HTTP, a simulated API server) and hands the outcome to
 * lease_done().  Watch events go to lease_observe().  Because nothing here
 * blocks or reads a clock of its own (time, wall time and randomness come
 * through struct lease_env), the same code runs in the daemon, in the direct
 * `lock` command and under the model test's simulated clocks.
 *
 * Semantics (client-go tryAcquireOrRenew, notes/sidecar.md 1.3 and 6.5):
 *  - expiry is judged only on our own monotonic clock: a record is free when
 *    its holder is "" or when the same resourceVersion has been observed for
 *    the record's leaseDurationSeconds; remote timestamps are never trusted;
 *  - every write carries the resourceVersion it read; 409 means re-read;
 *  - the holder renews with one PUT per retry period and stays valid until
 *    (send time of its last successful write) + renew deadline; past that it
 *    is LOST and must have stopped guarded work within the kill grace;
 *  - release writes holder "" (duration 1 s) and, on request, increments the
 *    annotation feast.dev/registry-generation in the same write;
 *  - every acquisition increments leaseTransitions, the fencing token.
 *
 * Ownership: struct lease_machine is plain memory owned by the caller; it
 * holds no pointers into the caller's data except env (which must outlive it).
 * Call order: lease_init, then any mix of lease_want / lease_release /
 * lease_next / lease_done / lease_observe from one thread.  At most one
 * request is outstanding: after lease_next returned LEASE_ACT_SEND, call
 * lease_done exactly once before calling lease_next again.
 */
#ifndef FEAST_LEASE_H
#define FEAST_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEASE_ID_MAX 254   /* holderIdentity, NUL included (pod names are <= 253) */
#define LEASE_RV_MAX 64    /* resourceVersion */
#define LEASE_TIME_MAX 40  /* MicroTime text, e.g. 2026-11-26T10:53:47.123456Z */
#define LEASE_NEVER INT64_MAX

/* A holder identity too long to store: never equal to any identity. */
#define LEASE_HOLDER_UNKNOWN "\001"

/* The parts of a Lease the algorithm reads or writes. */
struct lease_record {
	char holder[LEASE_ID_MAX];  /* "" = free */
	int32_t duration_s;         /* leaseDurationSeconds; 0 when absent */
	int32_t transitions;        /* leaseTransitions */
	char acquire_time[LEASE_TIME_MAX];
	char renew_time[LEASE_TIME_MAX];
	int64_t generation;         /* annotation feast.dev/registry-generation; 0 when absent */
};

struct lease_obj {
	struct lease_record rec;
	char rv[LEASE_RV_MAX];      /* opaque: compared for equality only */
};

/* Timings in milliseconds; see lease_timing_check() for the constraints. */
struct lease_timing {
	int64_t lease_ms;           /* L: leaseDurationSeconds written (whole seconds) */
	int64_t renew_deadline_ms;  /* D: holder valid until last good send + D */
	int64_t retry_ms;           /* R: renew period; standby polls every R..2.2R */
	int64_t kill_grace_ms;      /* G: SIGTERM -> SIGKILL of the guarded command */
	int64_t margin_ms;          /* slack for clock-rate drift and kill latency */
	int64_t request_timeout_ms; /* per request; 0 = max(1 s, D/2) */
};

#define LEASE_JITTER 1.2
#define LEASE_TIMING_DEFAULT { 15000, 10000, 2000, 3000, 1000, 0 }

/* Fill defaults (request timeout) and check the start-up constraints:
 * L > D + G + margin, D > 1.2 R, request timeout < D, L a whole number of
 * seconds.  Returns 0, or -1 with a message in err. */
int lease_timing_check(struct lease_timing *t, char *err, size_t errlen);

/* Outcome of one request, from the HTTP status or transport error. */
enum lease_result {
	LR_OK,           /* 200/201 */
	LR_NOT_FOUND,    /* 404 */
	LR_CONFLICT,     /* 409 (Conflict or AlreadyExists) */
	LR_INVALID,      /* 422 and other 4xx the server refused */
	LR_UNAUTHORIZED, /* 401 after the token was re-read */
	LR_FORBIDDEN,    /* 403 */
	LR_TIMEOUT,      /* no answer in time: the write may or may not have happened */
	LR_UNAVAILABLE,  /* connect/reset/5xx: may also have happened */
	LR_CONFIG,       /* TLS verification, bad URL or credentials file */
};
const char *lease_result_name(enum lease_result r);

enum lease_op { LEASE_GET, LEASE_CREATE, LEASE_UPDATE };

/* One request for the driver.  For CREATE and UPDATE the body is `rec`;
 * UPDATE must send metadata.resourceVersion = rv. */
struct lease_req {
	enum lease_op op;
	struct lease_record rec;
	char rv[LEASE_RV_MAX];
	int64_t timeout_ms;         /* give up (LR_TIMEOUT) after this long */
};

/* Injected time and randomness. */
struct lease_env {
	int64_t (*now)(void *ctx);                      /* monotonic milliseconds */
	void (*wall)(void *ctx, char *out, size_t n);   /* MicroTime text for the record */
	uint32_t (*rand)(void *ctx);
	void *ctx;
};

enum lease_state {
	LEASE_IDLE,      /* nobody wants the lock */
	LEASE_STANDBY,   /* wanted, not held: observing, waiting for expiry or release */
	LEASE_HOLDING,   /* held, renewing */
	LEASE_RELEASING, /* guarded work ended, writing holder "" */
};
const char *lease_state_name(enum lease_state s);

/* Why the last standby attempt did not acquire. */
enum lease_why { WHY_NONE, WHY_HELD, WHY_UNREACHABLE, WHY_FORBIDDEN, WHY_CONFIG };
const char *lease_why_name(enum lease_why w);

/* Events, accumulated until lease_events() reads and clears them. */
enum {
	LEV_ACQUIRED = 1u << 0,  /* now holding; valid_until and fence set */
	LEV_RENEWED = 1u << 1,   /* valid_until moved forward */
	LEV_LOST = 1u << 2,      /* renew deadline passed or the record was taken */
	LEV_RELEASED = 1u << 3,  /* release written (or given up: see release_ok) */
	LEV_ATTEMPT = 1u << 4,   /* a standby attempt ended without acquiring (see why) */
	LEV_OBSERVED = 1u << 5,  /* a new resourceVersion was observed */
};

/* Internal: what the outstanding request is for. */
enum lease_purpose { P_NONE, P_PROBE, P_CREATE, P_TAKE, P_RENEW, P_RENEW_GET, P_RELEASE, P_RELEASE_GET };

struct lease_stats {
	uint64_t gets, creates, updates, conflicts, failures;
	uint64_t acquired, lost, released;
};

struct lease_machine {
	const struct lease_env *env;
	struct lease_timing t;
	char me[LEASE_ID_MAX];

	enum lease_state state;
	bool want, release_req, bump, watching;
	bool next_is_create;        /* standby: the last GET said 404 */
	bool renew_get, release_get; /* a 409 asked for a re-read */
	bool recheck;               /* a watch event came while a GET was out */
	bool need_get;              /* standby: read before deciding (view may be stale) */
	enum lease_why why;
	unsigned events;

	struct lease_obj obs;       /* last observed object (resourceVersion-keyed) */
	bool have_obs;
	int64_t obs_time;           /* when obs.rv was first seen, our clock */

	int64_t next_at;            /* when the next step is due */
	int64_t valid_until;        /* holder: last good send + D */
	int64_t release_until;      /* releasing: give up after this */
	bool release_ok;            /* last release confirmed written */
	int32_t fence;              /* leaseTransitions of our current term */
	int64_t generation;         /* last generation seen or written */
	char claim_time[LEASE_TIME_MAX]; /* acquireTime of a take whose outcome is unknown */

	enum lease_purpose inflight;
	struct lease_req req;       /* the outstanding request */
	int64_t sent_at;
	struct lease_stats stats;
};

/* `identity` must be non-empty and printable; it is copied. */
int lease_init(struct lease_machine *m, const struct lease_env *env, const struct lease_timing *t,
	       const char *identity);

/* Want the lock (true) or not.  Dropping the want while HOLDING releases
 * without a generation bump (nothing guarded ran). */
void lease_want(struct lease_machine *m, bool want);
/* The guarded work has ended: write holder "" and, if bump, increment the
 * registry generation.  No-op unless holding. */
void lease_release(struct lease_machine *m, bool bump);
/* The driver has a working watch on the Lease: standby need not poll,
 * because every change arrives through lease_observe(). */
void lease_set_watching(struct lease_machine *m, bool on);

enum lease_action { LEASE_ACT_WAIT, LEASE_ACT_SEND };
/* Decide.  SEND: *req is filled; perform it and call lease_done().  WAIT:
 * call again at *wake (LEASE_NEVER: only after lease_want/observe). */
enum lease_action lease_next(struct lease_machine *m, struct lease_req *req, int64_t *wake);
/* Result of the outstanding request; obj is the returned Lease for LR_OK
 * (NULL otherwise). */
void lease_done(struct lease_machine *m, enum lease_result r, const struct lease_obj *obj);
/* An object seen through a watch (ADDED/MODIFIED).  Ignored while holding:
 * the holder only trusts the answers to its own writes. */
void lease_observe(struct lease_machine *m, const struct lease_obj *obj);
/* The watch said the Lease was deleted: look again now (standby only). */
void lease_observe_deleted(struct lease_machine *m);

unsigned lease_events(struct lease_machine *m);
bool lease_held(const struct lease_machine *m);
/* Milliseconds of validity left (0 unless holding). */
int64_t lease_valid_ms(const struct lease_machine *m);

#endif
