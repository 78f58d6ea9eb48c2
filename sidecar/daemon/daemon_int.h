/*
 * daemon_int.h -- what the files of the lock broker (daemon.h) share: the
 * daemon's state, its clients, and the calls between the four parts.
 *
 * daemon.c runs the poll loop and owns struct daemon (daemon_run() allocates
 * it and frees it before returning).  daemon_lease.c drives the Lease machine
 * and its I/O worker and turns the machine's events into broker calls.
 * daemon_broker.c owns the local clients: each struct client is calloc'd when
 * it connects and freed by broker_sweep() once done, or by broker_free().
 * daemon_http.c answers the loopback HTTP routes and builds the status that
 * both /status and the socket's STATUS report.  Everything here runs on the
 * loop's thread; only the I/O worker (lease_io.h) runs beside it.
 */
#ifndef FEAST_DAEMON_INT_H
#define FEAST_DAEMON_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "httpd.h"
#include "lease.h"
#include "lease_io.h"
#include "proto.h"

struct buf;

#define MAX_CLIENTS 64

enum cstate { C_NEW, C_WAITING, C_GRANTED, C_GRACE, C_RELEASING, C_LOST, C_DONE };

struct client {
	struct client *next;
	int fd;               /* -1 once the connection ended */
	unsigned id;
	enum cstate st;
	int64_t deadline;     /* waiting: give up at; grace: release at */
	int64_t active;       /* when it last sent a line (or connected) */
	uint64_t mark;        /* attempts counter when it began to wait */
	pid_t pid;
	uid_t uid;
	bool dead;
	struct linebuf lb;
};

struct daemon {
	const struct sc_config *cfg;
	struct lease_machine m;
	struct lease_env env;
	uint64_t rng;
	struct io_worker w;
	bool calling, watching, pending;
	struct lease_req pending_req;
	int64_t wake, watch_deadline, watch_retry_at, watch_backoff;
	int listen_fd, http_fd, stop_fd, sig_fd;
	struct client *clients, *owner;
	unsigned next_id, nclients;
	uint64_t attempts;
	bool direct, draining, forced;
	int lv;                   /* level of routine log lines: 1 inside `lock`, 0 in the daemon */
	enum lease_result err_result;
	char err_msg[256];
	struct http_conn http[HTTPD_MAX_CONNS];
	struct readiness *ready;  /* NULL: a lock broker only */
};

static inline const char *why_word(enum lease_why w)
{
	return w == WHY_NONE ? "held" : lease_why_name(w);
}

/* daemon_lease.c: the machine's environment, one round of driving it, the worker's answers. */
void driver_init_env(struct daemon *d);
void driver_drive(struct daemon *d);
void driver_on_worker(struct daemon *d);

/* daemon_broker.c: the clients, told of the machine's events by the driver. */
void broker_update_want(struct daemon *d);
void broker_acquired(struct daemon *d);
void broker_renewed(struct daemon *d);
void broker_lost(struct daemon *d);
void broker_released(struct daemon *d);
void broker_attempt_ended(struct daemon *d);
void broker_add(struct daemon *d, int fd);
void broker_accept(struct daemon *d);
void broker_read(struct daemon *d, struct client *c);
void broker_timers(struct daemon *d, int64_t now);
/* The earliest of t and the clients' next deadlines. */
int64_t broker_next_timer(const struct daemon *d, int64_t now, int64_t t);
void broker_refuse_waiters(struct daemon *d, const char *line);
void broker_sweep(struct daemon *d);
void broker_free(struct daemon *d);

/* daemon_http.c: liveness, the status object, the loopback routes (httpd.h's handler). */
bool daemon_healthy(const struct daemon *d, char *why, size_t n);
void daemon_status_json(const struct daemon *d, struct buf *b);
int daemon_route(void *ctx, const char *path, struct buf *body);

#endif
