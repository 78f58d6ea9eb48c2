/*
 * reconcile_rules.h -- what the Feast operator only finds out while reconciling,
 * checked up front on a FeatureStore document.
 *
 * Two tables, both data:
 *  - reconcile_rules: the operator's own reconcile-time errors, with its
 *    messages ("at least one local server must be configured. e.g.
 *    registry / online / offline").  Rows that the admission rules already
 *    decide (the registry server's gRPC/REST check is the CEL rule
 *    registry-server-protocol; the DB store type re-checks are the schema's
 *    enums, which list exactly the operator's valid types) are documented in
 *    reconcile_rules.c rather than reported twice.
 *  - derived_names: every object name the render derives from metadata.name
 *    (`feast-<name>-registry-rest`, ...) with the Kubernetes name rule of its
 *    kind, and when the object exists.  A name that would be invalid is an
 *    error on metadata.name naming the kind, the derived name and the limit.
 *
 * Then the API server's rules for the int-or-string fields the operator
 * copies into the PDB and the Deployment (intorstr.h).
 *
 * reconcile_check() runs all of them on one FeatureStore document and returns the
 * number of errors added.  It assumes nothing about the document having
 * passed the schema: values of the wrong type are skipped (the schema
 * reports them).
 */
#ifndef FEAST_RULES_RECONCILE_RULES_H
#define FEAST_RULES_RECONCILE_RULES_H

#include <stdbool.h>
#include <stddef.h>

struct diags;
struct node;
struct pos;

enum name_rule {
	NAME_SUBDOMAIN,    /* DNS-1123 subdomain, <= 253 */
	NAME_DNS1035,      /* DNS-1035 label, <= 63 (Services) */
	NAME_CRONJOB,      /* subdomain, <= 52 (the Job controller appends 11 characters) */
	NAME_LABEL_VALUE,  /* a label value, <= 63 */
};

struct derived_name {
	const char *kind;     /* "Service", or what the name is used for */
	const char *format;   /* printf format with one %s for metadata.name */
	enum name_rule rule;
	/* Rendered only when `when` holds, or (when_set) when that field under spec is set;
	 * both NULL: always rendered. */
	bool (*when)(const struct node *spec);
	const char *when_set;
};

struct reconcile_rule {
	const char *id;
	const char *path;     /* the field the error is reported on */
	const char *message;  /* the operator's message, verbatim */
	bool (*holds)(const struct node *spec);
};

extern const struct derived_name derived_names[];
extern const size_t derived_names_count;
extern const struct reconcile_rule reconcile_rules[];
extern const size_t reconcile_rules_count;

size_t reconcile_check(const struct node *root, struct diags *d);
/* Where to report the field `path` (dotted) of `root`: its key, or the nearest parent written. */
const struct pos *reconcile_pos_of(const struct node *root, const char *path);

#endif
