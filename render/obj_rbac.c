/* obj_rbac.c -- authorization RBAC: Roles, RoleBindings, the token-review cluster objects. */
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "render_int.h"

#define TOKEN_REVIEW_ROLE "feast-token-review-cluster-role"
#define OIDC_TOKEN_REVIEW_ROLE "feast-oidc-token-review"

static void set_subject(struct render_ctx *r, struct node *binding, const char *sa, const char *ns)
{
	struct node *subject = map_get(binding, "subjects")->u.seq.v[0];
	map_set(r->a, subject, "name", str_node(r, sa));
	if (ns)
		map_set(r->a, subject, "namespace", str_node(r, ns));
}

static void role_ref(struct render_ctx *r, struct node *binding, const char *kind, const char *name)
{
	struct node *ref = map_get(binding, "roleRef");
	if (kind)
		map_set(r->a, ref, "kind", str_node(r, kind));
	map_set(r->a, ref, "name", str_node(r, name));
}

void emit_role_binding(struct render_ctx *r, struct store *st, const char *name, const char *svc_type,
		       const char *component, const char *sa)
{
	struct node *rb = obj_new(r, st, T_ROLEBINDING, name, true, svc_type, component);
	role_ref(r, rb, "Role", name);
	set_subject(r, rb, sa, st->fs.ns);
	obj_emit(r, st, rb);
}

/* A ClusterRoleBinding needs the ServiceAccount's namespace spelled out. */
static void cluster_binding(struct render_ctx *r, struct store *st, const char *name, const char *role)
{
	if (!st->fs.ns) {
		diag_error(r->d, &st->fs.root->pos, "metadata.namespace",
			   "the ClusterRoleBinding %s must name the namespace of ServiceAccount %s: "
			   "set metadata.namespace or pass -n", name, st->fs.feast_name);
		r->errors++;
		return;
	}
	struct node *crb = obj_new(r, st, T_CLUSTERROLEBINDING, name, false, "authorization", "authorization");
	role_ref(r, crb, NULL, role);
	set_subject(r, crb, st->fs.feast_name, st->fs.ns);
	obj_emit(r, st, crb);
}

static void kubernetes_authz(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	struct node *role = obj_new(r, st, T_ROLE, fs->feast_name, true, "authorization", "authorization");
	map_set(r->a, role, "rules", tmpl_clone(r, T_RULES_AUTHZ));
	obj_emit(r, st, role);

	emit_role_binding(r, st, fs->feast_name, "authorization", "authorization", fs->feast_name);

	cluster_binding(r, st, arena_printf(r->a, "%s-cluster-binding", fs->feast_name), TOKEN_REVIEW_ROLE);

	/* The roles a Feast permission policy names, created empty for the user to bind. */
	const struct node *roles = map_get(fs->authz_cfg, "roles");
	node_seq_each(roles, role) {
		const char *name = node_text(role);
		if (name && *name)
			obj_emit(r, st, obj_new(r, st, T_ROLE, name, true, "authorization", "authorization"));
	}
}

void build_authz(struct render_ctx *r, struct store *st)
{
	if (st->fs.authz == AUTHZ_KUBERNETES)
		kubernetes_authz(r, st);
	else if (st->fs.authz == AUTHZ_OIDC)
		cluster_binding(r, st, arena_printf(r->a, "%s-oidc-token-review", st->fs.feast_name),
				OIDC_TOKEN_REVIEW_ROLE);
	/* No RoleBinding feast-<name>-mlflow-integration: the operator 0.66 deletes it as
	 * legacy (services/mlflow_discover.go: cleanupLegacyMlflowRoleBinding). */
}

/* Cluster-wide roles every store of the run binds to; rendered once, first. */
void build_shared_rbac(struct render_ctx *r)
{
	if (r->token_review) {
		struct node *cr = obj_new(r, NULL, T_CLUSTERROLE, TOKEN_REVIEW_ROLE, false, "authorization",
					  "authorization");
		map_set(r->a, cr, "rules", tmpl_clone(r, T_RULES_TOKEN_REVIEW));
		obj_emit(r, NULL, cr);
	}
	if (r->oidc_token_review) {
		struct node *cr = obj_new(r, NULL, T_CLUSTERROLE, OIDC_TOKEN_REVIEW_ROLE, false, "authorization",
					  "authorization");
		map_set(r->a, cr, "rules", tmpl_clone(r, T_RULES_OIDC));
		obj_emit(r, NULL, cr);
	}
}
