/* test_schema.c -- the RE2 matcher, the CRD schema builder and the structural-schema checker. */
#include "rules_util.h"
#include "unit_cases.h"

#include "regex.h"
#include "schema.h"


TestSuite(regex, .init = suite_setup, .fini = suite_teardown);
TestSuite(schema, .init = suite_setup, .fini = suite_teardown);

/* ---- regex ---- */

static bool matches(const char *pattern, const char *text)
{
	char err[128];
	struct regex *re = regex_compile(pattern, err, sizeof(err));
	cr_assert_not_null(re, "%s: %s", pattern, err);
	bool m = regex_search(re, text, strlen(text));
	regex_free(re);
	return m;
}

/* ---- every pattern of the CRD: testdata/schema/crd-patterns.yaml ----
 * Each document is one pattern with the texts it must match and those it must not. */

#define CRD_PATTERNS "testdata/schema/crd-patterns.yaml"

UNIT_CASES_PARAMS(regex, crd_pattern, CRD_PATTERNS)

ParameterizedTest(struct unit_case *c, regex, crd_pattern)
{
	const struct node *doc = parse(c->text);
	const struct node *yes = map_get(doc, "match"), *no = map_get(doc, "mismatch");
	const char *pattern = node_text(map_get(doc, "pattern"));
	cr_assert_not_null(pattern, "%s: no pattern", c->where);
	cr_assert_gt(node_seq_len(yes), 0, "%s: nothing it must match", c->where);
	node_seq_each(yes, t)
		cr_assert(matches(pattern, node_text(t)), "%s: %s should match \"%s\"", c->where, pattern, node_text(t));
	node_seq_each(no, t)
		cr_assert(!matches(pattern, node_text(t)), "%s: %s should not match \"%s\"", c->where, pattern,
			  node_text(t));
}

/* Every pattern in the copied CRD has a case (a newer CRD's new pattern fails here). */
static void collect_patterns(const struct node *n, const char *const *tested, size_t ntested, int depth)
{
	cr_assert_lt(depth, 200);
	node_map_each(n, p) {
		if (!strcmp(p->key, "pattern") && p->val->kind == NODE_SCALAR) {
			size_t i = 0;
			while (i < ntested && strcmp(tested[i], p->val->u.sc.s))
				i++;
			cr_assert_lt(i, ntested, "untested CRD pattern %s (add it to %s)", p->val->u.sc.s, CRD_PATTERNS);
		}
		collect_patterns(p->val, tested, ntested, depth + 1);
	}
	node_seq_each(n, item)
		collect_patterns(item, tested, ntested, depth + 1);
}

Test(schema, every_crd_pattern_is_tested)
{
	size_t n;
	struct unit_case *cases = unit_cases_read(CRD_PATTERNS, &n);
	const char **tested = arena_alloc(&A, n * sizeof(*tested));
	for (size_t i = 0; i < n; i++)
		tested[i] = node_str_or(map_get(parse(cases[i].text), "pattern"), "");
	unit_cases_release_all(cases, n);
	collect_patterns(parse(source_file("data/crds/feast.dev_featurestores.yaml")), tested, n, 0);
}

Test(regex, syntax)
{
	cr_assert(matches("b", "abc"));          /* unanchored search */
	cr_assert(!matches("^b", "abc"));
	cr_assert(matches("c$", "abc"));
	cr_assert(!matches("a$", "a\n"));        /* Go's $ is end of text only */
	cr_assert(matches("^a.c$", "a\xc3\xa9" "c")); /* . is one code point */
	cr_assert(!matches("^a..c$", "a\xc3\xa9" "c"));
	cr_assert(matches("^a.c$", "abc"));
	cr_assert(matches("^.$", "\xc3\xa9"));   /* one code point */
	cr_assert(!matches("^.$", "\n"));
	cr_assert(matches("^[^a]$", "\xc3\xa9"));
	cr_assert(matches("^a{2,3}$", "aaa"));
	cr_assert(!matches("^a{2,3}$", "aaaa"));
	cr_assert(matches("^a{2}$", "aa"));
	cr_assert(matches("^a{2,}$", "aaaaa"));
	cr_assert(matches("^(?:ab|cd)+$", "abcdab"));
	cr_assert(matches("^\\d+\\s\\w+$", "12 ab_c"));
	cr_assert(!matches("^\\D$", "5"));
	cr_assert(matches("^[\\d.]+$", "1.2"));
	cr_assert(matches("^[\\S]+$", "a-b"));
	cr_assert(matches("^a*?$", "aa"));
	cr_assert(matches("^x{$", "x{"));        /* a brace that is no repetition is literal */
	cr_assert(matches("\\Aab\\z", "ab"));
	cr_assert(matches("^a|b$", "ax"));
	cr_assert(matches("^$", ""));
	cr_assert(matches("^(a*)*$", "aaaa"));   /* empty loops terminate */
}

