/* test_render.c -- the render API: decisions, object invariants, golden trees read back by libyaml. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "doc.h"
#include "input.h"
#include "lease.h"
#include "lint_int.h"
#include "opts.h"
#include "render.h"
#include "render_flags.h"
#include "render_int.h"
#include "spec.h"
#include "yaml_in.h"

#include "suite.h"

TestSuite(render, .init = suite_setup, .fini = suite_teardown);

static const char *src_dir(void)
{
	const char *s = getenv("FEAST_SOURCE_DIR");
	return s ? s : ".";
}

static struct doclist parse(const char *name, const char *text)
{
	struct doclist l = { 0 };
	cr_assert_eq(yaml_parse(&A, name, text, strlen(text), NULL, &l, &D), 0, "%s does not parse", name);
	return l;
}

static struct doclist parse_file(const char *path)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(buf_read_path(&b, path), 0, "cannot read %s", path);
	char *text = arena_strndup(&A, b.data, b.len);
	buf_release(&b);
	return parse(path, text);
}

static struct objlist render_opts_with(const struct doclist *docs, const struct render_opts *o)
{
	struct objlist out = { 0 };
	int rc = render_documents(&A, docs, o, &out, &D);
	if (rc)
		for (size_t i = 0; i < D.n; i++)
			cr_log_error("%s: %s", D.v[i].path, D.v[i].msg);
	cr_assert_eq(rc, 0);
	return out;
}

static struct objlist render_with(const struct doclist *docs, const char *ns, const char *image)
{
	struct render_opts o = { .namespace = ns, .image = image, .target = RENDER_TARGET_STANDALONE };
	return render_opts_with(docs, &o);
}

static struct objlist render_ok(const struct doclist *docs, const char *ns)
{
	return render_with(docs, ns, NULL);
}

static const char *store(const char *name, const char *spec)
{
	return arena_printf(&A, "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: %s\n"
				"  namespace: ns\nspec:\n  feastProject: p\n%s", name, spec);
}

static const struct node *find_kind(const struct objlist *l, const char *kind, size_t nth)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(node_str_or(map_get(l->v[i].root, "kind"), ""), kind) && nth-- == 0)
			return l->v[i].root;
	return NULL;
}

#define DB_STORES "    onlineStore:\n      persistence:\n        store:\n          type: redis\n" \
		  "          secretRef:\n            name: s\n    registry:\n      local:\n" \
		  "        persistence:\n          store:\n            type: sql\n" \
		  "            secretRef:\n              name: s\n"

Test(render, scaling_decisions)
{
	static const struct {
		const char *spec;
		bool scaling, external;
		int64_t replicas;
	} cases[] = {
		{ "", false, false, 1 },
		{ "  replicas: 1\n", false, false, 1 },
		{ "  replicas: 3\n  services:\n" DB_STORES, true, false, 3 },
		{ "  services:\n    scaling:\n      autoscaling:\n        maxReplicas: 5\n" DB_STORES, true, true, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct doclist l = parse("t.yaml", store("s", cases[i].spec));
		struct fs fs;
		cr_assert_eq(spec_decode(&A, &l.v[0], NULL, RENDER_DEFAULT_IMAGE, false, &fs, &D), 0);
		cr_expect_eq(fs.scaling, cases[i].scaling, "case %zu", i);
		cr_expect_eq(fs.replicas_external, cases[i].external, "case %zu", i);
		cr_expect_eq(fs.replicas, cases[i].replicas, "case %zu", i);
	}
}

Test(render, defaults_match_the_operator)
{
	struct doclist l = parse("t.yaml", store("d", "  services:\n    registry:\n      local:\n        server: {}\n"));
	struct fs fs;
	cr_assert_eq(spec_decode(&A, &l.v[0], NULL, RENDER_DEFAULT_IMAGE, false, &fs, &D), 0);
	cr_expect(fs.srv[SRV_ONLINE].on, "an online server unless disabled");
	cr_expect(fs.srv[SRV_REGISTRY].on && fs.grpc && !fs.rest, "gRPC registry by default");
	cr_expect(!fs.srv[SRV_OFFLINE].on && !fs.srv[SRV_UI].on);
	cr_expect_eq(fs.authz, AUTHZ_KUBERNETES, "no authz means Kubernetes authz");
	cr_expect_str_eq(fs.repo_dir, "/feast-data/p/feature_repo");
	cr_expect_eq(fs.srv[SRV_ONLINE].port, 6566);
	cr_expect_eq(fs.srv[SRV_REGISTRY].port, 6570);
	cr_expect(fs.init_containers && fs.run_apply && fs.empty_dir);
	cr_expect_str_eq(fs.srv[SRV_ONLINE].image, RENDER_DEFAULT_IMAGE);
}

static void expect_ha(const char *spec, bool anti, bool spread, const char *strategy, bool replicas)
{
	struct doclist l = parse("t.yaml", store("h", spec));
	struct objlist out = render_ok(&l, NULL);
	const struct node *dep = find_kind(&out, "Deployment", 0);
	const struct node *pod = node_at(dep, "spec.template.spec");
	cr_expect_eq(map_get(pod, "affinity") != NULL, anti, "%s", spec);
	cr_expect_eq(map_get(pod, "topologySpreadConstraints") != NULL, spread, "%s", spec);
	cr_expect_str_eq(node_str_or(node_at(dep, "spec.strategy.type"), ""), strategy, "%s", spec);
	cr_expect_eq(node_at(dep, "spec.replicas") != NULL, replicas, "%s", spec);
}

Test(render, ha_branches)
{
	expect_ha("", false, false, "Recreate", true);
	expect_ha("  replicas: 2\n  services:\n" DB_STORES, true, true, "RollingUpdate", true);
	expect_ha("  replicas: 2\n  services:\n    topologySpreadConstraints: []\n" DB_STORES, true, false,
		  "RollingUpdate", true);
	expect_ha("  replicas: 2\n  services:\n    deploymentStrategy:\n      type: Recreate\n" DB_STORES, true,
		  true, "Recreate", true);
	expect_ha("  services:\n    scaling:\n      autoscaling:\n        maxReplicas: 4\n" DB_STORES, true, true,
		  "RollingUpdate", false);
	expect_ha("  services:\n    affinity:\n      nodeAffinity: {}\n", true, false, "Recreate", true);
}

/* The sidecar's pod edits are templates/fragments/sidecar-pod.yaml's values; the numbers it
 * takes from elsewhere (the flag's default in --help, the daemon's lock timings) agree with it. */
