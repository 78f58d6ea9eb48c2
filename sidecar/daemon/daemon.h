/*
 * daemon.h -- the lock broker: one Lease machine, its I/O worker, local
 * clients on a unix socket, and HTTP on loopback, in one poll loop.
 *
 * Local clients queue in arrival order; the first waiter is the one the
 * Lease is acquired for, and only one client at a time is granted.  The
 * lock lives as long as the client's connection: RELEASE (after its
 * command's process group is gone) releases at once; a connection that
 * ends without RELEASE may have left a command running, so the Lease is
 * kept -- and renewed -- for the kill grace before it is released.  When
 * the Lease is lost the holder is told LOST at once; heartbeats (HELD)
 * follow every renewal.  The wire format is in proto.h.
 *
 * daemon_run() serves until stop_fd becomes readable, a terminating signal
 * arrives (with opts.signals: drain -- waiters are refused, the holder
 * keeps its lock until it lets go, the Lease is released, exit 0), or, with
 * opts.client_fd (the direct form of `lock`), the one client is gone and
 * the Lease released.  It takes ownership of opts.io and of every
 * descriptor in opts and closes them.  The configuration is borrowed.
 *
 * With opts.ready it reports to the pod's readiness (readiness.h): a client
 * granted and its command over, each new registry generation seen on the
 * Lease, the drain; and serves the verdict on /readyz and CHECK ready.
 */
#ifndef FEAST_DAEMON_H
#define FEAST_DAEMON_H

#include <stdbool.h>

struct sc_config;
struct lease_io;
struct readiness;

struct daemon_opts {
	const struct sc_config *cfg;
	struct lease_io *io;
	int listen_fd;   /* unix listening socket, or -1 */
	int http_fd;     /* loopback HTTP listening socket, or -1 */
	int client_fd;   /* one connected client (direct lock), or -1 */
	bool signals;    /* handle SIGTERM/SIGINT (run) */
	struct readiness *ready; /* borrowed; NULL: no readiness but "not draining" */
};

int daemon_run(const struct daemon_opts *opts, int stop_fd);

#endif
