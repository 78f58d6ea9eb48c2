/* test_yaml.c -- the document tree, YAML reader and writer, JSON both ways. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "yaml_in.h"
#include "yaml_out.h"

#include "suite.h"

TestSuite(yaml, .init = suite_setup, .fini = suite_teardown);

static struct doclist parse_ok(const char *text)
{
	struct doclist l = { 0 };
	int rc = yaml_parse(&A, "t.yaml", text, strlen(text), NULL, &l, &D);
	if (rc != 0 && D.n)
		cr_log_error("%s:%u:%u: %s", D.v[0].pos.file, D.v[0].pos.line, D.v[0].pos.col, D.v[0].msg);
	cr_assert_eq(rc, 0);
	return l;
}

static const struct diag *parse_err(const char *text)
{
	struct doclist l = { 0 };
	int rc = yaml_parse(&A, "t.yaml", text, strlen(text), NULL, &l, &D);
	cr_assert_eq(rc, -1, "expected a parse error for %s", text);
	cr_assert_gt(D.n, 0);
	cr_assert_eq(l.n, 0, "no documents on error");
	return &D.v[0];
}

Test(yaml, absent_null_empty_are_distinct)
{
	struct doclist l = parse_ok("a: []\nb: {}\nc: null\nd: ~\ne:\nf: ''\n");
	struct node *r = l.v[0].root;
	cr_assert_eq(map_get(r, "a")->kind, NODE_SEQ);
	cr_assert_eq(map_get(r, "a")->u.seq.n, 0);
	cr_assert_eq(map_get(r, "b")->kind, NODE_MAP);
	cr_assert(node_is_null(map_get(r, "c")));
	cr_assert(node_is_null(map_get(r, "d")));
	cr_assert(node_is_null(map_get(r, "e")));
	cr_assert_eq(map_get(r, "f")->u.sc.type, SCALAR_STR);
	cr_assert_null(map_get(r, "g"));
}

Test(yaml, positions_are_one_based)
{
	struct doclist l = parse_ok("kind: X\nspec:\n  replicas: 3\n");
	struct node *n = node_at(l.v[0].root, "spec.replicas");
	cr_assert_eq(n->pos.line, 3);
	cr_assert_eq(n->pos.col, 13);
	cr_assert_str_eq(n->pos.file, "t.yaml");
	int64_t v;
	cr_assert(node_get_int(n, &v));
	cr_assert_eq(v, 3);
	cr_assert_eq(n->end - n->off, 1);
}

Test(yaml, scalars_resolve_like_kubectl)
{
	struct doclist l = parse_ok("a: yes\nb: 'yes'\nc: 0x1F\nd: 1_000\ne: 1.5\nf: 0777\ng: 1e3\n"
				    "h: on\ni: 2024-01-01\nj: !!str 12\nk: .inf\n");
	struct node *r = l.v[0].root;
	cr_assert_eq(map_get(r, "a")->u.sc.type, SCALAR_BOOL);
	cr_assert_eq(map_get(r, "b")->u.sc.type, SCALAR_STR);
	int64_t v;
	cr_assert(node_get_int(map_get(r, "c"), &v));
	cr_assert_eq(v, 31);
	cr_assert(node_get_int(map_get(r, "d"), &v));
	cr_assert_eq(v, 1000);
	cr_assert_eq(map_get(r, "e")->u.sc.type, SCALAR_FLOAT);
	cr_assert(node_get_int(map_get(r, "f"), &v));
	cr_assert_eq(v, 511);
	cr_assert_eq(map_get(r, "g")->u.sc.type, SCALAR_FLOAT);
	cr_assert(node_is_true(map_get(r, "h")));
	cr_assert_eq(map_get(r, "i")->u.sc.type, SCALAR_STR);
	cr_assert_eq(map_get(r, "j")->u.sc.type, SCALAR_STR);
	cr_assert_eq(map_get(r, "k")->u.sc.type, SCALAR_FLOAT);
}

Test(yaml, multi_document_stream_skips_empty_documents)
{
	struct doclist l = parse_ok("---\na: 1\n---\n---\nb: 2\n...\n");
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.v[0].index, 0);
	cr_assert_eq(l.v[1].index, 2);
}

Test(yaml, duplicate_key_is_an_error_with_both_positions)
{
	const struct diag *d = parse_err("spec:\n  a: 1\n  b: 2\n  a: 3\n");
	cr_assert_eq(d->pos.line, 4);
	cr_assert_eq(d->pos.col, 3);
	cr_assert(strstr(d->msg, "duplicate key \"a\""));
	cr_assert(strstr(d->msg, "line 2, column 3"));
	cr_assert_str_eq(d->path, "spec.a");
}

Test(yaml, duplicate_key_in_a_big_map)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_addf(&b, "k%d: %d\n", i, i);
	buf_adds(&b, "k7: again\n");
	const struct diag *d = parse_err(b.data);
	cr_assert(strstr(d->msg, "duplicate key \"k7\""));
	cr_assert_eq(d->pos.line, 101);
	buf_release(&b);
}

Test(yaml, syntax_error_has_libyaml_position)
{
	const struct diag *d = parse_err("a: 1\nb: [1, 2\nc: 3\n");
	cr_assert(strstr(d->msg, "invalid YAML"));
	cr_assert_gt(d->pos.line, 1);
}

Test(yaml, invalid_utf8_is_reported_with_its_position)
{
	const struct diag *d = parse_err("a: 1\nb: \xff\xfe\n");
	cr_assert(strstr(d->msg, "invalid input"), "%s", d->msg);
	cr_assert_eq(d->pos.line, 2);
}

Test(yaml, alias_bomb_is_refused)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
	const struct diag *d = parse_err(bomb);
	cr_assert(strstr(d->msg, "alias"), "%s", d->msg);
}

Test(yaml, alias_node_budget_holds_without_the_byte_budget)
{
	struct yaml_limits lim = yaml_default_limits;
	lim.min_alias_bytes = SIZE_MAX / 4;
	struct buf b = BUF_INIT;
	buf_adds(&b, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'h'; c++)
		buf_addf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1,
			 c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	struct doclist l = { 0 };
	cr_assert_eq(yaml_parse(&A, "t.yaml", b.data, b.len, &lim, &l, &D), -1);
	cr_assert(strstr(D.v[0].msg, "more than 1000000 nodes"), "%s", D.v[0].msg);
	buf_release(&b);
}

/* Few nodes, many bytes: one long value aliased a few times. */
Test(yaml, alias_byte_budget_is_a_multiple_of_the_input)
{
	struct yaml_limits lim = yaml_default_limits;
	lim.max_alias_factor = 4;
	lim.min_alias_bytes = 0;
	struct buf b = BUF_INIT;
	buf_adds(&b, "v: &v ");
	for (int i = 0; i < 1000; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "\nl: [*v, *v, *v]\n");
	struct doclist l = { 0 };
	cr_assert_eq(yaml_parse(&A, "t.yaml", b.data, b.len, &lim, &l, &D), 0, "3 copies fit in 4 times");
	buf_adds(&b, "m: [*v]\n");
	cr_assert_eq(yaml_parse(&A, "t.yaml", b.data, b.len, &lim, &l, &D), -1, "the 4th copy does not");
	cr_assert_eq(D.v[0].pos.line, 3);
	cr_assert(strstr(D.v[0].msg, "times its size"), "%s", D.v[0].msg);
	buf_release(&b);
}