Test(regex, rejects_what_it_cannot_honour)
{
	static const char *const bad[] = { "(?i)a", "a**", "[[:alpha:]]", "\\p{L}", "(a", "a)", "[a", "\\1", "a{1001}",
					   "*a", "\\b", "[z-a]", NULL };
	char err[128];
	for (const char *const *p = bad; *p; p++) {
		struct regex *re = regex_compile(*p, err, sizeof(err));
		cr_assert_null(re, "%s should be rejected", *p);
		cr_assert_gt(strlen(err), 0);
	}
}

/* Catastrophic for a backtracking matcher; the timeout guards against a hang. */
Test(regex, linear_time, .timeout = 60)
{
	size_t n = 20000;
	char *s = malloc(n + 2);
	memset(s, 'a', n);
	s[n] = '!';
	s[n + 1] = '\0';
	cr_assert(!matches("^(a*)*$", s));
	cr_assert(!matches("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?x$", s));
	free(s);
}

/* ---- the embedded tables are the CRD ---- */

static void same_schema(const struct sch *a, const struct sch *b, const char *path, int depth)
{
	cr_assert_lt(depth, 64);
	cr_assert_eq(a->types, b->types, "%s: types", path);
	cr_assert_eq(a->flags, b->flags, "%s: flags", path);
	cr_assert_eq(a->format, b->format, "%s: format", path);
	cr_assert_eq(a->list_type, b->list_type, "%s", path);
	cr_assert(a->minimum == b->minimum && a->maximum == b->maximum, "%s: bounds", path);
	cr_assert(a->min_length == b->min_length && a->max_length == b->max_length, "%s: lengths", path);
	cr_assert(a->min_items == b->min_items && a->max_items == b->max_items, "%s: items", path);
	cr_assert((a->pattern == NULL) == (b->pattern == NULL), "%s: pattern", path);
	if (a->pattern)
		cr_assert_str_eq(a->pattern, b->pattern);
	cr_assert_eq(a->nprops, b->nprops, "%s: properties", path);
	for (size_t i = 0; i < a->nprops; i++) {
		cr_assert_str_eq(a->props[i].name, b->props[i].name);
		char *p = arena_printf(&A, "%s.%s", path, a->props[i].name);
		same_schema(a->props[i].s, b->props[i].s, p, depth + 1);
	}
	cr_assert_eq(a->nrequired, b->nrequired, "%s: required", path);
	for (size_t i = 0; i < a->nrequired; i++)
		cr_assert_str_eq(a->required[i], b->required[i]);
	cr_assert_eq(a->nenums, b->nenums, "%s: enum", path);
	for (size_t i = 0; i < a->nenums; i++)
		cr_assert_str_eq(a->enums[i].text, b->enums[i].text);
	cr_assert_eq(a->nrules, b->nrules, "%s: rules", path);
	for (size_t i = 0; i < a->nrules; i++) {
		cr_assert_str_eq(a->rules[i].rule, b->rules[i].rule);
		cr_assert_str_eq(a->rules[i].message, b->rules[i].message);
	}
	cr_assert_eq(a->nmap_keys, b->nmap_keys, "%s", path);
	cr_assert_eq(a->items == NULL, b->items == NULL, "%s: items", path);
	if (a->items)
		same_schema(a->items, b->items, arena_printf(&A, "%s[]", path), depth + 1);
	cr_assert_eq(a->addl == NULL, b->addl == NULL, "%s: additionalProperties", path);
	if (a->addl)
		same_schema(a->addl, b->addl, arena_printf(&A, "%s{}", path), depth + 1);
}

