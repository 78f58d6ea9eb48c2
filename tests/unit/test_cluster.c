/* test_cluster.c -- the cluster library without a cluster: rollout verdicts, prune selection, field sets, prune kinds, the stored spec. */
#include "rules_util.h"
#include "unit_cases.h"

#include "apply_noop.h"
#include "fieldset.h"
#include "json.h"
#include "reconcile.h"
#include "rollout.h"
#include "scale_rules.h"

#include <glob.h>

TestSuite(cluster, .init = suite_setup, .fini = suite_teardown);

/* A case's setting that must be there. */
static const char *need(const struct unit_case *c, const char *key)
{
	const char *v = unit_case_get(c, key);
	cr_assert_not_null(v, "%s: no `# %s:` line", c->where, key);
	return v;
}

static const char *as_json(const struct node *n)
{
	if (!n)
		return "null";
	struct buf b = BUF_INIT;
	json_emit(&b, n, 0);
	const char *s = arena_strdup(&A, b.data);
	buf_release(&b);
	return s;
}

/* ---- rollout: testdata/cluster/rollout.yaml ---- */

UNIT_CASES_PARAMS(cluster, rollout_case, "testdata/cluster/rollout.yaml")

ParameterizedTest(struct unit_case *c, cluster, rollout_case)
{
	char msg[512];
	int verdict = rollout_status(parse(c->text), msg, sizeof(msg));
	cr_expect_eq(verdict, atoi(need(c, "verdict")), "%s: verdict %d", c->where, verdict);
	cr_expect_str_eq(msg, need(c, "message"), "%s", c->where);
}

/* ---- prune selection: testdata/cluster/prune.yaml ---- */

UNIT_CASES_PARAMS(cluster, prune_case, "testdata/cluster/prune.yaml")

ParameterizedTest(struct unit_case *c, cluster, prune_case)
{
	const char *resource = need(c, "resource");
	const char *sp = strchr(resource, ' ');
	cr_assert_not_null(sp, "%s: `# resource: API-VERSION KIND`", c->where);
	const struct kube_resource *res = kube_resource_builtin(arena_strndup(&A, resource, (size_t)(sp - resource)), sp + 1);
	cr_assert_not_null(res, "%s: no such resource %s", c->where, resource);
	struct node *item = parse(c->text);
	struct rec_store st = { .name = "s", .ns = "team" };
	struct rec_set set = { 0 };
	if (!strcmp(need(c, "rendered"), "yes")) {
		struct rec_obj *o = rec_set_push(&A, &set);
		o->res = *res;
		o->ns = res->namespaced ? "team" : "";
		o->name = node_str_or(node_at(item, "metadata.name"), "");
	}
	bool want = !strcmp(need(c, "prune"), "yes");
	cr_expect_eq(rec_prune_candidate(&set, &st, res, item), want, "%s: prune must be %s", c->where,
		     want ? "yes" : "no");
}

/* ---- field sets: testdata/cluster/fieldset.yaml ---- */

UNIT_CASES_PARAMS(cluster, fieldset_case, "testdata/cluster/fieldset.yaml")

ParameterizedTest(struct unit_case *c, cluster, fieldset_case)
{
	struct node *doc = parse(c->text);
	const struct node *obj = map_get(doc, "object");
	const struct node *want = map_get(doc, "want");
	struct node *set = fieldset_of(&A, obj, need(c, "manager"));
	struct node *got = fieldset_project(&A, obj, set);
	const char *w = node_is_null(want) ? "null" : as_json(want);
	cr_expect_str_eq(as_json(got), w, "%s", c->where);
}

Test(cluster, fieldset_union_joins_both)
{
	struct node *x = parse("f:a: {f:b: {}}\nf:c: {}\n");
	struct node *y = parse("f:a: {f:d: {}}\nf:e: {}\n");
	cr_expect_str_eq(as_json(fieldset_union(&A, x, y)), "{\"f:a\":{\"f:b\":{},\"f:d\":{}},\"f:c\":{},\"f:e\":{}}");
	cr_expect_str_eq(as_json(fieldset_union(&A, NULL, y)), as_json(y));
	cr_expect_null(fieldset_union(&A, NULL, NULL));
}

