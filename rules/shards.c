/* shards.c -- sharded materialization: the shard count of a store and the rules it must keep. */
#include "shards.h"

#include "check.h"
#include "diag.h"
#include "doc.h"
#include "reconcile_rules.h"
#include "yaml_in.h"

#include <string.h>

enum { R_VALUE, R_REGISTRY, R_NO_CRONJOB, R_COMMAND, R_BATCH_ENGINE };

const struct shards_rule shards_rules[] = {
	[R_VALUE] = { "materialize-shards-value", SHARDS_ERROR, "metadata.annotations",
		      SHARDS_ANNOTATION " must be an integer from 1 to 64" },
	[R_REGISTRY] = { "materialize-shards-registry", SHARDS_ERROR, "spec.services.registry",
			 "sharded materialization needs a registry that takes concurrent writers (SQL, or remote "
			 "to a registry server): a file registry (here %s; s3:// and gs:// paths alike) is fine for "
			 "concurrent readers, but each writer rewrites it whole, so concurrent writers lose each "
			 "other's updates, materialization intervals among them" },
	[R_NO_CRONJOB] = { "materialize-shards-no-cronjob", SHARDS_WARNING, "spec",
			   "sharded materialization has no effect without spec.cronJob: there is no "
			   "materialization CronJob to shard" },
	[R_COMMAND] = { "materialize-shards-command", SHARDS_ERROR, "spec.cronJob.containerConfigs.commands",
			"sharded materialization runs the `feast materialize` or `feast materialize-incremental` "
			"command of spec.cronJob with --views for each shard's feature views, and none of these "
			"commands is one" },
	[R_BATCH_ENGINE] = { "materialize-shards-batch-engine", SHARDS_WARNING, "spec.batchEngine",
			     "the batch engine %s distributes materialization itself: shards on top of it are "
			     "redundant (each shard still hands its views to the engine)" },
};
const size_t shards_rules_count = sizeof(shards_rules) / sizeof(shards_rules[0]);

int shards_annotation(const struct node *root)
{
	const struct node *v = map_get(node_at(root, "metadata.annotations"), SHARDS_ANNOTATION);
	if (!v)
		return 0;
	const char *s = node_text(v);
	int n = 0, digits = 0;
	for (; s && *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
		n = n * 10 + (*s - '0');
	return s && !*s && digits && n >= 1 && n <= SHARDS_MAX ? n : -1;
}

int shards_effective(const struct node *root, int flag)
{
	int n = shards_annotation(root);
	if (!n)
		n = flag;
	return n > 1 ? n : 1;
}

bool shards_is_materialize(const char *cmd)
{
	cmd += strspn(cmd, " \t\n");
	if (strncmp(cmd, "feast", 5) || !strchr(" \t", cmd[5]))
		return false;
	cmd += 5 + strspn(cmd + 5, " \t");
	return !strncmp(cmd, "materialize", 11) && (!cmd[11] || strchr(" \t\n", cmd[11]) ||
						    !strncmp(cmd + 11, "-incremental", 12));
}

static void report(const struct node *root, int rule, const char *arg, struct diags *d)
{
	const struct shards_rule *r = &shards_rules[rule];
	struct diag *x = diag_add(d, r->level == SHARDS_ERROR ? DIAG_ERROR : DIAG_WARNING,
				  reconcile_pos_of(root, r->path), r->path, r->message, arg);
	x->rule = r->id;
}

/* What a file registry is called in the message, or NULL for a registry that takes writers. */
static const char *file_registry(const struct node *spec)
{
	const struct node *reg = node_at(spec, "services.registry");
	if (map_get(reg, "remote"))
		return NULL;
	const struct node *p = node_at(reg, "local.persistence");
	const char *type = node_str_or(node_at(p, "store.type"), NULL);
	/* The operator's DB registries (sql, snowflake.registry) keep one row per object. */
	if (type)
		return NULL;
	const char *path = node_str_or(node_at(p, "file.path"), NULL);
	return path && *path ? path : "the default registry.db";
}

/* The type in the batch engine's ConfigMap, when that ConfigMap is among `docs`. */
static const char *engine_type(struct arena *a, const struct node *root, const struct doclist *docs,
			       const char *dflt_ns)
{
	const struct node *be = node_at(root, "spec.batchEngine");
	const char *name = node_str_or(node_at(be, "configMapRef.name"), NULL);
	const char *key = node_str_or(map_get(be, "configMapKey"), "");
	const char *ns = node_str_or(node_at(root, "metadata.namespace"), dflt_ns);
	for (size_t i = 0; name && docs && i < docs->n; i++) {
		const struct node *cm = docs->v[i].root;
		const char *cm_ns = node_str_or(node_at(cm, "metadata.namespace"), dflt_ns);
		if (!cm || strcmp(node_str_or(map_get(cm, "kind"), ""), "ConfigMap") ||
		    strcmp(node_str_or(node_at(cm, "metadata.name"), ""), name) ||
		    (ns && cm_ns ? strcmp(ns, cm_ns) != 0 : ns != cm_ns))
			continue;
		const char *text = node_str_or(map_get(map_get(cm, "data"), *key ? key : "config"), NULL);
		struct diags scratch;
		diags_init(&scratch, a);
		struct doclist l = { 0 };
		if (!text || yaml_parse(a, "config", text, strlen(text), NULL, &l, &scratch) < 0 || l.n != 1)
			return NULL;
		return node_str_or(map_get(l.v[0].root, "type"), NULL);
	}
	return NULL;
}

/* Engines that spread one materialization over many workers on their own. */
static bool distributes(const char *type)
{
	static const char *const engines[] = { "spark.engine", "ray.engine", "lambda", "k8s" };
	for (size_t i = 0; type && i < sizeof(engines) / sizeof(engines[0]); i++)
		if (!strcmp(type, engines[i]))
			return true;
	return false;
}

static bool has_materialize(const struct node *cmds)
{
	if (!cmds || cmds->kind != NODE_SEQ || !cmds->u.seq.n)
		return true; /* the operator's defaults end with materialize-incremental */
	for (size_t i = 0; i < cmds->u.seq.n; i++)
		if (shards_is_materialize(node_str_or(cmds->u.seq.v[i], "")))
			return true;
	return false;
}

size_t shards_check(const struct document *doc, const struct doclist *docs, const char *dflt_ns, int shards,
		    struct diags *d)
{
	const struct node *root = doc->root, *spec = map_get(root, "spec");
	size_t errors = d->errors;
	if (shards <= 1 || !spec || spec->kind != NODE_MAP)
		return 0;
	const char *file = file_registry(spec);
	if (file)
		report(root, R_REGISTRY, file, d);
	const struct node *cj = map_get(spec, "cronJob");
	if (!cj || node_is_null(cj))
		report(root, R_NO_CRONJOB, NULL, d);
	else if (!has_materialize(node_at(cj, "containerConfigs.commands")))
		report(root, R_COMMAND, NULL, d);
	const char *type = engine_type(d->arena, root, docs, dflt_ns);
	if (distributes(type))
		report(root, R_BATCH_ENGINE, type, d);
	return d->errors - errors;
}

size_t shards_check_documents(const struct doclist *docs, struct diags *d)
{
	size_t errors = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const struct node *root = docs->v[i].root;
		if (!doc_is_featurestore(root))
			continue;
		int n = shards_annotation(root);
		if (n < 0) {
			report(root, R_VALUE, NULL, d);
			errors++;
		} else {
			errors += shards_check(&docs->v[i], docs, NULL, n, d);
		}
	}
	return errors;
}
