/* test_rules.c -- every CEL rule (pass and fail), CRD coverage, scaling overrides, reconcile rules. */
#include "rules_util.h"
#include "unit_cases.h"

#include "cel.h"
#include "docshape.h"
#include "intorstr.h"
#include "unlist.h"
#include "k8sval.h"
#include "reconcile_rules.h"
#include "schema.h"

TestSuite(rules, .init = suite_setup, .fini = suite_teardown);

/* ---- passing and failing cases for every rule: testdata/rules/cel/RULE.yaml ----
 * Each document is one case; `# error: PATH` says the rule fails there with its message,
 * `# error: none` that it holds. */

#define CEL_CASES "testdata/rules/cel/*.yaml"

/* The rule a case file is for: its base name. */
static const char *case_rule(const struct unit_case *c)
{
	const char *base = strrchr(c->where, '/') + 1;
	return arena_strndup(&A, base, (size_t)(strstr(base, ".yaml:") - base));
}

UNIT_CASES_PARAMS(rules, cel_case, CEL_CASES)

ParameterizedTest(struct unit_case *c, rules, cel_case)
{
	const char *rule = case_rule(c), *path = unit_case_get(c, "error");
	cr_assert_not_null(path, "%s: no `# error:` line", c->where);
	bool fails = strcmp(path, "none") != 0;
	check_text(c->text);
	const struct diag *x = find_error(rule, fails ? path : NULL);
	if (fails != (x != NULL))
		dump_diags();
	if (!fails) {
		cr_assert_null(x, "%s: %s must hold for:\n%s", c->where, rule, c->text);
		return;
	}
	cr_assert_not_null(x, "%s: %s must fail at %s for:\n%s", c->where, rule, path, c->text);
	const struct cel_rule *row = NULL;
	for (size_t i = 0; i < cel_rules_count; i++)
		if (!strcmp(cel_rules[i].id, rule))
			row = &cel_rules[i];
	cr_assert_not_null(row, "%s: no rule %s in the table", c->where, rule);
	const char *key = row->missing ? row->missing(node_at(parse(c->text), path)) : NULL;
	char *want = key ? arena_printf(&A, "Invalid value: \"object\": no such key: %s evaluating rule: %s", key,
					row->message)
			 : arena_printf(&A, "Invalid value: \"object\": %s", row->message);
	cr_assert_str_eq(x->msg, want, "%s: message\n got: %s\nwant: %s", c->where, x->msg, want);
}

/* CEL fails with an error, not false, when it reads an absent field: the API server puts
 * that in front of the rule's message. */
Test(rules, cel_reads_an_absent_field)
{
	const char *server = "  services:\n    registry:\n      local:\n        server:\n          grpc: false\n";
	expect_error(featurestore(server), "registry-server-protocol", "spec.services.registry.local.server",
		     "Invalid value: \"object\": no such key: restAPI evaluating rule: At least one of restAPI or grpc "
		     "must be true");
	expect_error(featurestore(arena_printf(&A, "%s          restAPI: false\n", server)), "registry-server-protocol",
		     "spec.services.registry.local.server",
		     "Invalid value: \"object\": At least one of restAPI or grpc must be true");
}

/* Each row has a passing case and, unless it is a transition rule, a failing one. */
Test(rules, every_row_has_cases)
{
	size_t n;
	struct unit_case *v = unit_cases_read(CEL_CASES, &n);
	for (size_t r = 0; r < cel_rules_count; r++) {
		bool pass = false, fail = false;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(case_rule(&v[i]), cel_rules[r].id))
				continue;
			const char *path = unit_case_get(&v[i], "error");
			pass |= path && !strcmp(path, "none");
			fail |= path && strcmp(path, "none") != 0;
		}
		cr_assert(pass, "no passing case for %s", cel_rules[r].id);
		if (strcmp(cel_rules[r].rule, "self == oldSelf") != 0)
			cr_assert(fail, "no failing case for %s", cel_rules[r].id);
	}
	unit_cases_release_all(v, n);
}

/* ---- the table covers every rule of the copied CRD, with its message ---- */

struct found {
	const char *path, *rule, *message;
};

