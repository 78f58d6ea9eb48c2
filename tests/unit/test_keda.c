/* test_keda.c -- ScaledObjects paired with FeatureStores, and every KEDA rule (pass and fail). */
#include "rules_util.h"

#include "keda.h"

TestSuite(keda, .init = suite_setup, .fini = suite_teardown);

#define DB_STORE                                                                                          \
	"  services:\n    onlineStore:\n      persistence:\n        store:\n          type: redis\n"          \
	"          secretRef:\n            name: s\n    registry:\n      local:\n        persistence:\n"     \
	"          store:\n            type: sql\n            secretRef:\n              name: s\n"

static struct doclist L;

/* A FeatureStore named `name` with `body` (spec lines after feastProject). */
static const char *store(const char *name, const char *body)
{
	return arena_printf(&A, "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: %s\n"
				"  namespace: feast\nspec:\n  feastProject: %s\n%s",
			    name, name, body);
}

/* A ScaledObject with `meta` lines under metadata and `spec` lines under spec, one cron trigger. */
static const char *scaled(const char *meta, const char *spec)
{
	return arena_printf(&A, "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n%s"
				"spec:\n%s  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n"
				"      start: 0 8 * * *\n      end: 0 18 * * *\n      desiredReplicas: \"2\"\n",
			    meta, spec);
}

/* Parse documents joined by `---` and run check_documents on them. */
static size_t check_stream(const char *first, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		buf_addf(&b, "%s%s", b.len ? "---\n" : "", s);
	va_end(ap);
	const char *text = arena_strdup(&A, b.data);
	buf_release(&b);
	memset(&L, 0, sizeof(L));
	diags_init(&D, &A);
	struct diags pd;
	diags_init(&pd, &A);
	cr_assert_eq(yaml_parse(&A, "s.yaml", text, strlen(text), NULL, &L, &pd), 0, "test YAML must parse");
	size_t n = check_documents(&A, &L, &D);
	dump_diags();
	return n;
}

static struct keda_list resolve(void)
{
	struct keda_list l;
	struct diags scratch;
	diags_init(&scratch, &A);
	keda_resolve(&A, &L, &l, &scratch);
	return l;
}

static void expect_msg(const char *rule, const char *path, const char *needle)
{
	const struct diag *x = find_error(rule, path);
	cr_assert_not_null(x, "no %s error at %s", rule, path);
	cr_assert(strstr(x->msg, needle), "%s: \"%s\" lacks \"%s\"", rule, x->msg, needle);
}

/* ---- pairing ---- */

Test(keda, no_target_with_one_store)
{
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", ""), NULL), 0);
	struct keda_list l = resolve();
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.v[0].fs, &L.v[0]);
	cr_assert_eq(l.v[0].min, KEDA_DEFAULT_MIN);
	cr_assert_eq(l.v[0].max, KEDA_DEFAULT_MAX);
	cr_assert_eq(keda_for_store(&l, &L.v[0]), &l.v[0]);
}

Test(keda, no_target_needs_exactly_one_store)
{
	cr_assert_eq(check_stream(scaled("  name: so\n", ""), NULL), 1);
	expect_msg("keda-target", "spec.scaleTargetRef", "the input holds no FeatureStore");
	cr_assert_eq(check_stream(store("a", DB_STORE), store("b", DB_STORE), scaled("  name: so\n", ""), NULL), 1);
	expect_msg("keda-target", "spec.scaleTargetRef", "the input holds 2 FeatureStores (a, b)");
	cr_assert_eq(D.v[0].pos.line, 50); /* the spec of the ScaledObject, the third document */
}

Test(keda, named_store)
{
	const char *ref = "  scaleTargetRef:\n    apiVersion: feast.dev/v1\n    kind: FeatureStore\n    name: b\n";
	cr_assert_eq(check_stream(store("a", ""), store("b", DB_STORE), scaled("  name: so\n", ref), NULL), 0);
	struct keda_list l = resolve();
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.v[0].fs, &L.v[1]);
	cr_assert_null(keda_for_store(&l, &L.v[0]));
}