Test(render, sidecar_pod_from_its_fragment)
{
	struct templates tm;
	cr_assert_eq(templates_load(&A, &tm, &D), 0);
	const struct node *frag = tm.t[T_FRAG_SIDECAR_POD];
	int64_t prestop = 0, kill = 0, renew = 0;
	cr_assert(node_get_int(map_get(frag, "preStopSeconds"), &prestop));
	cr_assert(node_get_int(node_at(frag, "terminationGrace.lockKillGraceSeconds"), &kill));
	cr_assert(node_get_int(node_at(frag, "terminationGrace.lockRenewDeadlineSeconds"), &renew));
	struct lease_timing daemon = LEASE_TIMING_DEFAULT;
	cr_expect_eq(kill * 1000, daemon.kill_grace_ms);
	int64_t stop = 0, margin = 0;
	cr_assert(node_get_int(node_at(frag, "terminationGrace.serverStopSeconds"), &stop));
	cr_assert(node_get_int(node_at(frag, "terminationGrace.marginSeconds"), &margin));
	cr_expect_eq(stop, LINT_SERVER_STOP_S);
	cr_expect_eq(kill + renew, LINT_LOCK_RELEASE_S);
	cr_expect_eq(stop + kill + renew, LINT_AFTER_PRESTOP_S);
	cr_expect_eq(margin, 5); /* what grace-too-short's fix text says render adds */
	cr_expect_eq(renew * 1000, daemon.renew_deadline_ms);
	const struct opt *flag = render_flag_opts;
	while (flag->name && strcmp(flag->name, "prestop-seconds"))
		flag++;
	cr_assert_not_null(flag->name);
	cr_expect_str_eq(flag->dflt, arena_printf(&A, "%lld", (long long)prestop));

	struct doclist l = parse("t.yaml", store("s", "  replicas: 2\n  services:\n" DB_STORES));
	struct objlist out = render_ok(&l, NULL);
	const struct node *pod = node_at(find_kind(&out, "Deployment", 0), "spec.template.spec");
	cr_expect(node_equal(seq_find_by(map_get(pod, "volumes"), "name", "feast-sidecar"), map_get(frag, "volume")));
	int64_t grace = prestop, step = 0;
	const struct node *steps = map_get(frag, "terminationGrace");
	node_map_each(steps, p)
		grace += node_get_int(p->val, &step) ? step : 0;
	int64_t got = 0;
	cr_assert(node_get_int(map_get(pod, "terminationGracePeriodSeconds"), &got));
	cr_expect_eq(got, grace);
	const struct node *online = seq_find_by(map_get(pod, "containers"), "name", "online");
	const struct node *sleep = node_at(online, "lifecycle.preStop.exec.command");
	cr_assert_eq(node_seq_len(sleep), 2);
	cr_expect_str_eq(node_text(sleep->u.seq.v[1]), arena_printf(&A, "%lld", (long long)prestop));
}

/* `out` is fragment `frag` with each `matchLabels: ~` filled by `sel`. */
static bool is_filled(const struct node *out, const struct node *frag, const struct node *sel)
{
	if (!out || !frag || out->kind != frag->kind)
		return false;
	if (frag->kind == NODE_SEQ) {
		bool same = out->u.seq.n == frag->u.seq.n;
		for (size_t i = 0; same && i < frag->u.seq.n; i++)
			same = is_filled(out->u.seq.v[i], frag->u.seq.v[i], sel);
		return same;
	}
	if (frag->kind != NODE_MAP)
		return node_equal(out, frag);
	bool same = out->u.map.n == frag->u.map.n;
	for (size_t i = 0; same && i < frag->u.map.n; i++) {
		const struct pair *f = &frag->u.map.v[i];
		const struct node *o = map_get(out, f->key);
		same = !strcmp(f->key, "matchLabels") && node_is_null(f->val) ? node_equal(o, sel)
									       : is_filled(o, f->val, sel);
	}
	return same;
}

