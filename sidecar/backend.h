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

#endif