Test(keda, store_not_in_input)
{
	const char *ref = "  scaleTargetRef:\n    kind: FeatureStore\n    name: c\n";
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", ref), NULL), 1);
	expect_msg("keda-target", "spec.scaleTargetRef.name",
		   "FeatureStore \"c\" is not in the input (FeatureStores in the input: a)");
	/* a namespace of its own must be the store's */
	const char *ref_a = "  scaleTargetRef:\n    kind: FeatureStore\n    name: a\n";
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n  namespace: other\n", ref_a), NULL), 1);
	expect_msg("keda-target", "spec.scaleTargetRef.name", "\"a\" in namespace \"other\" is not in the input");
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n  namespace: feast\n", ref_a), NULL), 0);
}

Test(keda, wrong_group_for_a_feature_store)
{
	const char *ref = "  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: FeatureStore\n    name: a\n";
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", ref), NULL), 1);
	expect_msg("keda-target", "spec.scaleTargetRef.apiVersion", "a FeatureStore is feast.dev/v1");
}

Test(keda, the_stores_deployment_counts)
{
	const char *ref = "  scaleTargetRef:\n    name: feast-a\n";
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", ref), NULL), 0);
	cr_assert_eq(resolve().n, 1);
	/* another workload's ScaledObject is not ours: no pairing, no error */
	const char *other = "  scaleTargetRef:\n    name: web\n";
	cr_assert_eq(check_stream(store("a", ""), scaled("  name: so\n", other), NULL), 0);
	cr_assert_eq(resolve().n, 0);
	const char *sts = "  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: StatefulSet\n    name: feast-a\n";
	cr_assert_eq(check_stream(store("a", ""), scaled("  name: so\n", sts), NULL), 0);
	cr_assert_eq(resolve().n, 0);
}

Test(keda, one_scaled_object_per_store)
{
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: one\n", ""), scaled("  name: two\n", ""), NULL), 1);
	expect_msg("keda-target", "spec.scaleTargetRef", "is already scaled by ScaledObject \"one\" (s.yaml:23)");
}

/* ---- the rules of a pair ---- */

Test(keda, not_with_an_hpa)
{
	const char *hpa = "  services:\n    scaling:\n      autoscaling:\n        maxReplicas: 3\n";
	cr_assert_geq(check_stream(store("a", hpa), scaled("  name: so\n", ""), NULL), 1);
	expect_msg("keda-autoscaling", "spec.services.scaling.autoscaling",
		   "a KEDA ScaledObject and services.scaling.autoscaling are mutually exclusive");
}

Test(keda, not_with_fixed_replicas)
{
	cr_assert_geq(check_stream(store("a", "  replicas: 2\n" DB_STORE), scaled("  name: so\n", ""), NULL), 1);
	expect_msg("keda-replicas", "spec.replicas", "replicas > 1 and a KEDA ScaledObject are mutually exclusive");
	cr_assert_eq(check_stream(store("a", "  replicas: 1\n" DB_STORE), scaled("  name: so\n", ""), NULL), 0);
}

Test(keda, db_persistence_above_one_replica)
{
	/* a file-backed store: the operator's messages, at the store's spec */
	cr_assert_eq(check_stream(store("a", ""), scaled("  name: so\n", ""), NULL), 2);
	const struct diag *x = find_error("scaling-online-db", "spec");
	cr_assert_not_null(x);
	cr_assert(!strncmp(x->msg, "Invalid value: \"object\": Scaling requires DB-backed persistence for the online "
				   "store. Configure services.onlineStore.persistence.store when using replicas > 1 or "
				   "autoscaling.", 150));
	cr_assert(strstr(x->msg, "can scale it to 100 replicas: maxReplicaCount defaults to 100"));
	cr_assert_not_null(find_error("scaling-registry-db", "spec"));
	cr_assert_eq(x->pos.line, 6);
	/* an explicit maximum above 1 too; at most 1 the store keeps its file persistence */
	cr_assert_eq(check_stream(store("a", ""), scaled("  name: so\n", "  maxReplicaCount: 2\n"), NULL), 2);
	expect_msg("scaling-online-db", "spec", "can scale it to 2 replicas)");
	cr_assert_eq(check_stream(store("a", ""), scaled("  name: so\n", "  maxReplicaCount: 1\n"), NULL), 0);
	cr_assert_eq(check_stream(store("a", ""),
				  scaled("  name: so\n", "  minReplicaCount: 0\n  maxReplicaCount: 1\n"), NULL), 0);
}

