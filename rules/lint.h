/*
 * lint.h -- advice on scaling and availability that the operator does not enforce.
 *
 * `validate` says what the API server and the operator would refuse; lint says what
 * they accept but bites later (a PDB that blocks every drain, an HPA that cannot read
 * utilization, hard anti-affinity with more replicas than nodes).  Each rule is one
 * row of lint_rules[] (rules/lint_rules.c): id, severity, the field it points at, a
 * one-line reason and the fix.  lint_documents() runs every rule over documents that
 * check_documents() accepted and appends one struct diag per finding (level
 * DIAG_WARNING, rule = the row's id) to `d`, in document order; a finding whose line,
 * the line above it, or the file's leading comments carry
 * `# kubectl-feast: disable=RULE[,RULE...]` (or `disable=all`) is dropped.
 * lint_format() writes the findings as text, a JSON array or SARIF 2.1.0.
 *
 * Memory: findings and their text live in the arena of `d`; documents are only read.
 */
#ifndef FEAST_LINT_H
#define FEAST_LINT_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;
struct diags;
struct doclist;

/* LINT_ERROR is for what is broken now (doctor's live findings), never for advice. */
enum lint_severity { LINT_WARNING, LINT_NOTE, LINT_ERROR };

struct lint_rule {
	const char *id;
	enum lint_severity severity;
	const char *field;   /* where it points, as validate names fields */
	const char *reason;  /* one line: why it bites */
	const char *fix;     /* one line: what to change */
};

extern const struct lint_rule lint_rules[];
extern const size_t lint_rule_count;
const struct lint_rule *lint_rule_find(const char *id);

struct lint_opts {
	int zones, nodes;      /* declared by the user; 0: unknown */
	bool target_operator;  /* the store is applied through the operator, not rendered standalone */
};

/* Returns the number of findings added (warnings and notes). */
size_t lint_documents(struct arena *a, const struct doclist *docs, const struct lint_opts *o, struct diags *d);
/* Findings of severity warning among d's (what --strict fails on). */
size_t lint_warnings(const struct diags *d);

enum lint_format { LINT_TEXT, LINT_JSON, LINT_SARIF };
/* `version` names the tool's version in SARIF. */
void lint_format(struct buf *out, const struct diags *d, enum lint_format f, const char *version);

/* lint_format() with more rule tables than lint's own (doctor's): a finding's severity and
 * fix come from the first table that has its rule.  A finding at line 0 (a live object)
 * prints its object alone, without ":0:0".  SARIF lists lint's rules only. */
struct lint_ruleset {
	const struct lint_rule *v;
	size_t n;
};
void lint_format_with(struct buf *out, const struct diags *d, enum lint_format f, const char *version,
		      const struct lint_ruleset *sets, size_t nsets);

#endif