/* The anchor table: later anchors shadow earlier ones, each document starts empty,
 * and lookups stay right as the table grows. */
Test(yaml, anchors_shadow_grow_and_end_with_their_document)
{
	struct doclist l = parse_ok("a: &x 1\nb: &x 2\nc: *x\n");
	int64_t v;
	cr_assert(node_get_int(node_at(l.v[0].root, "c"), &v) && v == 2);
	const struct diag *d = parse_err("a: &x 1\n---\nb: *x\n");
	cr_assert(strstr(d->msg, "unknown alias"), "%s", d->msg);
	D.n = 0;
	struct buf b = BUF_INIT;
	for (int i = 0; i < 5000; i++)
		buf_addf(&b, "k%d: &a%d %d\n", i, i, i);
	for (int i = 0; i < 5000; i++)
		buf_addf(&b, "r%d: *a%d\n", i, i);
	l = parse_ok(b.data);
	cr_assert(node_get_int(node_at(l.v[0].root, "r0"), &v) && v == 0);
	cr_assert(node_get_int(node_at(l.v[0].root, "r4999"), &v) && v == 4999);
	buf_release(&b);
}

Test(yaml, aliases_and_merge_keys_expand)
{
	struct doclist l = parse_ok("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n");
	struct node *r = l.v[0].root;
	int64_t v;
	cr_assert(node_get_int(node_at(r, "use.x"), &v) && v == 1);
	cr_assert(node_get_int(node_at(r, "use.y"), &v) && v == 3);
	cr_assert(node_get_int(node_at(r, "ref.y"), &v) && v == 2);
}