/* The HA defaults a scaling store gets are the fragments' values, not C's. */
Test(render, ha_defaults_come_from_fragments)
{
	struct templates tm;
	cr_assert_eq(templates_load(&A, &tm, &D), 0);
	struct doclist l = parse("t.yaml", store("h", "  replicas: 2\n  services:\n" DB_STORES));
	struct objlist out = render_ok(&l, NULL);
	const struct node *dep = find_kind(&out, "Deployment", 0);
	const struct node *pod = node_at(dep, "spec.template.spec");
	const struct node *sel = node_at(dep, "spec.selector.matchLabels");
	cr_expect(is_filled(map_get(pod, "affinity"), tm.t[T_FRAG_ANTI_AFFINITY], sel));
	cr_expect(is_filled(map_get(pod, "topologySpreadConstraints"), tm.t[T_FRAG_ZONE_SPREAD], sel));
	cr_expect(node_equal(node_at(dep, "spec.strategy"), map_get(tm.t[T_FRAG_STRATEGY], "scaling")));
	const struct node *probes = tm.t[T_FRAG_SERVER_PROBES];
	const struct node *c = seq_find_by(map_get(pod, "containers"), "name", "online");
	cr_assert_not_null(c);
	for (size_t i = 0; i < probes->u.map.n; i++) {
		const struct node *want = probes->u.map.v[i].val, *p = map_get(c, probes->u.map.v[i].key);
		cr_assert_not_null(p, "%s", probes->u.map.v[i].key);
		cr_expect_eq(p->u.map.n, 1 + want->u.map.n, "%s: the handler and the timings", probes->u.map.v[i].key);
		for (size_t j = 0; j < want->u.map.n; j++)
			cr_expect(node_equal(map_get(p, want->u.map.v[j].key), want->u.map.v[j].val), "%s.%s",
				  probes->u.map.v[i].key, want->u.map.v[j].key);
	}
	struct doclist one = parse("t.yaml", store("o", ""));
	struct objlist single = render_ok(&one, NULL);
	cr_expect(node_equal(node_at(find_kind(&single, "Deployment", 0), "spec.strategy"),
			     map_get(tm.t[T_FRAG_STRATEGY], "single")));
}

/* Every node of `n`, to check that outputs never share nodes with inputs. */
static void collect(const struct node *n, const struct node ***set, size_t *len, size_t *cap)
{
	if (!n)
		return;
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*set = realloc(*set, *cap * sizeof(**set));
	}
	(*set)[(*len)++] = n;
	if (n->kind == NODE_MAP)
		for (size_t i = 0; i < n->u.map.n; i++)
			collect(n->u.map.v[i].val, set, len, cap);
	else if (n->kind == NODE_SEQ)
		for (size_t i = 0; i < n->u.seq.n; i++)
			collect(n->u.seq.v[i], set, len, cap);
}

static bool shares(const struct node *n, const struct node **set, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (set[i] == n)
			return true;
	if (n->kind == NODE_MAP)
		for (size_t i = 0; i < n->u.map.n; i++)
			if (shares(n->u.map.v[i].val, set, len))
				return true;
	if (n->kind == NODE_SEQ)
		for (size_t i = 0; i < n->u.seq.n; i++)
			if (shares(n->u.seq.v[i], set, len))
				return true;
	return false;
}

Test(render, objects_never_share_input_nodes)
{
	char *path = arena_printf(&A, "%s/testdata/render/pod-settings.yaml", src_dir());
	struct doclist l = parse_file(path);
	struct objlist out = render_ok(&l, "ns");
	const struct node **set = NULL;
	size_t len = 0, cap = 0;
	collect(l.v[0].root, &set, &len, &cap);
	for (size_t i = 0; i < out.n; i++)
		cr_expect(!shares(out.v[i].root, set, len), "object %zu shares nodes with the input", i);
	free(set);
}

/* Selectors name feast.dev/name only; labels carry managed-by and the version; no nulls. */
static void check_invariants(const struct node *n, const char *key)
{
	if (n->kind == NODE_SCALAR) {
		cr_expect(!node_is_null(n), "a null is left at %s", key);
		return;
	}
	if (n->kind == NODE_SEQ) {
		for (size_t i = 0; i < n->u.seq.n; i++)
			check_invariants(n->u.seq.v[i], key);
		return;
	}
	if (!strcmp(key, "selector") || !strcmp(key, "matchLabels"))
		cr_expect_null(map_get(n, "app.kubernetes.io/instance"), "instance in a selector");
	for (size_t i = 0; i < n->u.map.n; i++) {
		cr_expect(strcmp(n->u.map.v[i].key, "status") && strcmp(n->u.map.v[i].key, "creationTimestamp"));
		check_invariants(n->u.map.v[i].val, n->u.map.v[i].key);
	}
}