static void collect(const struct node *s, struct buf *path, struct found *out, size_t *n, size_t cap)
{
	const struct node *rules = map_get(s, "x-kubernetes-validations");
	for (size_t i = 0; rules && i < rules->u.seq.n && *n < cap; i++) {
		const struct node *r = rules->u.seq.v[i];
		out[*n].path = arena_strdup(&A, path->data);
		out[*n].rule = node_text(map_get(r, "rule"));
		out[*n].message = node_text(map_get(r, "message"));
		(*n)++;
	}
	const struct node *props = map_get(s, "properties");
	for (size_t i = 0; props && i < props->u.map.n; i++) {
		size_t mark = path->len;
		buf_addf(path, "%s%s", path->len ? "." : "", props->u.map.v[i].key);
		collect(props->u.map.v[i].val, path, out, n, cap);
		buf_truncate(path, mark);
	}
	if (map_get(s, "items"))
		collect(map_get(s, "items"), path, out, n, cap);
	const struct node *addl = map_get(s, "additionalProperties");
	if (addl && addl->kind == NODE_MAP)
		collect(addl, path, out, n, cap);
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

Test(rules, table_covers_every_crd_rule)
{
	static const char *const crds[] = { "data/crds/feast.dev_featurestores.yaml",
					    "data/crds/keda.sh_scaledobjects.yaml" };
	static struct found found[512];
	size_t n = 0;
	for (size_t c = 0; c < sizeof(crds) / sizeof(crds[0]); c++) {
		const struct node *versions = node_at(parse(source_file(crds[c])), "spec.versions");
		cr_assert_not_null(versions);
		for (size_t v = 0; v < versions->u.seq.n; v++) {
			struct buf path = BUF_INIT;
			collect(node_at(versions->u.seq.v[v], "schema.openAPIV3Schema"), &path, found, &n, 512);
			buf_release(&path);
		}
	}
	cr_assert_gt(n, 50, "the CRDs have many rules; found %zu", n);
	size_t on_spec = 0;
	for (size_t i = 0; i < n; i++) {
		/* status is dropped on create; its copies of the rules never run */
		if (strncmp(found[i].path, "spec", 4) != 0)
			continue;
		on_spec++;
		const struct cel_rule *row = cel_rule_find(found[i].rule);
		cr_assert_not_null(row, "no C implementation of the CRD rule at %s: %s", found[i].path, found[i].rule);
		cr_assert_str_eq(row->message, found[i].message, "message of %s", row->id);
		cr_assert(word_in(row->paths, found[i].path), "row %s does not list %s", row->id, found[i].path);
	}
	cr_assert_gt(on_spec, 30);
	/* and no row claims a path the CRD does not have */
	for (size_t r = 0; r < cel_rules_count; r++) {
		char *paths = arena_strdup(&A, cel_rules[r].paths);
		for (char *save = NULL, *p = strtok_r(paths, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
			bool seen = false;
			for (size_t i = 0; i < n && !seen; i++)
				seen = !strcmp(found[i].path, p) && !strcmp(found[i].rule, cel_rules[r].rule);
			cr_assert(seen, "row %s lists %s, which has no such rule in the CRD", cel_rules[r].id, p);
		}
	}
}

/* The embedded tables carry exactly the rules the table implements. */
static void embedded_rules_known(const struct sch *s, int depth)
{
	cr_assert_lt(depth, 64);
	for (size_t i = 0; i < s->nrules; i++)
		cr_assert_not_null(cel_rule_find(s->rules[i].rule), "embedded rule not implemented: %s", s->rules[i].rule);
	for (size_t i = 0; i < s->nprops; i++)
		embedded_rules_known(s->props[i].s, depth + 1);
	if (s->items)
		embedded_rules_known(s->items, depth + 1);
	if (s->addl)
		embedded_rules_known(s->addl, depth + 1);
}

Test(rules, embedded_rules_all_implemented)
{
	size_t crds = 0;
	for (const struct crd_def *const *c = crd_embedded; *c; c++, crds++)
		for (size_t v = 0; v < (*c)->nversions; v++)
			embedded_rules_known((*c)->versions[v].schema, 0);
	cr_assert_geq(crds, 2);
	cr_assert_not_null(crd_find("feast.dev", "FeatureStore"));
	cr_assert_not_null(crd_find("keda.sh", "ScaledObject"));
}

/* ---- v1alpha1 keeps the non-scaling rules ---- */

Test(rules, v1alpha1_rules)
{
	expect_error(featurestore_named("feast.dev/v1alpha1", "t", "  authz: {}\n"), "authz-one-of", "spec.authz", NULL);
	expect_error(featurestore_named("feast.dev/v1alpha1", "t", "  services:\n    registry: {}\n"), "registry-one-of",
		     "spec.services.registry", NULL);
	expect_error(featurestore_named("feast.dev/v1alpha1", "t", "  replicas: 3\n"), "schema.unknown", "spec.replicas",
		     "field not declared in schema");
	expect_error(featurestore_named("feast.dev/v1alpha1", "t", "  services:\n    podDisruptionBudgets:\n      minAvailable: 1\n"),
		     "schema.unknown", "spec.services.podDisruptionBudgets", NULL);
}

Test(rules, v1alpha1_warns_with_the_crd_text)
{
	check_text(featurestore_named("feast.dev/v1alpha1", "t", ""));
	cr_assert_eq(D.errors, 0);
	cr_assert_eq(D.warnings, 1);
	cr_assert_eq(D.v[0].level, DIAG_WARNING);
	cr_assert_str_eq(D.v[0].path, "apiVersion");
	cr_assert_str_eq(D.v[0].msg, "v1alpha1 is deprecated and will be removed in a future release. Please migrate to v1.");
	cr_assert_eq(D.v[0].pos.line, 1);
	cr_assert_str_eq(D.v[0].pos.file, "t.yaml");
}

Test(rules, unknown_version_of_a_known_kind)
{
	expect_error(featurestore_named("feast.dev/v2", "t", ""), "schema.version", "apiVersion",
		     "no matches for kind \"FeatureStore\" in version \"feast.dev/v2\"");
}

Test(rules, malformed_version_of_a_known_group)
{
	expect_error(featurestore_named("feast.dev/", "t", ""), "schema.version", "apiVersion",
		     "no matches for kind \"FeatureStore\" in version \"feast.dev/\"");
	expect_error(featurestore_named("feast.dev/v1/x", "t", ""), "schema.version", "apiVersion", NULL);
	cr_assert_eq(check_text(featurestore_named("example.com/", "t", "")), 0);
}

/* What render builds stores from: both served versions, and nothing that only looks like one. */
Test(rules, which_documents_are_featurestores)
{
	cr_assert(doc_is_featurestore(parse(featurestore_named("feast.dev/v1", "t", ""))));
	cr_assert(doc_is_featurestore(parse(featurestore_named("feast.dev/v1alpha1", "t", ""))));
	cr_assert_not(doc_is_featurestore(parse(featurestore_named("feast.dev/v2", "t", ""))));
	cr_assert_not(doc_is_featurestore(parse(featurestore_named("example.com/v1", "t", ""))));
	cr_assert_not(doc_is_featurestore(parse("apiVersion: feast.dev/v1\nkind: Featurestore\n")));
	cr_assert_not(doc_is_featurestore(parse("kind: FeatureStore\n")));
	cr_assert_not(doc_is_featurestore(NULL));
}

/* The operator re-checks DB store types at reconcile time against its own
 * lists; the CRD's enums are those lists, so the schema refuses the same
 * values, for every store in both versions. */
Test(rules, store_types_rechecked)
{
	static const char *const stores[] = {
		"    onlineStore:\n      persistence:\n        store:\n          type: %s\n          secretRef: {name: s}\n",
		"    offlineStore:\n      persistence:\n        store:\n          type: %s\n          secretRef: {name: s}\n",
		"    offlineStore:\n      persistence:\n        file:\n          type: %s\n",
		"    registry:\n      local:\n        persistence:\n          store:\n            type: %s\n"
		"            secretRef: {name: s}\n",
		NULL,
	};
	static const char *const good[] = { "redis", "postgres", "duckdb", "sql" };
	static const char *const api[] = { "feast.dev/v1", "feast.dev/v1alpha1" };
	for (size_t v = 0; v < 2; v++) {
		for (size_t i = 0; stores[i]; i++) {
			char *spec = arena_printf(&A, stores[i], good[i]);
			check_text(featurestore_named(api[v], "t", arena_printf(&A, "  services:\n%s", spec)));
			cr_assert_null(find_error("schema.enum", NULL), "%s %s", api[v], good[i]);
			spec = arena_printf(&A, stores[i], "mystore");
			check_text(featurestore_named(api[v], "t", arena_printf(&A, "  services:\n%s", spec)));
			const struct diag *x = find_error("schema.enum", NULL);
			cr_assert_not_null(x, "%s: %s", api[v], spec);
			const char *want = "Unsupported value: \"mystore\": supported values: ";
			cr_assert(strncmp(x->msg, want, strlen(want)) == 0, "%s", x->msg);
		}
	}
}

Test(rules, other_documents_pass_through)
{
	cr_assert_eq(check_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nbogus: 1\n"), 0);
	cr_assert_eq(D.n, 0);
	/* a document that is no object is refused, as kubectl refuses it */
	cr_assert_eq(check_text("- a\n- b\n"), 1);
}

/* ---- scaling with overrides (the API for scale and KEDA) ---- */

#define DB_ONLINE "    onlineStore:\n      persistence:\n        store:\n          type: redis\n          secretRef:\n            name: s\n"
#define SQL_REGISTRY "    registry:\n      local:\n        persistence:\n          store:\n            type: sql\n            secretRef:\n              name: s\n"
#define AUTOSCALING "    scaling:\n      autoscaling:\n        maxReplicas: 5\n"

static size_t scaling_errors(const char *spec, const struct scaling_override *o)
{
	diags_init(&D, &A);
	return rules_check_scaling(parse(featurestore(spec)), o, &D);
}

Test(rules, scaling_override_replicas)
{
	struct scaling_override three = { .set_replicas = true, .replicas = 3 };
	struct scaling_override one = { .set_replicas = true, .replicas = 1 };
	/* a file-backed store is fine as written, refused at 3 replicas */
	cr_assert_eq(scaling_errors("", NULL), 0);
	cr_assert_eq(scaling_errors("", &one), 0);
	cr_assert_eq(scaling_errors("", &three), 2); /* online store and registry */
	cr_assert_not_null(find_error("scaling-online-db", "spec"));
	cr_assert_not_null(find_error("scaling-registry-db", "spec"));
	cr_assert(strstr(find_error("scaling-online-db", "spec")->msg, "online store"));
	cr_assert_eq(scaling_errors("  services:\n" DB_ONLINE SQL_REGISTRY, &three), 0);
	/* replicas as written are replaced, not combined */
	cr_assert_eq(scaling_errors("  replicas: 5\n", &one), 0);
}

Test(rules, scaling_override_autoscaler)
{
	struct scaling_override keda = { .set_autoscaler = true, .autoscaler = true };
	struct scaling_override none = { .set_autoscaler = true, .autoscaler = false };
	cr_assert_eq(scaling_errors("  services:\n" DB_ONLINE SQL_REGISTRY, &keda), 0);
	cr_assert_eq(scaling_errors("  replicas: 3\n  services:\n" DB_ONLINE SQL_REGISTRY, &keda), 1);
	cr_assert_not_null(find_error("scaling-exclusive", "spec"));
	cr_assert_eq(scaling_errors("  services:\n" AUTOSCALING, &none), 0);
	cr_assert_eq(scaling_errors("  services:\n" AUTOSCALING, NULL), 2);
	cr_assert_eq(scaling_errors("", &keda), 2);
}

Test(rules, scaling_position_is_the_spec_key)
{
	struct scaling_override three = { .set_replicas = true, .replicas = 3 };
	scaling_errors("", &three);
	cr_assert_eq(D.v[0].pos.line, 5);
	cr_assert_eq(D.v[0].pos.col, 1);
	cr_assert_str_eq(D.v[0].path, "spec");
}

/* ---- reconcile-time rules ---- */

Test(rules, local_server)
{
	const char *msg = "at least one local server must be configured. e.g. registry / online / offline";
	expect_error(featurestore("  services:\n    onlineStore:\n      disabled: true\n"), "local-server", "spec.services",
		     msg);
	expect_clean(featurestore("  services:\n    onlineStore:\n      disabled: true\n    registry:\n      local:\n"
				  "        server: {}\n"));
	expect_clean(featurestore("  services:\n    onlineStore:\n      disabled: true\n    offlineStore:\n      server: {}\n"));
	expect_clean(featurestore(""));
}

static char *name_of(size_t len)
{
	char *s = arena_alloc(&A, len + 1);
	memset(s, 'a', len);
	return s;
}

Test(rules, derived_service_name_too_long)
{
	const char *rest = "  services:\n    registry:\n      local:\n        server:\n          restAPI: true\n";
	/* feast-<43>-registry-rest is 63 characters: the longest that works */
	expect_clean(featurestore_named("feast.dev/v1", name_of(43), rest));
	char *name = name_of(44);
	const struct diag *x = expect_error(featurestore_named("feast.dev/v1", name, rest), "derived-names", "metadata.name", NULL);
	char *want = arena_printf(&A,
				  "Invalid value: \"%s\": the Service name \"feast-%s-registry-rest\" derived from it: must be "
				  "no more than 63 characters (metadata.name may have at most 43 characters)",
				  name, name);
	cr_assert_str_eq(x->msg, want);
	cr_assert_eq(x->pos.line, 4);
	/* without the REST server the same name is fine */
	expect_clean(featurestore_named("feast.dev/v1", name, ""));
}

Test(rules, derived_names_dns1035_and_label)
{
	const struct diag *x = expect_error(featurestore_named("feast.dev/v1", "a.b", ""), "derived-names", "metadata.name", NULL);
	cr_assert(strstr(x->msg, "the Service name \"feast-a.b-online\""), "%s", x->msg);
	cr_assert(strstr(x->msg, "a DNS-1035 label must consist of"), "%s", x->msg);
	x = expect_error(featurestore_named("feast.dev/v1", name_of(64), "  services:\n    onlineStore:\n      disabled: true\n"
					    "    offlineStore:\n      server: {}\n"), "derived-names", "metadata.name", NULL);
	cr_assert(strstr(x->msg, "the label feast.dev/name name"), "%s", x->msg);
	/* CronJob names stop at 52 */
	expect_clean(featurestore_named("feast.dev/v1", name_of(40), "  cronJob:\n    schedule: '@daily'\n"));
	x = expect_error(featurestore_named("feast.dev/v1", name_of(47), "  cronJob:\n    schedule: '@daily'\n"),
			 "derived-names", "metadata.name", NULL);
	cr_assert(strstr(x->msg, "the CronJob name"), "%s", x->msg);
	cr_assert(strstr(x->msg, "(metadata.name may have at most 46 characters)"), "%s", x->msg);
}

Test(rules, derived_names_table_is_complete)
{
	static const char *const expected[] = {
		"feast-%s", "feast-%s-client", "feast-%s-online", "feast-%s-offline", "feast-%s-registry",
		"feast-%s-registry-rest", "feast-%s-ui", "feast-%s-sidecar", "feast-%s-cronjob",
		"feast-%s-cluster-binding", "feast-%s-oidc-token-review", "feast-%s-registry-lock", NULL,
	};
	for (const char *const *e = expected; *e; e++) {
		bool found = false;
		for (size_t i = 0; i < derived_names_count; i++)
			found |= !strcmp(derived_names[i].format, *e);
		cr_assert(found, "no derived name %s", *e);
	}
	for (size_t i = 0; i < derived_names_count; i++)
		if (!strcmp(derived_names[i].kind, "Service"))
			cr_assert_eq(derived_names[i].rule, NAME_DNS1035);
}

Test(rules, metadata_name)
{
	char *text = "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  namespace: n\nspec:\n  feastProject: p\n";
	const struct diag *x = expect_error(text, "metadata", "metadata.name", "Required value");
	cr_assert_eq(x->pos.line, 3);
	x = expect_error("apiVersion: feast.dev/v1\nkind: FeatureStore\nspec:\n  feastProject: p\n", "metadata", "metadata.name",
			 "Required value");
	cr_assert_eq(x->pos.line, 1);
	expect_error(featurestore_named("feast.dev/v1", "UPPER", ""), "metadata", "metadata.name", NULL);
}

/* ---- Kubernetes name rules ---- */

/* testdata/rules/names.yaml: each rule with names it accepts and names it refuses. */
static const struct {
	const char *rule;
	const char *(*error)(const char *s);
} name_rules[] = {
	{ "dns1123-label", dns1123_label_error },
	{ "dns1123-subdomain", dns1123_subdomain_error },
	{ "dns1035-label", dns1035_label_error },
	{ "label-value", label_value_error },
	{ "qualified-name", qualified_name_error },
};

UNIT_CASES_PARAMS(rules, name_rule, "testdata/rules/names.yaml")

ParameterizedTest(struct unit_case *c, rules, name_rule)
{
	const struct node *doc = parse(c->text);
	const struct node *valid = map_get(doc, "valid"), *invalid = map_get(doc, "invalid");
	const char *rule = node_str_or(map_get(doc, "rule"), "");
	const char *(*error)(const char *) = NULL;
	for (size_t i = 0; i < sizeof(name_rules) / sizeof(name_rules[0]); i++)
		if (!strcmp(name_rules[i].rule, rule))
			error = name_rules[i].error;
	cr_assert_not_null(error, "%s: no name rule \"%s\"", c->where, rule);
	node_seq_each(valid, v)
		cr_expect_null(error(node_text(v)), "%s: %s must accept \"%s\"", c->where, rule, node_text(v));
	node_seq_each(invalid, v) {
		const char *name = node_text(v) ? node_text(v) : node_str_or(map_get(v, "name"), "");
		const char *want = node_str_or(map_get(v, "message"), NULL), *got = error(name);
		cr_expect_not_null(got, "%s: %s must refuse \"%s\"", c->where, rule, name);
		if (got && want)
			cr_expect_str_eq(got, want, "%s: %s of \"%s\"", c->where, rule, name);
	}
}

Test(rules, labels_and_annotations)
{
	expect_error("apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: t\n  labels:\n    ok: 'yes'\n"
		     "    bad key!: x\nspec:\n  feastProject: p\n",
		     "metadata", "metadata.labels", NULL);
	const struct diag *x = expect_error("apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: t\n"
					    "  annotations:\n    enabled: on\nspec:\n  feastProject: p\n",
					    "schema.type", "metadata.annotations.enabled", NULL);
	cr_assert(strstr(x->msg, "write \"on\" to pass a string"), "%s", x->msg);
	expect_error("apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: t\n  owner: me\nspec:\n  feastProject: p\n",
		     "schema.unknown", "metadata.owner", "field not declared in schema");
}

/* ---- the run as a whole: Lists, identities, int-or-string ---- */

static struct doclist parse_all(const char *text)
{
	struct doclist l = { 0 };
	char *copy = arena_strdup(&A, text);
	cr_assert_eq(yaml_parse(&A, "t.yaml", copy, strlen(copy), NULL, &l, &D), 0);
	return l;
}

Test(rules, lists_unwrap_into_their_items)
{
	struct doclist l = parse_all("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, "
				     "metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n"
				     "---\napiVersion: v1\nkind: ConfigMapList\nitems: []\n");
	cr_assert_eq(doclist_unwrap(&A, &l, &D), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(node_text(node_at(l.v[1].root, "metadata.name")), "b");
	cr_assert_eq(l.v[1].root->pos.line, 5);
}

Test(rules, same_identity_twice_is_an_error)
{
	struct doclist l = parse_all("apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: x}\n---\n"
				     "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: y}\n---\n"
				     "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: x}\n");
	cr_assert_eq(docshape_check_unique(&l, &D), 1);
	cr_assert_eq(D.v[0].pos.line, 9);
	cr_assert(strstr(D.v[0].msg, "t.yaml:1"), "%s", D.v[0].msg);
}

Test(rules, int_or_string_as_the_api_server)
{
	cr_assert_eq(check_text(featurestore("  replicas: 2\n  services:\n    podDisruptionBudgets:\n"
					     "      maxUnavailable: \"1\"\n")) > 0, true);
	cr_assert(strstr(D.v[D.n - 1].msg, "a valid percent string"), "%s", D.v[D.n - 1].msg);
	diags_init(&D, &A);
	cr_assert_eq(intorstr_check(parse("services:\n  podDisruptionBudgets: {minAvailable: 25%}\n"), &D), 0);
	cr_assert_eq(intorstr_check(parse("services:\n  podDisruptionBudgets: {minAvailable: 101%}\n"), &D), 1);
}
