/*
 * cel.h -- the CRDs' x-kubernetes-validations rules, reproduced in C.
 *
 * The embedded schema carries each rule's CEL text and message on the node
 * it sits on; schema_check() hands every instance (`self`) to cel_hook(),
 * which finds the table row by the CEL text and runs its C predicate.  So a
 * rule applies wherever its schema node repeats (every pvc, every server
 * tls), and a CRD whose rule text changes is noticed: the row no longer
 * matches, a unit test fails, and at run time the rule is reported as not
 * checked instead of silently passing.
 *
 * Predicates see the raw user spec, before defaults, except that
 * spec.replicas defaults to 1 (the only schema default any rule reads).
 * Null fields are absent (the API server prunes them).  When a value the
 * rule reads has the wrong type, the schema reports that and the predicate
 * holds (the API server skips CEL when the object does not type-check).
 *
 * Errors read like the API server's: `spec.authz: Invalid value: "object":
 * One selection required between kubernetes, oidc, or noAuth.`, with the
 * row id as the diagnostic's rule.
 */
#ifndef FEAST_CEL_H
#define FEAST_CEL_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

struct diags;
struct node;
struct pos;
struct sch_rule;

struct rule_ctx {
	const struct scaling_override *scaling; /* NULL: the spec as written */
};

enum { CEL_SCALING = 1 };

struct cel_rule {
	const char *id;
	const char *paths;    /* where the CRD puts it (v1, v1alpha1; spec only), space-separated */
	const char *rule;     /* the CEL expression, verbatim: the key */
	const char *message;  /* the CRD's message, verbatim */
	bool (*holds)(const struct node *self, const struct rule_ctx *c);
	unsigned flags;
	/* When the rule does not hold because CEL read an absent field, that field:
	 * the API server then says "no such key: F evaluating rule: MESSAGE". */
	const char *(*missing)(const struct node *self);
};

extern const struct cel_rule cel_rules[];
extern const size_t cel_rules_count;

const struct cel_rule *cel_rule_find(const char *rule);

/* Run the row `r` on `self`; on failure add its error at pos/path. */
size_t cel_report(const struct cel_rule *r, const struct node *self, const struct rule_ctx *c, const char *path,
		  const struct pos *pos, struct diags *d);

/* A schema_hooks.rule callback (ctx: a struct rule_ctx, or NULL). */
void cel_hook(void *ctx, const struct sch_rule *r, const struct node *self, const char *path, const struct pos *pos,
	      struct diags *d);

#endif
