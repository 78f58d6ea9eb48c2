/*
 * direct.h -- the direct form of `lock`: no daemon in reach, so the lock
 * command runs the broker itself, in a thread, for exactly one client, and
 * talks to it over a socketpair with the same line protocol.  One code path
 * for both forms means one set of rules and tests.
 *
 * direct_open() takes a finished configuration (config_finish), opens the
 * backend and starts the thread; *fd is the client's end (the caller closes
 * it before direct_close()).  direct_close() waits for the broker to release
 * the Lease (or give up) and joins the thread.
 */
#ifndef FEAST_DIRECT_H
#define FEAST_DIRECT_H

#include <stddef.h>

struct sc_config;
struct direct;

struct direct *direct_open(struct sc_config *cfg, int *fd, int *code, char *err, size_t n);
void direct_close(struct direct *d);

#endif
