/* config.c -- the daemon's options: parsing, defaults from the environment, checks. */
#include "config.h"
#include "proto.h"
#include "sccli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT_NAME                                                                                          \
	{ "name", 0, OPT_VALUE, CFG_OPT_NAME, "NAME", NULL, NULL,                                           \
	  "FeatureStore name; the Lease is feast-NAME-registry-lock.", 0 }
#define OPT_LEASE { "lease", 0, OPT_VALUE, CFG_OPT_LEASE, "NAME", NULL, NULL, "Lease name (instead of --name).", 0 }
#define OPT_IDENTITY                                                                                      \
	{ "identity", 0, OPT_VALUE, CFG_OPT_IDENTITY, "ID", NULL, "$POD_NAME, else HOSTNAME-PID",           \
	  "Holder identity written to the Lease.", 0 }
#define OPT_KILL_GRACE                                                                                    \
	{ "kill-grace", 0, OPT_VALUE, CFG_OPT_KILL_GRACE, "DURATION", NULL, "3s",                          \
	  "Between SIGTERM and SIGKILL of a command whose lock is lost.", 0 }
#define OPT_TIMINGS                                                                                       \
	{ "lease-duration", 0, OPT_VALUE, CFG_OPT_LEASE_DURATION, "DURATION", NULL, "15s",                 \
	  "How long waiters wait on an unchanged Lease before taking it over.", 0 },                       \
	{ "renew-deadline", 0, OPT_VALUE, CFG_OPT_RENEW_DEADLINE, "DURATION", NULL, "10s",                 \
	  "A holder that cannot renew within this of its last renewal loses the lock.", 0 },              \
	{ "retry-period", 0, OPT_VALUE, CFG_OPT_RETRY_PERIOD, "DURATION", NULL, "2s",                      \
	  "Renewal period; waiters without a watch poll every 1 to 2.2 periods.", 0 },                     \
	{ "safety-margin", 0, OPT_VALUE, CFG_OPT_MARGIN, "DURATION", NULL, "1s",                           \
	  "Slack required in lease-duration > renew-deadline + kill-grace + margin.", 0 },                 \
	{ "lease-file", 0, OPT_VALUE, CFG_OPT_LEASE_FILE, "FILE", NULL, NULL,                              \
	  "Keep the Lease in a local file instead of the API server (tests, one host).",                   \
	  OPT_HIDDEN | OPT_FILE }

const struct opt config_lease_opts[] = { OPT_NAME, OPT_LEASE, OPT_IDENTITY, OPT_KILL_GRACE, OPT_TIMINGS, OPT_END };

/* `lock` has its own --lease and --kill-grace (which it passes on). */
const struct opt config_lock_opts[] = { OPT_NAME, OPT_IDENTITY, OPT_TIMINGS, OPT_END };

const struct opt config_daemon_opts[] = {
	{ "socket", 0, OPT_VALUE, CFG_OPT_SOCKET, "PATH", NULL, "$FEAST_SIDECAR_SOCKET, else " SC_DEFAULT_SOCKET,
	  "Unix socket of the lock broker.", OPT_FILE },
	{ "socket-mode", 0, OPT_VALUE, CFG_OPT_SOCKET_MODE, "MODE", NULL, "0660",
	  "Permissions of the socket (octal).", 0 },
	{ "listen", 0, OPT_VALUE, CFG_OPT_LISTEN, "ADDR:PORT", NULL, SC_DEFAULT_LISTEN,
	  "Local HTTP for /healthz, /readyz, /leader and /status; loopback only; \"\" turns it off.", 0 },
	{ "idle-timeout", 0, OPT_VALUE, CFG_OPT_IDLE, "DURATION", NULL, "10s",
	  "Close a socket client that has sent no request (or nothing since its last answer) for this "
	  "long, so idle connections cannot use up the 64 client slots.", 0 },
	{ "lock-client", 0, OPT_VALUE, CFG_OPT_LOCK_CLIENT, "PATH", NULL, SC_LOCK_CLIENT_NAME " next to this binary",
	  "Static lock client copied next to the socket at start; \"\" for none.", OPT_FILE },
	OPT_END,
};

void config_init(struct sc_config *c)
{
	memset(c, 0, sizeof(*c));
	c->timing = (struct lease_timing)LEASE_TIMING_DEFAULT;
	c->socket_mode = 0660;
	c->listen = SC_DEFAULT_LISTEN;
	c->idle_ms = 10000;
}