/* ---- skipping applies: testdata/cluster/apply-noop*.yaml ---- */

/* What the API server would hold of a YAML tree: its JSON as sent, parsed back. */
static struct node *as_sent(const struct node *n)
{
	if (!n || node_is_null(n))
		return NULL;
	const char *text = as_json(n);
	return json_parse(&A, text, strlen(text), "case", &D);
}

UNIT_CASES_PARAMS(cluster, noop_fieldset_case, "testdata/cluster/apply-noop-fieldset.yaml")

ParameterizedTest(struct unit_case *c, cluster, noop_fieldset_case)
{
	struct node *doc = parse(c->text);
	struct node *got = apply_noop_fieldset(&A, as_sent(map_get(doc, "object")));
	struct node *want = as_sent(map_get(doc, "want"));
	if (!want)
		cr_expect_null(got, "%s: %s", c->where, as_json(got));
	else
		cr_expect(got && apply_noop_fieldset_equal(got, want), "%s: got %s, want %s", c->where,
			  as_json(got), as_json(want));
}

UNIT_CASES_PARAMS(cluster, noop_case, "testdata/cluster/apply-noop.yaml")

ParameterizedTest(struct unit_case *c, cluster, noop_case)
{
	struct node *doc = parse(c->text);
	const char *why = apply_noop_why(&A, as_sent(map_get(doc, "object")), as_sent(map_get(doc, "live")),
					 REC_FIELD_MANAGER);
	if (!strcmp(need(c, "want"), "skip")) {
		cr_expect_null(why, "%s: sent because %s", c->where, why);
		return;
	}
	cr_assert_not_null(why, "%s: skipped", c->where);
	cr_expect(strstr(why, need(c, "why")) != NULL, "%s: %s", c->where, why);
}

Test(cluster, noop_fieldset_keys_compare_as_json)
{
	struct node *x = parse("'k:{\"a\":1,\"b\":\"x\"}': {.: {}, f:a: {}}\n");
	struct node *y = parse("'k:{\"b\": \"x\", \"a\": 1}': {f:a: {}, .: {}}\n");
	struct node *z = parse("'k:{\"a\":2,\"b\":\"x\"}': {.: {}, f:a: {}}\n");
	cr_expect(apply_noop_fieldset_equal(x, y));
	cr_expect(!apply_noop_fieldset_equal(x, z));
	cr_expect(!apply_noop_fieldset_equal(x, NULL));
}

/* ---- scale rules: testdata/rules/scale-rules.yaml ---- */

UNIT_CASES_PARAMS(cluster, scale_rule_case, "testdata/rules/scale-rules.yaml")

ParameterizedTest(struct unit_case *c, cluster, scale_rule_case)
{
	struct node *fs = parse(c->text);
	size_t n = scale_check_rules(fs, atoll(need(c, "replicas")), unit_case_get(c, "scaled-by"), &D);
	const char *want = need(c, "error");
	if (!strcmp(want, "none")) {
		cr_expect_eq(n, 0, "%s: refused: %s", c->where, n ? D.v[0].msg : "");
		return;
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < D.n; i++)
		buf_addf(&b, "%s%s %s", i ? "; " : "", D.v[i].rule ? D.v[i].rule : "(none)", D.v[i].path);
	const char *got = arena_strdup(&A, b.data);
	buf_release(&b);
	cr_expect_eq(n, D.n, "%s", c->where);
	cr_expect_str_eq(got, want, "%s: got %s (%s)", c->where, got, D.v[0].msg);
}

/* ---- prune kinds: every kind render builds for a store can be pruned ---- */

static bool in_kinds(const struct kube_resource *const *kinds, size_t n, const struct kube_resource *res)
{
	for (size_t i = 0; i < n; i++)
		if (kinds[i] == res)
			return true;
	return false;
}

