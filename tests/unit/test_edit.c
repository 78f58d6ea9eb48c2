/* test_edit.c -- unified diffs and in-place YAML edits. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "udiff.h"
#include "yaml_in.h"
#include "yamledit.h"

#include "suite.h"

TestSuite(edit, .init = suite_setup, .fini = suite_teardown);

/* Rebuild b from a and a unified diff: proves the diff is complete and exact. */
static char *apply_udiff(const char *a, const char *diff)
{
	struct buf out = BUF_INIT;
	const char *ap = a;
	size_t aline = 0; /* lines of a consumed */
	const char *p = strchr(strchr(diff, '\n') + 1, '\n') + 1; /* skip ---/+++ */
	char *prev_line_end = NULL;
	while (*p) {
		size_t astart;
		cr_assert(strncmp(p, "@@ -", 4) == 0, "hunk header expected at: %.40s", p);
		astart = strtoul(p + 4, NULL, 10);
		const char *comma = p + 4 + strspn(p + 4, "0123456789");
		size_t acount = *comma == ',' ? strtoul(comma + 1, NULL, 10) : 1;
		size_t first = acount ? astart - 1 : astart; /* 0-based first line of the hunk in a */
		while (aline < first) {
			const char *nl = strchr(ap, '\n');
			size_t n = nl ? (size_t)(nl - ap + 1) : strlen(ap);
			buf_add(&out, ap, n);
			ap += n;
			aline++;
		}
		p = strchr(p, '\n') + 1;
		while (*p && *p != '@') {
			const char *nl = strchr(p, '\n');
			size_t n = (size_t)(nl - p);
			if (*p == '\\') { /* "\ No newline at end of file" */
				if (prev_line_end)
					out.data[--out.len] = '\0';
				p = nl + 1;
				continue;
			}
			if (*p == ' ' || *p == '-') {
				const char *anl = strchr(ap, '\n');
				ap += anl ? (size_t)(anl - ap + 1) : strlen(ap);
				aline++;
			}
			if (*p == ' ' || *p == '+') {
				buf_add(&out, p + 1, n - 1);
				buf_addc(&out, '\n');
				prev_line_end = out.data + out.len;
			} else {
				prev_line_end = NULL;
			}
			p = nl + 1;
		}
	}
	buf_adds(&out, ap);
	return buf_detach(&out, NULL);
}

static char *random_text(unsigned *seed, int lines)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < lines; i++)
		buf_addf(&b, "line %d\n", rand_r(seed) % 8);
	if (rand_r(seed) % 4 == 0 && b.len)
		b.data[--b.len] = '\0'; /* no newline at the end */
	return buf_detach(&b, NULL);
}

Test(edit, udiff_rebuilds_the_new_text)
{
	unsigned seed = 12345;
	for (int round = 0; round < 400; round++) {
		char *a = random_text(&seed, rand_r(&seed) % 30);
		char *b = random_text(&seed, rand_r(&seed) % 30);
		struct buf d = BUF_INIT;
		int rc = udiff(&d, "a", a, strlen(a), "b", b, strlen(b), round % 4);
		if (strcmp(a, b) == 0) {
			cr_assert_eq(rc, 0);
			cr_assert_eq(d.len, 0);
		} else {
			cr_assert_eq(rc, 1);
			char *rebuilt = apply_udiff(a, d.data);
			cr_assert_str_eq(rebuilt, b, "diff:\n%s", d.data);
			free(rebuilt);
		}
		buf_release(&d);
		free(a);
		free(b);
	}
}

Test(edit, udiff_matches_gnu_layout)
{
	const char *a = "a\nb\nc\nd\ne\nf\ng\nh\n";
	const char *b = "a\nb\nc\nD\ne\nf\ng\nh\ni\n";
	struct buf d = BUF_INIT;
	cr_assert_eq(udiff(&d, "old", a, strlen(a), "new", b, strlen(b), 1), 1);
	cr_assert_str_eq(d.data, "--- old\n+++ new\n@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n@@ -8 +8,2 @@\n h\n+i\n");
	buf_release(&d);
	buf_init(&d, 0);
	cr_assert_eq(udiff(&d, "old", "", 0, "new", "x\n", 2, 3), 1);
	cr_assert_str_eq(d.data, "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n");
	buf_release(&d);
}

static const struct document *parse(const char *text)
{
	struct doclist *l = arena_alloc(&A, sizeof(*l));
	cr_assert_eq(yaml_parse(&A, "f.yaml", text, strlen(text), NULL, l, &D), 0);
	for (size_t i = 0; i < l->n; i++)
		if (map_has(l->v[i].root, "spec"))
			return &l->v[i];
	return &l->v[0];
}

static const char *set(const char *text, const char *value)
{
	const struct document *doc = parse(text);
	struct buf out = BUF_INIT;
	cr_assert_eq(yamledit_set_scalar(doc, "spec", "replicas", value, "feastProject", &out, &D), 0);
	const char *s = arena_strdup(&A, out.data);
	buf_release(&out);
	return s;
}

Test(edit, replaces_an_existing_value_only)
{
	cr_assert_str_eq(set("spec:\n  feastProject: p  # the project\n  replicas: 3 # three\n", "5"),
			 "spec:\n  feastProject: p  # the project\n  replicas: 5 # three\n");
}

Test(edit, inserts_after_feast_project_with_its_indentation)
{
	cr_assert_str_eq(set("kind: FeatureStore\nspec:\n    feastProject: 'p' # c\n    services: {}\n", "2"),
			 "kind: FeatureStore\nspec:\n    feastProject: 'p' # c\n    replicas: 2\n    services: {}\n");
}

Test(edit, inserts_first_when_there_is_no_anchor_key)
{
	cr_assert_str_eq(set("spec:\n  services:\n    ui: {}\n  feastProject: |\n    p\n", "2"),
			 "spec:\n  replicas: 2\n  services:\n    ui: {}\n  feastProject: |\n    p\n");
}

Test(edit, keeps_crlf_and_other_documents)
{
	const char *text = "a: 1\r\n---\r\nspec:\r\n  feastProject: p\r\n---\r\nb: 2\r\n";
	cr_assert_str_eq(set(text, "3"), "a: 1\r\n---\r\nspec:\r\n  feastProject: p\r\n  replicas: 3\r\n---\r\nb: 2\r\n");
}

Test(edit, file_without_final_newline)
{
	cr_assert_str_eq(set("spec:\n  feastProject: p", "4"), "spec:\n  feastProject: p\n  replicas: 4\n");
}

Test(edit, flow_maps)
{
	cr_assert_str_eq(set("spec: {feastProject: p}\n", "2"), "spec: {feastProject: p, replicas: 2}\n");
	cr_assert_str_eq(set("spec: {}\n", "2"), "spec: {replicas: 2}\n");
}

Test(edit, refuses_non_scalar_value)
{
	const struct document *doc = parse("spec:\n  replicas: [1]\n");
	struct buf out = BUF_INIT;
	cr_assert_eq(yamledit_set_scalar(doc, "spec", "replicas", "2", NULL, &out, &D), -1);
	cr_assert_eq(out.len, 0);
	buf_release(&out);
}
