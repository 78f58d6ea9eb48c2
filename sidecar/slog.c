/* slog.c -- timestamped, single-write log lines on stderr. */
#include "slog.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int slog_verbosity;
static const char *slog_prog = "feast-sidecar";

void slog_init(const char *prog)
{
	slog_prog = prog;
}

void slog(int level, const char *fmt, ...)
{
	if (level > slog_verbosity)
		return;
	char line[1024];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
			 slog_prog, (int)getpid());
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ssize_t w = write(2, line, len);
	(void)w;
}
