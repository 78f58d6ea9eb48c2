/* lock_static.c -- feast-lock's `lock` without a daemon: refused, as the static client only talks to one. */
#include "lock_local.h"
#include "sccli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const struct opt *const lock_groups[] = { lock_opts, sc_help_opts, NULL };

const char lock_build_note[] = " (static lock client)";

void lock_build_details(FILE *out)
{
	(void)out;
}

void lock_local_init(void)
{
}

/* lock_groups has no group of its own: the parser never hands one over. */
int lock_local_opt(const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)value;
	snprintf(err, errlen, "unknown flag: --%s", o->name);
	return -1;
}

int lock_local_open(const char *path, bool socket_given, const char *lease, long long grace_ms, int *fd)
{
	(void)socket_given, (void)lease, (void)grace_ms, (void)fd;
	fprintf(stderr, "error: no feast-sidecar daemon socket at %s (%s); this static client only talks "
			"to the daemon\n",
		path, strerror(errno));
	return -SC_UNAVAILABLE;
}

void lock_local_close(void)
{
}