static int duration(const char *value, const char *flag, int64_t *out, char *err, size_t errlen)
{
	long long ms;
	if (!sc_parse_duration(value, &ms)) {
		snprintf(err, errlen, "invalid argument \"%s\" for \"--%s\" flag: not a duration (15s, 500ms)",
			 value, flag);
		return -1;
	}
	*out = ms;
	return 0;
}

int config_opt(struct sc_config *c, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct lease_timing *t = &c->timing;
	if (kube_flag_is(o))
		return kube_flags_set(&c->kube, o, value, err, errlen);
	if (!opt_in(config_lease_opts, o) && !opt_in(config_lock_opts, o) && !opt_in(config_daemon_opts, o))
		return 1;
	switch (o->id) {
	case CFG_OPT_NAME: c->name = value; return 0;
	case CFG_OPT_LEASE: c->lease = value; return 0;
	case CFG_OPT_IDENTITY:
		snprintf(c->identity, sizeof(c->identity), "%s", value);
		return 0;
	case CFG_OPT_LEASE_DURATION: return duration(value, o->name, &t->lease_ms, err, errlen);
	case CFG_OPT_RENEW_DEADLINE: return duration(value, o->name, &t->renew_deadline_ms, err, errlen);
	case CFG_OPT_RETRY_PERIOD: return duration(value, o->name, &t->retry_ms, err, errlen);
	case CFG_OPT_KILL_GRACE: return duration(value, o->name, &t->kill_grace_ms, err, errlen);
	case CFG_OPT_MARGIN: return duration(value, o->name, &t->margin_ms, err, errlen);
	case CFG_OPT_LEASE_FILE: c->lease_file = value; return 0;
	case CFG_OPT_SOCKET: c->socket = value; return 0;
	case CFG_OPT_SOCKET_MODE: {
		char *end;
		unsigned long m = strtoul(value, &end, 8);
		if (!*value || *end || m > 07777) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"--socket-mode\" flag: not an octal mode",
				 value);
			return -1;
		}
		c->socket_mode = (unsigned)m;
		return 0;
	}
	case CFG_OPT_LISTEN: c->listen = value; return 0;
	case CFG_OPT_LOCK_CLIENT: c->lock_client = value; return 0;
	case CFG_OPT_IDLE:
		if (duration(value, o->name, &c->idle_ms, err, errlen) < 0)
			return -1;
		if (c->idle_ms < 10)
			return snprintf(err, errlen, "--idle-timeout must be at least 10ms"), -1;
		return 0;
	}
	return 1;
}

/* RFC 1123 subdomain, as Kubernetes requires of object names. */
static bool dns_subdomain(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (!alnum && ch != '-' && ch != '.')
			return false;
		if ((i == 0 || i == n - 1) && !alnum)
			return false;
	}
	return true;
}

int config_finish(struct sc_config *c, char *err, size_t errlen)
{
	static char lease_buf[300];
	if (!c->lease && c->name) {
		snprintf(lease_buf, sizeof(lease_buf), "feast-%s-registry-lock", c->name);
		c->lease = lease_buf;
	}
	if (!c->lease) {
		snprintf(err, errlen, "one of --name or --lease is required");
		return -1;
	}
	if (!dns_subdomain(c->lease)) {
		snprintf(err, errlen, "invalid Lease name \"%s\": must be a lowercase RFC 1123 subdomain", c->lease);
		return -1;
	}
	if (!c->identity[0]) {
		const char *pod = getenv("POD_NAME");
		if (pod && *pod) {
			snprintf(c->identity, sizeof(c->identity), "%s", pod);
		} else {
			char host[256] = "localhost";
			gethostname(host, sizeof(host) - 1);
			host[sizeof(host) - 1] = '\0';
			snprintf(c->identity, sizeof(c->identity), "%.200s-%d", host, (int)getpid());
		}
	}
	for (const char *p = c->identity; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f) {
			snprintf(err, errlen, "invalid --identity \"%s\": no spaces or control characters", c->identity);
			return -1;
		}
	c->socket = proto_socket_path(c->socket);
	if (c->kube.request_timeout) {
		if (c->kube.request_timeout_ms <= 0) {
			snprintf(err, errlen, "--request-timeout 0 (none) is not allowed: a hung request must not "
					      "outlive the renew deadline");
			return -1;
		}
		c->timing.request_timeout_ms = c->kube.request_timeout_ms;
	}
	if (lease_timing_check(&c->timing, err, errlen) < 0)
		return -1;
	return 0;
}
