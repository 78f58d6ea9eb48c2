/* fuzz_exec.c -- the fuzz entry point for what an exec credential plugin prints: its stdout, decoded as an ExecCredential. */
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "kube_exec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the client relies on when it sends the credential: a token fit for a header, and
 * a certificate and key that come as a pair, with their lengths right. */
static void check_cred(const struct kube_exec_cred *c)
{
	CHECK(c->token || c->cert);
	CHECK(!c->cert == !c->key);
	for (const char *p = c->token ? c->token : ""; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	CHECK(!c->token || *c->token);
	CHECK(!c->cert || (c->cert_len && c->cert_len == strlen((const char *)c->cert)));
	CHECK(!c->key || (c->key_len && c->key_len == strlen((const char *)c->key)));
}

/* Both API versions a kubeconfig may name: the same bytes pass one header check and fail
 * the other, so both the decoding and the mismatch message run. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = { "client.authentication.k8s.io/v1",
						"client.authentication.k8s.io/v1beta1" };
	struct buf out;
	buf_init(&out, KUBE_EXEC_MAX_OUTPUT);
	if (buf_add(&out, data, size) < 0) {
		buf_release(&out);
		return 0;
	}
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct kube_exec_config x = { .api_version = versions[i], .command = "fuzz-plugin" };
		struct arena a = ARENA_INIT;
		struct diags d;
		diags_init(&d, &a);
		struct kube_exec_cred c = { 0 };
		if (kube_exec_decode(&x, &out, &c, &d) == 0) {
			CHECK(d.errors == 0);
			check_cred(&c);
		} else {
			CHECK(d.errors > 0 && !c.token && !c.cert && !c.key);
		}
		struct buf msg = BUF_INIT;
		for (size_t k = 0; k < d.n; k++)
			diag_format(&msg, &d.v[k]);
		buf_release(&msg);
		kube_exec_cred_clear(&c);
		arena_free(&a);
	}
	buf_release(&out);
	return 0;
}