Test(schema, embedded_tables_match_the_crd_file)
{
	const struct crd_def *built = crd_build(&A, parse(source_file("data/crds/feast.dev_featurestores.yaml")), &D);
	if (!built)
		dump_diags();
	cr_assert_not_null(built);
	const struct crd_def *emb = crd_find("feast.dev", "FeatureStore");
	cr_assert_not_null(emb);
	cr_assert_str_eq(emb->name, "featurestores.feast.dev");
	cr_assert_eq(emb->nversions, built->nversions);
	for (size_t v = 0; v < emb->nversions; v++) {
		cr_assert_str_eq(emb->versions[v].name, built->versions[v].name);
		cr_assert_eq(emb->versions[v].deprecated, built->versions[v].deprecated);
		cr_assert_eq(emb->versions[v].status_subresource, built->versions[v].status_subresource);
		same_schema(emb->versions[v].schema, built->versions[v].schema, emb->versions[v].name, 0);
	}
	cr_assert(crd_version(emb, "v1alpha1")->deprecated);
	cr_assert(!crd_version(emb, "v1")->deprecated);
	cr_assert_null(crd_version(emb, "v2"));
}

Test(schema, lookups)
{
	const struct crd_def *c = crd_find("feast.dev", "FeatureStore");
	const struct sch *root = crd_version(c, "v1")->schema;
	const struct sch *max = sch_at(root, "spec.services.scaling.autoscaling.maxReplicas");
	cr_assert_not_null(max);
	cr_assert(max->flags & SCH_F_HAS_MIN);
	cr_assert_eq(max->minimum, 1);
	cr_assert_null(sch_at(crd_version(c, "v1alpha1")->schema, "spec.replicas"));
	char group[64];
	const char *version;
	cr_assert(api_version_split("feast.dev/v1", group, sizeof(group), &version));
	cr_assert_str_eq(group, "feast.dev");
	cr_assert_str_eq(version, "v1");
	cr_assert(api_version_split("v1", group, sizeof(group), &version));
	cr_assert_str_eq(group, "");
	cr_assert(!api_version_split("a/b/c", group, sizeof(group), &version));
	cr_assert(!api_version_split("a/", group, sizeof(group), &version));
}

/* ---- the generic checker, on a CRD that uses every feature ---- */


static const struct crd_version *widget(void)
{
	const struct crd_def *c = crd_build(&A, parse(source_file("testdata/schema/widget-crd.yaml")), &D);
	if (!c)
		dump_diags();
	cr_assert_not_null(c);
	return crd_version(c, "v1");
}

struct hook_log {
	size_t calls;
	const struct node *self;
	char path[128];
};

static void log_rule(void *ctx, const struct sch_rule *r, const struct node *self, const char *path, const struct pos *pos,
		     struct diags *d)
{
	struct hook_log *log = ctx;
	log->calls++;
	log->self = self;
	snprintf(log->path, sizeof(log->path), "%s", path);
	if (!map_get(self, "a"))
		diag_error(d, pos, path, "Invalid value: \"object\": %s", r->message);
}

static struct hook_log LOG;

/* Check the Widget document `text`. */
static size_t widget_check_text(const char *text)
{
	const struct crd_version *v = widget();
	diags_init(&D, &A);
	memset(&LOG, 0, sizeof(LOG));
	struct schema_hooks hooks = { log_rule, &LOG };
	return schema_check(v, parse(text), &hooks, &D);
}

/* Check a Widget whose spec is `extra` lines over defaults for name, size and count. */
static size_t widget_check(const char *extra)
{
	return widget_check_text(arena_printf(&A,
					      "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n"
					      "  <<: {name: abc, size: 5, count: 1}\n%s",
					      extra));
}

static void widget_error(const char *extra, const char *path, const char *msg)
{
	widget_check(extra);
	const struct diag *x = find_error(NULL, path);
	if (!x)
		dump_diags();
	cr_assert_not_null(x, "no error at %s for:\n%s", path, extra);
	cr_assert_str_eq(x->msg, msg);
}