Test(render, object_invariants)
{
	char *path = arena_printf(&A, "%s/testdata/render/multi-store.yaml", src_dir());
	struct doclist l = parse_file(path);
	struct objlist out = render_ok(&l, "default-ns");
	size_t generated = 0;
	for (size_t i = 0; i < out.n; i++) {
		const struct node *labels = node_at(out.v[i].root, "metadata.labels");
		if (!out.v[i].src || doc_classify(out.v[i].src->root) != DOC_OTHER) {
			generated++;
			cr_expect_str_eq(node_str_or(map_get(labels, "app.kubernetes.io/managed-by"), ""), "kubectl-feast");
			/* Feast's version from the default image; none on the shared ClusterRoles. */
			cr_expect_str_eq(node_str_or(map_get(labels, "app.kubernetes.io/version"), ""),
					 out.v[i].src ? "0.66.0" : "");
			check_invariants(out.v[i].root, "");
		}
	}
	cr_expect_gt(generated, 25);
	/* The plugin's version on the Deployment, never in its pod template. */
	const struct node *dep = find_kind(&out, "Deployment", 0);
	cr_expect_str_eq(node_str_or(map_get(node_at(dep, "metadata.annotations"), RENDER_BY_ANNOTATION), ""),
			 "kubectl-feast/" FEAST_VERSION);
	cr_expect_str_eq(node_str_or(map_get(node_at(dep, "spec.template.metadata.labels"),
					     "app.kubernetes.io/version"), ""), "0.66.0");
	/* One token-review ClusterRole for the three Kubernetes-authz stores. */
	cr_expect_not_null(find_kind(&out, "ClusterRole", 0));
	cr_expect_not_null(find_kind(&out, "ClusterRole", 1), "and one for OIDC");
	cr_expect_null(find_kind(&out, "ClusterRole", 2));
	/* Pass-through last and unchanged (the very input tree). */
	cr_expect_eq(out.v[out.n - 1].root, l.v[0].root);
}

/* A ScaledObject that scales a store is consumed and rebuilt; other ones pass through. */
Test(render, keda_scaled_object)
{
	const char *so = "---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec:\n  maxReplicaCount: %d\n"
			 "  triggers:\n  - type: cron\n    metadata: {timezone: UTC, start: 0 8 * * *, end: 0 9 * * *,"
			 " desiredReplicas: \"2\"}\n";
	const char *other = "---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: web\nspec:\n"
			    "  scaleTargetRef:\n    name: web\n  triggers:\n  - type: cron\n    metadata: {}\n";
	const char *text = arena_printf(&A, "%s%s%s", store("k", "  services:\n" DB_STORES),
					arena_printf(&A, so, 4), other);
	struct doclist l = parse("t.yaml", text);
	struct objlist out = render_ok(&l, NULL);
	const struct node *dep = find_kind(&out, "Deployment", 0);
	cr_expect_null(node_at(dep, "spec.replicas"), "KEDA owns the count");
	cr_expect_str_eq(node_str_or(node_at(dep, "spec.strategy.type"), ""), "RollingUpdate");
	const struct node *built = find_kind(&out, "ScaledObject", 0), *passed = find_kind(&out, "ScaledObject", 1);
	cr_assert_not_null(passed);
	cr_expect_null(find_kind(&out, "ScaledObject", 2));
	cr_expect_neq(built, l.v[1].root, "rebuilt, not the input tree");
	cr_expect_eq(passed, l.v[2].root, "another workload's ScaledObject is the input tree");
	cr_expect_str_eq(node_str_or(node_at(built, "metadata.name"), ""), "feast-k");
	cr_expect_str_eq(node_str_or(node_at(built, "spec.scaleTargetRef.name"), ""), "feast-k");
	cr_expect_null(node_at(l.v[1].root, "spec.scaleTargetRef"), "the input is left alone");

	/* At most one replica: the single-replica shape, still no spec.replicas. */
	text = arena_printf(&A, "%s%s", store("k", ""), arena_printf(&A, so, 1));
	l = parse("t.yaml", text);
	out = render_ok(&l, NULL);
	dep = find_kind(&out, "Deployment", 0);
	cr_expect_null(node_at(dep, "spec.replicas"));
	cr_expect_str_eq(node_str_or(node_at(dep, "spec.strategy.type"), ""), "Recreate");
	cr_expect_null(node_at(dep, "spec.template.spec.affinity"));

	/* The operator target: the store's very tree, then the ScaledObject on the FeatureStore. */
	struct render_opts op = { .target = RENDER_TARGET_OPERATOR };
	out = render_opts_with(&l, &op);
	cr_assert_eq(out.n, 2);
	cr_expect_eq(out.v[0].root, l.v[0].root);
	cr_expect_str_eq(node_str_or(node_at(out.v[1].root, "spec.scaleTargetRef.kind"), ""), "FeatureStore");
	cr_expect_str_eq(node_str_or(node_at(out.v[1].root, "spec.scaleTargetRef.name"), ""), "k");
}

Test(render, templates_parse)
{
	struct templates tm;
	cr_assert_eq(templates_load(&A, &tm, &D), 0);
	for (int i = 0; i < T_COUNT; i++)
		cr_expect_not_null(tm.t[i], "template %d", i);
	cr_expect_not_null(strstr(tm.secret_merge, "def do_merge"));
}

/* The value of `flag` in the case's `# args:` line, or NULL. */
static const char *case_arg(const char *path, const char *flag)
{
	FILE *f = fopen(path, "r");
	char line[256] = "";
	cr_assert_not_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	char *n = strstr(line, flag);
	if (!n)
		return NULL;
	n += strlen(flag);
	return arena_strndup(&A, n, strcspn(n, " \n"));
}

