/* fuzz_discovery.c -- the fuzz entry point for API discovery documents (GET /apis/GROUP/VERSION): caching and lookups. */
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "json.h"
#include "kube_client_int.h"
#include "kube_resource.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The document's own groupVersion when it has the shape kube_resource.c accepts
 * ("group/version", or "version" for the core group), else a fixed one: every
 * lookup below must then hit the cache, so the client never reaches the network. */
static const char *group_version(struct arena *a, const struct node *body, const char **group,
				 const char **version)
{
	const char *gv = node_str_or(map_get(body, "groupVersion"), NULL);
	const char *slash = gv ? strchr(gv, '/') : NULL;
	if (!gv || !*gv || (slash && (slash == gv || (size_t)(slash - gv) >= 256 || !slash[1] ||
				      strchr(slash + 1, '/'))))
		gv = "fuzz.example.com/v1";
	slash = strchr(gv, '/');
	*group = slash ? arena_strndup(a, gv, (size_t)(slash - gv)) : "";
	*version = slash ? slash + 1 : gv;
	return gv;
}

/* Every kind the document lists (and is not a subresource) must be found again, with
 * paths built for it in each shape the client asks for. */
static void lookups(struct kube_client *c, struct arena *a, const char *gv, const struct node *list)
{
	size_t n = list && list->kind == NODE_SEQ ? list->u.seq.n : 0;
	for (size_t i = 0; i < n; i++) {
		const struct node *r = list->u.seq.v[i];
		const char *name = node_str_or(map_get(r, "name"), NULL);
		const char *kind = node_str_or(map_get(r, "kind"), NULL);
		if (!kind)
			continue;
		struct diags d;
		diags_init(&d, a);
		struct kube_resource res;
		int rc = kube_resource_discover(c, gv, kind, &res, &d);
		CHECK(rc == 0 || d.errors == 1);
		if (name && !strchr(name, '/'))
			CHECK(rc == 0);
		if (rc < 0)
			continue;
		CHECK(!strcmp(res.kind, kind) && !strchr(res.plural, '/'));
		const char *p = kube_path(a, &res, "ns", "obj name", "status");
		CHECK(!strncmp(p, "/api", 4));
		p = kube_path(a, &res, NULL, NULL, NULL);
		CHECK(!strncmp(p, "/api", 4));
		CHECK(kube_resource_name(a, &res) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	const char *text = arena_strndup(&a, (const char *)data, size);
	struct node *body = json_parse(&a, text, size, "response", &d);
	/* A client that never connects: only its discovery cache and arena are used. */
	struct kube_client c;
	memset(&c, 0, sizeof(c));
	c.arena = (struct arena)ARENA_INIT;
	const char *group, *version;
	const char *gv = group_version(&a, body, &group, &version);
	const struct node *list = map_get(body, "resources");
	disc_store(&c, gv, group, version, list);
	lookups(&c, &a, gv, list);
	/* The static table's parsing of apiVersion strings, with the document's own. */
	(void)kube_resource_builtin(node_str_or(map_get(body, "groupVersion"), NULL), "Deployment");
	arena_free(&c.arena);
	arena_free(&a);
	return 0;
}
