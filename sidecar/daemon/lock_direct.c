/* lock_direct.c -- feast-sidecar's `lock` without a daemon: the Lease held by a broker of its own (direct.h). */
#include "config.h"
#include "direct.h"
#include "kube_config.h"
#include "lock_local.h"
#include "sccli.h"
#include "slog.h"

#include <curl/curl.h>
#include <stdio.h>

/* Without a daemon, `lock` runs the Lease client itself and takes the
 * daemon's Lease and timing options. */
const struct opt *const lock_groups[] = { lock_opts, config_lock_opts, kube_flag_opts, sc_help_opts, NULL };

const char lock_build_note[] = "";

/* The runtime library's answer, not the headers': the image links its own libcurl, and
 * a development build runs whichever libcurl4 the system has. */
void lock_build_details(FILE *out)
{
	static const struct {
		int bit;
		const char *name;
	} features[] = {
		{ CURL_VERSION_ASYNCHDNS, "AsynchDNS" }, { CURL_VERSION_HTTP2, "HTTP2" },
		{ CURL_VERSION_HTTPS_PROXY, "HTTPS-proxy" }, { CURL_VERSION_IPV6, "IPv6" },
		{ CURL_VERSION_SSL, "SSL" }, { CURL_VERSION_UNIX_SOCKETS, "UnixSockets" },
	};
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	fprintf(out, "%s\nfeatures:", curl_version());
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (v->features & features[i].bit)
			fprintf(out, " %s", features[i].name);
	fputc('\n', out);
}

static struct {
	struct sc_config cfg;
	struct direct *direct;
} local;

void lock_local_init(void)
{
	config_init(&local.cfg);
	local.direct = NULL;
}

int lock_local_opt(const struct opt *o, const char *value, char *err, size_t errlen)
{
	return config_opt(&local.cfg, o, value, err, errlen) < 0 ? -1 : 0;
}

int lock_local_open(const char *path, bool socket_given, const char *lease, long long grace_ms, int *fd)
{
	struct sc_config *c = &local.cfg;
	/* An explicit --socket names a daemon that may be starting: wait for it,
	 * unless the Lease is a local file (tests, one host). */
	if (socket_given && !c->lease_file)
		return 1;
	if (lease)
		c->lease = lease;
	if (grace_ms >= 0)
		c->timing.kill_grace_ms = grace_ms;
	char err[512];
	int code = SC_CONFIG;
	if (config_finish(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return -SC_CONFIG;
	}
	local.direct = direct_open(c, fd, &code, err, sizeof(err));
	if (!local.direct) {
		fprintf(stderr, "error: %s\n", err);
		return -code;
	}
	slog(1, "lock: no daemon at %s, locking Lease %s directly as %s", path, c->lease, c->identity);
	return 0;
}

void lock_local_close(void)
{
	if (local.direct)
		direct_close(local.direct);
	local.direct = NULL;
}