/* The render flags of a case (plugin/cmd_render.c parses the same). */
static void sidecar_args(const char *input, struct render_opts *o)
{
	const char *v;
	if ((v = case_arg(input, "--sidecar ")))
		o->sidecar = !strcmp(v, "always") ? RENDER_SIDECAR_ALWAYS : !strcmp(v, "none") ? RENDER_SIDECAR_NONE
												: RENDER_SIDECAR_AUTO;
	o->sidecar_image = case_arg(input, "--sidecar-image ");
	if ((v = case_arg(input, "--readiness ")))
		o->readiness = !strcmp(v, "gate") ? RENDER_READINESS_GATE : RENDER_READINESS_PROBE;
	if ((v = case_arg(input, "--kube-version ")))
		o->kube_minor = atoi(v + 2);
	if ((v = case_arg(input, "--prestop-seconds ")))
		o->prestop_seconds = atoi(v) ? atoi(v) : -1;
	o->prometheus_operator = case_arg(input, "--prometheus-operator") != NULL;
	o->openshift = case_arg(input, "--openshift") != NULL;
	o->namespace_registry = case_arg(input, "--configs-registry ");
	if ((v = case_arg(input, "--materialize-shards ")))
		o->materialize_shards = atoi(v);
}

/* ---- streaming: render_stream() through a writer gives render_fwrite()'s bytes ---- */

struct sink_log {
	struct render_writer w;
	size_t ready, batches, objects;
	bool ready_before_put;
	const struct document *mixed;  /* a store batch holding another source's object */
};

static int log_ready(void *ctx)
{
	struct sink_log *l = ctx;
	l->ready++;
	l->ready_before_put = !l->batches;
	return 0;
}

static int log_put(void *ctx, const struct render_obj *v, size_t n)
{
	struct sink_log *l = ctx;
	l->batches++;
	l->objects += n;
	for (size_t i = 1; i < n; i++)
		if (v[0].src && v[i].src != v[0].src && doc_classify(v[0].src->root) == DOC_FEATURESTORE_V1)
			l->mixed = v[i].src;
	return l->w.f ? render_writer_put(&l->w, v, n) : 0;
}

/* Streams `docs` in `format`; the text (NULL-terminated, malloc'd) into *text. */
static int stream_text(const struct doclist *docs, const struct render_opts *o, enum render_format format,
		       struct sink_log *log, char **text)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	cr_assert_not_null(f);
	memset(log, 0, sizeof(*log));
	render_writer_init(&log->w, f, format);
	struct render_sink sink = { log_ready, log_put, log };
	int rc = render_stream(&A, docs, o, &sink, &D);
	if (!rc)
		cr_assert_eq(render_writer_end(&log->w), 0);
	else
		buf_release(&log->w.b);
	fclose(f);
	return rc;
}

static void streams_alike(const struct doclist *in, const struct render_opts *o, const struct objlist *whole,
			  const char *name)
{
	for (int format = RENDER_YAML; format <= RENDER_JSON; format++) {
		struct buf b = BUF_INIT;
		cr_assert_eq(render_write(&b, whole, format), 0);
		struct sink_log log;
		char *text;
		cr_assert_eq(stream_text(in, o, format, &log, &text), 0, "%s: streaming failed", name);
		cr_expect(strlen(text) == b.len && !memcmp(text, b.data, b.len), "%s: streamed %s differs", name,
			  format == RENDER_JSON ? "JSON" : "YAML");
		cr_expect_eq(log.objects, whole->n, "%s", name);
		cr_expect(log.ready == 1 && (log.ready_before_put || !log.batches), "%s", name);
		cr_expect_null(log.mixed, "%s: a store's batch holds another document's object", name);
		free(text);
		buf_release(&b);
	}
}

/* libyaml reads each golden file back to the render's own trees, types included. */
static void golden_reads_back(const char *input, const char *golden)
{
	struct doclist in = parse_file(input);
	const char *target = case_arg(input, "--target ");
	struct render_opts o = { .namespace = case_arg(input, "-n "), .image = case_arg(input, "--image "),
				 .target = target && !strcmp(target, "operator") ? RENDER_TARGET_OPERATOR
										 : RENDER_TARGET_STANDALONE,
				 .keda_adopt_hpa = case_arg(input, "--keda-adopt-hpa") != NULL };
	sidecar_args(input, &o);
	struct objlist out = render_opts_with(&in, &o);
	struct doclist back = parse_file(golden);
	cr_assert_eq(back.n, out.n, "%s: %zu documents, rendered %zu", golden, back.n, out.n);
	for (size_t i = 0; i < out.n; i++)
		cr_expect(node_equal(back.v[i].root, out.v[i].root), "%s: document %zu differs", golden, i);
	struct buf b = BUF_INIT, g = BUF_INIT;
	cr_assert_eq(render_write(&b, &out, RENDER_YAML), 0);
	cr_assert_eq(buf_read_path(&g, golden), 0);
	cr_expect(b.len == g.len && !memcmp(b.data, g.data, b.len), "%s: API bytes differ from golden", golden);
	streams_alike(&in, &o, &out, golden);
	buf_release(&b);
	buf_release(&g);
}

