/*
 * gate.h -- the pod's readiness gate: the condition feast.dev/registry-ready
 * on our own Pod, written from a thread of its own (notes/sidecar.md 2.2).
 *
 * The owner says what the condition should be with gate_set() on every
 * transition.  The worker PATCHes pods/NAME/status with a strategic merge
 * patch that carries only that condition: conditions merge by type, so the
 * kubelet's Ready, ContainersReady, Initialized... and anyone else's stay as
 * they are (a JSON merge patch would replace the whole list).  Failures are
 * retried with backoff; the same value is written again every resync period,
 * which repairs a condition someone removed.  lastTransitionTime moves only
 * when the status changes: at start the worker reads the Pod once, and when
 * the status there already matches, its time is kept.
 *
 * Nothing waits for the worker: readiness is decided locally, and a PATCH
 * that fails or hangs (an API outage) only delays what the API server shows.
 * gate_stop() lets the worker make the write still due (the drain's False),
 * bounded by the deadline given to the last gate_set() -- best effort -- and
 * joins it.
 *
 * Ownership: gate_open() takes the kube client; gate_stop() frees it.  The
 * eventfd (written after each attempt) stays the owner's.  gate_set() and
 * gate_stats() from the owner's thread.
 */
#ifndef FEAST_GATE_H
#define FEAST_GATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define GATE_CONDITION "feast.dev/registry-ready"

struct kube_client;

struct gate_stats {
	unsigned long writes, failures;
	bool synced;            /* the last value set is written */
	char last_error[256];
};

struct gate {
	struct kube_client *client;
	char pod[254];
	char status_path[512], pod_path[512];
	int64_t resync_ms, timeout_ms;
	int efd;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, quit;
	/* wanted, under mu */
	bool want;
	char reason[64], message[256], since[40];
	uint64_t seq;
	int64_t deadline;       /* mono_ms; 0: none */
	/* written, under mu */
	uint64_t done_seq;
	struct gate_stats stats;
	/* the worker's own */
	int stored;             /* -1 unknown, else the status the Pod has (0/1) */
	char stored_since[40];
};

/* Prepare the gate of Pod `pod` in namespace `ns`; takes `client`. */
void gate_open(struct gate *g, struct kube_client *client, const char *ns, const char *pod, int64_t resync_ms,
	       int64_t timeout_ms, int efd);
int gate_start(struct gate *g);
/* The condition should be `ready` for `reason`; deadline_ms (mono, 0 none) bounds the write. */
void gate_set(struct gate *g, bool ready, const char *reason, const char *message, int64_t deadline_ms);
void gate_get_stats(struct gate *g, struct gate_stats *out);
void gate_stop(struct gate *g);

#endif
