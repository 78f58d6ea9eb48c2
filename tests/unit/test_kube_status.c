/* test_kube_status.c -- Status bodies, error messages, paths, and the small helpers under them. */
#include <criterion/criterion.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "kube_client.h"
#include "kube_resource.h"
#include "kube_util.h"

#include "suite.h"

TestSuite(status, .init = suite_setup, .fini = suite_teardown);

static struct kube_status parse(const char *body, long code)
{
	struct node *n = body ? json_parse(&A, body, strlen(body), "body", &D) : NULL;
	struct kube_status s;
	kube_status_parse(&A, n, code, body ? body : "", &s);
	return s;
}

Test(status, not_found)
{
	struct kube_status s = parse(
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		"\"message\":\"leases.coordination.k8s.io \\\"lk\\\" not found\",\"reason\":\"NotFound\","
		"\"details\":{\"name\":\"lk\",\"group\":\"coordination.k8s.io\",\"kind\":\"leases\"},\"code\":404}",
		404);
	cr_assert_eq(s.code, 404);
	cr_assert_str_eq(s.status, "Failure");
	cr_assert_str_eq(s.reason, "NotFound");
	cr_assert_str_eq(s.message, "leases.coordination.k8s.io \"lk\" not found");
	cr_assert_str_eq(s.name, "lk");
	cr_assert_str_eq(s.group, "coordination.k8s.io");
	cr_assert_str_eq(s.kind, "leases");
	cr_assert_eq(s.ncauses, 0);
}

Test(status, invalid_with_causes_and_retry)
{
	struct kube_status s = parse(
		"{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Invalid\",\"code\":422,"
		"\"message\":\"Lease.coordination.k8s.io \\\"x\\\" is invalid: metadata.resourceVersion: "
		"Invalid value: 0x0: must be specified for an update\","
		"\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value\","
		"\"field\":\"metadata.resourceVersion\"}],\"retryAfterSeconds\":3}}", 422);
	cr_assert_str_eq(s.reason, "Invalid");
	cr_assert_eq(s.ncauses, 1);
	cr_assert_str_eq(s.causes[0].field, "metadata.resourceVersion");
	cr_assert_str_eq(s.causes[0].reason, "FieldValueInvalid");
	cr_assert_eq(s.retry_after_s, 3);
}

Test(status, made_up_when_the_body_is_not_a_status)
{
	struct kube_status s = parse(NULL, 503);
	cr_assert_str_eq(s.reason, "ServiceUnavailable");
	cr_assert_str_eq(s.message, "the server is currently unable to handle the request");
	s = parse("{\"kind\":\"Pod\"}", 401);
	cr_assert_str_eq(s.reason, "Unauthorized");
	struct kube_status t;
	kube_status_parse(&A, NULL, 502, "<html>\n<b>Bad gateway</b></html>", &t);
	cr_assert_str_eq(t.reason, "");
	cr_assert(strstr(t.message, "HTTP 502"));
	cr_assert(strstr(t.message, "<b>Bad gateway</b>"));
	cr_assert_null(strchr(t.message, '\n'), "control characters are flattened");
	/* A Status without reason still gets one from its code. */
	s = parse("{\"kind\":\"Status\",\"message\":\"boom\",\"code\":409}", 409);
	cr_assert_str_eq(s.reason, "Conflict");
	cr_assert_str_eq(s.message, "boom");
}

Test(status, kube_fail_reads_like_kubectl)
{
	struct kube_response r = { 0 };
	r.code = 409;
	r.status = parse("{\"kind\":\"Status\",\"reason\":\"AlreadyExists\",\"code\":409,"
			 "\"message\":\"leases.coordination.k8s.io \\\"x\\\" already exists\"}", 409);
	cr_assert(!kube_ok(&r));
	cr_assert_eq(kube_fail(&D, &r), -1);
	struct buf b = BUF_INIT;
	diag_format(&b, &D.v[D.n - 1]);
	cr_assert_str_eq(b.data, "error: from server (AlreadyExists): leases.coordination.k8s.io \"x\" already exists");
	buf_release(&b);
	r.code = 201;
	cr_assert(kube_ok(&r));
}

Test(status, paths)
{
	const struct kube_resource *r = kube_resource_builtin("coordination.k8s.io/v1", "Lease");
	cr_assert_not_null(r);
	cr_assert_str_eq(kube_path(&A, r, "ns", "lk", NULL), "/apis/coordination.k8s.io/v1/namespaces/ns/leases/lk");
	cr_assert_str_eq(kube_path(&A, r, "ns", NULL, NULL), "/apis/coordination.k8s.io/v1/namespaces/ns/leases");
	r = kube_resource_builtin("v1", "Pod");
	cr_assert_str_eq(kube_path(&A, r, "a b", "p", "status"), "/api/v1/namespaces/a%20b/pods/p/status");
	cr_assert_str_eq(kube_resource_name(&A, r), "pods");
	r = kube_resource_builtin("rbac.authorization.k8s.io/v1", "ClusterRole");
	cr_assert_str_eq(kube_path(&A, r, "ignored", "x", NULL), "/apis/rbac.authorization.k8s.io/v1/clusterroles/x");
	r = kube_resource_builtin("feast.dev/v1", "FeatureStore");
	cr_assert_str_eq(kube_path(&A, r, "ns", "fs", "scale"), "/apis/feast.dev/v1/namespaces/ns/featurestores/fs/scale");
	cr_assert_str_eq(kube_resource_name(&A, r), "featurestores.feast.dev");
	cr_assert_not_null(kube_resource_builtin("keda.sh/v1alpha1", "ScaledObject"));
	cr_assert_not_null(kube_resource_builtin("autoscaling/v2", "HorizontalPodAutoscaler"));
	cr_assert_not_null(kube_resource_builtin("policy/v1", "PodDisruptionBudget"));
	cr_assert_null(kube_resource_builtin("apps/v1", "Pod"));
	cr_assert_null(kube_resource_builtin("apps/v1/x", "Deployment"));
	cr_assert_null(kube_resource_builtin("", "Pod"));

	struct kube_resource out;
	cr_assert_eq(kube_resource_find(NULL, "example.com/v1", "Widget", &out, &D), -1);
	cr_assert(strstr(D.v[D.n - 1].msg, "no matches for kind \"Widget\" in version \"example.com/v1\""));
}

