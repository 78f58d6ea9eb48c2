/* lease_io.c -- the worker thread that performs blocking Lease requests for the poll loop. */
#include "lease_io.h"
#include "clock.h"
#include "worker_thread.h"

#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void notify(struct io_worker *w)
{
	uint64_t one = 1;
	ssize_t n = write(w->efd, &one, sizeof(one));
	(void)n;
}

static void on_event(void *ctx, bool deleted, const struct lease_obj *o)
{
	struct io_worker *w = ctx;
	pthread_mutex_lock(&w->mu);
	/* Only the latest matters: observations are idempotent, and an older
	 * version carries no information a newer one lacks. */
	w->ev_pending = true;
	w->ev_any = true;
	w->ev_deleted = deleted;
	if (!deleted)
		w->ev_obj = *o;
	pthread_mutex_unlock(&w->mu);
	notify(w);
}

static void *worker_main(void *arg)
{
	struct io_worker *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && (w->state == IO_IDLE || w->call_done || w->watch_done))
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		char msg[256] = "";
		if (w->state == IO_CALL) {
			struct lease_req req = w->req;
			struct lease_obj obj;
			memset(&obj, 0, sizeof(obj));
			pthread_mutex_unlock(&w->mu);
			enum lease_result r = w->io->ops->call(w->io, &req, &obj, msg, sizeof(msg));
			pthread_mutex_lock(&w->mu);
			w->result = r;
			w->obj = obj;
			w->call_done = true;
		} else {
			int64_t deadline = w->watch_deadline;
			pthread_mutex_unlock(&w->mu);
			int rc = w->io->ops->watch(w->io, deadline, on_event, w, msg, sizeof(msg));
			pthread_mutex_lock(&w->mu);
			w->watch_rc = rc;
			w->watch_done = true;
		}
		memcpy(w->msg, msg, sizeof(msg));
		notify(w);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int io_worker_start(struct io_worker *w, struct lease_io *io)
{
	memset(w, 0, sizeof(*w));
	w->io = io;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0)
		return -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* Signals belong to the loop's thread: the worker blocks them all. */
	int rc = worker_thread_start(&w->thread, worker_main, w);
	if (rc != 0) {
		close(w->efd);
		return -1;
	}
	return 0;
}

void io_worker_stop(struct io_worker *w)
{
	worker_thread_quit(&w->mu, &w->cv, &w->quit);
	if (w->io->ops->wakeup)
		w->io->ops->wakeup(w->io);
	worker_thread_join(w->thread, &w->mu, &w->cv);
	close(w->efd);
	w->io->ops->destroy(w->io);
	w->io = NULL;
}

static void start_job(struct io_worker *w, enum io_state s)
{
	w->state = s;
	w->started = mono_ms();
	w->call_done = w->watch_done = false;
	pthread_cond_signal(&w->cv);
}

void io_worker_call(struct io_worker *w, const struct lease_req *req)
{
	pthread_mutex_lock(&w->mu);
	w->req = *req;
	start_job(w, IO_CALL);
	pthread_mutex_unlock(&w->mu);
}

void io_worker_watch(struct io_worker *w, int64_t deadline)
{
	pthread_mutex_lock(&w->mu);
	w->watch_deadline = deadline;
	w->ev_any = false;
	start_job(w, IO_WATCH);
	pthread_mutex_unlock(&w->mu);
}

void io_worker_wake(struct io_worker *w)
{
	if (w->io->ops->wakeup)
		w->io->ops->wakeup(w->io);
}

void io_worker_drain(struct io_worker *w)
{
	uint64_t v;
	ssize_t n = read(w->efd, &v, sizeof(v));
	(void)n;
}

void io_worker_lock(struct io_worker *w)
{
	pthread_mutex_lock(&w->mu);
}

void io_worker_unlock(struct io_worker *w)
{
	pthread_mutex_unlock(&w->mu);
}
