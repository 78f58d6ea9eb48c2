/*
 * init_spec.h -- `kubectl feast init`: a commented FeatureStore to start from.
 *
 * init_spec() writes one FeatureStore (and, with keda, its ScaledObject) as commented
 * YAML for the choices in struct init_opts: online store, registry, a fixed replica
 * count or an autoscaling range (HPA, or KEDA), a PodDisruptionBudget.  Choices that
 * could not pass validate and lint together (a file-backed store with more than one
 * replica, a PDB or an autoscaling floor that lint would flag) are refused with the
 * reason in err, before anything is written.  init_verify() is the promise kept: it
 * runs validate's checks and every lint rule over the text and reports what fails.
 *
 * Memory: the text is appended to the caller's buf; init_verify() parses into the
 * caller's arena and adds diagnostics to `d`.
 */
#ifndef FEAST_INIT_SPEC_H
#define FEAST_INIT_SPEC_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;
struct diags;

enum init_online { INIT_ONLINE_POSTGRES, INIT_ONLINE_REDIS, INIT_ONLINE_SQLITE };
enum init_registry { INIT_REGISTRY_SQL, INIT_REGISTRY_S3, INIT_REGISTRY_GCS, INIT_REGISTRY_FILE };

struct init_opts {
	const char *name, *ns;      /* ns may be NULL */
	enum init_online online;
	enum init_registry registry;
	int replicas;               /* 0: not given */
	int min, max;               /* --autoscale MIN-MAX; 0: not given */
	bool keda;
	const char *pdb_key;        /* "maxUnavailable" or "minAvailable", or NULL */
	int pdb_value;
};

/* "MIN-MAX" into *min and *max; false on junk. */
bool init_parse_range(const char *s, int *min, int *max);
/* "max-unavailable=N" or "min-available=N"; false on junk. */
bool init_parse_pdb(const char *s, const char **key, int *value);

int init_spec(struct buf *out, const struct init_opts *o, char *err, size_t errlen);
/* Errors (validate) plus findings (lint) found in the text; 0 when it is clean. */
size_t init_verify(struct arena *a, const char *text, size_t len, struct diags *d);

#endif
