/*
 * backend.h -- pick the Lease backend for a configuration: the API server
 * (kube/, in-cluster or kubeconfig) or, with --lease-file, a local file.
 * Returns a backend the caller owns (lease_io->ops->destroy), or NULL with
 * a message and the exit code to use (78 configuration, 69 unavailable).
 */
#ifndef FEAST_BACKEND_H
#define FEAST_BACKEND_H

#include <stddef.h>

struct sc_config;
struct lease_io;

struct lease_io *backend_open(struct sc_config *cfg, int *code, char *err, size_t n);

/* A client of the API server from the same flags, for requests other than
 * the Lease's (the readiness gate); the namespace it resolved goes to ns.
 * NULL with a message (a configuration error, exit 78). */
struct kube_client;
struct kube_client *backend_client(const struct sc_config *cfg, char *ns, size_t nsn, char *err, size_t n);

#endif
