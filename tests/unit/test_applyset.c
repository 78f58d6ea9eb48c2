/* test_applyset.c -- ApplySet ids as kubectl computes them, parent references, annotation lists, render's kinds. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "kube_applyset.h"
#include "kube_resource.h"
#include "render.h"
#include "yaml_in.h"

#include "suite.h"

TestSuite(applyset, .init = suite_setup, .fini = suite_teardown);

static const char *hex(const void *msg, size_t n)
{
	unsigned char sum[32];
	applyset_sha256(msg, n, sum);
	char *s = arena_alloc(&A, 65);
	for (int i = 0; i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", sum[i]);
	return s;
}

/* Lengths around the padding boundaries (55, 56, 64, 119 bytes) and several blocks. */
Test(applyset, sha256_vectors)
{
	char a[1000];
	memset(a, 'a', sizeof(a));
	cr_expect_str_eq(hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cr_expect_str_eq(hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_expect_str_eq(hex(a, 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	cr_expect_str_eq(hex(a, 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	cr_expect_str_eq(hex(a, 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	cr_expect_str_eq(hex(a, 119), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
	cr_expect_str_eq(hex(a, 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

/* The values Go's sha256 and base64.RawURLEncoding give for the same name.namespace.kind.group. */
Test(applyset, id_is_kubectls)
{
	cr_expect_str_eq(applyset_id(&A, "fleet", "feast", "Secret", ""),
			 "applyset-zmHoydJbt0fI1EafZxbvvfliptNaQPfE7cjSF3lJajc-v1");
	cr_expect_str_eq(applyset_id(&A, "team", "ns", "ConfigMap", ""),
			 "applyset-QqOPdJfwAmswYcJDqpI73W3WpioX2PQWqzzuUs5BbU8-v1");
}

Test(applyset, parent_references)
{
	struct applyset_ref r;
	char err[256];
	cr_assert_eq(applyset_parse_ref(&A, "fleet", &r, err, sizeof(err)), 0);
	cr_expect_str_eq(r.kind, "Secret");
	cr_expect_str_eq(r.name, "fleet");
	cr_assert_eq(applyset_parse_ref(&A, "configmaps/fleet", &r, err, sizeof(err)), 0);
	cr_expect_str_eq(r.kind, "ConfigMap");
	cr_expect_str_eq(r.plural, "configmaps");
	cr_assert_eq(applyset_parse_ref(&A, "secrets./x", &r, err, sizeof(err)), 0);
	cr_expect_str_eq(r.kind, "Secret");
	cr_expect_eq(applyset_parse_ref(&A, "secrets/", &r, err, sizeof(err)), -1);
	cr_expect(strstr(err, "name cannot be blank"));
	cr_expect_eq(applyset_parse_ref(&A, "deployments.apps/x", &r, err, sizeof(err)), -1);
	cr_expect(strstr(err, "not permitted as an ApplySet parent"), "%s", err);
}

Test(applyset, group_kinds_and_lists)
{
	cr_expect_str_eq(applyset_gk(&A, "Deployment", "apps"), "Deployment.apps");
	cr_expect_str_eq(applyset_gk(&A, "ConfigMap", ""), "ConfigMap");
	const char *kind, *group;
	applyset_gk_split(&A, "ClusterRole.rbac.authorization.k8s.io", &kind, &group);
	cr_expect_str_eq(kind, "ClusterRole");
	cr_expect_str_eq(group, "rbac.authorization.k8s.io");
	applyset_gk_split(&A, "Service", &kind, &group);
	cr_expect_str_eq(group, "");
	cr_expect_str_eq(applyset_tooling_name(&A, "kubectl/v1.34.4"), "kubectl");
	cr_expect_str_eq(applyset_tooling_name(&A, "kubectl-feast"), "kubectl-feast");

	struct applyset_list l = { 0 };
	applyset_list_add_csv(&A, &l, "Service,Deployment.apps,,ConfigMap");
	applyset_list_add(&A, &l, "Deployment.apps");
	applyset_list_add(&A, &l, "");
	cr_expect_eq(l.n, 3);
	cr_expect_str_eq(applyset_list_join(&A, &l, NULL), "ConfigMap,Deployment.apps,Service");
	cr_expect_str_eq(applyset_list_join(&A, &l, "ConfigMap"), "Deployment.apps,Service");
	struct applyset_list empty = { 0 };
	applyset_list_add_csv(&A, &empty, NULL);
	cr_expect_str_eq(applyset_list_join(&A, &empty, NULL), "");
}

/* Prune and delete derive their kinds from this list: each must have a REST path without
 * discovery, and the order must put every kind after those it refers to. */
Test(applyset, render_kinds_are_known_and_ordered)
{
	struct render_kind *v;
	size_t n;
	cr_assert_eq(render_kinds(&A, &v, &n, &D), 0);
	cr_assert_gt(n, 10);
	size_t sa = n, dep = n, hpa = n, crb = n, cr = n;
	for (size_t i = 0; i < n; i++) {
		cr_expect(kube_resource_builtin(v[i].api_version, v[i].kind), "%s %s has no REST path",
			  v[i].api_version, v[i].kind);
		const char *k = v[i].kind;
		*(!strcmp(k, "ServiceAccount") ? &sa : !strcmp(k, "Deployment") ? &dep
		  : !strcmp(k, "HorizontalPodAutoscaler") ? &hpa : !strcmp(k, "ClusterRoleBinding") ? &crb
		  : !strcmp(k, "ClusterRole") ? &cr : &(size_t){ 0 }) = i;
	}
	cr_expect_lt(sa, dep);
	cr_expect_lt(dep, hpa);
	cr_expect_lt(cr, crb);
	cr_expect_lt(crb, n);
}

static bool listed(const struct render_kind *v, size_t n, const char *api, const char *kind)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].api_version, api) && !strcmp(v[i].kind, kind))
			return true;
	return false;
}

/* Every object render builds in the golden corpus (they carry managed-by kubectl-feast;
 * documents passed through do not) is of a kind render_kinds() lists: so prune and delete,
 * which take their kinds from it, can reach every object apply sends. */
Test(applyset, corpus_kinds_are_listed)
{
	struct render_kind *v;
	size_t n, objects = 0;
	cr_assert_eq(render_kinds(&A, &v, &n, &D), 0);
	const char *dirs[] = { "golden/render", "golden/render/samples", "golden/render/operator-testdata",
			       "golden/keda" };
	const char *src = getenv("FEAST_SOURCE_DIR") ? getenv("FEAST_SOURCE_DIR") : ".";
	for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		char *dir = arena_printf(&A, "%s/%s", src, dirs[k]);
		DIR *d = opendir(dir);
		cr_assert(d, "cannot open %s", dir);
		for (struct dirent *e; (e = readdir(d));) {
			size_t len = strlen(e->d_name);
			if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
				continue;
			struct buf b = BUF_INIT;
			char *path = arena_printf(&A, "%s/%s", dir, e->d_name);
			cr_assert_eq(buf_read_path(&b, path), 0, "cannot read %s", path);
			struct doclist l = { 0 };
			yaml_parse(&A, path, arena_strndup(&A, b.data, b.len), b.len, NULL, &l, &D);
			buf_release(&b);
			for (size_t i = 0; i < l.n; i++) {
				const struct node *r = l.v[i].root;
				if (strcmp(node_str_or(map_get(node_at(r, "metadata.labels"), "app.kubernetes.io/managed-by"), ""),
					   "kubectl-feast"))
					continue;
				objects++;
				const char *api = node_str_or(map_get(r, "apiVersion"), "");
				const char *kind = node_str_or(map_get(r, "kind"), "");
				cr_expect(listed(v, n, api, kind), "%s: %s %s is not in render_kinds()", path, api, kind);
			}
		}
		closedir(d);
	}
	cr_expect_gt(objects, 100);
}
