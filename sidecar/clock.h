/*
 * clock.h -- the two clocks the sidecar uses, kept apart on purpose.
 *
 * Every deadline, timeout and expiry is measured on CLOCK_MONOTONIC in
 * milliseconds (mono_ms): it never jumps, and it is the same clock in every
 * container of a pod (one kernel), so the daemon and the lock client can
 * compare their readings.  Wall time is only ever formatted into the Lease's
 * informational acquireTime/renewTime (RFC 3339 with microseconds, UTC, the
 * Kubernetes MicroTime format) and into log lines; it is never compared.
 */
#ifndef FEAST_CLOCK_H
#define FEAST_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t mono_ms(void);
/* "2026-11-26T10:53:47.123456Z" */
void wall_micro(char *out, size_t n);
/* Sleep without being cut short by signals (EINTR restarts). */
void sleep_ms(int64_t ms);

#endif
