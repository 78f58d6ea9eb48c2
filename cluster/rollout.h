/*
 * rollout.h -- `apply --wait`: follow Deployments until they have rolled out,
 * the way `kubectl rollout status` judges it, with progress on a stream.
 *
 * A Deployment has rolled out when the controller has seen its generation
 * (status.observedGeneration), every desired replica is updated, no old
 * replica is left, and every updated one is available.  Progress messages are
 * kubectl's ("Waiting for deployment "x" rollout to finish: 1 of 3 updated
 * replicas are available...").  On a terminal they rewrite one live line;
 * otherwise each new message is a line of its own.
 *
 * A Deployment with `obj` NULL is one somebody else makes (the Feast operator for
 * `apply --target operator`): until it appears, the wait says so and keeps waiting.
 *
 * rollout_wait() GETs each Deployment, then watches it (falling back to
 * polling when a watch breaks) until it is done or `timeout_ms` (0: none)
 * has passed; every request is bounded by that deadline too.  Returns 0 when all rolled out, 1 on
 * timeout or an exceeded progress deadline, -1 on an API failure; both
 * failures add a diagnostic.  Answers live in the session's arena.
 */
#ifndef FEAST_ROLLOUT_H
#define FEAST_ROLLOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "reconcile.h"

int rollout_wait(struct rec_session *s, const struct rec_obj *const *deps, size_t n, long long timeout_ms,
		 FILE *progress, bool live_line);

/* kubectl's verdict on one Deployment object: 1 rolled out, 0 not yet,
 * -1 its progress deadline passed.  `msg` gets the progress message. */
int rollout_status(const struct node *dep, char *msg, size_t len);

#endif
