/*
 * scale.h -- what the two modes of `kubectl feast scale` share.
 *
 * One command, two modes, as with kubectl scale (whose -f changes the live
 * object, not the file):
 *   scale -f FILE --replicas=N   edits spec.replicas of a FeatureStore in FILE,
 *                                for Git (cmd_scale.c);
 *   scale NAME --replicas=N      changes the live cluster (cmd_scale_live.c).
 * cmd_scale.c owns the option table, --help and argument checks, fills one
 * struct scale_args and calls scale_live() when a NAME is given.  Both modes
 * refuse the same things with the same messages through scale_check_rules()
 * (rules/scale_rules.h).
 *
 * scale_args borrows its strings from argv.
 */
#ifndef FEAST_SCALE_H
#define FEAST_SCALE_H

#include <stdbool.h>
#include <stdint.h>

#include "kube_config.h"

struct command;

enum scale_dry_run { SCALE_DRY_RUN_NONE, SCALE_DRY_RUN_CLIENT, SCALE_DRY_RUN_SERVER };

struct scale_args {
	const struct command *cmd;    /* for usage errors */
	const char *file;             /* -f FILE, or NULL (live mode) */
	const char *name;             /* NAME (live mode), or --name (with -f) */
	int64_t replicas;             /* --replicas (always given) */
	enum scale_dry_run dry_run;   /* --dry-run=none|client|server; bare: usage error */
	struct kube_flags kube;       /* connection flags (-n also picks the store with -f) */
	const char *conn_flag;        /* first connection flag other than -n, for -f's refusal */
	bool force;                   /* -f: replace a read-only or hard-linked file */
};

/* Live mode: scale the FeatureStore NAME in the cluster.  Returns an exit code
 * (plugin/cli.h). */
int scale_live(const struct scale_args *a);

#endif
