/* test_sidecar_kjson.c -- Lease bodies in and out, Pod fields, hostile input. */
#include <criterion/criterion.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kjson.h"

#include "suite.h"

TestSuite(kjson, .init = suite_setup, .fini = suite_teardown);

static struct node *parse(const char *text)
{
	struct node *n = json_parse(&A, text, strlen(text), "t.json", &D);
	cr_assert_not_null(n, "%s", D.n ? D.v[0].msg : "?");
	return n;
}

static const char *LEASE =
	"{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\","
	"\"metadata\":{\"name\":\"feast-x-registry-lock\",\"namespace\":\"ns\",\"uid\":\"u-1\","
	"\"resourceVersion\":\"4711\",\"labels\":{\"app\":\"feast\"},"
	"\"annotations\":{\"feast.dev/registry-generation\":\"41\",\"other\":\"kept\"},"
	"\"managedFields\":[{\"manager\":\"kubectl\"}],\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},"
	"\"spec\":{\"holderIdentity\":\"pod-a\",\"leaseDurationSeconds\":15,"
	"\"acquireTime\":\"2026-11-26T10:53:47.123456Z\",\"renewTime\":\"2026-11-26T10:54:47.123456Z\","
	"\"leaseTransitions\":7}}";

Test(kjson, lease_reads_every_field)
{
	struct lease_obj o;
	cr_assert_eq(lease_from_node(parse(LEASE), &o), 0);
	cr_assert_str_eq(o.rv, "4711");
	cr_assert_str_eq(o.rec.holder, "pod-a");
	cr_assert_eq(o.rec.duration_s, 15);
	cr_assert_eq(o.rec.transitions, 7);
	cr_assert_str_eq(o.rec.acquire_time, "2026-11-26T10:53:47.123456Z");
	cr_assert_str_eq(o.rec.renew_time, "2026-11-26T10:54:47.123456Z");
	cr_assert_eq(o.rec.generation, 41);
}

Test(kjson, absent_and_wrong_types_read_as_absent)
{
	struct lease_obj o;
	cr_assert_eq(lease_from_node(parse("{\"metadata\":{\"resourceVersion\":\"1\"}}"), &o), 0);
	cr_assert_str_eq(o.rec.holder, "", "no spec: free");
	cr_assert_eq(o.rec.duration_s, 0);
	cr_assert_eq(lease_from_node(parse("{\"metadata\":{\"resourceVersion\":\"1\",\"annotations\":"
					   "{\"feast.dev/registry-generation\":\"x1\"}},\"spec\":{\"holderIdentity\":5,"
					   "\"leaseDurationSeconds\":\"15\",\"leaseTransitions\":-3}}"),
				     &o),
		     0);
	cr_assert_str_eq(o.rec.holder, "");
	cr_assert_eq(o.rec.duration_s, 0);
	cr_assert_eq(o.rec.transitions, 0);
	cr_assert_eq(o.rec.generation, 0);
}

Test(kjson, no_resource_version_no_lease)
{
	struct lease_obj o;
	cr_assert_eq(lease_from_node(parse("{\"spec\":{\"holderIdentity\":\"a\"}}"), &o), -1);
	cr_assert_eq(lease_from_node(parse("[]"), &o), -1);
	cr_assert_eq(lease_from_node(parse("{\"metadata\":{\"resourceVersion\":\"\"}}"), &o), -1);
	cr_assert_eq(lease_from_node(NULL, &o), -1);
}

Test(kjson, an_overlong_holder_is_nobody)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"holderIdentity\":\"");
	for (int i = 0; i < 300; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "\"}}");
	struct lease_obj o;
	cr_assert_eq(lease_from_node(parse(b.data), &o), 0);
	cr_assert_str_eq(o.rec.holder, LEASE_HOLDER_UNKNOWN);
	buf_release(&b);
}

