/*
 * lock_local.h -- what `lock` does when no daemon socket is there: the one
 * part of the lock client that differs between feast-sidecar and feast-lock.
 *
 * Each program links one implementation, so cmd_lock.c and cmd_query.c are
 * the same files in both builds.  feast-sidecar's (daemon/lock_direct.c)
 * runs the broker itself against the API server (direct.h) and so takes the
 * daemon's Lease, timing and kubectl connection options.  feast-lock's
 * (static/lock_static.c) only talks to a daemon, takes no more options than
 * lock's own, and says so when there is none.
 *
 * Call order: lock_local_init(), lock_local_opt() for each option that is
 * not in lock_opts[], then at most one lock_local_open() and, when it
 * opened a broker, lock_local_close().  One lock per process: the state is
 * the implementation's own, and it owns what it opens until close.
 */
#ifndef FEAST_LOCK_LOCAL_H
#define FEAST_LOCK_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "opts.h"

/* lock's own options (cmd_lock.c), and its option groups: lock_opts[], this
 * build's own, then sc_help_opts[] (sccli.h). */
extern const struct opt lock_opts[];
extern const struct opt *const lock_groups[];

/* Said after the version by `version`: "" or " (static lock client)". */
extern const char lock_build_note[];
/* Printed by `version` after its first line: feast-sidecar's HTTP stack (the libcurl it
 * runs with, its TLS and HTTP/2 libraries, the features the API client relies on), so
 * a build that lost one shows it; nothing for feast-lock, which has none. */
void lock_build_details(FILE *out);

void lock_local_init(void);
/* An option of this build's groups: 0, or -1 with a message in err. */
int lock_local_opt(const struct opt *o, const char *value, char *err, size_t errlen);
/* Nothing at the socket path.  socket_given: --socket was on the command line;
 * lease (NULL: none) and grace_ms (-1: none) are lock's --lease and --kill-grace.
 * Returns 1 when the caller should wait for a daemon to appear at path after all,
 * 0 with *fd connected to a broker of our own, or -(exit code) after printing
 * the error. */
int lock_local_open(const char *path, bool socket_given, const char *lease, long long grace_ms, int *fd);
void lock_local_close(void);

#endif
