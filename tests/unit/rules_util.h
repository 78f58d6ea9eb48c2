/* rules_util.h -- helpers shared by the validation suites (test_schema.c, test_rules.c). */
#ifndef FEAST_TEST_RULES_UTIL_H
#define FEAST_TEST_RULES_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "yaml_in.h"

#include "suite.h"

/* Parse one YAML document (must be valid YAML). */
static inline struct node *parse(const char *text)
{
	struct doclist l = { 0 };
	struct diags pd;
	diags_init(&pd, &A);
	const char *copy = arena_strdup(&A, text);
	int rc = yaml_parse(&A, "t.yaml", copy, strlen(copy), NULL, &l, &pd);
	if (rc != 0)
		cr_log_error("%u:%u: %s", pd.v[0].pos.line, pd.v[0].pos.col, pd.v[0].msg);
	cr_assert_eq(rc, 0, "test YAML must parse");
	cr_assert_eq(l.n, 1);
	return l.v[0].root;
}

/* A FeatureStore v1 named `name` whose spec is feastProject plus `spec_body`
 * (lines indented by two spaces). */
static inline char *featurestore_named(const char *api, const char *name, const char *spec_body)
{
	return arena_printf(&A,
			    "apiVersion: %s\nkind: FeatureStore\nmetadata:\n  name: %s\nspec:\n  feastProject: p\n%s",
			    api, name, spec_body);
}

static inline char *featurestore(const char *spec_body)
{
	return featurestore_named("feast.dev/v1", "t", spec_body);
}

/* Run check_document on `text`; diagnostics in D (reset first). */
static inline size_t check_text(const char *text)
{
	diags_init(&D, &A);
	struct document doc;
	memset(&doc, 0, sizeof(doc));
	doc.root = parse(text);
	doc.file = "t.yaml";
	return check_document(&doc, &D);
}

static inline void dump_diags(void)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < D.n; i++) {
		buf_reset(&b);
		diag_format(&b, &D.v[i]);
		cr_log_info("%s [%s]", b.data, D.v[i].rule ? D.v[i].rule : "-");
	}
	buf_release(&b);
}

/* The first error whose rule is `rule` (NULL: any) at `path` (NULL: any). */
static inline const struct diag *find_error(const char *rule, const char *path)
{
	for (size_t i = 0; i < D.n; i++) {
		const struct diag *x = &D.v[i];
		if (x->level != DIAG_ERROR)
			continue;
		if (rule && (!x->rule || strcmp(x->rule, rule)))
			continue;
		if (path && strcmp(x->path, path))
			continue;
		return x;
	}
	return NULL;
}

static inline void expect_clean(const char *text)
{
	size_t n = check_text(text);
	if (n)
		dump_diags();
	cr_assert_eq(n, 0, "expected no errors for:\n%s", text);
}

/* At least one error of `rule` at `path`, with exactly `msg` when given. */
static inline const struct diag *expect_error(const char *text, const char *rule, const char *path, const char *msg)
{
	check_text(text);
	const struct diag *x = find_error(rule, path);
	if (!x)
		dump_diags();
	cr_assert_not_null(x, "expected a %s error at %s for:\n%s", rule ? rule : "any", path ? path : "any", text);
	if (msg)
		cr_assert_str_eq(x->msg, msg);
	return x;
}

/* The source text of a file in the tree (FEAST_SOURCE_DIR). */
static inline const char *source_file(const char *rel)
{
	const char *dir = getenv("FEAST_SOURCE_DIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", rel);
	struct buf b = BUF_INIT;
	cr_assert_eq(buf_read_path(&b, path), 0, "cannot read %s", path);
	const char *s = arena_strndup(&A, b.data, b.len);
	buf_release(&b);
	return s;
}

#endif
