/*
 * diag.h -- diagnostics: what went wrong, where in which file, at which field.
 *
 * Every user-facing problem is a struct diag carrying a source position
 * (file, 1-based line and column) and the field path it is about
 * (`spec.services.onlineStore.persistence`), printed as
 *
 *     error: FILE:LINE:COL: spec.path: message
 *
 * Modules never print or exit: they append to a struct diags and return -1;
 * only command code at the top decides to print and which exit code to use.
 * A struct diags keeps its entries in an arena the caller owns; the strings
 * passed in are copied, so callers may pass temporaries.
 */
#ifndef FEAST_DIAG_H
#define FEAST_DIAG_H

#include <stdio.h>

struct arena;
struct buf;

struct pos {
	const char *file; /* as the user named it; "-" is stdin */
	unsigned line, col; /* 1-based; 0 when unknown */
};

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_level level;
	struct pos pos;
	const char *path;  /* field path, may be "" */
	const char *msg;
	const char *rule;  /* rule id for validation errors, may be NULL */
	/* Who enforces it: "schema" (the API server's OpenAPI check of the CRD, metadata,
	 * versions), "cel" (the CRD's x-kubernetes-validations, also the API server),
	 * "operator" (only the operator, while reconciling, or kubectl-feast across
	 * documents), "input" (the file itself: YAML, encoding); NULL elsewhere. */
	const char *source;
};

struct diags {
	struct arena *arena;
	struct diag *v;
	size_t n, cap;
	size_t errors, warnings;
};

void diags_init(struct diags *d, struct arena *a);
struct diag *diag_add(struct diags *d, enum diag_level level, const struct pos *pos,
		      const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define diag_error(d, pos, path, ...) diag_add(d, DIAG_ERROR, pos, path, __VA_ARGS__)
#define diag_warn(d, pos, path, ...) diag_add(d, DIAG_WARNING, pos, path, __VA_ARGS__)

/* Append `from`'s diagnostics [begin, end) to `to` (texts copied into to's arena). */
void diags_copy(struct diags *to, const struct diags *from, size_t begin, size_t end);
/* Give the diagnostics from index `from` on that have no source yet `source`
 * (a static string). */
void diags_set_source(struct diags *d, size_t from, const char *source);

/* "error: FILE:LINE:COL: path: msg" (position and path parts left out when unknown). */
void diag_format(struct buf *out, const struct diag *d);
void diags_print(FILE *f, const struct diags *d);
/* Print and forget the warnings, keeping the errors (warnings go to stderr as
 * soon as a stage is done, errors only once everything has been checked). */
void diags_flush_warnings(FILE *f, struct diags *d);
/* Forget the warnings added from index `from` on (a stage run only for its errors). */
void diags_drop_warnings(struct diags *d, size_t from);
/* Make the warnings with rule id `rule` errors (--strict); returns how many. */
size_t diags_promote(struct diags *d, const char *rule);
/* A JSON array of objects {severity,file,line,column,field,message,rule,source}
 * (rule and source only when known). */
void diags_json(struct buf *out, const struct diags *d);

#endif
