/* cel.c -- the CRD's CEL validation rules as C predicates, one table row each. */
#include "cel.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "schema.h"

#include <string.h>

/* ---- reading the raw spec the way CEL sees it ---- */

/* An evaluation: `broken` once a rule reads through a value of the wrong
 * type, which the schema reports; the API server would then not run CEL. */
struct ev {
	bool broken;
};

/* self.a.b.c, or NULL when a step is absent or null (pruned). */
static const struct node *at(struct ev *e, const struct node *n, const char *path)
{
	char key[64];
	while (n && *path) {
		if (n->kind != NODE_MAP || !path_next(&path, key, sizeof(key))) {
			e->broken = true;
			return NULL;
		}
		n = map_get(n, key);
		if (n && node_is_null(n))
			n = NULL;
	}
	return n;
}

static bool has(struct ev *e, const struct node *n, const char *path)
{
	return at(e, n, path) != NULL;
}

/* A string field, or NULL when absent. */
static const char *str(struct ev *e, const struct node *n, const char *path)
{
	const struct node *v = at(e, n, path);
	const char *s = NULL;
	if (v && !node_get_str(v, &s))
		e->broken = true;
	return s;
}

/* A boolean field: 1, 0, or -1 when absent. */
static int boolean(struct ev *e, const struct node *n, const char *path)
{
	const struct node *v = at(e, n, path);
	bool b;
	if (!v)
		return -1;
	if (!node_get_bool(v, &b)) {
		e->broken = true;
		return -1;
	}
	return b;
}

