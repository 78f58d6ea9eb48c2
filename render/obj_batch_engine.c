/* obj_batch_engine.c -- the batch engine's RBAC (the operator's batch_engine_rbac.go), from
 * the engine type in its ConfigMap when that ConfigMap is part of the run. */
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "render_int.h"
#include "yaml_in.h"

#include <string.h>

/* The ConfigMap `name` in the store's namespace among the run's documents. */
static const struct node *find_configmap(const struct render_ctx *r, const struct store *st, const char *name)
{
	for (size_t i = 0; r->docs && i < r->docs->n; i++) {
		const struct node *root = r->docs->v[i].root;
		if (!root || strcmp(node_str_or(map_get(root, "kind"), ""), "ConfigMap") ||
		    strcmp(node_str_or(map_get(root, "apiVersion"), ""), "v1") ||
		    strcmp(node_str_or(node_at(root, "metadata.name"), ""), name))
			continue;
		const char *ns = node_str_or(node_at(root, "metadata.namespace"), r->opts->namespace);
		if ((!ns && !st->fs.ns) || (ns && st->fs.ns && !strcmp(ns, st->fs.ns)))
			return root;
	}
	return NULL;
}

/* The engine's settings: the YAML mapping held in the ConfigMap's key, or NULL. */
static const struct node *engine_config(struct render_ctx *r, const struct node *cm, const char *key)
{
	const char *text = node_str_or(map_get(map_get(cm, "data"), key), NULL);
	if (!text)
		return NULL;
	struct diags scratch;
	diags_init(&scratch, r->a);
	struct doclist l = { 0 };
	if (yaml_parse(r->a, key, text, strlen(text), NULL, &l, &scratch) < 0 || l.n != 1 ||
	    !l.v[0].root || l.v[0].root->kind != NODE_MAP)
		return NULL;
	return l.v[0].root;
}

static void role(struct render_ctx *r, struct store *st, const char *name, const char *type, enum tmpl_id rules)
{
	struct node *role = obj_new(r, st, T_ROLE, name, true, type, type);
	map_set(r->a, role, "rules", tmpl_clone(r, rules));
	obj_emit(r, st, role);
}

/* spark_application, the one engine the operator has RBAC for (reconcileBatchEngineRBAC):
 * the servers submit SparkApplications; the driver runs as its own ServiceAccount,
 * feast-<name>-batch-driver unless the ConfigMap names one (resolveBatchDriverSAName). */
void build_batch_engine_rbac(struct render_ctx *r, struct store *st)
{
	const struct node *be = map_get(st->fs.spec, "batchEngine");
	const char *cm_name = node_str_or(node_at(be, "configMapRef.name"), NULL);
	if (!cm_name || !*cm_name)
		return;
	const struct node *cm = find_configmap(r, st, cm_name);
	if (!cm) {
		warn_once(r, W_BATCH_ENGINE_RBAC, be, "spec.batchEngine",
			  "ConfigMap %s is not in the input, so the batch engine's type and its RBAC (a Spark "
			  "application's driver ServiceAccount, Roles and RoleBindings) are not rendered; "
			  "render it with -f to get them", cm_name);
		return;
	}
	const char *key = node_str_or(map_get(be, "configMapKey"), "");
	const struct node *cfg = engine_config(r, cm, *key ? key : "config");
	if (strcmp(node_str_or(map_get(cfg, "type"), ""), "spark_application"))
		return;
	const char *server = arena_printf(r->a, "%s-batch-engine", st->fs.feast_name);
	const char *driver = arena_printf(r->a, "%s-batch-driver", st->fs.feast_name);
	const char *driver_sa = node_str_or(map_get(cfg, "service_account"), "");
	if (!*driver_sa)
		driver_sa = driver;
	role(r, st, server, "batch-engine", T_RULES_SPARK_SERVER);
	emit_role_binding(r, st, server, "batch-engine", "batch-engine", st->fs.feast_name);
	obj_emit(r, st, obj_new(r, st, T_SERVICEACCOUNT, driver_sa, true, "batch-driver", "batch-driver"));
	role(r, st, driver, "batch-driver", T_RULES_SPARK_DRIVER);
	emit_role_binding(r, st, driver, "batch-driver", "batch-driver", driver_sa);
}