Test(schema, valid_widget)
{
	size_t n = widget_check("  ratio: 0.5\n  mode: fast\n  level: 2\n  port: http\n  note: null\n  flag: true\n"
				"  tags: [a, b]\n  ports:\n  - name: a\n  - name: a\n    proto: UDP\n  labels: {x: z}\n"
				"  any: {whatever: [1]}\n  free: {a: {b: c}}\n  template:\n    apiVersion: v1\n    kind: Pod\n"
				"    metadata: {name: p}\n    spec: {x: 1}\n  when: 2024-01-02T03:04:05.5+01:00\n"
				"  checked: {a: x}\nstatus:\n  whatever: 1\n");
	if (n)
		dump_diags();
	cr_assert_eq(n, 0);
	cr_assert_eq(LOG.calls, 1);
	cr_assert_str_eq(LOG.path, "spec.checked");
}

Test(schema, required_and_defaults)
{
	const struct crd_version *v = widget();
	diags_init(&D, &A);
	schema_check(v, parse("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  mode: fast\n"), NULL,
		     &D);
	cr_assert_eq(D.errors, 2); /* name and size; count has a default */
	cr_assert_not_null(find_error("schema.required", "spec.name"));
	cr_assert_not_null(find_error("schema.required", "spec.size"));
	cr_assert_null(find_error("schema.required", "spec.count"));
	/* the parent's position: the `spec:` key */
	cr_assert_eq(find_error("schema.required", "spec.size")->pos.line, 4);
	cr_assert_eq(find_error("schema.required", "spec.size")->pos.col, 1);
}

/* The API server runs the type, the enum and the int-or-string anyOf as validators of their
 * own: a value of the wrong type fails each of them. */
Test(schema, wrong_type_fails_every_validator)
{
	widget_check("  mode: 7\n");
	const struct diag *x = find_error("schema.enum", "spec.mode");
	cr_assert_not_null(x);
	cr_assert_str_eq(x->msg, "Unsupported value: 7: supported values: \"fast\", \"slow\"");
	widget_check("  port: true\n");
	cr_assert_eq(D.errors, 2);
	cr_assert_str_eq(D.v[1].path, "spec.port");
	cr_assert_str_eq(D.v[1].msg, "Invalid value: \"boolean\": spec.port in body must be of type integer: \"boolean\"");
}

/* Lengths count characters, not bytes: two two-byte characters are long enough. */
Test(schema, lengths_in_characters)
{
	widget_check("  name: \xc3\xa9\xc3\xa9\n");
	cr_assert_null(find_error("schema.minLength", "spec.name"));
	cr_assert_not_null(find_error("schema.pattern", "spec.name"));
}

Test(schema, list_map_items_are_objects)
{
	widget_check("  ports:\n  - x\n");
	const struct diag *x = find_error("schema.listType", "spec.ports[0]");
	cr_assert_not_null(x);
	cr_assert_str_eq(x->msg, "Invalid value: \"x\": must be an object for an array of list-type map");
}

Test(schema, status_is_dropped_and_rules_run_on_instances)
{
	cr_assert_eq(widget_check("status: {x: 1, y: 2}\n"), 0);
	widget_error("  checked: {}\n", "spec.checked", "Invalid value: \"object\": a is required");
	cr_assert_eq(LOG.calls, 1);
	cr_assert_not_null(LOG.self);
	/* no rules on a node of the wrong type */
	widget_check("  checked: 1\n");
	cr_assert_eq(LOG.calls, 0);
}

Test(schema, error_cap)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 300; i++)
		buf_addf(&b, "  x%d: 1\n", i);
	widget_check(b.data);
	buf_release(&b);
	cr_assert_eq(D.errors, SCHEMA_MAX_ERRORS + 1);
	cr_assert_str_eq(D.v[D.n - 1].msg, "too many errors: 100 more not reported");
}