Test(render, golden_trees_read_back)
{
	const char *dir = arena_printf(&A, "%s/testdata/render", src_dir());
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		const char *input = arena_printf(&A, "%s/%s", dir, e->d_name);
		const char *golden = arena_printf(&A, "%s/golden/render/%s", src_dir(), e->d_name);
		if (access(golden, R_OK) != 0)
			continue; /* -o json cases */
		golden_reads_back(input, golden);
		n++;
	}
	closedir(d);
	cr_expect_gt(n, 20);
}

Test(render, json_list)
{
	struct doclist l = parse("t.yaml", store("j", ""));
	struct objlist out = render_ok(&l, NULL);
	struct buf b = BUF_INIT;
	cr_assert_eq(render_write(&b, &out, RENDER_JSON), 0);
	cr_expect(!strncmp(b.data, "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [", 52), "%s", b.data);
	cr_expect_eq(b.data[b.len - 1], '\n');
	buf_release(&b);
}

/* app.kubernetes.io/version is Feast's: the servers' image tag, when a label may hold it. */
Test(render, app_version_from_image)
{
	static const struct { const char *image, *version; } cases[] = {
		{ "quay.io/feastdev/feature-server:0.67.1", "0.67.1" },
		{ "registry:5000/feast/feature-server:0.66.0@sha256:0123", "0.66.0" },
		{ "registry:5000/feast/feature-server", NULL },
		{ "quay.io/feastdev/feature-server@sha256:0123", NULL },
		{ "example.com/fs:-bad", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct doclist l = parse("v.yaml", store("v", "  services:\n    onlineStore:\n      server: {}\n"));
		struct objlist out = render_with(&l, "ns", cases[i].image);
		const struct node *dep = find_kind(&out, "Deployment", 0);
		const struct node *v = map_get(node_at(dep, "spec.template.metadata.labels"), "app.kubernetes.io/version");
		if (cases[i].version)
			cr_expect_str_eq(node_str_or(v, ""), cases[i].version, "%s", cases[i].image);
		else
			cr_expect_null(v, "%s", cases[i].image);
	}
}

/* ---- streaming: batches, errors, memory ---- */

static const char *stores_text(int n, const char *extra)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? "---\n" : "", store(arena_printf(&A, "s%03d", i), "  replicas: 2\n"));
	buf_adds(&b, extra);
	const char *text = arena_strndup(&A, b.data, b.len);
	buf_release(&b);
	return text;
}

/* The shared objects, then one batch per store, then what passes through. */
Test(render, stream_batches_per_store)
{
	struct doclist l = parse("s.yaml", stores_text(3, "---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"));
	struct render_opts o = { 0 };
	struct objlist whole = render_opts_with(&l, &o);
	struct sink_log log;
	char *text;
	cr_assert_eq(stream_text(&l, &o, RENDER_YAML, &log, &text), 0);
	free(text);
	cr_expect_eq(log.batches, 5);
	cr_expect_eq(log.objects, whole.n);
	cr_expect_null(log.mixed);
}

/* A problem only the build finds, in the last store: nothing reaches the sink, and the
 * errors are render_documents()'s, word for word. */
Test(render, stream_nothing_out_on_error)
{
	/* s000 gets the sidecar, whose Role feast-s000-sidecar is store s000-sidecar's Role too. */
	const char *text = stores_text(3, arena_printf(&A, "---\n%s", store("s000-sidecar", "")));
	struct doclist l = parse("s.yaml", text);
	struct render_opts o = { 0 };
	struct objlist whole = { 0 };
	cr_assert_eq(render_documents(&A, &l, &o, &whole, &D), -1);
	size_t n = D.n;
	struct sink_log log;
	char *out;
	cr_assert_eq(stream_text(&l, &o, RENDER_YAML, &log, &out), -1);
	cr_expect_eq(log.ready, 0);
	cr_expect_eq(log.batches, 0);
	cr_expect_eq(strlen(out), 0);
	free(out);
	cr_assert_eq(D.n, 2 * n);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(D.v[n + i].msg, D.v[i].msg);
}

/* Duplicates are reported in identity order, each paired with the one before it. */
Test(render, stream_duplicates_in_identity_order)
{
	const char *sa = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: %s, namespace: ns}\n";
	const char *extra = arena_printf(&A, "%s%s%s", arena_printf(&A, sa, "feast-s001"),
					 arena_printf(&A, sa, "feast-s000"), arena_printf(&A, sa, "feast-s001"));
	struct doclist l = parse("d.yaml", stores_text(2, extra));
	struct render_opts o = { 0 };
	cr_assert_eq(render_stream(&A, &l, &o, NULL, &D), -1);
	cr_assert_eq(D.errors, 3);
	const char *want[] = { "ServiceAccount ns/feast-s000 would be rendered twice, from d.yaml:1 ",
			       "ServiceAccount ns/feast-s001 would be rendered twice, from d.yaml:10 ",
			       "ServiceAccount ns/feast-s001 would be rendered twice, from d.yaml:19 " };
	size_t k = 0;
	for (size_t i = 0; i < D.n && k < 3; i++)
		if (D.v[i].level == DIAG_ERROR) {
			cr_expect(!strncmp(D.v[i].msg, want[k], strlen(want[k])), "%s", D.v[i].msg);
			k++;
		}
}

