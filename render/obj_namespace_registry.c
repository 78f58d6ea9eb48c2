/* obj_namespace_registry.c -- ConfigMap feast-configs-registry: where the Feast UI finds the
 * client configurations of every store, across namespaces (--configs-registry). */
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "yaml_in.h"
#include "render_int.h"

#include <string.h>

#define REGISTRY_CM "feast-configs-registry"
#define READER REGISTRY_CM "-reader"

static int by_ns_then_name(const struct store_sum *a, const struct store_sum *b)
{
	int c = strcmp(a->ns, b->ns);
	return c ? c : strcmp(a->name, b->name);
}

/* {"namespaces":{NS:[feast-<name>-client,...]}} as the operator's json.Marshal writes it:
 * namespaces sorted; the stores of a namespace sorted too, where the operator appends
 * them in the order it happens to reconcile them. */
static const char *registry_json(struct render_ctx *r, const struct store_sum *v, size_t n)
{
	const struct store_sum **s = arena_alloc(r->a, (n ? n : 1) * sizeof(*s));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct node *ann = node_at(v[i].doc->root, "metadata.annotations");
		/* Protected projects stay out of it (deployNamespaceRegistry). */
		if (!v[i].ns || !strcmp(node_str_or(map_get(ann, "feast.dev/protected-project"), ""), "true"))
			continue;
		size_t j = k++;
		for (; j > 0 && by_ns_then_name(s[j - 1], &v[i]) > 0; j--)
			s[j] = s[j - 1];
		s[j] = &v[i];
	}
	struct node *nss = node_map(r->a, NULL);
	for (size_t i = 0; i < k; i++)
		seq_push(r->a, map_child_seq(r->a, nss, s[i]->ns),
			 node_strf(r->a, "%s-client", s[i]->feast_name));
	struct node *top = node_map(r->a, NULL);
	map_put(r->a, top, "namespaces", nss);
	struct buf b = BUF_INIT;
	json_emit(&b, top, 0);
	const char *text = arena_strndup(r->a, b.data, b.len);
	buf_release(&b);
	return text;
}

static struct node *in_ns(struct render_ctx *r, struct node *obj)
{
	map_set(r->a, map_get(obj, "metadata"), "namespace", str_node(r, r->opts->namespace_registry));
	return obj;
}

/* The operator's namespace_registry.go (deployNamespaceRegistry): the ConfigMap and a Role and
 * RoleBinding that let every authenticated user read it, in the namespace the flag names
 * (the operator's own: feast-operator-system on Kubernetes). */
void build_namespace_registry(struct render_ctx *r, const struct store_sum *v, size_t n)
{
	if (!r->opts->namespace_registry || !n)
		return;
	struct node *cm = in_ns(r, obj_new(r, NULL, T_CONFIGMAP, REGISTRY_CM, false, NULL, "namespace-registry"));
	struct node *data = node_map(r->a, NULL);
	map_put(r->a, data, "namespaces", str_node(r, registry_json(r, v, n)));
	map_set(r->a, cm, "data", data);
	obj_emit(r, NULL, cm);
	struct node *role = in_ns(r, obj_new(r, NULL, T_ROLE, READER, false, NULL, "namespace-registry"));
	map_set(r->a, role, "rules", tmpl_clone(r, T_RULES_NAMESPACE_REGISTRY));
	obj_emit(r, NULL, role);
	struct node *rb = in_ns(r, obj_new(r, NULL, T_ROLEBINDING, READER, false, NULL, "namespace-registry"));
	map_set(r->a, map_get(rb, "roleRef"), "kind", str_node(r, "Role"));
	map_set(r->a, map_get(rb, "roleRef"), "name", str_node(r, READER));
	struct node *subject = node_map(r->a, NULL);
	map_put(r->a, subject, "apiGroup", str_node(r, "rbac.authorization.k8s.io"));
	map_put(r->a, subject, "kind", str_node(r, "Group"));
	map_put(r->a, subject, "name", str_node(r, "system:authenticated"));
	struct node *subjects = node_seq(r->a, NULL);
	seq_push(r->a, subjects, subject);
	map_set(r->a, rb, "subjects", subjects);
	obj_emit(r, NULL, rb);
}
