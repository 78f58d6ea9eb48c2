/* test_kube_apply.c -- created/configured/unchanged from a server-side apply's answer, the waves, HTTP dates. */
#include <criterion/criterion.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "kube_apply.h"
#include "kube_util.h"

#include "suite.h"

TestSuite(apply, .init = suite_setup, .fini = suite_teardown);

/* 2026-12-07T11:42:02Z, the floor's second in these tests. */
#define FLOOR_MS 1796643722000LL

static struct kube_floor floor_at(unsigned long long rv)
{
	struct kube_floor f = { .taken = true, .have_rv = true, .rv = rv, .date_ms = FLOOR_MS };
	return f;
}

/* An answer with resourceVersion RV, our Apply entry at OURS, another writer's at THEIRS
 * ("" for none), and generation / observedGeneration when GEN > 0. */
static struct kube_response answer(long code, const char *rv, const char *ours, const char *theirs, int gen,
				   int seen)
{
	char body[2048];
	snprintf(body, sizeof(body),
		 "{\"metadata\":{\"resourceVersion\":\"%s\"%s%d,\"managedFields\":["
		 "{\"manager\":\"kubectl-feast\",\"operation\":\"Apply\",\"time\":\"%s\"}%s%s%s]}"
		 ",\"status\":{\"observedGeneration\":%d}}",
		 rv, gen > 0 ? ",\"generation\":" : ",\"x\":", gen, ours,
		 *theirs ? ",{\"manager\":\"kube-controller-manager\",\"operation\":\"Update\","
			   "\"subresource\":\"status\",\"time\":\"" : "",
		 theirs, *theirs ? "\"}" : "", seen);
	struct kube_response r = { .code = code };
	r.body = json_parse(&A, body, strlen(body), "answer", &D);
	cr_assert_not_null(r.body, "%s", body);
	return r;
}

static enum kube_outcome judge(struct kube_response r, struct kube_floor f, bool resent)
{
	return kube_apply_outcome(&r, "kubectl-feast", &f, resent);
}

#define BEFORE "2026-12-07T11:41:00Z"
#define SAME "2026-12-07T11:42:02Z"
#define AFTER "2026-12-07T11:42:03Z"

Test(apply, created_is_201)
{
	cr_assert_eq(judge(answer(201, "900", AFTER, "", 1, 0), floor_at(500), false), KUBE_APPLY_CREATED);
}

Test(apply, no_write_since_the_floor_is_unchanged)
{
	/* Even when our entry is from the floor's second: the object did not move at all. */
	cr_assert_eq(judge(answer(200, "500", SAME, "", 0, 0), floor_at(500), false), KUBE_APPLY_UNCHANGED);
	cr_assert_eq(judge(answer(200, "17", BEFORE, "", 0, 0), floor_at(500), false), KUBE_APPLY_UNCHANGED);
}

Test(apply, our_stamp_after_the_floor_is_configured)
{
	cr_assert_eq(judge(answer(200, "501", AFTER, "", 0, 0), floor_at(500), false), KUBE_APPLY_CONFIGURED);
}

Test(apply, someone_elses_write_is_not_ours)
{
	/* A controller wrote status since the floor; our entry is older than the floor. */
	cr_assert_eq(judge(answer(200, "501", BEFORE, AFTER, 2, 2), floor_at(500), false), KUBE_APPLY_UNCHANGED);
}

Test(apply, the_floors_own_second)
{
	/* Nobody else wrote: the write since the floor is ours. */
	cr_assert_eq(judge(answer(200, "501", SAME, "", 0, 0), floor_at(500), false), KUBE_APPLY_CONFIGURED);
	cr_assert_eq(judge(answer(200, "501", SAME, BEFORE, 0, 0), floor_at(500), false), KUBE_APPLY_CONFIGURED);
	/* A controller too: a generation it has not observed is our spec change... */
	cr_assert_eq(judge(answer(200, "501", SAME, SAME, 3, 2), floor_at(500), false), KUBE_APPLY_CONFIGURED);
	/* ...one it has observed means our apply changed no spec. */
	cr_assert_eq(judge(answer(200, "501", SAME, SAME, 3, 3), floor_at(500), false), KUBE_APPLY_UNCHANGED);
	/* Unless an earlier attempt went unanswered: it may have written before the controller. */
	cr_assert_eq(judge(answer(200, "501", SAME, SAME, 3, 3), floor_at(500), true), KUBE_APPLY_CONFIGURED);
}

