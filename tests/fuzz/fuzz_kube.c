/* fuzz_kube.c -- the fuzz entry point for what the kube client reads: kubeconfig files, Status bodies, watch lines. */
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kube_client.h"
#include "kube_config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file kube_config_load() can read: a memfd, rewritten each run. */
static const char *as_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("kubeconfig", 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return NULL;
	return path;
}

/* Load the input as the only kubeconfig, with the flag sets that steer
 * resolution through its other paths. */
static void kubeconfig(const char *path)
{
	static const struct kube_flags sets[] = {
		{ 0 },
		{ .context = "x", .namespace = "n" },
		{ .cluster = "c", .user = "u", .token = "t" },
		{ .server = "https://s:1", .insecure_skip_tls_verify = true },
		{ .certificate_authority = "/dev/null", .tls_server_name = "n", .client_certificate = "/dev/null",
		  .client_key = "/dev/null" },
	};
	struct kube_env env = { .sa_dir = "/nonexistent/kube-fuzz" };
	env.kubeconfig = path;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct arena a = ARENA_INIT;
		struct diags d;
		diags_init(&d, &a);
		struct kube_flags f = sets[i];
		struct kube_config c;
		if (kube_config_load(&a, &f, &env, &c, &d) == 0)
			(void)kube_config_auth_kind(&c);
		struct buf out = BUF_INIT;
		for (size_t k = 0; k < d.n; k++)
			diag_format(&out, &d.v[k]);
		buf_release(&out);
		arena_free(&a);
	}
}

/* The input as an API answer, then each of its lines as a watch event. */
static void answers(const char *text, size_t size)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct kube_status s;
	struct node *n = json_parse(&a, text, size, "body", &d);
	kube_status_parse(&a, n, 409, text, &s);
	for (const char *p = text, *end = text + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct node *e = json_parse(&a, p, len, "event", &d);
		const struct node *obj = map_get(e, "object");
		if (node_str_or(map_get(e, "type"), NULL) && obj && obj->kind == NODE_MAP)
			kube_status_parse(&a, obj, 200, "", &s);
		p += len + 1;
	}
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = as_file(data, size);
	if (path)
		kubeconfig(path);
	struct arena a = ARENA_INIT;
	answers(arena_strndup(&a, (const char *)data, size), size);
	arena_free(&a);
	return 0;
}