Test(status, object_paths)
{
	const char *y = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"feast-x\"}}";
	struct node *o = json_parse(&A, y, strlen(y), "obj", &D);
	cr_assert_str_eq(kube_object_path(NULL, &A, o, "dflt", false, NULL, &D),
			 "/apis/apps/v1/namespaces/dflt/deployments/feast-x");
	cr_assert_str_eq(kube_object_path(NULL, &A, o, "dflt", true, NULL, &D),
			 "/apis/apps/v1/namespaces/dflt/deployments");
	y = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\",\"namespace\":\"own\"}}";
	o = json_parse(&A, y, strlen(y), "obj", &D);
	struct kube_resource r;
	cr_assert_str_eq(kube_object_path(NULL, &A, o, "dflt", false, &r, &D), "/api/v1/namespaces/own/services/s");
	cr_assert_str_eq(r.plural, "services");
	y = "{\"apiVersion\":\"v1\",\"kind\":\"Service\"}";
	o = json_parse(&A, y, strlen(y), "obj", &D);
	cr_assert_null(kube_object_path(NULL, &A, o, "dflt", false, NULL, &D));
	cr_assert(strstr(D.v[D.n - 1].msg, "metadata.name"));
}

Test(status, base64)
{
	unsigned char *out;
	size_t n;
	cr_assert(kube_base64_decode(&A, "aGVsbG8=", 8, &out, &n));
	cr_assert_eq(n, 5);
	cr_assert_str_eq((char *)out, "hello");
	cr_assert(kube_base64_decode(&A, "aGVs\nbG8h\r\n", 11, &out, &n));
	cr_assert_str_eq((char *)out, "hello!");
	cr_assert(kube_base64_decode(&A, "", 0, &out, &n) && n == 0);
	cr_assert(!kube_base64_decode(&A, "aGVsbG8", 7, &out, &n), "missing padding");
	cr_assert(!kube_base64_decode(&A, "aGV=bG8=", 8, &out, &n), "data after padding");
	cr_assert(!kube_base64_decode(&A, "a*==", 4, &out, &n));
	cr_assert(!kube_base64_decode(&A, "aGVsbG9=", 8, &out, &n), "non-zero trailing bits");
	struct buf b = BUF_INIT;
	for (size_t len = 0; len < 8; len++) {
		buf_reset(&b);
		kube_base64_encode(&b, (const unsigned char *)"abcdefgh", len);
		cr_assert(kube_base64_decode(&A, b.data, b.len, &out, &n));
		cr_assert_eq(n, len);
		cr_assert_eq(memcmp(out, "abcdefgh", len), 0);
	}
	buf_release(&b);
}

Test(status, times)
{
	long long ms;
	cr_assert(kube_parse_time("1970-01-01T00:00:00Z", &ms) && ms == 0);
	cr_assert(kube_parse_time("2026-11-26T10:53:47.123456Z", &ms) && ms == 1795690427123LL);
	cr_assert(kube_parse_time("2026-11-26T12:53:47.123+02:00", &ms) && ms == 1795690427123LL);
	cr_assert(kube_parse_time("2000-02-29T00:00:00-00:30", &ms) && ms == 951784200000LL);
	cr_assert(!kube_parse_time("2026-11-26", &ms));
	cr_assert(!kube_parse_time("2026-02-30T00:00:00Z", &ms));
	cr_assert(!kube_parse_time("2026-11-26T10:53:47", &ms), "a zone is required");
	cr_assert(!kube_parse_time("2026-11-26T10:53:47.Z", &ms));
	struct buf b = BUF_INIT;
	kube_format_microtime(&b, 1795690427123LL);
	cr_assert_str_eq(b.data, "2026-11-26T10:53:47.123000Z");
	buf_reset(&b);
	kube_format_microtime(&b, 951782400000LL);
	cr_assert_str_eq(b.data, "2000-02-29T00:00:00.000000Z");
	buf_release(&b);
}

Test(status, query_strings)
{
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", "app=feast,tier!=db");
	kube_query_add(&q, "fieldManager", "kubectl-feast");
	cr_assert_str_eq(q.data, "labelSelector=app%3Dfeast%2Ctier%21%3Ddb&fieldManager=kubectl-feast");
	buf_release(&q);
}