static bool built_for_a_store(const struct rec_obj *o)
{
	enum doc_kind k = o->src ? doc_classify(o->src->root) : DOC_OTHER;
	return k == DOC_FEATURESTORE_V1 || k == DOC_FEATURESTORE_V1ALPHA1;
}

/* Render one golden input as apply does (a session of its own) and check that each
 * object built for a store is of a kind prune and delete list.  Returns how many objects
 * it checked; an input render refuses (a case of an error golden) checks none. */
static size_t check_prunable(const char *path, const struct kube_resource *const *kinds, size_t nk)
{
	struct rec_session s;
	rec_init(&s);
	s.cfg.namespace = "ns";
	struct buf b = BUF_INIT;
	cr_assert_eq(buf_read_path(&b, path), 0, "cannot read %s", path);
	char *text = arena_strndup(&s.a, b.data, b.len);
	buf_release(&b);
	struct doclist docs = { 0 };
	struct render_flags ro = { .target = RENDER_TARGET_STANDALONE };
	struct rec_set set = { 0 };
	size_t built = 0;
	if (yaml_parse(&s.a, path, text, strlen(text), NULL, &docs, &s.d) == 0 &&
	    check_documents(&s.a, &docs, &s.d) == 0 && rec_render(&s, &docs, &ro, true, &set) == 0)
		for (size_t i = 0; i < set.n; i++) {
			const struct rec_obj *o = &set.v[i];
			if (!built_for_a_store(o))
				continue;
			const char *api = node_str_or(map_get(o->obj, "apiVersion"), "");
			const char *kind = node_str_or(map_get(o->obj, "kind"), "");
			const struct kube_resource *res = kube_resource_builtin(api, kind);
			cr_expect(res && in_kinds(kinds, nk, res), "%s: %s %s is rendered but prune never lists it",
				  path, api, kind);
			built++;
		}
	rec_free(&s);
	return built;
}

/* A session with the kinds prune lists for standalone stores. */
static const struct kube_resource **standalone_kinds(struct rec_session *s, size_t *nk)
{
	const struct kube_resource **kinds;
	rec_init(s);
	cr_assert_eq(rec_kinds(s, RENDER_TARGET_STANDALONE, &kinds, nk), 0);
	return kinds;
}

Test(cluster, every_rendered_kind_is_prunable)
{
	struct rec_session s;
	size_t nk;
	const struct kube_resource **kinds = standalone_kinds(&s, &nk);
	glob_t g;
	const char *src = getenv("FEAST_SOURCE_DIR") ? getenv("FEAST_SOURCE_DIR") : ".";
	cr_assert_eq(glob(arena_printf(&s.a, "%s/testdata/render/*.yaml", src), 0, NULL, &g), 0);
	size_t built = 0, files = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t n = check_prunable(g.gl_pathv[i], kinds, nk);
		files += n > 0;
		built += n;
	}
	globfree(&g);
	cr_expect_geq(files, 30, "only %zu of the golden inputs rendered", files);
	cr_expect_geq(built, 300, "only %zu objects checked", built);
	rec_free(&s);
}

Test(cluster, prune_kinds_delete_dependents_first)
{
	struct rec_session s;
	size_t nk;
	const struct kube_resource **kinds = standalone_kinds(&s, &nk);
	size_t dep = nk, sa = nk;
	for (size_t i = 0; i < nk; i++) {
		if (!strcmp(kinds[i]->kind, "Deployment"))
			dep = i;
		if (!strcmp(kinds[i]->kind, "ServiceAccount"))
			sa = i;
	}
	cr_assert(dep < nk && sa < nk);
	cr_expect_lt(dep, sa, "the Deployment goes before the ServiceAccount its pods run as");
	cr_assert_eq(rec_kinds(&s, RENDER_TARGET_OPERATOR, &kinds, &nk), 0);
	cr_expect_eq(nk, 1);
	cr_expect_str_eq(kinds[0]->kind, "ScaledObject");
	rec_free(&s);
}

