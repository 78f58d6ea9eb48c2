/*
 * worker_thread.h -- the daemon's helper threads: started with every signal blocked.
 *
 * The daemon's loop (or, for a direct lock, the wrapper) is the one thread that takes
 * signals: SIGTERM, SIGCHLD of a wrapped command, and the signalfd they are read from
 * only work if no other thread can be picked to receive them.  So each helper thread
 * (the Lease I/O worker, the health checker, the readiness gate writer, a direct lock's
 * broker) is created with all signals blocked, and the caller's mask is left as it was.
 * The condition variables these workers wait on with a deadline use CLOCK_MONOTONIC,
 * so a wall-clock step neither cuts a wait short nor stretches it.
 *
 * Nothing is allocated here: the caller owns the thread, its mutex, condition variable and
 * quit flag; worker_thread_join() ends the thread and destroys the mutex and the condition
 * variable.
 */
#ifndef FEAST_WORKER_THREAD_H
#define FEAST_WORKER_THREAD_H

#include <pthread.h>
#include <stdbool.h>

/* pthread_create's result: 0, or the error number. */
int worker_thread_start(pthread_t *thread, void *(*main_fn)(void *), void *arg);

/* pthread_cond_init with CLOCK_MONOTONIC, for pthread_cond_timedwait deadlines from clock.h. */
void worker_cond_init(pthread_cond_t *cv);

/* Ask a worker to finish: set *quit under mu and wake it on cv. */
void worker_thread_quit(pthread_mutex_t *mu, pthread_cond_t *cv, bool *quit);

/* Wait for the worker to end, then destroy mu and cv. */
void worker_thread_join(pthread_t thread, pthread_mutex_t *mu, pthread_cond_t *cv);

#endif
