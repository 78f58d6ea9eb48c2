/*
 * slog.h -- the sidecar's log lines on stderr.
 *
 *     2026-11-26T10:53:47.123Z feast-sidecar[42] lease: acquired (fence 7)
 *
 * One line per call, written with a single write(2) so lines from the
 * daemon's threads and from several processes sharing a terminal do not
 * interleave.  Level 0 is always printed (state changes, errors); higher
 * levels follow -v like kubectl's klog.  Safe from any thread; not from
 * signal handlers.
 */
#ifndef FEAST_SLOG_H
#define FEAST_SLOG_H

extern int slog_verbosity;

/* The program name in each line (default "feast-sidecar"). */
void slog_init(const char *prog);
void slog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
