/* init_spec.c -- write a commented FeatureStore that passes validate and lint. */
#include "init_spec.h"

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "diag.h"
#include "lint.h"
#include "yaml_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_int(const char *s, size_t n, int *out)
{
	if (!n || n > 6)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool init_parse_range(const char *s, int *min, int *max)
{
	const char *dash = strchr(s, '-');
	return dash && parse_int(s, (size_t)(dash - s), min) && parse_int(dash + 1, strlen(dash + 1), max);
}

bool init_parse_pdb(const char *s, const char **key, int *value)
{
	static const char *const forms[][2] = { { "max-unavailable=", "maxUnavailable" },
						{ "min-available=", "minAvailable" } };
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(forms[i][0]);
		if (!strncmp(s, forms[i][0], n) && parse_int(s + n, strlen(s + n), value)) {
			*key = forms[i][1];
			return true;
		}
	}
	return false;
}

/* A DNS-1123 label, as metadata.name of the store and the names render derives need. */
static bool dns_label(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* The fewest replicas the store runs, and whether it scales at all. */
static int floor_of(const struct init_opts *o)
{
	return o->min ? o->min : o->keda ? 2 : o->replicas ? o->replicas : 1;
}

static bool scales(const struct init_opts *o)
{
	return o->replicas > 1 || o->min || o->keda;
}

/* What validate or lint would say of the combination, before anything is written. */
static const char *refuse(struct arena *a, const struct init_opts *o)
{
	if (!dns_label(o->name))
		return "NAME must be a DNS label: lower-case letters, digits and '-', at most 63 characters";
	if (o->ns && !dns_label(o->ns))
		return "the namespace must be a DNS label";
	if (o->replicas && o->min)
		return "--replicas and --autoscale are mutually exclusive (the operator refuses both)";
	if (o->keda && o->replicas)
		return "with --keda, KEDA owns the replica count: give its range with --autoscale MIN-MAX";
	if (o->min && (o->min < 2 || o->max < o->min))
		return "--autoscale MIN-MAX needs 2 <= MIN <= MAX: a floor of 1 leaves no server during a drain";
	if (scales(o) && o->online == INIT_ONLINE_SQLITE)
		return "--online sqlite keeps the online store in a file of one pod, which cannot scale: use postgres or redis";
	if (scales(o) && o->registry == INIT_REGISTRY_FILE)
		return "--registry file keeps the registry in a file of one pod, which cannot scale: use sql, s3 or gcs";
	if (o->pdb_key && !scales(o))
		return "--pdb needs more than one replica (--replicas 2 or more, --autoscale or --keda): the operator "
		       "creates no PDB for one";
	int f = floor_of(o);
	if (o->pdb_key && (!strcmp(o->pdb_key, "maxUnavailable") ? o->pdb_value < 1 : o->pdb_value >= f))
		return arena_printf(a, "--pdb %s=%d lets no pod go at %d replicas: node drains would block",
				    !strcmp(o->pdb_key, "maxUnavailable") ? "max-unavailable" : "min-available",
				    o->pdb_value, f);
	return NULL;
}

static void header(struct buf *b, const struct init_opts *o, bool db)
{
	buf_addf(b, "# FeatureStore %s, written by `kubectl feast init`.\n", o->name);
	buf_adds(b, "# Check it with `kubectl feast validate -f FILE` and `kubectl feast lint -f FILE`, then\n"
		    "# `kubectl feast render -f FILE` (plain manifests) or apply it where the operator runs.\n");
	if (db)
		buf_addf(b, "#\n# The Secret feast-%s-stores holds each database's connection settings (keys: the\n"
			    "# store types below); create it out of band: the plugin never reads or embeds secret values.\n",
			 o->name);
	buf_addf(b, "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: \"%s\"\n", o->name);
	if (o->ns)
		buf_addf(b, "  namespace: \"%s\"\n", o->ns);
	buf_adds(b, "spec:\n  # The Feast project: letters, digits and underscores.\n  feastProject: ");
	for (const char *p = o->name; *p; p++)
		buf_addc(b, *p == '-' ? '_' : *p);
	buf_adds(b, "\n");
	if (o->replicas)
		buf_addf(b, "  # A fixed count; `kubectl feast scale -f FILE --replicas=N` changes it in place.\n"
			    "  replicas: %d\n",
			 o->replicas);
}

static void scaling(struct buf *b, const struct init_opts *o)
{
	if (o->min && !o->keda)
		buf_addf(b, "    # An HPA on CPU between %d and %d replicas; a floor of 2 keeps a server through a drain.\n"
			    "    scaling:\n      autoscaling:\n        minReplicas: %d\n        maxReplicas: %d\n"
			    "        metrics:\n        - type: Resource\n          resource:\n            name: cpu\n"
			    "            target:\n              type: Utilization\n              averageUtilization: 70\n",
			 o->min, o->max, o->min, o->max);
	if (o->pdb_key)
		buf_addf(b, "    # Voluntary disruptions (node drains, cluster upgrades) %s.\n"
			    "    podDisruptionBudgets:\n      %s: %d\n",
			 !strcmp(o->pdb_key, "maxUnavailable") ? "never take more than this many pods down"
							       : "always leave this many pods running",
			 o->pdb_key, o->pdb_value);
}

static void stores(struct buf *b, const struct init_opts *o)
{
	static const char *const online_type[] = { "postgres", "redis", NULL };
	buf_adds(b, "    onlineStore:\n");
	if (o->online == INIT_ONLINE_SQLITE)
		buf_adds(b, "      # SQLite in a file of the pod: one replica, and the data goes with the pod.\n"
			    "      persistence:\n        file:\n          path: /feast-data/online_store.db\n");
	else
		buf_addf(b, "      persistence:\n        store:\n          type: %s\n          secretRef:\n"
			    "            name: feast-%s-stores\n",
			 online_type[o->online], o->name);
	buf_adds(b, "      server:\n        # Requests let an autoscaler compute utilization and the scheduler place pods.\n"
		    "        resources:\n          requests:\n            cpu: 200m\n            memory: 256Mi\n"
		    "          limits:\n            memory: 1Gi\n");
	buf_adds(b, "    registry:\n      local:\n        persistence:\n");
	switch (o->registry) {
	case INIT_REGISTRY_SQL:
		buf_addf(b, "          store:\n            type: sql\n            secretRef:\n              name: feast-%s-stores\n",
			 o->name);
		break;
	case INIT_REGISTRY_S3:
	case INIT_REGISTRY_GCS:
		buf_addf(b, "          # An object store takes concurrent readers; replace my-bucket with yours.\n"
			    "          file:\n            path: %s://my-bucket/%s/registry.db\n",
			 o->registry == INIT_REGISTRY_S3 ? "s3" : "gs", o->name);
		break;
	case INIT_REGISTRY_FILE:
		buf_adds(b, "          # A file in the pod: one replica only.\n"
			    "          file:\n            path: /feast-data/registry.db\n");
		break;
	}
}

static void scaledobject(struct buf *b, const struct init_opts *o)
{
	buf_adds(b, "---\n# KEDA scales the store through its scale subresource, so the operator and KEDA agree on\n"
		    "# the count; `kubectl feast render` (standalone) aims it at the Deployment it makes instead.\n"
		    "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n");
	buf_addf(b, "  name: \"feast-%s\"\n", o->name);
	if (o->ns)
		buf_addf(b, "  namespace: \"%s\"\n", o->ns);
	buf_addf(b, "spec:\n  scaleTargetRef:\n    apiVersion: feast.dev/v1\n    kind: FeatureStore\n    name: \"%s\"\n"
		    "  # A floor of 2 keeps a server through a drain.\n  minReplicaCount: %d\n  maxReplicaCount: %d\n"
		    "  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: \"70\"\n",
		 o->name, o->min ? o->min : 2, o->min ? o->max : 10);
}

int init_spec(struct buf *out, const struct init_opts *o, char *err, size_t errlen)
{
	struct arena a = ARENA_INIT;
	const char *why = refuse(&a, o);
	if (why)
		snprintf(err, errlen, "%s", why);
	arena_free(&a);
	if (why)
		return -1;
	header(out, o, o->online != INIT_ONLINE_SQLITE || o->registry == INIT_REGISTRY_SQL);
	buf_adds(out, "  services:\n");
	scaling(out, o);
	stores(out, o);
	if (o->keda)
		scaledobject(out, o);
	return 0;
}

size_t init_verify(struct arena *a, const char *text, size_t len, struct diags *d)
{
	struct doclist docs = { 0 };
	struct lint_opts lo = { 0 };
	if (yaml_parse(a, "init", text, len, NULL, &docs, d) < 0)
		return d->errors;
	size_t n = check_documents(a, &docs, d);
	lo.target_operator = true;
	n += lint_documents(a, &docs, &lo, d);
	lo.target_operator = false;
	return n + lint_documents(a, &docs, &lo, d);
}