Test(schema, builder_rejects_what_it_cannot_check)
{
	static const char *const bad[] = {
		"{type: object, properties: {a: {type: string, pattern: '(?i)x'}}}",
		"{type: object, properties: {a: {oneOf: [{type: string}]}}}",
		"{type: object, properties: {a: {anyOf: [{type: string}]}}}",
		"{type: object, properties: {a: {type: strng}}}",
		"{type: object, properties: {a: {type: array, x-kubernetes-list-type: bag}}}",
		"{type: object, properties: {a: {type: string, minLength: -1}}}",
		NULL,
	};
	for (const char *const *s = bad; *s; s++) {
		char *crd = arena_printf(&A,
					 "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
					 "metadata: {name: x.example.com}\nspec:\n  group: example.com\n  names: {kind: X}\n"
					 "  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema: %s\n",
					 *s);
		diags_init(&D, &A);
		cr_assert_null(crd_build(&A, parse(crd), &D), "should reject:\n%s", crd);
		cr_assert_gt(D.errors, 0);
	}
	diags_init(&D, &A);
	cr_assert_null(crd_build(&A, parse("apiVersion: v1\nkind: ConfigMap\n"), &D));
	cr_assert_gt(D.errors, 0);
}

/* ---- table cases: testdata/schema/NAME-errors.yaml ----
 * Each document is one case: `# error: none`, or `# error: PATH` with at least one error
 * there (of `# rule:`, when given) whose message is `# message:`, when given. */

static void expect_case(const struct unit_case *c, size_t errors)
{
	const char *path = unit_case_get(c, "error"), *rule = unit_case_get(c, "rule");
	const char *msg = unit_case_get(c, "message");
	cr_assert_not_null(path, "%s: no `# error:` line", c->where);
	if (!strcmp(path, "none")) {
		if (errors)
			dump_diags();
		cr_assert_eq(errors, 0, "%s: expected no errors for:\n%s", c->where, c->text);
		return;
	}
	const struct diag *x = find_error(rule, path);
	if (!x)
		dump_diags();
	cr_assert_not_null(x, "%s: expected a %s error at %s for:\n%s", c->where, rule ? rule : "any", path, c->text);
	if (msg)
		cr_assert_str_eq(x->msg, msg, "%s: message\n got: %s\nwant: %s", c->where, x->msg, msg);
}

UNIT_CASES_PARAMS(schema, error_case, "testdata/schema/*-errors.yaml")

/* A Widget goes through the generic checker with the test CRD, anything else through
 * check_document, as validate checks it. */
ParameterizedTest(struct unit_case *c, schema, error_case)
{
	const char *kind = node_text(map_get(parse(c->text), "kind"));
	bool widget = kind && !strcmp(kind, "Widget");
	expect_case(c, widget ? widget_check_text(c->text) : check_text(c->text));
}

/* ---- the FeatureStore schema, through check_document ---- */

/* The scale subresource holds spec.replicas to a non-negative int32 (the API server's own
 * check, field ".spec.replicas"); other int32 fields beyond the range the server stores, and
 * only the operator cannot read. */
Test(schema, featurestore_int32)
{
	const struct diag *x = expect_error(featurestore("  replicas: -1\n"), "schema.scale", "spec.replicas",
					    "Invalid value: -1: should be a non-negative integer");
	cr_assert_str_eq(x->source, "schema");
	x = expect_error(featurestore("  replicas: 2147483648\n"), "schema.scale", "spec.replicas",
			 "Invalid value: 2147483648: should be less than or equal to 2147483647");
	cr_assert_str_eq(x->source, "schema");
	cr_assert_null(find_error("schema.format", "spec.replicas"));
	x = expect_error(featurestore("  services:\n    onlineStore:\n      server:\n        workerConfigs:\n"
				      "          workers: 2147483648\n"),
			 "schema.format", "spec.services.onlineStore.server.workerConfigs.workers",
			 "Invalid value: 2147483648: should be less than or equal to 2147483647 (an int32 field: the "
			 "operator cannot read the store)");
	cr_assert_str_eq(x->source, "operator");
}

Test(schema, errors_in_document_order)
{
	check_text("apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: t\n  bogus: 1\nspec:\n"
		   "  zzz: 1\n  replicas: 0\n  feastProject: 'a b'\n  services:\n    podDisruptionBudgets: {}\n");
	cr_assert_eq(D.errors, 5);
	for (size_t i = 1; i < D.n; i++) {
		const struct pos *a = &D.v[i - 1].pos, *b = &D.v[i].pos;
		cr_assert(a->line < b->line || (a->line == b->line && a->col <= b->col), "diagnostics out of order at %zu", i);
	}
	cr_assert_str_eq(D.v[0].path, "metadata.bogus");
	cr_assert_str_eq(D.v[4].path, "spec.services.podDisruptionBudgets");
}