Test(yaml, unknown_alias_is_an_error)
{
	const struct diag *d = parse_err("a: *nope\n");
	cr_assert(strstr(d->msg, "unknown alias"), "%s", d->msg);
}

Test(yaml, nesting_limit)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 150; i++)
		buf_adds(&b, "[");
	for (int i = 0; i < 150; i++)
		buf_adds(&b, "]");
	const struct diag *d = parse_err(b.data);
	cr_assert(strstr(d->msg, "nesting deeper"), "%s", d->msg);
	buf_release(&b);
}

Test(yaml, document_size_limit)
{
	struct yaml_limits lim = yaml_default_limits;
	lim.max_doc_bytes = 64;
	struct doclist l = { 0 };
	const char *text = "a: 0123456789012345678901234567890123456789012345678901234567890123456789\n";
	cr_assert_eq(yaml_parse(&A, "t.yaml", text, strlen(text), &lim, &l, &D), -1);
	cr_assert(strstr(D.v[0].msg, "over the limit"));
}

static const char *emit(struct node *n)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(yaml_emit_one(&b, n), 0);
	const char *s = arena_strdup(&A, b.data);
	buf_release(&b);
	return s;
}

Test(yaml, ambiguous_strings_are_quoted)
{
	const char *words[] = { "on", "no", "y", "~", "0777", "1e3", "1_000", ".inf", "1.10", "",
				" lead", "trail ", "null", "True", "0o17", "0x1F", "1:20", "2001-12-14",
				"0.66.0", "<<", "=", "-1", "+1", ".5", NULL };
	for (const char **w = words; *w; w++) {
		struct node *m = node_map(&A, NULL);
		map_put(&A, m, "k", node_str(&A, *w));
		const char *out = emit(m);
		cr_assert_eq(out[3], '"', "%s was not double-quoted: %s", *w, out);
	}
	const char *plain[] = { "hello", "10Gi", "feast-x", "v1", "a:b", "quay.io/feastdev/feature-server:0.66.0", NULL };
	for (const char **w = plain; *w; w++) {
		struct node *m = node_map(&A, NULL);
		map_put(&A, m, "k", node_str(&A, *w));
		const char *out = emit(m);
		cr_assert_neq(out[3], '"', "%s needlessly quoted: %s", *w, out);
	}
}

Test(yaml, emitter_layout)
{
	struct doclist l = parse_ok("a:\n  b:\n  - x\n  - p: 1\n    z: 'on'\n  c: {}\n  d: []\n"
				    "  script: |\n    echo hi\n    exit 0\n  num: 0x10\n  t: yes\n");
	const char *out = emit(l.v[0].root);
	/* keys that read as booleans in YAML 1.1 (y, n) are quoted too */
	struct node *k = node_map(&A, NULL);
	map_put(&A, k, "y", node_int(&A, 1));
	cr_assert_str_eq(emit(k), "\"y\": 1\n");
	cr_assert_str_eq(out, "a:\n  b:\n  - x\n  - p: 1\n    z: \"on\"\n  c: {}\n  d: []\n"
			      "  script: |\n    echo hi\n    exit 0\n  num: 16\n  t: true\n");
}

Test(yaml, several_documents_are_separated)
{
	struct node *a = node_map(&A, NULL), *b = node_map(&A, NULL);
	map_put(&A, a, "a", node_int(&A, 1));
	map_put(&A, b, "b", node_int(&A, 2));
	const struct node *roots[] = { a, b };
	struct buf out = BUF_INIT;
	cr_assert_eq(yaml_emit(&out, roots, 2), 0);
	cr_assert_str_eq(out.data, "a: 1\n---\nb: 2\n");
	buf_release(&out);
}

Test(yaml, json_round_trip)
{
	const char *text = "{\"a\":[1,-2,3.5,true,null,\"x\\n\\u00e9\\ud83d\\ude00\"],\"b\":{}}";
	struct node *n = json_parse(&A, text, strlen(text), "body", &D);
	cr_assert_not_null(n);
	struct buf b = BUF_INIT;
	json_emit(&b, n, 0);
	cr_assert_str_eq(b.data, "{\"a\":[1,-2,3.5,true,null,\"x\\n\xc3\xa9\xf0\x9f\x98\x80\"],\"b\":{}}");
	buf_reset(&b);
	json_emit(&b, n, 2);
	cr_assert(strstr(b.data, "{\n  \"a\": [\n    1,"));
	buf_release(&b);
}

