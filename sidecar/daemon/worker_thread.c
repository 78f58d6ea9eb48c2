/* worker_thread.c -- start the daemon's helper threads with signals left to the thread that handles them. */
#include "worker_thread.h"

#include <signal.h>
#include <time.h>

int worker_thread_start(pthread_t *thread, void *(*main_fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(thread, NULL, main_fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void worker_thread_quit(pthread_mutex_t *mu, pthread_cond_t *cv, bool *quit)
{
	pthread_mutex_lock(mu);
	*quit = true;
	pthread_cond_signal(cv);
	pthread_mutex_unlock(mu);
}

void worker_thread_join(pthread_t thread, pthread_mutex_t *mu, pthread_cond_t *cv)
{
	pthread_join(thread, NULL);
	pthread_mutex_destroy(mu);
	pthread_cond_destroy(cv);
}

void worker_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}
