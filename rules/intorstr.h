/*
 * intorstr.h -- the API server's rules for the FeatureStore's int-or-string
 * fields, which the CRD's schema only types.
 *
 * The operator copies spec.services.podDisruptionBudgets into a
 * PodDisruptionBudget and deploymentStrategy into the Deployment; the API
 * server then judges them as IntOrString (ValidatePositiveIntOrPercent,
 * IsNotMoreThan100Percent, and "both zero" for a rolling update).  A value
 * the CRD accepts, such as maxUnavailable: "1", would fail there, at
 * reconcile time.  intorstr_check() applies those rules, one table row per
 * field, with the API server's messages, to a FeatureStore `spec`; it only
 * reads it and returns the number of errors added to `d`.
 */
#ifndef FEAST_INTORSTR_H
#define FEAST_INTORSTR_H

#include <stddef.h>

struct diags;
struct node;

size_t intorstr_check(const struct node *spec, struct diags *d);

#endif