Test(keda, idle_below_min)
{
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", "  idleReplicaCount: 0\n"), NULL), 0);
	cr_assert_eq(check_stream(store("a", DB_STORE),
				  scaled("  name: so\n", "  idleReplicaCount: 2\n  minReplicaCount: 2\n"), NULL), 1);
	expect_msg("keda-idle", "spec.idleReplicaCount", "IdleReplicaCount=2 must be less than MinReplicaCount=2");
}

Test(keda, cpu_memory_cannot_scale_to_zero)
{
	const char *cpu = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so\nspec:\n"
			  "  minReplicaCount: 0\n  triggers:\n  - type: cpu\n    metricType: Utilization\n"
			  "    metadata:\n      value: \"60\"\n";
	cr_assert_eq(check_stream(store("a", DB_STORE), cpu, NULL), 1);
	expect_msg("keda-scale-to-zero", "spec.minReplicaCount", "only cpu/memory triggers AND minReplica is 0");
	/* with another trigger, or no minimum written (render writes 1), it is fine */
	const char *mixed = arena_printf(&A, "%s  - type: cron\n    metadata:\n      timezone: UTC\n"
					     "      start: 0 8 * * *\n      end: 0 9 * * *\n      desiredReplicas: \"1\"\n",
					 cpu);
	cr_assert_eq(check_stream(store("a", DB_STORE), mixed, NULL), 0);
	const char *no_min = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so\nspec:\n"
			     "  triggers:\n  - type: memory\n    metricType: Utilization\n    metadata:\n"
			     "      value: \"60\"\n";
	cr_assert_eq(check_stream(store("a", DB_STORE), no_min, NULL), 0);
}

Test(keda, name_length)
{
	char name[80];
	memset(name, 'x', 64);
	name[64] = '\0';
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled(arena_printf(&A, "  name: %s\n", name), ""), NULL), 1);
	expect_msg("keda-name", "metadata.name", "is 64 characters long; must be no more than 63 characters");
	name[63] = '\0';
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled(arena_printf(&A, "  name: %s\n", name), ""), NULL), 0);
}

/* ---- the CRD schema, with scaleTargetRef optional ---- */

Test(keda, schema_checks_the_scaled_object)
{
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", "  bogus: 1\n"), NULL), 1);
	cr_assert_str_eq(D.v[0].path, "spec.bogus");
	cr_assert(strstr(D.v[0].msg, "field not declared in schema"));
	cr_assert_eq(check_stream(store("a", DB_STORE), scaled("  name: so\n", "  maxReplicaCount: many\n"), NULL), 1);
	cr_assert_str_eq(D.v[0].path, "spec.maxReplicaCount");
	/* a target written without a name is still incomplete */
	cr_assert_geq(check_stream(store("a", DB_STORE), scaled("  name: so\n", "  scaleTargetRef:\n    kind: FeatureStore\n"),
				   NULL), 1);
	cr_assert_not_null(find_error(NULL, "spec.scaleTargetRef.name"));
}

Test(keda, schema_view_leaves_the_document_alone)
{
	struct node *root = parse(scaled("  name: so\n", ""));
	const struct node *view = keda_schema_view(&A, root);
	cr_assert_neq(view, root);
	cr_assert_null(node_at(root, "spec.scaleTargetRef"));
	cr_assert_not_null(node_at(view, "spec.scaleTargetRef.name"));
	struct node *full = parse(scaled("  name: so\n", "  scaleTargetRef:\n    name: web\n"));
	cr_assert_eq(keda_schema_view(&A, full), full);
}