Test(apply, without_a_floor_it_says_configured)
{
	struct kube_floor none = { 0 };
	cr_assert_eq(judge(answer(200, "501", BEFORE, "", 0, 0), none, false), KUBE_APPLY_CONFIGURED);
	/* A resourceVersion that is not a revision: the times still decide. */
	struct kube_floor date_only = { .taken = true, .date_ms = FLOOR_MS };
	cr_assert_eq(judge(answer(200, "abc", BEFORE, "", 0, 0), date_only, false), KUBE_APPLY_UNCHANGED);
	cr_assert_eq(judge(answer(200, "abc", AFTER, "", 0, 0), date_only, false), KUBE_APPLY_CONFIGURED);
}

Test(apply, floor_from_a_list)
{
	const char *b = "{\"kind\":\"ClusterRoleBindingList\",\"metadata\":{\"resourceVersion\":\"12345\"},\"items\":[]}";
	struct kube_response r = { .code = 200, .date_ms = FLOOR_MS };
	r.body = json_parse(&A, b, strlen(b), "list", &D);
	struct kube_floor f;
	kube_floor_from(&f, &r);
	cr_assert(f.taken && f.have_rv);
	cr_assert_eq(f.rv, 12345ULL);
	cr_assert_eq(f.date_ms, FLOOR_MS);
	struct kube_response forbidden = { .code = 403, .date_ms = FLOOR_MS };
	kube_floor_from(&f, &forbidden);
	cr_assert(f.taken && !f.have_rv);
	cr_assert_eq(f.date_ms, FLOOR_MS);
}

Test(apply, waves)
{
	cr_assert_eq(kube_apply_wave("", "Namespace"), 0);
	cr_assert_eq(kube_apply_wave("apiextensions.k8s.io", "CustomResourceDefinition"), 0);
	cr_assert_eq(kube_apply_wave("", "ServiceAccount"), 1);
	cr_assert_eq(kube_apply_wave("", "ConfigMap"), 1);
	cr_assert_eq(kube_apply_wave("", "Secret"), 1);
	cr_assert_eq(kube_apply_wave("rbac.authorization.k8s.io", "ClusterRole"), 1);
	cr_assert_eq(kube_apply_wave("rbac.authorization.k8s.io", "RoleBinding"), 2);
	cr_assert_eq(kube_apply_wave("rbac.authorization.k8s.io", "ClusterRoleBinding"), 2);
	cr_assert_eq(kube_apply_wave("apps", "Deployment"), 3);
	cr_assert_eq(kube_apply_wave("batch", "CronJob"), 3);
	cr_assert_eq(kube_apply_wave("autoscaling", "HorizontalPodAutoscaler"), 4);
	cr_assert_eq(kube_apply_wave("policy", "PodDisruptionBudget"), 1);
	cr_assert_eq(kube_apply_wave("keda.sh", "ScaledObject"), 4);
	cr_assert_eq(kube_apply_wave("feast.dev", "FeatureStore"), 4);
	cr_assert_eq(kube_apply_wave("networking.k8s.io", "NetworkPolicy"), 1);
}

Test(apply, http_date)
{
	long long ms;
	cr_assert(kube_parse_http_date(" Mon, 07 Dec 2026 11:42:02 GMT\r\n", &ms));
	cr_assert_eq(ms, FLOOR_MS);
	cr_assert(kube_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &ms));
	cr_assert_eq(ms, 784111777000LL);
	cr_assert(!kube_parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &ms));
	cr_assert(!kube_parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT", &ms));
	cr_assert(!kube_parse_http_date("Sun, 06 Nov 1994 08:49:37 CET", &ms));
	cr_assert(!kube_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing", &ms));
	cr_assert(!kube_parse_http_date("", &ms));
}
