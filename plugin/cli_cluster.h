/*
 * cli_cluster.h -- the start and end of a cluster command's run(): argv to a session, the
 * -f inputs to rendered objects with resolved paths, the diagnostics printed at the end.
 *
 * apply, diff, delete, status and scale share these steps; the work between them is the
 * cluster library's (cluster/reconcile.h).  Everything they allocate lives in the session's
 * arena (struct rec_session), freed by rec_finish().
 */
#ifndef FEAST_CLI_CLUSTER_H
#define FEAST_CLI_CLUSTER_H

#include "cli.h"
#include "reconcile.h"

/* -f inputs, loaded and checked; -1 when any is unreadable or invalid. */
int rec_load(struct rec_session *s, const struct file_args *files, struct doclist *docs);


/* The start of apply's and diff's: rec_init(s), then argv with kubectl's connection flags
 * into s->kf, the render flags into *ro (their combination checked), -f/-R into *files
 * (FILE_ARGS_OPTS: command_parse_files()) and the command's own flags to fn(ctx).
 * Returns CMD_RUN, or the exit code (help or the usage error printed). */
int rec_parse_inputs(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		     struct rec_session *s, struct file_args *files, struct render_flags *ro);
/* The same for a command without inputs (status NAME): no render flags, and the positional
 * arguments are left in *args for the command to judge. */
int rec_parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
	      struct rec_session *s, struct opt_args *args);

/* What failed in rec_prepare(): the input (the command's "invalid" exit code) or the cluster. */
enum { REC_BAD_INPUT = 1, REC_BAD_CLUSTER };
/* apply's and diff's steps before their first write: load and check the inputs, read the
 * kubeconfig, render, print the warnings; then connect and resolve the objects' paths.
 * Returns 0 or the REC_BAD_* of the step that failed. */
int rec_prepare(struct rec_session *s, const struct file_args *files, const struct render_flags *ro,
		struct rec_set *set);

/* --concurrency, as apply and diff take it, with the help line of the command's own. */
#define CONCURRENCY_OPT(id, help) { "concurrency", 0, OPT_VALUE, id, "N", NULL, KUBE_RUN_CONCURRENCY_TEXT, help, 0 }
/* Its value into s->concurrency: a count from 1 to 256; -1 with kubectl's message in err. */
int rec_concurrency_set(struct rec_session *s, const char *value, char *err, size_t errlen);

/* --dry-run's value (DRY_RUN_OPT) into *dry; -1 with kubectl's message in err. */
int rec_dry_set(const char *value, enum rec_dry *dry, char *err, size_t errlen);

/* The end of every run(): print the diagnostics left, free s; returns rc. */
int rec_finish(struct rec_session *s, int rc);

#endif
