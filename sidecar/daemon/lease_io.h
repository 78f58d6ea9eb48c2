/*
 * lease_io.h -- how the lease machine's requests reach a Lease, and the
 * thread that performs them.
 *
 * A backend (struct lease_io) performs one blocking request at a time and
 * can watch the Lease: the API server through kube/ (lease_kube.c), or a
 * local file (lease_file.c: tests and single-host use, writes serialised by
 * flock(2), the same resourceVersion rules).  Backends keep the last body
 * they read so that updates preserve what others put in the object.
 *
 * The daemon's poll loop must never block, so a worker thread performs the
 * backend's calls: the loop hands it one request (or a watch) and hears back
 * through an eventfd.  The lease machine itself stays in the loop's thread.
 *
 * Ownership: the worker owns the backend from io_worker_start() and
 * destroys it in io_worker_stop().  All io_worker_* functions are called
 * from the loop's thread only.
 */
#ifndef FEAST_LEASE_IO_H
#define FEAST_LEASE_IO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lease.h"

struct lease_io;

/* A watch event: the object (ADDED/MODIFIED) or deleted. */
typedef void (*lease_io_event_fn)(void *ctx, bool deleted, const struct lease_obj *o);

enum {
	LIO_WATCH_DONE = 0,     /* deadline passed, woken, or the server closed it: restart at will */
	LIO_WATCH_BROKEN = -1,  /* could not watch: poll instead for a while */
};

struct lease_io_ops {
	/* One request; msg gets a one-line reason for failures. */
	enum lease_result (*call)(struct lease_io *io, const struct lease_req *req, struct lease_obj *out, char *msg,
				  size_t n);
	/* Follow the Lease until deadline (mono_ms) or wakeup; NULL when unsupported. */
	int (*watch)(struct lease_io *io, int64_t deadline, lease_io_event_fn fn, void *ctx, char *msg, size_t n);
	/* Make a running watch return; callable from any thread. */
	void (*wakeup)(struct lease_io *io);
	void (*destroy)(struct lease_io *io);
};

struct lease_io {
	const struct lease_io_ops *ops;
	char where[300]; /* for log lines: namespaces/NS/leases/NAME, or the file */
};

/* The file backend; NULL with a message when the file cannot be opened. */
struct lease_io *lease_file_open(const char *path, const char *name, char *err, size_t n);
/* The API server backend; it takes ownership of the client. */
struct kube_client;
struct lease_io *lease_kube_open(struct kube_client *client, const char *ns, const char *name);

/* ---- the worker ---- */

enum io_state { IO_IDLE, IO_CALL, IO_WATCH };

struct io_worker {
	struct lease_io *io;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;                 /* readable when something is done or observed */
	bool quit;
	enum io_state state;     /* what the worker was told to do */
	int64_t started;         /* mono_ms when the current job began */
	struct lease_req req;
	int64_t watch_deadline;
	/* results, under mu */
	bool call_done, watch_done;
	enum lease_result result;
	struct lease_obj obj;
	int watch_rc;
	bool ev_pending, ev_deleted, ev_any; /* ev_any: this watch delivered something */
	struct lease_obj ev_obj;
	char msg[256];
};

int io_worker_start(struct io_worker *w, struct lease_io *io);
void io_worker_stop(struct io_worker *w);
void io_worker_call(struct io_worker *w, const struct lease_req *req);
void io_worker_watch(struct io_worker *w, int64_t deadline);
/* Ask a running watch to end (the worker reports watch_done). */
void io_worker_wake(struct io_worker *w);
/* Clear the eventfd; then read the result fields under io_worker_lock. */
void io_worker_drain(struct io_worker *w);
void io_worker_lock(struct io_worker *w);
void io_worker_unlock(struct io_worker *w);

#endif