Test(yaml, json_rejects_junk)
{
	const char *bad[] = { "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "tru", "{} {}", "\"\\x\"", "[,1]", "{\"a\":1,}", "[1 2]", "{,}", NULL };
	for (const char **t = bad; *t; t++) {
		D.n = 0;
		cr_assert_null(json_parse(&A, *t, strlen(*t), "body", &D), "accepted %s", *t);
		cr_assert_gt(D.n, 0, "no diagnostic for %s", *t);
	}
}

Test(yaml, each_loops_visit_in_order_and_honour_break_and_continue)
{
	struct node *r = parse_ok("s: [a, b, c, d]\nm: {x: 1, y: 2, z: 3}\nk: text\n").v[0].root;
	const struct node *s = map_get(r, "s"), *m = map_get(r, "m"), *k = map_get(r, "k"), *none = NULL;
	struct buf b = BUF_INIT;
	node_seq_each(s, it) {
		if (!strcmp(node_text(it), "b"))
			continue;
		if (!strcmp(node_text(it), "d"))
			break;
		buf_adds(&b, node_text(it));
	}
	cr_assert_str_eq(b.data, "ac");
	node_map_each(m, p) {
		buf_addf(&b, " %s=%s", p->key, node_text(p->val));
		if (!strcmp(p->key, "y"))
			break;
	}
	cr_assert_str_eq(b.data, "ac x=1 y=2");
	/* Absent, a scalar, or the other kind: no iterations. */
	node_seq_each(none, it)
		cr_assert_fail("NULL has no items, got %s", node_text(it));
	node_seq_each(k, it)
		cr_assert_fail("a scalar has no items, got %s", node_text(it));
	node_map_each(s, p)
		cr_assert_fail("a sequence has no entries, got %s", p->key);
	node_seq_each(m, it)
		cr_assert_fail("a map has no items, got %s", node_text(it));
	cr_assert_eq(node_seq_len(s), 4);
	cr_assert_eq(node_map_len(m), 3);
	cr_assert_eq(node_map_len(k), 0);
	buf_release(&b);
}

/* A stream read a document at a time, each tree in an arena of its own, gives what
 * yaml_parse() gives: the same spans and positions, null documents left out. */
Test(yaml, stream_one_document_at_a_time)
{
	const char *text = "a: 1\n---\n---\nb: &x [1, 2]\nc: *x\n--- ~\n---\nd: {e: f}\n";
	struct doclist whole = parse_ok(text);
	cr_assert_eq(whole.n, 3);
	struct yaml_stream *s = yaml_stream_open(&A, "t.yaml", text, strlen(text), NULL, &D);
	cr_assert_not_null(s);
	size_t n = 0;
	struct document doc;
	for (;;) {
		struct arena tree = ARENA_INIT;
		if (!yaml_stream_next(s, &tree, &doc)) {
			arena_free(&tree);
			break;
		}
		cr_assert_lt(n, whole.n);
		cr_assert_eq(doc.off, whole.v[n].off);
		cr_assert_eq(doc.end, whole.v[n].end);
		cr_assert_eq(doc.index, whole.v[n].index);
		cr_assert_eq(doc.root->pos.line, whole.v[n].root->pos.line);
		cr_assert(node_equal(doc.root, whole.v[n].root));
		arena_free(&tree);
		n++;
	}
	cr_assert_eq(n, 3);
	cr_assert_eq(yaml_stream_errors(s), 0);
	yaml_stream_close(s);
}

/* An error in a later document: the earlier ones came out, and the stream is not sound. */
Test(yaml, stream_error_after_documents)
{
	const char *text = "a: 1\n---\nb: 2\nb: 3\n---\nc: 4\n";
	struct yaml_stream *s = yaml_stream_open(&A, "t.yaml", text, strlen(text), NULL, &D);
	struct document doc;
	cr_assert_eq(yaml_stream_next(s, &A, &doc), 1);
	cr_assert_eq(yaml_stream_errors(s), 0);
	while (yaml_stream_next(s, &A, &doc))
		;
	cr_assert_gt(yaml_stream_errors(s), 0);
	cr_assert_eq(D.errors, yaml_stream_errors(s));
	yaml_stream_close(s);
}
