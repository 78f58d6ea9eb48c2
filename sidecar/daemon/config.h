/*
 * config.h -- what `feast-sidecar run` (and `lock` without a daemon) is
 * told: which Lease, who we are, the timings, where to listen.
 *
 * The options are one table, config_opts[], that `run` and the direct form
 * of `lock` add to their own; config_opt() stores a value, config_finish()
 * fills defaults from the environment and checks everything once (timings
 * through lease_timing_check()).  Strings point into argv or the
 * environment; struct sc_config owns nothing.
 *
 * The API server connection takes kubectl's flags (kube_flag_opts); their
 * --request-timeout is the Lease requests' timeout, which may not be 0 here.
 *
 * Defaults: Lease `feast-<name>-registry-lock` for --name, identity
 * $POD_NAME else <hostname>-<pid>, socket $FEAST_SIDECAR_SOCKET else
 * /run/feast-sidecar/sock, HTTP on 127.0.0.1:6599, timings as client-go
 * (15 s / 10 s / 2 s) with a 3 s kill grace and 1 s safety margin; socket
 * clients that ask nothing are closed after 10 s.
 */
#ifndef FEAST_CONFIG_H
#define FEAST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "kube_config.h"
#include "lease.h"
#include "opts.h"
#include "proto.h"

#define SC_DEFAULT_LISTEN "127.0.0.1:6599"
#define SC_LOCK_CLIENT_NAME "feast-lock"

struct sc_config {
	const char *name;          /* FeatureStore name */
	const char *lease;         /* Lease name */
	const char *namespace;     /* set by the kube flags or the file backend */
	char identity[LEASE_ID_MAX];
	const char *socket;
	unsigned socket_mode;
	const char *listen;        /* "" = no HTTP */
	const char *lock_client;   /* static client to copy next to the socket; "" = none */
	const char *lease_file;    /* file backend (tests, single host) instead of the API server */
	int64_t idle_ms;           /* a socket client with nothing asked or pending is closed after this */
	struct lease_timing timing;
	bool direct;               /* lock: in-process broker for one client */
	struct kube_flags kube;    /* kubectl's connection flags (kube_flag_opts) */
};

enum {
	CFG_OPT_NAME = 2000, CFG_OPT_LEASE, CFG_OPT_IDENTITY, CFG_OPT_LEASE_DURATION, CFG_OPT_RENEW_DEADLINE,
	CFG_OPT_RETRY_PERIOD, CFG_OPT_KILL_GRACE, CFG_OPT_MARGIN, CFG_OPT_LEASE_FILE,
	CFG_OPT_SOCKET, CFG_OPT_SOCKET_MODE, CFG_OPT_LISTEN, CFG_OPT_LOCK_CLIENT, CFG_OPT_IDLE,
};

/* Lease and timing options (run, and lock's direct form). */
extern const struct opt config_lease_opts[];
/* The same without --lease and --kill-grace, which `lock` declares itself. */
extern const struct opt config_lock_opts[];
/* Daemon-only options: socket mode, HTTP, the static client to install. */
extern const struct opt config_daemon_opts[];

void config_init(struct sc_config *c);
/* Handle one of the options above; 1 when it was not one of them. */
int config_opt(struct sc_config *c, const struct opt *o, const char *value, char *err, size_t errlen);
/* Defaults and checks; -1 with a message (exit 78 or 64 by the caller). */
int config_finish(struct sc_config *c, char *err, size_t errlen);

#endif
