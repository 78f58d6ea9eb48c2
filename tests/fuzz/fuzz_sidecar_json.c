/* fuzz_sidecar_json.c -- libFuzzer target: the JSON bodies feast-sidecar reads from the API server.
 *
 * Every input goes through the strict JSON reader and then through each
 * decoder the sidecar uses on server answers: Lease (lease_from_node), Pod
 * (pod_from_node) and Status (kube_status_parse).  Beyond "no crash, no
 * leak, no undefined behaviour" it checks a property: a Lease that decodes
 * must come back unchanged after being written as an update body (from
 * itself as the base) and read again -- what the daemon PUTs is what it
 * read, plus only what it meant to change.
 *
 *   make fuzz-sidecar FUZZ_SECONDS=60      (clang, -fsanitize=fuzzer,address,undefined)
 *
 * tests/unit/test_sidecar_fuzz.c replays the seed corpus (and every
 * truncation of each seed) through the same function in `make test`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kjson.h"
#include "kube_client.h"
#include "fuzz_check.h"

static void check_lease(struct arena *a, const struct node *n, const struct lease_obj *o)
{
	CHECK(strlen(o->rv) > 0 && strlen(o->rv) < sizeof(o->rv));
	CHECK(strlen(o->rec.holder) < sizeof(o->rec.holder));
	CHECK(o->rec.duration_s >= 0 && o->rec.transitions >= 0 && o->rec.generation >= 0);
	struct lease_req req;
	memset(&req, 0, sizeof(req));
	req.op = LEASE_UPDATE;
	req.rec = o->rec;
	memcpy(req.rv, o->rv, sizeof(req.rv));
	struct node *body = lease_to_node(a, n, "fuzz-lease", "fuzz-ns", &req);
	struct buf text = BUF_INIT;
	json_emit(&text, body, 0);
	struct diags d;
	diags_init(&d, a);
	struct node *back = json_parse(a, text.data, text.len, "round trip", &d);
	CHECK(back != NULL);
	struct lease_obj o2;
	CHECK(lease_from_node(back, &o2) == 0);
	CHECK(strcmp(o2.rv, o->rv) == 0);
	CHECK(memcmp(&o2.rec, &o->rec, sizeof(o->rec)) == 0);
	buf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* kube_status_parse wants NUL-terminated raw text, as the client gives it. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct node *n = json_parse(&a, text, size, "fuzz", &d);
	struct lease_obj o;
	if (lease_from_node(n, &o) == 0)
		check_lease(&a, n, &o);
	struct pod_info p;
	if (pod_from_node(n, &p) == 0) {
		CHECK(p.name && p.namespace && p.uid && p.phase && p.resource_version);
		CHECK(p.nconditions <= POD_MAX_CONDITIONS);
		for (size_t i = 0; i < p.nconditions; i++)
			CHECK(p.conditions[i].type && p.conditions[i].status);
	}
	struct kube_status st;
	kube_status_parse(&a, n, 409, text, &st);
	CHECK(st.message != NULL && st.reason != NULL);
	arena_free(&a);
	free(text);
	return 0;
}