/* What the run keeps grows by a few dozen bytes a store; a store's objects are freed. */
Test(render, stream_memory_per_store)
{
	size_t used[2];
	int counts[2] = { 20, 220 };
	for (int k = 0; k < 2; k++) {
		struct doclist l = parse("m.yaml", stores_text(counts[k], ""));
		struct render_opts o = { 0 };
		struct sink_log log;
		memset(&log, 0, sizeof(log));
		struct render_sink sink = { NULL, log_put, &log };
		size_t before = A.total;
		cr_assert_eq(render_stream(&A, &l, &o, &sink, &D), 0);
		used[k] = A.total - before;
		cr_expect_eq(log.batches, (size_t)counts[k] + 1);
	}
	size_t per_store = (used[1] - used[0]) / (size_t)(counts[1] - counts[0]);
	cr_log_info("run arena: %zu bytes a store", per_store);
	/* The summaries own their names (about 40 bytes): render_stream_raw() drops the trees. */
	cr_expect_lt(per_store, 320, "%zu bytes a store", per_store);
}

Test(render, stream_empty_json_list)
{
	struct objlist none = { 0 };
	struct buf b = BUF_INIT;
	cr_assert_eq(render_write(&b, &none, RENDER_JSON), 0);
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	cr_assert_eq(render_fwrite(f, &none, RENDER_JSON), 0);
	fclose(f);
	cr_expect(len == b.len && !memcmp(text, b.data, len), "%s", text);
	free(text);
	buf_release(&b);
}

/* Shards: an Indexed Job of the store's pod, no feast-apply, no sidecar, no kubectl RBAC. */
Test(render, materialize_shards_job)
{
	static const char sql[] = "  replicas: 2\n  services:\n    onlineStore:\n      persistence:\n        store: "
				  "{type: redis, secretRef: {name: s}}\n    registry:\n      local:\n        persistence:\n"
				  "          store: {type: sql, secretRef: {name: s}}\n  cronJob: {}\n";
	struct doclist l = parse("t.yaml", store("m", sql));
	struct render_opts o = { .namespace = "ns", .materialize_shards = 3 };
	struct objlist out = render_opts_with(&l, &o);
	const struct node *cj = find_kind(&out, "CronJob", 0);
	cr_assert_not_null(cj);
	const struct node *job = node_at(cj, "spec.jobTemplate.spec");
	int64_t n = 0;
	cr_expect_str_eq(node_str_or(map_get(job, "completionMode"), ""), "Indexed");
	cr_expect(node_get_int(map_get(job, "completions"), &n) && n == 3);
	cr_expect(node_get_int(map_get(job, "parallelism"), &n) && n == 3);
	const struct node *pod = node_at(job, "template.spec");
	cr_expect_str_eq(node_str_or(map_get(pod, "serviceAccountName"), ""), "feast-m");
	cr_expect_str_eq(node_str_or(map_get(pod, "restartPolicy"), ""), "Never");
	const struct node *inits = map_get(pod, "initContainers");
	cr_expect_not_null(seq_find_by(inits, "name", "feast-init"));
	cr_expect_null(seq_find_by(inits, "name", "feast-apply"));
	cr_expect_null(seq_find_by(inits, "name", "feast-sidecar"));
	cr_expect_null(map_get(pod, "affinity"), "the servers' anti-affinity is theirs");
	const struct node *cs = map_get(pod, "containers");
	cr_assert_eq(cs->u.seq.n, 1);
	cr_expect_str_eq(node_str_or(map_get(cs->u.seq.v[0], "name"), ""), "materialize");
	for (size_t i = 0; i < out.n; i++)
		cr_expect(strcmp(node_str_or(node_at(out.v[i].root, "metadata.name"), ""), "feast-m-cronjob"),
			  "the CronJob's kubectl RBAC is not rendered");
	/* The Deployment keeps its sidecar and feast-apply. */
	const struct node *dep_inits = node_at(find_kind(&out, "Deployment", 0), "spec.template.spec.initContainers");
	cr_expect_not_null(seq_find_by(dep_inits, "name", "feast-apply"));
}

Test(render, materialize_shards_refuse_a_file_registry)
{
	struct doclist l = parse("t.yaml", store("f", "  cronJob: {}\n"));
	struct render_opts o = { .namespace = "ns", .materialize_shards = 2 };
	struct objlist out = { 0 };
	cr_assert_eq(render_documents(&A, &l, &o, &out, &D), -1);
	bool found = false;
	for (size_t i = 0; i < D.n; i++)
		found |= D.v[i].rule && !strcmp(D.v[i].rule, "materialize-shards-registry");
	cr_expect(found, "no materialize-shards-registry error");
}

Test(render, materialize_shards_need_1_29)
{
	static const char sql[] = "  services:\n    registry:\n      local:\n        persistence:\n"
				  "          store: {type: sql, secretRef: {name: s}}\n  cronJob: {}\n";
	struct doclist l = parse("t.yaml", store("k", sql));
	struct render_opts o = { .namespace = "ns", .materialize_shards = 2, .kube_minor = 28, .sidecar = RENDER_SIDECAR_NONE };
	struct objlist out = { 0 };
	cr_assert_eq(render_documents(&A, &l, &o, &out, &D), -1);
	cr_expect(D.n && strstr(D.v[D.n - 1].msg, "needs Kubernetes 1.29"), "%s", D.n ? D.v[D.n - 1].msg : "");
}