/* ---- the stored spec: what apply writes on the Deployment, scale NAME reads back ---- */

static const char *render_all(struct rec_session *s, const struct doclist *docs, const struct render_flags *ro)
{
	struct rec_set set = { 0 };
	cr_assert_eq(rec_render(s, docs, ro, true, &set), 0);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < set.n; i++)
		json_emit(&b, set.v[i].obj, 0);
	const char *text = arena_strdup(&A, b.data);
	buf_release(&b);
	return text;
}

static const struct node *deployment_of(struct rec_session *s, const struct doclist *docs,
					const struct render_flags *ro)
{
	struct rec_set set = { 0 };
	cr_assert_eq(rec_render(s, docs, ro, true, &set), 0);
	for (size_t i = 0; i < set.n; i++)
		if (!strcmp(node_str_or(map_get(set.v[i].obj, "kind"), ""), "Deployment"))
			return set.v[i].obj;
	cr_assert_fail("no Deployment rendered");
	return NULL;
}

Test(cluster, stored_spec_renders_the_same)
{
	struct rec_session s;
	rec_init(&s);
	s.cfg.namespace = "team";
	const char *text = "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: s\nspec:\n"
			   "  feastProject: s\n  replicas: 2\n  services:\n"
			   "    onlineStore: {persistence: {store: {type: redis, secretRef: {name: r}}}}\n"
			   "    registry: {local: {persistence: {store: {type: sql, secretRef: {name: q}}}}}\n";
	struct doclist docs = { 0 };
	cr_assert_eq(yaml_parse(&s.a, "s.yaml", text, strlen(text), NULL, &docs, &s.d), 0);
	struct render_flags ro = { .target = RENDER_TARGET_STANDALONE, .image = "example.com/feast:1",
				   .sidecar = RENDER_SIDECAR_ALWAYS, .readiness = RENDER_READINESS_GATE,
				   .prestop_seconds = 7, .keda_adopt_hpa = true };
	const struct node *dep = deployment_of(&s, &docs, &ro);
	struct doclist back = { 0 };
	struct render_flags ro2;
	cr_assert_eq(rec_stored_spec(&s, dep, &back, &ro2), 1, "%s", s.d.n ? s.d.v[0].msg : "");
	cr_assert_eq(back.n, 1);
	cr_expect_str_eq(node_str_or(node_at(back.v[0].root, "metadata.namespace"), ""), "team");
	cr_expect_str_eq(ro2.image, ro.image);
	cr_expect_eq(ro2.sidecar, ro.sidecar);
	cr_expect_eq(ro2.readiness, ro.readiness);
	cr_expect_eq(ro2.prestop_seconds, ro.prestop_seconds);
	cr_expect(ro2.keda_adopt_hpa);
	cr_expect_str_eq(render_all(&s, &back, &ro2), render_all(&s, &docs, &ro),
			 "re-rendering the stored spec must give what apply applied");
	rec_free(&s);
}

Test(cluster, stored_spec_absent_or_broken)
{
	struct rec_session s;
	rec_init(&s);
	struct doclist docs = { 0 };
	struct render_flags ro;
	cr_expect_eq(rec_stored_spec(&s, parse("metadata: {name: feast-x}\n"), &docs, &ro), 0);
	cr_expect_eq(rec_stored_spec(&s, parse("metadata:\n  name: feast-x\n  annotations:\n"
					       "    feast.dev/applied-spec: '{\"kind\": \"ConfigMap\"}'\n"),
				     &docs, &ro),
		     -1);
	cr_expect(s.d.errors > 0 && strstr(s.d.v[s.d.n - 1].msg, "not a FeatureStore"));
	cr_expect_eq(rec_stored_spec(&s, parse("metadata:\n  name: feast-x\n  annotations:\n"
					       "    feast.dev/applied-spec: '{\"kind\": '\n"),
				     &docs, &ro),
		     -1);
	rec_free(&s);
}
