/* cmd_init.c -- `kubectl feast init`: a commented FeatureStore that passes validate and lint. */
#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "init_spec.h"

#include <stdio.h>
#include <string.h>

enum { OPT_ONLINE = 1, OPT_REGISTRY, OPT_REPLICAS, OPT_AUTOSCALE, OPT_PDB, OPT_KEDA, OPT_NAMESPACE };

static const struct opt init_opts_table[] = {
	{ "online", 0, OPT_VALUE, OPT_ONLINE, "STORE", "postgres|redis|sqlite", "postgres",
	  "The online store: a database (Secret feast-NAME-stores), or SQLite in the pod (one replica).", 0 },
	{ "registry", 0, OPT_VALUE, OPT_REGISTRY, "KIND", "sql|s3|gcs|file", "sql",
	  "The registry: SQL (Secret feast-NAME-stores), a file in S3 or GCS, or a file in the pod.", 0 },
	{ "replicas", 0, OPT_VALUE, OPT_REPLICAS, "N", NULL, NULL, "A fixed replica count (spec.replicas).", 0 },
	{ "autoscale", 0, OPT_VALUE, OPT_AUTOSCALE, "MIN-MAX", NULL, NULL,
	  "Scale on CPU between MIN (2 or more) and MAX replicas: an HPA, or KEDA's range with --keda.", 0 },
	{ "pdb", 0, OPT_VALUE, OPT_PDB, "max-unavailable=N|min-available=N", NULL, NULL,
	  "A PodDisruptionBudget (needs more than one replica).", 0 },
	{ "keda", 0, OPT_BOOL, OPT_KEDA, NULL, NULL, "false",
	  "Add a KEDA ScaledObject on the store's scale subresource (2-10 replicas unless --autoscale).", 0 },
	{ "namespace", 'n', OPT_VALUE, OPT_NAMESPACE, "NAMESPACE", NULL, NULL, "metadata.namespace of what is written.",
	  0 },
	OPT_END,
};

static const struct opt *const groups[] = { init_opts_table, help_opts, NULL };

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct init_opts *x = ctx;
	bool ok = true;
	switch (o->id) {
	case OPT_ONLINE:
		x->online = !strcmp(value, "redis") ? INIT_ONLINE_REDIS : !strcmp(value, "sqlite") ? INIT_ONLINE_SQLITE
											 : INIT_ONLINE_POSTGRES;
		break;
	case OPT_REGISTRY:
		x->registry = !strcmp(value, "s3")     ? INIT_REGISTRY_S3
			      : !strcmp(value, "gcs")  ? INIT_REGISTRY_GCS
			      : !strcmp(value, "file") ? INIT_REGISTRY_FILE
						       : INIT_REGISTRY_SQL;
		break;
	case OPT_REPLICAS: ok = parse_count(value, &x->replicas) && x->replicas >= 1; break;
	case OPT_AUTOSCALE: ok = init_parse_range(value, &x->min, &x->max); break;
	case OPT_PDB: ok = init_parse_pdb(value, &x->pdb_key, &x->pdb_value); break;
	case OPT_KEDA: x->keda = !value || !strcmp(value, "true"); break;
	case OPT_NAMESPACE: x->ns = value; break;
	}
	if (!ok)
		snprintf(err, errlen, "invalid argument \"%s\" for \"--%s\" flag: want %s", value, o->name,
			 o->id == OPT_REPLICAS ? "a count of 1 or more" : o->argname);
	return ok ? 0 : -1;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct init_opts o;
	memset(&o, 0, sizeof(o));
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &o, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n != 1)
		return usage_error(cmd, args.n ? "unexpected argument \"%s\"" : "%s",
				   args.n ? args.v[1] : "you must give the FeatureStore's NAME");
	o.name = args.v[0];
	struct buf out = BUF_INIT;
	char err[512];
	if (init_spec(&out, &o, err, sizeof(err)) < 0) {
		buf_release(&out);
		return usage_error(cmd, "%s", err);
	}
	/* The promise of init, kept on every run: nothing is written that validate or lint faults. */
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	if (init_verify(&a, out.data, out.len, &d)) {
		fputs("error: kubectl feast init would write a spec that fails these checks (a bug):\n", stderr);
		diags_print(stderr, &d);
		rc = EXIT_INVALID;
	} else {
		fputs(out.data, stdout);
		rc = EXIT_OK;
	}
	arena_free(&a);
	buf_release(&out);
	return rc;
}

const struct command cmd_init = {
	"init",
	"Write a commented FeatureStore spec that passes validate and lint.",
	"kubectl feast init NAME [--online postgres|redis|sqlite] [--registry sql|s3|gcs|file]\n"
	"                   [--replicas N | --autoscale MIN-MAX] [--pdb max-unavailable=N] [--keda] [-n NS]",
	"A starting point on standard output: the FeatureStore (and with --keda its ScaledObject),\n"
	"each choice commented.  Database stores read their settings from the Secret\n"
	"feast-NAME-stores, which you create.  Choices that validate or lint would fault are\n"
	"refused with the reason (exit 2): a file-backed store with more than one replica, a PDB\n"
	"on one replica or one that lets no pod go, an autoscaling floor of 1.  What is written\n"
	"is checked with validate's and lint's rules before it is printed.",
	groups, run,
};
