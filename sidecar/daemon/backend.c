/* backend.c -- choose where the Lease lives: the API server (kube/), or a local file. */
#include "backend.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "diag.h"
#include "kube_client.h"
#include "kube_config.h"
#include "lease_io.h"
#include "sccli.h"

#include <stdio.h>
#include <string.h>

/* The namespace outlives the arena the configuration was resolved in. */
static char backend_ns[64];

static void diag_message(const struct diags *d, char *err, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR) {
			diag_format(&b, &d->v[i]);
			break;
		}
	const char *msg = b.data;
	if (!strncmp(msg, "error: ", 7))
		msg += 7;
	snprintf(err, n, "%s", *msg ? msg : "cannot load the cluster configuration");
	buf_release(&b);
}

struct kube_client *backend_client(const struct sc_config *cfg, char *ns, size_t nsn, char *err, size_t n)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct kube_config kc;
	struct kube_client *client = NULL;
	char ua[64];
	snprintf(ua, sizeof(ua), "feast-sidecar/%s", feast_version());
	struct kube_client_opts opts = { .user_agent = ua, .stdin_fd = -1, .stdin_fd_set = true };
	if (kube_config_load(&a, &cfg->kube, NULL, &kc, &d) < 0 || !(client = kube_client_new(&kc, &opts, &d))) {
		diag_message(&d, err, n);
	} else if (strlen(kc.namespace) >= nsn) {
		snprintf(err, n, "namespace \"%s\" is too long", kc.namespace);
		kube_client_free(client);
		client = NULL;
	} else {
		snprintf(ns, nsn, "%s", kc.namespace);
	}
	arena_free(&a);
	return client;
}

static struct lease_io *open_kube(struct sc_config *cfg, int *code, char *err, size_t n)
{
	struct kube_client *client = backend_client(cfg, backend_ns, sizeof(backend_ns), err, n);
	if (!client) {
		*code = SC_CONFIG;
		return NULL;
	}
	cfg->namespace = backend_ns;
	struct lease_io *io = lease_kube_open(client, backend_ns, cfg->lease);
	if (!io)
		kube_client_free(client);
	return io;
}

struct lease_io *backend_open(struct sc_config *cfg, int *code, char *err, size_t n)
{
	*code = SC_CONFIG;
	if (cfg->lease_file) {
		if (!cfg->namespace)
			cfg->namespace = "local";
		return lease_file_open(cfg->lease_file, cfg->lease, err, n);
	}
	return open_kube(cfg, code, err, n);
}