/* [has(self.a), has(self.b), ...].exists_one(c, c) */
static bool exists_one(struct ev *e, const struct node *self, const char *const *fields)
{
	int count = 0;
	for (; *fields; fields++)
		count += has(e, self, *fields);
	return count == 1;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_bucket(const char *s)
{
	return starts_with(s, "s3://") || starts_with(s, "gs://");
}

/* ---- scaling (on .spec) ---- */

struct scaling {
	int64_t replicas; /* spec.replicas defaults to 1 before CEL runs */
	bool autoscaling;
};

static struct scaling scaling_of(struct ev *e, const struct node *spec, const struct rule_ctx *c)
{
	const struct scaling_override *o = c ? c->scaling : NULL;
	struct scaling s = { 1, false };
	if (o && o->set_replicas) {
		s.replicas = o->replicas;
	} else {
		const struct node *r = at(e, spec, "replicas");
		if (r && !node_get_int(r, &s.replicas))
			e->broken = true;
	}
	if (o && o->set_autoscaler)
		s.autoscaling = o->autoscaler;
	else
		s.autoscaling = has(e, spec, "services.scaling.autoscaling");
	return s;
}

static bool scaling_on(struct scaling s)
{
	return s.replicas > 1 || s.autoscaling;
}

static bool holds_scaling_exclusive(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	struct scaling s = scaling_of(&e, self, c);
	return e.broken || s.replicas <= 1 || !s.autoscaling;
}

static bool holds_scaling_online(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	struct scaling s = scaling_of(&e, self, c);
	bool ok = !scaling_on(s) || has(&e, self, "services.onlineStore.persistence.store");
	return e.broken || ok;
}

static bool holds_scaling_offline(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	struct scaling s = scaling_of(&e, self, c);
	bool ok = !scaling_on(s) || !has(&e, self, "services.offlineStore") ||
		  has(&e, self, "services.offlineStore.persistence.store");
	return e.broken || ok;
}

static bool holds_scaling_registry(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	struct scaling s = scaling_of(&e, self, c);
	if (!scaling_on(s))
		return true;
	const struct node *reg = at(&e, self, "services.registry");
	const char *path = str(&e, reg, "local.persistence.file.path");
	bool ok = has(&e, reg, "remote") || has(&e, reg, "local.persistence.store") || (path && is_bucket(path));
	return e.broken || ok;
}

/* ---- KEDA ScaledObject (on .spec) ---- */

static bool holds_keda_min_max(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	int64_t min = 0, max = 100; /* maxReplicaCount defaults to 100 */
	const struct node *mn = at(&e, self, "minReplicaCount"), *mx = at(&e, self, "maxReplicaCount");
	if ((mn && !node_get_int(mn, &min)) || (mx && !node_get_int(mx, &max)))
		e.broken = true;
	return e.broken || !mn || min <= max;
}

/* ---- one-of selections ---- */

#define ONE_OF(fn, ...)                                                            \
	static bool fn(const struct node *self, const struct rule_ctx *c)          \
	{                                                                          \
		static const char *const fields[] = { __VA_ARGS__, NULL };         \
		struct ev e = { false };                                           \
		(void)c;                                                           \
		bool ok = exists_one(&e, self, fields);                            \
		return e.broken || ok;                                             \
	}

ONE_OF(holds_authz_one_of, "kubernetes", "oidc", "noAuth")
ONE_OF(holds_project_dir_one_of, "git", "init", "packaged")
ONE_OF(holds_persistence_one_of, "file", "store")
ONE_OF(holds_pvc_one_of, "ref", "create")
ONE_OF(holds_pdb_exactly_one, "minAvailable", "maxUnavailable")
ONE_OF(holds_registry_one_of, "local", "remote")
ONE_OF(holds_remote_one_of, "hostname", "feastRef")

/* ---- paths ---- */

static bool holds_git_repo_path(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	const char *p = str(&e, self, "featureRepoPath");
	return e.broken || !p || !starts_with(p, "/");
}

static bool holds_packaged_repo_path(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	const char *p = str(&e, self, "featureRepoPath");
	if (e.broken || !p)
		return true; /* absent: the schema's Required value says it */
	return starts_with(p, "/") && strcmp(p, "/") != 0 && !strstr(p, "//") && !ends_with(p, "/") &&
	       !strstr(p, "/./") && !ends_with(p, "/.") && !strstr(p, "/../") && !ends_with(p, "/..");
}

static bool holds_pvc_mount_path(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	const char *p = str(&e, self, "mountPath");
	if (e.broken || !p)
		return true; /* absent: the schema's Required value says it */
	return p[0] == '/' && !strchr(p, ':'); /* matches('^/[^:]*$') */
}

static bool holds_online_file_absolute(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	bool pvc = has(&e, self, "pvc");
	const char *p = str(&e, self, "path");
	return e.broken || pvc || !p || starts_with(p, "/");
}

static bool holds_pvc_path_relative(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	bool pvc = has(&e, self, "pvc");
	const char *p = str(&e, self, "path");
	return e.broken || !pvc || !p || !starts_with(p, "/");
}

static bool holds_online_file_no_bucket(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	const char *p = str(&e, self, "path");
	return e.broken || !p || !is_bucket(p);
}

static bool holds_registry_file_path(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	bool pvc = has(&e, self, "pvc");
	const char *p = str(&e, self, "path");
	return e.broken || pvc || !p || starts_with(p, "/") || is_bucket(p);
}

static bool holds_registry_pvc_no_bucket(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	bool pvc = has(&e, self, "pvc");
	const char *p = str(&e, self, "path");
	return e.broken || !pvc || !p || !is_bucket(p);
}

static bool holds_registry_s3_kwargs(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	bool kwargs = has(&e, self, "s3_additional_kwargs");
	const char *p = str(&e, self, "path");
	return e.broken || !kwargs || !p || starts_with(p, "s3://");
}

/* ---- servers ---- */

static bool holds_tls_secret_ref(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	int disable = boolean(&e, self, "disable");
	return e.broken || disable == 1 || has(&e, self, "secretRef");
}

static bool holds_registry_protocol(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	int rest = boolean(&e, self, "restAPI"), grpc = boolean(&e, self, "grpc");
	/* an absent restAPI with grpc false is a CEL error: rejected too */
	return e.broken || rest == 1 || grpc == 1 || grpc == -1;
}

static bool holds_registry_mcp(const struct node *self, const struct rule_ctx *c)
{
	struct ev e = { false };
	(void)c;
	const struct node *mcp = at(&e, self, "mcp");
	if (!mcp)
		return true;
	int enabled = boolean(&e, mcp, "enabled"), rest = boolean(&e, self, "restAPI");
	/* mcp without `enabled` makes `!self.mcp.enabled` an error: only restAPI saves it */
	return e.broken || enabled == 0 || rest == 1;
}

static const char *missing_registry_protocol(const struct node *self)
{
	struct ev e = { false };
	return boolean(&e, self, "grpc") == 0 && boolean(&e, self, "restAPI") == -1 ? "restAPI" : NULL;
}

/* ---- others ---- */

static bool holds_mlflow_extra_config(const struct node *self, const struct rule_ctx *c)
{
	static const char *const typed[] = { "enabled", "tracking_uri", "ui_url", "tracking_auth", "auto_log",
					     "auto_log_entity_df", "entity_df_max_rows", "log_operations",
					     "ops_experiment_suffix", NULL };
	struct ev e = { false };
	(void)c;
	const struct node *extra = at(&e, self, "extraConfig");
	bool clash = false;
	for (const char *const *k = typed; extra && *k && !e.broken; k++)
		clash |= has(&e, extra, *k);
	return e.broken || !clash;
}

/* A transition rule (self == oldSelf) compares an update with the stored
 * object; the API server does not evaluate it on create, and a spec file is
 * always a create here.  It holds. */
static bool holds_on_create(const struct node *self, const struct rule_ctx *c)
{
	(void)self;
	(void)c;
	return true;
}

/* ---- the table ---- */

const struct cel_rule cel_rules[] = {
	{ "scaling-exclusive",
	  "spec",
	  "self.replicas <= 1 || !has(self.services) || !has(self.services.scaling) || "
	  "!has(self.services.scaling.autoscaling)",
	  "replicas > 1 and services.scaling.autoscaling are mutually exclusive.",
	  holds_scaling_exclusive, CEL_SCALING, NULL },
	{ "scaling-online-db",
	  "spec",
	  "self.replicas <= 1 && (!has(self.services) || !has(self.services.scaling) || "
	  "!has(self.services.scaling.autoscaling)) || (has(self.services) && "
	  "has(self.services.onlineStore) && has(self.services.onlineStore.persistence) && "
	  "has(self.services.onlineStore.persistence.store))",
	  "Scaling requires DB-backed persistence for the online store. Configure "
	  "services.onlineStore.persistence.store when using replicas > 1 or autoscaling.",
	  holds_scaling_online, CEL_SCALING, NULL },
	{ "scaling-offline-db",
	  "spec",
	  "self.replicas <= 1 && (!has(self.services) || !has(self.services.scaling) || "
	  "!has(self.services.scaling.autoscaling)) || (!has(self.services) || "
	  "!has(self.services.offlineStore) || (has(self.services.offlineStore.persistence) && "
	  "has(self.services.offlineStore.persistence.store)))",
	  "Scaling requires DB-backed persistence for the offline store. Configure "
	  "services.offlineStore.persistence.store when using replicas > 1 or autoscaling.",
	  holds_scaling_offline, CEL_SCALING, NULL },
	{ "scaling-registry-db",
	  "spec",
	  "self.replicas <= 1 && (!has(self.services) || !has(self.services.scaling) || "
	  "!has(self.services.scaling.autoscaling)) || (has(self.services) && "
	  "has(self.services.registry) && (has(self.services.registry.remote) || "
	  "(has(self.services.registry.local) && has(self.services.registry.local.persistence) && "
	  "(has(self.services.registry.local.persistence.store) || "
	  "(has(self.services.registry.local.persistence.file) && "
	  "has(self.services.registry.local.persistence.file.path) && "
	  "(self.services.registry.local.persistence.file.path.startsWith('s3://') || "
	  "self.services.registry.local.persistence.file.path.startsWith('gs://')))))))",
	  "Scaling requires DB-backed or remote registry. Configure "
	  "registry.local.persistence.store or use a remote registry when using replicas > 1 or "
	  "autoscaling. S3/GCS-backed registry is also allowed.",
	  holds_scaling_registry, CEL_SCALING, NULL },
	{ "authz-one-of",
	  "spec.authz",
	  "[has(self.kubernetes), has(self.oidc), has(self.noAuth)].exists_one(c, c)",
	  "One selection required between kubernetes, oidc, or noAuth.",
	  holds_authz_one_of, 0, NULL },
	{ "project-dir-one-of",
	  "spec.feastProjectDir",
	  "[has(self.git), has(self.init), has(self.packaged)].exists_one(c, c)",
	  "One selection required between init, git, or packaged.",
	  holds_project_dir_one_of, 0, NULL },
	{ "git-repo-path-relative",
	  "spec.feastProjectDir.git",
	  "has(self.featureRepoPath) ? !self.featureRepoPath.startsWith('/') : true",
	  "RepoPath must be a file name only, with no slashes.",
	  holds_git_repo_path, 0, NULL },
	{ "packaged-repo-path-canonical",
	  "spec.feastProjectDir.packaged",
	  "self.featureRepoPath.startsWith('/') && self.featureRepoPath != '/' && "
	  "!self.featureRepoPath.contains('//') && !self.featureRepoPath.endsWith('/') && "
	  "!self.featureRepoPath.contains('/./') && !self.featureRepoPath.endsWith('/.') && "
	  "!self.featureRepoPath.contains('/../') && !self.featureRepoPath.endsWith('/..')",
	  "FeatureRepoPath must be a canonical absolute, non-root path without dot segments or "
	  "repeated separators.",
	  holds_packaged_repo_path, 0, NULL },
	{ "mlflow-extra-config",
	  "spec.mlflow",
	  "!has(self.extraConfig) || !('enabled' in self.extraConfig) && !('tracking_uri' in "
	  "self.extraConfig) && !('ui_url' in self.extraConfig) && !('tracking_auth' in "
	  "self.extraConfig) && !('auto_log' in self.extraConfig) && !('auto_log_entity_df' in "
	  "self.extraConfig) && !('entity_df_max_rows' in self.extraConfig) && !('log_operations' "
	  "in self.extraConfig) && !('ops_experiment_suffix' in self.extraConfig)",
	  "extraConfig must not contain keys that duplicate typed fields (enabled, tracking_uri, "
	  "ui_url, tracking_auth, auto_log, auto_log_entity_df, entity_df_max_rows, log_operations, "
	  "ops_experiment_suffix); use the corresponding spec fields instead.",
	  holds_mlflow_extra_config, 0, NULL },
	{ "tls-secret-ref",
	  "spec.openlineage.consumer.lineageServer.server.tls spec.services.offlineStore.server.tls spec.services.onlineStore.server.tls spec.services.registry.local.server.tls spec.services.ui.tls",
	  "(!has(self.disable) || !self.disable) ? has(self.secretRef) : true",
	  "`secretRef` required if `disable` is false.",
	  holds_tls_secret_ref, 0, NULL },
	{ "persistence-one-of",
	  "spec.services.offlineStore.persistence spec.services.onlineStore.persistence spec.services.registry.local.persistence",
	  "[has(self.file), has(self.store)].exists_one(c, c)",
	  "One selection required between file or store.",
	  holds_persistence_one_of, 0, NULL },
	{ "pvc-one-of",
	  "spec.services.offlineStore.persistence.file.pvc spec.services.onlineStore.persistence.file.pvc spec.services.registry.local.persistence.file.pvc",
	  "[has(self.ref), has(self.create)].exists_one(c, c)",
	  "One selection is required between ref and create.",
	  holds_pvc_one_of, 0, NULL },
	{ "pvc-mount-path",
	  "spec.services.offlineStore.persistence.file.pvc spec.services.onlineStore.persistence.file.pvc spec.services.registry.local.persistence.file.pvc",
	  "self.mountPath.matches('^/[^:]*$')",
	  "Mount path must start with '/' and must not contain ':'",
	  holds_pvc_mount_path, 0, NULL },
	{ "pvc-create-immutable",
	  "spec.services.offlineStore.persistence.file.pvc.create spec.services.onlineStore.persistence.file.pvc.create spec.services.registry.local.persistence.file.pvc.create",
	  "self == oldSelf",
	  "PvcCreate is immutable",
	  holds_on_create, 0, NULL },
	{ "online-file-absolute",
	  "spec.services.onlineStore.persistence.file",
	  "(!has(self.pvc) && has(self.path)) ? self.path.startsWith('/') : true",
	  "Ephemeral stores must have absolute paths.",
	  holds_online_file_absolute, 0, NULL },
	{ "file-pvc-path-relative",
	  "spec.services.onlineStore.persistence.file spec.services.registry.local.persistence.file",
	  "(has(self.pvc) && has(self.path)) ? !self.path.startsWith('/') : true",
	  "PVC path must be a file name only, with no slashes.",
	  holds_pvc_path_relative, 0, NULL },
	{ "online-file-no-bucket",
	  "spec.services.onlineStore.persistence.file",
	  "has(self.path) ? !(self.path.startsWith('s3://') || self.path.startsWith('gs://')) : "
	  "true",
	  "Online store does not support S3 or GS buckets.",
	  holds_online_file_no_bucket, 0, NULL },
	{ "pdb-exactly-one",
	  "spec.services.podDisruptionBudgets",
	  "[has(self.minAvailable), has(self.maxUnavailable)].exists_one(c, c)",
	  "Exactly one of minAvailable or maxUnavailable must be set.",
	  holds_pdb_exactly_one, 0, NULL },
	{ "registry-one-of",
	  "spec.services.registry",
	  "[has(self.local), has(self.remote)].exists_one(c, c)",
	  "One selection required.",
	  holds_registry_one_of, 0, NULL },
	{ "registry-file-path",
	  "spec.services.registry.local.persistence.file",
	  "(!has(self.pvc) && has(self.path)) ? (self.path.startsWith('/') || "
	  "self.path.startsWith('s3://') || self.path.startsWith('gs://')) : true",
	  "Registry files must use absolute paths or be S3 ('s3://') or GS ('gs://') object store "
	  "URIs.",
	  holds_registry_file_path, 0, NULL },
	{ "registry-pvc-no-bucket",
	  "spec.services.registry.local.persistence.file",
	  "(has(self.pvc) && has(self.path)) ? !(self.path.startsWith('s3://') || "
	  "self.path.startsWith('gs://')) : true",
	  "PVC persistence does not support S3 or GS object store URIs.",
	  holds_registry_pvc_no_bucket, 0, NULL },
	{ "registry-s3-kwargs",
	  "spec.services.registry.local.persistence.file",
	  "(has(self.s3_additional_kwargs) && has(self.path)) ? self.path.startsWith('s3://') : "
	  "true",
	  "Additional S3 settings are available only for S3 object store URIs.",
	  holds_registry_s3_kwargs, 0, NULL },
	{ "registry-server-protocol",
	  "spec.services.registry.local.server",
	  "self.restAPI == true || self.grpc == true || !has(self.grpc)",
	  "At least one of restAPI or grpc must be true",
	  holds_registry_protocol, 0, missing_registry_protocol },
	{ "registry-server-mcp",
	  "spec.services.registry.local.server",
	  "!has(self.mcp) || !self.mcp.enabled || (has(self.restAPI) && self.restAPI == true)",
	  "MCP requires restAPI to be true",
	  holds_registry_mcp, 0, NULL },
	{ "keda-min-max",
	  "spec",
	  "!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount) ? "
	  "self.maxReplicaCount : 100)",
	  "minReplicaCount must be less than or equal to maxReplicaCount",
	  holds_keda_min_max, 0, NULL },
	{ "remote-one-of",
	  "spec.services.registry.remote",
	  "[has(self.hostname), has(self.feastRef)].exists_one(c, c)",
	  "One selection required.",
	  holds_remote_one_of, 0, NULL },
};

const size_t cel_rules_count = sizeof(cel_rules) / sizeof(cel_rules[0]);

const struct cel_rule *cel_rule_find(const char *rule)
{
	for (size_t i = 0; i < cel_rules_count; i++)
		if (!strcmp(cel_rules[i].rule, rule))
			return &cel_rules[i];
	return NULL;
}

size_t cel_report(const struct cel_rule *r, const struct node *self, const struct rule_ctx *c, const char *path,
		  const struct pos *pos, struct diags *d)
{
	if (r->holds(self, c))
		return 0;
	const char *key = r->missing ? r->missing(self) : NULL;
	struct diag *x = key ? diag_error(d, pos, path, "Invalid value: \"%s\": no such key: %s evaluating rule: %s",
					  node_type_name(self), key, r->message)
			     : diag_error(d, pos, path, "Invalid value: \"%s\": %s", node_type_name(self), r->message);
	x->rule = r->id;
	x->source = "cel";
	return 1;
}

void cel_hook(void *ctx, const struct sch_rule *r, const struct node *self, const char *path, const struct pos *pos,
	      struct diags *d)
{
	const struct cel_rule *row = cel_rule_find(r->rule);
	if (row) {
		cel_report(row, self, ctx, path, pos, d);
		return;
	}
	struct diag *x = diag_warn(d, pos, path, "validation rule not checked by this kubectl-feast: %s",
				   r->message ? r->message : r->rule);
	x->rule = "cel.unknown";
	x->source = "cel";
}
