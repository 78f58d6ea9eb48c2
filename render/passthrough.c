/* passthrough.c -- namespaces as kubectl gives them, documents passed through as kubectl reads them. */
#include "arena.h"
#include "check.h"
#include "diag.h"
#include "doc.h"
#include "docshape.h"
#include "kube_util.h"
#include "render_int.h"
#include "yaml_in.h"

#include <stdlib.h>
#include <string.h>

#define CORE_BINARY "tag:yaml.org,2002:binary"

/* Built-in kinds without a namespace (kubectl api-resources --namespaced=false); any
 * other kind is taken to be namespaced, as kubectl does for kinds it cannot look up. */
static const char *const cluster_kinds[] = {
	"APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterIssuer", "ClusterRole",
	"ClusterRoleBinding", "ComponentStatus", "CustomResourceDefinition", "FlowSchema", "IngressClass",
	"MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PriorityClass",
	"PriorityLevelConfiguration", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
	"ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
};

bool kind_is_namespaced(const char *kind)
{
	for (size_t i = 0; i < sizeof(cluster_kinds) / sizeof(cluster_kinds[0]); i++)
		if (kind && !strcmp(kind, cluster_kinds[i]))
			return false;
	return true;
}

int render_check_namespaces(struct render_ctx *r, const struct doclist *docs)
{
	const char *want = r->opts->namespace_explicit ? r->opts->namespace : NULL;
	int errors = 0;
	for (size_t i = 0; want && i < docs->n; i++) {
		const struct node *root = docs->v[i].root;
		const struct node *ns = node_at(root, "metadata.namespace");
		const char *have = node_text(ns);
		if (!have || !*have || !strcmp(have, want) || !kind_is_namespaced(node_text(map_get(root, "kind"))))
			continue;
		/* kubectl's words: -n never moves an object that names its namespace. */
		diag_error(r->d, &ns->pos, "metadata.namespace",
			   "the namespace from the provided object \"%s\" does not match the namespace \"%s\". You "
			   "must pass '--namespace=%s' to perform this operation.", have, want, have);
		errors++;
	}
	r->errors += errors;
	return errors ? -1 : 0;
}

static bool has_tags(const struct node *n)
{
	if (n->tag)
		return true;
	node_map_each(n, p)
		if (has_tags(p->val))
			return true;
	node_seq_each(n, item)
		if (has_tags(item))
			return true;
	return false;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], more = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
		if (more == 9 || i + more >= n + (more ? 0 : 1))
			return false;
		for (unsigned k = 1; k <= more; k++)
			if ((s[i + k] >> 6) != 2)
				return false;
		i += more + 1;
	}
	return true;
}

/* A !!binary scalar as kubectl reads it: its decoded bytes, which must be UTF-8 text. */
static struct node *decode_binary(struct render_ctx *r, struct node *n)
{
	size_t len = n->u.sc.len, k = 0;
	char *b64 = arena_alloc(r->a, len + 1);
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", n->u.sc.s[i]))
			b64[k++] = n->u.sc.s[i];
	unsigned char *out;
	size_t outlen;
	struct pos p = n->pos;
	if (!kube_base64_decode(r->a, b64, k, &out, &outlen) || memchr(out, 0, outlen) ||
	    !utf8_valid(out, outlen)) {
		diag_error(r->d, &p, "", "the !!binary value is not base64 of UTF-8 text, which a Kubernetes "
			   "object cannot hold as a string");
		r->errors++;
		return n;
	}
	struct node *s = node_scalar(r->a, &p, (const char *)out, outlen, SCALAR_STR, STYLE_ANY);
	return s;
}

/* Tags dropped, !!binary decoded: what JSON output and kubectl both make of them. */
static struct node *untag(struct render_ctx *r, struct node *n)
{
	if (n->kind == NODE_SCALAR && n->tag) {
		if (!strcmp(n->tag, CORE_BINARY))
			return decode_binary(r, n);
		struct node *c = node_scalar(r->a, &n->pos, n->u.sc.s, n->u.sc.len, SCALAR_STR, n->u.sc.style);
		return c;
	}
	n->tag = NULL;
	node_map_each(n, p)
		p->val = untag(r, p->val);
	for (size_t i = 0; i < node_seq_len(n); i++)
		n->u.seq.v[i] = untag(r, n->u.seq.v[i]);
	return n;
}

struct node *render_passthrough(struct render_ctx *r, const struct document *doc)
{
	struct node *root = doc->root;
	const char *ns = r->opts->namespace;
	struct node *meta = map_get(root, "metadata");
	bool fill = ns && kind_is_namespaced(node_text(map_get(root, "kind"))) &&
		    (!meta || meta->kind == NODE_MAP) && node_is_empty(map_get(meta, "namespace"));
	bool tagged = has_tags(root);
	if (!fill && !tagged)
		return root; /* the document itself: the emitter only reads it */
	root = node_clone(r->a, root);
	if (tagged) {
		diag_warn(r->d, &doc->root->pos, "", "YAML tags are dropped from this object (!!binary decoded), "
			  "as kubectl reads them, so YAML and JSON output mean the same");
		root = untag(r, root);
	}
	if (fill) {
		struct node *m = map_child_map(r->a, root, "metadata");
		map_del(m, "namespace");
		size_t at = 0;
		while (at < m->u.map.n && strcmp(m->u.map.v[at].key, "name"))
			at++;
		map_insert(r->a, m, at < m->u.map.n ? at + 1 : 0, "namespace", str_node(r, ns));
	}
	return root;
}
