/* test_doctor.c -- doctor's findings on parsed live objects, the autoscaler precedence, status's rows and ages. */
#include "rules_util.h"

#include "doctor.h"
#include "scale_target.h"
#include "store_view.h"

TestSuite(doctor, .init = suite_setup, .fini = suite_teardown);

/* 2030-01-01T00:10:00Z: the tests' "now". */
#define NOW 1893456600000LL

static const char *rules_of(const struct diags *d)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < d->n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", d->v[i].rule);
	const char *s = arena_strdup(&A, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static const char *judge(const struct doctor_input *in)
{
	struct doctor_input x = *in;
	x.store = x.store ? x.store : "shop";
	x.now_ms = NOW;
	x.lock_wait_ms = x.lock_wait_ms ? x.lock_wait_ms : 120000;
	doctor_judge(&A, &x, &D);
	return rules_of(&D);
}

/* A PodList of one pod whose status is `status` (YAML flow, indented under status:). */
static const struct node *pods(const char *status)
{
	return parse(arena_printf(&A, "items:\n- metadata: {name: feast-shop-1}\n  status:\n%s", status));
}

#define READY "    conditions: [{type: Ready, status: \"True\"}]\n"

Test(doctor, a_healthy_store_has_no_findings)
{
	struct doctor_input in = { .pods = pods("    phase: Running\n" READY
						"    containerStatuses: [{name: online, ready: true, state: {running: {}}}]\n"),
				   .pdb = parse("status: {disruptionsAllowed: 1, expectedPods: 2}"),
				   .lease = parse("spec: {holderIdentity: \"\"}") };
	cr_assert_str_eq(judge(&in), "");
}

Test(doctor, waiting_containers)
{
	struct doctor_input in = { .pods = pods(
		"    phase: Pending\n"
		"    initContainerStatuses:\n"
		"    - {name: feast-sidecar, image: 'x:1', state: {waiting: {reason: ImagePullBackOff}}}\n"
		"    - name: feast-apply\n"
		"      restartCount: 4\n"
		"      state: {waiting: {reason: CrashLoopBackOff}}\n"
		"      lastState: {terminated: {exitCode: 1, reason: Error}}\n"
		"    containerStatuses:\n"
		"    - {name: online, state: {waiting: {reason: CreateContainerConfigError, message: no secret}}}\n"
		"    - {name: ui, state: {waiting: {reason: PodInitializing}}}\n") };
	cr_assert_str_eq(judge(&in), "image-pull crash-loop container-waiting pod-not-ready");
	cr_assert_str_eq(D.v[0].pos.file, "pod/feast-shop-1");
	cr_assert_str_eq(D.v[0].path, "status.initContainerStatuses[feast-sidecar]");
	cr_assert_str_eq(D.v[1].msg,
			 "container feast-apply is in CrashLoopBackOff after 4 restarts, last exit code 1 (Error)");
	cr_assert(strstr(D.v[3].msg, "init container feast-sidecar is waiting (ImagePullBackOff)"), "%s", D.v[3].msg);
}

Test(doctor, feast_apply_waiting_on_the_lock_names_the_holder)
{
	const char *apply = "    phase: Pending\n    initContainerStatuses:\n"
			    "    - {name: feast-apply, state: {running: {startedAt: '2030-01-01T00:05:00Z'}}}\n";
	struct doctor_input in = { .pods = pods(apply),
				   .lease = parse("metadata: {name: feast-shop-registry-lock}\nspec: {holderIdentity: "
						  "feast-shop-0, leaseDurationSeconds: 15, renewTime: '2030-01-01T00:09:58Z'}") };
	cr_assert_str_eq(judge(&in), "lock-wait pod-not-ready");
	cr_assert_str_eq(D.v[0].msg, "init container feast-apply has run for 5m (--lock-wait 2m): Lease "
				     "feast-shop-registry-lock is held by feast-shop-0 (renewed 2s ago)");
	/* Under the threshold: no finding. */
	D.n = 0;
	in.lock_wait_ms = 600000;
	cr_assert_str_eq(judge(&in), "pod-not-ready");
}

Test(doctor, the_lease)
{
	struct doctor_input in = { .lease = parse("metadata: {name: l}\nspec: {holderIdentity: p, leaseDurationSeconds: 15, "
						  "renewTime: '2030-01-01T00:09:00Z', acquireTime: '2030-01-01T00:09:00Z'}") };
	cr_assert_str_eq(judge(&in), "lease-expired");
	cr_assert_str_eq(D.v[0].msg, "held by p, last renewed 60s ago, past its 15s leaseDurationSeconds");
	D.n = 0;
	in.lease = parse("metadata: {name: l}\nspec: {holderIdentity: p, leaseDurationSeconds: 15, "
			 "renewTime: '2030-01-01T00:09:59Z', acquireTime: '2030-01-01T00:00:00Z'}");
	cr_assert_str_eq(judge(&in), "lease-held-long");
	D.n = 0;
	in.lease = parse("metadata: {name: l}\nspec: {holderIdentity: p, leaseDurationSeconds: 15, "
			 "renewTime: '2030-01-01T00:09:59Z', acquireTime: '2030-01-01T00:09:00Z'}");
	cr_assert_str_eq(judge(&in), "");
}

Test(doctor, pdb_and_hpa_conditions)
{
	const char *hpas = "items:\n"
			   "- metadata: {name: feast-shop}\n"
			   "  spec: {scaleTargetRef: {kind: Deployment, name: feast-shop}}\n"
			   "  status: {conditions: [{type: AbleToScale, status: 'True'}, {type: ScalingActive, "
			   "status: 'False', reason: FailedGetResourceMetric, message: no metrics}]}\n"
			   "- metadata: {name: keda-hpa-feast-shop}\n"
			   "  spec: {scaleTargetRef: {kind: FeatureStore, name: shop}}\n"
			   "  status: {conditions: [{type: ScalingActive, status: 'False', reason: ScalingDisabled}]}\n"
			   "- metadata: {name: other}\n"
			   "  spec: {scaleTargetRef: {kind: Deployment, name: other}}\n"
			   "  status: {conditions: [{type: ScalingActive, status: 'False', reason: ScalingDisabled}]}\n";
	struct doctor_input in = { .hpas = parse(hpas),
				   .pdb = parse("metadata: {name: feast-shop}\nstatus: {disruptionsAllowed: 0, "
						"expectedPods: 2, currentHealthy: 1, desiredHealthy: 2}") };
	cr_assert_str_eq(judge(&in), "pdb-blocked hpa-metrics hpa-inactive");
	cr_assert_str_eq(D.v[1].msg, "ScalingActive=False (FailedGetResourceMetric: no metrics)");
	/* No pods expected: nothing to evict, nothing blocked. */
	D.n = 0;
	in.hpas = NULL;
	in.pdb = parse("status: {disruptionsAllowed: 0, expectedPods: 0}");
	cr_assert_str_eq(judge(&in), "");
}

Test(doctor, refs_named_once_and_optional_ones_left_out)
{
	struct doctor_refs refs = { 0 };
	doctor_refs(&A, parse("spec:\n  services:\n"
			      "    onlineStore: {persistence: {store: {type: redis, secretRef: {name: db}}}}\n"
			      "    registry: {local: {persistence: {store: {type: sql, secretRef: {name: db}}}}}\n"),
		    "featurestore.feast.dev/shop", &refs);
	doctor_refs(&A, parse("spec:\n  template:\n    spec:\n      imagePullSecrets: [{name: pull}]\n"
			      "      volumes: [{name: v, configMap: {name: cm}}, {name: o, secret: {secretName: s, optional: true}}]\n"
			      "      containers:\n      - envFrom: [{secretRef: {name: db}}]\n"
			      "        env: [{name: X, valueFrom: {configMapKeyRef: {name: cm2, key: k}}}]\n"),
		    "deployment.apps/feast-shop", &refs);
	cr_assert_eq(refs.n, 4);
	cr_assert_str_eq(refs.v[0].name, "db");
	cr_assert_str_eq(refs.v[0].path, "spec.services.onlineStore.persistence.store.secretRef.name");
	cr_assert_str_eq(refs.v[1].name, "pull");
	cr_assert_str_eq(refs.v[2].kind, "ConfigMap");
	cr_assert_str_eq(refs.v[3].name, "cm2");
	refs.v[0].exists = refs.v[1].exists = refs.v[2].exists = true;
	struct doctor_input in = { .refs = &refs };
	cr_assert_str_eq(judge(&in), "ref-missing");
	cr_assert_str_eq(D.v[0].msg, "ConfigMap \"cm2\" does not exist in the store's namespace");
}

Test(doctor, an_unready_pod_says_why)
{
	struct doctor_input in = { .pods = pods(
		"    phase: Running\n"
		"    conditions:\n"
		"    - {type: Ready, status: 'False', reason: ReadinessGatesNotReady}\n"
		"    - {type: feast.dev/registry-ready, status: 'False', reason: NotSynced}\n"
		"    containerStatuses: [{name: online, ready: true, state: {running: {}}}]\n") };
	cr_assert_str_eq(judge(&in), "pod-not-ready");
	cr_assert(strstr(D.v[0].msg, "feast.dev/registry-ready condition is False (NotSynced)"), "%s", D.v[0].msg);
	D.n = 0;
	in.pods = pods("    phase: Pending\n    conditions: [{type: PodScheduled, status: 'False', reason: "
		       "Unschedulable, message: 0/3 nodes}]\n");
	judge(&in);
	cr_assert_str_eq(D.v[0].msg, "not Ready: not scheduled (Unschedulable: 0/3 nodes)");
}

Test(doctor, ages_as_kubectl_prints_them)
{
	cr_assert_str_eq(doctor_age(&A, 45000), "45s");
	cr_assert_str_eq(doctor_age(&A, 119000), "119s");
	cr_assert_str_eq(doctor_age(&A, 192000), "3m12s");
	cr_assert_str_eq(doctor_age(&A, 600000), "10m");
	cr_assert_str_eq(doctor_age(&A, 5 * 3600000LL + 60000), "5h1m");
	cr_assert_str_eq(doctor_age(&A, 30 * 3600000LL), "30h");
	cr_assert_str_eq(doctor_age(&A, 51 * 3600000LL), "2d3h");
	cr_assert_str_eq(doctor_age(&A, 400 * 86400000LL), "400d");
	cr_assert_str_eq(doctor_age(&A, 3 * 365 * 86400000LL), "3y");
}

Test(doctor, a_scaledobject_before_an_hpa)
{
	const struct node *sos = parse("items:\n- metadata: {name: feast-op, namespace: a}\n"
				       "  spec: {scaleTargetRef: {kind: FeatureStore, name: op}}\n"
				       "- metadata: {name: dep, namespace: a}\n  spec: {scaleTargetRef: {name: feast-d}}\n");
	const struct node *hpas = parse("items:\n- metadata: {name: keda-hpa-feast-op, namespace: a}\n"
					"  spec: {scaleTargetRef: {kind: FeatureStore, name: op}}\n"
					"- metadata: {name: feast-h, namespace: b}\n"
					"  spec: {scaleTargetRef: {kind: Deployment, name: feast-h}}\n");
	bool hpa;
	const struct node *it = scale_owner_find(sos, hpas, "op", NULL, SCALE_AIM_ANY, &hpa);
	cr_assert(it && !hpa);
	cr_assert_str_eq(node_str_or(node_at(it, "metadata.name"), ""), "feast-op");
	/* KEDA's kind defaults to Deployment; an HPA's does not. */
	cr_assert_not_null(scale_owner_find(sos, NULL, "d", NULL, SCALE_AIM_DEPLOYMENT, &hpa));
	cr_assert_null(scale_owner_find(sos, NULL, "d", NULL, SCALE_AIM_FEATURESTORE, &hpa));
	cr_assert_not_null(scale_owner_find(NULL, hpas, "h", "b", SCALE_AIM_ANY, &hpa));
	cr_assert(hpa);
	cr_assert_null(scale_owner_find(NULL, hpas, "h", "a", SCALE_AIM_ANY, &hpa));
}

Test(doctor, status_rows)
{
	struct store_lists in = {
		.featurestores = parse("items:\n- metadata: {name: op, namespace: b, creationTimestamp: '2030-01-01T00:00:00Z'}\n"
				       "  spec: {replicas: 3}\n"),
		.deployments = parse("items:\n"
				     "- metadata: {name: feast-shop, namespace: a, labels: {feast.dev/name: shop}, "
				     "creationTimestamp: '2030-01-01T00:09:00Z'}\n"
				     "  spec: {replicas: 2}\n  status: {readyReplicas: 1}\n"
				     "- metadata: {name: not-a-store, namespace: a, labels: {feast.dev/name: x}}\n"),
		.hpas = parse("items:\n- metadata: {name: feast-shop, namespace: a}\n"
			      "  spec: {scaleTargetRef: {kind: Deployment, name: feast-shop}}\n"),
		.leases = parse("items:\n- metadata: {name: feast-shop-registry-lock, namespace: a}\n"
				"  spec: {holderIdentity: feast-shop-1}\n"),
	};
	struct store_row *rows;
	cr_assert_eq(store_rows(&A, &in, NOW, &rows), 2);
	cr_assert_str_eq(rows[0].name, "shop");
	cr_assert_str_eq(rows[0].ready, "1/2");
	cr_assert_str_eq(rows[0].autoscaler, "hpa/feast-shop");
	cr_assert_str_eq(rows[0].holder, "feast-shop-1");
	cr_assert_str_eq(rows[0].age, "60s");
	cr_assert_str_eq(rows[1].name, "op");
	cr_assert_str_eq(rows[1].ready, "0/3");
	cr_assert_str_eq(rows[1].autoscaler, "<none>");
	cr_assert_str_eq(rows[1].holder, "<none>");
	cr_assert_str_eq(rows[1].age, "10m");
}

Test(doctor, a_pod_view_carries_each_container)
{
	struct node *v = store_pod_view(&A, parse("metadata: {name: p, creationTimestamp: '2030-01-01T00:00:00Z'}\n"
						  "status:\n  phase: Running\n"
						  "  initContainerStatuses: [{name: feast-apply, restartCount: 2, "
						  "state: {waiting: {reason: CrashLoopBackOff}}}]\n"
						  "  containerStatuses: [{name: online, restartCount: 1, ready: true, "
						  "state: {running: {startedAt: '2030-01-01T00:09:30Z'}}}]\n"),
					NOW);
	cr_assert_str_eq(node_str_or(map_get(v, "age"), ""), "10m");
	int64_t r = 0;
	node_get_int(map_get(v, "restarts"), &r);
	cr_assert_eq(r, 3);
	const struct node *c = map_get(v, "containers");
	cr_assert_eq(c->u.seq.n, 2);
	cr_assert_str_eq(node_str_or(map_get(c->u.seq.v[0], "reason"), ""), "CrashLoopBackOff");
	cr_assert_str_eq(node_str_or(map_get(c->u.seq.v[1], "age"), ""), "30s");
	cr_assert_null(map_get(v, "registryReady"));
}
