/*
 * lint_int.h -- what the lint rules (lint_rules.c) share with the engine (lint.c).
 *
 * lint_report() adds one finding of rule `id` at node `at` of document `doc`,
 * unless a `# kubectl-feast: disable=` comment in that document's file turns the
 * rule off there.  Rules call it and nothing else; it copies its text into the
 * arena of `d`.
 */
#ifndef FEAST_LINT_INT_H
#define FEAST_LINT_INT_H

#include <stddef.h>

struct diags;
struct document;
struct node;

/* What a pod with feast-sidecar needs after its preStop sleep (rule grace-too-short): the
 * servers' own shutdown, then the sidecar's lock release (kill grace + one renew deadline).
 * render budgets the same steps from templates/fragments/sidecar-pod.yaml, plus a margin;
 * test_render keeps these equal to the fragment's. */
#define LINT_SERVER_STOP_S 10
#define LINT_LOCK_RELEASE_S 13
#define LINT_AFTER_PRESTOP_S 23
#define LINT_STR_(x) #x
#define LINT_STR(x) LINT_STR_(x)

/* Returns 1 when the finding was kept, 0 when a disable comment dropped it. */
int lint_report(struct diags *d, const struct document *doc, const char *id, const struct node *at,
		const char *path, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