/* ---- render_stream_raw(): one store's tree at a time, from the raw stream ---- */

static struct inputs raw_inputs(const char *name, const char *text)
{
	struct inputs in;
	memset(&in, 0, sizeof(in));
	in.streams = arena_alloc(&A, sizeof(*in.streams));
	in.streams[0] = (struct input_stream){ name, text, strlen(text), 0 };
	in.nstreams = in.capstreams = 1;
	return in;
}

static int raw_text(const struct inputs *in, const struct render_opts *o, struct sink_log *log, char **text)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	cr_assert_not_null(f);
	memset(log, 0, sizeof(*log));
	render_writer_init(&log->w, f, RENDER_YAML);
	struct render_sink sink = { log_ready, log_put, log };
	struct diags walk;
	diags_init(&walk, &A);
	int rc = render_stream_raw(&A, in, o, &sink, &walk, &D);
	if (!rc)
		cr_assert_eq(render_writer_end(&log->w), 0);
	else
		buf_release(&log->w.b);
	fclose(f);
	return rc;
}

/* n copies of the HA example (which check_documents() accepts), named h000 ..., then `extra`. */
static const char *ha_stores_text(int n, const char *extra)
{
	struct buf ex = BUF_INIT, b = BUF_INIT;
	cr_assert_eq(buf_read_path(&ex, arena_printf(&A, "%s/examples/featurestore-ha.yaml", src_dir())), 0);
	const char *name = strstr(ex.data, "\n  name: ");
	cr_assert_not_null(name);
	size_t at = (size_t)(name - ex.data) + 9, rest = at + strcspn(ex.data + at, "\n");
	for (int i = 0; i < n; i++)
		buf_addf(&b, "%s%.*sh%03d%s", i ? "---\n" : "", (int)at, ex.data, i, ex.data + rest);
	buf_adds(&b, extra);
	const char *text = arena_strndup(&A, b.data, b.len);
	buf_release(&ex);
	buf_release(&b);
	return text;
}

/* The same bytes, batches and warnings as render_stream() of the parsed input. */
Test(render, raw_same_as_whole)
{
	const char *text = ha_stores_text(4, "---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n");
	struct doclist l = parse("s.yaml", text);
	struct render_opts o = { 0 };
	struct sink_log whole, raw;
	char *a, *b;
	cr_assert_eq(stream_text(&l, &o, RENDER_YAML, &whole, &a), 0);
	size_t n = D.n;
	struct inputs in = raw_inputs("s.yaml", text);
	cr_assert_eq(raw_text(&in, &o, &raw, &b), 0);
	cr_expect_str_eq(b, a);
	cr_expect_eq(raw.batches, whole.batches);
	cr_expect_eq(raw.ready, 1);
	cr_assert_eq(D.n, 2 * n);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(D.v[n + i].msg, D.v[i].msg);
	free(a);
	free(b);
}

/* A repeated identity (and any other problem) is the whole-tree path's to report: nothing
 * said, nothing handed on. */
Test(render, raw_steps_aside_on_problems)
{
	const char *bad[] = {
		ha_stores_text(2, "---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"
				  "---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"),
		ha_stores_text(2, "---\napiVersion: v1\nkind: List\nitems: []\n"),
		ha_stores_text(2, "---\na: 1\na: 2\n"),
		/* found only by the build: h000 makes this ServiceAccount too */
		ha_stores_text(2, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: feast-h000, namespace: feast}\n"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct inputs in = raw_inputs("s.yaml", bad[i]);
		struct render_opts o = { 0 };
		struct sink_log log;
		char *out;
		cr_expect_eq(raw_text(&in, &o, &log, &out), RENDER_WHOLE, "case %zu", i);
		cr_expect_eq(log.ready + log.batches, 0, "case %zu", i);
		cr_expect_eq(strlen(out), 0, "case %zu", i);
		cr_expect_eq(D.n, 0, "case %zu: %s", i, D.n ? D.v[0].msg : "");
		free(out);
	}
}

/* The trees are not kept: what the run holds grows by its summaries and identities. */
Test(render, raw_memory_per_store)
{
	size_t used[2];
	int counts[2] = { 20, 220 };
	for (int k = 0; k < 2; k++) {
		struct inputs in = raw_inputs("m.yaml", ha_stores_text(counts[k], ""));
		struct render_opts o = { 0 };
		struct sink_log log;
		memset(&log, 0, sizeof(log));
		struct render_sink sink = { NULL, log_put, &log };
		struct diags walk;
		diags_init(&walk, &A);
		size_t before = A.total;
		cr_assert_eq(render_stream_raw(&A, &in, &o, &sink, &walk, &D), 0);
		used[k] = A.total - before;
		cr_expect_eq(log.batches, (size_t)counts[k] + 1);
	}
	size_t per_store = (used[1] - used[0]) / (size_t)(counts[1] - counts[0]);
	cr_log_info("run arena: %zu bytes a store", per_store);
	cr_expect_lt(per_store, 1024, "%zu bytes a store", per_store);
}