Test(kjson, update_keeps_what_others_wrote)
{
	struct node *base = parse(LEASE);
	struct lease_req req = { .op = LEASE_UPDATE };
	snprintf(req.rv, sizeof(req.rv), "4711");
	snprintf(req.rec.holder, sizeof(req.rec.holder), "pod-b");
	req.rec.duration_s = 15;
	req.rec.transitions = 8;
	snprintf(req.rec.acquire_time, sizeof(req.rec.acquire_time), "2026-11-26T11:00:00.000000Z");
	snprintf(req.rec.renew_time, sizeof(req.rec.renew_time), "2026-11-26T11:00:00.000000Z");
	req.rec.generation = 41;
	struct node *out = lease_to_node(&A, base, "feast-x-registry-lock", "ns", &req);
	cr_assert_str_eq(node_text(node_at(out, "metadata.resourceVersion")), "4711");
	cr_assert_str_eq(node_text(node_at(out, "metadata.uid")), "u-1");
	cr_assert_str_eq(node_text(node_at(out, "metadata.labels.app")), "feast");
	cr_assert_str_eq(node_text(map_get(node_at(out, "metadata.annotations"), "other")), "kept");
	cr_assert_null(node_at(out, "metadata.managedFields"));
	cr_assert_str_eq(node_text(node_at(out, "spec.holderIdentity")), "pod-b");
	cr_assert_str_eq(node_text(node_at(out, "spec.leaseTransitions")), "8");
	struct lease_obj back;
	cr_assert_eq(lease_from_node(out, &back), 0);
	cr_assert_eq(memcmp(&back.rec, &req.rec, sizeof(req.rec)), 0, "round trip");
	cr_assert_str_eq(node_text(node_at(base, "spec.holderIdentity")), "pod-a", "the base is not modified");
}

Test(kjson, release_writes_an_empty_holder_and_the_generation)
{
	struct lease_req req = { .op = LEASE_UPDATE };
	snprintf(req.rv, sizeof(req.rv), "9");
	req.rec.duration_s = 1;
	req.rec.generation = 42;
	struct node *out = lease_to_node(&A, parse(LEASE), "n", "ns", &req);
	struct buf b = BUF_INIT;
	json_emit(&b, map_get(out, "spec"), 0);
	cr_assert_str_eq(b.data, "{\"holderIdentity\":\"\",\"leaseDurationSeconds\":1,\"leaseTransitions\":0}");
	cr_assert_str_eq(node_text(map_get(node_at(out, "metadata.annotations"), GENERATION_ANNOTATION)), "42");
	buf_release(&b);
}

Test(kjson, create_has_no_resource_version_and_no_annotation_at_zero)
{
	struct lease_req req = { .op = LEASE_CREATE };
	snprintf(req.rec.holder, sizeof(req.rec.holder), "me");
	req.rec.duration_s = 15;
	struct node *out = lease_to_node(&A, parse(LEASE), "n", "ns", &req);
	cr_assert_null(node_at(out, "metadata.resourceVersion"));
	cr_assert_null(node_at(out, "metadata.annotations"));
	cr_assert_str_eq(node_text(node_at(out, "kind")), "Lease");
	cr_assert_str_eq(node_text(node_at(out, "apiVersion")), "coordination.k8s.io/v1");
	cr_assert_str_eq(node_text(node_at(out, "metadata.namespace")), "ns");
}

Test(kjson, pod_fields)
{
	struct pod_info p;
	cr_assert_eq(pod_from_node(parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u\","
					 "\"resourceVersion\":\"3\",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},"
					 "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
					 "\"status\":\"True\"},{\"status\":\"False\"},{\"type\":\"feast.dev/registry-ready\","
					 "\"status\":\"False\"}]}}"),
				   &p),
		     0);
	cr_assert_str_eq(p.name, "p");
	cr_assert(p.deleting);
	cr_assert_str_eq(p.phase, "Running");
	cr_assert_eq(p.nconditions, 2, "a condition without a type is skipped");
	cr_assert_str_eq(p.conditions[1].type, "feast.dev/registry-ready");
	cr_assert_eq(pod_from_node(parse("{\"metadata\":{}}"), &p), -1);
}
